/* SPDX-License-Identifier: MIT */
/* macvtap pieces the VF kind reuses for its passthru macvtap on a VF netdev. */
#ifndef NETD_KIND_MACVTAP_H
#define NETD_KIND_MACVTAP_H

#include "daemon/daemon.h"

/* RTM_NEWLINK of a macvtap on b->lower_ifindex in GROUP_PENDING, with b's name,
 * mode, MAC and MTU; registers the delete as undo and sets b->ifindex. */
int macvtap_newlink(struct daemon *d, struct backend *b, struct txn *t, struct op_error *e);
/* Open n queue fds of macvtap `name`/`ifindex` by its char device's major:minor. */
int macvtap_open_queues(struct daemon *d, const char *name, int ifindex, unsigned n,
			bool vnet_hdr, int *fds, struct op_error *e);
/* Move the link out of GROUP_PENDING: tag, guest group, up. */
int macvtap_commit(struct daemon *d, struct backend *b, const int *fds, struct op_error *e);

const char *macvlan_mode_name(uint32_t mode);
int macvlan_mode_parse(const char *s, uint32_t *ret);

#endif
