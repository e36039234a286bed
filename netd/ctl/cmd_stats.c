/* SPDX-License-Identifier: MIT */
/* netdctl stats { show | export | help }: the eBPF counters, per backend and per
 * guest, with rates from two reads. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "ctl/stats_fmt.h"

static void stats_help(FILE *f)
{
	fprintf(f,
		"Usage: netdctl [ -s ] [ -d ] [ -j ] stats show [ guest GUEST | backend NAME ] [ -w SECS ]\n"
		"       netdctl stats export prometheus\n"
		"Where: -s       adds packets/s and bits/s, over one second or SECS\n"
		"       -d       adds the frame size histogram\n"
		"       -w SECS  refreshes every SECS seconds, like watch(1)\n"
		"Directions are the guest's: RX is host to guest, TX is guest to host.\n"
		"export prometheus prints the node_exporter textfile-collector format; write it to\n"
		"a temporary file and rename it into the collector's directory.\n");
}

struct show_opts {
	const char *guest, *backend;
	double wait;   /* seconds between reads, 0: one read */
};

static int parse_show(int argc, char **argv, struct show_opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *k = argv[i];
		char *end;

		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value, try \"netdctl stats help\"", k);
		if (!strcmp(k, "guest") || !strcmp(k, "backend") || !strcmp(k, "dev")) {
			if (o->guest || o->backend)
				return usage_error("give one guest or one backend, not both");
			if (!strcmp(k, "guest"))
				o->guest = argv[++i];
			else
				o->backend = argv[++i];
		} else if (!strcmp(k, "-w") || !strcmp(k, "-wait")) {
			errno = 0;
			o->wait = strtod(argv[++i], &end);
			if (*end || errno || !(o->wait >= 0.1 && o->wait <= 86400))
				return usage_error("argument \"%s\" is wrong: -w takes seconds from 0.1 to 86400",
						   argv[i]);
		} else {
			return usage_error("argument \"%s\" is wrong, try \"netdctl stats help\"", k);
		}
	}
	return EXIT_OK;
}

static int read_stats(const struct show_opts *o, struct netd_reply **r)
{
	json_object *args = json_object_new_object();

	if (o->guest)
		json_object_object_add(args, "guest", json_object_new_string(o->guest));
	if (o->backend)
		json_object_object_add(args, "backend", json_object_new_string(o->backend));
	return ctl_call("stats.show", args, r);
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void print_text(json_object *result, bool rates)
{
	json_object *items, *bounds = NULL, *rx, *tx, *v;

	json_object_object_get_ex(result, "hist_bounds", &bounds);
	if (!json_object_object_get_ex(result, "items", &items))
		return;
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *row = json_object_array_get_idx(items, i);
		bool guest = !strcmp(jstre(row, "scope"), "guest");

		if (guest)
			printf("guest %s: backends %d counted %d\n", jstre(row, "guest"),
			       (int)ju64(row, "backends"), (int)ju64(row, "counted"));
		else
			printf("%s: guest %s type %s%s\n", jstre(row, "name"), jstre(row, "guest"), jstre(row, "type"),
			       !json_object_object_get_ex(row, "rx", NULL) ?
			       (json_object_object_get_ex(row, "stats", &v) && !json_object_get_boolean(v) ?
				" stats off" : " no counters") : "");
		if (json_object_object_get_ex(row, "rx", &rx) && json_object_object_get_ex(row, "tx", &tx)) {
			stats_print_dir("RX", rx, bounds, rates);
			stats_print_dir("TX", tx, bounds, rates);
		}
	}
}

/* -j: {time_ns, interval_ns?, hist_bounds, guests:[...], backends:[...]} */
static void print_json_doc(json_object *result)
{
	json_object *doc = json_object_new_object(), *g = json_object_new_array(),
		    *b = json_object_new_array(), *items;

	json_object_object_foreach(result, k, v)
		if (strcmp(k, "items"))
			json_object_object_add(doc, k, json_object_get(v));
	if (json_object_object_get_ex(result, "items", &items))
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			json_object *row = json_object_array_get_idx(items, i);
			json_object_array_add(strcmp(jstre(row, "scope"), "guest") ? b : g, json_object_get(row));
		}
	json_object_object_add(doc, "guests", g);
	json_object_object_add(doc, "backends", b);
	print_json(doc);
	json_object_put(doc);
}

static void print_result(json_object *result, bool rates)
{
	if (ctl.json)
		print_json_doc(result);
	else
		print_text(result, rates);
	fflush(stdout);
}

static int do_show(int argc, char **argv)
{
	struct show_opts o = { 0 };
	struct netd_reply *prev, *cur;
	int rc = parse_show(argc, argv, &o);
	bool clear = !ctl.json && isatty(STDOUT_FILENO);

	if (rc)
		return rc;
	if ((rc = read_stats(&o, &prev)))
		return rc;
	if (!o.wait && !ctl.stats) {
		print_result(prev->result, false);
		netd_reply_free(prev);
		return EXIT_OK;
	}
	/* Rates need a second read: after one second for -s, every SECS for -w. */
	for (;;) {
		sleep_s(o.wait ? o.wait : 1);
		if ((rc = read_stats(&o, &cur))) {
			netd_reply_free(prev);
			return rc;
		}
		stats_add_rates(prev->result, cur->result);
		if (o.wait && clear)
			fputs("\033[H\033[2J", stdout);
		print_result(cur->result, true);
		netd_reply_free(prev);
		prev = cur;
		if (!o.wait)
			break;
		if (!clear && !ctl.json)
			putchar('\n');
	}
	netd_reply_free(prev);
	return EXIT_OK;
}

static int do_export(int argc, char **argv)
{
	struct show_opts o = { 0 };
	struct netd_reply *r;
	int rc;

	if (argc != 1 || !matches(argv[0], "prometheus"))
		return usage_error("usage: netdctl stats export prometheus");
	if ((rc = read_stats(&o, &r)))
		return rc;
	prom_write(stdout, r->result);
	netd_reply_free(r);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

static int stats_run(int argc, char **argv)
{
	if (argc == 0)
		return do_show(0, argv);
	if (matches(argv[0], "show") || matches(argv[0], "list"))
		return do_show(argc - 1, argv + 1);
	if (matches(argv[0], "export"))
		return do_export(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		stats_help(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "Command \"%s\" is unknown, try \"netdctl stats help\".\n", argv[0]);
	return EXIT_USAGE;
}

const struct ctl_object obj_stats = { "stats", stats_run, stats_help };
