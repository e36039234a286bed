/* SPDX-License-Identifier: MIT */
/*
 * exec-style hand-off: a launcher's command line gets a backend's fds inherited, their
 * numbers written into the arguments ("-netdev tap,fds={fds}"), and nothing else open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netd/netd.h"
#include "lib/text.h"

static char *dup_str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

static bool is_vhost(const struct netd_fd *f)
{
	return !strcmp(f->role, "vhost");
}

int netd_backend_fds_take(struct netd_reply *r, struct netd_backend_fds *ret)
{
	struct netd_backend_fds f = { 0 };
	size_t nq = 0, nv = 0;
	json_object *vh;

	memset(ret, 0, sizeof(*ret));
	if (!r)
		return -EINVAL;
	for (size_t i = 0; i < r->n_fds; i++) {
		size_t *n = is_vhost(&r->fds[i]) ? &nv : &nq;
		if (r->fds[i].fd >= 0 && r->fds[i].index + 1 > *n)
			*n = r->fds[i].index + 1;
	}
	if (!nq || (nv && nv != nq) || nq > r->n_fds)
		return -EPROTO;
	f.n_queues = nq;
	f.queue_fds = malloc(nq * sizeof(int));
	f.vhost_fds = nv ? malloc(nv * sizeof(int)) : NULL;
	if (!f.queue_fds || (nv && !f.vhost_fds)) {
		free(f.queue_fds);
		free(f.vhost_fds);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nq; i++) {
		f.queue_fds[i] = -1;
		if (nv)
			f.vhost_fds[i] = -1;
	}
	/* Place copies first: a duplicate or a gap leaves the reply as it was. */
	for (size_t i = 0; i < r->n_fds; i++) {
		int *slot = is_vhost(&r->fds[i]) ? &f.vhost_fds[r->fds[i].index] : &f.queue_fds[r->fds[i].index];
		if (r->fds[i].fd < 0)
			continue;
		if (*slot >= 0)
			goto bad;
		*slot = r->fds[i].fd;
	}
	for (size_t i = 0; i < nq; i++)
		if (f.queue_fds[i] < 0 || (nv && f.vhost_fds[i] < 0))
			goto bad;
	for (size_t i = 0; i < r->n_fds; i++)
		r->fds[i].fd = -1;
	f.name = dup_str(r->result, "name");
	f.mac = dup_str(r->result, "mac");
	if (r->result && json_object_object_get_ex(r->result, "vhost_fds", &vh))
		f.vhost_reason = dup_str(vh, "reason");
	*ret = f;
	return 0;
bad:
	free(f.queue_fds);
	free(f.vhost_fds);
	return -EPROTO;
}

void netd_backend_fds_release(struct netd_backend_fds *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_queues; i++) {
		if (f->queue_fds && f->queue_fds[i] >= 0)
			close(f->queue_fds[i]);
		if (f->vhost_fds && f->vhost_fds[i] >= 0)
			close(f->vhost_fds[i]);
	}
	free(f->queue_fds);
	free(f->vhost_fds);
	free(f->name);
	free(f->mac);
	free(f->vhost_reason);
	memset(f, 0, sizeof(*f));
}

/* --- placeholders --------------------------------------------------------------- */

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_fds(struct sbuf *b, const int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++) {
		char num[16];
		int len = snprintf(num, sizeof(num), "%s%d", i ? ":" : "", fds[i]);
		sb_add(b, num, (size_t)len);
	}
}

enum ph { PH_NONE, PH_FDS, PH_VHOSTFDS, PH_QUEUES, PH_VECTORS, PH_VHOST, PH_MAC };

static const struct {
	const char *word;
	enum ph ph;
} placeholders[] = {
	{ "fds", PH_FDS },         { "vhostfds", PH_VHOSTFDS }, { "queues", PH_QUEUES },
	{ "vectors", PH_VECTORS }, { "vhost", PH_VHOST },       { "mac", PH_MAC },
};

/*
 * Recognise "{word}" or "{word:NAME}" at s.  Returns its length (0: not ours, kept as
 * text), *ph and the backend it names, or -1 with *err for an unknown NAME.
 */
static int match_placeholder(const char *s, const struct netd_backend_fds *b, size_t n,
			     enum ph *ph, const struct netd_backend_fds **which, char **err)
{
	const char *close = strchr(s, '}'), *colon;
	size_t wlen;

