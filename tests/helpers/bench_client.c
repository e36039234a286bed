/* SPDX-License-Identifier: MIT */
/*
 * bench_client: drives netd through libnetd fast enough to measure it (no process
 * start-up per request).  Times are wall-clock ns around one netd_call(), from the
 * request sent to the reply (and its fds) received.
 *
 *   bench_client SOCK worker GUEST STATS KIND LOWER   bench_pair worker: one backend.add
 *                                                     per input line; at the end one
 *                                                     guest.del for all of them
 *   bench_client SOCK fill GUEST N STATS KIND LOWER   create N backends, untimed; their
 *                                                     fds are closed, the backends stay
 *   bench_client SOCK guestdel LABEL GUEST            time one guest.del
 *   bench_client SOCK delone LABEL GUEST [N]          time backend.del of (N of) the
 *                                                     guest's backends, one by one
 *   bench_client SOCK open LABEL GUEST N              time backend.open of N of them
 *   bench_client SOCK ping                            bench_pair worker: one "version"
 *                                                     call per line, the daemon's floor
 *   bench_client SOCK noops LABEL N                   time N "version" calls in a row
 *   bench_client SOCK names GUEST                     the guest's backend names
 *   bench_client SOCK count                           how many backends netd holds
 *
 * KIND LOWER is "tap BRIDGE" or "macvtap LOWER_DEVICE"; STATS is on or off (the
 * backend's eBPF counters).  Backends get vhost off: the floor opens no vhost fd
 * either.  Timed subcommands print "LABEL NS" per operation.
 */
#include "netd/netd.h"
#include "bench_common.h"

struct client {
	struct netd *n;
	const char *guest, *kind, *lower;
	bool stats;
	struct fdlist fds;
};

static void connect_or_die(struct client *c, const char *sock)
{
	int rc = netd_connect(sock, &c->n);

	if (rc < 0)
		die("cannot connect to netd at %s: %s", sock, strerror(-rc));
}

/* One call; on failure, die saying what netd said. */
static struct netd_reply *call(struct client *c, const char *verb, json_object *args)
{
	struct netd_reply *r;
	int rc = netd_call(c->n, verb, args, &r);

	if (rc < 0)
		die("%s failed: %s", verb, r ? netd_reply_error(r) : strerror(-rc));
	return r;
}

static json_object *name_args(const char *key, const char *value)
{
	json_object *a = json_object_new_object();

	json_object_object_add(a, key, json_object_new_string(value));
	return a;
}

static json_object *add_args(const struct client *c)
{
	json_object *a = name_args("guest", c->guest);

	json_object_object_add(a, "type", json_object_new_string(c->kind));
	json_object_object_add(a, !strcmp(c->kind, "tap") ? "bridge" : "link", json_object_new_string(c->lower));
	json_object_object_add(a, "stats", json_object_new_boolean(c->stats));
	json_object_object_add(a, "vhost", json_object_new_string("off"));
	return a;
}

/* backend.add, its queue fd kept: what a launcher does before starting QEMU. */
static int64_t add_op(void *ctx)
{
	struct client *c = ctx;
	json_object *args = add_args(c);
	struct netd_reply *r;
	uint64_t t0 = now_ns(), t1;
	int rc = netd_call(c->n, "backend.add", args, &r), fd = -1;

	if (rc == 0)
		fd = netd_reply_take_fd(r, "queue", 0);
	t1 = now_ns();
	if (rc < 0 || fd < 0) {
		fprintf(stderr, "bench_client: backend.add for guest '%s' failed: %s\n", c->guest,
			rc < 0 ? (r ? netd_reply_error(r) : strerror(-rc)) : "no queue fd in the reply");
		netd_reply_free(r);
		return rc < 0 ? rc : -EPROTO;
	}
	netd_reply_free(r);
	fdlist_add(&c->fds, fd);
	return (int64_t)(t1 - t0);
}

/* A request that does nothing: what any netd call costs (socket, JSON, one loop turn). */
static int64_t ping_op(void *ctx)
{
	struct client *c = ctx;
	struct netd_reply *r;
	uint64_t t0 = now_ns(), t1;
	int rc = netd_call(c->n, "version", NULL, &r);

	t1 = now_ns();
	netd_reply_free(r);
	if (rc < 0)
		return op_failed(-rc, "version call");
	return (int64_t)(t1 - t0);
}

/* The guest's backend names, from guest.list. */
static json_object *guest_backends(struct client *c, const char *guest)
{
	struct netd_reply *r = call(c, "guest.list", name_args("guest", guest));
	json_object *items, *names;

	if (!json_object_object_get_ex(r->result, "items", &items) || json_object_array_length(items) != 1 ||
	    !json_object_object_get_ex(json_object_array_get_idx(items, 0), "backends", &names))
		die("guest.list for '%s' has no backend names", guest);
	json_object_get(names);
	netd_reply_free(r);
	return names;
}

static void guest_del(struct client *c, const char *guest)
{
	netd_reply_free(call(c, "guest.del", name_args("guest", guest)));
}

static int parse_kind(struct client *c, char **argv)
{
	if (strcmp(argv[0], "on") && strcmp(argv[0], "off"))
		return -1;
	if (strcmp(argv[1], "tap") && strcmp(argv[1], "macvtap"))
		return -1;
	c->stats = !strcmp(argv[0], "on");
	c->kind = argv[1];
	c->lower = argv[2];
	return 0;
}

static int cmd_worker(struct client *c, int argc, char **argv)
{
	int rc;

	if (argc != 4 || parse_kind(c, argv + 1) < 0)
		return -1;
	c->guest = argv[0];
	rc = worker_loop(add_op, c);
	if (c->fds.n)
		guest_del(c, c->guest);
	fdlist_close_all(&c->fds);
	return rc;
}

