/* SPDX-License-Identifier: MIT */
/*
 * bench_baseline: what people do today without netd, timed as they pay for it:
 * every program run is a posix_spawn + wait (the cheapest way to run one; a shell
 * script's fork costs more), and the unit ends when the caller holds the queue fd.
 *
 *   bench_baseline ip-tap BRIDGE PREFIX GROUP      ip tuntap add dev PREFIX<i> mode tap;
 *                                                  ip link set dev PREFIX<i> master BRIDGE up;
 *                                                  open /dev/net/tun + TUNSETIFF to attach
 *   bench_baseline qbh HELPER BRIDGE GROUP         as QEMU runs qemu-bridge-helper: a
 *                                                  socketpair, HELPER --br=BRIDGE --fd=N,
 *                                                  the tap fd received over it, helper reaped
 *   bench_baseline ip-macvtap LOWER PREFIX GROUP   ip link add link LOWER name PREFIX<i> up
 *                                                  type macvtap mode bridge; open its char device
 *   bench_baseline ipdel LABEL                     ip link del dev NAME for each name on stdin,
 *                                                  "LABEL NS" each
 *   bench_baseline pingpong LABEL N CPU CPU        N round trips of a 64-byte message over a
 *                                                  SOCK_SEQPACKET pair between two processes,
 *                                                  pinned to those CPUs: the floor of any
 *                                                  request to a daemon here
 *
 * The first three are bench_pair workers (bench_common.h); at the end they delete
 * their devices (moved into GROUP after each timing) in one batch.
 */
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "bench_common.h"

extern char **environ;

struct base {
	struct rtnl rtnl;
	const char *lower, *prefix, *helper;
	uint32_t group;
	unsigned next;
	struct fdlist fds;
};

/* Run argv (the child gets fd `keep` as 3 when keep >= 0); its exit status, or -errno. */
static int run(char *const argv[], int keep)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, st;

	posix_spawn_file_actions_init(&fa);
	if (keep >= 0)
		posix_spawn_file_actions_adddup2(&fa, keep, 3);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -rc;
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int64_t run_failed(int rc, char *const argv[])
{
	char cmd[256] = "";

	for (size_t i = 0; argv[i]; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s", i ? " " : "", argv[i]);
	if (rc < 0)
		return op_failed(-rc, "cannot run '%s'", cmd);
	fprintf(stderr, "bench_baseline: '%s' exited with status %d\n", cmd, rc);
	return -EIO;
}

static int64_t ip_tap_op(void *ctx)
{
	struct base *b = ctx;
	struct ifreq ifr = { 0 };
	uint64_t t0 = now_ns(), t1;
	int fd, rc;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s%u", b->prefix, b->next++);
	char *add[] = { "ip", "tuntap", "add", "dev", ifr.ifr_name, "mode", "tap", NULL };
	char *set[] = { "ip", "link", "set", "dev", ifr.ifr_name, "master", (char *)b->lower, "up", NULL };
	if ((rc = run(add, -1)) != 0)
		return run_failed(rc, add);
	if ((rc = run(set, -1)) != 0)
		return run_failed(rc, set);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return op_failed(errno, "cannot open /dev/net/tun");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		rc = errno;
		close(fd);
		return op_failed(rc, "cannot attach to tap '%s'", ifr.ifr_name);
	}
	t1 = now_ns();
	fdlist_add(&b->fds, fd);
	rtnl_set_group(&b->rtnl, ifr.ifr_name, b->group);
	return (int64_t)(t1 - t0);
}

/* The fd the helper sends: one byte of data, one SCM_RIGHTS fd. */
static int recv_fd(int sk)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sk, &mh, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

static int64_t qbh_op(void *ctx)
{
	struct base *b = ctx;
	char br[IFNAMSIZ + 8];
	struct ifreq ifr = { 0 };
	uint64_t t0 = now_ns(), t1;
	int sv[2], fd, rc;

	snprintf(br, sizeof(br), "--br=%s", b->lower);
	char *argv[] = { (char *)b->helper, br, "--fd=3", NULL };
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return op_failed(errno, "socketpair");
	rc = run(argv, sv[1]);
	close(sv[1]);
	fd = rc == 0 ? recv_fd(sv[0]) : -1;
	close(sv[0]);
	if (rc != 0)
		return run_failed(rc, argv);
	if (fd < 0)
		return op_failed(EPROTO, "%s sent no fd", b->helper);
	t1 = now_ns();
	fdlist_add(&b->fds, fd);
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return op_failed(errno, "TUNGETIFF on the helper's fd");
	rtnl_set_group(&b->rtnl, ifr.ifr_name, b->group);
	return (int64_t)(t1 - t0);
}

