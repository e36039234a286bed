/* SPDX-License-Identifier: MIT */
/* The API's verbs: argument checks, then the model in backend.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/args.h"
#include "daemon/log.h"
#include "daemon/policy.h"
#include "daemon/server.h"

static const char *const common_add_args[] = {
	"guest", "type", "name", "queues", "vhost", "vnet_hdr", "mac", "mtu", "stats", "bind_pid", NULL
};

static int verb_version(struct request *rq, json_object *args, struct reply *rp)
{
	json_object *o = json_object_new_object(), *kinds = json_object_new_array();

	json_object_object_add(o, "version", json_object_new_string(NETD_VERSION));
	json_object_object_add(o, "protocol", json_object_new_int(NETD_PROTOCOL_VERSION));
	json_object_object_add(o, "vhost_net", json_object_new_boolean(access("/dev/vhost-net", F_OK) == 0));
	for (const char *k[] = { "tap", "macvtap", "vf", NULL }, **p = k; *p; p++)
		if (backend_kind_find(*p))
			json_object_array_add(kinds, json_object_new_string(*p));
	json_object_object_add(o, "kinds", kinds);
	json_object_object_add(o, "backends", json_object_new_int((int)rq->d->n_backends));
	rp->result = o;
	return 0;
}

static int check_args(json_object *args, const struct backend_kind *kind, struct op_error *e)
{
	json_object_object_foreach(args, k, v) {
		bool ok = false;
		(void)v;
		for (const char *const *p = common_add_args; *p && !ok; p++)
			ok = !strcmp(*p, k);
		for (const char *const *p = kind->arg_names; p && *p && !ok; p++)
			ok = !strcmp(*p, k);
		if (!ok)
			return op_fail(e, EINVAL, "unknown argument \"%s\" for a %s backend", k, kind->name);
	}
	return 0;
}

/* The arguments every kind shares. */
static int parse_common(struct backend *b, json_object *args, struct op_error *e)
{
	const char *s;
	uint64_t u;
	int rc;

	if ((rc = arg_string(args, "name", &s, e)) < 0)
		return rc;
	if (rc) {
		if (!ifname_valid(s))
			return op_fail(e, EINVAL, "'%s' is not a valid device name (1-15 characters, no '/', ':', '%%' or spaces)", s);
		snprintf(b->name, sizeof(b->name), "%s", s);
		b->name_given = true;
	}
	if ((rc = arg_uint(args, "queues", 1, MAX_QUEUES, &u, e)) < 0)
		return rc;
	if (rc)
		b->queues = (unsigned)u;
	if ((rc = arg_string(args, "vhost", &s, e)) < 0)
		return rc;
	if (rc && vhost_mode_parse(s, &b->vhost) < 0)
		return op_fail(e, EINVAL, "vhost must be on, off or auto, not '%s'", s);
	if ((rc = arg_bool(args, "vnet_hdr", &b->vnet_hdr, e)) < 0 ||
	    (rc = arg_bool(args, "stats", &b->stats, e)) < 0)
		return rc;
	if ((rc = arg_string(args, "mac", &s, e)) < 0)
		return rc;
	if (rc) {
		static const uint8_t zero[6];
		if (parse_mac(s, b->mac) < 0)
			return op_fail(e, EINVAL, "'%s' is not a MAC address (like 52:54:00:12:34:56)", s);
		if (b->mac[0] & 1)
			return op_fail(e, EINVAL, "MAC %s is a multicast address; a NIC needs a unicast one", s);
		if (!memcmp(b->mac, zero, 6))
			return op_fail(e, EINVAL, "MAC %s is all zeros", s);
		b->has_mac = true;
	}
	if ((rc = arg_uint(args, "mtu", 68, 65535, &u, e)) < 0)
		return rc;
	if (rc)
		b->mtu = (unsigned)u;
	if ((rc = arg_uint(args, "bind_pid", 1, INT32_MAX, &u, e)) < 0)
		return rc;
	if (rc) {
		b->bind_pid = (pid_t)u;
		if (proc_start_time(b->bind_pid, &b->bind_start) < 0)
			return op_fail(e, ESRCH, "cannot bind to process %d: no such process", (int)b->bind_pid);
	}
	return 0;
}