static int cmd_ping(struct client *c, int argc, char **argv)
{
	return argc == 0 ? worker_loop(ping_op, c) : -1;
}

static int cmd_noops(struct client *c, int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : -1;

	for (long i = 0; i < n; i++) {
		int64_t ns = ping_op(c);
		if (ns < 0)
			return 1;
		printf("%s %lld\n", argv[0], (long long)ns);
	}
	return n < 0 ? -1 : 0;
}

static int cmd_fill(struct client *c, int argc, char **argv)
{
	long n;

	if (argc != 5 || (n = strtol(argv[1], NULL, 10)) < 1 || parse_kind(c, argv + 2) < 0)
		return -1;
	c->guest = argv[0];
	raise_nofile((size_t)n);
	for (long i = 0; i < n; i++)
		if (add_op(c) < 0)
			return 1;
	fdlist_close_all(&c->fds);
	return 0;
}

static int cmd_guestdel(struct client *c, int argc, char **argv)
{
	struct netd_reply *r;
	json_object *v;
	uint64_t t0, t1;
	int rc;

	if (argc != 2)
		return -1;
	t0 = now_ns();
	rc = netd_call(c->n, "guest.del", name_args("guest", argv[1]), &r);
	t1 = now_ns();
	if (rc < 0)
		die("guest.del '%s' failed: %s", argv[1], r ? netd_reply_error(r) : strerror(-rc));
	if (!json_object_object_get_ex(r->result, "deleted", &v) || json_object_get_int(v) < 1)
		die("guest.del '%s' deleted nothing", argv[1]);
	printf("%s %llu\n", argv[0], (unsigned long long)(t1 - t0));
	netd_reply_free(r);
	return 0;
}

/* backend.del or backend.open of up to `max` of the guest's backends, each timed. */
static int each_backend(struct client *c, const char *label, const char *guest, long max, bool open)
{
	json_object *names = guest_backends(c, guest);
	size_t n = json_object_array_length(names);

	if (max >= 0 && (size_t)max < n)
		n = (size_t)max;
	raise_nofile(n);
	for (size_t i = 0; i < n; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(names, i));
		struct netd_reply *r;
		uint64_t t0 = now_ns(), t1;
		int rc = netd_call(c->n, open ? "backend.open" : "backend.del", name_args("name", name), &r);
		int fd = rc == 0 && open ? netd_reply_take_fd(r, "queue", 0) : -1;

		t1 = now_ns();
		if (rc < 0 || (open && fd < 0))
			die("%s '%s' failed: %s", open ? "backend.open" : "backend.del", name,
			    rc < 0 ? (r ? netd_reply_error(r) : strerror(-rc)) : "no queue fd in the reply");
		if (fd >= 0)
			fdlist_add(&c->fds, fd);
		printf("%s %llu\n", label, (unsigned long long)(t1 - t0));
		netd_reply_free(r);
	}
	json_object_put(names);
	fdlist_close_all(&c->fds);
	return 0;
}

static int cmd_delone(struct client *c, int argc, char **argv)
{
	if (argc != 2 && argc != 3)
		return -1;
	return each_backend(c, argv[0], argv[1], argc == 3 ? strtol(argv[2], NULL, 10) : -1, false);
}

static int cmd_open(struct client *c, int argc, char **argv)
{
	if (argc != 3)
		return -1;
	return each_backend(c, argv[0], argv[1], strtol(argv[2], NULL, 10), true);
}

static int cmd_names(struct client *c, int argc, char **argv)
{
	json_object *names;

	if (argc != 1)
		return -1;
	names = guest_backends(c, argv[0]);
	for (size_t i = 0; i < json_object_array_length(names); i++)
		puts(json_object_get_string(json_object_array_get_idx(names, i)));
	json_object_put(names);
	return 0;
}

static int cmd_count(struct client *c, int argc, char **argv)
{
	struct netd_reply *r;
	json_object *v;

	if (argc != 0)
		return -1;
	r = call(c, "version", NULL);
	if (!json_object_object_get_ex(r->result, "backends", &v))
		die("version reply has no backend count");
	printf("%d\n", json_object_get_int(v));
	netd_reply_free(r);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct client *c, int argc, char **argv);
} cmds[] = {
	{ "worker", cmd_worker }, { "ping", cmd_ping }, { "fill", cmd_fill }, { "guestdel", cmd_guestdel },
	{ "delone", cmd_delone }, { "open", cmd_open }, { "names", cmd_names }, { "count", cmd_count },
	{ "noops", cmd_noops },
};

int main(int argc, char **argv)
{
	struct client c = { 0 };

	if (argc < 3)
		goto usage;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int rc;

		if (strcmp(cmds[i].name, argv[2]))
			continue;
		connect_or_die(&c, argv[1]);
		rc = cmds[i].fn(&c, argc - 3, argv + 3);
		netd_disconnect(c.n);
		if (rc < 0)
			goto usage;
		return rc;
	}
usage:
	fprintf(stderr,
		"Usage: bench_client SOCK { worker GUEST STATS KIND LOWER | fill GUEST N STATS KIND LOWER |\n"
		"                           guestdel LABEL GUEST | delone LABEL GUEST [N] | open LABEL GUEST N |\n"
		"                           ping | noops LABEL N | names GUEST | count }\n"
		"Where: STATS := { on | off }  KIND LOWER := { tap BRIDGE | macvtap LOWER_DEVICE }\n");
	return 2;
}
