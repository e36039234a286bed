/* SPDX-License-Identifier: MIT */
/* Types shared by ebpf/counters.bpf.c and netd (user space): per backend (by the
 * ifindex of its device: netd lives in one network namespace) and per guest
 * direction a packet count, a byte count and a size histogram.
 *
 * Where they live: a per-CPU array of slots, the slot of a device being its ifindex
 * modulo the array's size (a power of two), each slot tagged with its owner's
 * ifindex; a backend whose slot another backend holds goes into a per-CPU hash keyed
 * by ifindex instead.  Kernels from 6.10 inline an array lookup into the program (a
 * mask, a compare and a load); a hash lookup is a call, a hash and a bucket walk,
 * and on a retpoline/SRSO-mitigated CPU it cost 4 times the rest of the counting.
 * Ifindexes are handed out in increasing order, so two live backends share a slot
 * only when one outlived many thousand devices made after it.
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

/* Slots at most (and as many overflow entries); netd may load fewer on hosts with
 * many CPUs: both maps are preallocated, each entry one value per possible CPU. */
#define NETD_SLOTS_MAX 8192

struct netd_dir_counters {
	__u64 packets;
	__u64 bytes;
	__u64 hist[NETD_HIST_BUCKETS];
};

struct netd_counters {
	struct netd_dir_counters dir[NETD_DIRS];
};

/* A value of either map: the counters and whose they are (0: a free slot).  netd
 * writes `ifindex` into every CPU's copy; the programs never change it. */
struct netd_slot {
	__u32 ifindex;
	__u32 reserved;
	struct netd_counters c;
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
