/* SPDX-License-Identifier: MIT */
/* Who may do what: the config file's rules, decided from SO_PEERCRED.
 *
 *   [daemon]
 *   socket-group = kvm           # group of the control socket (mode 0660)
 *   stats = on                   # eBPF counters by default
 *
 *   [user alice]  /  [uid 1000]  /  [group kvm]  /  [gid 107]
 *   kinds = tap macvtap          # backend kinds it may create
 *   bridges = br0 br-lab*        # tap: bridges it may attach to (patterns)
 *   links = eth0                 # macvtap: lower devices
 *   pfs = eth1                   # vf: PFs whose pool it may draw from
 *   vlans = 100-199 300          # vf: VLANs it may ask for
 *   guests = alice-*             # guest names it may use
 *   max-backends = 16            # backends it may hold at once
 *   max-queues = 32              # queues over all its backends
 *   vhost = yes                  # whether it may get vhost-net fds
 *
 * A [user]/[uid] section for the client's uid wins; otherwise the first [group]/[gid]
 * section (in file order) naming one of its groups.  Root may do anything.  With no
 * rule for a client, it may do nothing but `version`. */
#ifndef NETD_POLICY_H
#define NETD_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json.h>

#include "daemon/error.h"

#define POLICY_MAX_GROUPS 64

struct client_cred;

struct policy_list {
	char **items;
	size_t n;
	bool set;      /* absent: nothing allowed */
};

struct vlan_range {
	unsigned lo, hi;
};

struct policy_rule {
	char section[96];      /* "[group kvm]", for error messages */
	unsigned line;
	bool is_group;
	uint32_t id;
	unsigned kinds;        /* bit per kind: POLICY_KIND_* */
	struct policy_list bridges, links, pfs, guests;
	struct vlan_range *vlans;
	size_t n_vlans;
	long max_backends;     /* -1: unlimited */
	long max_queues;
	bool vhost;
};

enum { POLICY_KIND_TAP = 1, POLICY_KIND_MACVTAP = 2, POLICY_KIND_VF = 4 };

struct policy {
	char path[256];
	struct policy_rule *rules;
	size_t n_rules;
	bool stats;            /* [daemon] stats */
	int64_t socket_gid;    /* [daemon] socket-group, -1 none */
};

/* Parse a config file; NULL path: the embedded defaults (root only, stats on).
 * Errors name the file and line. */
int policy_load(const char *path, struct policy **ret, char *err, size_t errlen);
int policy_parse(const char *text, const char *name, struct policy **ret, char *err, size_t errlen);
void policy_free(struct policy *p);

/* The rule that applies to a client, or NULL. */
const struct policy_rule *policy_match(const struct policy *p, const struct client_cred *c);

/* What one uid holds now, for the limits. */
struct policy_usage {
	unsigned backends;
	unsigned queues;
};

/* May this client create this backend?  0, or -EPERM with the rule that said no. */
int policy_check_add(const struct policy *p, const struct client_cred *c, const char *kind,
		     const char *guest, json_object *args, unsigned queues, bool vhost,
		     const struct policy_usage *usage, struct op_error *e);

#endif
