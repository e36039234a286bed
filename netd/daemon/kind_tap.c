/* SPDX-License-Identifier: MIT */
/* tap backends: /dev/net/tun devices, optionally multi-queue, attached to a bridge.
 *
 * The device is created non-persistent and down: until TUNSETPERSIST it lives only
 * as long as netd's queue fds, so a netd killed then leaves nothing; after it, it sits
 * in GROUP_PENDING until the commit tags it and brings it up, and a restarted netd
 * deletes what it finds there. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "daemon/daemon.h"
#include "daemon/kind_common.h"
#include "daemon/log.h"

static int tap_parse(struct daemon *d, struct backend *b, json_object *args, struct op_error *e)
{
	json_object *v;
	int rc;

	if (json_object_object_get_ex(args, "bridge", &v)) {
		const char *br = json_object_get_string(v);
		char driver[32];
		if (!ifname_valid(br))
			return op_fail(e, EINVAL, "bridge name '%s' is not a valid device name", br);
		/* Two ioctls, not RTM_GETLINK: a get-link would run the bridge's pending
		 * carrier work inside this request. */
		b->lower_ifindex = nlc_ifindex(&d->nl, br);
		if (!b->lower_ifindex)
			return op_fail(e, ENODEV, "bridge '%s' does not exist", br);
		rc = nlc_ifdriver(&d->nl, br, driver, sizeof(driver));
		if (rc < 0 || (strcmp(driver, "bridge") && strcmp(driver, "openvswitch")))
			return op_fail(e, EINVAL, "'%s' is not a bridge (its driver is %s)", br,
				       rc < 0 ? "unknown" : driver);
		snprintf(b->lower, sizeof(b->lower), "%s", br);
	}
	if ((rc = kind_parse_id(args, "owner", &b->owner, e)) < 0 ||
	    (rc = kind_parse_id(args, "group", &b->group_gid, e)) < 0)
		return rc;
	return 0;
}

static short tap_flags(const struct backend *b)
{
	short f = IFF_TAP | IFF_NO_PI;

	if (b->vnet_hdr)
		f |= IFF_VNET_HDR;
	if (b->queues > 1)
		f |= IFF_MULTI_QUEUE;
	return f;
}

/* Attach one more queue to the existing device `name`. */
static int tap_attach(const char *name, short flags, struct op_error *e)
{
	struct ifreq ifr = { 0 };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return op_fail(e, errno, "cannot open /dev/net/tun: %m");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = flags;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = errno;
		close(fd);
		return op_fail(e, err, "cannot attach a queue to tap '%s': %s", name, strerror(err));
	}
	return fd;
}

static int tap_create(struct daemon *d, struct backend *b, struct txn *t, int *fds, struct op_error *e)
{
	struct ifreq ifr = { 0 };
	uint8_t host_mac[ETH_ALEN];
	int fd, rc;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return op_fail(e, errno, "cannot open /dev/net/tun: %m");
	/* IFF_TUN_EXCL: fail rather than attach to somebody's existing tap. */
	for (int attempt = 0;; attempt++) {
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", b->name);
		ifr.ifr_flags = tap_flags(b) | IFF_TUN_EXCL;
		if (ioctl(fd, TUNSETIFF, &ifr) == 0)
			break;
		rc = -errno;
		if (rc == -EBUSY && !b->name_given && attempt < 64 &&
		    name_alloc_next(&d->names, b->kind->name_prefix, name_taken, d, b->name) == 0)
			continue; /* somebody took our pick in the meantime */
		close(fd);
		if (rc == -EBUSY)
			return op_fail(e, EEXIST, "device '%s' already exists", b->name);
		return op_fail(e, rc, "cannot create tap '%s': %s", b->name, strerror(-rc));
	}
	/* Until TUNSETPERSIST, closing the queue fds is the whole undo: the device goes
	 * with them.  fds[] owns them from here; the caller closes them on failure. */
	fds[0] = fd;

	b->ifindex = nlc_ifindex(&d->nl, b->name);
	if (!b->ifindex)
		return op_fail(e, ENODEV, "tap '%s' vanished right after creation", b->name);
	if (b->owner >= 0 && ioctl(fd, TUNSETOWNER, (unsigned long)b->owner) < 0)
		return op_fail(e, errno, "cannot set owner %lld of tap '%s': %m", (long long)b->owner, b->name);
	if (b->group_gid >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long)b->group_gid) < 0)
		return op_fail(e, errno, "cannot set group %lld of tap '%s': %m", (long long)b->group_gid, b->name);

	/* As libvirt does: the tap's own MAC is the guest's with 0xfe first, so the bridge
	 * never takes the guest's address for one of its own ports' (and drops its frames). */
	if (b->has_mac) {
		memcpy(host_mac, b->mac, ETH_ALEN);
		host_mac[0] = 0xfe;
	}
	rc = kind_prepare_link(d, b, b->lower_ifindex, b->has_mac ? host_mac : NULL, e);
	if (rc == -EXFULL) {
		op_error_clear(e);
		return op_fail(e, EXFULL, "bridge '%s' has no free port for tap '%s' (a Linux bridge "
			       "takes at most 1023 ports)", b->lower, b->name);
	}
	if (rc < 0)
		return rc;
	for (unsigned i = 1; i < b->queues; i++) {
		fds[i] = tap_attach(b->name, tap_flags(b), e);
		if (fds[i] < 0)
			return fds[i];
	}
	return 0;
}

