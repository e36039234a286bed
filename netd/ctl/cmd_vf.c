/* SPDX-License-Identifier: MIT */
/* netdctl vf { show | set | help }: one PF's VFs, each VF's settings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/sriov_print.h"

static void vf_help(FILE *f)
{
	fprintf(f,
		"Usage: netdctl vf [ show [ DEV [ vf N ] ] ]\n"
		"       netdctl vf set DEV vf N [ mac LLADDR ]\n"
		"                              [ vlan VLANID [ qos VLAN-QOS ] [ proto VLAN-PROTO ] ]\n"
		"                              [ spoofchk { on | off } ] [ trust { on | off } ]\n"
		"                              [ state { auto | enable | disable } ]\n"
		"                              [ min_tx_rate TXRATE ] [ max_tx_rate TXRATE ]\n"
		"                              [ query_rss { on | off } ]\n"
		"       netdctl vf help\n"
		"Where: N := 0 .. numvfs - 1 of DEV\n"
		"       VLANID := 0-4095   VLAN-QOS := 0-7   VLAN-PROTO := { 802.1Q | 802.1ad }\n"
		"       TXRATE := Mbit/s, 0 for no limit\n");
}

static long long num(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static void print_onoff(json_object *vf, const char *key, const char *words)
{
	json_object *v;

	if (json_object_object_get_ex(vf, key, &v))
		printf(", %s %s", words, json_object_get_boolean(v) ? "on" : "off");
}

void print_vf_text(json_object *vf)
{
	json_object *s, *rx, *tx;

	printf("    vf %lld     link/ether %s", num(vf, "vf"), jstr(vf, "mac") ? jstr(vf, "mac") : "?");
	if (num(vf, "vlan"))
		printf(", vlan %lld", num(vf, "vlan"));
	if (num(vf, "qos"))
		printf(", qos %lld", num(vf, "qos"));
	if (jstr(vf, "vlan_protocol") && strcmp(jstr(vf, "vlan_protocol"), "802.1Q"))
		printf(", vlan protocol %s", jstr(vf, "vlan_protocol"));
	if (num(vf, "max_tx_rate"))
		printf(", max_tx_rate %lldMbps", num(vf, "max_tx_rate"));
	if (num(vf, "min_tx_rate"))
		printf(", min_tx_rate %lldMbps", num(vf, "min_tx_rate"));
	print_onoff(vf, "spoofchk", "spoof checking");
	printf(", link-state %s", jstr(vf, "link_state") ? jstr(vf, "link_state") : "?");
	print_onoff(vf, "trust", "trust");
	print_onoff(vf, "query_rss", "query_rss");
	if (jstr(vf, "guest"))
		printf(", guest %s (%s)", jstr(vf, "guest"), jstr(vf, "backend"));
	if (ctl.details && jstr(vf, "pci"))
		printf(", pci %s", jstr(vf, "pci"));
	putchar('\n');
	if (!ctl.stats || !json_object_object_get_ex(vf, "stats", &s) ||
	    !json_object_object_get_ex(s, "rx", &rx) || !json_object_object_get_ex(s, "tx", &tx))
		return;
	printf("    RX: bytes  packets  mcast   bcast   dropped\n");
	printf("    %-10lld %-8lld %-7lld %-7lld %lld\n", num(rx, "bytes"), num(rx, "packets"),
	       num(rx, "multicast"), num(rx, "broadcast"), num(rx, "dropped"));
	printf("    TX: bytes  packets  dropped\n");
	printf("    %-10lld %-8lld %lld\n", num(tx, "bytes"), num(tx, "packets"), num(tx, "dropped"));
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*ret = strtoull(s, &end, 10);
	return *end || errno || *ret > max ? -EINVAL : 0;
}

/* Every VF of every PF: pf.show's VFs, one list. */
static int show_all(void)
{
	json_object *args = json_object_new_object(), *items, *all = json_object_new_array(), *vfs;
	struct netd_reply *r;
	int rc;

	if (ctl.stats)
		json_object_object_add(args, "stats", json_object_new_boolean(1));
	rc = ctl_call("pf.show", args, &r);
	if (rc) {
		json_object_put(all);
		return rc;
	}
	json_object_object_get_ex(r->result, "items", &items);
	for (size_t i = 0; i < json_object_array_length(items); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(items, i), "vfs", &vfs))
			for (size_t k = 0; k < json_object_array_length(vfs); k++)
				json_object_array_add(all, json_object_get(json_object_array_get_idx(vfs, k)));
	if (ctl.json) {
		print_json(all);
	} else {
		for (size_t i = 0; i < json_object_array_length(all); i++) {
			json_object *vf = json_object_array_get_idx(all, i);
			if (i == 0 || strcmp(jstr(vf, "pf"), jstr(json_object_array_get_idx(all, i - 1), "pf")))
				printf("%s:\n", jstr(vf, "pf"));
			print_vf_text(vf);
		}
	}
	json_object_put(all);
	netd_reply_free(r);
	return EXIT_OK;
}

