/* SPDX-License-Identifier: MIT */
/* netdctl backend { add | del | show | open | help } */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/stats_fmt.h"

static void backend_help(FILE *f)
{
	fprintf(f,
		"Usage: netdctl backend add GUEST type TYPE [ name IFNAME ] [ queues N ]\n"
		"                          [ vhost { on | off | auto } ] [ vnet_hdr { on | off } ]\n"
		"                          [ mac LLADDR ] [ mtu MTU ] [ stats { on | off } ] [ TYPE_ARGS ]\n"
		"       netdctl backend del NAME\n"
		"       netdctl backend show [ NAME | guest GUEST ]\n"
		"       netdctl backend open NAME [ force ]\n"
		"Where: TYPE := { tap | macvtap | vf }\n"
		"       tap:     [ bridge BRIDGE ] [ owner UID ] [ group GID ]\n"
		"       macvtap: link DEV [ mode { bridge | vepa | private | passthru | source } ]\n"
		"                [ source-mac LLADDR ]... [ nopromisc ]\n"
		"       vf:      pf DEV [ vf N ] [ mode { hostdev | macvtap } ] [ vlan VID [ qos Q ]\n"
		"                [ proto { 802.1Q | 802.1ad } ] ] [ spoofchk { on | off } ]\n"
		"                [ trust { on | off } ] [ state { auto | enable | disable } ]\n"
		"                [ min_tx_rate MBPS ] [ max_tx_rate MBPS ]\n"
		"       N := 1..64\n");
}

enum argtype { A_STR, A_UINT, A_ONOFF, A_FLAG, A_STRLIST };

struct keyword {
	const char *word;
	const char *key;
	enum argtype type;
};

/* Keywords of backend add; the daemon refuses those the chosen type does not take. */
static const struct keyword add_keywords[] = {
	{ "type", "type", A_STR },        { "name", "name", A_STR },
	{ "queues", "queues", A_UINT },   { "vhost", "vhost", A_STR },
	{ "vnet_hdr", "vnet_hdr", A_ONOFF }, { "mac", "mac", A_STR },
	{ "address", "mac", A_STR },      { "mtu", "mtu", A_UINT },
	{ "stats", "stats", A_ONOFF },    { "bridge", "bridge", A_STR },
	{ "master", "bridge", A_STR },    { "owner", "owner", A_UINT },
	{ "group", "group", A_UINT },     { "link", "link", A_STR },
	{ "mode", "mode", A_STR },        { "source-mac", "source_mac", A_STRLIST },
	{ "nopromisc", "nopromisc", A_FLAG }, { "pf", "pf", A_STR },
	{ "vf", "vf", A_UINT },           { "vlan", "vlan", A_UINT },
	{ "qos", "qos", A_UINT },         { "proto", "vlan_proto", A_STR },
	{ "spoofchk", "spoofchk", A_ONOFF }, { "trust", "trust", A_ONOFF },
	{ "state", "link_state", A_STR }, { "min_tx_rate", "min_tx_rate", A_UINT },
	{ "max_tx_rate", "max_tx_rate", A_UINT }, { "query_rss", "query_rss", A_ONOFF },
	{ "bind-pid", "bind_pid", A_UINT },
	{ NULL, NULL, 0 }
};

static int parse_uint_arg(const char *s, unsigned long long *ret)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*ret = strtoull(s, &end, 0);
	return *end || errno ? -EINVAL : 0;
}

int parse_backend_add(int argc, char **argv, json_object **ret, char *err, size_t errlen)
{
	json_object *args;

	*ret = NULL;
	if (argc < 1) {
		snprintf(err, errlen, "backend add needs a GUEST name");
		return EXIT_USAGE;
	}
	args = json_object_new_object();
	json_object_object_add(args, "guest", json_object_new_string(argv[0]));
	for (int i = 1; i < argc; i++) {
		const struct keyword *k;
		unsigned long long u;

		for (k = add_keywords; k->word && strcmp(k->word, argv[i]); k++)
			;
		if (!k->word) {
			snprintf(err, errlen, "argument \"%s\" is wrong: unknown keyword, try \"netdctl backend help\"", argv[i]);
			goto bad;
		}
		if (k->type == A_FLAG) {
			json_object_object_add(args, k->key, json_object_new_boolean(1));
			continue;
		}
		if (++i >= argc) {
			snprintf(err, errlen, "\"%s\" needs a value", k->word);
			goto bad;
		}
		if (json_object_object_get_ex(args, k->key, NULL) && k->type != A_STRLIST) {
			snprintf(err, errlen, "duplicate \"%s\"", k->word);
			goto bad;
		}
		switch (k->type) {
		case A_STR:
			json_object_object_add(args, k->key, json_object_new_string(argv[i]));
			break;
		case A_UINT:
			if (parse_uint_arg(argv[i], &u) < 0 || u > 0xffffffffULL) {
				snprintf(err, errlen, "argument \"%s\" is wrong: \"%s\" is not a number", argv[i], k->word);
				goto bad;
			}
			json_object_object_add(args, k->key, json_object_new_int64((int64_t)u));
			break;
		case A_ONOFF:
			if (strcmp(argv[i], "on") && strcmp(argv[i], "off")) {
				snprintf(err, errlen, "argument \"%s\" is wrong: \"%s\" takes on or off", argv[i], k->word);
				goto bad;
			}
			json_object_object_add(args, k->key, json_object_new_boolean(!strcmp(argv[i], "on")));
			break;
		case A_STRLIST: {
			json_object *list;
			if (!json_object_object_get_ex(args, k->key, &list)) {
				list = json_object_new_array();
				json_object_object_add(args, k->key, list);
			}
			json_object_array_add(list, json_object_new_string(argv[i]));
			break;
		}
		case A_FLAG:
			break;
		}
	}
	if (!json_object_object_get_ex(args, "type", NULL)) {
		snprintf(err, errlen, "backend add needs \"type tap|macvtap|vf\"");
		goto bad;
	}
	*ret = args;
	return EXIT_OK;
bad:
	json_object_put(args);
	return EXIT_USAGE;
}

