/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/stats_fmt.h"

static const char *const dirs[] = { "rx", "tx" };

double stats_rate(uint64_t before, uint64_t after, uint64_t dt_ns)
{
	if (!dt_ns || after < before)
		return 0;
	return (double)(after - before) * 1e9 / (double)dt_ns;
}

static json_object *items_of(json_object *result)
{
	json_object *items;

	if (!json_object_object_get_ex(result, "items", &items) || !json_object_is_type(items, json_type_array))
		return NULL;
	return items;
}

static bool is_scope(json_object *row, const char *scope)
{
	return !strcmp(jstre(row, "scope"), scope);
}

/* The backend row of prev with name and ifindex of `row`. */
static json_object *find_prev(json_object *prev_items, json_object *row)
{
	const char *name = jstre(row, "name");
	uint64_t ifindex = ju64(row, "ifindex");

	for (size_t i = 0; prev_items && i < json_object_array_length(prev_items); i++) {
		json_object *p = json_object_array_get_idx(prev_items, i);
		if (is_scope(p, "backend") && !strcmp(jstre(p, "name"), name) &&
		    ju64(p, "ifindex") == ifindex)
			return p;
	}
	return NULL;
}

static void put_rate(json_object *d, double pps, double bps)
{
	json_object_object_add(d, "packets_per_sec", json_object_new_double(pps));
	json_object_object_add(d, "bits_per_sec", json_object_new_double(bps));
}

void stats_add_rates(json_object *prev, json_object *cur)
{
	json_object *pitems = items_of(prev), *items = items_of(cur);
	uint64_t dt = ju64(cur, "time_ns") - ju64(prev, "time_ns");
	json_object *guest = NULL;
	double gsum[2][2] = { { 0 } };

	if (ju64(cur, "time_ns") < ju64(prev, "time_ns"))
		dt = 0;
	json_object_object_add(cur, "interval_ns", json_object_new_uint64(dt));
	/* Rows come as a guest's sum, then its backends: close each guest at the next. */
	for (size_t i = 0; items && i <= json_object_array_length(items); i++) {
		json_object *row = i < json_object_array_length(items) ? json_object_array_get_idx(items, i) : NULL;
		json_object *p;

		if (!row || is_scope(row, "guest")) {
			for (int k = 0; guest && k < 2; k++) {
				json_object *d;
				if (json_object_object_get_ex(guest, dirs[k], &d))
					put_rate(d, gsum[k][0], gsum[k][1]);
			}
			guest = row;
			memset(gsum, 0, sizeof(gsum));
			continue;
		}
		p = find_prev(pitems, row);
		for (int k = 0; k < 2; k++) {
			json_object *d, *pd = NULL;
			double pps, bps;
			if (!json_object_object_get_ex(row, dirs[k], &d))
				continue;
			if (p)
				json_object_object_get_ex(p, dirs[k], &pd);
			pps = stats_rate(ju64(pd, "packets"), ju64(d, "packets"), dt);
			bps = 8 * stats_rate(ju64(pd, "bytes"), ju64(d, "bytes"), dt);
			put_rate(d, pps, bps);
			gsum[k][0] += pps;
			gsum[k][1] += bps;
		}
	}
}

void stats_fmt_bits(char *buf, size_t len, double bps)
{
	static const char *const unit[] = { "bit", "Kbit", "Mbit", "Gbit", "Tbit" };
	int u = 0;

	while (bps >= 1000 && u < 4) {
		bps /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f%s", bps, unit[u]);
	else
		snprintf(buf, len, "%.2f%s", bps, unit[u]);
}

void prom_escape(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	if (!len)
		return;
	for (; *s; s++) {
		bool esc = *s == '\\' || *s == '"' || *s == '\n';
		if (o + (esc ? 2 : 1) + 1 > len)
			break; /* truncate, never in the middle of an escape */
		if (esc)
			buf[o++] = '\\';
		buf[o++] = *s == '\n' ? 'n' : *s;
	}
	buf[o] = '\0';
}

/* {guest="..",backend=".." */
static void labels(char *buf, size_t len, json_object *row)
{
	char g[256], b[64];

	prom_escape(g, sizeof(g), jstre(row, "guest"));
	prom_escape(b, sizeof(b), jstre(row, "name"));
	snprintf(buf, len, "{guest=\"%s\",backend=\"%s\"", g, b);
}

/* The counted backend rows' direction k, NULL for the others. */
static json_object *row_dir(json_object *row, int k)
{
	json_object *d;

	if (!is_scope(row, "backend") || !json_object_object_get_ex(row, dirs[k], &d))
		return NULL;
	return d;
}

static void counter_family(FILE *f, json_object *items, int k, const char *what, const char *help)
{
	char l[384];

	fprintf(f, "# HELP netd_guest_%s_%s_total %s\n", dirs[k], what, help);
	fprintf(f, "# TYPE netd_guest_%s_%s_total counter\n", dirs[k], what);
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *row = json_object_array_get_idx(items, i), *d = row_dir(row, k);
		if (!d)
			continue;
		labels(l, sizeof(l), row);
		fprintf(f, "netd_guest_%s_%s_total%s} %" PRIu64 "\n", dirs[k], what, l, ju64(d, what));
	}
}

