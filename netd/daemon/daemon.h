/* SPDX-License-Identifier: MIT */
/* The daemon's model: guests own backends; every backend is a kernel link netd
 * created, tagged in IFLA_IFALIAS and grouped in its guest's IFLA_GROUP. */
#ifndef NETD_DAEMON_H
#define NETD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <json.h>

#include "netd/netd.h"
#include "daemon/error.h"
#include "daemon/hash.h"
#include "daemon/link.h"
#include "daemon/loop.h"
#include "daemon/names.h"
#include "daemon/nl.h"
#include "daemon/tag.h"
#include "daemon/txn.h"

#define NETD_VERSION "0.1.0"
#define MAX_QUEUES 64              /* 2 fds per queue pair must fit one SCM_RIGHTS */
/* netd's IFLA_GROUP range: one group per guest, above what people pick by hand. */
#define GROUP_BASE 0x6e640000u
#define GROUP_COUNT 0x0000ff00u
/* Links being built carry this group until committed: a restart deletes them. */
#define GROUP_PENDING 0x6e64ffffu

struct daemon;
struct reply;
struct backend;

/* One backend kind: adding a kind touches one file that exports one of these. */
struct backend_kind {
	const char *name;
	const char *name_prefix;   /* for names netd picks: "ndt" -> ndt0, ndt1 ... */
	/* Read the kind's own arguments into b (no side effects). */
	int (*parse)(struct daemon *d, struct backend *b, json_object *args, struct op_error *e);
	/* Make the kernel object, tagged and configured, and open its b->queues queue fds
	 * into fds[]; every step registers its undo in t. */
	int (*create)(struct daemon *d, struct backend *b, struct txn *t, int *fds, struct op_error *e);
	/* The last step, after which the backend survives a netd crash; fds as create
	 * opened them. */
	int (*commit)(struct daemon *d, struct backend *b, const int *fds, struct op_error *e);
	/* Open b->queues fresh queue fds on the existing object. */
	int (*open_queues)(struct daemon *d, struct backend *b, int *fds, struct op_error *e);
	/* How many queues somebody still has attached (0 when free, -errno unknown). */
	int (*attached_queues)(struct daemon *d, struct backend *b);
	/* Kind-specific fields for show; li is NULL when the link is gone. */
	void (*show)(struct daemon *d, const struct backend *b, const struct link_info *li,
		     json_object *o);
	/* Rebuild kind-specific state from the kernel after a restart. */
	int (*adopt)(struct daemon *d, struct backend *b, const struct link_info *li, const struct tag *t);
	/* Undo what netd changed outside the link itself, before the link goes (a VF's
	 * settings); may be NULL. */
	int (*release)(struct daemon *d, struct backend *b, struct op_error *e);
	/* The fd role of the queue fds in replies. */
	const char *fd_role;
	/* The arguments parse() reads, NULL-terminated: anything else is refused. */
	const char *const *arg_names;
};

struct guest {
	struct hnode by_name;
	struct hnode by_group;
	char name[GUEST_NAME_MAX + 1];
	uint32_t group;
	uid_t uid;                  /* who created it: the owner for policy */
	struct backend *backends;   /* list through backend->next_in_guest */
	unsigned n_backends;
	/* bind-pid: the guest goes when this process exits (pidfd in the loop) */
	struct source pid_src;
	pid_t bound_pid;
	uint64_t bound_start;       /* the process's start time: pids are reused */
};

struct backend {
	struct hnode by_name;
	struct hnode by_ifindex;
	struct backend *next_in_guest, **pprev_in_guest;
	struct guest *guest;
	const struct backend_kind *kind;
	char name[IFNAMSIZ];
	int ifindex;
	uid_t uid;
	unsigned queues;
	enum vhost_mode vhost;
	bool vnet_hdr;
	bool stats;
	bool name_given;
	/* requested settings (create only; show reads the kernel) */
	uint8_t mac[ETH_ALEN];
	bool has_mac;
	unsigned mtu;
	int64_t owner, group_gid;   /* tap TUNSETOWNER/TUNSETGROUP, -1 none */
	char lower[IFNAMSIZ];       /* tap: bridge; macvtap: lower device */
	int lower_ifindex;
	uint32_t macvlan_mode;
	bool nopromisc;
	pid_t bind_pid;             /* create only: bind the guest to this process */
	uint64_t bind_start;
	int vf;                     /* vf backends: VF index, else -1 */
	char pf[IFNAMSIZ];
	void *priv;                 /* kind-private state, freed with the backend */
};

