/* SPDX-License-Identifier: MIT */
/* bind-pid: a guest's backends live as long as one process (the VM).  A pidfd in the
 * event loop turns readable when it exits; the guest then goes in one batch.  The pid
 * and its start time sit in every backend's tag, so the binding survives a restart. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/log.h"

int proc_start_time(pid_t pid, uint64_t *ret)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* comm may hold spaces and parens: fields resume after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	/* field 22 (starttime) is the 20th after the ')' */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EIO;
	}
	if (sscanf(p + 1, "%llu", &start) != 1)
		return -EIO;
	*ret = start;
	return 0;
}

static int pidfd_open_checked(pid_t pid, uint64_t start, struct op_error *e)
{
	uint64_t now;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return op_fail(e, errno == ESRCH ? ESRCH : errno, "cannot bind to process %d: %s", (int)pid,
			       errno == ESRCH ? "no such process" : strerror(errno));
	/* Checked after the pidfd exists, so the answer is about the process it pins. */
	if (proc_start_time(pid, &now) < 0 || (start && now != start)) {
		close(fd);
		return op_fail(e, ESRCH, "process %d is not the one the guest was bound to (it exited)", (int)pid);
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

int bind_check(pid_t pid, uint64_t start, struct op_error *e)
{
	int fd = pidfd_open_checked(pid, start, e);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

struct bind_ctx {
	struct daemon *d;
	struct guest *g;
};

static void guest_process_exited(struct source *s, uint32_t events, void *data)
{
	struct bind_ctx *ctx = data;
	struct daemon *d = ctx->d;
	struct guest *g = ctx->g;
	struct op_error e = { 0 };
	pid_t pid = g->bound_pid;
	char name[GUEST_NAME_MAX + 1];

	snprintf(name, sizeof(name), "%s", g->name);
	log_info("guest %s: bound process %d exited; tearing its backends down", name, (int)pid);
	if (guest_delete(d, g, &e) < 0) {
		log_err("guest %s: %s%s%s", name, e.msg, e.extack[0] ? ": " : "", e.extack);
		guest_unbind(d, g); /* do not spin on a pidfd that stays readable */
	}
}

int guest_bind(struct daemon *d, struct guest *g, pid_t pid, uint64_t start, struct op_error *e)
{
	struct bind_ctx *ctx;
	int fd, rc;

	if (g->bound_pid == pid)
		return 0;
	if (g->bound_pid)
		return op_fail(e, EBUSY, "guest '%s' is bound to process %d already", g->name, (int)g->bound_pid);
	fd = pidfd_open_checked(pid, start, e);
	if (fd < 0)
		return fd;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		close(fd);
		return op_fail(e, ENOMEM, "out of memory");
	}
	ctx->d = d;
	ctx->g = g;
	rc = loop_add(d->loop, &g->pid_src, fd, EPOLLIN, guest_process_exited, ctx);
	if (rc < 0) {
		free(ctx);
		close(fd);
		return op_fail(e, rc, "cannot watch process %d: %s", (int)pid, strerror(-rc));
	}
	g->bound_pid = pid;
	g->bound_start = start;
	return 0;
}

void guest_unbind(struct daemon *d, struct guest *g)
{
	int fd = g->pid_src.fd;

	if (!g->bound_pid)
		return;
	loop_remove(d->loop, &g->pid_src);
	close(fd);
	free(g->pid_src.data);
	g->pid_src.data = NULL;
	g->bound_pid = 0;
}
