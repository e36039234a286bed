/* SPDX-License-Identifier: MIT */
/* The VF pool (which VF a backend gets, and what exhaustion says) and the state-dir
 * records that hold a VF's settings from before netd changed them. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <cmocka.h>

#include "daemon/vfstate.h"

static void test_pick_lowest_free(void **state)
{
	const struct vf_user used[] = { { 0, "a" }, { 2, "b" } };
	struct op_error e = { 0 };

	assert_int_equal(vf_pool_pick("eth0", 4, -1, NULL, 0, &e), 0);
	assert_int_equal(vf_pool_pick("eth0", 4, -1, used, 1, &e), 1);
	assert_int_equal(vf_pool_pick("eth0", 4, -1, used, 2, &e), 1);
	/* The named one, when free. */
	assert_int_equal(vf_pool_pick("eth0", 4, 3, used, 2, &e), 3);
	assert_int_equal(e.code, 0);
}

static void test_pick_named_taken(void **state)
{
	const struct vf_user used[] = { { 0, "a" }, { 2, "b" }, { 3, NULL } };
	struct op_error e = { 0 };

	assert_int_equal(vf_pool_pick("eth0", 4, 2, used, 3, &e), -EBUSY);
	assert_string_equal(e.msg, "VF 2 of 'eth0' is already given to guest 'b'");
	memset(&e, 0, sizeof(e));
	assert_int_equal(vf_pool_pick("eth0", 4, 3, used, 3, &e), -EBUSY);
	assert_string_equal(e.msg, "VF 3 of 'eth0' has a saved-settings record netd has not restored yet");
	memset(&e, 0, sizeof(e));
	assert_int_equal(vf_pool_pick("eth0", 4, 4, used, 3, &e), -ENODEV);
	assert_string_equal(e.msg, "'eth0' has no VF 4 (it has 4: VF 0 to 3)");
	memset(&e, 0, sizeof(e));
	assert_int_equal(vf_pool_pick("eth0", 0, -1, used, 0, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "'eth0' has no VFs enabled (sriov_numvfs is 0"));
}

/* Exhaustion names the PF, how many VFs are in use, and by which guests. */
static void test_exhausted(void **state)
{
	const struct vf_user used[] = { { 0, "web1" }, { 1, "db1" }, { 2, "web1" }, { 3, NULL }, { 9, "stale" } };
	struct op_error e = { 0 };

	assert_int_equal(vf_pool_pick("eth1", 4, -1, used, 5, &e), -EBUSY);
	assert_string_equal(e.msg, "no free VF on 'eth1': all 4 VFs are in use (guest 'web1': VF 0, 2; "
			    "guest 'db1': VF 1; unrestored saved records: VF 3)");
	memset(&e, 0, sizeof(e));
	assert_int_equal(vf_pool_pick("eth1", 1, -1, used, 1, &e), -EBUSY);
	assert_string_equal(e.msg, "no free VF on 'eth1': all 1 VF is in use (guest 'web1': VF 0)");
}

/* 128 guests on 128 VFs: the sentence is cut, never overflowed. */
static void test_exhausted_long(void **state)
{
	struct vf_user used[128];
	char names[128][16];
	struct op_error e = { 0 };

	for (unsigned i = 0; i < 128; i++) {
		snprintf(names[i], sizeof(names[i]), "guest-%u", i);
		used[i].vf = i;
		used[i].guest = names[i];
	}
	assert_int_equal(vf_pool_pick("eth1", 128, -1, used, 128, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "all 128 VFs are in use (guest 'guest-0': VF 0; "));
	assert_true(strlen(e.msg) < sizeof(e.msg));
}

/* --- records ------------------------------------------------------------------------ */

static char dir[64];

static int state_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/netd-test-vfpool.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int state_dir_gone(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void record(struct vf_record *r, unsigned vf, const char *guest)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->pf, sizeof(r->pf), "eth0");
	r->vf = vf;
	r->mode = VF_HOSTDEV;
	snprintf(r->guest, sizeof(r->guest), "%s", guest);
	r->uid = 1000;
	r->group = 0x6e640003;
	snprintf(r->backend, sizeof(r->backend), "eth0v%u", vf);
	r->saved.vf = vf;
	r->saved.mac[0] = 0x02;
	r->saved.mac[5] = (uint8_t)vf;
	r->saved.vlan = 100;
	r->saved.qos = 3;
	r->saved.vlan_proto = 0x88a8;
	r->saved.max_tx_rate = 1000;
	r->saved.spoofchk = 1;
	r->saved.trust = 0;
	r->saved.query_rss = -1;
	r->saved.link_state = IFLA_VF_LINK_STATE_DISABLE;
}

