/* SPDX-License-Identifier: MIT */
/* Links as the kernel reports them, and the RTM_*LINK requests netd makes. */
#ifndef NETD_LINK_H
#define NETD_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>

#include "daemon/error.h"
#include "daemon/nl.h"

#define LINK_ALIAS_MAX 256

struct link_info {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[16];          /* IFLA_INFO_KIND: "tun", "macvtap", "bridge", "" */
	char alias[LINK_ALIAS_MAX];
	uint32_t group;
	int master;             /* IFLA_MASTER, 0 when none */
	int lower;              /* IFLA_LINK, 0 when none */
	uint8_t mac[ETH_ALEN];
	bool has_mac;
	unsigned mtu;
	unsigned flags;         /* ifi_flags */
	/* tun only (IFLA_TUN_*) */
	bool tun_multi_queue, tun_vnet_hdr, tun_persist;
	unsigned tun_queues;     /* attached queues, enabled or not */
	int64_t tun_owner, tun_group; /* -1: none */
	/* macvlan/macvtap only */
	uint32_t macvlan_mode;
};

/* Parse one RTM_NEWLINK message; exposed for the unit tests and the monitor. */
int link_parse(const struct nlmsghdr *nlh, struct link_info *li);

/* Look one link up by ifindex (when > 0) or name.  -ENODEV when absent. */
int link_get(struct nl *nl, int ifindex, const char *name, struct link_info *li,
	     struct op_error *e);

typedef int (*link_dump_cb)(const struct link_info *li, void *data);
int link_dump(struct nl *nl, link_dump_cb cb, void *data, struct op_error *e);

/* What RTM_SETLINK changes; fields left zero/NULL are not sent. */
struct link_change {
	const char *alias;
	bool set_group;
	uint32_t group;
	int master;             /* ifindex, > 0 to attach */
	const uint8_t *mac;
	unsigned mtu;
	bool up;
};

int link_set(struct nl *nl, int ifindex, const char *what, const struct link_change *c,
	     struct op_error *e);
int link_del(struct nl *nl, int ifindex, const char *name, struct op_error *e);
/* Delete every link in `group` in one kernel batch (one rtnl lock, one RCU wait). */
int link_del_group(struct nl *nl, uint32_t group, struct op_error *e);

/* Put the common attributes of a link change into a request (shared with RTM_NEWLINK). */
void link_put_change(struct nlmsghdr *nlh, struct ifinfomsg *ifi, const struct link_change *c);

#endif
