/* SPDX-License-Identifier: MIT */
/* netdctl qmp { attach | detach | help } — hand a backend to a running QEMU.
 *
 * The QMP socket is opened here, in the CLI, with the caller's rights: netd only
 * re-issues the backend's fds (backend.open), so nobody can make root netd talk to a
 * socket they could not open themselves. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

static void qmp_help(FILE *f)
{
	fprintf(f,
		"Usage: netdctl qmp attach BACKEND QMP_SOCKET [ id NETDEV_ID ] [ force ]\n"
		"                          [ timeout SECONDS ] [ device DRIVER [ DEVOPTS ] ]\n"
		"       netdctl qmp detach BACKEND QMP_SOCKET [ id NETDEV_ID ] [ device DEVICE_ID ]\n"
		"                          [ wait SECONDS ] [ timeout SECONDS ]\n"
		"       netdctl qmp help\n"
		"Where: NETDEV_ID := QEMU id of the tap netdev (default: BACKEND)\n"
		"       DRIVER    := QEMU NIC model, e.g. virtio-net-pci (mq and vectors are set\n"
		"                    for a multi-queue backend, mac is the backend's)\n"
		"       DEVOPTS   := KEY=VALUE[,KEY=VALUE]...  more device_add options, e.g.\n"
		"                    bus=pcie.1,addr=0x3; id= names the device (default: NETDEV_ID)\n"
		"       DEVICE_ID := the device to unplug first (default: NETDEV_ID when that\n"
		"                    device exists and uses the netdev)\n"
		"       wait      := how long detach waits for the guest to release the device\n"
		"                    (default 5); timeout := per QMP reply (default 5)\n"
		"QMP_SOCKET is opened with the caller's rights, not netd's. attach takes the fds\n"
		"with \"backend open\" (refused while another process holds queues, unless force).\n");
}

static int parse_seconds(const char *word, const char *s, bool zero_ok, int *ret_ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 3600 || (!zero_ok && v < 0.001))
		return usage_error("\"%s\" takes seconds (%s to 3600), not \"%s\"", word, zero_ok ? "0" : "0.001", s);
	*ret_ms = (int)(v * 1000 + 0.5);
	return EXIT_OK;
}

/* The value of KEY in "k=v,k=v" (",," escapes a comma), or NULL; malloc'd. */
static char *find_opt(const char *opts, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = opts; p && *p;) {
		const char *end = p;
		while (*end && !(*end == ',' && end[1] != ','))
			end += (*end == ',' ? 2 : 1);
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return strndup(p + klen + 1, (size_t)(end - p - klen - 1));
		p = *end ? end + 1 : end;
	}
	return NULL;
}

static void print_attach(const char *backend, const struct netd_qmp_attach *a, const char *dev_id,
			 const struct netd_backend_fds *f)
{
	if (ctl.json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "backend", json_object_new_string(backend));
		json_object_object_add(o, "qmp", json_object_new_string(a->qmp_path));
		json_object_object_add(o, "netdev", json_object_new_string(a->netdev_id));
		json_object_object_add(o, "queues", json_object_new_int((int)a->n_queues));
		json_object_object_add(o, "vhost", json_object_new_boolean(a->vhost_fds != NULL));
		if (f->vhost_reason)
			json_object_object_add(o, "vhost_reason", json_object_new_string(f->vhost_reason));
		if (a->device) {
			json_object_object_add(o, "device", json_object_new_string(a->device));
			json_object_object_add(o, "device_id", json_object_new_string(dev_id));
			if (a->mac)
				json_object_object_add(o, "mac", json_object_new_string(a->mac));
		}
		print_json(o);
		json_object_put(o);
		return;
	}
	printf("%s: netdev %s in QEMU at %s, %zu queue%s, vhost %s", backend, a->netdev_id, a->qmp_path,
	       a->n_queues, a->n_queues == 1 ? "" : "s", a->vhost_fds ? "on" : "off");
	if (f->vhost_reason)
		printf(" (vhost: %s)", f->vhost_reason);
	if (a->device)
		printf("\n    device %s %s%s%s", dev_id, a->device, a->mac ? " mac " : "", a->mac ? a->mac : "");
	putchar('\n');
}

