/* SPDX-License-Identifier: MIT */
/* rtnetlink requests over libmnl: every request asks for an ACK, every error carries
 * the kernel's extended ack text, and receive buffers are sized from the message. */
#ifndef NETD_NL_H
#define NETD_NL_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

struct nl {
	struct mnl_socket *sk;
	uint32_t seq;
	uint32_t portid;
	int ioctl_fd;   /* for name <-> ifindex, without a socket per lookup */
	int ipv6_conf_fd; /* /proc/sys/net/ipv6/conf (O_PATH), -1 without IPv6 */
	char *rbuf;     /* receive buffer, grown to the largest message seen */
	size_t rbuf_size;
	char sbuf[32768]; /* request buffer: the largest request is one VF list */
};

int nlc_open(struct nl *nl);
void nlc_close(struct nl *nl);

/* Start a request of `type` with `flags` | NLM_F_REQUEST | NLM_F_ACK in nl->sbuf. */
struct nlmsghdr *nlc_msg(struct nl *nl, uint16_t type, uint16_t flags);

/*
 * Send a request and process replies until its ACK or the end of a dump.  `cb` sees
 * each data message (may be NULL).  Returns 0 or -errno; the kernel's extack text, if
 * any, is copied into `extack` (which may be NULL).
 */
int nlc_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	    char *extack, size_t extack_len);

/* if_nametoindex()/if_indextoname() on the connection's own socket: 0 / NULL when
 * there is no such device. */
int nlc_ifindex(struct nl *nl, const char *name);
char *nlc_ifname(struct nl *nl, int ifindex, char *buf);
/* The driver of `name` (ETHTOOL_GDRVINFO: "bridge", "tun", "veth"); -errno. */
int nlc_ifdriver(struct nl *nl, const char *name, char *buf, size_t len);
/* MAC and MTU of `name` by ioctl; -errno. */
int nlc_ifpeek(struct nl *nl, const char *name, uint8_t mac[6], unsigned *mtu);

/* Several requests in one sendmsg (the kernel takes them in order, each on its own):
 * `n` messages built back to back from nl->sbuf, `len` bytes in all.  errs[i] gets
 * each one's result (0 or -errno) and extack[i] its kernel text.  Returns -errno only
 * when the exchange itself failed. */
#define NLC_BATCH_MAX 8
int nlc_batch(struct nl *nl, size_t len, unsigned n, int *errs, char (*extack)[256]);

/* Parse an NLMSG_ERROR's extack TLVs into `out`; exposed for the unit tests. */
void nlc_parse_extack(const struct nlmsghdr *nlh, char *out, size_t len);

#endif
