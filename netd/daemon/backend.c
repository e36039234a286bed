/* SPDX-License-Identifier: MIT */
/* What every backend kind shares: the create transaction, fd hand-over, re-open,
 * delete, guest teardown in one batch, and how a backend is shown. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>

#include "daemon/log.h"
#include "daemon/server.h"
#include "daemon/stats.h"

static const struct backend_kind *const kinds[] = { &kind_tap, &kind_macvtap, &kind_vf };

const struct backend_kind *backend_kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

void backend_fill_tag(const struct backend *b, struct tag *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->kind, sizeof(t->kind), "%s", b->kind->name);
	snprintf(t->guest, sizeof(t->guest), "%s", b->guest ? b->guest->name : "");
	t->uid = b->uid;
	t->queues = b->queues;
	t->vhost = b->vhost;
	t->vnet_hdr = b->vnet_hdr;
	t->stats = b->stats;
	if (b->guest && b->guest->bound_pid) {
		t->pid = b->guest->bound_pid;
		t->pid_start = b->guest->bound_start;
	} else if (b->bind_pid) {
		t->pid = b->bind_pid;
		t->pid_start = b->bind_start;
	}
	memcpy(t->mac, b->mac, sizeof(t->mac));
	t->has_mac = b->has_mac;
	t->vf = b->vf;
	snprintf(t->pf, sizeof(t->pf), "%s", b->pf);
}

static void close_all(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Hand queue fds then vhost fds to the reply, in that order, and say so. */
static int hand_over(struct backend *b, int *q, int *v, bool have_vhost, const char *why,
		     struct reply *rp)
{
	json_object *vh = json_object_new_object();

	for (unsigned i = 0; i < b->queues; i++)
		reply_add_fd(rp, q[i], b->kind->fd_role, i);
	for (unsigned i = 0; have_vhost && i < b->queues; i++)
		reply_add_fd(rp, v[i], "vhost", i);
	json_object_object_add(vh, "mode", json_object_new_string(vhost_mode_name(b->vhost)));
	json_object_object_add(vh, "active", json_object_new_boolean(have_vhost));
	if (why)
		json_object_object_add(vh, "reason", json_object_new_string(why));
	json_object_object_add(rp->result, "vhost_fds", vh);
	return 0;
}

/* vhost fds are opened before any kernel object exists, so `vhost on` without the
 * device creates nothing; `auto` says why it gave none. */
static int open_vhost(struct backend *b, int *v, bool *have, char *why, size_t why_len,
		      struct op_error *e)
{
	struct op_error ve = { 0 };
	int rc;

	*have = false;
	why[0] = '\0';
	if (b->vhost == VHOST_OFF || b->queues == 0)
		return 0;
	rc = vhost_open(b->queues, v, &ve);
	if (rc == 0) {
		*have = true;
		return 0;
	}
	if (b->vhost == VHOST_AUTO && rc == -ENODEV) {
		snprintf(why, why_len, "%s", ve.msg);
		return 0;
	}
	*e = ve;
	return rc;
}

/*
 * What the reply to a create or an open shows, from what netd knows and three cheap
 * ioctls.  Not RTM_GETLINK: a get-link runs the device's pending carrier work (bridge
 * port state, IPv6) inline, costing more than the rest of the request.  `show` reads
 * the kernel in full.
 */
static const struct link_info *peek_link(struct daemon *d, const struct backend *b,
					 struct link_info *li)
{
	memset(li, 0, sizeof(*li));
	if (b->ifindex <= 0 || nlc_ifpeek(&d->nl, b->name, li->mac, &li->mtu) < 0)
		return NULL;
	li->has_mac = true;
	li->flags = IFF_UP;   /* netd just brought it up */
	li->ifindex = b->ifindex;
	snprintf(li->name, sizeof(li->name), "%s", b->name);
	li->group = b->guest ? b->guest->group : 0;
	if (b->kind == &kind_tap) {
		snprintf(li->kind, sizeof(li->kind), "tun");
		li->master = b->lower_ifindex;
		li->tun_multi_queue = b->queues > 1;
		li->tun_persist = true;
		li->tun_queues = b->queues;   /* the reply's own, until the caller closes them */
		li->tun_owner = b->owner;
		li->tun_group = b->group_gid;
	} else {
		snprintf(li->kind, sizeof(li->kind), "macvtap");
		li->lower = b->lower_ifindex;
		li->macvlan_mode = b->macvlan_mode;
	}
	return li;
}

int backend_create(struct daemon *d, struct backend *b, const char *guest_name,
		   struct reply *rp, struct op_error *e)
{
	int q[MAX_QUEUES], v[MAX_QUEUES];
	char why[sizeof(((struct op_error *)0)->msg)];
	bool have_vhost, bound_now = false;
	struct guest *g;
	struct txn t;
	int rc;

