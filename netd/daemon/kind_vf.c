/* SPDX-License-Identifier: MIT */
/* vf backends: a VF taken from a PF's pool, its settings saved to the state dir
 * before the guest's are applied, and put back when the backend goes.
 *
 * hostdev: the launcher assigns the VF itself; netd hands over its identity (PF,
 *   index, PCI address).  No link of netd's carries a tag, so the state dir record
 *   is the only truth: the backend sits in the registry with ifindex 0.
 * macvtap: a passthru macvtap on the VF's own netdev, whose queue fds are handed
 *   over; the macvtap carries the tag (k=vf pf= vf=) like any other backend. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>

#include "daemon/args.h"
#include "daemon/kind_macvtap.h"
#include "daemon/log.h"
#include "daemon/sriov.h"
#include "daemon/vfstate.h"

struct vf_priv {
	enum vf_mode mode;
	int want_vf;               /* -1: any free one */
	struct vf_change want;     /* the guest's settings */
	bool have_rec;
	struct vf_record rec;      /* as written to the state dir */
	bool keep_rec;             /* a rollback could not restore: leave the record */
	bool released;             /* saved settings put back (or nothing to put back) */
	bool lost;                 /* the VF itself is gone */
};

static const char *const vf_args[] = {
	"pf", "vf", "mode", "vlan", "qos", "vlan_proto", "spoofchk", "trust", "link_state",
	"min_tx_rate", "max_tx_rate", "query_rss", NULL
};

/* Common arguments that make no sense when the guest drives the VF itself. */
static const char *const hostdev_refused[] = { "queues", "vhost", "vnet_hdr", "mtu", NULL };

static int vf_parse(struct daemon *d, struct backend *b, json_object *args, struct op_error *e)
{
	struct vf_priv *p = calloc(1, sizeof(*p));
	struct link_info li;
	const char *s;
	uint64_t u;
	int rc;

	if (!p)
		return op_fail(e, ENOMEM, "out of memory");
	b->priv = p;
	p->want_vf = -1;
	if ((rc = arg_need_string(args, "pf", &s, e)) < 0)
		return rc;
	if (!ifname_valid(s))
		return op_fail(e, EINVAL, "PF name '%s' is not a valid device name", s);
	rc = link_get(&d->nl, 0, s, &li, e);
	if (rc == -ENODEV) {
		e->code = 0;
		return op_fail(e, ENODEV, "PF '%s' does not exist", s);
	}
	if (rc < 0)
		return rc;
	snprintf(b->pf, sizeof(b->pf), "%s", li.name);
	if (!sriov_capable(b->pf))
		return op_fail(e, EOPNOTSUPP, "'%s' is not an SR-IOV physical function (it has no "
			       "device/sriov_totalvfs)", b->pf);
	if ((rc = arg_uint(args, "vf", 0, 65535, &u, e)) < 0)
		return rc;
	if (rc)
		p->want_vf = (int)u;
	if ((rc = arg_string(args, "mode", &s, e)) < 0)
		return rc;
	if (rc && vf_mode_parse(s, &p->mode) < 0)
		return op_fail(e, EINVAL, "VF backend mode must be hostdev or macvtap, not '%s'", s);
	if ((rc = vf_change_from_args(args, &p->want, e)) < 0)
		return rc;
	if (p->mode == VF_HOSTDEV) {
		for (const char *const *k = hostdev_refused; *k; k++)
			if (json_object_object_get_ex(args, *k, NULL))
				return op_fail(e, EINVAL, "\"%s\" does not apply to a hostdev VF backend: the guest "
					       "drives the VF itself", *k);
		if (b->stats && json_object_object_get_ex(args, "stats", NULL))
			return op_fail(e, EINVAL, "a hostdev VF backend has no host-side link to count; "
				       "leave stats off");
		b->queues = 0;
		b->vhost = VHOST_OFF;
		b->vnet_hdr = false;
		b->stats = false;
	} else {
		b->macvlan_mode = MACVLAN_MODE_PASSTHRU;
	}
	return 0;
}

static int by_vf(const void *a, const void *b)
{
	const struct backend *x = *(struct backend *const *)a, *y = *(struct backend *const *)b;

	return (x->vf > y->vf) - (x->vf < y->vf);
}

