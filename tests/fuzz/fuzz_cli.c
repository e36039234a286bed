/* SPDX-License-Identifier: MIT */
/* libFuzzer: netdctl's argument parsers and the policy file parser, on any input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "daemon/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[64], err[256];
	int argc = 0;
	json_object *args = NULL;
	struct policy *p = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* The policy parser takes the whole text, NULs and all truncate it as a file would. */
	if (policy_parse(text, "fuzz.conf", &p, err, sizeof(err)) == 0)
		policy_free(p);
	/* Words split on spaces and NULs are an argv. */
	for (char *t = strtok(text, " \n"); t && argc < 64; t = strtok(NULL, " \n"))
		argv[argc++] = t;
	if (parse_backend_add(argc, argv, &args, err, sizeof(err)) == 0)
		json_object_put(args);
	free(text);
	return 0;
}
