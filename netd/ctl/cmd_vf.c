/* SPDX-License-Identifier: MIT */
/* netdctl vf: placeholder until its issue lands. */
#include <stdio.h>

#include "ctl/ctl.h"

static void vf_help(FILE *f)
{
	fprintf(f, "netdctl vf: not implemented yet\n");
}

static int vf_run(int argc, char **argv)
{
	return usage_error("\"vf\" is not implemented yet");
}

const struct ctl_object obj_vf = { "vf", vf_run, vf_help };
