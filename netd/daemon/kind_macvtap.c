/* SPDX-License-Identifier: MIT */
/* macvtap backends: a macvtap on a lower device, queue fds from its char device.
 *
 * The link is created in GROUP_PENDING and only moved into the guest's group (with
 * netd's tag) as the last step, so a restarted netd deletes what a crash left
 * half-made in one batch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>

#include "daemon/args.h"
#include "daemon/kind_common.h"
#include "daemon/kind_macvtap.h"

#define MAX_SOURCE_MACS 64

struct macvtap_priv {
	unsigned n_source;
	uint8_t source[MAX_SOURCE_MACS][ETH_ALEN];
};

static const struct { const char *name; uint32_t mode; } modes[] = {
	{ "private", MACVLAN_MODE_PRIVATE }, { "vepa", MACVLAN_MODE_VEPA },
	{ "bridge", MACVLAN_MODE_BRIDGE },   { "passthru", MACVLAN_MODE_PASSTHRU },
	{ "source", MACVLAN_MODE_SOURCE },
};

const char *macvlan_mode_name(uint32_t mode)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i].mode == mode)
			return modes[i].name;
	return "unknown";
}

int macvlan_mode_parse(const char *s, uint32_t *ret)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i].name, s)) {
			*ret = modes[i].mode;
			return 0;
		}
	return -EINVAL;
}

static int macvtap_parse(struct daemon *d, struct backend *b, json_object *args, struct op_error *e)
{
	struct macvtap_priv *p;
	const char *s;
	json_object *list;
	int rc;

	if ((rc = arg_need_string(args, "link", &s, e)) < 0)
		return rc;
	if (!ifname_valid(s))
		return op_fail(e, EINVAL, "lower device name '%s' is not a valid device name", s);
	/* An ioctl, not RTM_GETLINK (which would run the device's pending carrier work
	 * inside this request); the kernel judges the device itself at RTM_NEWLINK. */
	b->lower_ifindex = nlc_ifindex(&d->nl, s);
	if (!b->lower_ifindex)
		return op_fail(e, ENODEV, "lower device '%s' does not exist", s);
	if (backend_find_ifindex(d, b->lower_ifindex))
		return op_fail(e, EINVAL, "'%s' is a netd backend; a macvtap needs a real lower device", s);
	snprintf(b->lower, sizeof(b->lower), "%s", s);
	b->macvlan_mode = MACVLAN_MODE_BRIDGE;
	if ((rc = arg_string(args, "mode", &s, e)) < 0)
		return rc;
	if (rc && macvlan_mode_parse(s, &b->macvlan_mode) < 0)
		return op_fail(e, EINVAL, "macvtap mode must be bridge, vepa, private, passthru or source, not '%s'", s);
	if ((rc = arg_bool(args, "nopromisc", &b->nopromisc, e)) < 0)
		return rc;
	if (b->nopromisc && b->macvlan_mode != MACVLAN_MODE_PASSTHRU)
		return op_fail(e, EINVAL, "nopromisc applies to passthru mode only");

	p = calloc(1, sizeof(*p));
	if (!p)
		return op_fail(e, ENOMEM, "out of memory");
	b->priv = p;
	if (json_object_object_get_ex(args, "source_mac", &list)) {
		if (b->macvlan_mode != MACVLAN_MODE_SOURCE)
			return op_fail(e, EINVAL, "source-mac applies to source mode only");
		if (!json_object_is_type(list, json_type_array) || json_object_array_length(list) > MAX_SOURCE_MACS)
			return op_fail(e, EINVAL, "\"source_mac\" must be a list of at most %d MACs", MAX_SOURCE_MACS);
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			const char *m = json_object_get_string(json_object_array_get_idx(list, i));
			if (!m || parse_mac(m, p->source[p->n_source]) < 0)
				return op_fail(e, EINVAL, "source-mac '%s' is not a MAC address", m ? m : "");
			p->n_source++;
		}
	}
	return 0;
}

