/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/policy.h"
#include "daemon/server.h"

/* Parts are kept well under the socket's default send buffer. */
#define PART_MAX (48 * 1024)

struct outmsg {
	struct outmsg *next;
	char *body;
	size_t len;
	int *fds;
	size_t n_fds;
};

struct client {
	struct source src;
	struct server *srv;
	struct client_cred cred;
	struct outmsg *out, **out_tail;
	size_t out_bytes;
	struct client *next, **pprev;
};

struct server {
	struct daemon *d;
	struct source listen;
	struct client *clients;
	unsigned n_clients;
	bool accept_paused;
};

static void reply_done(struct reply *r)
{
	for (size_t i = 0; i < r->n_fds; i++)
		close(r->fds[i]);
	r->n_fds = 0;
	json_object_put(r->result);
	json_object_put(r->fd_desc);
	r->result = r->fd_desc = NULL;
}

static void client_free(struct client *c)
{
	struct server *s = c->srv;

	int fd = c->src.fd;

	loop_remove(s->d->loop, &c->src);
	close(fd);
	while (c->out) {
		struct outmsg *o = c->out;
		c->out = o->next;
		for (size_t i = 0; i < o->n_fds; i++)
			close(o->fds[i]);
		free(o->fds);
		free(o->body);
		free(o);
	}
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	s->n_clients--;
	if (s->accept_paused) {
		s->accept_paused = false;
		loop_modify(s->d->loop, &s->listen, EPOLLIN);
	}
	free(c);
}

/* Send what is queued; returns -errno when the client must go. */
static int client_flush(struct client *c)
{
	while (c->out) {
		struct outmsg *o = c->out;
		int rc = proto_send(c->src.fd, o->body, o->len, o->fds, o->n_fds, MSG_DONTWAIT);
		if (rc == -EAGAIN)
			break;
		if (rc < 0)
			return rc;
		c->out = o->next;
		if (!c->out)
			c->out_tail = &c->out;
		c->out_bytes -= o->len;
		/* netd keeps no copy of a handed-over fd: an attached queue nobody reads
		 * would swallow the guest's traffic. */
		for (size_t i = 0; i < o->n_fds; i++)
			close(o->fds[i]);
		free(o->fds);
		free(o->body);
		free(o);
	}
	return loop_modify(c->srv->d->loop, &c->src, c->out ? EPOLLOUT : EPOLLIN);
}

static int client_queue(struct client *c, int64_t id, struct reply *r)
{
	char **bodies;
	size_t *lens;
	int n = reply_encode(id, r, PART_MAX, &bodies, &lens);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct outmsg *o = calloc(1, sizeof(*o));
		if (!o) {
			for (int j = i; j < n; j++)
				free(bodies[j]);
			n = -ENOMEM;
			break;
		}
		o->body = bodies[i];
		o->len = lens[i];
		if (i == 0 && r->n_fds) {
			o->fds = malloc(r->n_fds * sizeof(int));
			if (o->fds) {
				memcpy(o->fds, r->fds, r->n_fds * sizeof(int));
				o->n_fds = r->n_fds;
				r->n_fds = 0; /* the queue owns them now */
			}
		}
		*c->out_tail = o;
		c->out_tail = &o->next;
		c->out_bytes += o->len;
	}
	free(bodies);
	free(lens);
	if (n >= 0 && c->out_bytes > SERVER_MAX_QUEUED)
		return -ENOBUFS;
	return n < 0 ? n : 0;
}

static void handle_message(struct client *c, const char *buf, ssize_t len, ssize_t rc_recv)
{
	struct request rq = { .d = c->srv->d, .cred = c->cred };
	struct proto_request req;
	struct reply rp = { 0 };
	char err[256];
	int rc;

	if (rc_recv < 0) {
		op_fail(&rp.err, (int)rc_recv, "request larger than %d bytes was dropped", NETD_MAX_MESSAGE);
		req.id = 0;
	} else if ((rc = proto_parse_request(buf, (size_t)len, &req, err, sizeof(err))) < 0) {
		op_fail(&rp.err, rc, "%s", err);
		req.id = 0;
	} else {
		rq.verb = req.verb;
		dispatch(&rq, req.args, &rp);
		proto_request_done(&req);
	}
	rc = client_queue(c, req.id, &rp);
	reply_done(&rp);
	if (rc < 0)
		log_warn("client pid %d: dropping reply: %s", (int)c->cred.pid, strerror(-rc));
}

