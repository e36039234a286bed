/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/names.h"

bool ifname_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	/* The kernel's dev_valid_name(), so we refuse before asking. */
	if (len == 0 || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || *p == ' ' || (unsigned char)*p <= 0x20 || *p == 0x7f)
			return false;
	/* "%d" would ask the kernel to pick; netd picks names itself. */
	return strchr(name, '%') == NULL;
}

bool guest_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > GUEST_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == ':' || c == '@' || c == '+'))
			return false;
	}
	return name[0] != '-' && name[0] != '.';
}

int name_alloc_next(struct name_alloc *a, const char *prefix,
		    bool (*taken)(const char *name, void *data), void *data,
		    char out[IFNAMSIZ])
{
	for (unsigned tries = 0; tries < 100000; tries++) {
		unsigned n = a->next++;
		int len = snprintf(out, IFNAMSIZ, "%s%u", prefix, n);

		if (len >= IFNAMSIZ) {
			a->next = 0; /* wrapped past the longest name: start again at 0 */
			continue;
		}
		if (!taken || !taken(out, data))
			return 0;
	}
	return -ENOSPC;
}

void name_alloc_seen(struct name_alloc *a, const char *prefix, const char *name)
{
	size_t plen = strlen(prefix);
	char *end;
	unsigned long n;

	if (strncmp(name, prefix, plen) || !name[plen])
		return;
	n = strtoul(name + plen, &end, 10);
	if (*end || name[plen] < '0' || name[plen] > '9')
		return;
	if (n + 1 > a->next && n < 1000000000UL)
		a->next = (unsigned)n + 1;
}