int vf_backends_of(struct daemon *d, const char *pf, struct backend ***ret)
{
	struct backend **bs = NULL;
	struct hnode *n, *tmp;
	size_t i;
	int count = 0;

	*ret = NULL;
	hmap_for_each_safe(&d->backends_by_name, i, n, tmp) {
		struct backend *b = container_of(n, struct backend, by_name);
		if (b->kind != &kind_vf || b->vf < 0 || strcmp(b->pf, pf))
			continue;
		if (!bs && !(bs = calloc(d->n_backends, sizeof(*bs))))
			return -ENOMEM;
		bs[count++] = b;
	}
	if (count > 1)
		qsort(bs, (size_t)count, sizeof(*bs), by_vf);   /* messages list VFs in order */
	*ret = bs;
	return count;
}

/* Rollback steps.  Restore first (the record must outlive a failed restore). */
static void undo_settings(struct daemon *d, struct txn_step *s)
{
	struct backend *b = s->ptr;
	struct vf_priv *p = b->priv;
	struct op_error e = { 0 };

	if (sriov_restore(&d->nl, b->pf, &p->rec.saved, &e) < 0 && e.code != ENODEV) {
		log_err("rollback: %s%s%s; its saved settings stay in the state dir for the next start",
			e.msg, e.extack[0] ? ": " : "", e.extack);
		p->keep_rec = true;
	}
}

static void undo_record(struct daemon *d, struct txn_step *s)
{
	struct backend *b = s->ptr;
	struct vf_priv *p = b->priv;
	struct op_error e = { 0 };

	if (!p->keep_rec && vfstate_remove(d->state_dir, b->pf, (unsigned)b->vf, &e) < 0)
		log_err("rollback: %s", e.msg);
	p->have_rec = false;
	b->vf = -1;
}

/* hostdev backends are named after their VF when that fits: eth0v2. */
static void hostdev_name(struct daemon *d, struct backend *b, unsigned vf)
{
	char name[IFNAMSIZ + 8];
	int n = snprintf(name, sizeof(name), "%sv%u", b->pf, vf);

	if (!b->name_given && n < IFNAMSIZ && !backend_find(d, name))
		memcpy(b->name, name, (size_t)n + 1);
}

/* Take a VF: the lowest free one (or the named one) whose record we manage to create.
 * A record nobody adopted (a restore that failed at start) keeps its VF out of the pool. */
