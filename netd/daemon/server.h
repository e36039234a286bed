/* SPDX-License-Identifier: MIT */
/* The control socket: clients, one request in flight each, replies queued until the
 * client reads them, so a client that never reads blocks nobody else. */
#ifndef NETD_SERVER_H
#define NETD_SERVER_H

#include <stddef.h>
#include <json.h>

#include "daemon/daemon.h"
#include "lib/proto.h"

#define SERVER_MAX_CLIENTS 1024
#define SERVER_MAX_QUEUED (32u << 20)   /* bytes of replies a client may leave unread */

/* What a verb hands back: a result or an error, and fds it owns until sent. */
struct reply {
	json_object *result;
	json_object *fd_desc;
	int fds[PROTO_MAX_FDS];
	size_t n_fds;
	struct op_error err;
};

/* Takes ownership of fd; closes it when the reply is full. */
int reply_add_fd(struct reply *r, int fd, const char *role, unsigned index);

struct request {
	struct daemon *d;
	struct client_cred cred;
	const char *verb;
};

int server_start(struct daemon *d, struct op_error *e);
void server_stop(struct daemon *d);

/* Serialise a reply, split into parts no larger than `part_max` when its result has
 * an "items" array too large for one.  Exposed for the unit tests.  Returns the
 * number of parts written into bodies[] (each malloc'd), or -errno. */
int reply_encode(int64_t id, struct reply *r, size_t part_max, char ***bodies, size_t **lens);

/* One verb of the API.  Each module exports a NULL-terminated table of them. */
/* Who may call a verb: root only (the zero default), anyone, or clients the policy
 * names (handlers then check ownership of each object). */
enum verb_access { ACCESS_ROOT = 0, ACCESS_ANYONE = 1, ACCESS_POLICY = 2 };

struct verb {
	const char *name;
	int (*fn)(struct request *rq, json_object *args, struct reply *rp);
	enum verb_access access;
};

/* Root, or the client owns the guest. */
bool may_use_guest(const struct request *rq, const struct guest *g);

extern const struct verb core_verbs[], stats_verbs[], sriov_verbs[];

/* verbs.c */
int dispatch(struct request *rq, json_object *args, struct reply *rp);

#endif
