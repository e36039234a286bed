/* SPDX-License-Identifier: MIT */
/* libnetd's small QMP client (internal): a line-oriented JSON conversation with QEMU
 * over its unix socket, fds passed with SCM_RIGHTS, a timeout on every wait. */
#ifndef NETD_LIB_QMP_H
#define NETD_LIB_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <json.h>

struct qmpc;

/* Connect, read the greeting, negotiate capabilities.  On failure *err holds a
 * sentence naming the socket (free() it). */
int qmpc_open(const char *path, int timeout_ms, struct qmpc **ret, char **err);
void qmpc_close(struct qmpc *q);

/*
 * Run one command (args consumed, NULL for none) with `fd` attached (-1: none).
 * Returns 0 with *ret_return (may be NULL) set, -EREMOTEIO when QEMU answered with an
 * error (*err is its "desc", *err_class its "class", both may be NULL-checked), or
 * another -errno for a transport failure (*err says what).
 */
int qmpc_execute(struct qmpc *q, const char *command, json_object *args, int fd,
		 json_object **ret_return, char **err_class, char **err);

/* Wait up to wait_ms for event `name` whose data.device is `device`: 1 seen, 0 not
 * within the time, -errno (with *err) when the connection failed. */
int qmpc_wait_event(struct qmpc *q, const char *name, const char *device, int wait_ms, char **err);

/* Pure helpers, shared with the unit tests. */

/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
bool qmpc_id_valid(const char *id);
/* The getfd name of queue (kind 'q') or vhost (kind 'v') fd i of netdev `id`. */
int qmpc_fd_name(char *buf, size_t len, const char *id, char kind, unsigned i);
/* "a:b:c" of the names of n fds of one kind. */
char *qmpc_fd_list(const char *id, char kind, size_t n);
/* netdev_add's arguments. */
json_object *qmpc_netdev_args(const char *id, size_t n_queues, bool vhost);
/* device_add's arguments: driver, netdev, id, mac, mq/vectors for a multi-queue
 * virtio-net, then "k=v,k=v" opts (which win over ours).  NULL with *err on a bad
 * opts string. */
json_object *qmpc_device_args(const char *driver, const char *netdev_id, const char *device_id,
			      const char *mac, size_t n_queues, const char *opts, char **err);
/* The whole serialised command line sent for `command`, for tests. */
char *qmpc_encode(const char *command, json_object *args, long long id);

#endif
