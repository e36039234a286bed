/* SPDX-License-Identifier: MIT */
/* Error-text helpers libnetd's QMP and exec code share (not part of the API). */
#ifndef NETD_LIB_TEXT_H
#define NETD_LIB_TEXT_H

/* A malloc'd formatted string, NULL when out of memory. */
char *text_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* Hand `text` to the caller's *err (replacing what was there), or free it. */
void text_set_err(char **err, char *text);

#endif
