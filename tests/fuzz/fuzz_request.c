/* SPDX-License-Identifier: MIT */
/* libFuzzer: the request decoder and the reply encoder, on any bytes a client sends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/server.h"
#include "lib/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_request req;
	char err[256];

	if (proto_parse_request((const char *)data, size, &req, err, sizeof(err)) == 0) {
		/* Echo the arguments back as a (possibly multipart) reply, as list verbs do. */
		struct reply rp = { 0 };
		char **bodies;
		size_t *lens;
		int n;

		rp.result = json_object_new_object();
		json_object_object_add(rp.result, "items", json_object_new_array());
		json_object_array_add(json_object_object_get(rp.result, "items"), json_object_get(req.args));
		n = reply_encode(req.id, &rp, 512, &bodies, &lens);
		for (int i = 0; i < n; i++)
			free(bodies[i]);
		if (n >= 0) {
			free(bodies);
			free(lens);
		}
		json_object_put(rp.result);
		proto_request_done(&req);
	}
	return 0;
}
