/* SPDX-License-Identifier: MIT */
/* What every netdctl command shares: matching, errors, the call, JSON output. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

struct ctl ctl;

bool matches(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len > 0 && len <= strlen(word) && !strncmp(arg, word, len);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(".\n", stderr);
	return EXIT_USAGE;
}

int ctl_call(const char *verb, json_object *args, struct netd_reply **ret)
{
	struct netd_reply *r = NULL;
	int rc;

	*ret = NULL;
	if (!ctl.conn) {
		rc = netd_connect(ctl.socket, &ctl.conn);
		if (rc < 0) {
			json_object_put(args);
			fprintf(stderr, "Error: cannot connect to netd at %s: %s.\n",
				ctl.socket ? ctl.socket : getenv("NETD_SOCKET") ? getenv("NETD_SOCKET") : NETD_DEFAULT_SOCKET,
				strerror(-rc));
			return EXIT_FAILED;
		}
	}
	rc = netd_call(ctl.conn, verb, args, &r);
	if (rc < 0 && !r) {
		fprintf(stderr, "Error: talking to netd: %s.\n", strerror(-rc));
		return EXIT_FAILED;
	}
	if (rc < 0) {
		fprintf(stderr, "Error: %s.\n", netd_reply_error(r));
		netd_reply_free(r);
		return EXIT_FAILED;
	}
	*ret = r;
	return EXIT_OK;
}

const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

const char *jstre(json_object *o, const char *key)
{
	const char *s = jstr(o, key);

	return s ? s : "";
}

uint64_t ju64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

int ctl_call_print(const char *verb, json_object *args,
		   void (*text)(json_object *result, const struct netd_reply *r))
{
	struct netd_reply *r;
	int rc = ctl_call(verb, args, &r);

	if (rc)
		return rc;
	if (ctl.json)
		print_json(r->result);
	else
		text(r->result, r);
	netd_reply_free(r);
	return EXIT_OK;
}

int ctl_call_print_items(const char *verb, json_object *args, void (*text)(json_object *item))
{
	struct netd_reply *r;
	json_object *items = NULL;
	int rc = ctl_call(verb, args, &r);

	if (rc)
		return rc;
	json_object_object_get_ex(r->result, "items", &items);
	if (ctl.json && items)
		print_json(items);
	else if (ctl.json)
		puts("[]");
	else
		for (size_t i = 0; items && i < json_object_array_length(items); i++)
			text(json_object_array_get_idx(items, i));
	netd_reply_free(r);
	return EXIT_OK;
}

void print_json(json_object *o)
{
	int flags = ctl.pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN;

	puts(json_object_to_json_string_ext(o, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
}
