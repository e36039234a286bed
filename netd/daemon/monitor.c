/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <linux/rtnetlink.h>

#include "daemon/log.h"
#include "daemon/monitor.h"

struct monitor {
	struct nl_sock *sk;
	struct nl_cb *cb;  /* the socket's callbacks, one reference held */
	struct source src;
	struct daemon *d;
	int msg_type;      /* of the message being parsed */
};

/* A backend's link vanished without netd deleting it. */
static void backend_gone(struct daemon *d, struct backend *b, const char *why)
{
	struct op_error e = { 0 };

	log_warn("guest %s: backend %s (ifindex %d) %s; forgetting it", b->guest->name, b->name,
		 b->ifindex, why);
	if (b->kind->release && b->kind->release(d, b, &e) < 0)
		log_err("guest %s: %s", b->guest->name, e.msg);
	backend_forget(d, b);
}

static void link_event(struct nl_object *obj, void *arg)
{
	struct monitor *m = arg;
	struct daemon *d = m->d;
	struct rtnl_link *l = (struct rtnl_link *)obj;
	int ifindex = rtnl_link_get_ifindex(l);
	const char *name = rtnl_link_get_name(l);
	struct backend *b = backend_find_ifindex(d, ifindex);

	log_debug("link event %s: %s ifindex %d group %u", m->msg_type == RTM_DELLINK ? "del" : "new",
		  name ? name : "?", ifindex, rtnl_link_get_group(l));
	if (m->msg_type == RTM_DELLINK) {
		foreign_link_set(d, ifindex, 0);
		if (b)
			backend_gone(d, b, "was deleted by somebody else");
		return;
	}
	if (!b) {
		const char *alias = rtnl_link_get_ifalias(l);
		struct tag t;
		/* A link netd did not make (or one being made right now, already tagged). */
		if (!alias || tag_parse(alias, &t) < 0)
			foreign_link_set(d, ifindex, rtnl_link_get_group(l));
		return;
	}
	if (name && strcmp(name, b->name)) {
		log_warn("guest %s: backend %s was renamed to %s by somebody else", b->guest->name,
			 b->name, name);
		registry_rename(d, b, name);
	}
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct monitor *m = arg;

	m->msg_type = nlmsg_hdr(msg)->nlmsg_type;
	if (m->msg_type == RTM_NEWLINK || m->msg_type == RTM_DELLINK)
		nl_msg_parse(msg, link_event, m);
	return NL_OK;
}

static void monitor_process(struct daemon *d)
{
	struct monitor *m = d->monitor;

	if (!m)
		return;
	for (;;) {
		/* The number of messages handled; 0 once the socket is drained. */
		int rc = nl_recvmsgs_report(m->sk, m->cb);
		if (rc == -NLE_AGAIN || rc == 0)
			return;
		if (rc > 0)
			continue;
		if (rc == -NLE_NOMEM) {
			/* The kernel dropped events (ENOBUFS): what we know may be stale. */
			log_warn("link monitor overran; resynchronising from a dump");
			monitor_resync(d);
			continue;
		}
		if (rc < 0) {
			log_err("link monitor: %s", nl_geterror(rc));
			return;
		}
	}
}

static void monitor_cb(struct source *s, uint32_t events, void *data)
{
	monitor_process(data);
}

struct resync_ctx {
	struct daemon *d;
	struct hmap seen;
};

struct seen_node {
	struct hnode node;
	int ifindex;
};

static int resync_link(const struct link_info *li, void *data)
{
	struct resync_ctx *r = data;
	struct backend *b = backend_find_ifindex(r->d, li->ifindex);
	struct seen_node *s;

	if (!b) {
		struct tag t;
		if (tag_parse(li->alias, &t) < 0)
			foreign_link_set(r->d, li->ifindex, li->group);
		return 0;
	}
	if (strcmp(li->name, b->name))
		registry_rename(r->d, b, li->name);
	s = calloc(1, sizeof(*s));
	if (s) {
		s->ifindex = li->ifindex;
		hmap_insert(&r->seen, &s->node, hash_u64((uint64_t)li->ifindex));
	}
	return 0;
}

int monitor_resync(struct daemon *d)
{
	struct resync_ctx r = { .d = d };
	struct hnode *n, *tmp;
	struct op_error e = { 0 };
	size_t i;
	int rc;

	hmap_init(&r.seen);
	rc = link_dump(&d->nl, resync_link, &r, &e);
	if (rc == 0) {
		hmap_for_each_safe(&d->backends_by_ifindex, i, n, tmp) {
			struct backend *b = container_of(n, struct backend, by_ifindex);
			struct hnode *sn;
			bool found = false;
			hmap_for_hash(&r.seen, hash_u64((uint64_t)b->ifindex), sn)
				if (container_of(sn, struct seen_node, node)->ifindex == b->ifindex)
					found = true;
			if (!found)
				backend_gone(d, b, "disappeared while events were lost");
		}
	}
	hmap_for_each_safe(&r.seen, i, n, tmp)
		free(container_of(n, struct seen_node, node));
	hmap_free(&r.seen);
	return rc;
}

int monitor_start(struct daemon *d, struct op_error *e)
{
	struct monitor *m = calloc(1, sizeof(*m));
	int rc, fd;

	if (!m)
		return op_fail(e, ENOMEM, "out of memory");
	m->d = d;
	m->sk = nl_socket_alloc();
	if (!m->sk) {
		free(m);
		return op_fail(e, ENOMEM, "out of memory");
	}
	nl_socket_disable_seq_check(m->sk);
	nl_socket_modify_cb(m->sk, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, m);
	m->cb = nl_socket_get_cb(m->sk);
	rc = nl_connect(m->sk, NETLINK_ROUTE);
	if (rc == 0)
		rc = nl_socket_add_membership(m->sk, RTNLGRP_LINK);
	if (rc == 0)
		rc = nl_socket_set_nonblocking(m->sk);
	if (rc < 0) {
		op_fail(e, EIO, "cannot listen for link events: %s", nl_geterror(rc));
		nl_cb_put(m->cb);
		nl_socket_free(m->sk);
		free(m);
		return -EIO;
	}
	fd = nl_socket_get_fd(m->sk);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* Room for the burst of events a 4096-backend guest delete produces (root may
	 * exceed rmem_max). */
	int rcvbuf = 8 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		nl_socket_set_buffer_size(m->sk, rcvbuf, 0);
	/* One recvmsg per event, not a peek and a read. */
	nl_socket_disable_msg_peek(m->sk);
	nl_socket_set_msg_buf_size(m->sk, 64 * 1024);
	/* The bridge repeats every port change as an AF_BRIDGE link message: half the
	 * events, none of them of use here.  Drop them in the kernel. */
	static struct sock_filter drop_bridge[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, sizeof(struct nlmsghdr) + offsetof(struct ifinfomsg, ifi_family)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_BRIDGE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog prog = { sizeof(drop_bridge) / sizeof(drop_bridge[0]), drop_bridge };
	setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	loop_add(d->loop, &m->src, fd, EPOLLIN, monitor_cb, d);
	d->monitor = m;
	return 0;
}

void monitor_stop(struct daemon *d)
{
	struct monitor *m = d->monitor;

	if (!m)
		return;
	loop_remove(d->loop, &m->src);
	nl_cb_put(m->cb);
	nl_socket_free(m->sk);
	free(m);
	d->monitor = NULL;
}