static void put_macvtap_info(struct nlmsghdr *nlh, const struct backend *b)
{
	/* Source MACs are the macvtap kind's own; a VF's passthru macvtap has none. */
	const struct macvtap_priv *p = b->kind == &kind_macvtap ? b->priv : NULL;
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO), *data;

	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvtap");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, b->macvlan_mode);
	if (b->nopromisc)
		mnl_attr_put_u16(nlh, IFLA_MACVLAN_FLAGS, MACVLAN_FLAG_NOPROMISC);
	if (p && p->n_source) {
		struct nlattr *list;
		mnl_attr_put_u32(nlh, IFLA_MACVLAN_MACADDR_MODE, MACVLAN_MACADDR_SET);
		list = mnl_attr_nest_start(nlh, IFLA_MACVLAN_MACADDR_DATA);
		for (unsigned i = 0; i < p->n_source; i++)
			mnl_attr_put(nlh, IFLA_MACVLAN_MACADDR, ETH_ALEN, p->source[i]);
		mnl_attr_nest_end(nlh, list);
	}
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
}

int macvtap_newlink(struct daemon *d, struct backend *b, struct txn *t, struct op_error *e)
{
	char extack[256];
	struct txn_step *s;
	int rc;

	for (int attempt = 0;; attempt++) {
		struct nlmsghdr *nlh = nlc_msg(&d->nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		struct link_change c = { .set_group = true, .group = GROUP_PENDING,
					 .mac = b->has_mac ? b->mac : NULL, .mtu = b->mtu };

		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, b->name);
		mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)b->lower_ifindex);
		link_put_change(nlh, ifi, &c);
		put_macvtap_info(nlh, b);
		rc = nlc_talk(&d->nl, nlh, NULL, NULL, extack, sizeof(extack));
		if (rc == -EEXIST && !b->name_given && attempt < 64 &&
		    name_alloc_next(&d->names, b->kind->name_prefix, name_taken, d, b->name) == 0)
			continue; /* somebody took our pick in the meantime */
		break;
	}
	if (rc < 0) {
		if (rc == -EEXIST)
			op_fail(e, EEXIST, "device '%s' already exists", b->name);
		else if (rc == -EBUSY || (rc == -EINVAL && !extack[0]))
			/* The kernel's EINVAL here means a passthru conflict on the lower device. */
			op_fail(e, rc, "cannot create %s macvtap '%s' on '%s': %s (a passthru macvtap "
				"needs the lower device alone, and no other can join one that has it)",
				macvlan_mode_name(b->macvlan_mode), b->name, b->lower, strerror(-rc));
		else
			op_fail(e, rc, "cannot create %s macvtap '%s' on '%s': %s",
				macvlan_mode_name(b->macvlan_mode), b->name, b->lower, strerror(-rc));
		snprintf(e->extack, sizeof(e->extack), "%s", extack);
		return rc;
	}
	b->ifindex = nlc_ifindex(&d->nl, b->name);
	if (!b->ifindex)
		return op_fail(e, ENODEV, "macvtap '%s' vanished right after creation", b->name);
	/* Still down: the host side of a macvtap needs no IPv6 (see kind_prepare_link). */
	kind_disable_ipv6(d, b->name);
	s = txn_add(t, kind_undo_dellink);
	s->ifindex = b->ifindex;
	snprintf(s->name, sizeof(s->name), "%s", b->name);
	return 0;
}

/* The char device's number, from sysfs: /dev/tapN may belong to another namespace's
 * macvtap with the same ifindex, so the number is the truth. */
static int tap_devnum(const char *name, int ifindex, dev_t *ret, struct op_error *e)
{
	char path[128], buf[32];
	unsigned maj, min;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%d/dev", name, ifindex);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return op_fail(e, errno, "cannot read %s: %m", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return op_fail(e, EIO, "cannot read %s", path);
	buf[n] = '\0';
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return op_fail(e, EIO, "%s holds '%s', not MAJOR:MINOR", path, buf);
	*ret = makedev(maj, min);
	return 0;
}

/* Open the char device numbered `dev`: /dev/tapN when it is that device, else a
 * private node made for the moment (devtmpfs may be late, or the name may be
 * another namespace's). */
