/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/txn.h"

void txn_begin(struct txn *t, struct daemon *d)
{
	t->d = d;
	t->n = 0;
}

struct txn_step *txn_add(struct txn *t, void (*undo)(struct daemon *d, struct txn_step *s))
{
	struct txn_step *s;

	if (t->n == TXN_MAX_STEPS) {
		log_err("transaction has more than %d steps", TXN_MAX_STEPS);
		abort(); /* a programming error, not a runtime condition */
	}
	s = &t->steps[t->n++];
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->undo = undo;
	return s;
}

void txn_rollback(struct txn *t)
{
	while (t->n > 0) {
		struct txn_step *s = &t->steps[--t->n];
		s->undo(t->d, s);
	}
}

void txn_commit(struct txn *t)
{
	t->n = 0;
}
