/* SPDX-License-Identifier: MIT */
/* Per-backend eBPF counters: ebpf/counters.bpf.c loaded once through its skeleton,
 * attached with tc (clsact) to every backend netd creates, read in one batch.
 *
 * Which hook sees which guest direction depends on the device:
 *   tap      guest tx = the tap's RX = tc ingress; guest rx = its TX = tc egress.
 *   macvtap  guest tx = what the guest writes into /dev/tapN, transmitted by the
 *            macvtap device = tc egress; guest rx arrives on the lower device,
 *            whose macvlan rx handler re-targets the skb to the macvtap and asks
 *            for another receive round (RX_HANDLER_ANOTHER), which runs the
 *            macvtap's own tc ingress before its tap rx handler queues the frame
 *            for the guest — in every macvlan mode, for unicast, broadcast and
 *            frames from sibling macvlans.  tests/integration/stats-macvtap.sh
 *            proves it mode by mode.
 *
 * Counts live in a slot of a per-CPU array (ifindex modulo its size, tagged with the
 * owner's ifindex) or, when another backend holds that slot, in an overflow hash;
 * ebpf/counters.h says why.  netd mirrors who owns each slot.
 *
 * The programs hold the maps, so counting goes on while netd is down; a restarted
 * netd copies each backend's counts from the old maps before it replaces the
 * filters with its own programs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>

#include "daemon/log.h"
#include "daemon/stats.h"
#include "ebpf/counters.skel.h"

/* netd's filter on each hook: its own handle and priority, so it never replaces or
 * removes somebody else's.  The priority runs it before tc's auto-assigned ones. */
#define TC_HANDLE 0x6e64u
#define TC_PRIO   0x6e64u
/* Both maps are preallocated, one value per possible CPU per entry: on hosts with
 * many CPUs they hold fewer entries than NETD_SLOTS_MAX rather than more memory. */
#define MAP_BUDGET (64u << 20)

/* A previous netd's maps, while adopting its backends' counts. */
struct old_maps {
	int slots_fd, overflow_fd;
	uint32_t slots_id, mask;
};

struct stats {
	struct counters_bpf *skel;  /* NULL: unavailable, `why` says so */
	int slots_fd, overflow_fd;
	uint32_t slots_id;
	int ncpus;
	size_t value_stride;        /* one CPU's value in a per-CPU read */
	uint32_t n_slots;           /* a power of two */
	uint32_t n_overflow_max;
	uint32_t *owner;            /* per slot, the ifindex holding it (0: free) */
	size_t n_overflow;          /* entries netd put in the overflow map */
	struct old_maps old;
	char why[256];
};

/* The kernel's extended ack of the last failed tc request: libbpf only prints it. */
static char kernel_msg[256];

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static const char prefix[] = "libbpf: Kernel error message: ";
	char buf[1024];
	size_t len;

	if (level == LIBBPF_DEBUG && log_max_level < LOG_LVL_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	len = strlen(buf);
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (!strncmp(buf, prefix, sizeof(prefix) - 1)) {
		snprintf(kernel_msg, sizeof(kernel_msg), "%.*s", (int)sizeof(kernel_msg) - 1,
			 buf + sizeof(prefix) - 1);
		log_debug("%s", buf);
		return 0;
	}
	log_msg(level == LIBBPF_WARN ? LOG_LVL_WARN : LOG_LVL_DEBUG, "%s", buf);
	return 0;
}

