/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "daemon/hash.h"

void hmap_init(struct hmap *m)
{
	m->buckets = NULL;
	m->mask = 0;
	m->count = 0;
}

void hmap_free(struct hmap *m)
{
	free(m->buckets);
	hmap_init(m);
}

static void hmap_grow(struct hmap *m)
{
	size_t n = m->buckets ? (m->mask + 1) * 2 : 64;
	struct hnode **b = calloc(n, sizeof(*b));

	if (!b)
		return; /* keep the old table: slower, still correct */
	for (size_t i = 0; m->buckets && i <= m->mask; i++) {
		struct hnode *node = m->buckets[i], *next;
		for (; node; node = next) {
			next = node->next;
			node->next = b[node->hash & (n - 1)];
			b[node->hash & (n - 1)] = node;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->mask = n - 1;
}

void hmap_insert(struct hmap *m, struct hnode *n, uint64_t hash)
{
	if (!m->buckets || m->count >= m->mask + 1)
		hmap_grow(m);
	n->hash = hash;
	n->next = m->buckets[hash & m->mask];
	m->buckets[hash & m->mask] = n;
	m->count++;
}

void hmap_remove(struct hmap *m, struct hnode *n)
{
	struct hnode **pp;

	if (!m->buckets)
		return;
	for (pp = &m->buckets[n->hash & m->mask]; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			m->count--;
			return;
		}
}

uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t hash_u64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return v;
}