static int64_t ip_macvtap_op(void *ctx)
{
	struct base *b = ctx;
	char name[IFNAMSIZ];
	uint64_t t0 = now_ns(), t1;
	int fd = -1, rc;

	snprintf(name, sizeof(name), "%s%u", b->prefix, b->next++);
	char *add[] = { "ip", "link", "add", "link", (char *)b->lower, "name", name, "up",
			"type", "macvtap", "mode", "bridge", NULL };
	if ((rc = run(add, -1)) != 0)
		return run_failed(rc, add);
	if ((rc = macvtap_open(name, &fd)) < 0)
		return op_failed(-rc, "cannot open the char device of macvtap '%s'", name);
	t1 = now_ns();
	fdlist_add(&b->fds, fd);
	rtnl_set_group(&b->rtnl, name, b->group);
	return (int64_t)(t1 - t0);
}

static int ipdel(const char *label)
{
	char name[64];

	while (fgets(name, sizeof(name), stdin)) {
		name[strcspn(name, "\n")] = '\0';
		char *argv[] = { "ip", "link", "del", "dev", name, NULL };
		uint64_t t0 = now_ns();
		int rc = run(argv, -1);

		if (rc != 0)
			return (int)-run_failed(rc, argv);
		printf("%s %llu\n", label, (unsigned long long)(now_ns() - t0));
	}
	return 0;
}

static void pin(const char *cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(atoi(cpu), &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("CPU %s: %s", cpu, strerror(errno));
}

/* The echoing side is a child process, as netd is another process to its clients. */
static int pingpong(const char *label, long n, const char *cpu, const char *echo_cpu)
{
	char msg[64] = { 0 };
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(sv[0]);
		pin(echo_cpu);
		while (read(sv[1], msg, sizeof(msg)) > 0 && write(sv[1], msg, sizeof(msg)) == sizeof(msg))
			;
		_exit(0);
	}
	close(sv[1]);
	pin(cpu);
	for (long i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		if (write(sv[0], msg, sizeof(msg)) != sizeof(msg) || read(sv[0], msg, sizeof(msg)) != sizeof(msg))
			die("ping-pong: %s", strerror(errno));
		printf("%s %llu\n", label, (unsigned long long)(now_ns() - t0));
	}
	close(sv[0]);
	waitpid(pid, NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	struct base b = { 0 };
	int64_t (*op)(void *) = NULL;

	if (argc == 3 && !strcmp(argv[1], "ipdel"))
		return ipdel(argv[2]) ? 1 : 0;
	if (argc == 6 && !strcmp(argv[1], "pingpong"))
		return pingpong(argv[2], strtol(argv[3], NULL, 10), argv[4], argv[5]);
	if (argc == 5 && !strcmp(argv[1], "ip-tap"))
		op = ip_tap_op;
	else if (argc == 5 && !strcmp(argv[1], "qbh"))
		op = qbh_op;
	else if (argc == 5 && !strcmp(argv[1], "ip-macvtap"))
		op = ip_macvtap_op;
	if (!op) {
		fprintf(stderr, "Usage: bench_baseline { ip-tap BRIDGE PREFIX GROUP | qbh HELPER BRIDGE GROUP |\n"
				"                        ip-macvtap LOWER PREFIX GROUP | ipdel LABEL |\n"
				"                        pingpong LABEL N CPU CPU }\n");
		return 2;
	}
	if (op == qbh_op) {
		b.helper = argv[2];
		b.lower = argv[3];
	} else {
		b.lower = argv[2];
		b.prefix = argv[3];
	}
	b.group = (uint32_t)strtoul(argv[4], NULL, 0);
	return device_worker_loop(op, &b, &b.rtnl, b.group, &b.fds);
}
