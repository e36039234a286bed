/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/args.h"

int arg_string(json_object *args, const char *key, const char **ret, struct op_error *e)
{
	json_object *v;

	if (!json_object_object_get_ex(args, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return op_fail(e, EINVAL, "\"%s\" must be a string", key);
	if ((size_t)json_object_get_string_len(v) != strlen(json_object_get_string(v)))
		return op_fail(e, EINVAL, "\"%s\" contains a NUL byte", key);
	*ret = json_object_get_string(v);
	return 1;
}

int arg_need_string(json_object *args, const char *key, const char **ret, struct op_error *e)
{
	int rc = arg_string(args, key, ret, e);

	if (rc == 0)
		return op_fail(e, EINVAL, "\"%s\" is required", key);
	return rc;
}

int arg_uint(json_object *args, const char *key, uint64_t min, uint64_t max, uint64_t *ret,
	     struct op_error *e)
{
	json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(args, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return op_fail(e, EINVAL, "\"%s\" must be an integer", key);
	x = json_object_get_int64(v);
	if (x < 0 || (uint64_t)x < min || (uint64_t)x > max)
		return op_fail(e, ERANGE, "%s %lld is out of range (%llu to %llu)", key, (long long)x,
			       (unsigned long long)min, (unsigned long long)max);
	*ret = (uint64_t)x;
	return 1;
}

int arg_bool(json_object *args, const char *key, bool *ret, struct op_error *e)
{
	json_object *v;

	if (!json_object_object_get_ex(args, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return op_fail(e, EINVAL, "\"%s\" must be true or false", key);
	*ret = json_object_get_boolean(v);
	return 1;
}

int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (s[i * 3] == ' ' || s[i * 3] == '+' || s[i * 3] == '-')
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

int arg_only(json_object *args, const char *const *known, struct op_error *e)
{
	json_object_object_foreach(args, k, v) {
		bool ok = false;
		(void)v;
		for (const char *const *p = known; *p && !ok; p++)
			ok = !strcmp(*p, k);
		if (!ok)
			return op_fail(e, EINVAL, "unknown argument \"%s\"", k);
	}
	return 0;
}
