/* SPDX-License-Identifier: MIT */
/* stats.* verbs: placeholder until the eBPF counters land. */
#include "daemon/server.h"

const struct verb stats_verbs[] = {
	{ NULL, NULL, false }
};