static void print_backend_text(json_object *b)
{
	json_object *v;

	printf("%s: guest %s type %s", jstr(b, "name"), jstr(b, "guest"), jstr(b, "type"));
	if (jstr(b, "state"))
		printf(" state %s", jstr(b, "state"));
	if (json_object_object_get_ex(b, "mtu", &v))
		printf(" mtu %d", json_object_get_int(v));
	if (jstr(b, "master"))
		printf(" master %s", jstr(b, "master"));
	if (jstr(b, "link"))
		printf(" link %s", jstr(b, "link"));
	if (jstr(b, "mode"))
		printf(" mode %s", jstr(b, "mode"));
	printf(ctl.oneline ? " " : "\n    ");
	if (jstr(b, "mac"))
		printf("mac %s ", jstr(b, "mac"));
	if (ctl.details && jstr(b, "host_mac"))
		printf("host_mac %s ", jstr(b, "host_mac"));
	printf("queues %d", json_object_object_get_ex(b, "queues", &v) ? json_object_get_int(v) : 0);
	if (json_object_object_get_ex(b, "attached_queues", &v))
		printf(" attached %d", json_object_get_int(v));
	printf(" vhost %s", jstr(b, "vhost"));
	if (json_object_object_get_ex(b, "vnet_hdr", &v))
		printf(" vnet_hdr %s", json_object_get_boolean(v) ? "on" : "off");
	if (json_object_object_get_ex(b, "stats", &v))
		printf(" stats %s", json_object_get_boolean(v) ? "on" : "off");
	if (jstr(b, "pf"))
		printf(" pf %s vf %s", jstr(b, "pf"), jstr(b, "vf"));
	if (ctl.details) {
		printf(ctl.oneline ? " " : "\n    ");
		printf("ifindex %s", jstr(b, "ifindex"));
		if (jstr(b, "uid"))
			printf(" uid %s", jstr(b, "uid"));
		if (jstr(b, "group"))
			printf(" group %s", jstr(b, "group"));
		if (jstr(b, "owner"))
			printf(" owner %s", jstr(b, "owner"));
		if (jstr(b, "group_id"))
			printf(" tap_group %s", jstr(b, "group_id"));
		if (json_object_object_get_ex(b, "multi_queue", &v))
			printf(" multi_queue %s", json_object_get_boolean(v) ? "on" : "off");
	}
	putchar('\n');
}

static void print_fds_text(json_object *result, const struct netd_reply *r)
{
	json_object *vh, *v;
	unsigned queues = 0, vhost = 0;

	for (size_t i = 0; i < r->n_fds; i++) {
		if (!strcmp(r->fds[i].role, "vhost"))
			vhost++;
		else
			queues++;
	}
	printf("    fds: %u queue%s, %u vhost", queues, queues == 1 ? "" : "s", vhost);
	if (json_object_object_get_ex(result, "vhost_fds", &vh) &&
	    json_object_object_get_ex(vh, "reason", &v))
		printf(" (vhost: %s)", json_object_get_string(v));
	putchar('\n');
}

static void print_backend_and_fds(json_object *result, const struct netd_reply *r)
{
	print_backend_text(result);
	print_fds_text(result, r);
}

static int do_add(int argc, char **argv)
{
	json_object *args;
	char err[256];
	int rc = parse_backend_add(argc, argv, &args, err, sizeof(err));

	if (rc)
		return usage_error("%s", err);
	return ctl_call_print("backend.add", args, print_backend_and_fds);
}

