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
 * The programs hold the map, so counting goes on while netd is down; a restarted
 * netd copies each backend's counts from the old map before it replaces the
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
/* The map is preallocated, one value per possible CPU per entry: on hosts with many
 * CPUs it holds fewer entries than NETD_COUNTERS_MAX rather than more memory. */
#define MAP_BUDGET (64u << 20)

struct stats {
	struct counters_bpf *skel;  /* NULL: unavailable, `why` says so */
	int map_fd;
	uint32_t map_id;
	int ncpus;
	size_t value_stride;        /* one CPU's value in a per-CPU read */
	size_t n_entries;           /* entries netd made: sizes the batch read */
	size_t max_entries;
	int old_map_fd;             /* a previous netd's map, while adopting */
	uint32_t old_map_id;
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

/* Set b's entry to `v` (per-CPU values) or to zero. */
static int entry_set(struct stats *s, const struct backend *b, const void *v, struct op_error *e)
{
	uint32_t key = (uint32_t)b->ifindex;
	void *zero = NULL;
	int rc;

	if (!v) {
		zero = calloc((size_t)s->ncpus, s->value_stride);
		if (!zero)
			return op_fail(e, ENOMEM, "out of memory");
		v = zero;
	}
	rc = bpf_map_update_elem(s->map_fd, &key, v, BPF_ANY);
	free(zero);
	if (rc == -E2BIG)
		return op_fail(e, rc, "cannot add counters for backend '%s': all %zu entries of the counters "
			       "map are in use (create it with stats off)", b->name, s->max_entries);
	if (rc < 0)
		return op_fail(e, rc, "cannot add counters for backend '%s' (ifindex %d): %s", b->name,
			       b->ifindex, strerror(-rc));
	return 0;
}

static void entry_del(struct stats *s, int ifindex)
{
	uint32_t key = (uint32_t)ifindex;

	if (bpf_map_delete_elem(s->map_fd, &key) == 0 && s->n_entries)
		s->n_entries--;
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
	s->n_entries++;
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

/* The counters map of a previous netd's program `prog_id`, when its layout is ours;
 * cached, since all its programs share one map.  -EEXIST: it is this netd's own. */
static int old_map(struct stats *s, uint32_t prog_id)
{
	struct bpf_prog_info pi = { 0 };
	struct bpf_map_info mi = { 0 };
	uint32_t ids[4], len = sizeof(pi);
	int pfd = bpf_prog_get_fd_by_id(prog_id), fd = -1;

	if (pfd < 0)
		return -1;
	pi.nr_map_ids = 4;
	pi.map_ids = (uint64_t)(uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(pfd, &pi, &len) < 0 || pi.nr_map_ids < 1) {
		close(pfd);
		return -1;
	}
	close(pfd);
	if (ids[0] == s->map_id)
		return -EEXIST;
	if (s->old_map_fd >= 0 && s->old_map_id == ids[0])
		return s->old_map_fd;
	fd = bpf_map_get_fd_by_id(ids[0]);
	len = sizeof(mi);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &len) < 0 || mi.type != BPF_MAP_TYPE_PERCPU_HASH ||
	    mi.key_size != sizeof(uint32_t) || mi.value_size != sizeof(struct netd_counters) ||
	    strcmp(mi.name, "counters")) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (s->old_map_fd >= 0)
		close(s->old_map_fd);
	s->old_map_fd = fd;
	s->old_map_id = ids[0];
	return fd;
}