static void histogram_family(FILE *f, json_object *items, json_object *bounds, int k, const char *help)
{
	char l[384];

	fprintf(f, "# HELP netd_guest_%s_frame_size_bytes %s\n", dirs[k], help);
	fprintf(f, "# TYPE netd_guest_%s_frame_size_bytes histogram\n", dirs[k]);
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *row = json_object_array_get_idx(items, i), *d = row_dir(row, k), *hist;
		uint64_t cum = 0;
		size_t nb = bounds ? json_object_array_length(bounds) : 0;

		if (!d || !json_object_object_get_ex(d, "hist", &hist))
			continue;
		labels(l, sizeof(l), row);
		/* Prometheus buckets are cumulative: each counts frames up to its bound. */
		for (size_t b = 0; b < nb && b < json_object_array_length(hist); b++) {
			cum += json_object_get_uint64(json_object_array_get_idx(hist, b));
			fprintf(f, "netd_guest_%s_frame_size_bytes_bucket%s,le=\"%d\"} %" PRIu64 "\n", dirs[k], l,
				json_object_get_int(json_object_array_get_idx(bounds, b)), cum);
		}
		fprintf(f, "netd_guest_%s_frame_size_bytes_bucket%s,le=\"+Inf\"} %" PRIu64 "\n", dirs[k], l,
			ju64(d, "packets"));
		fprintf(f, "netd_guest_%s_frame_size_bytes_sum%s} %" PRIu64 "\n", dirs[k], l, ju64(d, "bytes"));
		fprintf(f, "netd_guest_%s_frame_size_bytes_count%s} %" PRIu64 "\n", dirs[k], l, ju64(d, "packets"));
	}
}

void prom_write(FILE *f, json_object *result)
{
	static const char *const towards[] = { "to the guest (host to guest)", "from the guest (guest to host)" };
	json_object *items = items_of(result), *bounds = NULL;
	char help[160];

	if (!items)
		return;
	json_object_object_get_ex(result, "hist_bounds", &bounds);
	/* Guest totals are left to sum() in queries: exporting them too would double
	 * every sum over all series. */
	for (int k = 0; k < 2; k++) {
		snprintf(help, sizeof(help), "Frames netd's eBPF counters saw going %s.", towards[k]);
		counter_family(f, items, k, "packets", help);
		snprintf(help, sizeof(help), "Bytes (Ethernet header and payload) going %s.", towards[k]);
		counter_family(f, items, k, "bytes", help);
	}
	for (int k = 0; k < 2; k++) {
		snprintf(help, sizeof(help), "Sizes of frames going %s, in bytes without FCS.", towards[k]);
		histogram_family(f, items, bounds, k, help);
	}
}

void stats_print_dir(const char *label, json_object *d, json_object *bounds, bool rates)
{
	json_object *v, *hist;

	printf("    %s: %14s %12s", label, "bytes", "packets");
	if (rates)
		printf(" %12s %10s", "bits/s", "packets/s");
	printf("\n        %14" PRIu64 " %12" PRIu64, ju64(d, "bytes"), ju64(d, "packets"));
	if (rates) {
		char bits[32];
		json_object_object_get_ex(d, "bits_per_sec", &v);
		stats_fmt_bits(bits, sizeof(bits), json_object_get_double(v));
		json_object_object_get_ex(d, "packets_per_sec", &v);
		printf(" %12s %10.0f", bits, json_object_get_double(v));
	}
	putchar('\n');
	if (ctl.details && bounds && json_object_object_get_ex(d, "hist", &hist)) {
		size_t nb = json_object_array_length(bounds);
		printf("    %s sizes:", label);
		for (size_t b = 0; b < json_object_array_length(hist); b++) {
			uint64_t n = json_object_get_uint64(json_object_array_get_idx(hist, b));
			int lo = b ? json_object_get_int(json_object_array_get_idx(bounds, b - 1)) + 1 : 0;
			if (b >= nb)
				printf(" >%d %" PRIu64, lo - 1, n);
			else if (b == 0)
				printf(" <=%d %" PRIu64, json_object_get_int(json_object_array_get_idx(bounds, b)), n);
			else
				printf(" %d-%d %" PRIu64, lo, json_object_get_int(json_object_array_get_idx(bounds, b)), n);
		}
		putchar('\n');
	}
}
