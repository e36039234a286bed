/* SPDX-License-Identifier: MIT */
/* The wire format shared by the daemon and libnetd: JSON bodies on SOCK_SEQPACKET,
 * fds in SCM_RIGHTS.  See README.md "Protocol". */
#ifndef NETD_PROTO_H
#define NETD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <json.h>

/* SCM_MAX_FD is 253; a reply never carries more. */
#define PROTO_MAX_FDS 253
#define PROTO_MAX_VERB 32

struct proto_request {
	int64_t id;
	char verb[PROTO_MAX_VERB];
	json_object *args; /* owned; an empty object when absent */
	json_object *root; /* owned; args points into it */
};

/* Parse and validate a request body.  On error returns -errno and writes a sentence
 * for the client into err. */
int proto_parse_request(const char *buf, size_t len, struct proto_request *req,
			char *err, size_t errlen);
void proto_request_done(struct proto_request *req);

json_object *proto_new_request(int64_t id, const char *verb, json_object *args);

/* Send one message with optional fds.  Returns 0 or -errno (-EAGAIN when full). */
int proto_send(int sock, const char *body, size_t len, const int *fds, size_t n_fds, int flags);

/* Receive one whole message, sized with MSG_PEEK|MSG_TRUNC.  Received fds are
 * O_CLOEXEC; fds beyond max_fds are closed.  A message over max_size (0: no limit)
 * is consumed and -EMSGSIZE returned.  *ret_buf is NUL-terminated and must be freed.
 * Returns the length, 0 on orderly close, or -errno. */
ssize_t proto_recv(int sock, char **ret_buf, size_t max_size, int *fds, size_t *n_fds,
		   size_t max_fds);

/* "EEXIST" for EEXIST; "E<number>" for unknown values. */
const char *proto_errno_name(int err);

#endif
