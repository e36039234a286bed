/* SPDX-License-Identifier: MIT */
/* netdctl's argument parsing into request arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "ctl/ctl.h"

static json_object *parse_ok(const char *line)
{
	char buf[512], *argv[64], err[256];
	int argc = 0;
	json_object *args;

	strcpy(buf, line);
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		argv[argc++] = t;
	if (parse_backend_add(argc, argv, &args, err, sizeof(err)))
		fail_msg("'%s': %s", line, err);
	return args;
}

static void parse_fails(const char *line, const char *msg)
{
	char buf[512], *argv[64], err[256] = "";
	int argc = 0;
	json_object *args;

	strcpy(buf, line);
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		argv[argc++] = t;
	assert_int_equal(parse_backend_add(argc, argv, &args, err, sizeof(err)), EXIT_USAGE);
	assert_null(args);
	if (!strstr(err, msg))
		fail_msg("'%s': expected '%s' in '%s'", line, msg, err);
}

static void test_tap_add(void **state)
{
	json_object *a = parse_ok("web1 type tap bridge br0 queues 4 vhost on mac 52:54:00:12:34:56 "
				  "mtu 9000 vnet_hdr off owner 1000 stats off");

	assert_string_equal(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			    "{\"guest\":\"web1\",\"type\":\"tap\",\"bridge\":\"br0\",\"queues\":4,\"vhost\":\"on\","
			    "\"mac\":\"52:54:00:12:34:56\",\"mtu\":9000,\"vnet_hdr\":false,\"owner\":1000,\"stats\":false}");
	json_object_put(a);
}

static void test_macvtap_and_vf_add(void **state)
{
	json_object *a = parse_ok("db1 type macvtap link eth0 mode source source-mac 52:54:00:00:00:01 "
				  "source-mac 52:54:00:00:00:02 queues 2");
	json_object *v;

	assert_true(json_object_object_get_ex(a, "source_mac", &v));
	assert_int_equal(json_object_array_length(v), 2);
	json_object_put(a);
	a = parse_ok("nfv1 type vf pf eth1 vlan 100 qos 3 proto 802.1ad mac 52:54:00:aa:bb:cc spoofchk on");
	assert_true(json_object_object_get_ex(a, "vlan_proto", &v));
	assert_string_equal(json_object_get_string(v), "802.1ad");
	assert_true(json_object_object_get_ex(a, "spoofchk", &v));
	assert_true(json_object_get_boolean(v));
	json_object_put(a);
	a = parse_ok("p1 type macvtap link eth0 mode passthru nopromisc");
	assert_true(json_object_object_get_ex(a, "nopromisc", &v));
	json_object_put(a);
}

static void test_add_errors(void **state)
{
	parse_fails("", "needs a GUEST");
	parse_fails("web1 bridge br0", "needs \"type");
	parse_fails("web1 type tap colour blue", "unknown keyword");
	parse_fails("web1 type tap queues", "\"queues\" needs a value");
	parse_fails("web1 type tap queues four", "\"four\" is wrong");
	parse_fails("web1 type tap queues -1", "is wrong");
	parse_fails("web1 type tap vnet_hdr yes", "takes on or off");
	parse_fails("web1 type tap type macvtap", "duplicate \"type\"");
	parse_fails("web1 type tap mtu 99999999999", "is wrong");
}

static void test_matches(void **state)
{
	assert_true(matches("b", "backend"));
	assert_true(matches("backend", "backend"));
	assert_false(matches("backends", "backend"));
	assert_false(matches("", "backend"));
	assert_false(matches("x", "backend"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tap_add),
		cmocka_unit_test(test_macvtap_and_vf_add),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_matches),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
