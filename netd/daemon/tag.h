/* SPDX-License-Identifier: MIT */
/* The owner tag netd writes into IFLA_IFALIAS of every link it creates, so that a
 * restarted netd rebuilds its registry from one link dump:
 *   "netd1 k=tap g=web1 u=1000 q=4 vh=auto vnet=1 st=1 m=52:54:00:12:34:56"
 * The guest's IFLA_GROUP is the other half of the record. */
#ifndef NETD_TAG_H
#define NETD_TAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/names.h"

#define TAG_PREFIX "netd1 "

enum vhost_mode { VHOST_OFF, VHOST_ON, VHOST_AUTO };

struct tag {
	char kind[12];
	char guest[GUEST_NAME_MAX + 1];
	uint32_t uid;
	unsigned queues;
	enum vhost_mode vhost;
	bool vnet_hdr;
	bool stats;
	int32_t pid;    /* bind-pid: the process the guest lives with, 0 none */
	uint64_t pid_start;
	uint8_t mac[6]; /* the guest's MAC, when one was given */
	bool has_mac;
	int vf;        /* vf backends: the VF index, -1 otherwise */
	char pf[16];   /* vf backends: the PF name */
};

const char *vhost_mode_name(enum vhost_mode m);
int vhost_mode_parse(const char *s, enum vhost_mode *ret);

/* Returns the length written, or -ENOSPC. */
int tag_format(const struct tag *t, char *buf, size_t len);
/* -ENOENT when the alias is not a netd tag; -EINVAL when it is one but malformed. */
int tag_parse(const char *alias, struct tag *t);

#endif