	if (*s != '{' || !close)
		return 0;
	colon = memchr(s, ':', (size_t)(close - s));
	wlen = (size_t)((colon ? colon : close) - s - 1);
	*ph = PH_NONE;
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (strlen(placeholders[i].word) == wlen && !strncmp(s + 1, placeholders[i].word, wlen))
			*ph = placeholders[i].ph;
	if (*ph == PH_NONE)
		return 0; /* "${x}" in a shell snippet, JSON, ...: not ours */
	if (!colon) {
		*which = &b[0];
		return (int)(close - s + 1);
	}
	for (size_t i = 0; i < n; i++) {
		size_t nlen = (size_t)(close - colon - 1);
		if (b[i].name && strlen(b[i].name) == nlen && !strncmp(colon + 1, b[i].name, nlen)) {
			*which = &b[i];
			return (int)(close - s + 1);
		}
	}
	text_set_err(err, text_fmt("'%.*s' names no backend given to exec", (int)(close - s + 1), s));
	return -1;
}

/* Expand one comma-separated item; *empty_vhost when it was KEY={vhostfds...} with
 * no vhost fds behind it. */
static int expand_item(struct sbuf *out, const char *item, size_t len, const struct netd_backend_fds *b,
		       size_t n, bool *empty_vhost, char **err)
{
	char *copy = strndup(item, len);
	const char *eq = copy ? strchr(copy, '=') : NULL;
	size_t start = out->len;

	if (!copy)
		return -ENOMEM;
	for (const char *p = copy; *p;) {
		const struct netd_backend_fds *w = NULL;
		enum ph ph;
		char num[16];
		int m = match_placeholder(p, b, n, &ph, &w, err);

		if (m < 0) {
			free(copy);
			return -EINVAL;
		}
		if (m == 0) {
			sb_add(out, p++, 1);
			continue;
		}
		switch (ph) {
		case PH_FDS:
			sb_fds(out, w->queue_fds, w->n_queues);
			break;
		case PH_VHOSTFDS:
			sb_fds(out, w->vhost_fds, w->n_queues);
			if (!w->vhost_fds && eq && p == eq + 1 && !p[m])
				*empty_vhost = true;
			break;
		case PH_QUEUES:
			sb_add(out, num, (size_t)snprintf(num, sizeof(num), "%zu", w->n_queues));
			break;
		case PH_VECTORS:
			sb_add(out, num, (size_t)snprintf(num, sizeof(num), "%zu", 2 * w->n_queues + 2));
			break;
		case PH_VHOST:
			sb_add(out, w->vhost_fds ? "on" : "off", w->vhost_fds ? 2 : 3);
			break;
		case PH_MAC:
			if (!w->mac) {
				text_set_err(err, text_fmt("backend '%s' has no MAC for {mac}", w->name ? w->name : "?"));
				free(copy);
				return -EINVAL;
			}
			sb_add(out, w->mac, strlen(w->mac));
			break;
		case PH_NONE:
			break;
		}
		p += m;
	}
	if (*empty_vhost) { /* drop the item */
		out->len = start;
		if (out->s)
			out->s[start] = '\0';
	}
	free(copy);
	return out->oom ? -ENOMEM : 0;
}

static bool is_vhost_on(const char *item, size_t len)
{
	static const char *const on[] = { "vhost=on", "vhost=true", "vhost=yes", "vhost=y" };

	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		if (strlen(on[i]) == len && !strncmp(item, on[i], len))
			return true;
	return false;
}

int netd_exec_expand(const char *arg, const struct netd_backend_fds *b, size_t n_backends,
		     char **ret, char **err_text)
{
	struct sbuf items[64], out = { 0 };
	const char *starts[64];
	size_t lens[64], n = 0;
	bool dropped[64] = { false }, drop_vhost_on = false;
	int rc = 0;

	*ret = NULL;
	if (!n_backends) {
		text_set_err(err_text, strdup("no backend to expand placeholders for"));
		return -EINVAL;
	}
	/* Split at single commas (",," is QEMU's escaped comma, part of an item). */
	for (const char *p = arg, *s = arg;; p++) {
		if (*p == ',' && p[1] == ',') {
			p++;
			continue;
		}
		if (*p && *p != ',')
			continue;
		if (n == sizeof(starts) / sizeof(starts[0])) { /* very long list: no dropping */
			lens[n - 1] = strlen(starts[n - 1]);
			break;
		}
		starts[n] = s;
		lens[n++] = (size_t)(p - s);
		if (!*p)
			break;
		s = p + 1;
	}
	memset(items, 0, sizeof(items));
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = expand_item(&items[i], starts[i], lens[i], b, n_backends, &dropped[i], err_text);
		drop_vhost_on |= dropped[i];
	}
	for (size_t i = 0, first = 1; i < n && rc == 0; i++) {
		if (dropped[i])
			continue;
		if (drop_vhost_on && is_vhost_on(items[i].s ? items[i].s : "", items[i].len))
			continue;
		if (!first)
			sb_add(&out, ",", 1);
		sb_add(&out, items[i].s ? items[i].s : "", items[i].len);
		first = 0;
	}
	for (size_t i = 0; i < n; i++)
		free(items[i].s);
	if (rc == 0 && !out.s)
		sb_add(&out, "", 0);
	if (rc == 0 && out.oom)
		rc = -ENOMEM;
	if (rc < 0) {
		free(out.s);
		return rc;
	}
	*ret = out.s;
	return 0;
}

