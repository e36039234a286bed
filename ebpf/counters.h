/* SPDX-License-Identifier: MIT */
/* Types shared by ebpf/counters.bpf.c and netd (user space): one per-CPU hash map,
 * keyed by the backend's ifindex (netd lives in one network namespace), holding
 * per guest direction a packet count, a byte count and a size histogram.
 *
 * Sizes are the frame as the hook sees it: the Ethernet header and payload, no FCS
 * (a minimum frame is 60 bytes, a full 1500-MTU frame 1514, 1518 with a VLAN tag).
 * A GSO/TSO super-packet counts once, with its whole length, as the kernel's own
 * link counters do. */
#ifndef NETD_EBPF_COUNTERS_H
#define NETD_EBPF_COUNTERS_H

#include <linux/types.h>

/* Directions are named from the guest: rx is host -> guest, tx guest -> host. */
enum netd_dir { NETD_DIR_RX = 0, NETD_DIR_TX = 1, NETD_DIRS = 2 };

/* Histogram buckets by frame length in bytes (inclusive upper bounds):
 *   0: <= 64   1: 65-127   2: 128-255   3: 256-511   4: 512-1023
 *   5: 1024-1518   6: > 1518 (jumbo frames and GSO super-packets) */
#define NETD_HIST_BUCKETS 7
#define NETD_HIST_BOUNDS { 64, 127, 255, 511, 1023, 1518 }

/* Entries of the map at most; netd may load it smaller on hosts with many CPUs (the
 * map is preallocated: each entry costs one value per possible CPU). */
#define NETD_COUNTERS_MAX 8192

struct netd_dir_counters {
	__u64 packets;
	__u64 bytes;
	__u64 hist[NETD_HIST_BUCKETS];
};

struct netd_counters {
	struct netd_dir_counters dir[NETD_DIRS];
};

/* The bucket of a frame of `len` bytes; the BPF program and netd's tests share it. */
static inline __u32 netd_hist_bucket(__u32 len)
{
	if (len <= 64)
		return 0;
	if (len <= 127)
		return 1;
	if (len <= 255)
		return 2;
	if (len <= 511)
		return 3;
	if (len <= 1023)
		return 4;
	if (len <= 1518)
		return 5;
	return 6;
}

#endif
