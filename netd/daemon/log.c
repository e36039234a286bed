/* SPDX-License-Identifier: MIT */
/* stderr logging with sd-daemon level prefixes, so journald files them by level. */
#include <stdio.h>

#include "daemon/log.h"

enum log_level log_max_level = LOG_LVL_INFO;

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "<3>", "<4>", "<6>", "<7>" };
	char line[1024];
	va_list ap;
	int n;

	if (lvl > log_max_level)
		return;
	/* One write per line: stderr is unbuffered, and lines of concurrent writers
	 * (journald) must not interleave. */
	n = snprintf(line, sizeof(line), "%s", prefix[lvl]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr);
}
