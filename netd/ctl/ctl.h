/* SPDX-License-Identifier: MIT */
/* netdctl's shared pieces: options, the connection, errors, argument helpers. */
#ifndef NETD_CTL_H
#define NETD_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json.h>

#include "netd/netd.h"

/* Exit codes as ip(8): 0 ok, 1 bad usage, 2 the daemon or the kernel said no. */
enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_FAILED = 2 };

struct ctl {
	bool json, pretty, stats, details, oneline;
	const char *socket;
	struct netd *conn;
};

extern struct ctl ctl;

/* ip-style abbreviation: `arg` is a prefix of `word` (and not empty). */
bool matches(const char *arg, const char *word);

/* Print "Error: ..." and return EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Connect (once) and call; prints the daemon's error as "Error: ..." and returns
 * EXIT_FAILED, or EXIT_OK with *ret set (free with netd_reply_free). */
int ctl_call(const char *verb, json_object *args, struct netd_reply **ret);

/* A reply field: the string (NULL / "" when absent) or the number (0 when absent). */
const char *jstr(json_object *o, const char *key);
const char *jstre(json_object *o, const char *key);
uint64_t ju64(json_object *o, const char *key);

/* Print a result as JSON (honours -p). */
void print_json(json_object *o);

/* Call, then print the result: as JSON with -j, else with `text`.  Returns the exit
 * code. */
int ctl_call_print(const char *verb, json_object *args,
		   void (*text)(json_object *result, const struct netd_reply *r));
/* The same for a listing: the result's "items" as a JSON array, or `text` per item. */
int ctl_call_print_items(const char *verb, json_object *args, void (*text)(json_object *item));

/* One command object: "backend", "guest", ... */
struct ctl_object {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *f);
};

/* Argument parsing into request args, shared by the commands and the unit tests.
 * Each returns 0 or EXIT_USAGE with a message in err. */
int parse_backend_add(int argc, char **argv, json_object **ret, char *err, size_t errlen);

/* The objects, one file each. */
extern const struct ctl_object obj_backend, obj_guest, obj_stats, obj_pf, obj_vf, obj_qmp,
	obj_exec, obj_version;

#endif
