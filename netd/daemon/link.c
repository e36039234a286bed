/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "daemon/link.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* linux/if.h; glibc's net/if.h lacks it */
#endif

static void copy_str(char *dst, size_t size, const struct nlattr *a)
{
	size_t len = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	len = strnlen(s, len);
	if (len >= size)
		len = size - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static int parse_tun(const struct nlattr *data, struct link_info *li)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, data) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_TUN_OWNER:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->tun_owner = mnl_attr_get_u32(a);
			break;
		case IFLA_TUN_GROUP:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->tun_group = mnl_attr_get_u32(a);
			break;
		case IFLA_TUN_VNET_HDR:
			if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
				li->tun_vnet_hdr = mnl_attr_get_u8(a);
			break;
		case IFLA_TUN_PERSIST:
			if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
				li->tun_persist = mnl_attr_get_u8(a);
			break;
		case IFLA_TUN_MULTI_QUEUE:
			if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
				li->tun_multi_queue = mnl_attr_get_u8(a);
			break;
		case IFLA_TUN_NUM_QUEUES:
		case IFLA_TUN_NUM_DISABLED_QUEUES: /* detached by the guest, still held */
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->tun_queues += mnl_attr_get_u32(a);
			break;
		}
	}
	return 0;
}

static void parse_linkinfo(const struct nlattr *info, struct link_info *li)
{
	const struct nlattr *a, *data = NULL;

	mnl_attr_for_each_nested(a, info) {
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
			copy_str(li->kind, sizeof(li->kind), a);
		else if (mnl_attr_get_type(a) == IFLA_INFO_DATA)
			data = a;
	}
	if (!data)
		return;
	if (!strcmp(li->kind, "tun")) {
		parse_tun(data, li);
		/* Only multi-queue taps report a queue count; a single-queue tap has
		 * carrier exactly while its one queue is attached. */
		if (!li->tun_multi_queue)
			li->tun_queues = (li->flags & IFF_LOWER_UP) ? 1 : 0;
	} else if (!strcmp(li->kind, "macvtap") || !strcmp(li->kind, "macvlan")) {
		mnl_attr_for_each_nested(a, data)
			if (mnl_attr_get_type(a) == IFLA_MACVLAN_MODE &&
			    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->macvlan_mode = mnl_attr_get_u32(a);
	}
}

int link_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct ifinfomsg *ifi;
	const struct nlattr *a;

	memset(li, 0, sizeof(*li));
	li->tun_owner = li->tun_group = -1;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			copy_str(li->name, sizeof(li->name), a);
			break;
		case IFLA_IFALIAS:
			copy_str(li->alias, sizeof(li->alias), a);
			break;
		case IFLA_GROUP:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->group = mnl_attr_get_u32(a);
			break;
		case IFLA_MASTER:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->master = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINK:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->lower = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_MTU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(a) == ETH_ALEN) {
				memcpy(li->mac, mnl_attr_get_payload(a), ETH_ALEN);
				li->has_mac = true;
			}
			break;
		case IFLA_LINKINFO:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
				parse_linkinfo(a, li);
			break;
		}
	}
	return 0;
}

struct get_ctx {
	struct link_info *li;
	bool found;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *g = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (link_parse(nlh, g->li) == 0)
		g->found = true;
	return MNL_CB_OK;
}

