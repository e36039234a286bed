/* SPDX-License-Identifier: MIT */
/* Per-backend eBPF traffic counters (ebpf/counters.bpf.c): tc programs on each
 * backend, per-CPU counters in a slot by ifindex (or an overflow hash), read in one
 * batched map lookup. */
#ifndef NETD_STATS_H
#define NETD_STATS_H

#include <stdint.h>
#include <json.h>

#include "daemon/daemon.h"
#include "../ebpf/counters.h"

/* Load the programs once at start.  Failing here disables counters with a warning. */
int stats_init(struct daemon *d, struct op_error *e);
void stats_exit(struct daemon *d);
/* Attach the counters to a new backend; registers its undo in t. */
int stats_attach(struct daemon *d, struct backend *b, struct txn *t, struct op_error *e);
/* Re-attach after a restart (programs may still be there). */
int stats_adopt(struct daemon *d, struct backend *b);
/* Drop a deleted backend's counters so a new one with its name starts at zero. */
void stats_forget(struct daemon *d, struct backend *b);

/* One map entry, summed over CPUs. */
struct stats_entry {
	int ifindex;
	struct netd_counters c;
};

/* Every entry of the counters map in one batched read, sorted by ifindex, and the
 * CLOCK_MONOTONIC time of the read.  *ret is malloc'd (NULL when empty). */
int stats_read(struct daemon *d, struct stats_entry **ret, size_t *n, uint64_t *time_ns,
	       struct op_error *e);
/* The entry for `ifindex` in a stats_read() result, or NULL. */
const struct stats_entry *stats_find(const struct stats_entry *v, size_t n, int ifindex);
/* {packets, bytes, hist:[...]} */
json_object *stats_dir_to_json(const struct netd_dir_counters *c);
void stats_dir_add(struct netd_dir_counters *sum, const struct netd_dir_counters *c);

#endif