static int claim_vf(struct daemon *d, struct backend *b, const struct pf_info *pf, struct op_error *e)
{
	struct vf_priv *p = b->priv;
	struct backend **bs;
	struct vf_user *used;
	int n = vf_backends_of(d, b->pf, &bs), vf, rc;

	if (n < 0)
		return op_fail(e, ENOMEM, "out of memory");
	used = calloc((size_t)n + pf_num_vfs(pf) + 1, sizeof(*used));
	if (!used) {
		free(bs);
		return op_fail(e, ENOMEM, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		used[i].vf = (unsigned)bs[i]->vf;
		used[i].guest = bs[i]->guest->name;
	}
	for (;;) {
		const struct vf_config *cur;

		vf = vf_pool_pick(b->pf, pf_num_vfs(pf), p->want_vf, used, (size_t)n, e);
		if (vf < 0) {
			rc = vf;
			break;
		}
		if ((rc = pf_vf_need(pf, (unsigned)vf, b->pf, &cur, e)) < 0)
			break;
		p->want.vf = (unsigned)vf;
		/* Everything is checked before the first change. */
		if ((rc = vf_change_check(&p->want, cur, b->pf, e)) < 0)
			break;
		if (p->mode == VF_HOSTDEV)
			hostdev_name(d, b, (unsigned)vf);
		memset(&p->rec, 0, sizeof(p->rec));
		snprintf(p->rec.pf, sizeof(p->rec.pf), "%s", b->pf);
		p->rec.vf = (unsigned)vf;
		p->rec.mode = p->mode;
		snprintf(p->rec.guest, sizeof(p->rec.guest), "%s", b->guest->name);
		p->rec.uid = b->uid;
		p->rec.group = b->guest->group;
		snprintf(p->rec.backend, sizeof(p->rec.backend), "%s", b->name);
		p->rec.saved = *cur;
		rc = vfstate_write(d->state_dir, &p->rec, true, e);
		if (rc == -EEXIST && p->want_vf < 0) {
			/* used[] has room: each retry adds a VF the pool had as free. */
			op_error_clear(e);
			used[n].vf = (unsigned)vf;
			used[n++].guest = NULL;
			continue;
		}
		break;
	}
	free(used);
	free(bs);
	if (rc < 0)
		return rc;
	b->vf = vf;
	p->have_rec = true;
	return 0;
}

static int vf_create(struct daemon *d, struct backend *b, struct txn *t, int *fds, struct op_error *e)
{
	struct vf_priv *p = b->priv;
	struct txn_step *s;
	struct pf_info pf;
	char netdev[IFNAMSIZ];
	struct link_info li;
	int rc = sriov_get(&d->nl, 0, b->pf, false, &pf, e);

	if (rc < 0)
		return rc;
	rc = claim_vf(d, b, &pf, e);
	if (rc < 0)
		goto out;
	s = txn_add(t, undo_record);
	s->ptr = b;
	/* Registered before the change: the kernel applies a VF request piece by piece,
	 * so a failure half-way still needs undoing. */
	s = txn_add(t, undo_settings);
	s->ptr = b;
	if (!vf_change_empty(&p->want) && (rc = sriov_set(&d->nl, pf.ifindex, b->pf, &p->want, e)) < 0)
		goto out;
	if (p->mode == VF_HOSTDEV) {
		b->ifindex = 0;
		goto out;
	}
	/* macvtap: after the settings, so the passthru macvtap inherits the VF's new MAC. */
	rc = sriov_vf_netdev(b->pf, (unsigned)b->vf, netdev, sizeof(netdev));
	if (rc < 0) {
		rc = op_fail(e, ENODEV, "VF %d of '%s' has no network device on the host (nothing in "
			     "%s/%s/device/virtfn%d/net): no VF driver is bound to it here; use mode hostdev "
			     "to assign it to the guest", b->vf, b->pf, sriov_sysfs_root, b->pf, b->vf);
		goto out;
	}
	if ((rc = link_get(&d->nl, 0, netdev, &li, e)) < 0)
		goto out;
	snprintf(b->lower, sizeof(b->lower), "%s", li.name);
	b->lower_ifindex = li.ifindex;
	rc = macvtap_newlink(d, b, t, e);
	if (rc == 0)
		rc = macvtap_open_queues(d, b->name, b->ifindex, b->queues, b->vnet_hdr, fds, e);
out:
	pf_info_free(&pf);
	return rc;
}

static int vf_commit(struct daemon *d, struct backend *b, const int *fds, struct op_error *e)
{
	struct vf_priv *p = b->priv;
	int rc;

	if (p->mode == VF_MACVTAP && (rc = macvtap_commit(d, b, fds, e)) < 0)
		return rc;
	p->rec.committed = true;
	snprintf(p->rec.backend, sizeof(p->rec.backend), "%s", b->name);
	return vfstate_write(d->state_dir, &p->rec, false, e);
}

static int vf_open_queues(struct daemon *d, struct backend *b, int *fds, struct op_error *e)
{
	struct vf_priv *p = b->priv;

	if (p->mode == VF_HOSTDEV)
		return op_fail(e, EOPNOTSUPP, "hostdev backend '%s' has no queue fds: the guest is given "
			       "VF %d of '%s' itself", b->name, b->vf, b->pf);
	return macvtap_open_queues(d, b->name, b->ifindex, b->queues, b->vnet_hdr, fds, e);
}

static int vf_release(struct daemon *d, struct backend *b, struct op_error *e)
{
	struct vf_priv *p = b->priv;
	struct op_error re = { 0 };
	int rc;

	if (!p || p->released || !p->have_rec)
		return 0;
	if (!p->lost) {
		rc = sriov_restore(&d->nl, b->pf, &p->rec.saved, &re);
		if (rc == -ENODEV) {
			log_warn("guest %s: %s; nothing to restore", b->guest->name, re.msg);
		} else if (rc < 0) {
			op_fail(e, rc, "cannot restore the saved settings of VF %d on '%s' for backend '%s' "
				"(kept; delete it again to retry): %s", b->vf, b->pf, b->name, re.msg);
			snprintf(e->extack, sizeof(e->extack), "%s", re.extack);
			return rc;
		} else {
			log_info("guest %s: VF %d of '%s' restored to its saved settings", b->guest->name,
				 b->vf, b->pf);
		}
	}
	if (vfstate_remove(d->state_dir, b->pf, (unsigned)b->vf, &re) < 0)
		log_err("guest %s: %s", b->guest->name, re.msg);
	p->released = true;
	return 0;
}

void vf_backends_lost(struct daemon *d, struct backend **bs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vf_priv *p = bs[i]->priv;
		struct op_error e = { 0 };
		char guest[GUEST_NAME_MAX + 1], name[IFNAMSIZ];

		snprintf(guest, sizeof(guest), "%s", bs[i]->guest->name);
		snprintf(name, sizeof(name), "%s", bs[i]->name);
		if (p)
			p->lost = true;
		log_warn("guest %s: backend %s lost VF %d of '%s' (its VF count was changed)", guest, name,
			 bs[i]->vf, bs[i]->pf);
		if (backend_delete(d, bs[i], &e) < 0)
			log_err("guest %s: %s", guest, e.msg);
	}
}

