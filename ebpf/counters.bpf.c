// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Per-backend traffic counters: two tc programs, one per guest direction.  netd
 * attaches each at the hook that sees that direction for the backend's device kind
 * (tap: guest tx at tc ingress, guest rx at tc egress; macvtap the other way round).
 *
 * The programs only count: they never change a packet's fate, and they return
 * TC_ACT_UNSPEC so that any filter somebody else put after ours still runs.  They
 * only look entries up; netd creates an entry (zeroed) when it attaches, so a
 * device netd does not know costs one failed lookup and nothing more. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "counters.h"

/* Preallocated: with BPF_F_NO_PREALLOC, updates from user space can fail with
 * ENOMEM on the BPF allocator's per-CPU caches (6.x kernels), and netd creates an
 * entry with every backend. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, NETD_COUNTERS_MAX);
	__type(key, __u32);                 /* ifindex */
	__type(value, struct netd_counters);
} counters SEC(".maps");

static __always_inline int count(struct __sk_buff *skb, enum netd_dir dir)
{
	__u32 key = skb->ifindex, len = skb->len;
	struct netd_counters *c = bpf_map_lookup_elem(&counters, &key);

	if (c) {
		struct netd_dir_counters *d = &c->dir[dir];
		/* Per-CPU, and tc runs with bottom halves off: plain adds are safe. */
		d->packets++;
		d->bytes += len;
		d->hist[netd_hist_bucket(len)]++;
	}
	return TC_ACT_UNSPEC;
}

SEC("tc")
int netd_guest_rx(struct __sk_buff *skb)
{
	return count(skb, NETD_DIR_RX);
}

SEC("tc")
int netd_guest_tx(struct __sk_buff *skb)
{
	return count(skb, NETD_DIR_TX);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
