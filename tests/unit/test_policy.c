/* SPDX-License-Identifier: MIT */
/* The policy file: parsing with line-numbered errors, rule matching, decisions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/daemon.h"
#include "daemon/policy.h"

static const char conf[] =
	"# netd.conf\n"
	"[daemon]\n"
	"stats = off\n"
	"\n"
	"[uid 1000]\n"
	"kinds = tap macvtap\n"
	"bridges = br0 br-lab*\n"
	"links = eth0\n"
	"guests = alice-*\n"
	"max-backends = 2\n"
	"max-queues = 4\n"
	"vhost = yes\n"
	"\n"
	"[gid 2000]\n"
	"kinds = vf\n"
	"pfs = eth1\n"
	"vlans = 100-199, 300\n";

static struct policy *load(void)
{
	struct policy *p;
	char err[256];

	if (policy_parse(conf, "netd.conf", &p, err, sizeof(err)))
		fail_msg("%s", err);
	return p;
}

static json_object *args(const char *json)
{
	return json_tokener_parse(json);
}

static void test_parse(void **state)
{
	struct policy *p = load();

	assert_false(p->stats);
	assert_int_equal(p->n_rules, 2);
	assert_int_equal(p->rules[0].id, 1000);
	assert_false(p->rules[0].is_group);
	assert_int_equal(p->rules[0].line, 5);
	assert_int_equal(p->rules[0].max_backends, 2);
	assert_int_equal(p->rules[1].n_vlans, 2);
	assert_int_equal(p->rules[1].vlans[0].hi, 199);
	assert_int_equal(p->rules[1].max_backends, -1);
	policy_free(p);
}

static void test_parse_errors(void **state)
{
	static const struct { const char *text; const char *msg; } cases[] = {
		{ "[uid 1]\nkinds = tap\nfoo = 1\n", "x.conf:3: unknown key 'foo'" },
		{ "kinds = tap\n", "x.conf:1: unknown key 'kinds' outside a section" },
		{ "[uid 1]\nkinds = tap vm\n", "x.conf:2: bad value for kinds" },
		{ "[uid 1]\nvlans = 5000\n", "x.conf:2: bad value for vlans" },
		{ "[uid 1]\nvlans = 9-3\n", "bad value for vlans" },
		{ "[uid x]\n", "x.conf:1: [uid x]: not a number" },
		{ "[person 1]\n", "must be [daemon]" },
		{ "[uid 1\n", "x.conf:1: a section header is [NAME]" },
		{ "[uid 1]\nmax-backends = many\n", "bad value for max-backends" },
		{ "[uid 1]\nvhost = perhaps\n", "bad value for vhost" },
		{ "[uid 1]\njust words\n", "x.conf:2: expected KEY = VALUE" },
		{ "[user no-such-user-here]\n", "no such user" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy *p = NULL;
		char err[256] = "";
		if (policy_parse(cases[i].text, "x.conf", &p, err, sizeof(err)) == 0 || !strstr(err, cases[i].msg))
			fail_msg("case %zu: err '%s', wanted '%s'", i, err, cases[i].msg);
		assert_null(p);
	}
}

static void test_match(void **state)
{
	struct policy *p = load();
	struct client_cred alice = { .uid = 1000, .gid = 1000 };
	struct client_cred bob = { .uid = 1001, .gid = 1001, .groups = { 2000 }, .n_groups = 1 };
	struct client_cred eve = { .uid = 1002, .gid = 1002 };

	assert_ptr_equal(policy_match(p, &alice), &p->rules[0]);
	assert_ptr_equal(policy_match(p, &bob), &p->rules[1]);
	assert_null(policy_match(p, &eve));
	/* a uid rule wins over a group the uid is in */
	alice.groups[0] = 2000;
	alice.n_groups = 1;
	assert_ptr_equal(policy_match(p, &alice), &p->rules[0]);
	policy_free(p);
}