bool may_use_guest(const struct request *rq, const struct guest *g)
{
	return rq->cred.uid == 0 || g->uid == rq->cred.uid;
}

/* Another uid's backends do not exist as far as a client can tell. */
static struct backend *need_backend(struct request *rq, json_object *args, struct op_error *e)
{
	const char *name;
	struct backend *b;

	if (arg_need_string(args, "name", &name, e) < 0)
		return NULL;
	b = backend_find(rq->d, name);
	if (!b || !may_use_guest(rq, b->guest)) {
		op_fail(e, ENOENT, "no backend named '%s'", name);
		return NULL;
	}
	return b;
}

static struct guest *need_guest(struct request *rq, const char *name, struct op_error *e)
{
	struct guest *g = guest_find(rq->d, name);

	if (!g || !may_use_guest(rq, g)) {
		op_fail(e, ENOENT, "no guest named '%s'", name);
		return NULL;
	}
	return g;
}

static struct policy_usage usage_of(struct daemon *d, uid_t uid)
{
	struct policy_usage u = { 0 };
	struct hnode *n, *tmp;
	size_t i;

	hmap_for_each_safe(&d->backends_by_name, i, n, tmp) {
		struct backend *b = container_of(n, struct backend, by_name);
		if (b->uid == uid) {
			u.backends++;
			u.queues += b->queues;
		}
	}
	return u;
}

static int verb_backend_add(struct request *rq, json_object *args, struct reply *rp)
{
	struct daemon *d = rq->d;
	const struct backend_kind *kind;
	const char *guest, *type;
	struct backend *b;
	int rc;

	if ((rc = arg_need_string(args, "guest", &guest, &rp->err)) < 0 ||
	    (rc = arg_need_string(args, "type", &type, &rp->err)) < 0)
		return rc;
	if (!guest_name_valid(guest))
		return op_fail(&rp->err, EINVAL, "'%s' is not a valid guest name (1-%d of A-Z a-z 0-9 . _ - : @ +)",
			       guest, GUEST_NAME_MAX);
	kind = backend_kind_find(type);
	if (!kind)
		return op_fail(&rp->err, EINVAL, "unknown backend type '%s' (tap, macvtap or vf)", type);
	if ((rc = check_args(args, kind, &rp->err)) < 0)
		return rc;
	struct guest *existing = guest_find(d, guest);
	if (existing && !may_use_guest(rq, existing))
		return op_fail(&rp->err, EPERM, "guest '%s' belongs to uid %u", guest, (unsigned)existing->uid);
	b = backend_new();
	if (!b)
		return op_fail(&rp->err, ENOMEM, "out of memory");
	b->kind = kind;
	b->uid = rq->cred.uid;
	b->stats = d->stats_default;
	rc = parse_common(b, args, &rp->err);
	if (rc == 0 && rq->cred.uid != 0) {
		/* Decided before anything exists: a denied request changes nothing. */
		struct policy_usage u = usage_of(d, rq->cred.uid);
		rc = policy_check_add(d->policy, &rq->cred, kind->name, guest, args, b->queues,
				      b->vhost != VHOST_OFF, &u, &rp->err);
		/* vhost auto on a rule without vhost: give queues only. */
		if (rc == -EPERM && b->vhost == VHOST_AUTO && strstr(rp->err.msg, "vhost-net fds")) {
			op_error_clear(&rp->err);
			b->vhost = VHOST_OFF;
			rc = policy_check_add(d->policy, &rq->cred, kind->name, guest, args, b->queues,
					      false, &u, &rp->err);
		}
	}
	if (rc == 0)
		rc = kind->parse(d, b, args, &rp->err);
	if (rc == 0)
		rc = backend_create(d, b, guest, rp, &rp->err);
	if (rc < 0)
		backend_free(b);
	return rc;
}

