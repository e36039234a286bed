/* SPDX-License-Identifier: MIT */
/* scripts/bench-counters' measuring half.
 *
 *   counters_bench pump SRC DST DSTMAC SIZE COUNT
 *       attach a queue to taps SRC and DST, write COUNT frames of SIZE bytes (to
 *       DSTMAC, ethertype 0x88b5) into SRC and read them from DST; prints
 *       "<cpu ns per frame> <frames received>".  The tap write runs the whole
 *       path (SRC's tc ingress, the bridge, DST's tc egress) in this thread, so its
 *       CPU time is the datapath's cost.
 *   counters_bench attach MODE SRC DST
 *       for comparison rows, attach on SRC's ingress and DST's egress (they stay):
 *       empty-tc: a program that only returns, the way netd attaches (clsact,
 *       cls_bpf) — the hook's own cost; tcx: netd's own programs (taken from the
 *       filters on tap on0, slots filled in netd's map) through tcx (kernel 6.6+)
 *       instead of clsact; prints each tcx attach's time in ms.  Exit status 4 when
 *       the kernel has no tcx.
 *   counters_bench batch N ROUNDS
 *       a slots map like netd's with N backends in it; prints the median time of
 *       one batched read of them all (and how many syscalls that took), and of N
 *       single lookups for comparison: "<batch us> <syscalls> <per-key us>".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../ebpf/counters.h"

#define BATCH 64

static int die(const char *what)
{
	fprintf(stderr, "counters_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int tap_open(const char *name)
{
	struct ifreq ifr = { 0 };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		die("/dev/net/tun");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die(name);
	return fd;
}

/* Until the kernel has acted on the carrier our queue brings: linkwatch runs it
 * later (under the RTNL lock, so seconds later on a busy host), and the bridge
 * forwards to the port only then. */
static void wait_up(const char *name)
{
	char path[64], state[16] = "";

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", name);
	for (int i = 0; i < 3000 && strncmp(state, "up", 2); i++) {
		FILE *f = fopen(path, "r");
		if (!f || !fgets(state, sizeof(state), f))
			die(path);
		fclose(f);
		if (strncmp(state, "up", 2))
			usleep(10000);
	}
	if (strncmp(state, "up", 2)) {
		fprintf(stderr, "counters_bench: %s did not come up (operstate %s)\n", name, state);
		exit(1);
	}
}

static int drain(int fd, char *buf)
{
	int n = 0;

	while (read(fd, buf, 65536) > 0)
		n++;
	return n;
}

static int pump(char **argv)
{
	int s = tap_open(argv[0]), d = tap_open(argv[1]);
	unsigned size = (unsigned)atoi(argv[3]);
	long count = atol(argv[4]), sent = 0, got = 0;
	unsigned char frame[9000] = { 0 }, mac[6];
	static char buf[65536];
	uint64_t t0, t1;

	if (size < 60 || size > sizeof(frame) ||
	    sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		   &mac[4], &mac[5]) != 6) {
		fprintf(stderr, "counters_bench: bad size or MAC\n");
		return 2;
	}
	wait_up(argv[0]);
	wait_up(argv[1]);
	memcpy(frame, mac, 6);
	memcpy(frame + 6, "\x02\x00\x00\x00\xbe\x01", 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	/* Warm the path (and the bridge's fdb) before measuring. */
	for (int i = 0; i < 4 * BATCH; i++) {
		if (write(s, frame, size) < 0)
			die("write");
		if (i % BATCH == BATCH - 1)
			drain(d, buf);
	}
	drain(d, buf);
	t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	while (sent < count) {
		for (int i = 0; i < BATCH; i++)
			if (write(s, frame, size) < 0)
				die("write");
		sent += BATCH;
		got += drain(d, buf);
	}
	t1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	for (int tries = 0; got < sent && tries < 10; tries++) {
		struct pollfd p = { d, POLLIN, 0 };
		poll(&p, 1, 100);
		got += drain(d, buf);
	}
	printf("%.1f %ld\n", (double)(t1 - t0) / (double)sent, got);
	return got == sent ? 0 : 3;
}

