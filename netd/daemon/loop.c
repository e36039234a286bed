/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/loop.h"

struct loop {
	int epfd;
	bool quit;
	int code;
	/* Sources removed while a batch of events is dispatched: a callback may free
	 * another source (a guest delete frees its pidfd's) whose event is still in the
	 * batch.  Only compared as pointers, never dereferenced. */
	struct source *removed[64];
	size_t n_removed;
	bool overflow;
	bool dispatching;
};

int loop_new(struct loop **ret)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int e = errno;
		free(l);
		return -e;
	}
	*ret = l;
	return 0;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l);
}

int loop_add(struct loop *l, struct source *s, int fd, uint32_t events, source_cb cb, void *data)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	s->fd = fd;
	s->cb = cb;
	s->data = data;
	s->events = events;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int loop_modify(struct loop *l, struct source *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	if (s->events == events)
		return 0;
	s->events = events;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, s->fd, &ev) < 0 ? -errno : 0;
}

void loop_remove(struct loop *l, struct source *s)
{
	if (s->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	s->fd = -1;
	if (l->dispatching) {
		if (l->n_removed < sizeof(l->removed) / sizeof(l->removed[0]))
			l->removed[l->n_removed++] = s;
		else
			l->overflow = true;
	}
}

static bool removed_in_batch(const struct loop *l, const struct source *s)
{
	for (size_t i = 0; i < l->n_removed; i++)
		if (l->removed[i] == s)
			return true;
	return false;
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[64];

	while (!l->quit) {
		int n = epoll_wait(l->epfd, evs, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %m");
			return 1;
		}
		l->dispatching = true;
		l->n_removed = 0;
		l->overflow = false;
		for (int i = 0; i < n && !l->quit; i++) {
			struct source *s = evs[i].data.ptr;
			if (removed_in_batch(l, s))
				continue;
			s->cb(s, evs[i].events, s->data);
			/* More removals than we can remember: drop the rest of this batch;
			 * level-triggered epoll reports what is still pending again. */
			if (l->overflow)
				break;
		}
		l->dispatching = false;
	}
	return l->code;
}

void loop_quit(struct loop *l, int code)
{
	l->quit = true;
	l->code = code;
}