static void vf_show(struct daemon *d, const struct backend *b, const struct link_info *li,
		    json_object *o)
{
	const struct vf_priv *p = b->priv;
	struct pf_info pf;
	const struct vf_config *c;
	char buf[64], mac[18];

	if (!p)
		return;
	json_object_object_add(o, "pf", json_object_new_string(b->pf));
	json_object_object_add(o, "vf", json_object_new_int(b->vf));
	json_object_object_add(o, "mode", json_object_new_string(vf_mode_name(p->mode)));
	if (b->vf >= 0 && sriov_vf_pci(b->pf, (unsigned)b->vf, buf, sizeof(buf)) == 0)
		json_object_object_add(o, "pci", json_object_new_string(buf));
	if (p->mode == VF_MACVTAP && li) {
		if (li->lower && if_indextoname((unsigned)li->lower, buf))
			json_object_object_add(o, "link", json_object_new_string(buf));
		json_object_object_add(o, "macvtap_mode", json_object_new_string(macvlan_mode_name(li->macvlan_mode)));
		snprintf(buf, sizeof(buf), "/dev/tap%d", li->ifindex);
		json_object_object_add(o, "tap_device", json_object_new_string(buf));
	}
	/* The VF as the PF's driver has it now. */
	if (b->vf >= 0 && sriov_get(&d->nl, 0, b->pf, false, &pf, NULL) == 0) {
		if ((c = pf_vf(&pf, (unsigned)b->vf))) {
			json_object_object_add(o, "vf_config", vf_config_to_json(c, false));
			if (!json_object_object_get_ex(o, "mac", NULL)) {
				format_mac(c->mac, mac);
				json_object_object_add(o, "mac", json_object_new_string(mac));
			}
		}
		pf_info_free(&pf);
	}
	if (p->have_rec)
		json_object_object_add(o, "saved", vf_config_to_json(&p->rec.saved, false));
}

/* A macvtap-mode backend found in the link dump: its record holds the saved settings. */
static int vf_adopt(struct daemon *d, struct backend *b, const struct link_info *li, const struct tag *t)
{
	struct vf_priv *p = calloc(1, sizeof(*p));
	struct op_error e = { 0 };

	if (!p || t->vf < 0 || !t->pf[0]) {
		free(p);
		return -EINVAL;
	}
	b->priv = p;
	p->mode = VF_MACVTAP;
	p->want_vf = t->vf;
	b->lower_ifindex = li->lower;
	if (li->lower)
		if_indextoname((unsigned)li->lower, b->lower);
	b->macvlan_mode = li->macvlan_mode;
	if (vfstate_read(d->state_dir, t->pf, (unsigned)t->vf, &p->rec, &e) < 0) {
		log_warn("guest %s: backend %s: %s; VF %d of '%s' will not be restored when it goes",
			 t->guest, li->name, e.msg, t->vf, t->pf);
		return 0;
	}
	if (strcmp(p->rec.guest, t->guest)) {
		log_warn("guest %s: backend %s: the record for VF %d of '%s' belongs to guest %s; leaving it",
			 t->guest, li->name, t->vf, t->pf, p->rec.guest);
		return 0;
	}
	p->have_rec = true;
	if (!p->rec.committed) {
		/* netd died between committing the macvtap and the record: the link decides. */
		p->rec.committed = true;
		snprintf(p->rec.backend, sizeof(p->rec.backend), "%s", li->name);
		if (vfstate_write(d->state_dir, &p->rec, false, &e) < 0)
			log_warn("guest %s: %s", t->guest, e.msg);
	}
	return 0;
}

static struct backend *find_vf_backend(struct daemon *d, const char *pf, unsigned vf)
{
	struct backend **bs;
	struct backend *found = NULL;
	int n = vf_backends_of(d, pf, &bs);

	for (int i = 0; i < n && !found; i++)
		if ((unsigned)bs[i]->vf == vf)
			found = bs[i];
	free(bs);
	return found;
}

