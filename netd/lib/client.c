/* SPDX-License-Identifier: MIT */
/* libnetd: connection, request, multipart reply assembly, fd hand-over. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "netd/netd.h"
#include "lib/proto.h"

struct netd {
	int fd;
	int64_t next_id;
};

int netd_connect(const char *path, struct netd **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct netd *n;
	int fd;

	if (!path)
		path = getenv("NETD_SOCKET");
	if (!path || !*path)
		path = NETD_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		close(fd);
		return -ENOMEM;
	}
	n->fd = fd;
	n->next_id = 1;
	*ret = n;
	return 0;
}

void netd_disconnect(struct netd *n)
{
	if (!n)
		return;
	close(n->fd);
	free(n);
}

int netd_fd(const struct netd *n)
{
	return n->fd;
}

static char *dup_field(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

/* Append the fds of one reply part, described by its "fds" array. */
static int add_fds(struct netd_reply *r, json_object *desc, int *fds, size_t n)
{
	size_t described = desc ? json_object_array_length(desc) : 0;
	struct netd_fd *grown;

	if (described != n)
		return -EPROTO;
	if (!n)
		return 0;
	grown = realloc(r->fds, (r->n_fds + n) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	r->fds = grown;
	for (size_t i = 0; i < n; i++) {
		struct netd_fd *f = &r->fds[r->n_fds++];
		json_object *d = json_object_array_get_idx(desc, i), *v;

		memset(f, 0, sizeof(*f));
		f->fd = fds[i];
		fds[i] = -1;
		if (json_object_object_get_ex(d, "role", &v))
			snprintf(f->role, sizeof(f->role), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(d, "index", &v))
			f->index = (unsigned)json_object_get_int(v);
	}
	return 0;
}

/* Merge one part into the reply: the first part's result is kept; "items" of later
 * parts are appended to it. */
static void merge_result(struct netd_reply *r, json_object *result)
{
	json_object *items, *more;

	if (!result)
		return;
	if (!r->result) {
		r->result = json_object_get(result);
		return;
	}
	if (json_object_object_get_ex(r->result, "items", &items) &&
	    json_object_object_get_ex(result, "items", &more))
		for (size_t i = 0; i < json_object_array_length(more); i++)
			json_object_array_add(items, json_object_get(json_object_array_get_idx(more, i)));
}

int netd_call(struct netd *n, const char *verb, json_object *args, struct netd_reply **ret)
{
	json_object *req = proto_new_request(n->next_id++, verb, args);
	struct netd_reply *r;
	const char *body;
	size_t len;
	int rc;

	*ret = NULL;
	body = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN, &len);
	rc = proto_send(n->fd, body, len, NULL, 0, 0);
	json_object_put(req);
	if (rc < 0)
		return rc;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (bool more = true; more;) {
		int fds[PROTO_MAX_FDS];
		size_t n_fds = 0;
		char *buf = NULL;
		ssize_t got = proto_recv(n->fd, &buf, 0, fds, &n_fds, PROTO_MAX_FDS);
		json_object *msg, *v, *desc = NULL;

		if (got <= 0) {
			netd_reply_free(r);
			return got == 0 ? -ECONNRESET : (int)got;
		}
		msg = json_tokener_parse(buf);
		free(buf);
		if (!msg || !json_object_is_type(msg, json_type_object)) {
			for (size_t i = 0; i < n_fds; i++)
				close(fds[i]);
			json_object_put(msg);
			netd_reply_free(r);
			return -EPROTO;
		}
		json_object_object_get_ex(msg, "fds", &desc);
		rc = add_fds(r, desc, fds, n_fds);
		for (size_t i = 0; i < n_fds; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		if (rc < 0) {
			json_object_put(msg);
			netd_reply_free(r);
			return rc;
		}
		if (json_object_object_get_ex(msg, "error", &v)) {
			json_object *e;
			if (json_object_object_get_ex(v, "errno", &e))
				r->error = json_object_get_int(e);
			if (r->error <= 0)
				r->error = EPROTO;
			r->error_name = dup_field(v, "name");
			r->error_message = dup_field(v, "message");
			r->extack = dup_field(v, "extack");
		}
		json_object_object_get_ex(msg, "result", &v);
		merge_result(r, v);
		more = json_object_object_get_ex(msg, "more", &v) && json_object_get_boolean(v);
		json_object_put(msg);
	}
	*ret = r;
	return r->error ? -r->error : 0;
}

int netd_reply_take_fd(struct netd_reply *r, const char *role, unsigned index)
{
	for (size_t i = 0; r && i < r->n_fds; i++) {
		struct netd_fd *f = &r->fds[i];
		if (f->fd >= 0 && f->index == index && !strcmp(f->role, role)) {
			int fd = f->fd;
			f->fd = -1;
			return fd;
		}
	}
	return -1;
}

const char *netd_reply_error(const struct netd_reply *r)
{
	static __thread char text[1024];

	if (!r || !r->error)
		return "";
	if (r->extack && *r->extack)
		snprintf(text, sizeof(text), "%s: %s", r->error_message ? r->error_message : strerror(r->error), r->extack);
	else
		snprintf(text, sizeof(text), "%s", r->error_message ? r->error_message : strerror(r->error));
	return text;
}

void netd_reply_free(struct netd_reply *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_fds; i++)
		if (r->fds[i].fd >= 0)
			close(r->fds[i].fd);
	free(r->fds);
	free(r->error_name);
	free(r->error_message);
	free(r->extack);
	json_object_put(r->result);
	free(r);
}
