/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netd/netd.h"
#include "lib/proto.h"

static bool verb_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '_';
}

int proto_parse_request(const char *buf, size_t len, struct proto_request *req,
			char *err, size_t errlen)
{
	json_tokener *tok;
	json_object *root, *v;
	enum json_tokener_error jerr;

	memset(req, 0, sizeof(*req));
	if (len == 0 || len > NETD_MAX_MESSAGE) {
		snprintf(err, errlen, "request of %zu bytes: must be 1 to %d bytes", len, NETD_MAX_MESSAGE);
		return -EMSGSIZE;
	}
	tok = json_tokener_new_ex(32);
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (root && jerr == json_tokener_success && tok->char_offset < (int)len) {
		/* Trailing bytes after the object: only whitespace and a NUL are tolerated. */
		for (size_t i = tok->char_offset; i < len; i++)
			if (buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\0') {
				jerr = json_tokener_error_parse_unexpected;
				break;
			}
	}
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		json_object_put(root);
		snprintf(err, errlen, "request is not valid JSON: %s",
			 jerr == json_tokener_continue ? "truncated" : json_tokener_error_desc(jerr));
		return -EBADMSG;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "request must be a JSON object");
		goto bad;
	}
	if (!json_object_object_get_ex(root, "netd", &v) || !json_object_is_type(v, json_type_int)) {
		snprintf(err, errlen, "request lacks the protocol version \"netd\"");
		goto bad;
	}
	if (json_object_get_int64(v) != NETD_PROTOCOL_VERSION) {
		snprintf(err, errlen, "protocol version %lld is not supported (this netd speaks %d)",
			 (long long)json_object_get_int64(v), NETD_PROTOCOL_VERSION);
		json_object_put(root);
		return -EPROTONOSUPPORT;
	}
	if (json_object_object_get_ex(root, "id", &v)) {
		if (!json_object_is_type(v, json_type_int)) {
			snprintf(err, errlen, "\"id\" must be an integer");
			goto bad;
		}
		req->id = json_object_get_int64(v);
	}
	if (!json_object_object_get_ex(root, "verb", &v) || !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "request lacks a \"verb\" string");
		goto bad;
	}
	const char *verb = json_object_get_string(v);
	size_t vlen = strlen(verb);
	if (vlen == 0 || vlen >= sizeof(req->verb) || (size_t)json_object_get_string_len(v) != vlen) {
		snprintf(err, errlen, "\"verb\" must be 1 to %zu characters", sizeof(req->verb) - 1);
		goto bad;
	}
	for (size_t i = 0; i < vlen; i++)
		if (!verb_char_ok(verb[i])) {
			snprintf(err, errlen, "\"verb\" has a character outside [a-z._-]");
			goto bad;
		}
	memcpy(req->verb, verb, vlen + 1);
	if (json_object_object_get_ex(root, "args", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			snprintf(err, errlen, "\"args\" must be a JSON object");
			goto bad;
		}
		req->args = v;
	} else {
		req->args = json_object_new_object();
		json_object_object_add(root, "args", req->args);
	}
	req->root = root;
	return 0;
bad:
	json_object_put(root);
	return -EINVAL;
}

void proto_request_done(struct proto_request *req)
{
	json_object_put(req->root);
	req->root = req->args = NULL;
}

json_object *proto_new_request(int64_t id, const char *verb, json_object *args)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "netd", json_object_new_int(NETD_PROTOCOL_VERSION));
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "verb", json_object_new_string(verb));
	json_object_object_add(o, "args", args ? args : json_object_new_object());
	return o;
}

int proto_send(int sock, const char *body, size_t len, const int *fds, size_t n_fds, int flags)
{
	struct iovec iov = { .iov_base = (void *)body, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
		struct cmsghdr align;
	} cm;

	if (n_fds > PROTO_MAX_FDS)
		return -E2BIG;
	if (n_fds) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	for (;;) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
		if (n >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t proto_recv(int sock, char **ret_buf, size_t max_size, int *fds, size_t *n_fds,
		   size_t max_fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
		struct cmsghdr align;
	} cm;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t size, n;
	char *buf;

	*n_fds = 0;
	do
		size = recv(sock, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (size < 0 && errno == EINTR);
	if (size < 0)
		return -errno;
	if (size == 0) {
		/* A zero-length datagram or the peer's close: consume it either way. */
		n = recv(sock, NULL, 0, MSG_DONTWAIT);
		return n < 0 && errno != EAGAIN ? -errno : 0;
	}
	if (max_size && (size_t)size > max_size) {
		/* Too large: drop it (and any fds it carried) without reading it in. */
		struct msghdr drop = { .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
		if (recvmsg(sock, &drop, MSG_TRUNC | MSG_CMSG_CLOEXEC) >= 0)
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&drop); c; c = CMSG_NXTHDR(&drop, c))
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
					for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
						close(((int *)CMSG_DATA(c))[i]);
		return -EMSGSIZE;
	}
	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	iov.iov_base = buf;
	iov.iov_len = size;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;
		free(buf);
		return -e;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *in = (int *)CMSG_DATA(c);
		for (size_t i = 0; i < cnt; i++) {
			if (*n_fds < max_fds)
				fds[(*n_fds)++] = in[i];
			else
				close(in[i]); /* more than the caller takes: never leak */
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		for (size_t i = 0; i < *n_fds; i++)
			close(fds[i]);
		*n_fds = 0;
		free(buf);
		return -EMSGSIZE;
	}
	buf[n] = '\0';
	*ret_buf = buf;
	return n;
}

const char *proto_errno_name(int err)
{
	static __thread char other[16];

	switch (err) {
#define E(x) case x: return #x;
	E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(EBADF) E(EAGAIN)
	E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR)
	E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(ENOSPC) E(EROFS) E(EMLINK) E(EPIPE)
	E(ERANGE) E(EDEADLK) E(ENAMETOOLONG) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG)
	E(EBADMSG) E(EOVERFLOW) E(EMSGSIZE) E(EPROTONOSUPPORT) E(EOPNOTSUPP) E(EADDRINUSE)
	E(EADDRNOTAVAIL) E(ENETDOWN) E(ECONNREFUSED) E(ECONNRESET) E(ETIMEDOUT) E(EALREADY)
	E(EINPROGRESS) E(ESTALE) E(EDQUOT) E(ECANCELED) E(EOWNERDEAD) E(ENOTCONN) E(EPROTO)
	E(EUSERS) E(ENOBUFS) E(ENOTSOCK) E(ENOLINK) E(EXFULL)
#undef E
	}
	snprintf(other, sizeof(other), "E%d", err);
	return other;
}
