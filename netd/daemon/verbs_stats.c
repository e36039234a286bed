/* SPDX-License-Identifier: MIT */
/* stats.* verbs: the eBPF counters of every backend and their sums per guest.
 *
 * stats.show [guest G | backend NAME] replies
 *   {time_ns, hist_bounds:[64,...], items:[row...]}
 * with rows grouped by guest (by name): first the guest's sum
 *   {scope:"guest", guest, backends, counted, rx:{packets,bytes,hist}, tx:{...}}
 * then each of its backends
 *   {scope:"backend", name, guest, type, ifindex, stats, rx:{...}, tx:{...}}
 * (rx/tx absent when the backend is not counted).  One flat list, so a reply for
 * thousands of guests splits into parts like any listing.  time_ns is
 * CLOCK_MONOTONIC at the read: two replies give rates. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/args.h"
#include "daemon/server.h"
#include "daemon/stats.h"

struct show_ctx {
	const struct stats_entry *v;
	size_t n;
	json_object *items;
};

static int cmp_backend(const void *a, const void *b)
{
	return strcmp((*(const struct backend *const *)a)->name, (*(const struct backend *const *)b)->name);
}

static int cmp_guest(const void *a, const void *b)
{
	return strcmp((*(const struct guest *const *)a)->name, (*(const struct guest *const *)b)->name);
}

static void add_dirs(json_object *o, const struct netd_counters *c)
{
	json_object_object_add(o, "rx", stats_dir_to_json(&c->dir[NETD_DIR_RX]));
	json_object_object_add(o, "tx", stats_dir_to_json(&c->dir[NETD_DIR_TX]));
}

/* b's row; adds its counts to sum when it has some. */
static json_object *backend_row(struct show_ctx *c, const struct backend *b, struct netd_counters *sum,
				unsigned *counted)
{
	const struct stats_entry *s = b->stats ? stats_find(c->v, c->n, b->ifindex) : NULL;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "scope", json_object_new_string("backend"));
	json_object_object_add(o, "name", json_object_new_string(b->name));
	json_object_object_add(o, "guest", json_object_new_string(b->guest->name));
	json_object_object_add(o, "type", json_object_new_string(b->kind->name));
	json_object_object_add(o, "ifindex", json_object_new_int(b->ifindex));
	json_object_object_add(o, "stats", json_object_new_boolean(b->stats));
	if (s) {
		add_dirs(o, &s->c);
		for (int d = 0; d < NETD_DIRS; d++)
			stats_dir_add(&sum->dir[d], &s->c.dir[d]);
		(*counted)++;
	}
	return o;
}

/* The guest's sum row, then its backends' rows, by name. */
static int add_guest(struct show_ctx *c, const struct guest *g)
{
	struct backend **bs = calloc(g->n_backends ? g->n_backends : 1, sizeof(*bs));
	json_object *row = json_object_new_object();
	struct netd_counters sum = { 0 };
	unsigned n = 0, counted = 0;

	if (!bs) {
		json_object_put(row);
		return -ENOMEM;
	}
	for (struct backend *b = g->backends; b && n < g->n_backends; b = b->next_in_guest)
		bs[n++] = b;
	qsort(bs, n, sizeof(*bs), cmp_backend);
	json_object_array_add(c->items, row);
	for (unsigned i = 0; i < n; i++)
		json_object_array_add(c->items, backend_row(c, bs[i], &sum, &counted));
	json_object_object_add(row, "scope", json_object_new_string("guest"));
	json_object_object_add(row, "guest", json_object_new_string(g->name));
	json_object_object_add(row, "backends", json_object_new_int((int)n));
	json_object_object_add(row, "counted", json_object_new_int((int)counted));
	add_dirs(row, &sum);
	free(bs);
	return 0;
}

static int verb_stats_show(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "guest", "backend", NULL };
	static const unsigned bounds[] = NETD_HIST_BOUNDS;
	struct daemon *d = rq->d;
	const char *guest = NULL, *name = NULL;
	struct stats_entry *v = NULL;
	struct show_ctx c = { 0 };
	struct guest *g = NULL;
	struct backend *b = NULL;
	json_object *hb;
	uint64_t t;
	int rc;

	if ((rc = arg_only(args, known, &rp->err)) < 0 ||
	    (rc = arg_string(args, "guest", &guest, &rp->err)) < 0 ||
	    (rc = arg_string(args, "backend", &name, &rp->err)) < 0)
		return rc;
	if (guest && name)
		return op_fail(&rp->err, EINVAL, "give a guest or a backend, not both");
	if (guest && !(g = guest_find(d, guest)))
		return op_fail(&rp->err, ENOENT, "no guest named '%s'", guest);
	if (name && !(b = backend_find(d, name)))
		return op_fail(&rp->err, ENOENT, "no backend named '%s'", name);
	if ((rc = stats_read(d, &v, &c.n, &t, &rp->err)) < 0)
		return rc;
	c.v = v;
	c.items = json_object_new_array();
	rp->result = json_object_new_object();
	json_object_object_add(rp->result, "time_ns", json_object_new_uint64(t));
	hb = json_object_new_array();
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
		json_object_array_add(hb, json_object_new_int((int)bounds[i]));
	json_object_object_add(rp->result, "hist_bounds", hb);
	json_object_object_add(rp->result, "items", c.items);

	if (b) {
		struct netd_counters sum = { 0 };
		unsigned counted = 0;
		json_object_array_add(c.items, backend_row(&c, b, &sum, &counted));
	} else if (g) {
		rc = add_guest(&c, g);
	} else {
		const struct guest **gs = calloc(d->guests_by_name.count + 1, sizeof(*gs));
		struct hnode *n, *tmp;
		size_t i, ng = 0;

		if (!gs) {
			free(v);
			return op_fail(&rp->err, ENOMEM, "out of memory");
		}
		hmap_for_each_safe(&d->guests_by_name, i, n, tmp)
			gs[ng++] = container_of(n, struct guest, by_name);
		qsort(gs, ng, sizeof(*gs), cmp_guest);
		for (i = 0; i < ng && rc == 0; i++)
			rc = add_guest(&c, gs[i]);
		free(gs);
	}
	free(v);
	if (rc < 0)
		return op_fail(&rp->err, rc, "out of memory");
	return 0;
}

const struct verb stats_verbs[] = {
	{ "stats.show", verb_stats_show, false },
	{ NULL, NULL, false }
};
