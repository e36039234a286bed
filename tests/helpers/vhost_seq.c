/* SPDX-License-Identifier: MIT */
/*
 * vhost_seq SOCK BACKEND: take a backend's queue and vhost fds from netd (backend
 * open, which hands both out) and run on every queue pair the vhost-net set-up QEMU
 * runs: SET_OWNER, GET/SET_FEATURES, SET_MEM_TABLE, then per virtqueue (rx, tx)
 * SET_VRING_NUM/ADDR/BASE/KICK/CALL, and NET_SET_BACKEND with the queue fd; then
 * detaches (NET_SET_BACKEND -1).  Prints one line per queue pair; exits non-zero on the
 * first refusal, naming the ioctl and the kernel's errno.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "netd/netd.h"

#define RING 256

static int fail(const char *what, unsigned q)
{
	fprintf(stderr, "vhost_seq: queue pair %u: %s: %s\n", q, what, strerror(errno));
	return 1;
}

static int setup_pair(int vhost, int tap, unsigned q, uint8_t *mem, size_t mem_size)
{
	struct vhost_memory *m = calloc(1, sizeof(*m) + sizeof(struct vhost_memory_region));
	uint64_t features;
	int hdr = (int)sizeof(struct virtio_net_hdr_mrg_rxbuf);

	if (ioctl(vhost, VHOST_SET_OWNER) < 0)
		return fail("VHOST_SET_OWNER", q);
	if (ioctl(vhost, VHOST_GET_FEATURES, &features) < 0)
		return fail("VHOST_GET_FEATURES", q);
	/* What QEMU asks of vhost-net for a modern virtio-net: the ring layout bits and a
	 * merged-rx-buffer header (the header the tap then must carry, 12 bytes). */
	features &= (1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
		    (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	if (ioctl(vhost, VHOST_SET_FEATURES, &features) < 0)
		return fail("VHOST_SET_FEATURES", q);
	if (ioctl(tap, TUNSETVNETHDRSZ, &hdr) < 0)
		return fail("TUNSETVNETHDRSZ", q);
	m->nregions = 1;
	m->regions[0].guest_phys_addr = 0;
	m->regions[0].memory_size = mem_size;
	m->regions[0].userspace_addr = (uint64_t)(uintptr_t)mem;
	if (ioctl(vhost, VHOST_SET_MEM_TABLE, m) < 0)
		return fail("VHOST_SET_MEM_TABLE", q);
	free(m);
	for (unsigned vq = 0; vq < 2; vq++) {
		/* Each virtqueue's rings at their own offsets inside the one region. */
		uint64_t base = (uint64_t)vq * 0x10000;
		struct vhost_vring_state num = { .index = vq, .num = RING };
		struct vhost_vring_state vbase = { .index = vq, .num = 0 };
		struct vhost_vring_addr addr = {
			.index = vq,
			.desc_user_addr = (uint64_t)(uintptr_t)(mem + base),
			.avail_user_addr = (uint64_t)(uintptr_t)(mem + base + 16 * RING),
			.used_user_addr = (uint64_t)(uintptr_t)(mem + base + 0x8000),
		};
		struct vhost_vring_file kick = { .index = vq, .fd = eventfd(0, EFD_CLOEXEC) };
		struct vhost_vring_file call = { .index = vq, .fd = eventfd(0, EFD_CLOEXEC) };
		struct vhost_vring_file backend = { .index = vq, .fd = tap };

		if (ioctl(vhost, VHOST_SET_VRING_NUM, &num) < 0)
			return fail("VHOST_SET_VRING_NUM", q);
		if (ioctl(vhost, VHOST_SET_VRING_ADDR, &addr) < 0)
			return fail("VHOST_SET_VRING_ADDR", q);
		if (ioctl(vhost, VHOST_SET_VRING_BASE, &vbase) < 0)
			return fail("VHOST_SET_VRING_BASE", q);
		if (ioctl(vhost, VHOST_SET_VRING_KICK, &kick) < 0)
			return fail("VHOST_SET_VRING_KICK", q);
		if (ioctl(vhost, VHOST_SET_VRING_CALL, &call) < 0)
			return fail("VHOST_SET_VRING_CALL", q);
		if (ioctl(vhost, VHOST_NET_SET_BACKEND, &backend) < 0)
			return fail("VHOST_NET_SET_BACKEND", q);
	}
	printf("queue pair %u: vhost-net running on the backend's queue fd\n", q);
	for (unsigned vq = 0; vq < 2; vq++) {
		struct vhost_vring_file off = { .index = vq, .fd = -1 };
		if (ioctl(vhost, VHOST_NET_SET_BACKEND, &off) < 0)
			return fail("VHOST_NET_SET_BACKEND (detach)", q);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct netd *n;
	struct netd_reply *r;
	json_object *args;
	size_t mem_size = 0x20000;
	uint8_t *mem;
	unsigned pairs = 0;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: vhost_seq SOCK BACKEND\n");
		return 2;
	}
	if ((rc = netd_connect(argv[1], &n)) < 0) {
		fprintf(stderr, "vhost_seq: connect: %s\n", strerror(-rc));
		return 1;
	}
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(argv[2]));
	if ((rc = netd_call(n, "backend.open", args, &r)) < 0) {
		fprintf(stderr, "vhost_seq: backend open: %s\n", r ? netd_reply_error(r) : strerror(-rc));
		return 1;
	}
	mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (unsigned q = 0;; q++) {
		int tap = netd_reply_take_fd(r, "queue", q), vhost = netd_reply_take_fd(r, "vhost", q);
		if (tap < 0 && vhost < 0)
			break;
		if (tap < 0 || vhost < 0) {
			fprintf(stderr, "vhost_seq: queue pair %u: netd gave %s fd but no %s fd\n", q,
				tap < 0 ? "a vhost" : "a queue", tap < 0 ? "queue" : "vhost");
			return 1;
		}
		if (setup_pair(vhost, tap, q, mem, mem_size))
			return 1;
		close(tap);
		close(vhost);
		pairs++;
	}
	printf("%u queue pair%s set up and torn down\n", pairs, pairs == 1 ? "" : "s");
	netd_reply_free(r);
	netd_disconnect(n);
	return pairs ? 0 : 1;
}
