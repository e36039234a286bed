/* SPDX-License-Identifier: MIT */
/* Interface and guest names, netd's own name allocation, and the owner tag. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/names.h"
#include "daemon/tag.h"

static void test_ifname_valid(void **state)
{
	assert_true(ifname_valid("ndt0"));
	assert_true(ifname_valid("vm-web1.0"));
	assert_true(ifname_valid("123456789012345"));
	assert_false(ifname_valid(""));
	assert_false(ifname_valid("1234567890123456"));
	assert_false(ifname_valid("."));
	assert_false(ifname_valid(".."));
	assert_false(ifname_valid("a/b"));
	assert_false(ifname_valid("a:b"));
	assert_false(ifname_valid("a b"));
	assert_false(ifname_valid("tap%d"));
	assert_false(ifname_valid("a\tb"));
	assert_false(ifname_valid(NULL));
}

static void test_guest_name_valid(void **state)
{
	assert_true(guest_name_valid("web1"));
	assert_true(guest_name_valid("5f0c8a2e-8d3b-4c9f-9a57-6c2b1f0e4d11"));
	assert_true(guest_name_valid("team@host:vm+1"));
	assert_false(guest_name_valid(""));
	assert_false(guest_name_valid("-web"));
	assert_false(guest_name_valid(".web"));
	assert_false(guest_name_valid("web 1"));
	assert_false(guest_name_valid("web/1"));
	char long_name[GUEST_NAME_MAX + 2];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[GUEST_NAME_MAX + 1] = '\0';
	assert_false(guest_name_valid(long_name));
	long_name[GUEST_NAME_MAX] = '\0';
	assert_true(guest_name_valid(long_name));
}

static bool taken_even(const char *name, void *data)
{
	unsigned *calls = data;
	size_t len = strlen(name);

	(*calls)++;
	return (name[len - 1] - '0') % 2 == 0;
}

static void test_name_alloc(void **state)
{
	struct name_alloc a = { 0 };
	char name[IFNAMSIZ];
	unsigned calls = 0;

	assert_int_equal(name_alloc_next(&a, "ndt", NULL, NULL, name), 0);
	assert_string_equal(name, "ndt0");
	assert_int_equal(name_alloc_next(&a, "ndt", NULL, NULL, name), 0);
	assert_string_equal(name, "ndt1");
	/* taken names are skipped, one check each: no scan of all names */
	assert_int_equal(name_alloc_next(&a, "ndt", taken_even, &calls, name), 0);
	assert_string_equal(name, "ndt3");
	assert_int_equal(calls, 2);
	/* after adopting ndt41 from the kernel, new names start above it */
	name_alloc_seen(&a, "ndt", "ndt41");
	name_alloc_seen(&a, "ndt", "ndtx");
	name_alloc_seen(&a, "ndm", "ndt99");
	assert_int_equal(name_alloc_next(&a, "ndt", NULL, NULL, name), 0);
	assert_string_equal(name, "ndt42");
	/* never longer than IFNAMSIZ - 1: wraps */
	a.next = 999999999;
	assert_int_equal(name_alloc_next(&a, "ndtaaaaaa", NULL, NULL, name), 0);
	assert_true(strlen(name) < IFNAMSIZ);
}

static void test_tag_roundtrip(void **state)
{
	struct tag t = { .uid = 1000, .queues = 4, .vhost = VHOST_AUTO, .vnet_hdr = true,
			 .stats = false, .vf = -1, .has_mac = true,
			 .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 } };
	struct tag back;
	char buf[256];

	strcpy(t.kind, "tap");
	strcpy(t.guest, "web1");
	assert_true(tag_format(&t, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "netd1 k=tap g=web1 u=1000 q=4 vh=auto vnet=1 st=0 m=52:54:00:12:34:56");
	assert_int_equal(tag_parse(buf, &back), 0);
	assert_string_equal(back.kind, "tap");
	assert_string_equal(back.guest, "web1");
	assert_int_equal(back.uid, 1000);
	assert_int_equal(back.queues, 4);
	assert_int_equal(back.vhost, VHOST_AUTO);
	assert_true(back.vnet_hdr);
	assert_false(back.stats);
	assert_true(back.has_mac);
	assert_memory_equal(back.mac, t.mac, 6);
	assert_int_equal(back.vf, -1);

	t.vf = 3;
	strcpy(t.pf, "eth1");
	t.has_mac = false;
	assert_true(tag_format(&t, buf, sizeof(buf)) > 0);
	assert_int_equal(tag_parse(buf, &back), 0);
	assert_int_equal(back.vf, 3);
	assert_string_equal(back.pf, "eth1");
	assert_int_equal(tag_format(&t, buf, 20), -ENOSPC);
}

static void test_tag_parse_rejects(void **state)
{
	struct tag t;

	assert_int_equal(tag_parse("", &t), -ENOENT);
	assert_int_equal(tag_parse("uplink to the lab", &t), -ENOENT);
	assert_int_equal(tag_parse("netd1 k=tap", &t), -EINVAL);           /* no guest */
	assert_int_equal(tag_parse("netd1 g=web1", &t), -EINVAL);          /* no kind */
	assert_int_equal(tag_parse("netd1 k=tap g=web 1", &t), -EINVAL);   /* bare word */
	assert_int_equal(tag_parse("netd1 k=tap g=web1 q=0", &t), -EINVAL);
	assert_int_equal(tag_parse("netd1 k=tap g=web1 q=x", &t), -EINVAL);
	assert_int_equal(tag_parse("netd1 k=tap g=web1 vh=maybe", &t), -EINVAL);
	assert_int_equal(tag_parse("netd1 k=tap g=web1 u=99999999999", &t), -EINVAL);
	assert_int_equal(tag_parse("netd1 k=tap g=web1 m=52:54", &t), -EINVAL);
	assert_int_equal(tag_parse("netd1 k=tap g=web1 p=12", &t), -EINVAL);    /* no start time */
	assert_int_equal(tag_parse("netd1 k=tap g=web1 p=0:5", &t), -EINVAL);
	assert_int_equal(tag_parse("netd1 k=tap g=web1 p=12:34", &t), 0);
	assert_int_equal(t.pid, 12);
	assert_int_equal(t.pid_start, 34);
	/* unknown keys are ignored so an older netd reads a newer tag */
	assert_int_equal(tag_parse("netd1 k=tap g=web1 future=1", &t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ifname_valid),
		cmocka_unit_test(test_guest_name_valid),
		cmocka_unit_test(test_name_alloc),
		cmocka_unit_test(test_tag_roundtrip),
		cmocka_unit_test(test_tag_parse_rejects),
	};
	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