static int verb_backend_del(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "name", NULL };
	struct backend *b;
	int rc;

	if ((rc = arg_only(args, known, &rp->err)) < 0)
		return rc;
	b = need_backend(rq, args, &rp->err);
	if (!b)
		return -rp->err.code;
	return backend_delete(rq->d, b, &rp->err);
}

static int verb_backend_open(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "name", "force", NULL };
	bool force = false;
	struct backend *b;
	int rc;

	if ((rc = arg_only(args, known, &rp->err)) < 0 || (rc = arg_bool(args, "force", &force, &rp->err)) < 0)
		return rc;
	b = need_backend(rq, args, &rp->err);
	if (!b)
		return -rp->err.code;
	return backend_reopen(rq->d, b, force, rp, &rp->err);
}

static int verb_backend_show(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "name", "details", NULL };
	bool details = false;
	struct backend *b;
	int rc;

	if ((rc = arg_only(args, known, &rp->err)) < 0 || (rc = arg_bool(args, "details", &details, &rp->err)) < 0)
		return rc;
	b = need_backend(rq, args, &rp->err);
	if (!b)
		return -rp->err.code;
	rp->result = backend_to_json(rq->d, b, NULL, details);
	return 0;
}

struct list_ctx {
	struct request *rq;
	struct guest *guest;
	bool details;
	json_object *items;
};

static int list_link(const struct link_info *li, void *data)
{
	struct list_ctx *l = data;
	struct backend *b = backend_find_ifindex(l->rq->d, li->ifindex);

	if (!b || (l->guest && b->guest != l->guest) || !may_use_guest(l->rq, b->guest))
		return 0;
	json_object_array_add(l->items, backend_to_json(l->rq->d, b, li, l->details));
	return 0;
}

/* One link dump for the whole listing, not one request per backend. */
static int verb_backend_list(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "guest", "details", NULL };
	struct list_ctx l = { .rq = rq };
	const char *guest = NULL;
	int rc;

	if ((rc = arg_only(args, known, &rp->err)) < 0 ||
	    (rc = arg_string(args, "guest", &guest, &rp->err)) < 0 ||
	    (rc = arg_bool(args, "details", &l.details, &rp->err)) < 0)
		return rc;
	if (guest && !(l.guest = need_guest(rq, guest, &rp->err)))
		return -ENOENT;
	l.items = json_object_new_array();
	rp->result = json_object_new_object();
	json_object_object_add(rp->result, "items", l.items);
	rc = link_dump(&rq->d->nl, list_link, &l, &rp->err);
	if (rc < 0)
		return rc;
	/* Hostdev VF backends have no link of netd's: they are in the registry only. */
	struct hnode *n, *tmp;
	size_t i;
	hmap_for_each_safe(&rq->d->backends_by_name, i, n, tmp) {
		struct backend *b = container_of(n, struct backend, by_name);
		if (b->ifindex == 0 && (!l.guest || b->guest == l.guest) && may_use_guest(rq, b->guest))
			json_object_array_add(l.items, backend_to_json(rq->d, b, NULL, l.details));
	}
	return 0;
}

static json_object *guest_to_json(const struct guest *g)
{
	json_object *o = json_object_new_object(), *names = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(g->name));
	json_object_object_add(o, "group", json_object_new_int64(g->group));
	json_object_object_add(o, "uid", json_object_new_int64(g->uid));
	json_object_object_add(o, "n_backends", json_object_new_int((int)g->n_backends));
	if (g->bound_pid)
		json_object_object_add(o, "bound_pid", json_object_new_int((int)g->bound_pid));
	for (const struct backend *b = g->backends; b; b = b->next_in_guest)
		json_object_array_add(names, json_object_new_string(b->name));
	json_object_object_add(o, "backends", names);
	return o;
}

