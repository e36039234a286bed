/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/text.h"

char *text_fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

void text_set_err(char **err, char *text)
{
	if (!err) {
		free(text);
		return;
	}
	free(*err);
	*err = text;
}