static int do_attach(int argc, char **argv)
{
	struct netd_qmp_attach a = { 0 };
	struct netd_backend_fds f = { 0 };
	struct netd_reply *r = NULL;
	char *err = NULL, *dev_id = NULL;
	bool force = false;
	json_object *args;
	int rc;

	if (argc < 2)
		return usage_error("qmp attach needs BACKEND and QMP_SOCKET, try \"netdctl qmp help\"");
	a.qmp_path = argv[1];
	a.netdev_id = argv[0];
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "force")) {
			force = true;
			continue;
		}
		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value, try \"netdctl qmp help\"", argv[i]);
		if (!strcmp(argv[i], "id")) {
			a.netdev_id = argv[++i];
		} else if (!strcmp(argv[i], "timeout")) {
			if ((rc = parse_seconds(argv[i], argv[i + 1], false, &a.timeout_ms)))
				return rc;
			i++;
		} else if (!strcmp(argv[i], "device")) {
			a.device = argv[++i];
			if (i + 1 < argc && strchr(argv[i + 1], '='))
				a.device_opts = argv[++i];
		} else {
			return usage_error("argument \"%s\" is wrong, try \"netdctl qmp help\"", argv[i]);
		}
	}

	/* Bad ids or device options: say so before netd hands out any fd. */
	if (netd_qmp_attach_check(&a, &err) < 0) {
		rc = usage_error("%s", err);
		free(err);
		return rc;
	}
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(argv[0]));
	if (force)
		json_object_object_add(args, "force", json_object_new_boolean(1));
	rc = ctl_call("backend.open", args, &r);
	if (rc)
		return rc;
	rc = netd_backend_fds_take(r, &f);
	netd_reply_free(r);
	if (rc < 0) {
		fprintf(stderr, "Error: backend '%s' gave no queue fds to hand to QEMU.\n", argv[0]);
		return EXIT_FAILED;
	}
	a.queue_fds = f.queue_fds;
	a.n_queues = f.n_queues;
	a.vhost_fds = f.vhost_fds; /* NULL unless netd said vhost is active */
	a.mac = f.mac;
	if (a.device) {
		dev_id = find_opt(a.device_opts, "id");
		if (!dev_id)
			dev_id = strdup(a.netdev_id);
	}
	rc = netd_qmp_attach(&a, &err);
	if (rc < 0) {
		fprintf(stderr, "Error: %s.\n", err ? err : strerror(-rc));
		rc = rc == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
	} else {
		print_attach(argv[0], &a, dev_id, &f);
	}
	free(err);
	free(dev_id);
	netd_backend_fds_release(&f); /* QEMU holds its own copies now */
	return rc;
}

static int do_detach(int argc, char **argv)
{
	struct netd_qmp_detach d = { .unplug_wait_ms = 5000 };
	bool pending = false;
	char *err = NULL;
	int rc;

	if (argc < 2)
		return usage_error("qmp detach needs BACKEND and QMP_SOCKET, try \"netdctl qmp help\"");
	d.netdev_id = argv[0];
	d.qmp_path = argv[1];
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value, try \"netdctl qmp help\"", argv[i]);
		if (!strcmp(argv[i], "id"))
			d.netdev_id = argv[i + 1];
		else if (!strcmp(argv[i], "device"))
			d.device_id = argv[i + 1];
		else if (!strcmp(argv[i], "wait")) {
			if ((rc = parse_seconds(argv[i], argv[i + 1], true, &d.unplug_wait_ms)))
				return rc;
		} else if (!strcmp(argv[i], "timeout")) {
			if ((rc = parse_seconds(argv[i], argv[i + 1], false, &d.timeout_ms)))
				return rc;
		} else
			return usage_error("argument \"%s\" is wrong, try \"netdctl qmp help\"", argv[i]);
	}
	/* Nothing to ask netd: QEMU's copies of the fds go with its netdev. */
	rc = netd_qmp_detach(&d, &pending, &err);
	if (rc < 0) {
		fprintf(stderr, "Error: %s.\n", err ? err : strerror(-rc));
		free(err);
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
	}
	if (pending)
		fprintf(stderr, "Note: the guest has not released device %s yet; netdev %s is removed and "
			"QEMU finishes the unplug when the guest acknowledges it.\n",
			d.device_id ? d.device_id : d.netdev_id, d.netdev_id);
	if (ctl.json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "netdev", json_object_new_string(d.netdev_id));
		json_object_object_add(o, "device_pending", json_object_new_boolean(pending));
		print_json(o);
		json_object_put(o);
	}
	return EXIT_OK;
}

static int qmp_run(int argc, char **argv)
{
	if (argc == 0 || matches(argv[0], "help")) {
		qmp_help(argc ? stdout : stderr);
		return argc ? EXIT_OK : EXIT_USAGE;
	}
	if (argc == 2 && matches(argv[1], "help") && (matches(argv[0], "attach") || matches(argv[0], "detach"))) {
		qmp_help(stdout);
		return EXIT_OK;
	}
	if (matches(argv[0], "attach"))
		return do_attach(argc - 1, argv + 1);
	if (matches(argv[0], "detach"))
		return do_detach(argc - 1, argv + 1);
	fprintf(stderr, "Command \"%s\" is unknown, try \"netdctl qmp help\".\n", argv[0]);
	return EXIT_USAGE;
}

const struct ctl_object obj_qmp = { "qmp", qmp_run, qmp_help };