struct client_cred {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t groups[64];      /* supplementary groups (SO_PEERGROUPS) */
	unsigned n_groups;
};

struct daemon {
	struct loop *loop;
	struct nl nl;
	const char *socket_path;
	const char *state_dir;
	const char *config_path;
	struct hmap backends_by_name;
	struct hmap backends_by_ifindex;
	struct hmap guests_by_name;
	struct hmap guests_by_group;
	struct hmap foreign_groups;    /* links netd did not create in netd's group range */
	unsigned n_backends;
	uint32_t next_group;
	struct name_alloc names;      /* one counter across kinds: ndt0, ndm1, ... */
	bool stats_default;
	uint32_t stats_slots;       /* --stats-slots; 0: sized by memory */
	struct monitor *monitor;
	struct server *server;
	struct policy *policy;
	struct stats *stats;
};

extern const struct backend_kind kind_tap, kind_macvtap, kind_vf;

const struct backend_kind *backend_kind_find(const char *name);

/* registry.c */
void registry_init(struct daemon *d);
/* At exit: forget everything (the kernel keeps the backends). */
void registry_free(struct daemon *d);
struct backend *backend_find(struct daemon *d, const char *name);
struct backend *backend_find_ifindex(struct daemon *d, int ifindex);
struct guest *guest_find(struct daemon *d, const char *name);
struct guest *guest_find_group(struct daemon *d, uint32_t group);
/* Find the guest or make one with a fresh group (not yet in the registry until a
 * backend is added to it). */
struct guest *guest_get(struct daemon *d, const char *name, uid_t uid, int64_t group);
void registry_add(struct daemon *d, struct backend *b, struct guest *g);
void registry_remove(struct daemon *d, struct backend *b);
void registry_rename(struct daemon *d, struct backend *b, const char *name);
void guest_put_if_empty(struct daemon *d, struct guest *g);
bool group_is_foreign(struct daemon *d, uint32_t group);
/* Track a link netd did not create; a group outside netd's range forgets it. */
void foreign_link_set(struct daemon *d, int ifindex, uint32_t group);
struct backend *backend_new(void);
void backend_free(struct backend *b);
bool name_taken(const char *name, void *data);

/* backend.c: the verbs' common flow */
int backend_create(struct daemon *d, struct backend *b, const char *guest, struct reply *rp,
		   struct op_error *e);
int backend_reopen(struct daemon *d, struct backend *b, bool force, struct reply *rp,
		   struct op_error *e);
int backend_delete(struct daemon *d, struct backend *b, struct op_error *e);
/* Drop a backend whose link is gone (or going) from netd's books: its counters, its
 * registry entry (and its guest with the last one), its memory. */
void backend_forget(struct daemon *d, struct backend *b);
int guest_delete(struct daemon *d, struct guest *g, struct op_error *e);
/* li: the link as just dumped, or NULL to look it up. */
json_object *backend_to_json(struct daemon *d, const struct backend *b, const struct link_info *li,
			     bool details);
void backend_fill_tag(const struct backend *b, struct tag *t);

/* vhost.c */
/* Open n /dev/vhost-net fds.  -ENOENT when the device does not exist. */
int vhost_open(unsigned n, int *fds, struct op_error *e);

/* bind.c: tear a guest down when a process exits */
/* The process's start time (clock ticks after boot), to tell a reused pid apart. */
int proc_start_time(pid_t pid, uint64_t *ret);
/* Check that pid exists now (and started at `start` when non-zero). */
int bind_check(pid_t pid, uint64_t start, struct op_error *e);
int guest_bind(struct daemon *d, struct guest *g, pid_t pid, uint64_t start, struct op_error *e);
void guest_unbind(struct daemon *d, struct guest *g);

/* recover.c */
int recover_from_kernel(struct daemon *d, struct op_error *e);

#endif