	for (unsigned i = 0; i < MAX_QUEUES; i++)
		q[i] = v[i] = -1;
	if (b->name_given && (backend_find(d, b->name) || nlc_ifindex(&d->nl, b->name)))
		return op_fail(e, EEXIST, "device '%s' already exists", b->name);
	g = guest_get(d, guest_name, b->uid, -1);
	if (!g)
		return op_fail(e, ENOSPC, "no free device group for guest '%s'", guest_name);
	b->guest = g; /* for the tag; registry_add links it for real */
	/* Bound first: if the process exits while we build, the loop tears it down after. */
	if (b->bind_pid && !g->bound_pid) {
		rc = guest_bind(d, g, b->bind_pid, b->bind_start, e);
		if (rc < 0)
			goto fail_guest;
		bound_now = true;
	} else if (b->bind_pid && g->bound_pid != b->bind_pid) {
		rc = op_fail(e, EBUSY, "guest '%s' is bound to process %d, not %d", g->name,
			     (int)g->bound_pid, (int)b->bind_pid);
		goto fail_guest;
	}

	rc = open_vhost(b, v, &have_vhost, why, sizeof(why), e);
	if (rc < 0)
		goto fail_guest;

	txn_begin(&t, d);
	if (!b->name_given &&
	    name_alloc_next(&d->names, b->kind->name_prefix, name_taken, d, b->name) < 0) {
		rc = op_fail(e, ENOSPC, "no free device name with prefix '%s'", b->kind->name_prefix);
		goto fail_vhost;
	}
	rc = b->kind->create(d, b, &t, q, e);
	if (rc == 0 && b->stats)
		rc = stats_attach(d, b, &t, e);
	if (rc == 0)
		rc = b->kind->commit(d, b, q, e);
	if (rc < 0) {
		txn_rollback(&t);
		close_all(q, MAX_QUEUES);
		goto fail_vhost;
	}
	txn_commit(&t);
	registry_add(d, b, g);
	log_info("guest %s: created %s backend %s (ifindex %d, %u queue%s, vhost %s)", g->name,
		 b->kind->name, b->name, b->ifindex, b->queues, b->queues == 1 ? "" : "s",
		 have_vhost ? "on" : "off");
	struct link_info li;
	rp->result = backend_to_json(d, b, peek_link(d, b, &li), false);
	return hand_over(b, q, v, have_vhost, why[0] ? why : NULL, rp);

fail_vhost:
	close_all(v, MAX_QUEUES);
fail_guest:
	b->guest = NULL;
	if (bound_now)
		guest_unbind(d, g);
	if (!g->n_backends)
		guest_put_if_empty(d, g);
	return rc;
}

int backend_reopen(struct daemon *d, struct backend *b, bool force, struct reply *rp,
		   struct op_error *e)
{
	int q[MAX_QUEUES], v[MAX_QUEUES];
	char why[sizeof(((struct op_error *)0)->msg)];
	bool have_vhost;
	int rc;

	for (unsigned i = 0; i < MAX_QUEUES; i++)
		q[i] = v[i] = -1;
	if (!b->kind->open_queues)
		return op_fail(e, EOPNOTSUPP, "%s backend '%s' has no queue fds to open", b->kind->name, b->name);
	if (!force && b->kind->attached_queues) {
		rc = b->kind->attached_queues(d, b);
		if (rc > 0)
			return op_fail(e, EBUSY, "backend '%s' still has %d queue%s attached by its previous "
				       "holder; the kernel would split traffic between them (use force)",
				       b->name, rc, rc == 1 ? "" : "s");
	}
	rc = open_vhost(b, v, &have_vhost, why, sizeof(why), e);
	if (rc < 0)
		return rc;
	rc = b->kind->open_queues(d, b, q, e);
	if (rc < 0) {
		close_all(q, MAX_QUEUES);
		close_all(v, MAX_QUEUES);
		return rc;
	}
	struct link_info li;
	rp->result = backend_to_json(d, b, peek_link(d, b, &li), false);
	return hand_over(b, q, v, have_vhost, why[0] ? why : NULL, rp);
}

/* The link must still be the one netd made: same ifindex, netd's tag. */
static int check_ours(struct daemon *d, struct backend *b, struct link_info *li, struct op_error *e)
{
	struct op_error ge = { 0 };
	struct tag t;
	int rc = link_get(&d->nl, b->ifindex, NULL, li, &ge);

	if (rc == -ENODEV)
		return rc;
	if (rc < 0) {
		*e = ge;
		return rc;
	}
	if (tag_parse(li->alias, &t) < 0 || strcmp(t.guest, b->guest->name))
		return op_fail(e, EPERM, "device %d ('%s') no longer carries netd's tag for guest '%s'; "
			       "not touching it", b->ifindex, li->name, b->guest->name);
	return 0;
}

void backend_forget(struct daemon *d, struct backend *b)
{
	if (b->stats)
		stats_forget(d, b);
	registry_remove(d, b);
	backend_free(b);
}

