/* SPDX-License-Identifier: MIT */
/* The one epoll loop: every fd the daemon waits on is a source with a callback. */
#ifndef NETD_LOOP_H
#define NETD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct source;

typedef void (*source_cb)(struct source *s, uint32_t events, void *data);

struct source {
	int fd;
	source_cb cb;
	void *data;
	uint32_t events;
};

int loop_new(struct loop **ret);
void loop_free(struct loop *l);
int loop_add(struct loop *l, struct source *s, int fd, uint32_t events, source_cb cb, void *data);
int loop_modify(struct loop *l, struct source *s, uint32_t events);
void loop_remove(struct loop *l, struct source *s);
/* Run until loop_quit(); returns the exit code given there. */
int loop_run(struct loop *l);
void loop_quit(struct loop *l, int code);

#endif
