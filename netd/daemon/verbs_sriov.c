/* SPDX-License-Identifier: MIT */
/* pf.* and vf.* verbs: a PF's VF count (sysfs) and each VF's settings (rtnetlink). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/args.h"
#include "daemon/log.h"
#include "daemon/server.h"
#include "daemon/sriov.h"
#include "daemon/vfstate.h"

/* A required PF name that is a device here. */
static int need_pf(struct request *rq, json_object *args, const char **ret, struct op_error *e)
{
	struct link_info li;
	int rc;

	if ((rc = arg_need_string(args, "dev", ret, e)) < 0)
		return rc;
	if (!ifname_valid(*ret))
		return op_fail(e, EINVAL, "'%s' is not a valid device name", *ret);
	rc = link_get(&rq->d->nl, 0, *ret, &li, e);
	if (rc == -ENODEV) {
		e->code = 0;
		return op_fail(e, ENODEV, "device '%s' does not exist", *ret);
	}
	if (rc < 0)
		return rc;
	if (!sriov_capable(*ret))
		return op_fail(e, EOPNOTSUPP, "'%s' is not an SR-IOV physical function (it has no "
			       "device/sriov_totalvfs)", *ret);
	return 0;
}

static const struct backend *owner_of(struct backend **bs, int n, unsigned vf)
{
	for (int i = 0; i < n; i++)
		if ((unsigned)bs[i]->vf == vf)
			return bs[i];
	return NULL;
}

/* One VF with who holds it and where it sits on the bus. */
static json_object *vf_json(const char *dev, const struct vf_config *c, struct backend **bs, int n,
			    bool stats)
{
	json_object *o = vf_config_to_json(c, stats);
	const struct backend *b = owner_of(bs, n, c->vf);
	char pci[64];

	json_object_object_add(o, "pf", json_object_new_string(dev));
	if (sriov_vf_pci(dev, c->vf, pci, sizeof(pci)) == 0)
		json_object_object_add(o, "pci", json_object_new_string(pci));
	if (b) {
		json_object_object_add(o, "guest", json_object_new_string(b->guest->name));
		json_object_object_add(o, "backend", json_object_new_string(b->name));
	}
	return o;
}

/* The PF and its VFs (want_vf < 0: all of them) from one RTM_GETLINK of that PF. */
static int pf_json(struct daemon *d, const char *dev, bool stats, int want_vf, json_object **ret,
		   struct op_error *e)
{
	json_object *o, *vfs;
	struct backend **bs;
	struct pf_info pf;
	const struct vf_config *c;
	unsigned total = 0, num = 0;
	char buf[64];
	int n, rc = sriov_get(&d->nl, 0, dev, stats, &pf, e);

	if (rc < 0)
		return rc;
	if (want_vf >= 0 && (rc = pf_vf_need(&pf, (unsigned)want_vf, dev, &c, e)) < 0) {
		pf_info_free(&pf);
		return rc;
	}
	n = vf_backends_of(d, dev, &bs);
	if (n < 0) {
		pf_info_free(&pf);
		return op_fail(e, ENOMEM, "out of memory");
	}
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(pf.name[0] ? pf.name : dev));
	json_object_object_add(o, "ifindex", json_object_new_int(pf.ifindex));
	sriov_read_count(dev, "sriov_numvfs", &num);
	sriov_read_count(dev, "sriov_totalvfs", &total);
	json_object_object_add(o, "numvfs", json_object_new_int((int)num));
	json_object_object_add(o, "totalvfs", json_object_new_int((int)total));
	if (sriov_driver(dev, buf, sizeof(buf)) == 0)
		json_object_object_add(o, "driver", json_object_new_string(buf));
	if (sriov_device(dev, buf, sizeof(buf)) == 0)
		json_object_object_add(o, "device", json_object_new_string(buf));
	json_object_object_add(o, "vfs_in_use", json_object_new_int(n));
	if (pf.n_vfs < pf.num_vf)
		json_object_object_add(o, "vfs_listed", json_object_new_int((int)pf.n_vfs));
	if (pf.stats_dropped)
		json_object_object_add(o, "stats_note", json_object_new_string(
			"the kernel cannot fit this many VFs' stats in one IFLA_VFINFO_LIST (64 KiB); "
			"shown without them"));
	vfs = json_object_new_array();
	for (unsigned i = 0; i < pf.n_vfs; i++)
		if (want_vf < 0 || pf.vfs[i].vf == (unsigned)want_vf)
			json_object_array_add(vfs, vf_json(dev, &pf.vfs[i], bs, n, stats));
	json_object_object_add(o, "vfs", vfs);
	free(bs);
	pf_info_free(&pf);
	*ret = o;
	return 0;
}

