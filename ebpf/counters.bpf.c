// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Per-backend traffic counters: two tc programs, one per guest direction.  netd
 * attaches each at the hook that sees that direction for the backend's device kind
 * (tap: guest tx at tc ingress, guest rx at tc egress; macvtap the other way round).
 *
 * The programs only count: they never change a packet's fate, and they return
 * TC_ACT_UNSPEC so that any filter somebody else put after ours still runs.  They
 * only look entries up; netd fills a slot (zeroed, tagged) before it attaches, so a
 * device netd does not know costs two failed lookups and nothing more. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "counters.h"

/* The slots array's size - 1; netd sets it (and both maps' sizes) before loading. */
const volatile __u32 slot_mask = NETD_SLOTS_MAX - 1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NETD_SLOTS_MAX);
	__type(key, __u32);                 /* ifindex & slot_mask */
	__type(value, struct netd_slot);
} slots SEC(".maps");

/* Preallocated: with BPF_F_NO_PREALLOC, updates from user space can fail with
 * ENOMEM on the BPF allocator's per-CPU caches (6.x kernels). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, NETD_SLOTS_MAX);
	__type(key, __u32);                 /* ifindex */
	__type(value, struct netd_slot);
} overflow SEC(".maps");

static __always_inline int count(struct __sk_buff *skb, enum netd_dir dir)
{
	__u32 ifindex = skb->ifindex, key = ifindex & slot_mask, len = skb->len;
	struct netd_slot *s = bpf_map_lookup_elem(&slots, &key);

	if (!s || s->ifindex != ifindex) {
		s = bpf_map_lookup_elem(&overflow, &ifindex);
		if (!s)
			return TC_ACT_UNSPEC;
	}
	struct netd_dir_counters *d = &s->c.dir[dir];
	/* Per-CPU, and tc runs with bottom halves off: plain adds are safe. */
	d->packets++;
	d->bytes += len;
	d->hist[netd_hist_bucket(len)]++;
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
