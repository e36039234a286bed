/* SPDX-License-Identifier: MIT */
/* netdctl stats: placeholder until its issue lands. */
#include <stdio.h>

#include "ctl/ctl.h"

static void stats_help(FILE *f)
{
	fprintf(f, "netdctl stats: not implemented yet\n");
}

static int stats_run(int argc, char **argv)
{
	return usage_error("\"stats\" is not implemented yet");
}

const struct ctl_object obj_stats = { "stats", stats_run, stats_help };