static int verb_guest_list(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "guest", NULL };
	json_object *items = json_object_new_array();
	const char *name = NULL;
	struct hnode *n, *tmp;
	size_t i;
	int rc;

	rp->result = json_object_new_object();
	json_object_object_add(rp->result, "items", items);
	if ((rc = arg_only(args, known, &rp->err)) < 0 || (rc = arg_string(args, "guest", &name, &rp->err)) < 0)
		return rc;
	if (name) {
		struct guest *g = need_guest(rq, name, &rp->err);
		if (!g)
			return -ENOENT;
		json_object_array_add(items, guest_to_json(g));
		return 0;
	}
	hmap_for_each_safe(&rq->d->guests_by_name, i, n, tmp) {
		struct guest *g = container_of(n, struct guest, by_name);
		if (may_use_guest(rq, g))
			json_object_array_add(items, guest_to_json(g));
	}
	return 0;
}

static int verb_guest_del(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "guest", NULL };
	const char *name;
	struct guest *g;
	unsigned n;
	int rc;

	if ((rc = arg_only(args, known, &rp->err)) < 0 || (rc = arg_need_string(args, "guest", &name, &rp->err)) < 0)
		return rc;
	g = need_guest(rq, name, &rp->err);
	if (!g)
		return -ENOENT;
	n = g->n_backends;
	rc = guest_delete(rq->d, g, &rp->err);
	if (rc == 0) {
		rp->result = json_object_new_object();
		json_object_object_add(rp->result, "deleted", json_object_new_int((int)n));
	}
	return rc;
}

const struct verb core_verbs[] = {
	{ "version", verb_version, ACCESS_ANYONE },
	{ "backend.add", verb_backend_add, ACCESS_POLICY },
	{ "backend.del", verb_backend_del, ACCESS_POLICY },
	{ "backend.open", verb_backend_open, ACCESS_POLICY },
	{ "backend.show", verb_backend_show, ACCESS_POLICY },
	{ "backend.list", verb_backend_list, ACCESS_POLICY },
	{ "guest.list", verb_guest_list, ACCESS_POLICY },
	{ "guest.del", verb_guest_del, ACCESS_POLICY },
	{ NULL, NULL, ACCESS_ROOT }
};

static const struct verb *const verb_tables[] = { core_verbs, stats_verbs, sriov_verbs };

int dispatch(struct request *rq, json_object *args, struct reply *rp)
{
	for (size_t t = 0; t < sizeof(verb_tables) / sizeof(verb_tables[0]); t++)
	for (const struct verb *v = verb_tables[t]; v->name; v++) {
		int rc;

		if (strcmp(v->name, rq->verb))
			continue;
		if (rq->cred.uid != 0 && v->access == ACCESS_ROOT)
			return op_fail(&rp->err, EPERM, "uid %u may not use '%s': only root may",
				       (unsigned)rq->cred.uid, v->name);
		if (rq->cred.uid != 0 && v->access == ACCESS_POLICY && !policy_match(rq->d->policy, &rq->cred))
			return op_fail(&rp->err, EPERM, "uid %u may not use '%s': no rule in %s names it or its groups",
				       (unsigned)rq->cred.uid, v->name, rq->d->policy->path);
		rc = v->fn(rq, args, rp);
		if (rc < 0 && !rp->err.code)
			op_fail(&rp->err, rc, "%s failed: %s", v->name, strerror(-rc));
		if (rc < 0) {
			json_object_put(rp->result);
			rp->result = NULL;
			for (size_t f = 0; f < rp->n_fds; f++)
				close(rp->fds[f]);
			rp->n_fds = 0;
		}
		return rc;
	}
	return op_fail(&rp->err, EOPNOTSUPP, "unknown verb '%s'", rq->verb);
}
