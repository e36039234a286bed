/* SPDX-License-Identifier: MIT */
/*
 * What the bench_* helpers share (scripts/bench drives them).
 *
 * A worker does one unit of work per line it reads on stdin and answers with one
 * line, the nanoseconds that unit took ("ERR <text>" on failure); bench_pair feeds
 * several workers in turn so their samples interleave.  Only the unit of work is
 * timed: bookkeeping that lets the run clean up fast (moving a device into the
 * worker's IFLA_GROUP) happens after the clock stops.
 *
 * Cleanup is batched because single deletions are slow: deleting a tap or closing
 * a macvtap fd waits for an RCU grace period (~20 ms) each.  So a worker deletes its
 * devices by group in one request, then closes its fds from many threads, which
 * share grace periods.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Say why a unit of work failed; returns -err for worker_loop. */
static inline __attribute__((format(printf, 2, 3))) int64_t op_failed(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", strerror(err));
	va_end(ap);
	return -err;
}

/* A run holds thousands of fds at once (queues kept open until the batch delete):
 * take the whole hard limit. */
static inline void raise_nofile(size_t need)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) < 0)
		die("getrlimit: %m");
	r.rlim_cur = r.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_cur < need + 64)
		die("need %zu open files, RLIMIT_NOFILE allows %lu", need + 64, (unsigned long)r.rlim_cur);
}

/* A growable list of fds the worker owns. */
struct fdlist {
	int *fd;
	size_t n, cap;
};

static inline void fdlist_add(struct fdlist *l, int fd)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->fd = realloc(l->fd, l->cap * sizeof(*l->fd));
		if (!l->fd)
			die("out of memory");
	}
	l->fd[l->n++] = fd;
}

struct closer {
	const struct fdlist *l;
	size_t first, step;
};

static inline void *closer_run(void *arg)
{
	struct closer *c = arg;

	for (size_t i = c->first; i < c->l->n; i += c->step)
		close(c->l->fd[i]);
	return NULL;
}

/* Close every fd of l from up to 64 threads: each close of a macvtap fd (and of a tap
 * fd whose device is still there) waits for a grace period; parallel closes share them. */
static inline void fdlist_close_all(struct fdlist *l)
{
	enum { MAX_THREADS = 64 };
	struct closer c[MAX_THREADS];
	pthread_t t[MAX_THREADS];
	size_t n = l->n < MAX_THREADS ? l->n : MAX_THREADS, started = 0;

	for (size_t i = 0; i < n; i++)
		c[i] = (struct closer){ l, i, n };
	while (started < n && pthread_create(&t[started], NULL, closer_run, &c[started]) == 0)
		started++;
	for (size_t i = started; i < n; i++) /* no more threads: the rest in this one */
		closer_run(&c[i]);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	l->n = 0;
}

/* rtnetlink with libmnl: one request, wait for its ACK; -errno from the kernel. */
struct rtnl {
	struct mnl_socket *sk;
	unsigned seq;
	char buf[16384];  /* requests and their ACKs; no dumps */
};

static inline void rtnl_open(struct rtnl *r)
{
	int one = 1;

	r->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->sk || mnl_socket_bind(r->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		die("cannot open rtnetlink: %m");
	mnl_socket_setsockopt(r->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	r->seq = (unsigned)time(NULL);
}

static inline struct nlmsghdr *rtnl_msg(struct rtnl *r, uint16_t type, uint16_t flags,
					struct ifinfomsg **ifi)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++r->seq;
	*ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(**ifi));
	(*ifi)->ifi_family = AF_UNSPEC;
	return nlh;
}

static inline int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh)
{
	unsigned seq = nlh->nlmsg_seq, portid = mnl_socket_get_portid(r->sk);
	int rc;

	if (mnl_socket_sendto(r->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(r->sk, r->buf, sizeof(r->buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(r->buf, (size_t)n, seq, portid, NULL, NULL);
	} while (rc > 0);
	return rc < 0 ? -errno : 0;
}

/* Untimed bookkeeping: put device `name` into `group`, for the batch delete. */
static inline void rtnl_set_group(struct rtnl *r, const char *name, uint32_t group)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = rtnl_msg(r, RTM_SETLINK, 0, &ifi);
	int rc;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	if ((rc = rtnl_talk(r, nlh)) < 0)
		die("cannot move '%s' into group %u: %s", name, group, strerror(-rc));
}

/* Delete every device of `group` in one kernel batch. */
static inline void rtnl_del_group(struct rtnl *r, uint32_t group)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = rtnl_msg(r, RTM_DELLINK, 0, &ifi);
	int rc;

	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	if ((rc = rtnl_talk(r, nlh)) < 0 && rc != -ENODEV)
		die("cannot delete device group %u: %s", group, strerror(-rc));
}

/*
 * Open macvtap `name`'s char device.  /dev/tapN is named after the ifindex, which is
 * per namespace while devtmpfs is global, so the number in sysfs is the truth: open
 * /dev/tapN when it is that device, else a private node (what netd does too).
 */
static inline int macvtap_open(const char *name, int *ret_fd)
{
	char path[128], buf[32];
	unsigned maj, min, ifindex = if_nametoindex(name);
	struct stat st;
	ssize_t n;
	int fd;

	if (!ifindex)
		return -errno;
	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%u/dev", name, ifindex);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -EIO;
	snprintf(path, sizeof(path), "/dev/tap%u", ifindex);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_rdev == makedev(maj, min)) {
		*ret_fd = fd;
		return 0;
	}
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "/dev/.bench-tap-%d-%u", (int)getpid(), ifindex);
	unlink(path);
	if (mknod(path, S_IFCHR | 0600, makedev(maj, min)) < 0)
		return -errno;
	fd = open(path, O_RDWR | O_CLOEXEC);
	n = errno;
	unlink(path);
	if (fd < 0)
		return -(int)n;
	*ret_fd = fd;
	return 0;
}

/*
 * The worker side of bench_pair: one unit of work per input line, one answer line.
 * op() returns the nanoseconds taken, or -errno after printing why to stderr.
 */
static inline int worker_loop(int64_t (*op)(void *ctx), void *ctx)
{
	char line[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		int64_t ns = op(ctx);
		if (ns < 0) {
			printf("ERR %s\n", strerror((int)-ns));
			return 1;
		}
		printf("%lld\n", (long long)ns);
	}
	return 0;
}

/* worker_loop for a worker that makes devices: each op moves what it made into
 * `group` and keeps its fds in `fds`; at the end the group goes in one batch. */
static inline int device_worker_loop(int64_t (*op)(void *ctx), void *ctx, struct rtnl *r, uint32_t group,
				     struct fdlist *fds)
{
	int rc;

	raise_nofile(4096);
	rtnl_open(r);
	rc = worker_loop(op, ctx);
	rtnl_del_group(r, group);
	fdlist_close_all(fds);
	return rc;
}

#endif