/* --- exec ----------------------------------------------------------------------- */

static void close_from(int lo)
{
	DIR *d;

	if (close_range((unsigned)lo, ~0U, 0) == 0)
		return;
	/* Kernels before 5.9: walk our own fd table. */
	d = opendir("/proc/self/fd");
	if (!d) {
		for (long fd = lo, max = sysconf(_SC_OPEN_MAX); fd < max; fd++)
			close((int)fd);
		return;
	}
	for (;;) {
		int fds[256], n = 0, dfd = dirfd(d);
		struct dirent *e;

		/* Collect, then close: closing while reading may skip entries. */
		while (n < 256 && (e = readdir(d))) {
			int fd = atoi(e->d_name);
			if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd >= lo && fd != dfd)
				fds[n++] = fd;
		}
		for (int i = 0; i < n; i++)
			close(fds[i]);
		if (n < 256)
			break;
		rewinddir(d);
	}
	closedir(d);
}

static void free_argv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int netd_exec(const struct netd_backend_fds *b, size_t n_backends, char *const argv[], char **err_text)
{
	struct netd_backend_fds *nb = NULL;
	size_t total = 0, argc = 0, k = 0;
	int *src = NULL, *tmp = NULL, next = 3, rc = 0;
	char **args = NULL;

	if (err_text)
		*err_text = NULL;
	while (argv && argv[argc])
		argc++;
	if (!argc || !n_backends) {
		text_set_err(err_text, strdup(!argc ? "no command to run" : "no backend to hand over"));
		return -EINVAL;
	}
	for (size_t i = 0; i < n_backends; i++)
		total += b[i].n_queues * (b[i].vhost_fds ? 2 : 1);
	nb = calloc(n_backends, sizeof(*nb));
	src = calloc(total + 1, sizeof(int));
	tmp = calloc(total + 1, sizeof(int));
	args = calloc(argc + 1, sizeof(char *));
	if (!nb || !src || !tmp || !args) {
		rc = -ENOMEM;
		goto out;
	}
	/* The numbers the fds will have in the new program: 3, 4, ... in order. */
	for (size_t i = 0; i < n_backends && rc == 0; i++) {
		nb[i] = b[i];
		nb[i].queue_fds = calloc(b[i].n_queues, sizeof(int));
		nb[i].vhost_fds = b[i].vhost_fds ? calloc(b[i].n_queues, sizeof(int)) : NULL;
		if (!nb[i].queue_fds || (b[i].vhost_fds && !nb[i].vhost_fds)) {
			rc = -ENOMEM;
			break;
		}
		for (size_t q = 0; q < b[i].n_queues; q++) {
			src[k++] = b[i].queue_fds[q];
			nb[i].queue_fds[q] = next++;
		}
		for (size_t q = 0; b[i].vhost_fds && q < b[i].n_queues; q++) {
			src[k++] = b[i].vhost_fds[q];
			nb[i].vhost_fds[q] = next++;
		}
	}
	/* Every argument first: a bad placeholder changes nothing. */
	for (size_t i = 0; i < argc && rc == 0; i++)
		rc = netd_exec_expand(argv[i], nb, n_backends, &args[i], err_text);
	if (rc < 0)
		goto out;

	/* Lift every fd above the target range, then place them; dup3 clears CLOEXEC. */
	for (k = 0; k < total; k++) {
		tmp[k] = fcntl(src[k], F_DUPFD_CLOEXEC, 3 + (int)total);
		if (tmp[k] < 0) {
			rc = -errno;
			text_set_err(err_text, text_fmt("cannot duplicate fd %d: %s", src[k], strerror(errno)));
			while (k > 0)
				close(tmp[--k]);
			goto out;
		}
	}
	for (k = 0; k < total; k++)
		if (dup3(tmp[k], 3 + (int)k, 0) < 0) {
			rc = -errno;
			text_set_err(err_text, text_fmt("cannot move fd %d to %zu: %s", tmp[k], 3 + k, strerror(errno)));
			for (k = 0; k < total; k++)
				close(tmp[k]);
			goto out;
		}
	close_from(3 + (int)total);
	execvp(args[0], args);
	rc = -errno;
	text_set_err(err_text, text_fmt("cannot run '%s': %s", args[0], strerror(errno)));
out:
	if (rc == -ENOMEM && err_text && !*err_text)
		text_set_err(err_text, strdup(strerror(ENOMEM)));
	for (size_t i = 0; nb && i < n_backends; i++) {
		free(nb[i].queue_fds);
		free(nb[i].vhost_fds);
	}
	free(nb);
	free(src);
	free(tmp);
	free_argv(args);
	return rc;
}
