/* SPDX-License-Identifier: MIT */
/* netdctl qmp: placeholder until its issue lands. */
#include <stdio.h>

#include "ctl/ctl.h"

static void qmp_help(FILE *f)
{
	fprintf(f, "netdctl qmp: not implemented yet\n");
}

static int qmp_run(int argc, char **argv)
{
	return usage_error("\"qmp\" is not implemented yet");
}

const struct ctl_object obj_qmp = { "qmp", qmp_run, qmp_help };
