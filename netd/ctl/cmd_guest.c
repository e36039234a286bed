/* SPDX-License-Identifier: MIT */
/* netdctl guest { show | del | help } */
#include <stdio.h>
#include <string.h>

#include "ctl/ctl.h"

static void guest_help(FILE *f)
{
	fprintf(f,
		"Usage: netdctl guest show [ GUEST ]\n"
		"       netdctl guest del GUEST\n");
}

static int do_show(int argc, char **argv)
{
	json_object *args = json_object_new_object(), *items;
	struct netd_reply *r;
	int rc;

	if (argc > 1) {
		json_object_put(args);
		return usage_error("guest show takes at most one GUEST");
	}
	if (argc == 1)
		json_object_object_add(args, "guest", json_object_new_string(argv[0]));
	rc = ctl_call("guest.list", args, &r);
	if (rc)
		return rc;
	json_object_object_get_ex(r->result, "items", &items);
	if (ctl.json) {
		print_json(items);
	} else {
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			json_object *g = json_object_array_get_idx(items, i), *v, *names;
			json_object_object_get_ex(g, "name", &v);
			printf("%s:", json_object_get_string(v));
			json_object_object_get_ex(g, "n_backends", &v);
			printf(" backends %d", json_object_get_int(v));
			json_object_object_get_ex(g, "group", &v);
			printf(" group %s", json_object_get_string(v));
			json_object_object_get_ex(g, "uid", &v);
			printf(" uid %s", json_object_get_string(v));
			if (json_object_object_get_ex(g, "backends", &names) && json_object_array_length(names)) {
				printf("\n   ");
				for (size_t k = 0; k < json_object_array_length(names); k++)
					printf(" %s", json_object_get_string(json_object_array_get_idx(names, k)));
			}
			putchar('\n');
		}
	}
	netd_reply_free(r);
	return EXIT_OK;
}

static int do_del(int argc, char **argv)
{
	json_object *args;
	struct netd_reply *r;
	int rc;

	if (argc != 1)
		return usage_error("guest del takes exactly one GUEST");
	args = json_object_new_object();
	json_object_object_add(args, "guest", json_object_new_string(argv[0]));
	rc = ctl_call("guest.del", args, &r);
	if (rc)
		return rc;
	if (ctl.json)
		print_json(r->result);
	netd_reply_free(r);
	return EXIT_OK;
}

static int guest_run(int argc, char **argv)
{
	if (argc == 0)
		return do_show(0, argv);
	if (matches(argv[0], "show") || matches(argv[0], "list"))
		return do_show(argc - 1, argv + 1);
	if (matches(argv[0], "delete") || matches(argv[0], "del"))
		return do_del(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		guest_help(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "Command \"%s\" is unknown, try \"netdctl guest help\".\n", argv[0]);
	return EXIT_USAGE;
}

const struct ctl_object obj_guest = { "guest", guest_run, guest_help };
