/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/netlink.h>

#include "daemon/nl.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

int nlc_open(struct nl *nl)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->ioctl_fd = -1;
	nl->ipv6_conf_fd = open("/proc/sys/net/ipv6/conf", O_PATH | O_DIRECTORY | O_CLOEXEC);
	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk)
		return -errno;
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl->sk);
		nl->sk = NULL;
		return -e;
	}
	/* Best effort: old kernels lack these, and requests still work without them. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->ioctl_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (nl->ioctl_fd < 0) {
		int e = errno;
		nlc_close(nl);
		return -e;
	}
	nl->seq = (uint32_t)time(NULL);
	nl->rbuf_size = 65536;
	nl->rbuf = malloc(nl->rbuf_size);
	if (!nl->rbuf) {
		nlc_close(nl);
		return -ENOMEM;
	}
	return 0;
}

void nlc_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	if (nl->ioctl_fd >= 0)
		close(nl->ioctl_fd);
	if (nl->ipv6_conf_fd >= 0)
		close(nl->ipv6_conf_fd);
	nl->ipv6_conf_fd = -1;
	free(nl->rbuf);
	nl->sk = NULL;
	nl->rbuf = NULL;
	nl->ioctl_fd = -1;
}

static ssize_t nlc_recv_opt(struct nl *nl, bool peek);

int nlc_batch(struct nl *nl, size_t len, unsigned n, int *errs, char (*extack)[256])
{
	uint32_t first = ((struct nlmsghdr *)nl->sbuf)->nlmsg_seq;
	unsigned acked = 0;

	if (n > NLC_BATCH_MAX)
		return -E2BIG;
	if (mnl_socket_sendto(nl->sk, nl->sbuf, len) < 0)
		return -errno;
	while (acked < n) {
		ssize_t got = nlc_recv_opt(nl, false);
		int left = (int)got;

		if (got < 0)
			return (int)got;
		for (struct nlmsghdr *m = (struct nlmsghdr *)nl->rbuf; mnl_nlmsg_ok(m, left);
		     m = mnl_nlmsg_next(m, &left)) {
			const struct nlmsgerr *err = mnl_nlmsg_get_payload(m);
			uint32_t i = m->nlmsg_seq - first;

			if (m->nlmsg_type != NLMSG_ERROR || m->nlmsg_pid != nl->portid || i >= n ||
			    m->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
				continue;
			errs[i] = err->error;
			nlc_parse_extack(m, extack[i], 256);
			acked++;
		}
	}
	return 0;
}

int nlc_ifindex(struct nl *nl, const char *name)
{
	struct ifreq ifr = { 0 };

	if (strlen(name) >= sizeof(ifr.ifr_name))
		return 0;
	strcpy(ifr.ifr_name, name);
	return ioctl(nl->ioctl_fd, SIOCGIFINDEX, &ifr) < 0 ? 0 : ifr.ifr_ifindex;
}

int nlc_ifdriver(struct nl *nl, const char *name, char *buf, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };

	if (strlen(name) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	strcpy(ifr.ifr_name, name);
	ifr.ifr_data = (void *)&info;
	if (ioctl(nl->ioctl_fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	snprintf(buf, len, "%s", info.driver);
	return 0;
}

int nlc_ifpeek(struct nl *nl, const char *name, uint8_t mac[6], unsigned *mtu)
{
	struct ifreq ifr = { 0 };

	if (strlen(name) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	strcpy(ifr.ifr_name, name);
	if (ioctl(nl->ioctl_fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(nl->ioctl_fd, SIOCGIFMTU, &ifr) < 0)
		return -errno;
	*mtu = (unsigned)ifr.ifr_mtu;
	return 0;
}

char *nlc_ifname(struct nl *nl, int ifindex, char *buf)
{
	struct ifreq ifr = { .ifr_ifindex = ifindex };

	if (ioctl(nl->ioctl_fd, SIOCGIFNAME, &ifr) < 0)
		return NULL;
	memcpy(buf, ifr.ifr_name, IFNAMSIZ);
	buf[IFNAMSIZ - 1] = '\0';
	return buf;
}

struct nlmsghdr *nlc_msg(struct nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->sbuf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

void nlc_parse_extack(const struct nlmsghdr *nlh, char *out, size_t len)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);
	const struct nlattr *attr;

	if (!out || !len)
		return;
	out[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return;
	/* Without NLM_F_CAPPED the kernel echoed the whole request before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(out, len, "%s", mnl_attr_get_str(attr));
			return;
		}
	}
}

struct talk_ctx {
	char *extack;
	size_t extack_len;
};

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct talk_ctx *t = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	nlc_parse_extack(nlh, t->extack, t->extack_len);
	if (err->error == 0)
		return MNL_CB_STOP;
	errno = -err->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

/* Receive one datagram whole: peek its size first so a 128-VF dump never truncates.
 * Without `peek` (only acks expected, which always fit) it is one syscall. */
static ssize_t nlc_recv_opt(struct nl *nl, bool peek)
{
	int fd = mnl_socket_get_fd(nl->sk);
	ssize_t n;

	for (;;) {
		if (!peek) {
			n = recv(fd, nl->rbuf, nl->rbuf_size, 0);
			if (n < 0 && errno == EINTR)
				continue;
			return n < 0 ? -errno : n;
		}
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > nl->rbuf_size) {
			char *b = realloc(nl->rbuf, n);
			if (!b)
				return -ENOMEM;
			nl->rbuf = b;
			nl->rbuf_size = n;
		}
		n = recv(fd, nl->rbuf, nl->rbuf_size, 0);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : n;
	}
}

int nlc_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	    char *extack, size_t extack_len)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb };
	struct talk_ctx t = { extack, extack_len };
	uint32_t seq = nlh->nlmsg_seq;
	bool interrupted = false;
	int rc;

	if (extack && extack_len)
		extack[0] = '\0';
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = nlc_recv_opt(nl, cb != NULL);
		if (n < 0)
			return (int)n;
		/* Data callbacks get `data`, control callbacks get the talk context. */
		struct nlmsghdr *m = (struct nlmsghdr *)nl->rbuf;
		int len = (int)n;
		rc = MNL_CB_OK;
		for (; mnl_nlmsg_ok(m, len) && rc > MNL_CB_STOP; m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != nl->portid)
				continue; /* a stale reply to a request that timed out */
			/* The dump changed under us: read it to its end (a new dump on this
			 * socket before that is refused with EBUSY), then say so. */
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = true;
			if (m->nlmsg_type < NLMSG_MIN_TYPE)
				rc = ctl[m->nlmsg_type] ? ctl[m->nlmsg_type](m, &t) : MNL_CB_OK;
			else if (cb && !interrupted)
				rc = cb(m, data);
		}
		if (rc == MNL_CB_ERROR)
			return -errno;
		if (rc == MNL_CB_STOP)
			return interrupted ? -EINTR : 0;
	}
}
