/* SPDX-License-Identifier: MIT */
/* The event loop: a callback that removes another source whose event is pending in
 * the same batch (a guest delete freeing its pidfd source) never sees it run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/loop.h"

struct ctx {
	struct loop *l;
	struct source *victim;
	int calls;
};

static void killer_cb(struct source *s, uint32_t events, void *data)
{
	struct ctx *c = data;
	int fd = c->victim->fd;

	c->calls++;
	loop_remove(c->l, c->victim);
	close(fd);
	free(c->victim);   /* freed: its pending event must not be dispatched */
	c->victim = NULL;
	loop_remove(c->l, s);
	loop_quit(c->l, 0);
}

static void victim_cb(struct source *s, uint32_t events, void *data)
{
	fail_msg("the callback of a removed source ran");
}

static void test_removed_source_not_dispatched(void **state)
{
	struct ctx c = { 0 };
	struct source killer;
	int a = eventfd(1, EFD_CLOEXEC), b = eventfd(1, EFD_CLOEXEC);

	assert_int_equal(loop_new(&c.l), 0);
	c.victim = calloc(1, sizeof(*c.victim));
	/* Both are readable before the wait, so epoll reports them in the order they
	 * became ready: the killer first. */
	assert_int_equal(loop_add(c.l, &killer, a, EPOLLIN, killer_cb, &c), 0);
	assert_int_equal(loop_add(c.l, c.victim, b, EPOLLIN, victim_cb, &c), 0);
	assert_int_equal(loop_run(c.l), 0);
	assert_int_equal(c.calls, 1);
	close(a);
	loop_free(c.l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_removed_source_not_dispatched),
	};
	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