/* op_fail, ": <strerror>" and the kernel's words from the last libbpf request. */
static int bpf_fail(struct op_error *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bpf_fail(struct op_error *e, int rc, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	rc = op_fail(e, rc, "%s: %s", what, strerror(-rc));
	if (e && kernel_msg[0] && !e->extack[0])
		snprintf(e->extack, sizeof(e->extack), "%s", kernel_msg);
	return rc;
}

static struct stats *ready(struct daemon *d)
{
	return d->stats && d->stats->skel ? d->stats : NULL;
}

/* The programs for the tc ingress and egress hooks of b's device; -EOPNOTSUPP when
 * the guest's traffic crosses no host device netd can count on. */
static int pick_progs(struct daemon *d, struct stats *s, const struct backend *b, int *ingress,
		      int *egress)
{
	int rx = bpf_program__fd(s->skel->progs.netd_guest_rx);
	int tx = bpf_program__fd(s->skel->progs.netd_guest_tx);
	const char *kind = b->kind->name;
	struct link_info li;

	if (b->ifindex <= 0)
		return -EOPNOTSUPP;
	if (!strcmp(kind, "tap")) {
		kind = "tun";
	} else if (strcmp(kind, "macvtap")) {
		/* Other kinds (a VF in macvtap mode): decide by the device itself. */
		if (link_get(&d->nl, b->ifindex, NULL, &li, NULL) < 0)
			return -EOPNOTSUPP;
		kind = li.kind;
	}
	if (!strcmp(kind, "tun")) {
		*ingress = tx;
		*egress = rx;
	} else if (!strcmp(kind, "macvtap")) {
		*ingress = rx;
		*egress = tx;
	} else {
		return -EOPNOTSUPP;
	}
	return 0;
}

/* One value per possible CPU: `v`'s counts (or zeros) tagged `ifindex` (0 frees). */
static void *slot_value(const struct stats *s, uint32_t ifindex, const void *v)
{
	char *buf = calloc((size_t)s->ncpus, s->value_stride);

	if (buf && v)
		memcpy(buf, v, (size_t)s->ncpus * s->value_stride);
	for (int cpu = 0; buf && cpu < s->ncpus; cpu++)
		((struct netd_slot *)(buf + (size_t)cpu * s->value_stride))->ifindex = ifindex;
	return buf;
}

/* Give b its counters, starting from `v` (per-CPU values) or from zero: its slot
 * when free, else an overflow entry. */
static int entry_set(struct stats *s, const struct backend *b, const void *v, struct op_error *e)
{
	uint32_t ifindex = (uint32_t)b->ifindex, slot = ifindex & (s->n_slots - 1);
	bool in_slot = !s->owner[slot] || s->owner[slot] == ifindex;
	void *buf = slot_value(s, ifindex, v);
	int rc;

	if (!buf)
		return op_fail(e, ENOMEM, "out of memory");
	if (in_slot)
		rc = bpf_map_update_elem(s->slots_fd, &slot, buf, BPF_ANY);
	else
		rc = bpf_map_update_elem(s->overflow_fd, &ifindex, buf, BPF_ANY);
	free(buf);
	if (rc == -E2BIG)
		return op_fail(e, rc, "cannot add counters for backend '%s': its slot and all %u overflow "
			       "entries of the counters are in use (create it with stats off)", b->name,
			       s->n_overflow_max);
	if (rc < 0)
		return op_fail(e, rc, "cannot add counters for backend '%s' (ifindex %d): %s", b->name,
			       b->ifindex, strerror(-rc));
	if (in_slot)
		s->owner[slot] = ifindex;
	else
		s->n_overflow++;
	return 0;
}

static void entry_del(struct stats *s, int ifindex)
{
	uint32_t key = (uint32_t)ifindex, slot = key & (s->n_slots - 1);

	if (s->owner[slot] == key) {
		/* Zeroed and untagged: the slot's next owner starts from nothing. */
		void *buf = slot_value(s, 0, NULL);
		if (buf && bpf_map_update_elem(s->slots_fd, &slot, buf, BPF_ANY) == 0)
			s->owner[slot] = 0;
		free(buf);
	} else if (bpf_map_delete_elem(s->overflow_fd, &key) == 0 && s->n_overflow) {
		s->n_overflow--;
	}
}

/* clsact on the device; *created says whether it is ours to remove again. */
static int hook_create(const struct backend *b, bool *created, struct op_error *e)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = b->ifindex, .attach_point = BPF_TC_INGRESS);
	int rc;

	kernel_msg[0] = '\0';
	rc = bpf_tc_hook_create(&h);
	*created = rc == 0;
	if (rc == -EEXIST)
		return 0;
	if (rc < 0)
		return bpf_fail(e, rc, "cannot add a clsact qdisc to '%s'", b->name);
	return 0;
}