struct pf_names {
	char (*names)[IFNAMSIZ];
	size_t n, cap;
};

static int collect_pf(const struct link_info *li, void *data)
{
	struct pf_names *p = data;

	if (!sriov_capable(li->name))
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		void *m = realloc(p->names, cap * sizeof(*p->names));
		if (!m)
			return -ENOMEM;
		p->names = m;
		p->cap = cap;
	}
	snprintf(p->names[p->n++], IFNAMSIZ, "%s", li->name);
	return 0;
}

/* pf.show [dev] [stats]: every SR-IOV capable netdev, or one. */
static int verb_pf_show(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "dev", "stats", NULL };
	struct pf_names p = { 0 };
	json_object *items, *o;
	bool stats = false;
	const char *dev = NULL;
	int rc;

	if ((rc = arg_only(args, known, &rp->err)) < 0 || (rc = arg_bool(args, "stats", &stats, &rp->err)) < 0)
		return rc;
	if (json_object_object_get_ex(args, "dev", NULL) && (rc = need_pf(rq, args, &dev, &rp->err)) < 0)
		return rc;
	items = json_object_new_array();
	rp->result = json_object_new_object();
	json_object_object_add(rp->result, "items", items);
	if (dev) {
		if ((rc = pf_json(rq->d, dev, stats, -1, &o, &rp->err)) < 0)
			return rc;
		json_object_array_add(items, o);
		return 0;
	}
	/* Names first: no request may go out on the socket while the dump is read. */
	rc = link_dump(&rq->d->nl, collect_pf, &p, &rp->err);
	for (size_t i = 0; rc == 0 && i < p.n; i++) {
		struct op_error e = { 0 };
		if (pf_json(rq->d, p.names[i], stats, -1, &o, &e) == 0)
			json_object_array_add(items, o);
		else
			log_warn("pf show: %s", e.msg);   /* gone since the dump */
	}
	free(p.names);
	return rc;
}

/* "guest 'a': VF 0, 1; guest 'b': VF 2" */
static void describe_owners(struct backend **bs, int n, char *buf, size_t len)
{
	struct vf_user *u = calloc((size_t)n + 1, sizeof(*u));

	buf[0] = '\0';
	if (!u)
		return;
	for (int i = 0; i < n; i++) {
		u[i].vf = (unsigned)bs[i]->vf;
		u[i].guest = bs[i]->guest->name;
	}
	vf_users_describe(u, (size_t)n, UINT32_MAX, buf, len);
	free(u);
}

/* pf.set dev numvfs [force] */
static int verb_pf_set(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "dev", "numvfs", "force", NULL };
	struct backend **bs;
	const char *dev;
	bool force = false;
	uint64_t numvfs;
	char who[384];
	int n, rc;

	if ((rc = arg_only(args, known, &rp->err)) < 0 || (rc = arg_bool(args, "force", &force, &rp->err)) < 0 ||
	    (rc = need_pf(rq, args, &dev, &rp->err)) < 0)
		return rc;
	if ((rc = arg_uint(args, "numvfs", 0, 65535, &numvfs, &rp->err)) < 0)
		return rc;
	if (rc == 0)
		return op_fail(&rp->err, EINVAL, "\"numvfs\" is required");
	n = vf_backends_of(rq->d, dev, &bs);
	if (n < 0)
		return op_fail(&rp->err, ENOMEM, "out of memory");
	if (n > 0 && !force) {
		describe_owners(bs, n, who, sizeof(who));
		free(bs);
		return op_fail(&rp->err, EBUSY, "%d VF%s of '%s' %s given to guests (%s); changing the count "
			       "destroys every VF: delete those backends first, or use force", n, n == 1 ? "" : "s",
			       dev, n == 1 ? "is" : "are", who);
	}
	{
		unsigned before = 0;
		bool reset = false;
		sriov_read_count(dev, "sriov_numvfs", &before);
		rc = sriov_set_numvfs(dev, (unsigned)numvfs, &reset, &rp->err);
		/* Once the old VFs are destroyed (even if the new count then failed), the
		 * backends on them hold nothing. */
		if (reset && n > 0)
			vf_backends_lost(rq->d, bs, (size_t)n);
		free(bs);
		if (rc < 0)
			return rc;
		log_info("pf %s: sriov_numvfs %u -> %u", dev, before, (unsigned)numvfs);
	}
	return pf_json(rq->d, dev, false, -1, &rp->result, &rp->err);
}