int backend_delete(struct daemon *d, struct backend *b, struct op_error *e)
{
	struct link_info li;
	/* ifindex 0: a hostdev VF backend, which has no link of netd's (kind_vf.c). */
	int rc = b->ifindex > 0 ? check_ours(d, b, &li, e) : -ENODEV;

	if (rc < 0 && rc != -ENODEV)
		return rc;
	if (b->kind->release) {
		int r = b->kind->release(d, b, e);
		if (r < 0)
			return r;
	}
	if (rc == 0) {
		rc = link_del(&d->nl, b->ifindex, b->name, e);
		if (rc < 0 && rc != -ENODEV)
			return rc;
	}
	log_info("guest %s: deleted backend %s", b->guest->name, b->name);
	backend_forget(d, b);
	return 0;
}

struct group_check {
	struct daemon *d;
	struct guest *g;
	char foreign[IFNAMSIZ];
};

static int check_group_link(const struct link_info *li, void *data)
{
	struct group_check *c = data;
	struct backend *b;

	if (li->group != c->g->group || c->foreign[0])
		return 0;
	b = backend_find_ifindex(c->d, li->ifindex);
	if (!b || b->guest != c->g)
		snprintf(c->foreign, sizeof(c->foreign), "%s", li->name);
	return 0;
}

int guest_delete(struct daemon *d, struct guest *g, struct op_error *e)
{
	struct backend *b;
	unsigned n = g->n_backends;
	int rc;

	struct group_check chk = { d, g, "" };

	/* The kernel deletes the whole group: make sure right now that it holds only this
	 * guest's backends (a group change of a down device sends no event, so the
	 * monitor cannot be trusted with this). */
	rc = link_dump(&d->nl, check_group_link, &chk, e);
	if (rc < 0)
		return rc;
	if (chk.foreign[0])
		return op_fail(e, EBUSY, "device group %u of guest '%s' also holds '%s', a device netd did "
			       "not create for it; refusing the batch delete", g->group, g->name, chk.foreign);
	for (b = g->backends; b; b = b->next_in_guest)
		if (b->kind->release && (rc = b->kind->release(d, b, e)) < 0)
			return rc;
	{
		/* ENODEV: no link in the group, e.g. a guest of hostdev VFs only (kind_vf.c);
		 * not an error, so it must not be left in e. */
		struct op_error ge = { 0 };
		rc = link_del_group(&d->nl, g->group, &ge);
		if (rc < 0 && rc != -ENODEV) {
			*e = ge;
			return rc;
		}
	}
	log_info("guest %s: deleted %u backend%s in one batch (group %u)", g->name, n,
		 n == 1 ? "" : "s", g->group);
	/* Forgetting the last backend frees the guest: take each next one first. */
	for (struct backend *next = NULL, *cur = g->backends; cur; cur = next) {
		next = cur->next_in_guest;
		backend_forget(d, cur);
	}
	return 0;
}

static void put_mac(json_object *o, const char *key, const uint8_t *mac)
{
	char s[18];

	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	json_object_object_add(o, key, json_object_new_string(s));
}

json_object *backend_to_json(struct daemon *d, const struct backend *b, const struct link_info *li_in,
			     bool details)
{
	json_object *o = json_object_new_object();
	struct link_info li_buf;
	const struct link_info *li = li_in;
	char name[IF_NAMESIZE];

	if (!li && b->ifindex > 0 && link_get(&d->nl, b->ifindex, NULL, &li_buf, NULL) == 0)
		li = &li_buf;
	json_object_object_add(o, "name", json_object_new_string(b->name));
	json_object_object_add(o, "guest", json_object_new_string(b->guest ? b->guest->name : ""));
	json_object_object_add(o, "type", json_object_new_string(b->kind->name));
	json_object_object_add(o, "ifindex", json_object_new_int(b->ifindex));
	json_object_object_add(o, "queues", json_object_new_int((int)b->queues));
	json_object_object_add(o, "vhost", json_object_new_string(vhost_mode_name(b->vhost)));
	json_object_object_add(o, "vnet_hdr", json_object_new_boolean(b->vnet_hdr));
	json_object_object_add(o, "stats", json_object_new_boolean(b->stats));
	if (b->has_mac)
		put_mac(o, "mac", b->mac);
	if (li) {
		if (li->has_mac)
			put_mac(o, "host_mac", li->mac);
		json_object_object_add(o, "mtu", json_object_new_int((int)li->mtu));
		json_object_object_add(o, "state", json_object_new_string(li->flags & IFF_UP ? "UP" : "DOWN"));
		/* The bridge netd attached it to needs no lookup; another one does. */
		if (li->master && li->master == b->lower_ifindex && b->lower[0])
			json_object_object_add(o, "master", json_object_new_string(b->lower));
		else if (li->master && nlc_ifname(&d->nl, li->master, name))
			json_object_object_add(o, "master", json_object_new_string(name));
	} else if (b->ifindex > 0) { /* hostdev VF backends have no link to be gone */
		json_object_object_add(o, "state", json_object_new_string("GONE"));
	}
	if (details) {
		json_object_object_add(o, "uid", json_object_new_int64(b->uid));
		if (b->guest)
			json_object_object_add(o, "group", json_object_new_int64(b->guest->group));
	}
	if (b->kind->show)
		b->kind->show(d, b, li, o);
	return o;
}