static int filter_attach(const struct backend *b, enum bpf_tc_attach_point where, int prog_fd,
			 bool replace, struct op_error *e)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = b->ifindex, .attach_point = where);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = TC_HANDLE, .priority = TC_PRIO,
			    .prog_fd = prog_fd, .flags = replace ? BPF_TC_F_REPLACE : 0);
	int rc;

	kernel_msg[0] = '\0';
	rc = bpf_tc_attach(&h, &o);
	if (rc < 0)
		return bpf_fail(e, rc, "cannot attach the counters to tc %s of '%s'",
				where == BPF_TC_INGRESS ? "ingress" : "egress", b->name);
	return 0;
}

static void filter_detach(int ifindex, const char *name, enum bpf_tc_attach_point where)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = ifindex, .attach_point = where);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = TC_HANDLE, .priority = TC_PRIO);
	int rc = bpf_tc_detach(&h, &o);

	if (rc < 0 && rc != -ENOENT && rc != -ENODEV && rc != -EINVAL)
		log_err("rollback: cannot detach the counters from '%s': %s", name, strerror(-rc));
}

static void undo_entry(struct daemon *d, struct txn_step *s)
{
	if (d->stats)
		entry_del(d->stats, s->ifindex);
}

static void undo_hook(struct daemon *d, struct txn_step *s)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = s->ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int rc = bpf_tc_hook_destroy(&h);

	if (rc < 0 && rc != -ENOENT && rc != -ENODEV && rc != -EINVAL)
		log_err("rollback: cannot remove the clsact qdisc of '%s': %s", s->name, strerror(-rc));
}

static void undo_ingress(struct daemon *d, struct txn_step *s)
{
	filter_detach(s->ifindex, s->name, BPF_TC_INGRESS);
}

static void undo_egress(struct daemon *d, struct txn_step *s)
{
	filter_detach(s->ifindex, s->name, BPF_TC_EGRESS);
}

static void add_step(struct txn *t, const struct backend *b, void (*undo)(struct daemon *, struct txn_step *))
{
	struct txn_step *st = txn_add(t, undo);

	st->ifindex = b->ifindex;
	snprintf(st->name, sizeof(st->name), "%s", b->name);
}

/* One tc request of the batch, appended at `buf`; returns its end. */
static char *tc_msg(struct nl *nl, char *buf, uint16_t type, uint16_t flags, int ifindex,
		    uint32_t parent, uint32_t handle, uint32_t info, const char *kind)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	tc = mnl_nlmsg_put_extra_header(nlh, sizeof(*tc));
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = ifindex;
	tc->tcm_parent = parent;
	tc->tcm_handle = handle;
	tc->tcm_info = info;
	mnl_attr_put_strz(nlh, TCA_KIND, kind);
	return buf + nlh->nlmsg_len;
}

static char *tc_bpf_filter(struct nl *nl, char *buf, int ifindex, uint32_t where, int prog_fd,
			   const char *name)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *opts;

	tc_msg(nl, buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex,
	       TC_H_MAKE(TC_H_CLSACT, where), TC_HANDLE, TC_H_MAKE(TC_PRIO << 16, htons(ETH_P_ALL)), "bpf");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_BPF_FD, (uint32_t)prog_fd);
	mnl_attr_put_strz(nlh, TCA_BPF_NAME, name);
	mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	mnl_attr_nest_end(nlh, opts);
	return buf + nlh->nlmsg_len;
}

/* "netd_guest_rx:[42]", as tc and libbpf name a filter's program; asked of the kernel
 * once per loaded program. */
static void prog_label(int fd, const char *name, char *out, size_t len)
{
	static int cached_fd[2] = { -1, -1 };
	static uint32_t cached_id[2];
	int slot = strcmp(name, "netd_guest_rx") == 0;
	struct bpf_prog_info pi = { 0 };
	uint32_t plen = sizeof(pi);

	if (cached_fd[slot] != fd) {
		cached_id[slot] = bpf_obj_get_info_by_fd(fd, &pi, &plen) == 0 ? pi.id : 0;
		cached_fd[slot] = fd;
	}
	if (cached_id[slot])
		snprintf(out, len, "%s:[%u]", name, cached_id[slot]);
	else
		snprintf(out, len, "%s", name);
}

/*
 * clsact and both filters in one sendmsg on netd's own rtnetlink socket: libbpf's
 * bpf_tc_* open a socket per call, three sockets and three round trips per backend.
 * Each step that took registers its undo; a clsact that was there already is not
 * netd's to remove.
 */