static int do_del(int argc, char **argv)
{
	struct netd_reply *r;
	json_object *args;
	int rc;

	if (argc != 1)
		return usage_error("backend del takes exactly one NAME");
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(argv[0]));
	rc = ctl_call("backend.del", args, &r);
	netd_reply_free(r);
	return rc;
}

/* Put each backend's counters (one stats.show, one batched read in netd) into its
 * object as "counters": {rx, tx}. */
static void add_counters(json_object *backends)
{
	struct netd_reply *r;
	json_object *rows;

	if (ctl_call("stats.show", NULL, &r))
		return; /* the error is printed; the listing still is */
	if (json_object_object_get_ex(r->result, "items", &rows))
		for (size_t i = 0; i < json_object_array_length(backends); i++) {
			json_object *b = json_object_array_get_idx(backends, i);
			for (size_t k = 0; k < json_object_array_length(rows); k++) {
				json_object *row = json_object_array_get_idx(rows, k), *rx, *tx, *c;
				if (strcmp(jstre(row, "scope"), "backend") || strcmp(jstre(row, "name"), jstre(b, "name")) ||
				    !json_object_object_get_ex(row, "rx", &rx) || !json_object_object_get_ex(row, "tx", &tx))
					continue;
				c = json_object_new_object();
				json_object_object_add(c, "rx", json_object_get(rx));
				json_object_object_add(c, "tx", json_object_get(tx));
				json_object_object_add(b, "counters", c);
				break;
			}
		}
	netd_reply_free(r);
}

static int do_show(int argc, char **argv)
{
	json_object *args = json_object_new_object(), *items;
	const char *verb = "backend.list";
	struct netd_reply *r;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "guest")) {
			if (++i >= argc) {
				json_object_put(args);
				return usage_error("\"guest\" needs a GUEST name");
			}
			json_object_object_add(args, "guest", json_object_new_string(argv[i]));
		} else if (!strcmp(argv[i], "name") || !strcmp(argv[i], "dev") || i == 0) {
			if (strcmp(argv[i], "name") && strcmp(argv[i], "dev"))
				i--;
			if (++i >= argc) {
				json_object_put(args);
				return usage_error("\"name\" needs a NAME");
			}
			json_object_object_add(args, "name", json_object_new_string(argv[i]));
			verb = "backend.show";
		} else {
			json_object_put(args);
			return usage_error("argument \"%s\" is wrong, try \"netdctl backend help\"", argv[i]);
		}
	}
	if (ctl.details)
		json_object_object_add(args, "details", json_object_new_boolean(1));
	rc = ctl_call(verb, args, &r);
	if (rc)
		return rc;
	if (!strcmp(verb, "backend.show")) {
		items = json_object_new_array();
		json_object_array_add(items, json_object_get(r->result));
	} else if (json_object_object_get_ex(r->result, "items", &items)) {
		json_object_get(items);
	} else {
		items = json_object_new_array();
	}
	/* -s: each backend's counters too, as ip -s link shows a link's. */
	if (ctl.stats)
		add_counters(items);
	if (ctl.json)
		print_json(!strcmp(verb, "backend.show") ? json_object_array_get_idx(items, 0) : items);
	else
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			json_object *b = json_object_array_get_idx(items, i), *c, *d;
			print_backend_text(b);
			if (json_object_object_get_ex(b, "counters", &c)) {
				if (json_object_object_get_ex(c, "rx", &d))
					stats_print_dir("RX", d, NULL, false);
				if (json_object_object_get_ex(c, "tx", &d))
					stats_print_dir("TX", d, NULL, false);
			}
		}
	json_object_put(items);
	netd_reply_free(r);
	return EXIT_OK;
}

static int do_open(int argc, char **argv)
{
	json_object *args;

	if (argc < 1 || argc > 2 || (argc == 2 && strcmp(argv[1], "force")))
		return usage_error("usage: netdctl backend open NAME [ force ]");
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(argv[0]));
	if (argc == 2)
		json_object_object_add(args, "force", json_object_new_boolean(1));
	return ctl_call_print("backend.open", args, print_backend_and_fds);
}

static int backend_run(int argc, char **argv)
{
	if (argc == 0)
		return do_show(0, argv);
	if (matches(argv[0], "add") || matches(argv[0], "create"))
		return do_add(argc - 1, argv + 1);
	if (matches(argv[0], "delete") || matches(argv[0], "del"))
		return do_del(argc - 1, argv + 1);
	if (matches(argv[0], "show") || matches(argv[0], "list"))
		return do_show(argc - 1, argv + 1);
	if (matches(argv[0], "open"))
		return do_open(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		backend_help(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "Command \"%s\" is unknown, try \"netdctl backend help\".\n", argv[0]);
	return EXIT_USAGE;
}

const struct ctl_object obj_backend = { "backend", backend_run, backend_help };
