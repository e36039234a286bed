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

#include <stdbool.h>
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
 * A backend's fds, taken out of a backend.add / backend.open reply (its result and
 * SCM_RIGHTS fds).  Queue fds are every fd whose role is not "vhost", by index.
 */
struct netd_backend_fds {
	char *name;            /* the backend's name */
	char *mac;             /* its MAC ("52:54:00:12:34:56"), or NULL */
	int *queue_fds;
	size_t n_queues;
	int *vhost_fds;        /* n_queues of them, or NULL: vhost not active */
	char *vhost_reason;    /* why netd gave no vhost fds, or NULL */
};

/* Move the fds out of `r` into *ret (the reply keeps none of them).  Returns 0, or
 * -EPROTO (no queue fds, a gap, a duplicate) / -ENOMEM leaving `r` as it was. */
int netd_backend_fds_take(struct netd_reply *r, struct netd_backend_fds *ret);
/* Close every fd still held (>= 0) and free the strings; *f is zeroed. */
void netd_backend_fds_release(struct netd_backend_fds *f);

/*
 * QEMU hand-off, done with the CALLER's own rights (libnetd connects to the QMP socket
 * from the calling process, never through netd):
 *   qmp_capabilities; getfd per queue fd and per vhost fd (SCM_RIGHTS; names
 *   "netd-<netdev_id>-q<i>" / "-v<i>"); netdev_add type tap fds=a:b vhostfds=c:d
 *   vhost=on|off; with `device`, device_add DRIVER netdev=ID id=DEVICE_ID mac=MAC
 *   (+ mq=on, vectors=2N+2 for a multi-queue virtio-net-pci) and DEVOPTS.
 * The caller keeps its fds (QEMU gets copies).  On failure every fd name QEMU did not
 * consume is closefd'd and the netdev added is removed again; *err_text (free() it)
 * then says which step failed, with QEMU's own words.  Every read has a timeout, so a
 * silent socket cannot hang the caller.  Returns 0 or -errno.
 */
struct netd_qmp_attach {
	const char *qmp_path;
	const char *netdev_id;   /* a QEMU id: letter first, then [A-Za-z0-9._-] */
	const char *device;      /* e.g. "virtio-net-pci", or NULL for netdev only */
	const char *device_opts; /* extra "k=v,k=v" for device_add, or NULL */
	const char *device_id;   /* id= in device_opts wins; NULL: netdev_id */
	const char *mac;         /* the backend's MAC for the device, or NULL */
	const int *queue_fds;
	size_t n_queues;
	const int *vhost_fds;    /* n_queues of them, or NULL */
	int timeout_ms;          /* per QMP read; 0: NETD_QMP_TIMEOUT_MS */
};
#define NETD_QMP_TIMEOUT_MS 5000
int netd_qmp_attach(const struct netd_qmp_attach *a, char **err_text);
/* The checks of netd_qmp_attach that need no fd and no QEMU (ids, device options), to
 * run before asking netd for fds: 0 or -EINVAL with *err_text. */
int netd_qmp_attach_check(const struct netd_qmp_attach *a, char **err_text);

/*
 * Undo an attach: device_del the device (when it exists and uses this netdev), wait
 * up to unplug_wait_ms for the guest to release it (DEVICE_DELETED), then netdev_del,
 * which closes QEMU's copies of the fds even while the guest still holds the NIC.
 * Returns 0 or -errno with *err_text set.  *ret_pending (when not NULL) says whether
 * the guest had not released the device yet.
 */
struct netd_qmp_detach {
	const char *qmp_path;
	const char *netdev_id;
	const char *device_id;   /* NULL: netdev_id, and no such device is fine */
	int unplug_wait_ms;      /* 0: do not wait for the guest */
	int timeout_ms;          /* per QMP read; 0: NETD_QMP_TIMEOUT_MS */
};
int netd_qmp_detach(const struct netd_qmp_detach *d, bool *ret_pending, char **err_text);

/*
 * exec-style hand-off: expand placeholders in one argument.  For the first backend:
 *   {fds} "3:4"  {vhostfds} "5:6"  {queues} "2"  {vectors} "6" (2N+2)  {vhost} "on"|"off"
 *   {mac}; and per backend {fds:NAME}, {vhostfds:NAME}, ... .  Other {...} text is
 * kept as is.  In a comma-separated option list, an option KEY={vhostfds} whose backend
 * has no vhost fds is dropped together with any "vhost=on" of that list, so
 * "tap,fds={fds},vhost=on,vhostfds={vhostfds}" also works where vhost-net is absent.
 * Returns 0 with *ret (free() it), or -EINVAL/-ENOMEM with *err_text.
 */
int netd_exec_expand(const char *arg, const struct netd_backend_fds *b, size_t n_backends,
		     char **ret, char **err_text);

/*
 * Become `argv` (execvp) with the backends' fds inherited as 3, 4, ... in order
 * (each backend's queue fds, then its vhost fds), placeholders in argv expanded for
 * those numbers, and every other fd above 2 closed.  Returns only on failure (-errno,
 * *err_text set): -EINVAL for a bad argument, found before anything changes; any later
 * failure leaves the fds rearranged, and the caller should just exit.
 */
int netd_exec(const struct netd_backend_fds *b, size_t n_backends, char *const argv[],
	      char **err_text);

#ifdef __cplusplus
}
#endif
#endif
