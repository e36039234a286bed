/* SPDX-License-Identifier: MIT */
/* Placeholder until the eBPF counters land: counters are reported as unavailable. */
#include <errno.h>

#include "daemon/stats.h"

int stats_init(struct daemon *d, struct op_error *e)
{
	return 0;
}

void stats_exit(struct daemon *d)
{
}

int stats_attach(struct daemon *d, struct backend *b, struct txn *t, struct op_error *e)
{
	return 0;
}

int stats_adopt(struct daemon *d, struct backend *b)
{
	return 0;
}

void stats_forget(struct daemon *d, struct backend *b)
{
}

json_object *stats_read_all(struct daemon *d, struct op_error *e)
{
	op_fail(e, EOPNOTSUPP, "eBPF counters are not built in");
	return NULL;
}
