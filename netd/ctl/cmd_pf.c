/* SPDX-License-Identifier: MIT */
/* netdctl pf: placeholder until its issue lands. */
#include <stdio.h>

#include "ctl/ctl.h"

static void pf_help(FILE *f)
{
	fprintf(f, "netdctl pf: not implemented yet\n");
}

static int pf_run(int argc, char **argv)
{
	return usage_error("\"pf\" is not implemented yet");
}

const struct ctl_object obj_pf = { "pf", pf_run, pf_help };
