/* SPDX-License-Identifier: MIT */
/* Per-backend eBPF traffic counters (ebpf/counters.bpf.c): tc programs on each
 * backend, per-CPU counters keyed by ifindex, read in one batched map lookup. */
#ifndef NETD_STATS_H
#define NETD_STATS_H

#include <json.h>

#include "daemon/daemon.h"

/* Load the programs once at start.  Failing here disables counters with a warning. */
int stats_init(struct daemon *d, struct op_error *e);
void stats_exit(struct daemon *d);
/* Attach the counters to a new backend; registers its undo in t. */
int stats_attach(struct daemon *d, struct backend *b, struct txn *t, struct op_error *e);
/* Re-attach after a restart (programs may still be there). */
int stats_adopt(struct daemon *d, struct backend *b);
/* Drop a deleted backend's counters so a new one with its name starts at zero. */
void stats_forget(struct daemon *d, struct backend *b);
/* Every backend's counters as {"<ifindex>": {rx:{packets,bytes,hist[]}, tx:{...}}},
 * read in one batch. */
json_object *stats_read_all(struct daemon *d, struct op_error *e);

#endif
