/* SPDX-License-Identifier: MIT */
/* The wire format: request validation, reply encoding and multipart splitting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/server.h"
#include "lib/proto.h"

static int parse(const char *s, struct proto_request *r, char *err)
{
	return proto_parse_request(s, strlen(s), r, err, 256);
}

static void test_valid_request(void **state)
{
	struct proto_request r;
	char err[256];

	assert_int_equal(parse("{\"netd\":1,\"id\":7,\"verb\":\"backend.add\",\"args\":{\"guest\":\"a\"}}", &r, err), 0);
	assert_string_equal(r.verb, "backend.add");
	assert_int_equal(r.id, 7);
	assert_true(json_object_is_type(r.args, json_type_object));
	proto_request_done(&r);
	/* args and id are optional */
	assert_int_equal(parse("{\"netd\":1,\"verb\":\"version\"}", &r, err), 0);
	assert_int_equal(json_object_object_length(r.args), 0);
	proto_request_done(&r);
}

static void test_bad_requests(void **state)
{
	static const struct { const char *in; int rc; const char *msg; } cases[] = {
		{ "", -EMSGSIZE, "must be 1 to" },
		{ "not json", -EBADMSG, "not valid JSON" },
		{ "{\"netd\":1,\"verb\":\"version\"", -EBADMSG, "truncated" },
		{ "[1,2]", -EINVAL, "must be a JSON object" },
		{ "{\"verb\":\"version\"}", -EINVAL, "protocol version" },
		{ "{\"netd\":2,\"verb\":\"version\"}", -EPROTONOSUPPORT, "version 2 is not supported" },
		{ "{\"netd\":\"1\",\"verb\":\"version\"}", -EINVAL, "protocol version" },
		{ "{\"netd\":1}", -EINVAL, "lacks a \"verb\"" },
		{ "{\"netd\":1,\"verb\":\"\"}", -EINVAL, "1 to" },
		{ "{\"netd\":1,\"verb\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", -EINVAL, "1 to" },
		{ "{\"netd\":1,\"verb\":\"Back\"}", -EINVAL, "outside [a-z._-]" },
		{ "{\"netd\":1,\"verb\":\"version\",\"args\":[]}", -EINVAL, "\"args\" must be a JSON object" },
		{ "{\"netd\":1,\"verb\":\"version\",\"id\":\"x\"}", -EINVAL, "\"id\" must be an integer" },
		{ "{\"netd\":1,\"verb\":\"version\"} trailing", -EBADMSG, "not valid JSON" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proto_request r;
		char err[256] = "";
		int rc = parse(cases[i].in, &r, err);
		if (rc != cases[i].rc || !strstr(err, cases[i].msg))
			fail_msg("case %zu '%s': rc %d err '%s'", i, cases[i].in, rc, err);
	}
}

static void test_nul_in_verb(void **state)
{
	static const char in[] = "{\"netd\":1,\"verb\":\"ver\\u0000sion\"}";
	struct proto_request r;
	char err[256];

	assert_int_equal(proto_parse_request(in, sizeof(in) - 1, &r, err, sizeof(err)), -EINVAL);
}

static void test_error_reply(void **state)
{
	struct reply rp = { 0 };
	char **bodies;
	size_t *lens;
	json_object *o, *e, *v;

	op_fail(&rp.err, -EEXIST, "device '%s' already exists", "tap0");
	snprintf(rp.err.extack, sizeof(rp.err.extack), "kernel says no");
	assert_int_equal(reply_encode(9, &rp, 4096, &bodies, &lens), 1);
	o = json_tokener_parse(bodies[0]);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "error", &e));
	json_object_object_get_ex(e, "name", &v);
	assert_string_equal(json_object_get_string(v), "EEXIST");
	json_object_object_get_ex(e, "errno", &v);
	assert_int_equal(json_object_get_int(v), EEXIST);
	json_object_object_get_ex(e, "extack", &v);
	assert_string_equal(json_object_get_string(v), "kernel says no");
	json_object_object_get_ex(o, "id", &v);
	assert_int_equal(json_object_get_int(v), 9);
	json_object_put(o);
	free(bodies[0]);
	free(bodies);
	free(lens);
}

/* A listing far larger than one message comes in parts that, merged, are the whole. */
static void test_multipart(void **state)
{
	struct reply rp = { 0 };
	json_object *items = json_object_new_array();
	char **bodies;
	size_t *lens, total = 0;
	int n;

	rp.result = json_object_new_object();
	json_object_object_add(rp.result, "items", items);
	json_object_object_add(rp.result, "extra", json_object_new_int(42));
	for (int i = 0; i < 4096; i++) {
		json_object *it = json_object_new_object();
		json_object_object_add(it, "name", json_object_new_string("ndt-some-backend"));
		json_object_object_add(it, "index", json_object_new_int(i));
		json_object_array_add(items, it);
	}
	n = reply_encode(1, &rp, 8192, &bodies, &lens);
	assert_true(n > 10);
	for (int i = 0; i < n; i++) {
		json_object *o = json_tokener_parse(bodies[i]), *res, *part, *more;
		assert_true(lens[i] <= 8192);
		assert_true(json_object_object_get_ex(o, "result", &res));
		assert_true(json_object_object_get_ex(res, "items", &part));
		for (size_t k = 0; k < json_object_array_length(part); k++) {
			json_object *idx;
			json_object_object_get_ex(json_object_array_get_idx(part, k), "index", &idx);
			assert_int_equal(json_object_get_int(idx), (int)total++);
		}
		/* "more" on all but the last; "extra" only on the first */
		assert_int_equal(json_object_object_get_ex(o, "more", &more), i < n - 1);
		assert_int_equal(json_object_object_get_ex(res, "extra", NULL), i == 0);
		json_object_put(o);
		free(bodies[i]);
	}
	assert_int_equal(total, 4096);
	free(bodies);
	free(lens);
	json_object_put(rp.result);
}

static void test_errno_names(void **state)
{
	assert_string_equal(proto_errno_name(EPERM), "EPERM");
	assert_string_equal(proto_errno_name(ENODEV), "ENODEV");
	assert_string_equal(proto_errno_name(9999), "E9999");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_request),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_nul_in_verb),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_errno_names),
	};
	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
