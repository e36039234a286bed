/* SPDX-License-Identifier: MIT */
/* The counters' pure logic: size buckets (shared with the BPF program), summing and
 * finding entries, rates between two reads, units, and the Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl/stats_fmt.h"
#include "daemon/stats.h"

static void test_buckets_match_bounds(void **state)
{
	static const unsigned bounds[] = NETD_HIST_BOUNDS;
	const size_t nb = sizeof(bounds) / sizeof(bounds[0]);

	assert_int_equal(nb + 1, NETD_HIST_BUCKETS);
	assert_int_equal(netd_hist_bucket(0), 0);
	for (size_t i = 0; i < nb; i++) {
		/* Each bound is the last length of its bucket. */
		assert_int_equal(netd_hist_bucket(bounds[i]), i);
		assert_int_equal(netd_hist_bucket(bounds[i] + 1), i + 1);
	}
	assert_int_equal(netd_hist_bucket(60), 0);      /* minimum frame, no FCS */
	assert_int_equal(netd_hist_bucket(1514), 5);    /* full 1500-MTU frame */
	assert_int_equal(netd_hist_bucket(1518), 5);    /* ... with a VLAN tag */
	assert_int_equal(netd_hist_bucket(9014), NETD_HIST_BUCKETS - 1);
	assert_int_equal(netd_hist_bucket(65535 + 14), NETD_HIST_BUCKETS - 1); /* GSO */
}

static void test_dir_add_and_json(void **state)
{
	struct netd_dir_counters sum = { 0 }, a = { 2, 128, { 1, 1 } }, b = { 1, 1514, { 0, 0, 0, 0, 0, 1 } };
	json_object *o;

	stats_dir_add(&sum, &a);
	stats_dir_add(&sum, &b);
	o = stats_dir_to_json(&sum);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"packets\":3,\"bytes\":1642,\"hist\":[1,1,0,0,0,1,0]}");
	json_object_put(o);
}

static void test_find(void **state)
{
	struct stats_entry v[] = { { .ifindex = 3 }, { .ifindex = 7 }, { .ifindex = 12 } };

	assert_ptr_equal(stats_find(v, 3, 7), &v[1]);
	assert_ptr_equal(stats_find(v, 3, 3), &v[0]);
	assert_ptr_equal(stats_find(v, 3, 12), &v[2]);
	assert_null(stats_find(v, 3, 8));
	assert_null(stats_find(NULL, 0, 3));
}

static void test_rate(void **state)
{
	assert_true(stats_rate(100, 1100, 2000000000ull) == 500.0);
	assert_true(stats_rate(0, 3, 500000000ull) == 6.0);
	/* Re-created backend: the counter went back; no rate rather than garbage. */
	assert_true(stats_rate(1000, 10, 1000000000ull) == 0.0);
	assert_true(stats_rate(1, 2, 0) == 0.0);
}

static json_object *parse(const char *s)
{
	json_object *o = json_tokener_parse(s);

	assert_non_null(o);
	return o;
}

static double rate_of(json_object *items, size_t i, const char *dir, const char *key)
{
	json_object *row = json_object_array_get_idx(items, i), *d, *v;

	assert_true(json_object_object_get_ex(row, dir, &d));
	assert_true(json_object_object_get_ex(d, key, &v));
	return json_object_get_double(v);
}

