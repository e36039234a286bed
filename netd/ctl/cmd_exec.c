/* SPDX-License-Identifier: MIT */
/* netdctl exec: placeholder until its issue lands. */
#include <stdio.h>

#include "ctl/ctl.h"

static void exec_help(FILE *f)
{
	fprintf(f, "netdctl exec: not implemented yet\n");
}

static int exec_run(int argc, char **argv)
{
	return usage_error("\"exec\" is not implemented yet");
}

const struct ctl_object obj_exec = { "exec", exec_run, exec_help };