static int do_show(int argc, char **argv)
{
	json_object *args;
	unsigned long long n;

	if (argc == 0)
		return show_all();
	if (argc != 1 && !(argc == 3 && !strcmp(argv[1], "vf")))
		return usage_error("usage: netdctl vf show [ DEV [ vf N ] ]");
	args = json_object_new_object();
	json_object_object_add(args, "dev", json_object_new_string(argv[0]));
	if (argc == 3) {
		if (parse_uint(argv[2], 65535, &n) < 0) {
			json_object_put(args);
			return usage_error("argument \"%s\" is wrong: \"vf\" takes a VF number", argv[2]);
		}
		json_object_object_add(args, "vf", json_object_new_int64((int64_t)n));
	}
	if (ctl.stats)
		json_object_object_add(args, "stats", json_object_new_boolean(1));
	return ctl_call_print_items("vf.show", args, print_vf_text);
}

enum kw_type { KW_UINT, KW_STR, KW_ONOFF };

static const struct {
	const char *word, *key;
	enum kw_type type;
	unsigned long long max;
} set_keywords[] = {
	{ "mac", "mac", KW_STR, 0 },            { "vlan", "vlan", KW_UINT, 0xffffffffULL },
	{ "qos", "qos", KW_UINT, 0xffffffffULL }, { "proto", "vlan_proto", KW_STR, 0 },
	{ "spoofchk", "spoofchk", KW_ONOFF, 0 }, { "trust", "trust", KW_ONOFF, 0 },
	{ "state", "link_state", KW_STR, 0 },   { "min_tx_rate", "min_tx_rate", KW_UINT, 0xffffffffULL },
	{ "max_tx_rate", "max_tx_rate", KW_UINT, 0xffffffffULL },
	{ "query_rss", "query_rss", KW_ONOFF, 0 },
};

static void print_vf_text_reply(json_object *result, const struct netd_reply *r)
{
	print_vf_text(result);
}

static int do_set(int argc, char **argv)
{
	json_object *args;
	unsigned long long n;

	if (argc < 3 || strcmp(argv[1], "vf"))
		return usage_error("usage: netdctl vf set DEV vf N SETTINGS..., try \"netdctl vf help\"");
	if (parse_uint(argv[2], 65535, &n) < 0)
		return usage_error("argument \"%s\" is wrong: \"vf\" takes a VF number", argv[2]);
	args = json_object_new_object();
	json_object_object_add(args, "dev", json_object_new_string(argv[0]));
	json_object_object_add(args, "vf", json_object_new_int64((int64_t)n));
	for (int i = 3; i < argc; i++) {
		size_t k;

		for (k = 0; k < sizeof(set_keywords) / sizeof(set_keywords[0]); k++)
			if (!strcmp(argv[i], set_keywords[k].word))
				break;
		if (k == sizeof(set_keywords) / sizeof(set_keywords[0])) {
			json_object_put(args);
			return usage_error("argument \"%s\" is wrong: unknown keyword, try \"netdctl vf help\"", argv[i]);
		}
		if (++i >= argc) {
			json_object_put(args);
			return usage_error("\"%s\" needs a value", set_keywords[k].word);
		}
		if (json_object_object_get_ex(args, set_keywords[k].key, NULL)) {
			json_object_put(args);
			return usage_error("duplicate \"%s\"", set_keywords[k].word);
		}
		switch (set_keywords[k].type) {
		case KW_STR:
			json_object_object_add(args, set_keywords[k].key, json_object_new_string(argv[i]));
			break;
		case KW_UINT:
			if (parse_uint(argv[i], set_keywords[k].max, &n) < 0) {
				json_object_put(args);
				return usage_error("argument \"%s\" is wrong: \"%s\" takes a number", argv[i],
						   set_keywords[k].word);
			}
			json_object_object_add(args, set_keywords[k].key, json_object_new_int64((int64_t)n));
			break;
		case KW_ONOFF:
			if (strcmp(argv[i], "on") && strcmp(argv[i], "off")) {
				json_object_put(args);
				return usage_error("argument \"%s\" is wrong: \"%s\" takes on or off", argv[i],
						   set_keywords[k].word);
			}
			json_object_object_add(args, set_keywords[k].key, json_object_new_boolean(!strcmp(argv[i], "on")));
			break;
		}
	}
	return ctl_call_print("vf.set", args, print_vf_text_reply);
}

static int vf_run(int argc, char **argv)
{
	if (argc == 0)
		return do_show(0, argv);
	if (matches(argv[0], "help")) {
		vf_help(stdout);
		return EXIT_OK;
	}
	if (matches(argv[0], "show") || matches(argv[0], "list"))
		return do_show(argc - 1, argv + 1);
	if (matches(argv[0], "set"))
		return do_set(argc - 1, argv + 1);
	fprintf(stderr, "Command \"%s\" is unknown, try \"netdctl vf help\".\n", argv[0]);
	return EXIT_USAGE;
}

const struct ctl_object obj_vf = { "vf", vf_run, vf_help };
