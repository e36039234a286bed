/* SPDX-License-Identifier: MIT */
/*
 * QEMU hand-off over QMP, run in the client's process with the client's rights: root
 * netd never opens a QMP socket a client names, so a client cannot make it talk to a
 * socket the client itself could not open.
 *
 * QMP is one JSON object per line.  Replies carry the "id" we sent; asynchronous
 * events ("event") can arrive between them and are kept for qmpc_wait_event.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "netd/netd.h"
#include "lib/text.h"
#include "lib/qmp.h"

#define QMP_MAX_LINE (1 << 20)  /* larger than any reply we ask for */
#define QMP_MAX_EVENTS 256      /* events kept while waiting for replies */
#define QMP_MAX_QUEUES 1024

struct qmpc {
	int fd;
	int timeout_ms;
	bool broken;          /* the byte stream is unusable: no rollback over it */
	char *path;
	char *buf;
	size_t len, cap;
	json_object *events;  /* array of event objects not yet consumed */
	long long next_id;
};

/* A short printable excerpt of what a peer sent, for "it said '...'". */
static void excerpt(char *out, size_t outlen, const char *in, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 8 < outlen; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 0x20 && c < 0x7f && c != '\'')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	out[o] = '\0';
	if (i < len)
		strcpy(out + o, "...");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for `events` on the socket until `deadline` (ms, monotonic). */
static int wait_io(struct qmpc *q, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = q->fd, .events = events };
		long long left = deadline - now_ms();
		int rc;

		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * Read one JSON object (one line) within timeout_ms.  -ETIMEDOUT, -ECONNRESET (peer
 * closed), -EPROTO (a line that is not a JSON object: *bad holds an excerpt),
 * -EMSGSIZE, or another -errno.
 */
static int read_message(struct qmpc *q, int timeout_ms, json_object **ret, char *bad, size_t badlen)
{
	long long deadline = now_ms() + timeout_ms;

	*ret = NULL;
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		ssize_t got;
		int rc;

		if (nl) {
			size_t linelen = (size_t)(nl - q->buf);
			json_tokener *tok;
			json_object *o;

			while (linelen && (q->buf[linelen - 1] == '\r' || q->buf[linelen - 1] == ' '))
				linelen--;
			tok = json_tokener_new();
			o = linelen ? json_tokener_parse_ex(tok, q->buf, (int)linelen) : NULL;
			if (linelen && (!o || !json_object_is_type(o, json_type_object) ||
					json_tokener_get_parse_end(tok) != linelen)) {
				excerpt(bad, badlen, q->buf, linelen);
				json_object_put(o);
				json_tokener_free(tok);
				q->broken = true;
				return -EPROTO;
			}
			json_tokener_free(tok);
			q->len -= (size_t)(nl + 1 - q->buf);
			memmove(q->buf, nl + 1, q->len);
			if (!o)
				continue; /* an empty line */
			*ret = o;
			return 0;
		}
		if (q->len >= QMP_MAX_LINE) {
			q->broken = true;
			return -EMSGSIZE;
		}
		if (q->cap - q->len < 4096) {
			size_t cap = q->cap ? q->cap * 2 : 8192;
			char *b = realloc(q->buf, cap);
			if (!b)
				return -ENOMEM;
			q->buf = b;
			q->cap = cap;
		}
		rc = wait_io(q, POLLIN, deadline);
		if (rc < 0) {
			excerpt(bad, badlen, q->buf, q->len);
			return rc;
		}
		/* read(2) on a unix socket drops any fds a peer attached: nothing leaks. */
		got = read(q->fd, q->buf + q->len, q->cap - q->len);
		if (got == 0) {
			q->broken = true;
			excerpt(bad, badlen, q->buf, q->len);
			return -ECONNRESET;
		}
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			q->broken = true;
			return -errno;
		}
		q->len += (size_t)got;
	}
}

/* Send one line, the fd (if any) riding on its first byte. */
static int send_line(struct qmpc *q, const char *line, size_t len, int fd)
{
	long long deadline = now_ms() + q->timeout_ms;
	size_t off = 0;

	while (off < len) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { .iov_base = (char *)line + off, .iov_len = len - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t sent;

		if (fd >= 0 && off == 0) {
			struct cmsghdr *c;

			memset(&u, 0, sizeof(u));
			mh.msg_control = u.buf;
			mh.msg_controllen = sizeof(u.buf);
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		sent = sendmsg(q->fd, &mh, MSG_NOSIGNAL);
		if (sent < 0) {
			int rc;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				q->broken = true;
				return -errno;
			}
			if ((rc = wait_io(q, POLLOUT, deadline)) < 0)
				return rc;
			continue;
		}
		off += (size_t)sent;
	}
	return 0;
}