static void test_add_rates(void **state)
{
	json_object *prev = parse(
		"{\"time_ns\":1000000000,\"items\":["
		"{\"scope\":\"guest\",\"guest\":\"g\",\"rx\":{\"packets\":110,\"bytes\":11000},\"tx\":{\"packets\":0,\"bytes\":0}},"
		"{\"scope\":\"backend\",\"name\":\"a\",\"ifindex\":5,\"rx\":{\"packets\":100,\"bytes\":10000},\"tx\":{\"packets\":0,\"bytes\":0}},"
		"{\"scope\":\"backend\",\"name\":\"b\",\"ifindex\":6,\"rx\":{\"packets\":10,\"bytes\":1000},\"tx\":{\"packets\":0,\"bytes\":0}}]}");
	/* Two seconds later: a sent 200 more; b was deleted and re-created (ifindex 9)
	 * and has 4 since; c is new; d has no counters. */
	json_object *cur = parse(
		"{\"time_ns\":3000000000,\"items\":["
		"{\"scope\":\"guest\",\"guest\":\"g\",\"rx\":{\"packets\":304,\"bytes\":30400},\"tx\":{\"packets\":0,\"bytes\":0}},"
		"{\"scope\":\"backend\",\"name\":\"a\",\"ifindex\":5,\"rx\":{\"packets\":300,\"bytes\":30000},\"tx\":{\"packets\":0,\"bytes\":0}},"
		"{\"scope\":\"backend\",\"name\":\"b\",\"ifindex\":9,\"rx\":{\"packets\":4,\"bytes\":400},\"tx\":{\"packets\":0,\"bytes\":0}},"
		"{\"scope\":\"guest\",\"guest\":\"h\",\"rx\":{\"packets\":2,\"bytes\":100},\"tx\":{\"packets\":0,\"bytes\":0}},"
		"{\"scope\":\"backend\",\"name\":\"c\",\"ifindex\":10,\"rx\":{\"packets\":2,\"bytes\":100},\"tx\":{\"packets\":0,\"bytes\":0}},"
		"{\"scope\":\"backend\",\"name\":\"d\",\"ifindex\":11}]}");
	json_object *items, *v;

	stats_add_rates(prev, cur);
	assert_true(json_object_object_get_ex(cur, "interval_ns", &v));
	assert_int_equal(json_object_get_uint64(v), 2000000000ull);
	json_object_object_get_ex(cur, "items", &items);
	assert_true(rate_of(items, 1, "rx", "packets_per_sec") == 100.0);
	assert_true(rate_of(items, 1, "rx", "bits_per_sec") == 80000.0);
	assert_true(rate_of(items, 2, "rx", "packets_per_sec") == 2.0);   /* from zero */
	assert_true(rate_of(items, 0, "rx", "packets_per_sec") == 102.0); /* guest: sum */
	assert_true(rate_of(items, 0, "tx", "bits_per_sec") == 0.0);
	assert_true(rate_of(items, 3, "rx", "packets_per_sec") == 1.0);
	assert_true(rate_of(items, 3, "rx", "bits_per_sec") == 400.0);
	assert_false(json_object_object_get_ex(json_object_array_get_idx(items, 5), "rx", NULL));
	json_object_put(prev);
	json_object_put(cur);
}

static void test_fmt_bits(void **state)
{
	char b[32];

	stats_fmt_bits(b, sizeof(b), 0);
	assert_string_equal(b, "0bit");
	stats_fmt_bits(b, sizeof(b), 999);
	assert_string_equal(b, "999bit");
	stats_fmt_bits(b, sizeof(b), 12345);
	assert_string_equal(b, "12.35Kbit");
	stats_fmt_bits(b, sizeof(b), 1.24e6);
	assert_string_equal(b, "1.24Mbit");
	stats_fmt_bits(b, sizeof(b), 9.99e9);
	assert_string_equal(b, "9.99Gbit");
}

static void test_prom_escape(void **state)
{
	char b[32];

	prom_escape(b, sizeof(b), "web-1.example:a@b+c");
	assert_string_equal(b, "web-1.example:a@b+c");
	prom_escape(b, sizeof(b), "a\"b\\c\nd");
	assert_string_equal(b, "a\\\"b\\\\c\\nd");
	prom_escape(b, 6, "abcdefgh");
	assert_string_equal(b, "abcde");
	prom_escape(b, 5, "abc\"d"); /* truncated, never in the middle of an escape */
	assert_string_equal(b, "abc");
}

