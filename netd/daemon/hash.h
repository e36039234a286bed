/* SPDX-License-Identifier: MIT */
/* An intrusive chained hash map: nodes live inside the objects they index, lookups
 * are O(1) however many backends exist. */
#ifndef NETD_HASH_H
#define NETD_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;
	uint64_t hash;
};

struct hmap {
	struct hnode **buckets;
	size_t mask;  /* n_buckets - 1 */
	size_t count;
};

void hmap_init(struct hmap *m);
void hmap_free(struct hmap *m);
void hmap_insert(struct hmap *m, struct hnode *n, uint64_t hash);
void hmap_remove(struct hmap *m, struct hnode *n);
uint64_t hash_str(const char *s);
uint64_t hash_u64(uint64_t v);

/* Iterate the nodes whose hash equals `h`; compare keys inside the loop. */
#define hmap_for_hash(m, h, n) \
	for ((n) = (m)->buckets ? (m)->buckets[(h) & (m)->mask] : NULL; (n); (n) = (n)->next) \
		if ((n)->hash == (h))

/* Iterate every node; `tmp` allows removing the current one. */
#define hmap_for_each_safe(m, i, n, tmp) \
	for ((i) = 0; (m)->buckets && (i) <= (m)->mask; (i)++) \
		for ((n) = (m)->buckets[i]; (n) && ((tmp) = (n)->next, 1); (n) = (tmp))

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