static void expect(struct policy *p, struct client_cred *c, const char *kind, const char *guest,
		   const char *json, unsigned queues, bool vhost, struct policy_usage u, const char *deny)
{
	struct op_error e = { 0 };
	json_object *a = args(json);
	int rc = policy_check_add(p, c, kind, guest, a, queues, vhost, &u, &e);

	json_object_put(a);
	if (!deny && rc)
		fail_msg("%s %s %s: denied: %s", kind, guest, json, e.msg);
	if (deny && (rc != -EPERM || !strstr(e.msg, deny)))
		fail_msg("%s %s %s: wanted '%s', got rc %d '%s'", kind, guest, json, deny, rc, e.msg);
}

static void test_decisions(void **state)
{
	struct policy *p = load();
	struct client_cred alice = { .uid = 1000, .gid = 1000 };
	struct client_cred bob = { .uid = 1001, .gid = 1001, .groups = { 2000 }, .n_groups = 1 };
	struct client_cred eve = { .uid = 1002, .gid = 1002 };
	struct client_cred root = { .uid = 0 };
	struct policy_usage none = { 0 }, two = { 2, 2 }, three_q = { 1, 3 };

	expect(p, &alice, "tap", "alice-1", "{\"bridge\":\"br0\"}", 1, true, none, NULL);
	expect(p, &alice, "tap", "alice-1", "{\"bridge\":\"br-lab7\"}", 1, false, none, NULL);
	expect(p, &alice, "tap", "alice-1", "{}", 1, false, none, NULL);
	expect(p, &alice, "tap", "alice-1", "{\"bridge\":\"br1\"}", 1, false, none,
	       "bridge 'br1' is not allowed by [uid 1000] (netd.conf line 5: bridges)");
	expect(p, &alice, "tap", "bob-1", "{}", 1, false, none, "guest name 'bob-1' is not allowed");
	expect(p, &alice, "vf", "alice-1", "{\"pf\":\"eth1\"}", 1, false, none, "vf backends are not allowed");
	expect(p, &alice, "macvtap", "alice-1", "{\"link\":\"eth1\"}", 1, false, none, "lower device 'eth1'");
	expect(p, &alice, "macvtap", "alice-1", "{\"link\":\"eth0\"}", 1, false, none, NULL);
	expect(p, &alice, "tap", "alice-1", "{}", 1, false, two, "holds 2 backends; [uid 1000] allows 2");
	expect(p, &alice, "tap", "alice-1", "{}", 2, false, three_q, "holds 3 queues and asks for 2 more");
	expect(p, &bob, "vf", "any", "{\"pf\":\"eth1\",\"vlan\":150}", 1, false, none, NULL);
	expect(p, &bob, "vf", "any", "{\"pf\":\"eth1\",\"vlan\":300}", 1, false, none, NULL);
	expect(p, &bob, "vf", "any", "{\"pf\":\"eth1\",\"vlan\":200}", 1, false, none, "VLAN 200 is not allowed");
	expect(p, &bob, "vf", "any", "{\"pf\":\"eth2\"}", 1, false, none, "PF 'eth2'");
	expect(p, &bob, "vf", "any", "{\"pf\":\"eth1\"}", 1, true, none, "vhost-net fds are not allowed");
	expect(p, &eve, "tap", "x", "{}", 1, false, none, "uid 1002 may not create backends: no rule");
	expect(p, &root, "vf", "x", "{\"pf\":\"anything\"}", 64, true, two, NULL);
	policy_free(p);
}

static void test_embedded_defaults(void **state)
{
	struct policy *p;
	char err[64];
	struct client_cred user = { .uid = 1000, .gid = 1000 };

	assert_int_equal(policy_load(NULL, &p, err, sizeof(err)), 0);
	assert_true(p->stats);
	assert_int_equal(p->n_rules, 0);
	assert_null(policy_match(p, &user));
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_embedded_defaults),
	};
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