static void test_prom_write(void **state)
{
	json_object *r = parse(
		"{\"time_ns\":1,\"hist_bounds\":[64,127,255,511,1023,1518],\"items\":["
		"{\"scope\":\"guest\",\"guest\":\"g\",\"rx\":{\"packets\":3,\"bytes\":1642,\"hist\":[1,1,0,0,0,1,0]},"
		"\"tx\":{\"packets\":1,\"bytes\":2000,\"hist\":[0,0,0,0,0,0,1]}},"
		"{\"scope\":\"backend\",\"name\":\"t0\",\"guest\":\"g\",\"type\":\"tap\",\"rx\":{\"packets\":3,\"bytes\":1642,"
		"\"hist\":[1,1,0,0,0,1,0]},\"tx\":{\"packets\":1,\"bytes\":2000,\"hist\":[0,0,0,0,0,0,1]}},"
		"{\"scope\":\"backend\",\"name\":\"t1\",\"guest\":\"g\",\"type\":\"tap\",\"stats\":false}]}");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	static const char *const want[] = {
		"# HELP netd_guest_rx_packets_total Frames netd's eBPF counters saw going to the guest (host to guest).\n"
		"# TYPE netd_guest_rx_packets_total counter\n"
		"netd_guest_rx_packets_total{guest=\"g\",backend=\"t0\"} 3\n",
		"# TYPE netd_guest_rx_bytes_total counter\nnetd_guest_rx_bytes_total{guest=\"g\",backend=\"t0\"} 1642\n",
		"# TYPE netd_guest_tx_packets_total counter\nnetd_guest_tx_packets_total{guest=\"g\",backend=\"t0\"} 1\n",
		"# TYPE netd_guest_tx_bytes_total counter\nnetd_guest_tx_bytes_total{guest=\"g\",backend=\"t0\"} 2000\n",
		"# TYPE netd_guest_rx_frame_size_bytes histogram\n"
		"netd_guest_rx_frame_size_bytes_bucket{guest=\"g\",backend=\"t0\",le=\"64\"} 1\n"
		"netd_guest_rx_frame_size_bytes_bucket{guest=\"g\",backend=\"t0\",le=\"127\"} 2\n"
		"netd_guest_rx_frame_size_bytes_bucket{guest=\"g\",backend=\"t0\",le=\"255\"} 2\n"
		"netd_guest_rx_frame_size_bytes_bucket{guest=\"g\",backend=\"t0\",le=\"511\"} 2\n"
		"netd_guest_rx_frame_size_bytes_bucket{guest=\"g\",backend=\"t0\",le=\"1023\"} 2\n"
		"netd_guest_rx_frame_size_bytes_bucket{guest=\"g\",backend=\"t0\",le=\"1518\"} 3\n"
		"netd_guest_rx_frame_size_bytes_bucket{guest=\"g\",backend=\"t0\",le=\"+Inf\"} 3\n"
		"netd_guest_rx_frame_size_bytes_sum{guest=\"g\",backend=\"t0\"} 1642\n"
		"netd_guest_rx_frame_size_bytes_count{guest=\"g\",backend=\"t0\"} 3\n",
		"netd_guest_tx_frame_size_bytes_bucket{guest=\"g\",backend=\"t0\",le=\"1518\"} 0\n"
		"netd_guest_tx_frame_size_bytes_bucket{guest=\"g\",backend=\"t0\",le=\"+Inf\"} 1\n",
	};

	assert_non_null(f);
	prom_write(f, r);
	fclose(f);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("missing:\n%s\nin:\n%s", want[i], text);
	/* Only backends with counters; guest sums are left to the query (sum by guest). */
	assert_null(strstr(text, "t1"));
	assert_null(strstr(text, "backend=\"\""));
	/* Six families, each declared once. */
	{
		int n = 0;
		for (const char *p = text; (p = strstr(p, "# TYPE ")); p++)
			n++;
		assert_int_equal(n, 6);
	}
	free(text);
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_match_bounds),
		cmocka_unit_test(test_dir_add_and_json),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_add_rates),
		cmocka_unit_test(test_fmt_bits),
		cmocka_unit_test(test_prom_escape),
		cmocka_unit_test(test_prom_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