static const char *str_field(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void keep_event(struct qmpc *q, json_object *ev)
{
	if (json_object_array_length(q->events) >= QMP_MAX_EVENTS)
		json_object_array_del_idx(q->events, 0, 1);
	json_object_array_add(q->events, ev);
}

/* Sentence for a failed read while waiting for `what`. */
static char *read_error(struct qmpc *q, int rc, const char *what, const char *bad)
{
	switch (rc) {
	case -ETIMEDOUT:
		return text_fmt("QEMU at %s did not answer %s within %d ms", q->path, what, q->timeout_ms);
	case -ECONNRESET:
		return text_fmt("QEMU at %s closed the QMP connection while we waited for %s (did QEMU exit?)",
			   q->path, what);
	case -EPROTO:
		return text_fmt("%s sent something that is not QMP while we waited for %s: '%s'", q->path, what, bad);
	case -EMSGSIZE:
		return text_fmt("%s sent a line over %d bytes while we waited for %s", q->path, QMP_MAX_LINE, what);
	default:
		return text_fmt("reading from QMP socket %s (waiting for %s): %s", q->path, what, strerror(-rc));
	}
}

char *qmpc_encode(const char *command, json_object *args, long long id)
{
	json_object *o = json_object_new_object();
	char *line;

	json_object_object_add(o, "execute", json_object_new_string(command));
	if (args)
		json_object_object_add(o, "arguments", json_object_get(args));
	json_object_object_add(o, "id", json_object_new_int64(id));
	line = text_fmt("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return line;
}

int qmpc_execute(struct qmpc *q, const char *command, json_object *args, int fd,
		 json_object **ret_return, char **err_class, char **err)
{
	long long id = q->next_id++;
	char *line = qmpc_encode(command, args, id);
	char bad[128];
	int rc;

	json_object_put(args);
	if (ret_return)
		*ret_return = NULL;
	if (!line)
		return -ENOMEM;
	if (q->broken) {
		free(line);
		text_set_err(err, text_fmt("the QMP connection to %s is no longer usable", q->path));
		return -EPIPE;
	}
	rc = send_line(q, line, strlen(line), fd);
	free(line);
	if (rc < 0) {
		text_set_err(err, text_fmt("sending %s to QEMU at %s: %s", command, q->path, strerror(-rc)));
		return rc;
	}
	for (;;) {
		json_object *m, *v, *e;

		rc = read_message(q, q->timeout_ms, &m, bad, sizeof(bad));
		if (rc < 0) {
			/* A QEMU that does not answer will not answer a rollback either. */
			q->broken = true;
			text_set_err(err, read_error(q, rc, command, bad));
			return rc;
		}
		if (json_object_object_get_ex(m, "event", NULL)) {
			keep_event(q, m);
			continue;
		}
		/* Replies to commands we gave up on (after a timeout) are skipped by id. */
		if (!json_object_object_get_ex(m, "id", &v) || json_object_get_int64(v) != id) {
			json_object_put(m);
			continue;
		}
		if (json_object_object_get_ex(m, "error", &e)) {
			const char *desc = str_field(e, "desc"), *cls = str_field(e, "class");
			text_set_err(err, strdup(desc ? desc : "an error without a description"));
			if (err_class)
				*err_class = cls ? strdup(cls) : NULL;
			json_object_put(m);
			return -EREMOTEIO;
		}
		if (ret_return && json_object_object_get_ex(m, "return", &v))
			*ret_return = json_object_get(v);
		json_object_put(m);
		return 0;
	}
}

static bool event_matches(json_object *ev, const char *name, const char *device)
{
	json_object *data;

	if (!str_field(ev, "event") || strcmp(str_field(ev, "event"), name))
		return false;
	if (!device)
		return true;
	return json_object_object_get_ex(ev, "data", &data) && str_field(data, "device") &&
	       !strcmp(str_field(data, "device"), device);
}

int qmpc_wait_event(struct qmpc *q, const char *name, const char *device, int wait_ms, char **err)
{
	long long deadline = now_ms() + wait_ms;
	char bad[128];

	for (size_t i = 0; i < json_object_array_length(q->events); i++)
		if (event_matches(json_object_array_get_idx(q->events, i), name, device)) {
			json_object_array_del_idx(q->events, i, 1);
			return 1;
		}
	for (;;) {
		long long left = deadline - now_ms();
		json_object *m;
		int rc;

		if (left <= 0)
			return 0;
		rc = read_message(q, (int)left, &m, bad, sizeof(bad));
		if (rc == -ETIMEDOUT)
			return 0;
		if (rc < 0) {
			text_set_err(err, read_error(q, rc, name, bad));
			return rc;
		}
		if (json_object_object_get_ex(m, "event", NULL) && event_matches(m, name, device)) {
			json_object_put(m);
			return 1;
		}
		if (json_object_object_get_ex(m, "event", NULL))
			keep_event(q, m);
		else
			json_object_put(m);
	}
}

static int qmpc_connect(const char *path, char **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		text_set_err(err, text_fmt("QMP socket path %s is longer than %zu bytes", path, sizeof(sa.sun_path) - 1));
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		e = errno;
		text_set_err(err, text_fmt("cannot create a unix socket: %s", strerror(e)));
		return -e;
	}
	/* Non-blocking: a full listen queue must not hang us (QEMU serves one client). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	e = errno;
	close(fd);
	switch (e) {
	case EAGAIN:
		text_set_err(err, text_fmt("QMP socket %s is busy: its listen queue is full (QEMU serves one QMP "
				 "client at a time; is another one connected?)", path));
		break;
	case ECONNREFUSED:
		text_set_err(err, text_fmt("cannot connect to QMP socket %s: %s (is QEMU running?)", path, strerror(e)));
		break;
	case EPROTOTYPE:
		text_set_err(err, text_fmt("cannot connect to QMP socket %s: %s (it is not a stream socket, so not "
				 "QEMU's QMP)", path, strerror(e)));
		break;
	default:
		text_set_err(err, text_fmt("cannot connect to QMP socket %s: %s", path, strerror(e)));
	}
	return -e;
}

int qmpc_open(const char *path, int timeout_ms, struct qmpc **ret, char **err)
{
	struct qmpc *q;
	json_object *greeting = NULL, *v;
	char bad[128], *cerr = NULL;
	int rc;

	*ret = NULL;
	q = calloc(1, sizeof(*q));
	if (!q || !(q->path = strdup(path))) {
		free(q);
		return -ENOMEM;
	}
	q->timeout_ms = timeout_ms > 0 ? timeout_ms : NETD_QMP_TIMEOUT_MS;
	q->events = json_object_new_array();
	q->next_id = 1;
	q->fd = qmpc_connect(path, err);
	if (q->fd < 0) {
		rc = q->fd;
		goto fail;
	}
	rc = read_message(q, q->timeout_ms, &greeting, bad, sizeof(bad));
	if (rc == -ETIMEDOUT) {
		text_set_err(err, text_fmt("no QMP greeting from %s within %d ms%s%s%s (not a QMP socket, or QEMU is "
				 "serving another QMP client: it serves one at a time)", path, q->timeout_ms,
				 *bad ? ": got '" : "", bad, *bad ? "'" : ""));
		goto fail;
	}
	if (rc == -ECONNRESET) {
		text_set_err(err, text_fmt("%s closed the connection without a QMP greeting%s%s%s (not a QMP socket?)",
				 path, *bad ? ": it said '" : "", bad, *bad ? "'" : ""));
		goto fail;
	}
	if (rc == -EPROTO) {
		text_set_err(err, text_fmt("%s is not a QMP socket: it said '%s'", path, bad));
		goto fail;
	}
	if (rc < 0) {
		text_set_err(err, read_error(q, rc, "the QMP greeting", bad));
		goto fail;
	}
	if (!json_object_object_get_ex(greeting, "QMP", &v) || !json_object_is_type(v, json_type_object)) {
		const char *s = json_object_to_json_string_ext(greeting, JSON_C_TO_STRING_PLAIN);
		excerpt(bad, sizeof(bad), s, strlen(s));
		text_set_err(err, text_fmt("%s is not a QMP socket: its greeting is '%s'", path, bad));
		rc = -EPROTO;
		goto fail;
	}
	json_object_put(greeting);
	greeting = NULL;
	rc = qmpc_execute(q, "qmp_capabilities", NULL, -1, NULL, NULL, &cerr);
	if (rc < 0) {
		text_set_err(err, text_fmt("QMP negotiation with %s failed: %s", path, cerr ? cerr : strerror(-rc)));
		free(cerr);
		goto fail;
	}
	*ret = q;
	return 0;
fail:
	json_object_put(greeting);
	qmpc_close(q);
	return rc;
}

void qmpc_close(struct qmpc *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	json_object_put(q->events);
	free(q->buf);
	free(q->path);
	free(q);
}

/* --- the pure parts ------------------------------------------------------------- */

bool qmpc_id_valid(const char *id)
{
	if (!id || !((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
		return false;
	for (const char *p = id + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '.' || *p == '_'))
			return false;
	return strlen(id) <= 127;
}

/* "netd-" first: QEMU refuses names that start with a digit, and the prefix marks
 * them as ours in QEMU's fd table. */
int qmpc_fd_name(char *buf, size_t len, const char *id, char kind, unsigned i)
{
	int n = snprintf(buf, len, "netd-%s-%c%u", id, kind, i);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

char *qmpc_fd_list(const char *id, char kind, size_t n)
{
	size_t cap = n * (strlen(id) + 20) + 1, off = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			s[off++] = ':';
		if (qmpc_fd_name(s + off, cap - off, id, kind, (unsigned)i) < 0) {
			free(s);
			return NULL;
		}
		off += strlen(s + off);
	}
	return s;
}

json_object *qmpc_netdev_args(const char *id, size_t n_queues, bool vhost)
{
	json_object *o = json_object_new_object();
	char *fds = qmpc_fd_list(id, 'q', n_queues);

	json_object_object_add(o, "type", json_object_new_string("tap"));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "fds", json_object_new_string(fds ? fds : ""));
	free(fds);
	if (vhost) {
		char *v = qmpc_fd_list(id, 'v', n_queues);
		json_object_object_add(o, "vhostfds", json_object_new_string(v ? v : ""));
		free(v);
	}
	json_object_object_add(o, "vhost", json_object_new_boolean(vhost));
	return o;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Parse QEMU-style "k=v,k=v" (",," is a literal comma) into o; later keys win. */
static int parse_opts(json_object *o, const char *opts, char **err)
{
	size_t len = strlen(opts);
	char *key = malloc(len + 1), *val = malloc(len + 1);
	const char *p = opts;
	int rc = 0;

	if (!key || !val) {
		rc = -ENOMEM;
		goto out;
	}
	while (*p) {
		size_t k = 0, v = 0;

		while (*p && *p != '=' && *p != ',')
			key[k++] = *p++;
		key[k] = '\0';
		if (*p != '=' || !k) {
			text_set_err(err, text_fmt("device option '%s' is not KEY=VALUE", key));
			rc = -EINVAL;
			goto out;
		}
		for (p++; *p; p++) {
			if (*p == ',' && p[1] == ',')
				p++;
			else if (*p == ',')
				break;
			val[v++] = *p;
		}
		val[v] = '\0';
		if (*p == ',')
			p++;
		if (!strcmp(key, "driver") || !strcmp(key, "netdev")) {
			text_set_err(err, text_fmt("device option '%s' is set by netd: leave it out", key));
			rc = -EINVAL;
			goto out;
		}
		json_object_object_add(o, key, json_object_new_string(val));
	}
out:
	free(key);
	free(val);
	return rc;
}

json_object *qmpc_device_args(const char *driver, const char *netdev_id, const char *device_id,
			      const char *mac, size_t n_queues, const char *opts, char **err)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "driver", json_object_new_string(driver));
	json_object_object_add(o, "netdev", json_object_new_string(netdev_id));
	if (device_id)
		json_object_object_add(o, "id", json_object_new_string(device_id));
	if (mac)
		json_object_object_add(o, "mac", json_object_new_string(mac));
	/* Without mq=on the guest sees one queue pair; MSI-X needs 2 vectors per pair
	 * plus config and control. */
	if (n_queues > 1 && starts_with(driver, "virtio-net")) {
		json_object_object_add(o, "mq", json_object_new_boolean(1));
		if (strstr(driver, "-pci"))
			json_object_object_add(o, "vectors", json_object_new_int64(2 * (int64_t)n_queues + 2));
	}
	if (opts && parse_opts(o, opts, err) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* --- attach / detach -------------------------------------------------------------- */

/* closefd every name QEMU still holds; "not found" means netdev_add consumed it. */
static void close_names(struct qmpc *q, const char *id, char kind, size_t n, char **notes)
{
	for (size_t i = 0; i < n && !q->broken; i++) {
		json_object *args = json_object_new_object();
		char name[160], *e = NULL, *cls = NULL;
		int rc;

		qmpc_fd_name(name, sizeof(name), id, kind, (unsigned)i);
		json_object_object_add(args, "fdname", json_object_new_string(name));
		rc = qmpc_execute(q, "closefd", args, -1, NULL, &cls, &e);
		if (rc < 0 && !(rc == -EREMOTEIO && e && strstr(e, "not found"))) {
			char *n2 = text_fmt("%s; closefd %s: %s", *notes ? *notes : "", name, e ? e : strerror(-rc));
			free(*notes);
			*notes = n2;
		}
		free(e);
		free(cls);
	}
}

static void add_note(char **notes, const char *what, const char *e, int rc)
{
	char *n2 = text_fmt("%s; %s: %s", *notes ? *notes : "", what, e ? e : strerror(-rc));

	free(*notes);
	*notes = n2;
}

/* Ids and device options; *ret_dev (may be NULL) gets device_add's arguments. */
static int check_params(const struct netd_qmp_attach *a, json_object **ret_dev, char **err)
{
	json_object *dev;
	const char *id;

	if (ret_dev)
		*ret_dev = NULL;
	if (!a || !a->qmp_path || !*a->qmp_path) {
		text_set_err(err, strdup("no QMP socket path given"));
		return -EINVAL;
	}
	if (!qmpc_id_valid(a->netdev_id)) {
		text_set_err(err, text_fmt("netdev id '%s' is not a QEMU id (a letter, then letters, digits, '-', '.', '_')",
				 a->netdev_id ? a->netdev_id : ""));
		return -EINVAL;
	}
	if (!a->device)
		return 0;
	dev = qmpc_device_args(a->device, a->netdev_id, a->device_id ? a->device_id : a->netdev_id,
			       a->mac, a->n_queues, a->device_opts, err);
	if (!dev)
		return -EINVAL;
	id = str_field(dev, "id");
	if (!qmpc_id_valid(id)) {
		text_set_err(err, text_fmt("device id '%s' is not a QEMU id", id ? id : ""));
		json_object_put(dev);
		return -EINVAL;
	}
	if (ret_dev)
		*ret_dev = dev;
	else
		json_object_put(dev);
	return 0;
}

int netd_qmp_attach_check(const struct netd_qmp_attach *a, char **err_text)
{
	if (err_text)
		*err_text = NULL;
	return check_params(a, NULL, err_text);
}

static int check_fds(const struct netd_qmp_attach *a, char **err)
{
	if (!a->n_queues || a->n_queues > QMP_MAX_QUEUES || !a->queue_fds) {
		text_set_err(err, text_fmt("a tap netdev needs 1 to %d queue fds, not %zu", QMP_MAX_QUEUES, a->n_queues));
		return -EINVAL;
	}
	for (size_t i = 0; i < a->n_queues; i++)
		if (a->queue_fds[i] < 0 || (a->vhost_fds && a->vhost_fds[i] < 0)) {
			text_set_err(err, text_fmt("%s fd %zu is not an open fd", a->queue_fds[i] < 0 ? "queue" : "vhost", i));
			return -EBADF;
		}
	return 0;
}

/* "QEMU at P refused WHAT: its words", or WHAT and the transport error (which names
 * the socket already). */
static char *step_error(const char *path, int rc, const char *e, char *what)
{
	char *s;

	if (rc == -EREMOTEIO)
		s = text_fmt("QEMU at %s refused %s: %s", path, what ? what : "a command", e ? e : "no reason given");
	else
		s = text_fmt("%s: %s", what ? what : "QMP", e ? e : strerror(-rc));
	free(what);
	return s;
}

/* getfd each fd of one kind; *sent counts those QEMU took. */
static int send_fds(struct qmpc *q, const struct netd_qmp_attach *a, char kind, const int *fds,
		    size_t *sent, char **err)
{
	for (size_t i = 0; i < a->n_queues; i++) {
		json_object *args = json_object_new_object();
		char name[160], *e = NULL;
		int rc;

		qmpc_fd_name(name, sizeof(name), a->netdev_id, kind, (unsigned)i);
		json_object_object_add(args, "fdname", json_object_new_string(name));
		rc = qmpc_execute(q, "getfd", args, fds[i], NULL, NULL, &e);
		if (rc < 0) {
			text_set_err(err, step_error(a->qmp_path, rc, e, text_fmt("getfd '%s' (%s fd %zu)", name,
									kind == 'q' ? "queue" : "vhost", i)));
			free(e);
			/* A getfd lost in a timeout may still land: close its name too. */
			if (rc != -EREMOTEIO)
				(*sent)++;
			return rc;
		}
		(*sent)++;
	}
	return 0;
}

int netd_qmp_attach(const struct netd_qmp_attach *a, char **err_text)
{
	size_t sent_q = 0, sent_v = 0;
	char *err = NULL, *notes = NULL, *e = NULL;
	json_object *dev_args = NULL;
	const char *dev_id = NULL;
	struct qmpc *q = NULL;
	int rc;

	if (err_text)
		*err_text = NULL;
	if ((rc = check_params(a, &dev_args, &err)) < 0 || (rc = check_fds(a, &err)) < 0)
		goto out;
	dev_id = str_field(dev_args, "id");
	if ((rc = qmpc_open(a->qmp_path, a->timeout_ms, &q, &err)) < 0)
		goto out;

	rc = send_fds(q, a, 'q', a->queue_fds, &sent_q, &err);
	if (rc == 0 && a->vhost_fds)
		rc = send_fds(q, a, 'v', a->vhost_fds, &sent_v, &err);
	if (rc < 0)
		goto undo_fds;

	rc = qmpc_execute(q, "netdev_add", qmpc_netdev_args(a->netdev_id, a->n_queues, a->vhost_fds != NULL),
			  -1, NULL, NULL, &e);
	if (rc < 0) {
		err = step_error(a->qmp_path, rc, e, text_fmt("netdev_add of tap '%s' with %zu queue fd%s%s",
							 a->netdev_id, a->n_queues, a->n_queues == 1 ? "" : "s",
							 a->vhost_fds ? " and vhost" : ""));
		/* No answer: it may have worked, or met a netdev that is not ours; leave
		 * the netdev alone and say so. */
		if (rc != -EREMOTEIO)
			add_note(&notes, "netdev_add's outcome is unknown", "check 'info network'", 0);
		goto undo_fds;
	}
	if (dev_args) {
		rc = qmpc_execute(q, "device_add", json_object_get(dev_args), -1, NULL, NULL, &e);
		if (rc < 0) {
			json_object *del = json_object_new_object();
			char *de = NULL;
			int rc2;

			err = step_error(a->qmp_path, rc, e, text_fmt("device_add of %s '%s' on netdev '%s'",
								 a->device, dev_id, a->netdev_id));
			json_object_object_add(del, "id", json_object_new_string(a->netdev_id));
			rc2 = qmpc_execute(q, "netdev_del", del, -1, NULL, NULL, &de);
			if (rc2 < 0)
				add_note(&notes, "rollback netdev_del failed", de, rc2);
			free(de);
			goto out;
		}
	}
	goto out;

undo_fds:
	close_names(q, a->netdev_id, 'q', sent_q, &notes);
	close_names(q, a->netdev_id, 'v', sent_v, &notes);
	if (q->broken && (sent_q || sent_v)) {
		char *what = text_fmt("QEMU may still hold fds named netd-%s-q*%s", a->netdev_id, sent_v ? " and -v*" : "");
		add_note(&notes, "no rollback over this connection", what, 0);
		free(what);
	}
out:
	if (rc < 0 && err_text) {
		*err_text = notes ? text_fmt("%s (%s)", err ? err : strerror(-rc), notes + 2) :
				    (err ? err : strdup(strerror(-rc)));
		if (notes)
			free(err);
		err = NULL;
	}
	free(err);
	free(notes);
	free(e);
	json_object_put(dev_args);
	qmpc_close(q);
	return rc;
}

/* Does `dev` exist, and is it the NIC on `netdev`?  1 yes, 0 no such device,
 * -EREMOTEIO with *why when it exists but is something else. */
static int device_uses(struct qmpc *q, const char *dev, const char *netdev, char **why)
{
	json_object *args = json_object_new_object(), *ret = NULL;
	char path[200], *e = NULL, *cls = NULL;
	int rc;

	snprintf(path, sizeof(path), "/machine/peripheral/%s", dev);
	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "property", json_object_new_string("netdev"));
	rc = qmpc_execute(q, "qom-get", args, -1, &ret, &cls, &e);
	if (rc == -EREMOTEIO && cls && !strcmp(cls, "DeviceNotFound")) {
		rc = 0;
	} else if (rc == -EREMOTEIO) {
		text_set_err(why, text_fmt("device '%s' has no netdev (%s)", dev, e));
	} else if (rc == 0) {
		const char *n = json_object_is_type(ret, json_type_string) ? json_object_get_string(ret) : "";
		rc = !strcmp(n, netdev) ? 1 : -EREMOTEIO;
		if (rc < 0)
			text_set_err(why, text_fmt("device '%s' uses netdev '%s', not '%s'", dev, n, netdev));
	} else {
		text_set_err(why, e);
		e = NULL;
	}
	json_object_put(ret);
	free(e);
	free(cls);
	return rc;
}

int netd_qmp_detach(const struct netd_qmp_detach *d, bool *ret_pending, char **err_text)
{
	const char *dev = d && d->device_id ? d->device_id : d ? d->netdev_id : NULL;
	char *err = NULL, *e = NULL;
	struct qmpc *q = NULL;
	json_object *args;
	int rc;

	if (err_text)
		*err_text = NULL;
	if (ret_pending)
		*ret_pending = false;
	if (!d || !d->qmp_path || !*d->qmp_path) {
		err = strdup("no QMP socket path given");
		rc = -EINVAL;
		goto out;
	}
	if (!qmpc_id_valid(d->netdev_id) || !qmpc_id_valid(dev)) {
		const char *bad = !qmpc_id_valid(d->netdev_id) ? d->netdev_id : dev;
		err = text_fmt("%s id '%s' is not a QEMU id (a letter, then letters, digits, '-', '.', '_')",
			  bad == d->netdev_id ? "netdev" : "device", bad ? bad : "");
		rc = -EINVAL;
		goto out;
	}
	if ((rc = qmpc_open(d->qmp_path, d->timeout_ms, &q, &err)) < 0)
		goto out;

	/* Only delete a device that is this netdev's NIC: never somebody else's. */
	rc = device_uses(q, dev, d->netdev_id, &e);
	if (rc < 0 && (d->device_id || rc != -EREMOTEIO)) {
		err = text_fmt("not removing device from QEMU at %s: %s", d->qmp_path, e ? e : strerror(-rc));
		goto out;
	}
	if (rc == 0 && d->device_id) {
		err = text_fmt("QEMU at %s has no device '%s'", d->qmp_path, dev);
		rc = -ENOENT;
		goto out;
	}
	if (rc == 1) {
		args = json_object_new_object();
		json_object_object_add(args, "id", json_object_new_string(dev));
		rc = qmpc_execute(q, "device_del", args, -1, NULL, NULL, &e);
		if (rc < 0) {
			err = step_error(d->qmp_path, rc, e, text_fmt("device_del of '%s'", dev));
			goto out;
		}
		/* The guest acknowledges the unplug (DEVICE_DELETED); some buses do it at once. */
		rc = device_uses(q, dev, d->netdev_id, NULL);
		if (rc != 0 && d->unplug_wait_ms > 0)
			rc = qmpc_wait_event(q, "DEVICE_DELETED", dev, d->unplug_wait_ms, &e) == 1 ? 0 : 1;
		if (rc != 0 && ret_pending)
			*ret_pending = true;
	}
	args = json_object_new_object();
	json_object_object_add(args, "id", json_object_new_string(d->netdev_id));
	rc = qmpc_execute(q, "netdev_del", args, -1, NULL, NULL, &e);
	if (rc < 0)
		err = step_error(d->qmp_path, rc, e, text_fmt("netdev_del of '%s'", d->netdev_id));
out:
	if (rc < 0 && err_text) {
		*err_text = err ? err : strdup(strerror(-rc));
		err = NULL;
	}
	free(err);
	free(e);
	qmpc_close(q);
	return rc < 0 ? rc : 0;
}