static void client_cb(struct source *src, uint32_t events, void *data)
{
	struct client *c = data;

	if (events & EPOLLOUT) {
		if (client_flush(c) < 0)
			goto drop;
		if (c->out)
			return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (c->out)
			return; /* one request at a time: read the next after this reply left */
		char *buf = NULL;
		int fds[1];
		size_t n_fds = 0;
		/* Clients send no fds: any they attach are closed by proto_recv. */
		ssize_t n = proto_recv(src->fd, &buf, NETD_MAX_MESSAGE, fds, &n_fds, 0);
		if (n == -EAGAIN)
			return;
		if (n == 0 || (n < 0 && n != -EMSGSIZE))
			goto drop;
		handle_message(c, buf, n, n < 0 ? n : 0);
		free(buf);
		if (client_flush(c) < 0)
			goto drop;
		if (c->out_bytes > SERVER_MAX_QUEUED)
			goto drop;
	}
	return;
drop:
	client_free(c);
}

static void listen_cb(struct source *src, uint32_t events, void *data)
{
	struct server *s = data;

	for (;;) {
		struct client *c;
		struct ucred uc;
		socklen_t ul = sizeof(uc);
		int fd = accept4(src->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Out of fds: stop accepting until a client leaves. */
				log_warn("accept: %m; pausing new connections");
				s->accept_paused = true;
				loop_modify(s->d->loop, &s->listen, 0);
			}
			return;
		}
		if (s->n_clients >= SERVER_MAX_CLIENTS ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) < 0) {
			struct reply rp = { 0 };
			char **b;
			size_t *l;
			op_fail(&rp.err, EUSERS, "netd already serves %d clients", SERVER_MAX_CLIENTS);
			if (reply_encode(0, &rp, PART_MAX, &b, &l) == 1) {
				proto_send(fd, b[0], l[0], NULL, 0, MSG_DONTWAIT);
				free(b[0]);
			}
			free(b);
			free(l);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->srv = s;
		c->cred.pid = uc.pid;
		c->cred.uid = uc.uid;
		c->cred.gid = uc.gid;
		/* Supplementary groups, for [group] rules; best effort on old kernels. */
		socklen_t gl = sizeof(c->cred.groups);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, c->cred.groups, &gl) == 0)
			c->cred.n_groups = gl / sizeof(gid_t);
		c->out_tail = &c->out;
		if (loop_add(s->d->loop, &c->src, fd, EPOLLIN, client_cb, c) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = s->clients;
		if (c->next)
			c->next->pprev = &c->next;
		c->pprev = &s->clients;
		s->clients = c;
		s->n_clients++;
	}
}

static int mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int server_start(struct daemon *d, struct op_error *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct server *s;
	int fd, rc;

	if (strlen(d->socket_path) >= sizeof(sa.sun_path))
		return op_fail(e, ENAMETOOLONG, "socket path '%s' is too long", d->socket_path);
	strcpy(sa.sun_path, d->socket_path);
	rc = mkdir_parent(d->socket_path);
	if (rc < 0)
		return op_fail(e, rc, "cannot create the directory of '%s': %s", d->socket_path, strerror(-rc));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return op_fail(e, errno, "socket: %m");
	/* A stale socket from a killed netd: remove it, but refuse if one is alive. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return op_fail(e, EADDRINUSE, "another netd is listening on '%s'", d->socket_path);
	}
	unlink(d->socket_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(d->socket_path, 0660) < 0 ||
	    (d->policy && d->policy->socket_gid >= 0 &&
	     chown(d->socket_path, 0, (gid_t)d->policy->socket_gid) < 0) ||
	    listen(fd, 128) < 0) {
		rc = -errno;
		close(fd);
		return op_fail(e, rc, "cannot listen on '%s': %s", d->socket_path, strerror(-rc));
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return op_fail(e, ENOMEM, "out of memory");
	}
	s->d = d;
	loop_add(d->loop, &s->listen, fd, EPOLLIN, listen_cb, s);
	d->server = s;
	return 0;
}

void server_stop(struct daemon *d)
{
	struct server *s = d->server;

	if (!s)
		return;
	int fd = s->listen.fd;

	while (s->clients)
		client_free(s->clients);
	loop_remove(d->loop, &s->listen);
	close(fd);
	unlink(d->socket_path);
	free(s);
	d->server = NULL;
}
