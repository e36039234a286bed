/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon/kind_common.h"
#include "daemon/log.h"

static void link_what(const struct backend *b, bool with_master, char *what, size_t len)
{
	if (with_master && b->lower[0])
		snprintf(what, len, "%s '%s' on '%s'", b->kind->name, b->name, b->lower);
	else
		snprintf(what, len, "%s '%s'", b->kind->name, b->name);
}

int kind_prepare_link(struct daemon *d, struct backend *b, int master, const uint8_t *link_mac,
		      struct op_error *e)
{
	char what[64];
	struct link_change c = {
		.set_group = true,
		.group = GROUP_PENDING,
		.master = master,
		.mac = link_mac,
		.mtu = b->mtu,
	};

	/* A bridge port needs no IPv6 of its own: no link-local address, no DAD probes
	 * into the guest, and no per-device multicast route that every carrier change
	 * anywhere then walks past (that walk made each create O(backends)). */
	if (master > 0)
		kind_disable_ipv6(d, b->name);
	link_what(b, master > 0, what, sizeof(what));
	return link_set(&d->nl, b->ifindex, what, &c, e);
}

void kind_disable_ipv6(struct daemon *d, const char *name)
{
	char path[64];
	int fd;

	if (d->nl.ipv6_conf_fd < 0)
		return; /* no IPv6 here at all: nothing to disable */
	snprintf(path, sizeof(path), "%s/disable_ipv6", name);
	fd = openat(d->nl.ipv6_conf_fd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1", 1) != 1)
		log_debug("cannot disable IPv6 on %s: %m", name);
	close(fd);
}

int kind_activate_link(struct daemon *d, struct backend *b, struct op_error *e)
{
	char alias[LINK_ALIAS_MAX], what[64];
	struct link_change c = {
		.alias = alias,
		.set_group = true,
		.group = b->guest->group,
		.up = true,
	};
	struct tag t;

	backend_fill_tag(b, &t);
	if (tag_format(&t, alias, sizeof(alias)) < 0)
		return op_fail(e, ENAMETOOLONG, "owner tag for '%s' does not fit IFLA_IFALIAS", b->name);
	link_what(b, true, what, sizeof(what));
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

void kind_undo_dellink(struct daemon *d, struct txn_step *s)
{
	struct op_error e = { 0 };

	if (link_del(&d->nl, s->ifindex, s->name, &e) < 0 && e.code != ENODEV)
		log_err("rollback: %s%s%s", e.msg, e.extack[0] ? ": " : "", e.extack);
}