static int adopt_one(struct daemon *d, struct stats *s, struct backend *b, struct op_error *e)
{
	uint32_t key = (uint32_t)b->ifindex, prog_id;
	int ingress, egress, rc, fd;
	void *v = NULL;
	bool created;

	if (pick_progs(d, s, b, &ingress, &egress) < 0)
		return 0;
	prog_id = our_filter_prog(b);
	fd = prog_id ? old_map(s, prog_id) : -1;
	if (fd == -EEXIST)
		return 0; /* adopted already */
	if (fd >= 0) {
		v = calloc((size_t)s->ncpus, s->value_stride);
		if (v && bpf_map_lookup_elem(fd, &key, v) < 0) {
			free(v);
			v = NULL;
		}
	}
	/* The entry before the programs, so they count from their first packet. */
	rc = entry_set(s, b, v, e);
	free(v);
	if (rc < 0)
		return rc;
	s->n_entries++;
	if ((rc = hook_create(b, &created, e)) < 0 ||
	    (rc = filter_attach(b, BPF_TC_INGRESS, ingress, true, e)) < 0 ||
	    (rc = filter_attach(b, BPF_TC_EGRESS, egress, true, e)) < 0) {
		/* Whatever is still attached counts into the old map; ours would lie. */
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
	s->old_map_fd = -1;
	d->stats = s;
	libbpf_set_print(libbpf_log);
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		rc = op_fail(e, s->ncpus ? s->ncpus : EINVAL, "cannot count the possible CPUs");
		goto fail;
	}
	s->value_stride = (sizeof(struct netd_counters) + 7) & ~(size_t)7;
	s->max_entries = MAP_BUDGET / (s->value_stride * (size_t)s->ncpus);
	if (s->max_entries > NETD_COUNTERS_MAX)
		s->max_entries = NETD_COUNTERS_MAX;
	if (s->max_entries < 1024)
		s->max_entries = 1024;
	s->skel = counters_bpf__open();
	if (!s->skel || bpf_map__set_max_entries(s->skel->maps.counters, (uint32_t)s->max_entries) < 0 ||
	    counters_bpf__load(s->skel) < 0) {
		rc = op_fail(e, errno ? errno : EINVAL, "cannot load the eBPF counters (ebpf/counters.bpf.c): %s",
			     strerror(errno ? errno : EINVAL));
		counters_bpf__destroy(s->skel);
		s->skel = NULL;
		goto fail;
	}
	s->map_fd = bpf_map__fd(s->skel->maps.counters);
	s->map_id = map_id_of(s->map_fd);
	hmap_for_each_safe(&d->backends_by_ifindex, i, n, tmp) {
		struct backend *b = container_of(n, struct backend, by_ifindex);
		if (b->stats && stats_adopt(d, b) == 0)
			adopted++;
	}
	if (s->old_map_fd >= 0)
		close(s->old_map_fd);
	s->old_map_fd = -1;
	log_info("eBPF counters loaded: room for %zu backends, %u re-attached", s->max_entries, adopted);
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
	if (s->old_map_fd >= 0)
		close(s->old_map_fd);
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

int stats_read(struct daemon *d, struct stats_entry **ret, size_t *ret_n, uint64_t *time_ns,
	       struct op_error *e)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct stats *s = ready(d);
	struct stats_entry *out = NULL;
	uint32_t *keys = NULL, token = 0;
	size_t cap, n = 0;
	struct timespec ts;
	char *vals = NULL;
	bool first = true;
	int rc = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!s)
		return op_fail(e, EOPNOTSUPP, "eBPF counters are unavailable: %s",
			       d->stats ? d->stats->why : "not loaded");
	/* Room for every entry, so one call returns them all (-ENOENT: the end). */
	cap = s->n_entries + 64;
	for (;;) {
		uint32_t count;
		void *grown;

		if ((grown = realloc(keys, cap * sizeof(*keys))))
			keys = grown;
		if (grown && (grown = realloc(vals, cap * s->ncpus * s->value_stride)))
			vals = grown;
		if (grown && (grown = realloc(out, cap * sizeof(*out))))
			out = grown;
		if (!grown) {
			rc = op_fail(e, ENOMEM, "out of memory for %zu counters", cap);
			break;
		}
		count = (uint32_t)(cap - n);
		rc = bpf_map_lookup_batch(s->map_fd, first ? NULL : &token, &token, keys + n,
					  vals + n * s->ncpus * s->value_stride, &count, &opts);
		if (rc < 0 && rc != -ENOENT) {
			op_fail(e, rc, "cannot read the counters map: %s", strerror(-rc));
			break;
		}
		n += count;
		first = false;
		if (rc == -ENOENT) {
			rc = 0;
			break;
		}
		cap *= 2;  /* more entries than netd made: somebody else's? read on */
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (rc == 0) {
		for (size_t k = 0; k < n; k++) {
			out[k].ifindex = (int)keys[k];
			memset(&out[k].c, 0, sizeof(out[k].c));
			for (int cpu = 0; cpu < s->ncpus; cpu++) {
				const struct netd_counters *v = (const void *)(vals + (k * s->ncpus + cpu) * s->value_stride);
				for (int dir = 0; dir < NETD_DIRS; dir++)
					stats_dir_add(&out[k].c.dir[dir], &v->dir[dir]);
			}
		}
		qsort(out, n, sizeof(*out), cmp_entry);
		*ret = n ? out : NULL;
		*ret_n = n;
		*time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		if (!n)
			free(out);
		out = NULL;
	}
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