static int tc_attach_batch(struct daemon *d, struct stats *s, struct backend *b, struct txn *t,
			   int ingress, int egress, struct op_error *e)
{
	char in_name[64], out_name[64], extack[3][256];
	char *p = d->nl.sbuf;
	int errs[3] = { 0 }, rc;

	prog_label(ingress, ingress == bpf_program__fd(s->skel->progs.netd_guest_rx) ? "netd_guest_rx" :
		   "netd_guest_tx", in_name, sizeof(in_name));
	prog_label(egress, egress == bpf_program__fd(s->skel->progs.netd_guest_rx) ? "netd_guest_rx" :
		   "netd_guest_tx", out_name, sizeof(out_name));
	p = tc_msg(&d->nl, p, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, b->ifindex, TC_H_CLSACT,
		   TC_H_MAKE(TC_H_CLSACT, 0), 0, "clsact");
	p = tc_bpf_filter(&d->nl, p, b->ifindex, TC_H_MIN_INGRESS, ingress, in_name);
	p = tc_bpf_filter(&d->nl, p, b->ifindex, TC_H_MIN_EGRESS, egress, out_name);
	rc = nlc_batch(&d->nl, (size_t)(p - d->nl.sbuf), 3, errs, extack);
	if (rc < 0)
		return op_fail(e, rc, "cannot attach the counters to '%s': %s", b->name, strerror(-rc));
	if (errs[0] == 0)
		add_step(t, b, undo_hook);
	if (errs[1] == 0)
		add_step(t, b, undo_ingress);
	if (errs[2] == 0)
		add_step(t, b, undo_egress);
	for (int i = 0; i < 3; i++) {
		static const char *const what[] = { "add a clsact qdisc to", "attach the counters to tc ingress of",
						    "attach the counters to tc egress of" };
		if (errs[i] == 0 || (i == 0 && errs[i] == -EEXIST))
			continue;
		op_fail(e, errs[i], "cannot %s '%s': %s", what[i], b->name, strerror(-errs[i]));
		memcpy(e->extack, extack[i], sizeof(extack[i]));
		return errs[i];
	}
	return 0;
}

int stats_attach(struct daemon *d, struct backend *b, struct txn *t, struct op_error *e)
{
	struct stats *s = ready(d);
	int ingress, egress, rc;

	if (!s) {
		log_debug("guest %s: backend %s gets no counters: %s", b->guest->name, b->name,
			  d->stats ? d->stats->why : "not loaded");
		return 0;
	}
	if (pick_progs(d, s, b, &ingress, &egress) < 0) {
		log_info("guest %s: %s backend %s has no host device to count on; no counters",
			 b->guest->name, b->kind->name, b->name);
		return 0;
	}
	/* The entry first: the programs count from their first packet. */
	if ((rc = entry_set(s, b, NULL, e)) < 0)
		return rc;
	add_step(t, b, undo_entry);
	return tc_attach_batch(d, s, b, t, ingress, egress, e);
}

static uint32_t map_id_of(int fd)
{
	struct bpf_map_info mi = { 0 };
	uint32_t len = sizeof(mi);

	return bpf_obj_get_info_by_fd(fd, &mi, &len) == 0 ? mi.id : 0;
}

/* The id of the program in netd's filter on b's tc ingress, 0 when none. */
static uint32_t our_filter_prog(const struct backend *b)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = b->ifindex, .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = TC_HANDLE, .priority = TC_PRIO);

	return bpf_tc_query(&h, &o) == 0 ? o.prog_id : 0;
}

static void old_maps_close(struct old_maps *o)
{
	if (o->slots_fd >= 0)
		close(o->slots_fd);
	if (o->overflow_fd >= 0)
		close(o->overflow_fd);
	*o = (struct old_maps){ .slots_fd = -1, .overflow_fd = -1 };
}

/* fd of map `id` when it is a counters map of this layout named `name`, else -1. */
static int map_of_layout(uint32_t id, uint32_t type, const char *name, uint32_t *max_entries)
{
	struct bpf_map_info mi = { 0 };
	uint32_t len = sizeof(mi);
	int fd = bpf_map_get_fd_by_id(id);

	if (fd < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(fd, &mi, &len) < 0 || mi.type != type || mi.key_size != sizeof(uint32_t) ||
	    mi.value_size != sizeof(struct netd_slot) || strcmp(mi.name, name)) {
		close(fd);
		return -1;
	}
	*max_entries = mi.max_entries;
	return fd;
}

