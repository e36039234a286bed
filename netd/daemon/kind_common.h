/* SPDX-License-Identifier: MIT */
/* Steps every kind shares. */
#ifndef NETD_KIND_COMMON_H
#define NETD_KIND_COMMON_H

#include "daemon/daemon.h"

/* While the link is down and in GROUP_PENDING: master, the link's MAC (NULL:
 * unchanged), MTU, and no IPv6 address for a bridge port (it must precede up). */
int kind_prepare_link(struct daemon *d, struct backend *b, int master, const uint8_t *link_mac,
		      struct op_error *e);
/* Turn IPv6 off on a device netd just made (best effort: a host may have none). */
void kind_disable_ipv6(struct daemon *d, const char *name);
/* The commit: netd's tag, the guest's group, up, in one RTM_SETLINK. */
int kind_activate_link(struct daemon *d, struct backend *b, struct op_error *e);
/* An optional uid/gid argument: absent leaves *ret as is. */
int kind_parse_id(json_object *args, const char *key, int64_t *ret, struct op_error *e);
/* Undo for links created by RTM_NEWLINK: delete by ifindex. */
void kind_undo_dellink(struct daemon *d, struct txn_step *s);

#endif
