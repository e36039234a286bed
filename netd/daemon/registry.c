/* SPDX-License-Identifier: MIT */
/* The in-memory index of what netd owns: backends by name and ifindex, guests by
 * name and group.  Rebuilt from the kernel at start (recover.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"

struct foreign_link {
	struct hnode node;
	int ifindex;
	uint32_t group;
};

void registry_init(struct daemon *d)
{
	hmap_init(&d->backends_by_name);
	hmap_init(&d->backends_by_ifindex);
	hmap_init(&d->guests_by_name);
	hmap_init(&d->guests_by_group);
	hmap_init(&d->foreign_groups);
	d->next_group = GROUP_BASE;
}

struct backend *backend_find(struct daemon *d, const char *name)
{
	uint64_t h = hash_str(name);
	struct hnode *n;

	hmap_for_hash(&d->backends_by_name, h, n) {
		struct backend *b = container_of(n, struct backend, by_name);
		if (!strcmp(b->name, name))
			return b;
	}
	return NULL;
}

struct backend *backend_find_ifindex(struct daemon *d, int ifindex)
{
	uint64_t h = hash_u64((uint64_t)ifindex);
	struct hnode *n;

	hmap_for_hash(&d->backends_by_ifindex, h, n) {
		struct backend *b = container_of(n, struct backend, by_ifindex);
		if (b->ifindex == ifindex)
			return b;
	}
	return NULL;
}

struct guest *guest_find(struct daemon *d, const char *name)
{
	uint64_t h = hash_str(name);
	struct hnode *n;

	hmap_for_hash(&d->guests_by_name, h, n) {
		struct guest *g = container_of(n, struct guest, by_name);
		if (!strcmp(g->name, name))
			return g;
	}
	return NULL;
}

struct guest *guest_find_group(struct daemon *d, uint32_t group)
{
	uint64_t h = hash_u64(group);
	struct hnode *n;

	hmap_for_hash(&d->guests_by_group, h, n) {
		struct guest *g = container_of(n, struct guest, by_group);
		if (g->group == group)
			return g;
	}
	return NULL;
}

/* Links netd did not create that sit in netd's group range: guest del must not take
 * them along.  Keyed by ifindex; tiny, usually empty. */
static struct foreign_link *foreign_find(struct daemon *d, int ifindex)
{
	uint64_t h = hash_u64((uint64_t)ifindex);
	struct hnode *n;

	hmap_for_hash(&d->foreign_groups, h, n) {
		struct foreign_link *f = container_of(n, struct foreign_link, node);
		if (f->ifindex == ifindex)
			return f;
	}
	return NULL;
}

bool group_is_foreign(struct daemon *d, uint32_t group)
{
	struct hnode *n, *tmp;
	size_t i;

	hmap_for_each_safe(&d->foreign_groups, i, n, tmp)
		if (container_of(n, struct foreign_link, node)->group == group)
			return true;
	return false;
}

void foreign_link_set(struct daemon *d, int ifindex, uint32_t group)
{
	struct foreign_link *f = foreign_find(d, ifindex);
	bool in_range = group >= GROUP_BASE && group < GROUP_BASE + GROUP_COUNT;

	if (f && !in_range) {
		hmap_remove(&d->foreign_groups, &f->node);
		free(f);
	} else if (f) {
		f->group = group;
	} else if (in_range && (f = calloc(1, sizeof(*f)))) {
		f->ifindex = ifindex;
		f->group = group;
		hmap_insert(&d->foreign_groups, &f->node, hash_u64((uint64_t)ifindex));
	}
}

static uint32_t group_alloc(struct daemon *d)
{
	for (uint32_t tries = 0; tries < GROUP_COUNT; tries++) {
		uint32_t g = d->next_group++;
		if (d->next_group >= GROUP_BASE + GROUP_COUNT)
			d->next_group = GROUP_BASE;
		if (!guest_find_group(d, g) && !group_is_foreign(d, g))
			return g;
	}
	return 0;
}