int link_get(struct nl *nl, int ifindex, const char *name, struct link_info *li,
	     struct op_error *e)
{
	struct nlmsghdr *nlh = nlc_msg(nl, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct get_ctx g = { li, false };
	char extack[256];
	int rc;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex > 0 ? ifindex : 0;
	if (ifindex <= 0)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	rc = nlc_talk(nl, nlh, get_cb, &g, extack, sizeof(extack));
	if (rc == -ENODEV || (rc == 0 && !g.found)) {
		if (ifindex > 0)
			return op_fail(e, ENODEV, "device with ifindex %d does not exist", ifindex);
		return op_fail(e, ENODEV, "device '%s' does not exist", name);
	}
	if (rc < 0) {
		op_fail(e, rc, "cannot read device '%s': %s", ifindex > 0 ? "?" : name, strerror(-rc));
		if (e)
			snprintf(e->extack, sizeof(e->extack), "%s", extack);
	}
	return rc;
}

/* The links of one complete, consistent dump, handed to the caller only after it
 * ended: an interrupted dump is thrown away whole and taken again. */
struct dump_ctx {
	struct link_info *v;
	size_t n, cap;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct link_info *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		d->v = v;
		d->cap = cap;
	}
	if (link_parse(nlh, &d->v[d->n]) == 0)
		d->n++;
	return MNL_CB_OK;
}

int link_dump(struct nl *nl, link_dump_cb cb, void *data, struct op_error *e)
{
	struct dump_ctx d = { 0 };
	int rc = -EINTR;

	/* A dump interrupted by concurrent changes is restarted, as iproute2 does. */
	for (int attempt = 0; attempt < 5 && rc == -EINTR; attempt++) {
		struct nlmsghdr *nlh = nlc_msg(nl, RTM_GETLINK, NLM_F_DUMP);
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		d.n = 0;
		rc = nlc_talk(nl, nlh, dump_cb, &d, NULL, 0);
	}
	for (size_t i = 0; rc == 0 && i < d.n; i++)
		if (cb(&d.v[i], data) < 0)
			rc = -ECANCELED;
	free(d.v);
	if (rc < 0 && rc != -ECANCELED)
		return op_fail(e, rc, "cannot list network devices: %s", strerror(-rc));
	return rc;
}

void link_put_change(struct nlmsghdr *nlh, struct ifinfomsg *ifi, const struct link_change *c)
{
	if (c->alias)
		mnl_attr_put_strz(nlh, IFLA_IFALIAS, c->alias);
	if (c->set_group)
		mnl_attr_put_u32(nlh, IFLA_GROUP, c->group);
	if (c->master > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)c->master);
	if (c->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, ETH_ALEN, c->mac);
	if (c->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, c->mtu);
	if (c->up) {
		ifi->ifi_flags |= IFF_UP;
		ifi->ifi_change |= IFF_UP;
	}
}

int link_set(struct nl *nl, int ifindex, const char *what, const struct link_change *c,
	     struct op_error *e)
{
	struct nlmsghdr *nlh = nlc_msg(nl, RTM_SETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	char extack[256];
	int rc;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	link_put_change(nlh, ifi, c);
	rc = nlc_talk(nl, nlh, NULL, NULL, extack, sizeof(extack));
	if (rc < 0 && e && !e->code) {
		op_fail(e, rc, "cannot configure %s: %s", what, strerror(-rc));
		snprintf(e->extack, sizeof(e->extack), "%s", extack);
	}
	return rc;
}

int link_del(struct nl *nl, int ifindex, const char *name, struct op_error *e)
{
	struct nlmsghdr *nlh = nlc_msg(nl, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	char extack[256];
	int rc;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	rc = nlc_talk(nl, nlh, NULL, NULL, extack, sizeof(extack));
	if (rc < 0 && e && !e->code) {
		op_fail(e, rc, "cannot delete device '%s': %s", name, strerror(-rc));
		snprintf(e->extack, sizeof(e->extack), "%s", extack);
	}
	return rc;
}

int link_del_group(struct nl *nl, uint32_t group, struct op_error *e)
{
	struct nlmsghdr *nlh = nlc_msg(nl, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	char extack[256];
	int rc;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	rc = nlc_talk(nl, nlh, NULL, NULL, extack, sizeof(extack));
	if (rc < 0 && e && !e->code) {
		op_fail(e, rc, "cannot delete device group %u: %s", group, strerror(-rc));
		snprintf(e->extack, sizeof(e->extack), "%s", extack);
	}
	return rc;
}
