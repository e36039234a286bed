/* SPDX-License-Identifier: MIT */
/* Start-up: the kernel is the source of truth.  One link dump rebuilds the registry
 * from netd's tags and groups, and removes what a killed netd left half-made. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/stats.h"
#include "daemon/vfstate.h"

struct recover_ctx {
	struct daemon *d;
	unsigned adopted, pending, bad;
	char **dead;       /* guests whose bound process exited while netd was down */
	size_t n_dead;
};

static int adopt_link(struct recover_ctx *r, const struct link_info *li, const struct tag *t)
{
	struct daemon *d = r->d;
	const struct backend_kind *kind = backend_kind_find(t->kind);
	struct backend *b;
	struct guest *g;

	if (!kind) {
		log_warn("device %s carries a netd tag of unknown kind '%s'; leaving it alone", li->name, t->kind);
		r->bad++;
		return 0;
	}
	g = guest_get(d, t->guest, t->uid, li->group);
	b = backend_new();
	if (!g || !b) {
		backend_free(b);
		return -ENOMEM;
	}
	if (g->group != li->group)
		log_warn("guest %s: backend %s is in group %u, not the guest's %u; guest del will miss it",
			 t->guest, li->name, li->group, g->group);
	b->kind = kind;
	snprintf(b->name, sizeof(b->name), "%s", li->name);
	b->ifindex = li->ifindex;
	b->uid = t->uid;
	b->queues = t->queues;
	b->vhost = t->vhost;
	b->vnet_hdr = t->vnet_hdr;
	b->stats = t->stats;
	memcpy(b->mac, t->mac, sizeof(b->mac));
	b->has_mac = t->has_mac;
	b->vf = t->vf;
	snprintf(b->pf, sizeof(b->pf), "%s", t->pf);
	b->name_given = true;
	if (kind->adopt && kind->adopt(d, b, li, t) < 0) {
		log_warn("guest %s: cannot adopt backend %s; leaving it alone", t->guest, li->name);
		backend_free(b);
		guest_put_if_empty(d, g);
		r->bad++;
		return 0;
	}
	registry_add(d, b, g);
	name_alloc_seen(&d->names, kind->name_prefix, b->name);
	if (t->pid > 0 && !g->bound_pid) {
		struct op_error be = { 0 };
		if (guest_bind(d, g, t->pid, t->pid_start, &be) < 0) {
			/* Its process exited while netd was down: the guest goes after the dump. */
			char **grown = realloc(r->dead, (r->n_dead + 1) * sizeof(*grown));
			if (grown && (grown[r->n_dead] = strdup(g->name))) {
				r->dead = grown;
				r->n_dead++;
			} else if (grown) {
				r->dead = grown;
			}
		}
	}
	if (b->stats)
		stats_adopt(d, b);
	r->adopted++;
	return 0;
}

static int recover_link(const struct link_info *li, void *data)
{
	struct recover_ctx *r = data;
	struct tag t;

	if (li->group == GROUP_PENDING) {
		r->pending++;
		return 0; /* deleted in one batch below */
	}
	if (tag_parse(li->alias, &t) == 0)
		return adopt_link(r, li, &t);
	foreign_link_set(r->d, li->ifindex, li->group);
	return 0;
}

int recover_from_kernel(struct daemon *d, struct op_error *e)
{
	struct recover_ctx r = { .d = d };
	int rc = link_dump(&d->nl, recover_link, &r, e);

	if (rc < 0)
		return rc;
	if (r.pending) {
		struct op_error de = { 0 };
		if (link_del_group(&d->nl, GROUP_PENDING, &de) < 0 && de.code != ENODEV)
			log_err("cannot remove half-made devices: %s", de.msg);
		else
			log_info("removed %u half-made device%s left by an earlier netd", r.pending,
				 r.pending == 1 ? "" : "s");
	}
	if (r.adopted)
		log_info("adopted %u backend%s from the kernel", r.adopted, r.adopted == 1 ? "" : "s");
	/* What the kernel cannot hold: VF records (hostdev backends, saved VF settings).
	 * After the dump, so macvtap-mode VF backends are already adopted. */
	vf_recover(d);
	for (size_t i = 0; i < r.n_dead; i++) {
		struct guest *g = guest_find(d, r.dead[i]);
		struct op_error ge = { 0 };
		if (g && !g->bound_pid) {
			log_info("guest %s: its bound process exited while netd was down; tearing it down", g->name);
			if (guest_delete(d, g, &ge) < 0)
				log_err("guest %s: %s", r.dead[i], ge.msg);
		}
		free(r.dead[i]);
	}
	free(r.dead);
	return 0;
}