struct guest *guest_get(struct daemon *d, const char *name, uid_t uid, int64_t group)
{
	struct guest *g = guest_find(d, name);

	if (g)
		return g;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->uid = uid;
	g->group = group >= 0 ? (uint32_t)group : group_alloc(d);
	if (!g->group) {
		free(g);
		return NULL;
	}
	return g;
}

void registry_add(struct daemon *d, struct backend *b, struct guest *g)
{
	if (!g->n_backends) {
		hmap_insert(&d->guests_by_name, &g->by_name, hash_str(g->name));
		hmap_insert(&d->guests_by_group, &g->by_group, hash_u64(g->group));
	}
	b->guest = g;
	b->next_in_guest = g->backends;
	if (g->backends)
		g->backends->pprev_in_guest = &b->next_in_guest;
	b->pprev_in_guest = &g->backends;
	g->backends = b;
	g->n_backends++;
	hmap_insert(&d->backends_by_name, &b->by_name, hash_str(b->name));
	/* hostdev VF backends have no link (ifindex 0): only links are indexed. */
	if (b->ifindex > 0)
		hmap_insert(&d->backends_by_ifindex, &b->by_ifindex, hash_u64((uint64_t)b->ifindex));
	d->n_backends++;
}

void registry_remove(struct daemon *d, struct backend *b)
{
	struct guest *g = b->guest;

	hmap_remove(&d->backends_by_name, &b->by_name);
	if (b->ifindex > 0)
		hmap_remove(&d->backends_by_ifindex, &b->by_ifindex);
	*b->pprev_in_guest = b->next_in_guest;
	if (b->next_in_guest)
		b->next_in_guest->pprev_in_guest = b->pprev_in_guest;
	b->guest = NULL;
	g->n_backends--;
	d->n_backends--;
	guest_put_if_empty(d, g);
}

void guest_put_if_empty(struct daemon *d, struct guest *g)
{
	if (g->n_backends)
		return;
	guest_unbind(d, g);
	if (guest_find(d, g->name) == g) {
		hmap_remove(&d->guests_by_name, &g->by_name);
		hmap_remove(&d->guests_by_group, &g->by_group);
	}
	free(g);
}

void registry_rename(struct daemon *d, struct backend *b, const char *name)
{
	hmap_remove(&d->backends_by_name, &b->by_name);
	snprintf(b->name, sizeof(b->name), "%s", name);
	hmap_insert(&d->backends_by_name, &b->by_name, hash_str(b->name));
}

void registry_free(struct daemon *d)
{
	struct hnode *n, *tmp;
	size_t i;

	/* Backends stay in the kernel; only netd's memory of them goes. */
	hmap_for_each_safe(&d->backends_by_name, i, n, tmp)
		backend_free(container_of(n, struct backend, by_name));
	hmap_for_each_safe(&d->guests_by_name, i, n, tmp) {
		struct guest *g = container_of(n, struct guest, by_name);
		guest_unbind(d, g);
		free(g);
	}
	hmap_for_each_safe(&d->foreign_groups, i, n, tmp)
		free(container_of(n, struct foreign_link, node));
	hmap_free(&d->backends_by_name);
	hmap_free(&d->backends_by_ifindex);
	hmap_free(&d->guests_by_name);
	hmap_free(&d->guests_by_group);
	hmap_free(&d->foreign_groups);
	d->n_backends = 0;
}

struct backend *backend_new(void)
{
	struct backend *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->queues = 1;
	b->vhost = VHOST_AUTO;
	b->vnet_hdr = true;
	b->stats = true;
	b->owner = b->group_gid = -1;
	b->vf = -1;
	return b;
}

void backend_free(struct backend *b)
{
	if (!b)
		return;
	free(b->priv);
	free(b);
}

/* For name allocation: a name netd holds is taken.  One somebody else holds shows up
 * at creation (IFF_TUN_EXCL, NLM_F_EXCL), and the kind picks the next. */
bool name_taken(const char *name, void *data)
{
	return backend_find(data, name) != NULL;
}
