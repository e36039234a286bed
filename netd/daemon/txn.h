/* SPDX-License-Identifier: MIT */
/* A transaction log per request: each kernel step registers its undo right after it
 * succeeds; a failure unwinds them in reverse, a success forgets them. */
#ifndef NETD_TXN_H
#define NETD_TXN_H

#include <net/if.h>

struct daemon;

struct txn_step {
	void (*undo)(struct daemon *d, struct txn_step *s);
	int ifindex;
	int fd;
	void *ptr;
	char name[IFNAMSIZ];
};

#define TXN_MAX_STEPS 16

struct txn {
	struct daemon *d;
	struct txn_step steps[TXN_MAX_STEPS];
	unsigned n;
};

void txn_begin(struct txn *t, struct daemon *d);
/* Returns the step to fill in; never NULL (a request has far fewer steps). */
struct txn_step *txn_add(struct txn *t, void (*undo)(struct daemon *d, struct txn_step *s));
void txn_rollback(struct txn *t);
void txn_commit(struct txn *t);

#endif
