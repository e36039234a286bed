/* SPDX-License-Identifier: MIT */
/*
 * bench_rawtap: the raw floor netd is measured against: only the kernel calls a
 * backend needs, in-process, no daemon, no checks, no bookkeeping.
 *
 *   bench_rawtap tap BRIDGE PREFIX GROUP       open /dev/net/tun, TUNSETIFF PREFIX<i>,
 *                                              TUNSETPERSIST, one RTM_SETLINK master+up
 *   bench_rawtap macvtap LOWER PREFIX GROUP    one RTM_NEWLINK macvtap (mode bridge, up),
 *                                              open its char device
 *
 * A bench_pair worker (bench_common.h): one device per input line, its time in ns
 * per output line, the fd kept open like a launcher would.  At end of input it
 * deletes its devices (moved into GROUP after each timing) in one batch.
 */
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include "bench_common.h"

struct raw {
	struct rtnl rtnl;
	const char *prefix;
	int lower;          /* bridge or lower device ifindex */
	uint32_t group;
	unsigned next;
	struct fdlist fds;
};

static int64_t tap_op(void *ctx)
{
	struct raw *r = ctx;
	struct ifreq ifr = { 0 };
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	uint64_t t0 = now_ns(), t1;
	int fd, rc;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s%u", r->prefix, r->next++);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return op_failed(errno, "cannot open /dev/net/tun");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
		rc = errno;
		close(fd);
		return op_failed(rc, "cannot create tap '%s'", ifr.ifr_name);
	}
	fdlist_add(&r->fds, fd);
	nlh = rtnl_msg(&r->rtnl, RTM_SETLINK, 0, &ifi);
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifr.ifr_name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)r->lower);
	if ((rc = rtnl_talk(&r->rtnl, nlh)) < 0)
		return op_failed(-rc, "cannot attach tap '%s' to ifindex %d", ifr.ifr_name, r->lower);
	t1 = now_ns();
	rtnl_set_group(&r->rtnl, ifr.ifr_name, r->group);
	return (int64_t)(t1 - t0);
}

static int64_t macvtap_op(void *ctx)
{
	struct raw *r = ctx;
	struct ifinfomsg *ifi;
	struct nlattr *info, *data;
	struct nlmsghdr *nlh;
	char name[IFNAMSIZ];
	uint64_t t0 = now_ns(), t1;
	int fd, rc;

	snprintf(name, sizeof(name), "%s%u", r->prefix, r->next++);
	nlh = rtnl_msg(&r->rtnl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi);
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)r->lower);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvtap");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	if ((rc = rtnl_talk(&r->rtnl, nlh)) < 0)
		return op_failed(-rc, "cannot create macvtap '%s' on ifindex %d", name, r->lower);
	if ((rc = macvtap_open(name, &fd)) < 0)
		return op_failed(-rc, "cannot open the char device of macvtap '%s'", name);
	t1 = now_ns();
	fdlist_add(&r->fds, fd);
	rtnl_set_group(&r->rtnl, name, r->group);
	return (int64_t)(t1 - t0);
}

int main(int argc, char **argv)
{
	struct raw r = { 0 };
	int64_t (*op)(void *);

	if (argc != 5 || (strcmp(argv[1], "tap") && strcmp(argv[1], "macvtap"))) {
		fprintf(stderr, "Usage: bench_rawtap { tap BRIDGE | macvtap LOWER } PREFIX GROUP\n");
		return 2;
	}
	op = !strcmp(argv[1], "tap") ? tap_op : macvtap_op;
	r.lower = (int)if_nametoindex(argv[2]);
	if (!r.lower)
		die("no device '%s': %m", argv[2]);
	r.prefix = argv[3];
	r.group = (uint32_t)strtoul(argv[4], NULL, 0);
	return device_worker_loop(op, &r, &r.rtnl, r.group, &r.fds);
}