/* The counters maps of a previous netd's program `prog_id` into s->old, when their
 * layout is ours; cached, since all its programs share them.  -EEXIST: they are
 * this netd's own. */
static int old_maps(struct stats *s, uint32_t prog_id)
{
	struct bpf_prog_info pi = { 0 };
	uint32_t ids[4], len = sizeof(pi), n_slots = 0, unused;
	int pfd = bpf_prog_get_fd_by_id(prog_id);

	if (pfd < 0)
		return -1;
	pi.nr_map_ids = 4;
	pi.map_ids = (uint64_t)(uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(pfd, &pi, &len) < 0) {
		close(pfd);
		return -1;
	}
	close(pfd);
	for (uint32_t i = 0; i < pi.nr_map_ids && i < 4; i++) {
		if (ids[i] == s->slots_id)
			return -EEXIST;
		if (ids[i] == s->old.slots_id)
			return 0;
	}
	old_maps_close(&s->old);
	for (uint32_t i = 0; i < pi.nr_map_ids && i < 4; i++) {
		int fd;
		if (s->old.slots_fd < 0 &&
		    (fd = map_of_layout(ids[i], BPF_MAP_TYPE_PERCPU_ARRAY, "slots", &n_slots)) >= 0) {
			s->old.slots_fd = fd;
			s->old.slots_id = ids[i];
		} else if (s->old.overflow_fd < 0 &&
			   (fd = map_of_layout(ids[i], BPF_MAP_TYPE_PERCPU_HASH, "overflow", &unused)) >= 0) {
			s->old.overflow_fd = fd;
		}
	}
	if (s->old.slots_fd < 0 || s->old.overflow_fd < 0 || !n_slots || (n_slots & (n_slots - 1))) {
		old_maps_close(&s->old);
		return -1;
	}
	s->old.mask = n_slots - 1;
	return 0;
}

/* b's per-CPU counts in the previous netd's maps (malloc'd), or NULL. */
static void *old_counts(struct stats *s, uint32_t ifindex)
{
	uint32_t slot = ifindex & s->old.mask;
	char *v = calloc((size_t)s->ncpus, s->value_stride);

	if (!v)
		return NULL;
	if (bpf_map_lookup_elem(s->old.slots_fd, &slot, v) == 0 && ((struct netd_slot *)v)->ifindex == ifindex)
		return v;
	if (bpf_map_lookup_elem(s->old.overflow_fd, &ifindex, v) == 0)
		return v;
	free(v);
	return NULL;
}

static int adopt_one(struct daemon *d, struct stats *s, struct backend *b, struct op_error *e)
{
	uint32_t prog_id;
	int ingress, egress, rc;
	void *v = NULL;
	bool created;

	if (pick_progs(d, s, b, &ingress, &egress) < 0)
		return 0;
	prog_id = our_filter_prog(b);
	rc = prog_id ? old_maps(s, prog_id) : -1;
	if (rc == -EEXIST)
		return 0; /* adopted already */
	if (rc == 0)
		v = old_counts(s, (uint32_t)b->ifindex);
	/* The entry before the programs, so they count from their first packet. */
	rc = entry_set(s, b, v, e);
	free(v);
	if (rc < 0)
		return rc;
	if ((rc = hook_create(b, &created, e)) < 0 ||
	    (rc = filter_attach(b, BPF_TC_INGRESS, ingress, true, e)) < 0 ||
	    (rc = filter_attach(b, BPF_TC_EGRESS, egress, true, e)) < 0) {
		/* Whatever is still attached counts into the old maps; ours would lie. */
		entry_del(s, b->ifindex);
		return rc;
	}
	return 0;
}

int stats_adopt(struct daemon *d, struct backend *b)
{
	struct stats *s = ready(d);
	struct op_error e = { 0 };

	/* Before stats_init, it adopts every backend itself. */
	if (!s)
		return 0;
	if (adopt_one(d, s, b, &e) < 0) {
		log_warn("guest %s: backend %s has no counters: %s%s%s", b->guest->name, b->name, e.msg,
			 e.extack[0] ? ": " : "", e.extack);
		return -e.code;
	}
	return 0;
}

