/* SPDX-License-Identifier: MIT */
/* What failed, on which object, in the kernel's words: carried from the step that
 * failed to the client's error reply. */
#ifndef NETD_ERROR_H
#define NETD_ERROR_H

#include <stddef.h>

struct op_error {
	int code;          /* positive errno */
	char msg[512];     /* "cannot attach tap 'x' to bridge 'br0'" */
	char extack[512];  /* the kernel's extended ack, "" when none */
};

/* Record the first failure (later ones keep it) and return -code.  `code` may be
 * given as positive or negative errno.  The sentence gets ": <strerror>" appended
 * unless it already says why. */
int op_fail(struct op_error *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void op_error_clear(struct op_error *e);

#endif
