/* SPDX-License-Identifier: MIT */
/* stderr logging with sd-daemon level prefixes, so journald files them by level. */
#include <stdio.h>

#include "daemon/log.h"

enum log_level log_max_level = LOG_LVL_INFO;

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "<3>", "<4>", "<6>", "<7>" };
	va_list ap;

	if (lvl > log_max_level)
		return;
	fputs(prefix[lvl], stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
