/* SPDX-License-Identifier: MIT */
/* SR-IOV: a PF's VF count through sysfs (the only interface the kernel has for it),
 * and its VFs' settings over rtnetlink: read with one RTM_GETLINK of that PF with
 * RTEXT_FILTER_VF, changed with one RTM_SETLINK carrying IFLA_VFINFO_LIST. */
#ifndef NETD_SRIOV_H
#define NETD_SRIOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <json.h>

#include "daemon/error.h"
#include "daemon/nl.h"

/* /sys/class/net; the unit tests point it at a fake tree. */
extern const char *sriov_sysfs_root;

struct vf_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t broadcast, multicast, rx_dropped, tx_dropped;
};

/* One VF as the PF's driver reports it. */
struct vf_config {
	unsigned vf;
	uint8_t mac[ETH_ALEN];
	unsigned vlan, qos;
	uint16_t vlan_proto;        /* host order; 0 when the driver reports none */
	unsigned min_tx_rate, max_tx_rate; /* Mbps, 0: no limit */
	int spoofchk, trust, query_rss;    /* 0/1, -1: the driver does not say */
	unsigned link_state;        /* IFLA_VF_LINK_STATE_* */
	bool has_stats;
	struct vf_stats stats;
};

struct pf_info {
	int ifindex;
	char name[IFNAMSIZ];
	unsigned num_vf;            /* IFLA_NUM_VF */
	struct vf_config *vfs;      /* n_vfs entries, in the kernel's order (by VF number) */
	unsigned n_vfs;             /* < num_vf when the list outgrew its 64 KiB attribute */
	bool stats_dropped;         /* stats were asked for but left out to fit (sriov_get) */
};

void pf_info_free(struct pf_info *pf);
/* The entry for VF `vf`, or NULL. */
const struct vf_config *pf_vf(const struct pf_info *pf, unsigned vf);
/* The same, or an error that says why not: no such VF, or one the kernel could not
 * fit in its reply. */
int pf_vf_need(const struct pf_info *pf, unsigned vf, const char *dev, const struct vf_config **ret,
	       struct op_error *e);
/* How many VFs the PF has (IFLA_NUM_VF, or what was listed when that is absent). */
unsigned pf_num_vfs(const struct pf_info *pf);

/* What one RTM_SETLINK changes on one VF: only the set_* parts are sent. */
struct vf_change {
	unsigned vf;
	bool set_mac, set_vlan, set_min_rate, set_max_rate, set_spoofchk, set_trust,
	     set_link_state, set_query_rss;
	uint8_t mac[ETH_ALEN];
	unsigned vlan, qos;
	uint16_t vlan_proto;        /* host order; 0 means 802.1Q */
	unsigned min_tx_rate, max_tx_rate;
	bool spoofchk, trust, query_rss;
	unsigned link_state;
};

bool vf_change_empty(const struct vf_change *c);

/* --- encoding and decoding (pure: the unit tests feed them bytes) --- */

/* Parse an RTM_NEWLINK carrying IFLA_VFINFO_LIST into pf (freed by pf_info_free). */
int sriov_parse_link(const struct nlmsghdr *nlh, struct pf_info *pf);
/* Append IFLA_VFINFO_LIST { IFLA_VF_INFO { ... } } for c to a request in a buffer of
 * `buflen` bytes.  -EMSGSIZE when it does not fit. */
int sriov_put_vf_change(struct nlmsghdr *nlh, size_t buflen, const struct vf_change *c);
/* What turns `cur` back into `want` (only what differs); false when nothing does.
 * A VLAN protocol without a VLAN is no difference. */
bool vf_change_diff(const struct vf_config *cur, const struct vf_config *want, struct vf_change *c);

/* --- kernel --- */

/* One PF by ifindex (> 0) or name, with its VFs; stats only when asked, and only
 * when they fit: IFLA_VFINFO_LIST is one netlink attribute (at most 64 KiB), which
 * the stats of some 220 VFs overflow, so then it asks again without them. */
int sriov_get(struct nl *nl, int ifindex, const char *name, bool stats, struct pf_info *pf,
	      struct op_error *e);
/* One RTM_SETLINK on the PF. */
int sriov_set(struct nl *nl, int pf_ifindex, const char *pf_name, const struct vf_change *c,
	      struct op_error *e);
/* Make `want` true of VF want->vf again (re-reading the PF first); 0 when it already is. */
int sriov_restore(struct nl *nl, const char *pf_name, const struct vf_config *want,
		  struct op_error *e);

/* --- sysfs --- */

/* device/sriov_numvfs or sriov_totalvfs of `dev`; -ENOENT when `dev` is no PF. */
int sriov_read_count(const char *dev, const char *file, unsigned *ret);
bool sriov_capable(const char *dev);
/* Set sriov_numvfs, bounded by sriov_totalvfs, through 0 from a non-zero count,
 * putting the old count back if the new one is refused.  The driver's errno and
 * words in e.  *ret_reset says whether the VFs that were there are gone (also when
 * the call failed half-way). */
int sriov_set_numvfs(const char *dev, unsigned n, bool *ret_reset, struct op_error *e);
/* basename of device/driver, device and device/virtfnN; -ENOENT when absent. */
int sriov_driver(const char *dev, char *buf, size_t len);
int sriov_device(const char *dev, char *buf, size_t len);
int sriov_vf_pci(const char *dev, unsigned vf, char *buf, size_t len);
/* The VF's own netdev on the host (device/virtfnN/net/X); -ENODEV when none. */
int sriov_vf_netdev(const char *dev, unsigned vf, char *buf, size_t len);

/* --- words and JSON --- */

const char *vf_link_state_name(unsigned s);
int vf_link_state_parse(const char *s, unsigned *ret);
const char *vf_proto_name(uint16_t proto);
int vf_proto_parse(const char *s, uint16_t *ret);
void format_mac(const uint8_t *mac, char buf[18]);
/* Field names follow ip -j -d link's vfinfo_list where it has one. */
json_object *vf_config_to_json(const struct vf_config *c, bool stats);
/* Read mac, vlan, qos, vlan_proto, spoofchk, trust, link_state, min_tx_rate,
 * max_tx_rate, query_rss from request args into c (which keeps c->vf). */
int vf_change_from_args(json_object *args, struct vf_change *c, struct op_error *e);
/* Check c against the VF as it is now, and complete what one RTM_SETLINK needs (the
 * other half of a rate pair).  Nothing is sent when this fails. */
int vf_change_check(struct vf_change *c, const struct vf_config *cur, const char *pf,
		    struct op_error *e);

#endif