#define TC_HANDLE 0x6e64u  /* netd's, see netd/daemon/stats.c */
#define TCX_INGRESS 46     /* enum bpf_attach_type, newer than these headers */
#define TCX_EGRESS 47

static int tc_attach(int ifindex, enum bpf_tc_attach_point where, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = TC_HANDLE, .priority = TC_HANDLE, .prog_fd = prog_fd);
	int rc = bpf_tc_hook_create(&h);

	if (rc < 0 && rc != -EEXIST)
		return rc;
	return bpf_tc_attach(&h, &o);
}

/* netd's program in its filter on `dev` at `where`. */
static int netd_prog(const char *dev, enum bpf_tc_attach_point where)
{
	LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = (int)if_nametoindex(dev), .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = TC_HANDLE, .priority = TC_HANDLE);

	if (bpf_tc_query(&h, &o) < 0)
		die("netd's filter on on0");
	return bpf_prog_get_fd_by_id(o.prog_id);
}

static int attach(char **argv)
{
	int src = (int)if_nametoindex(argv[1]), dst = (int)if_nametoindex(argv[2]);

	if (!src || !dst)
		die("device");
	if (!strcmp(argv[0], "empty-tc")) {
		struct bpf_insn ret[] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = -1 /* TC_ACT_UNSPEC */ },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "empty", "GPL", ret, 2, NULL);
		if (fd < 0 || tc_attach(src, BPF_TC_INGRESS, fd) < 0 || tc_attach(dst, BPF_TC_EGRESS, fd) < 0)
			die("empty program");
		return 0;
	}
	if (!strcmp(argv[0], "tcx")) {
		int tx = netd_prog("on0", BPF_TC_INGRESS), rx = netd_prog("on0", BPF_TC_EGRESS), map = -1;
		struct bpf_prog_info pi = { 0 };
		struct bpf_map_info mi = { 0 };
		uint32_t ids[4], len = sizeof(pi);
		int ncpu = libbpf_num_possible_cpus();
		size_t stride = (sizeof(struct netd_slot) + 7) & ~(size_t)7;
		char *v = calloc((size_t)ncpu, stride);

		pi.nr_map_ids = 4;
		pi.map_ids = (uint64_t)(uintptr_t)ids;
		if (tx < 0 || rx < 0 || !v || bpf_obj_get_info_by_fd(tx, &pi, &len) < 0)
			die("netd's programs");
		for (uint32_t i = 0; i < pi.nr_map_ids && i < 4 && map < 0; i++) {
			len = sizeof(mi);
			map = bpf_map_get_fd_by_id(ids[i]);
			if (map >= 0 && (bpf_obj_get_info_by_fd(map, &mi, &len) < 0 || strcmp(mi.name, "slots"))) {
				close(map);
				map = -1;
			}
		}
		if (map < 0)
			die("netd's slots map");
		/* Their own slots, as netd fills them (the test's few taps do not collide). */
		for (int i = 0; i < 2; i++) {
			uint32_t ifindex = (uint32_t)(i ? dst : src), key = ifindex & (mi.max_entries - 1);
			for (int c = 0; c < ncpu; c++)
				((struct netd_slot *)(v + c * stride))->ifindex = ifindex;
			if (bpf_map_update_elem(map, &key, v, BPF_ANY) < 0)
				die("netd's map");
		}
		/* Each attach waits for an RCU grace period (kernel/bpf/tcx.c): say how long. */
		uint64_t t0 = now_ns(CLOCK_MONOTONIC), t1;
		if (bpf_prog_attach(tx, src, TCX_INGRESS, 0) < 0) {
			if (errno == EINVAL)
				return 4;
			die("tcx ingress");
		}
		t1 = now_ns(CLOCK_MONOTONIC);
		if (bpf_prog_attach(rx, dst, TCX_EGRESS, 0) < 0)
			die("tcx egress");
		printf("%.1f %.1f\n", (double)(t1 - t0) / 1e6, (double)(now_ns(CLOCK_MONOTONIC) - t1) / 1e6);
		return 0;
	}
	fprintf(stderr, "counters_bench: unknown mode %s\n", argv[0]);
	return 2;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int batch(char **argv)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	unsigned n = (unsigned)atoi(argv[0]), rounds = (unsigned)atoi(argv[1]), calls = 0;
	int ncpu = libbpf_num_possible_cpus();
	size_t stride = (sizeof(struct netd_slot) + 7) & ~(size_t)7;
	char *vals = calloc((size_t)(1000 + n) * ncpu, stride);
	uint32_t *keys = calloc(1000 + n, sizeof(*keys)), token;
	uint64_t *tb = calloc(rounds, sizeof(*tb)), *tk = calloc(rounds, sizeof(*tk)), sum = 0;
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "slots", sizeof(uint32_t),
				sizeof(struct netd_slot), NETD_SLOTS_MAX, &mo);

	if (fd < 0)
		die("bpf_map_create");
	if (!vals || !keys || !tb || !tk || ncpu <= 0)
		die("calloc");
	if (1000 + n > NETD_SLOTS_MAX)
		die("more backends than slots from ifindex 1000");
	/* Backends with ifindexes 1000.. in their slots, as netd fills them. */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t ifindex = 1000 + k, key = ifindex & (NETD_SLOTS_MAX - 1);
		for (int c = 0; c < ncpu; c++) {
			((struct netd_slot *)(vals + c * stride))->ifindex = ifindex;
			((struct netd_slot *)(vals + c * stride))->c.dir[0].packets = k + c;
		}
		if (bpf_map_update_elem(fd, &key, vals, BPF_ANY) < 0)
			die("bpf_map_update_elem");
	}
	/* As netd reads: the slots up to the highest one in use, tagged ones summed. */
	uint32_t hi = 1000 + n;
	for (unsigned r = 0; r < rounds; r++) {
		uint64_t t0 = now_ns(CLOCK_MONOTONIC);
		uint32_t got = 0, tagged = 0;
		int rc = 0;
		calls = 0;
		while (got < hi && rc == 0) {
			uint32_t cnt = hi - got;
			rc = bpf_map_lookup_batch(fd, got ? &token : NULL, &token, keys + got,
						  vals + (size_t)got * ncpu * stride, &cnt, &bo);
			calls++;
			got += cnt;
		}
		if ((rc < 0 && rc != -ENOENT) || got != hi) {
			fprintf(stderr, "counters_bench: batch read: %s, %u of %u slots\n", strerror(-rc), got, hi);
			return 1;
		}
		for (uint32_t i = 0; i < got; i++) {
			const char *v = vals + (size_t)i * ncpu * stride;
			if (!((const struct netd_slot *)v)->ifindex)
				continue;
			tagged++;
			for (int c = 0; c < ncpu; c++)
				sum += ((const struct netd_slot *)(v + c * stride))->c.dir[0].packets;
		}
		if (tagged != n) {
			fprintf(stderr, "counters_bench: batch read: %u of %u backends\n", tagged, n);
			return 1;
		}
		tb[r] = now_ns(CLOCK_MONOTONIC) - t0;

		t0 = now_ns(CLOCK_MONOTONIC);
		for (uint32_t k = 0; k < n; k++) {
			uint32_t key = (1000 + k) & (NETD_SLOTS_MAX - 1);
			if (bpf_map_lookup_elem(fd, &key, vals) < 0)
				die("bpf_map_lookup_elem");
		}
		tk[r] = now_ns(CLOCK_MONOTONIC) - t0;
	}
	qsort(tb, rounds, sizeof(*tb), cmp_u64);
	qsort(tk, rounds, sizeof(*tk), cmp_u64);
	printf("%.1f %u %.1f\n", tb[rounds / 2] / 1e3, calls, tk[rounds / 2] / 1e3);
	close(fd);
	return sum ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "pump"))
		return pump(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "batch"))
		return batch(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "attach"))
		return attach(argv + 2);
	fprintf(stderr, "usage: counters_bench pump SRC DST DSTMAC SIZE COUNT\n"
			"       counters_bench attach { empty-tc | tcx } SRC DST\n"
			"       counters_bench batch N ROUNDS\n");
	return 2;
}
