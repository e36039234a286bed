/* SPDX-License-Identifier: MIT */
/* Names: what a valid interface and guest name is, and how netd picks interface
 * names itself (a counter per prefix, never the kernel's O(n) "%d" scan). */
#ifndef NETD_NAMES_H
#define NETD_NAMES_H

#include <stdbool.h>
#include <net/if.h>

#define GUEST_NAME_MAX 64

bool ifname_valid(const char *name);
bool guest_name_valid(const char *name);

struct name_alloc {
	unsigned next;
};

/* Write the first "<prefix><n>" with n >= a->next for which taken() is false, and
 * advance past it.  -ENOSPC after `limit` candidates. */
int name_alloc_next(struct name_alloc *a, const char *prefix,
		    bool (*taken)(const char *name, void *data), void *data,
		    char out[IFNAMSIZ]);
/* After adopting an existing "<prefix><n>", make sure new names start above it. */
void name_alloc_seen(struct name_alloc *a, const char *prefix, const char *name);

#endif
