/* SPDX-License-Identifier: MIT */
/* netdctl pf { show | set | help }: SR-IOV physical functions and their VF count. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/sriov_print.h"

static void pf_help(FILE *f)
{
	fprintf(f,
		"Usage: netdctl pf [ show [ DEV ] ]\n"
		"       netdctl pf set DEV numvfs N [ force ]\n"
		"       netdctl pf help\n"
		"Where: N := 0 .. sriov_totalvfs of DEV; a non-zero count changes through 0,\n"
		"            which destroys every VF: refused while guests hold VFs, unless force\n");
}

static void print_pf_text(json_object *pf)
{
	json_object *vfs;

	printf("%s: numvfs %s totalvfs %s", jstr(pf, "name"), jstr(pf, "numvfs"), jstr(pf, "totalvfs"));
	if (jstr(pf, "driver"))
		printf(" driver %s", jstr(pf, "driver"));
	if (jstr(pf, "device"))
		printf(" device %s", jstr(pf, "device"));
	printf(" in_use %s\n", jstr(pf, "vfs_in_use"));
	if (json_object_object_get_ex(pf, "vfs", &vfs))
		for (size_t i = 0; i < json_object_array_length(vfs); i++)
			print_vf_text(json_object_array_get_idx(vfs, i));
}

static int do_show(int argc, char **argv)
{
	json_object *args;

	if (argc > 1)
		return usage_error("pf show takes at most one DEV");
	args = json_object_new_object();
	if (argc == 1)
		json_object_object_add(args, "dev", json_object_new_string(argv[0]));
	if (ctl.stats)
		json_object_object_add(args, "stats", json_object_new_boolean(1));
	return ctl_call_print_items("pf.show", args, print_pf_text);
}

static void print_pf_text_reply(json_object *result, const struct netd_reply *r)
{
	print_pf_text(result);
}

static int do_set(int argc, char **argv)
{
	json_object *args;
	unsigned long long n;
	char *end;

	if (argc < 3 || argc > 4 || strcmp(argv[1], "numvfs") || (argc == 4 && strcmp(argv[3], "force")))
		return usage_error("usage: netdctl pf set DEV numvfs N [ force ]");
	errno = 0;
	n = strtoull(argv[2], &end, 10);
	if (argv[2][0] < '0' || argv[2][0] > '9' || *end || errno || n > 65535)
		return usage_error("argument \"%s\" is wrong: \"numvfs\" takes a count", argv[2]);
	args = json_object_new_object();
	json_object_object_add(args, "dev", json_object_new_string(argv[0]));
	json_object_object_add(args, "numvfs", json_object_new_int64((int64_t)n));
	if (argc == 4)
		json_object_object_add(args, "force", json_object_new_boolean(1));
	return ctl_call_print("pf.set", args, print_pf_text_reply);
}

static int pf_run(int argc, char **argv)
{
	if (argc == 0)
		return do_show(0, argv);
	if (matches(argv[0], "show") || matches(argv[0], "list"))
		return do_show(argc - 1, argv + 1);
	if (matches(argv[0], "set"))
		return do_set(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		pf_help(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "Command \"%s\" is unknown, try \"netdctl pf help\".\n", argv[0]);
	return EXIT_USAGE;
}

const struct ctl_object obj_pf = { "pf", pf_run, pf_help };