static int open_devnum(struct daemon *d, int ifindex, dev_t dev, struct op_error *e)
{
	char path[512];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/dev/tap%d", ifindex);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == dev)
		return fd;
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/.tap-%d-%d", d->state_dir, (int)getpid(), ifindex);
	unlink(path);
	if (mknod(path, S_IFCHR | 0600, dev) < 0) {
		snprintf(path, sizeof(path), "/dev/.netd-tap-%d-%d", (int)getpid(), ifindex);
		unlink(path);
		if (mknod(path, S_IFCHR | 0600, dev) < 0)
			return op_fail(e, errno, "cannot make a device node for macvtap char device %u:%u: %m",
				       major(dev), minor(dev));
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	int err = errno;
	unlink(path);
	if (fd < 0)
		return op_fail(e, err, "cannot open macvtap char device %u:%u: %s", major(dev), minor(dev), strerror(err));
	return fd;
}

int macvtap_open_queues(struct daemon *d, const char *name, int ifindex, unsigned n,
			bool vnet_hdr, int *fds, struct op_error *e)
{
	struct ifreq ifr = { 0 };
	dev_t dev = 0;
	int rc = tap_devnum(name, ifindex, &dev, e);

	if (rc < 0)
		return rc;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0) | (n > 1 ? IFF_MULTI_QUEUE : 0);
	for (unsigned i = 0; i < n; i++) {
		fds[i] = open_devnum(d, ifindex, dev, e);
		if (fds[i] < 0)
			return fds[i];
		if (ioctl(fds[i], TUNSETIFF, &ifr) < 0)
			return op_fail(e, errno, "cannot set queue flags on macvtap '%s': %m", name);
	}
	return 0;
}

static int macvtap_create(struct daemon *d, struct backend *b, struct txn *t, int *fds, struct op_error *e)
{
	int rc = macvtap_newlink(d, b, t, e);

	if (rc < 0)
		return rc;
	return macvtap_open_queues(d, b->name, b->ifindex, b->queues, b->vnet_hdr, fds, e);
}

int macvtap_commit(struct daemon *d, struct backend *b, const int *fds, struct op_error *e)
{
	return kind_activate_link(d, b, e);
}

static int macvtap_reopen(struct daemon *d, struct backend *b, int *fds, struct op_error *e)
{
	return macvtap_open_queues(d, b->name, b->ifindex, b->queues, b->vnet_hdr, fds, e);
}

static void macvtap_show(struct daemon *d, const struct backend *b, const struct link_info *li,
			 json_object *o)
{
	char name[IF_NAMESIZE], dev[32];

	if (!li)
		return;
	if (!b->has_mac && li->has_mac)
		json_object_object_add(o, "mac", json_object_get(json_object_object_get(o, "host_mac")));
	if (li->lower && li->lower == b->lower_ifindex && b->lower[0])
		json_object_object_add(o, "link", json_object_new_string(b->lower));
	else if (li->lower && nlc_ifname(&d->nl, li->lower, name))
		json_object_object_add(o, "link", json_object_new_string(name));
	json_object_object_add(o, "mode", json_object_new_string(macvlan_mode_name(li->macvlan_mode)));
	snprintf(dev, sizeof(dev), "/dev/tap%d", li->ifindex);
	json_object_object_add(o, "tap_device", json_object_new_string(dev));
}

static int macvtap_adopt(struct daemon *d, struct backend *b, const struct link_info *li, const struct tag *t)
{
	b->lower_ifindex = li->lower;
	if (li->lower)
		nlc_ifname(&d->nl, li->lower, b->lower);
	b->macvlan_mode = li->macvlan_mode;
	return 0;
}

static const char *const macvtap_args[] = { "link", "mode", "source_mac", "nopromisc", NULL };

const struct backend_kind kind_macvtap = {
	.name = "macvtap",
	.name_prefix = "ndm",
	.fd_role = "queue",
	.arg_names = macvtap_args,
	.parse = macvtap_parse,
	.create = macvtap_create,
	.commit = macvtap_commit,
	.open_queues = macvtap_reopen,
	.show = macvtap_show,
	.adopt = macvtap_adopt,
};
