/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/error.h"

int op_fail(struct op_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	code = abs(code);
	if (!e || e->code)
		return -code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -code;
}

void op_error_clear(struct op_error *e)
{
	memset(e, 0, sizeof(*e));
}