int stats_init(struct daemon *d, struct op_error *e)
{
	struct stats *s = calloc(1, sizeof(*s));
	struct hnode *n, *tmp;
	unsigned adopted = 0;
	size_t i;
	int rc;

	if (!s)
		return op_fail(e, ENOMEM, "out of memory");
	s->slots_fd = s->overflow_fd = -1;
	old_maps_close(&s->old);
	d->stats = s;
	libbpf_set_print(libbpf_log);
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		rc = op_fail(e, s->ncpus ? s->ncpus : EINVAL, "cannot count the possible CPUs");
		goto fail;
	}
	s->value_stride = (sizeof(struct netd_slot) + 7) & ~(size_t)7;
	/* Half the budget each, rounded down to a power of two, 1024 at least; the
	 * overflow map keeps that size when --stats-slots sets the slots'. */
	size_t fit = MAP_BUDGET / 2 / (s->value_stride * (size_t)s->ncpus);
	for (s->n_overflow_max = NETD_SLOTS_MAX; s->n_overflow_max > 1024 && s->n_overflow_max > fit;)
		s->n_overflow_max /= 2;
	s->n_slots = d->stats_slots ? d->stats_slots : s->n_overflow_max;
	s->owner = calloc(s->n_slots, sizeof(*s->owner));
	if (!s->owner) {
		rc = op_fail(e, ENOMEM, "out of memory");
		goto fail;
	}
	s->skel = counters_bpf__open();
	if (s->skel)
		s->skel->rodata->slot_mask = s->n_slots - 1;
	if (!s->skel || bpf_map__set_max_entries(s->skel->maps.slots, s->n_slots) < 0 ||
	    bpf_map__set_max_entries(s->skel->maps.overflow, s->n_overflow_max) < 0 ||
	    counters_bpf__load(s->skel) < 0) {
		rc = op_fail(e, errno ? errno : EINVAL, "cannot load the eBPF counters (ebpf/counters.bpf.c): %s",
			     strerror(errno ? errno : EINVAL));
		counters_bpf__destroy(s->skel);
		s->skel = NULL;
		goto fail;
	}
	s->slots_fd = bpf_map__fd(s->skel->maps.slots);
	s->overflow_fd = bpf_map__fd(s->skel->maps.overflow);
	s->slots_id = map_id_of(s->slots_fd);
	hmap_for_each_safe(&d->backends_by_ifindex, i, n, tmp) {
		struct backend *b = container_of(n, struct backend, by_ifindex);
		if (b->stats && stats_adopt(d, b) == 0)
			adopted++;
	}
	old_maps_close(&s->old);
	log_info("eBPF counters loaded: %u slots and %u overflow entries, %u backends re-attached",
		 s->n_slots, s->n_overflow_max, adopted);
	return 0;
fail:
	snprintf(s->why, sizeof(s->why), "%.*s", (int)sizeof(s->why) - 1, e->msg);
	return rc;
}

void stats_exit(struct daemon *d)
{
	struct stats *s = d->stats;

	if (!s)
		return;
	/* The filters stay and keep counting into the map they hold; the next netd
	 * takes their counts over. */
	counters_bpf__destroy(s->skel);
	old_maps_close(&s->old);
	free(s->owner);
	free(s);
	d->stats = NULL;
}

void stats_forget(struct daemon *d, struct backend *b)
{
	struct stats *s = ready(d);

	/* The link is gone, and its qdisc and filters with it; only the entry is left. */
	if (s)
		entry_del(s, b->ifindex);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct stats_entry *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

void stats_dir_add(struct netd_dir_counters *sum, const struct netd_dir_counters *c)
{
	sum->packets += c->packets;
	sum->bytes += c->bytes;
	for (int i = 0; i < NETD_HIST_BUCKETS; i++)
		sum->hist[i] += c->hist[i];
}

/* Up to `max` entries of map `fd` from its start, batched (-ENOENT from the kernel:
 * the map's end).  Returns how many, or -errno. */
static long batch_read(int fd, uint32_t max, uint32_t *keys, char *vals, size_t value_len)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t token = 0, got = 0;

	while (got < max) {
		uint32_t count = max - got;
		int rc = bpf_map_lookup_batch(fd, got ? &token : NULL, &token, keys + got,
					      vals + got * value_len, &count, &opts);
		if (rc < 0 && rc != -ENOENT)
			return rc;
		got += count;
		if (rc == -ENOENT || count == 0)
			break;
	}
	return got;
}