/* Persistent while still down and pending (cheap, and a crash from here on leaves a
 * device in GROUP_PENDING, which the next start removes); then tagged and up. */
static int tap_commit(struct daemon *d, struct backend *b, const int *fds, struct op_error *e)
{
	struct op_error de = { 0 };

	if (ioctl(fds[0], TUNSETPERSIST, 1) < 0)
		return op_fail(e, errno, "cannot make tap '%s' persistent: %m", b->name);
	if (kind_activate_link(d, b, e) == 0)
		return 0;
	/* Persistent now: closing the fds no longer removes it. */
	if (link_del(&d->nl, b->ifindex, b->name, &de) < 0)
		log_err("rollback: %s", de.msg);
	return -e->code;
}

/* No RTM_GETLINK here: it would run the device's pending carrier work (bridge port
 * state, IPv6) inside this request.  netd made the device multi-queue exactly when it
 * has more than one queue, and the kernel itself refuses a second holder of a
 * single-queue tap. */
static int tap_open_queues(struct daemon *d, struct backend *b, int *fds, struct op_error *e)
{
	for (unsigned i = 0; i < b->queues; i++) {
		fds[i] = tap_attach(b->name, tap_flags(b), e);
		if (fds[i] == -EBUSY && b->queues == 1) {
			op_error_clear(e);
			return op_fail(e, EBUSY, "backend '%s' still has its one queue attached by its previous "
				       "holder, and a single-queue tap takes no second one", b->name);
		}
		if (fds[i] < 0)
			return fds[i];
	}
	return 0;
}

/* Only a multi-queue tap can take a second holder, so only it needs counting. */
static int tap_attached_queues(struct daemon *d, struct backend *b)
{
	struct link_info li;
	int rc;

	if (b->queues == 1)
		return 0;
	rc = link_get(&d->nl, b->ifindex, NULL, &li, NULL);
	return rc < 0 ? rc : (int)li.tun_queues;
}

static void tap_show(struct daemon *d, const struct backend *b, const struct link_info *li,
		     json_object *o)
{
	if (!li)
		return;
	json_object_object_add(o, "attached_queues", json_object_new_int((int)li->tun_queues));
	json_object_object_add(o, "multi_queue", json_object_new_boolean(li->tun_multi_queue));
	json_object_object_add(o, "persist", json_object_new_boolean(li->tun_persist));
	if (li->tun_owner >= 0)
		json_object_object_add(o, "owner", json_object_new_int64(li->tun_owner));
	if (li->tun_group >= 0)
		json_object_object_add(o, "group_id", json_object_new_int64(li->tun_group));
}

static int tap_adopt(struct daemon *d, struct backend *b, const struct link_info *li, const struct tag *t)
{
	if (li->master)
		nlc_ifname(&d->nl, li->master, b->lower);
	b->lower_ifindex = li->master;
	b->owner = li->tun_owner;
	b->group_gid = li->tun_group;
	return 0;
}

static const char *const tap_args[] = { "bridge", "owner", "group", NULL };

const struct backend_kind kind_tap = {
	.arg_names = tap_args,
	.name = "tap",
	.name_prefix = "ndt",
	.fd_role = "queue",
	.parse = tap_parse,
	.create = tap_create,
	.commit = tap_commit,
	.open_queues = tap_open_queues,
	.attached_queues = tap_attached_queues,
	.show = tap_show,
	.adopt = tap_adopt,
};
