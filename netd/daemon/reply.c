/* SPDX-License-Identifier: MIT */
/* Replies: fds they carry, and their encoding into one message or a multipart
 * sequence (separate from server.c so the fuzzer can take it alone). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/server.h"

int reply_add_fd(struct reply *r, int fd, const char *role, unsigned index)
{
	json_object *o;

	if (r->n_fds >= PROTO_MAX_FDS) {
		close(fd);
		return -E2BIG;
	}
	if (!r->fd_desc)
		r->fd_desc = json_object_new_array();
	o = json_object_new_object();
	json_object_object_add(o, "role", json_object_new_string(role));
	json_object_object_add(o, "index", json_object_new_int((int)index));
	json_object_array_add(r->fd_desc, o);
	r->fds[r->n_fds++] = fd;
	return 0;
}

static json_object *envelope(int64_t id, bool ok, bool more)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "netd", json_object_new_int(NETD_PROTOCOL_VERSION));
	json_object_object_add(m, "id", json_object_new_int64(id));
	json_object_object_add(m, "ok", json_object_new_boolean(ok));
	if (more)
		json_object_object_add(m, "more", json_object_new_boolean(true));
	return m;
}

static int push_body(json_object *m, char ***bodies, size_t **lens, size_t *n)
{
	size_t len;
	const char *s = json_object_to_json_string_length(m, JSON_C_TO_STRING_PLAIN, &len);
	char **b = realloc(*bodies, (*n + 1) * sizeof(*b));
	size_t *l;

	if (!b)
		return -ENOMEM;
	*bodies = b;
	l = realloc(*lens, (*n + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	*lens = l;
	b[*n] = strndup(s, len);
	if (!b[*n])
		return -ENOMEM;
	l[*n] = len;
	(*n)++;
	return 0;
}

int reply_encode(int64_t id, struct reply *r, size_t part_max, char ***bodies, size_t **lens)
{
	json_object *m, *items = NULL;
	size_t n = 0, len;
	int rc;

	*bodies = NULL;
	*lens = NULL;
	if (r->err.code) {
		json_object *e = json_object_new_object();
		m = envelope(id, false, false);
		json_object_object_add(e, "name", json_object_new_string(proto_errno_name(r->err.code)));
		json_object_object_add(e, "errno", json_object_new_int(r->err.code));
		json_object_object_add(e, "message", json_object_new_string(r->err.msg[0] ? r->err.msg : strerror(r->err.code)));
		if (r->err.extack[0])
			json_object_object_add(e, "extack", json_object_new_string(r->err.extack));
		json_object_object_add(m, "error", e);
		rc = push_body(m, bodies, lens, &n);
		json_object_put(m);
		return rc < 0 ? rc : (int)n;
	}

	m = envelope(id, true, false);
	if (r->result)
		json_object_object_add(m, "result", json_object_get(r->result));
	if (r->fd_desc)
		json_object_object_add(m, "fds", json_object_get(r->fd_desc));
	json_object_to_json_string_length(m, JSON_C_TO_STRING_PLAIN, &len);
	if (len <= part_max || !r->result ||
	    !json_object_object_get_ex(r->result, "items", &items) ||
	    !json_object_is_type(items, json_type_array)) {
		rc = push_body(m, bodies, lens, &n);
		json_object_put(m);
		return rc < 0 ? rc : (int)n;
	}
	json_object_put(m);

	/* Multipart: the first part carries the result's other keys (and the fds), every
	 * part a slice of "items"; all but the last say "more". */
	size_t total = json_object_array_length(items), i = 0;
	bool first = true;
	do {
		json_object *res = json_object_new_object(), *slice = json_object_new_array();
		size_t used = 256;

		if (first) {
			json_object_object_foreach(r->result, k, v)
				if (strcmp(k, "items"))
					json_object_object_add(res, k, json_object_get(v));
		}
		while (i < total) {
			json_object *it = json_object_array_get_idx(items, i);
			size_t il;
			json_object_to_json_string_length(it, JSON_C_TO_STRING_PLAIN, &il);
			if (json_object_array_length(slice) && used + il + 1 > part_max)
				break;
			json_object_array_add(slice, json_object_get(it));
			used += il + 1;
			i++;
		}
		json_object_object_add(res, "items", slice);
		m = envelope(id, true, i < total);
		json_object_object_add(m, "result", res);
		if (first && r->fd_desc)
			json_object_object_add(m, "fds", json_object_get(r->fd_desc));
		rc = push_body(m, bodies, lens, &n);
		json_object_put(m);
		first = false;
	} while (rc == 0 && i < total);
	return rc < 0 ? rc : (int)n;
}