static int adopt_hostdev(struct daemon *d, const struct vf_record *r)
{
	struct guest *g = guest_find(d, r->guest);
	struct backend *b;
	struct vf_priv *p;

	if (backend_find(d, r->backend)) {
		log_err("guest %s: cannot re-adopt hostdev VF %u of '%s': the name %s is taken; its record "
			"stays", r->guest, r->vf, r->pf, r->backend);
		return -EEXIST;
	}
	if (!g) {
		int64_t group = r->group;
		if (group < GROUP_BASE || group >= GROUP_BASE + GROUP_COUNT || guest_find_group(d, (uint32_t)group) ||
		    group_is_foreign(d, (uint32_t)group))
			group = -1;
		g = guest_get(d, r->guest, r->uid, group);
	}
	b = backend_new();
	p = calloc(1, sizeof(*p));
	if (!g || !b || !p) {
		free(p);
		backend_free(b);
		if (g)
			guest_put_if_empty(d, g);
		return -ENOMEM;
	}
	b->kind = &kind_vf;
	b->priv = p;
	snprintf(b->name, sizeof(b->name), "%s", r->backend);
	b->name_given = true;
	b->ifindex = 0;
	b->uid = r->uid;
	b->queues = 0;
	b->vhost = VHOST_OFF;
	b->vnet_hdr = false;
	b->stats = false;
	b->vf = (int)r->vf;
	snprintf(b->pf, sizeof(b->pf), "%s", r->pf);
	p->mode = VF_HOSTDEV;
	p->want_vf = (int)r->vf;
	p->rec = *r;
	p->have_rec = true;
	registry_add(d, b, g);
	name_alloc_seen(&d->names, kind_vf.name_prefix, b->name);
	log_info("guest %s: re-adopted hostdev backend %s (VF %u of '%s') from the state dir", r->guest,
		 b->name, r->vf, r->pf);
	return 0;
}

static int recover_record(const struct vf_record *r, void *data)
{
	struct daemon *d = data;
	struct op_error e = { 0 };
	struct pf_info pf;
	int rc;

	if (find_vf_backend(d, r->pf, r->vf))
		return 0;    /* adopted with its macvtap */
	if (r->mode == VF_HOSTDEV && r->committed) {
		rc = sriov_get(&d->nl, 0, r->pf, false, &pf, &e);
		if (rc == 0 && r->vf >= pf_num_vfs(&pf))
			rc = op_fail(&e, ENODEV, "'%s' no longer has VF %u", r->pf, r->vf);
		pf_info_free(&pf);
		if (rc == -ENODEV) {
			log_warn("guest %s: %s; dropping its hostdev backend %s", r->guest, e.msg, r->backend);
			op_error_clear(&e);
			if (vfstate_remove(d->state_dir, r->pf, r->vf, &e) < 0)
				log_err("%s", e.msg);
			return 0;
		}
		if (rc == 0)
			adopt_hostdev(d, r);
		else
			log_err("guest %s: cannot re-adopt hostdev VF %u of '%s': %s; its record stays", r->guest,
				r->vf, r->pf, e.msg);
		return 0;
	}
	/* A create that never finished, or a macvtap that is gone: put the VF back. */
	rc = sriov_restore(&d->nl, r->pf, &r->saved, &e);
	if (rc < 0 && rc != -ENODEV) {
		log_err("guest %s: cannot restore VF %u of '%s': %s%s%s; its record stays for the next start",
			r->guest, r->vf, r->pf, e.msg, e.extack[0] ? ": " : "", e.extack);
		return 0;
	}
	log_info("guest %s: VF %u of '%s' %s (%s)", r->guest, r->vf, r->pf,
		 rc == 0 ? "restored to its saved settings" : "is gone; dropping its record",
		 r->committed ? "its macvtap is gone" : "its backend was never finished");
	op_error_clear(&e);
	if (vfstate_remove(d->state_dir, r->pf, r->vf, &e) < 0)
		log_err("%s", e.msg);
	return 0;
}

void vf_recover(struct daemon *d)
{
	int rc = vfstate_scan(d->state_dir, recover_record, d);

	if (rc < 0)
		log_err("cannot read the VF records in %s/vf: %s", d->state_dir, strerror(-rc));
}

const struct backend_kind kind_vf = {
	.name = "vf",
	.name_prefix = "ndv",
	.fd_role = "queue",
	.arg_names = vf_args,
	.parse = vf_parse,
	.create = vf_create,
	.commit = vf_commit,
	.open_queues = vf_open_queues,
	.show = vf_show,
	.adopt = vf_adopt,
	.release = vf_release,
};
