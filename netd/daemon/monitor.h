/* SPDX-License-Identifier: MIT */
/* Link events (libnl, RTNLGRP_LINK): notices when somebody else deletes or renames a
 * backend, or moves a device into a guest's group. */
#ifndef NETD_MONITOR_H
#define NETD_MONITOR_H

#include "daemon/daemon.h"

int monitor_start(struct daemon *d, struct op_error *e);
void monitor_stop(struct daemon *d);
/* Bring the registry back in line with one dump, after lost events. */
int monitor_resync(struct daemon *d);

#endif
