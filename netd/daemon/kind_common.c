/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>

#include "daemon/kind_common.h"
#include "daemon/log.h"

int kind_configure_link(struct daemon *d, struct backend *b, int master, const uint8_t *link_mac,
			struct op_error *e)
{
	char alias[LINK_ALIAS_MAX], what[64];
	struct link_change c = {
		.alias = alias,
		.set_group = true,
		.group = b->guest->group,
		.master = master,
		.mac = link_mac,
		.mtu = b->mtu,
		.up = true,
		/* A bridge port needs no IPv6 address of its own: skip the link-local
		 * address, its DAD probes into the guest and the routing work per up. */
		.no_ipv6_addr = master > 0,
	};
	struct tag t;

	backend_fill_tag(b, &t);
	if (tag_format(&t, alias, sizeof(alias)) < 0)
		return op_fail(e, ENAMETOOLONG, "owner tag for '%s' does not fit IFLA_IFALIAS", b->name);
	if (master > 0)
		snprintf(what, sizeof(what), "%s '%s' on '%s'", b->kind->name, b->name, b->lower);
	else
		snprintf(what, sizeof(what), "%s '%s'", b->kind->name, b->name);
	return link_set(&d->nl, b->ifindex, what, &c, e);
}

int kind_parse_id(json_object *args, const char *key, int64_t *ret, struct op_error *e)
{
	json_object *v;

	if (!json_object_object_get_ex(args, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) >= UINT32_MAX)
		return op_fail(e, EINVAL, "\"%s\" must be a numeric id from 0 to %u", key, UINT32_MAX - 1);
	*ret = json_object_get_int64(v);
	return 0;
}

void kind_undo_nothing(struct daemon *d, struct txn_step *s)
{
}

void kind_undo_dellink(struct daemon *d, struct txn_step *s)
{
	struct op_error e = { 0 };

	if (link_del(&d->nl, s->ifindex, s->name, &e) < 0 && e.code != ENODEV)
		log_err("rollback: %s%s%s", e.msg, e.extack[0] ? ": " : "", e.extack);
}