/* vf.show dev [vf N] [stats] */
static int verb_vf_show(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = { "dev", "vf", "stats", NULL };
	json_object *pf, *vfs;
	const char *dev;
	bool stats = false;
	uint64_t vf;
	int rc, want = -1;

	if ((rc = arg_only(args, known, &rp->err)) < 0 || (rc = arg_bool(args, "stats", &stats, &rp->err)) < 0 ||
	    (rc = need_pf(rq, args, &dev, &rp->err)) < 0)
		return rc;
	if ((rc = arg_uint(args, "vf", 0, 65535, &vf, &rp->err)) < 0)
		return rc;
	if (rc)
		want = (int)vf;
	if ((rc = pf_json(rq->d, dev, stats, want, &pf, &rp->err)) < 0)
		return rc;
	json_object_object_get_ex(pf, "vfs", &vfs);
	rp->result = json_object_new_object();
	json_object_object_add(rp->result, "items", json_object_get(vfs));
	json_object_put(pf);
	return 0;
}

/* vf.set dev vf N settings...: one RTM_SETLINK, read back.  Checked in full before it
 * is sent; if the driver refuses part of it, what it had applied is put back. */
static int verb_vf_set(struct request *rq, json_object *args, struct reply *rp)
{
	static const char *const known[] = {
		"dev", "vf", "mac", "vlan", "qos", "vlan_proto", "spoofchk", "trust", "link_state",
		"min_tx_rate", "max_tx_rate", "query_rss", NULL
	};
	struct daemon *d = rq->d;
	struct vf_change c = { 0 };
	struct vf_config before;
	struct pf_info pf;
	const struct vf_config *cur;
	const char *dev;
	uint64_t vf;
	int rc;

	if ((rc = arg_only(args, known, &rp->err)) < 0 || (rc = need_pf(rq, args, &dev, &rp->err)) < 0)
		return rc;
	if ((rc = arg_uint(args, "vf", 0, 65535, &vf, &rp->err)) < 0)
		return rc;
	if (rc == 0)
		return op_fail(&rp->err, EINVAL, "\"vf\" is required");
	c.vf = (unsigned)vf;
	if ((rc = vf_change_from_args(args, &c, &rp->err)) < 0)
		return rc;
	if (vf_change_empty(&c))
		return op_fail(&rp->err, EINVAL, "nothing to set on VF %u of '%s' (mac, vlan, spoofchk, trust, "
			       "state, min_tx_rate, max_tx_rate or query_rss)", c.vf, dev);
	if ((rc = sriov_get(&d->nl, 0, dev, false, &pf, &rp->err)) < 0)
		return rc;
	if ((rc = pf_vf_need(&pf, c.vf, dev, &cur, &rp->err)) < 0) {
		pf_info_free(&pf);
		return rc;
	}
	before = *cur;
	pf_info_free(&pf);
	if ((rc = vf_change_check(&c, &before, dev, &rp->err)) < 0)
		return rc;
	rc = sriov_set(&d->nl, pf.ifindex, dev, &c, &rp->err);
	if (rc < 0) {
		struct op_error re = { 0 };
		if (sriov_restore(&d->nl, dev, &before, &re) < 0) {
			size_t len = strlen(rp->err.msg);
			snprintf(rp->err.msg + len, sizeof(rp->err.msg) - len,
				 "; putting back what the driver had applied failed too: %s", re.msg);
		}
		return rc;
	}
	log_info("pf %s: VF %u set", dev, c.vf);
	{
		json_object *o, *vfs;
		if ((rc = pf_json(d, dev, false, (int)c.vf, &o, &rp->err)) < 0)
			return rc;
		json_object_object_get_ex(o, "vfs", &vfs);
		rp->result = json_object_get(json_object_array_get_idx(vfs, 0));
		json_object_put(o);
	}
	return 0;
}

const struct verb sriov_verbs[] = {
	{ "pf.show", verb_pf_show, false },
	{ "pf.set", verb_pf_set, false },
	{ "vf.show", verb_vf_show, false },
	{ "vf.set", verb_vf_set, false },
	{ NULL, NULL, false }
};
