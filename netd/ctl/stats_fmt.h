/* SPDX-License-Identifier: MIT */
/* netdctl stats, the parts without I/O: rates between two reads, units, and the
 * Prometheus text format.  Rows are the daemon's stats.show items (see
 * netd/daemon/verbs_stats.c).  Unit-tested in tests/unit/test_stats.c. */
#ifndef NETD_CTL_STATS_FMT_H
#define NETD_CTL_STATS_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json.h>

/* Per second, from two readings dt_ns apart; 0 when the counter went back (the
 * backend was re-created) or no time passed. */
double stats_rate(uint64_t before, uint64_t after, uint64_t dt_ns);

/* Add packets_per_sec and bits_per_sec to every rx/tx of `cur`'s items, from `prev`
 * (an earlier stats.show result).  A backend is matched by name and ifindex; one
 * not in prev counts from zero.  A guest's rate is the sum of its backends'. */
void stats_add_rates(json_object *prev, json_object *cur);

/* "950bit", "12.35Kbit", "1.24Mbit", "9.99Gbit" as tc prints rates. */
void stats_fmt_bits(char *buf, size_t len, double bits_per_sec);

/* A label value in the exposition format: \ " and newline escaped. */
void prom_escape(char *buf, size_t len, const char *s);

/* The node_exporter textfile-collector text of a stats.show result: per backend
 * counters and frame-size histograms, labelled guest and backend. */
void prom_write(FILE *f, json_object *result);

/* One direction's counters as ip -s prints a link's (cmd_stats.c): bytes, packets,
 * with `rates` bits/s and packets/s, with -d and `bounds` the size histogram. */
void stats_print_dir(const char *label, json_object *d, json_object *bounds, bool rates);

#endif
