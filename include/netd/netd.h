/* SPDX-License-Identifier: MIT */
/*
 * libnetd — the client library for netd, the VM network backend daemon.
 *
 * A launcher connects to netd's unix socket, sends one request per message and reads
 * one reply (or a multipart sequence of them, merged here).  Fds travel in SCM_RIGHTS
 * on the reply; `fds` in the reply describes them in order.  Every function returns
 * >= 0 on success or a negative errno; error details live in the reply.
 *
 *   struct netd *n;
 *   struct netd_reply *r;
 *   netd_connect(NULL, &n);
 *   json_object *args = json_object_new_object();
 *   json_object_object_add(args, "guest", json_object_new_string("web1"));
 *   json_object_object_add(args, "type", json_object_new_string("tap"));
 *   if (netd_call(n, "backend.add", args, &r) < 0) puts(netd_reply_error(r));
 *   int q0 = netd_reply_take_fd(r, "queue", 0);
 */
#ifndef NETD_NETD_H
#define NETD_NETD_H

#include <stddef.h>
#include <json.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NETD_PROTOCOL_VERSION 1
#define NETD_DEFAULT_SOCKET "/run/netd/netd.sock"
/* Largest request the daemon accepts; replies larger than this are sent in parts. */
#define NETD_MAX_MESSAGE (64 * 1024)

struct netd;

/* One fd of a reply: its role ("queue", "vhost", "tap") and index within that role. */
struct netd_fd {
	char role[16];
	unsigned index;
	int fd; /* -1 once taken */
};

struct netd_reply {
	int error;                /* 0, or the positive errno the daemon reported */
	char *error_name;         /* "EEXIST" */
	char *error_message;      /* a sentence naming the object */
	char *extack;             /* the kernel's extended ack text, or NULL */
	json_object *result;      /* the reply's result; multipart items merged in "items" */
	struct netd_fd *fds;
	size_t n_fds;
};

/* Connect to the daemon (path NULL: $NETD_SOCKET or NETD_DEFAULT_SOCKET). */
int netd_connect(const char *path, struct netd **ret);
void netd_disconnect(struct netd *n);
int netd_fd(const struct netd *n);

/*
 * Send `verb` with `args` (a JSON object, consumed; NULL for none) and wait for the
 * whole reply.  Returns 0 when the daemon said ok, -errno when it reported an error
 * (*ret is then set and holds the details), or -errno for a transport failure
 * (*ret is then NULL).
 */
int netd_call(struct netd *n, const char *verb, json_object *args, struct netd_reply **ret);

/* Take ownership of a reply fd by role and index; -1 when there is none. */
int netd_reply_take_fd(struct netd_reply *r, const char *role, unsigned index);
/* "Error: <message>" text for people: message plus the kernel's words. */
const char *netd_reply_error(const struct netd_reply *r);
/* Closes every fd not taken. */
void netd_reply_free(struct netd_reply *r);

/*
 * QEMU hand-off, done with the caller's own rights: connect to QEMU's QMP socket,
 * pass every fd with getfd and add a tap netdev using them (and a device when
 * `device` is set).  On failure everything added is removed again and *err_text
 * holds QEMU's own words (free() it).
 */
struct netd_qmp_attach {
	const char *qmp_path;
	const char *netdev_id;  /* default: the backend name */
	const char *device;     /* e.g. "virtio-net-pci", or NULL for netdev only */
	const char *device_opts; /* extra "k=v,k=v" for device_add, or NULL */
	const char *mac;        /* the backend's MAC for the device, or NULL */
	const int *queue_fds;
	size_t n_queues;
	const int *vhost_fds;   /* n_queues of them, or NULL */
};
int netd_qmp_attach(const struct netd_qmp_attach *a, char **err_text);
int netd_qmp_detach(const char *qmp_path, const char *netdev_id, const char *device_id,
		    char **err_text);

#ifdef __cplusplus
}
#endif
#endif
