/* SPDX-License-Identifier: MIT */
/* netdctl exec BACKEND... -- COMMAND [ ARGS ] — become COMMAND with the backends' fds.
 *
 * No fork: netdctl execs in place, so the exit status (and the pid a supervisor sees)
 * is the command's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

static void exec_help(FILE *f)
{
	fprintf(f,
		"Usage: netdctl exec BACKEND [ BACKEND... ] -- COMMAND [ ARGS... ]\n"
		"       netdctl exec help\n"
		"Runs COMMAND in place of netdctl with each BACKEND's queue fds then vhost fds\n"
		"inherited as fds 3, 4, ... (stdin, stdout, stderr stay; every other fd is closed).\n"
		"In ARGS:  {fds} {vhostfds}  the first BACKEND's fd numbers, \"3:4:5\"\n"
		"          {queues} {vectors} {vhost} {mac}  its queue count, 2*queues+2, on|off, MAC\n"
		"          {fds:BACKEND} {vhostfds:BACKEND} ...  the same for any BACKEND given\n"
		"An option KEY={vhostfds} of a backend without vhost fds is dropped with the\n"
		"\"vhost=on\" beside it, so this works with and without vhost-net:\n"
		"  netdctl exec web1 -- qemu-system-x86_64 ... \\\n"
		"      -netdev tap,id=n0,fds={fds},vhost=on,vhostfds={vhostfds} \\\n"
		"      -device virtio-net-pci,netdev=n0,mac={mac},mq=on,vectors={vectors}\n"
		"Exit status: COMMAND's; 127 when it is not found, 126 when it cannot run.\n");
}

static bool uses_vhostfds(char **argv, int argc, const char *name, bool first)
{
	char named[300];

	snprintf(named, sizeof(named), "{vhostfds:%s}", name ? name : "");
	for (int i = 0; i < argc; i++)
		if ((first && strstr(argv[i], "{vhostfds}")) || strstr(argv[i], named))
			return true;
	return false;
}

static int exec_run(int argc, char **argv)
{
	struct netd_backend_fds *b;
	int sep = -1, n, rc = EXIT_OK;
	char *err = NULL;

	if (argc == 0 || !strcmp(argv[0], "help")) {
		exec_help(argc ? stdout : stderr);
		return argc ? EXIT_OK : EXIT_USAGE;
	}
	for (int i = 0; i < argc && sep < 0; i++)
		if (!strcmp(argv[i], "--"))
			sep = i;
	if (sep < 0)
		return usage_error("exec needs \"--\" between the backends and the command, try \"netdctl exec help\"");
	if (sep == 0)
		return usage_error("exec needs at least one BACKEND before \"--\"");
	if (sep + 1 >= argc)
		return usage_error("exec needs a COMMAND after \"--\"");
	n = sep;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < i; k++)
			if (!strcmp(argv[i], argv[k]))
				return usage_error("backend \"%s\" is given twice", argv[i]);

	b = calloc((size_t)n, sizeof(*b));
	if (!b)
		return usage_error("out of memory");
	for (int i = 0; i < n && rc == EXIT_OK; i++) {
		json_object *args = json_object_new_object();
		struct netd_reply *r;

		json_object_object_add(args, "name", json_object_new_string(argv[i]));
		rc = ctl_call("backend.open", args, &r);
		if (rc)
			break;
		if (netd_backend_fds_take(r, &b[i]) < 0) {
			fprintf(stderr, "Error: backend '%s' gave no queue fds to hand over.\n", argv[i]);
			rc = EXIT_FAILED;
		}
		netd_reply_free(r);
		if (rc == EXIT_OK && !b[i].vhost_fds && b[i].vhost_reason &&
		    uses_vhostfds(argv + sep + 1, argc - sep - 1, b[i].name, i == 0))
			fprintf(stderr, "Note: backend %s has no vhost fds (%s); its vhostfds= options are left out.\n",
				argv[i], b[i].vhost_reason);
	}
	if (rc == EXIT_OK) {
		fflush(NULL);
		rc = netd_exec(b, (size_t)n, argv + sep + 1, &err);
		/* Only back here on failure. */
		fprintf(stderr, "Error: %s.\n", err ? err : strerror(-rc));
		free(err);
		rc = rc == -EINVAL ? EXIT_USAGE : rc == -ENOENT ? 127 : 126;
		/* The fds were renumbered or closed: exit without touching them again. */
		exit(rc);
	}
	for (int i = 0; i < n; i++)
		netd_backend_fds_release(&b[i]);
	free(b);
	return rc;
}

const struct ctl_object obj_exec = { "exec", exec_run, exec_help };