/* Tagged values of `n` keys, summed over CPUs, appended to out[*n_out]. */
static void sum_values(const struct stats *s, const char *vals, long n, struct stats_entry *out, size_t *n_out)
{
	for (long k = 0; k < n; k++) {
		const char *v = vals + (size_t)k * s->ncpus * s->value_stride;
		struct stats_entry *o = &out[*n_out];
		uint32_t ifindex = ((const struct netd_slot *)v)->ifindex;

		if (!ifindex)
			continue;  /* a free slot */
		o->ifindex = (int)ifindex;
		memset(&o->c, 0, sizeof(o->c));
		for (int cpu = 0; cpu < s->ncpus; cpu++) {
			const struct netd_slot *c = (const void *)(v + (size_t)cpu * s->value_stride);
			for (int dir = 0; dir < NETD_DIRS; dir++)
				stats_dir_add(&o->c.dir[dir], &c->c.dir[dir]);
		}
		(*n_out)++;
	}
}

/* All counters: one batched read of the slots up to the highest one in use, and one
 * of the overflow map when it has entries. */
int stats_read(struct daemon *d, struct stats_entry **ret, size_t *ret_n, uint64_t *time_ns,
	       struct op_error *e)
{
	struct stats *s = ready(d);
	struct stats_entry *out = NULL;
	uint32_t *keys = NULL, hi = 0, cap;
	size_t value_len, n = 0;
	struct timespec ts;
	char *vals = NULL;
	long got;
	int rc = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!s)
		return op_fail(e, EOPNOTSUPP, "eBPF counters are unavailable: %s",
			       d->stats ? d->stats->why : "not loaded");
	value_len = (size_t)s->ncpus * s->value_stride;
	for (uint32_t i = s->n_slots; i-- > 0;)
		if (s->owner[i]) {
			hi = i + 1;
			break;
		}
	/* Room for the overflow map's entries and some it holds that netd did not make. */
	cap = hi + (uint32_t)s->n_overflow + 64;
	keys = malloc(cap * sizeof(*keys));
	vals = malloc(cap * value_len);
	out = malloc(cap * sizeof(*out));
	if (!keys || !vals || !out) {
		rc = op_fail(e, ENOMEM, "out of memory for %u counters", cap);
		goto out;
	}
	if (hi) {
		got = batch_read(s->slots_fd, hi, keys, vals, value_len);
		if (got < 0) {
			rc = op_fail(e, (int)got, "cannot read the counters' slots: %s", strerror((int)-got));
			goto out;
		}
		sum_values(s, vals, got, out, &n);
	}
	if (s->n_overflow) {
		got = batch_read(s->overflow_fd, cap - (uint32_t)n, keys, vals, value_len);
		if (got < 0) {
			rc = op_fail(e, (int)got, "cannot read the counters' overflow map: %s", strerror((int)-got));
			goto out;
		}
		sum_values(s, vals, got, out, &n);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	qsort(out, n, sizeof(*out), cmp_entry);
	*time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (n) {
		*ret = out;
		*ret_n = n;
		out = NULL;
	}
out:
	free(out);
	free(keys);
	free(vals);
	return rc;
}

const struct stats_entry *stats_find(const struct stats_entry *v, size_t n, int ifindex)
{
	struct stats_entry key = { .ifindex = ifindex };

	return v ? bsearch(&key, v, n, sizeof(*v), cmp_entry) : NULL;
}

json_object *stats_dir_to_json(const struct netd_dir_counters *c)
{
	json_object *o = json_object_new_object(), *h = json_object_new_array();

	json_object_object_add(o, "packets", json_object_new_uint64(c->packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(c->bytes));
	for (int i = 0; i < NETD_HIST_BUCKETS; i++)
		json_object_array_add(h, json_object_new_uint64(c->hist[i]));
	json_object_object_add(o, "hist", h);
	return o;
}