static void test_record_roundtrip(void **state)
{
	struct vf_record w, r;
	struct op_error e = { 0 };
	struct vf_change c;

	record(&w, 2, "web1");
	assert_int_equal(vfstate_write(dir, &w, true, &e), 0);
	assert_int_equal(vfstate_read(dir, "eth0", 2, &r, &e), 0);
	assert_string_equal(r.pf, "eth0");
	assert_int_equal(r.vf, 2);
	assert_int_equal(r.mode, VF_HOSTDEV);
	assert_string_equal(r.guest, "web1");
	assert_int_equal(r.uid, 1000);
	assert_int_equal(r.group, 0x6e640003);
	assert_string_equal(r.backend, "eth0v2");
	assert_false(r.committed);
	/* Everything a restore needs came back. */
	assert_false(vf_change_diff(&r.saved, &w.saved, &c));
	assert_int_equal(r.saved.query_rss, -1);
}

/* The claim is exclusive: a second claim leaves the first record untouched. */
static void test_record_exclusive(void **state)
{
	struct vf_record a, b, r;
	struct op_error e = { 0 };
	char path[PATH_MAX];

	record(&a, 1, "first");
	record(&b, 1, "second");
	assert_int_equal(vfstate_write(dir, &a, true, &e), 0);
	assert_int_equal(vfstate_write(dir, &b, true, &e), -EEXIST);
	assert_non_null(strstr(e.msg, "VF 1 of 'eth0' already has a saved-settings record"));
	assert_int_equal(vfstate_read(dir, "eth0", 1, &r, NULL), 0);
	assert_string_equal(r.guest, "first");
	/* The commit replaces it. */
	a.committed = true;
	assert_int_equal(vfstate_write(dir, &a, false, NULL), 0);
	assert_int_equal(vfstate_read(dir, "eth0", 1, &r, NULL), 0);
	assert_true(r.committed);
	vfstate_path(dir, "eth0", 1, path, sizeof(path));
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(vfstate_remove(dir, "eth0", 1, NULL), 0);
	assert_int_equal(access(path, F_OK), -1);
	/* Removing what is not there is fine (a release after a restart). */
	assert_int_equal(vfstate_remove(dir, "eth0", 1, NULL), 0);
}

struct scan_seen {
	unsigned n;
	unsigned vfs;
};

static int scan_cb(const struct vf_record *r, void *data)
{
	struct scan_seen *s = data;

	s->n++;
	s->vfs |= 1u << r->vf;
	return 0;
}

/* Scanning reads every record, skips bad ones, removes a killed netd's temp files. */
static void test_scan(void **state)
{
	struct vf_record w;
	struct scan_seen s = { 0 };
	char path[PATH_MAX * 2];
	FILE *f;

	record(&w, 0, "a");
	assert_int_equal(vfstate_write(dir, &w, true, NULL), 0);
	record(&w, 3, "b");
	assert_int_equal(vfstate_write(dir, &w, true, NULL), 0);
	snprintf(path, sizeof(path), "%s/vf/.eth0-1.json.1234", dir);
	f = fopen(path, "w");
	fputs("{ half", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/vf/eth0-2.json", dir);
	f = fopen(path, "w");
	fputs("{ \"version\": 1 }", f);
	fclose(f);
	assert_int_equal(vfstate_scan(dir, scan_cb, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.vfs, (1u << 0) | (1u << 3));
	snprintf(path, sizeof(path), "%s/vf/.eth0-1.json.1234", dir);
	assert_int_equal(access(path, F_OK), -1);
	/* The unreadable record is left for a person. */
	snprintf(path, sizeof(path), "%s/vf/eth0-2.json", dir);
	assert_int_equal(access(path, F_OK), 0);
}

static void test_record_refuses_bad(void **state)
{
	struct vf_record r;
	json_object *o;

	record(&r, 0, "a");
	o = vf_record_to_json(&r);
	json_object_object_add(o, "pf", json_object_new_string("../etc"));
	assert_int_equal(vf_record_from_json(o, &r), -EINVAL);
	json_object_put(o);
	record(&r, 0, "a");
	o = vf_record_to_json(&r);
	json_object_object_add(o, "version", json_object_new_int(2));
	assert_int_equal(vf_record_from_json(o, &r), -EINVAL);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_lowest_free),
		cmocka_unit_test(test_pick_named_taken),
		cmocka_unit_test(test_exhausted),
		cmocka_unit_test(test_exhausted_long),
		cmocka_unit_test_setup_teardown(test_record_roundtrip, state_dir, state_dir_gone),
		cmocka_unit_test_setup_teardown(test_record_exclusive, state_dir, state_dir_gone),
		cmocka_unit_test_setup_teardown(test_scan, state_dir, state_dir_gone),
		cmocka_unit_test(test_record_refuses_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
