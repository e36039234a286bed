/* SPDX-License-Identifier: MIT */
/* netdctl version: the daemon's version and what it can do here. */
#include <stdio.h>

#include "ctl/ctl.h"

static void version_help(FILE *f)
{
	fprintf(f, "Usage: netdctl version\n");
}

static int version_run(int argc, char **argv)
{
	struct netd_reply *r;
	json_object *v;
	int rc;

	if (argc && matches(argv[0], "help")) {
		version_help(stdout);
		return EXIT_OK;
	}
	if (argc)
		return usage_error("version takes no arguments");
	rc = ctl_call("version", NULL, &r);
	if (rc)
		return rc;
	if (ctl.json) {
		print_json(r->result);
	} else {
		json_object_object_get_ex(r->result, "version", &v);
		printf("netd %s", json_object_get_string(v));
		json_object_object_get_ex(r->result, "protocol", &v);
		printf(" protocol %d", json_object_get_int(v));
		json_object_object_get_ex(r->result, "vhost_net", &v);
		printf(" vhost_net %s", json_object_get_boolean(v) ? "yes" : "no");
		json_object_object_get_ex(r->result, "kinds", &v);
		printf(" kinds %s\n", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	}
	netd_reply_free(r);
	return EXIT_OK;
}

const struct ctl_object obj_version = { "version", version_run, version_help };
