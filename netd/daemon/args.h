/* SPDX-License-Identifier: MIT */
/* Typed access to a request's "args" object, with errors that name the argument. */
#ifndef NETD_ARGS_H
#define NETD_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <json.h>

#include "daemon/error.h"

/* Each returns 1 when present, 0 when absent (ret untouched), -errno on a bad value. */
int arg_string(json_object *args, const char *key, const char **ret, struct op_error *e);
int arg_uint(json_object *args, const char *key, uint64_t min, uint64_t max, uint64_t *ret,
	     struct op_error *e);
int arg_bool(json_object *args, const char *key, bool *ret, struct op_error *e);
/* A required string. */
int arg_need_string(json_object *args, const char *key, const char **ret, struct op_error *e);
/* "52:54:00:12:34:56" into 6 bytes; unicast only when `unicast`. */
int parse_mac(const char *s, uint8_t mac[6]);
/* Reject keys a verb does not know, so a typo never silently does something else. */
int arg_only(json_object *args, const char *const *known, struct op_error *e);

#endif
