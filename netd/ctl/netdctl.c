/* SPDX-License-Identifier: MIT */
/* netdctl [OPTIONS] OBJECT { COMMAND | help } — the CLI, shaped like ip(8). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

static const struct ctl_object *const objects[] = {
	&obj_backend, &obj_guest, &obj_stats, &obj_pf, &obj_vf, &obj_qmp, &obj_exec, &obj_version,
};
#define N_OBJECTS (sizeof(objects) / sizeof(objects[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netdctl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"where  OBJECT := { backend | guest | stats | pf | vf | qmp | exec | version }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -s[tatistics] | -d[etails] |\n"
		"                    -S[ocket] PATH | -V[ersion] | -h[elp] }\n");
}

int main(int argc, char **argv)
{
	int i = 1, rc;

	/* Options come before the object, as with ip; accept long forms and prefixes. */
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i] + 1 + (argv[i][1] == '-');
		if (matches(o, "json"))
			ctl.json = true;
		else if (matches(o, "pretty"))
			ctl.pretty = true;
		else if (matches(o, "statistics") || matches(o, "stats"))
			ctl.stats = true;
		else if (matches(o, "details"))
			ctl.details = true;
		else if (matches(o, "oneline"))
			ctl.oneline = true;
		else if (!strcmp(o, "S") || matches(o, "socket")) {
			if (++i >= argc)
				return usage_error("option \"%s\" needs a path", argv[i - 1]);
			ctl.socket = argv[i];
		} else if (!strcmp(o, "V") || matches(o, "Version")) {
			printf("netdctl %s (protocol %d)\n", "0.1.0", NETD_PROTOCOL_VERSION);
			return EXIT_OK;
		} else if (!strcmp(o, "h") || matches(o, "help")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "Option \"%s\" is unknown, try \"netdctl -help\".\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (matches(argv[i], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t k = 0; k < N_OBJECTS; k++) {
		if (!matches(argv[i], objects[k]->name))
			continue;
		rc = objects[k]->run(argc - i - 1, argv + i + 1);
		netd_disconnect(ctl.conn);
		return rc;
	}
	fprintf(stderr, "Object \"%s\" is unknown, try \"netdctl help\".\n", argv[i]);
	return EXIT_USAGE;
}
