/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "daemon/args.h"
#include "daemon/log.h"
#include "daemon/names.h"
#include "daemon/sriov.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

const char *sriov_sysfs_root = "/sys/class/net";

void pf_info_free(struct pf_info *pf)
{
	free(pf->vfs);
	pf->vfs = NULL;
	pf->n_vfs = 0;
}

const struct vf_config *pf_vf(const struct pf_info *pf, unsigned vf)
{
	if (vf < pf->n_vfs && pf->vfs[vf].vf == vf)
		return &pf->vfs[vf];
	for (unsigned i = 0; i < pf->n_vfs; i++)
		if (pf->vfs[i].vf == vf)
			return &pf->vfs[i];
	return NULL;
}

unsigned pf_num_vfs(const struct pf_info *pf)
{
	return pf->num_vf > pf->n_vfs ? pf->num_vf : pf->n_vfs;
}

int pf_vf_need(const struct pf_info *pf, unsigned vf, const char *dev, const struct vf_config **ret,
	       struct op_error *e)
{
	*ret = pf_vf(pf, vf);
	if (*ret)
		return 0;
	if (vf < pf->num_vf)
		return op_fail(e, E2BIG, "'%s' has VF %u, but the kernel listed only %u of its %u VFs "
			       "(IFLA_VFINFO_LIST is one attribute of at most 64 KiB)", dev, vf, pf->n_vfs,
			       pf->num_vf);
	return op_fail(e, ENODEV, "'%s' has no VF %u (it has %u VF%s)", dev, vf, pf_num_vfs(pf),
		       pf_num_vfs(pf) == 1 ? "" : "s");
}

bool vf_change_empty(const struct vf_change *c)
{
	return !(c->set_mac || c->set_vlan || c->set_min_rate || c->set_max_rate || c->set_spoofchk ||
		 c->set_trust || c->set_link_state || c->set_query_rss);
}

/* --- decoding ------------------------------------------------------------------ */

/* Every ifla_vf_* struct starts with the VF number; each is length-checked first. */
#define VF_ATTR(a, type) \
	(mnl_attr_get_payload_len(a) >= sizeof(type) ? (const type *)mnl_attr_get_payload(a) : NULL)

/* spoofchk, trust and query_rss are -1 (as u32) when the driver does not report them. */
static int vf_setting(uint32_t v)
{
	return v == UINT32_MAX ? -1 : v != 0;
}

static void parse_vf_stats(const struct nlattr *nest, struct vf_config *c)
{
	const struct nlattr *a;

	c->has_stats = true;
	mnl_attr_for_each_nested(a, nest) {
		uint64_t v;
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			continue;
		v = mnl_attr_get_u64(a);
		switch (mnl_attr_get_type(a)) {
		case IFLA_VF_STATS_RX_PACKETS: c->stats.rx_packets = v; break;
		case IFLA_VF_STATS_TX_PACKETS: c->stats.tx_packets = v; break;
		case IFLA_VF_STATS_RX_BYTES: c->stats.rx_bytes = v; break;
		case IFLA_VF_STATS_TX_BYTES: c->stats.tx_bytes = v; break;
		case IFLA_VF_STATS_BROADCAST: c->stats.broadcast = v; break;
		case IFLA_VF_STATS_MULTICAST: c->stats.multicast = v; break;
		case IFLA_VF_STATS_RX_DROPPED: c->stats.rx_dropped = v; break;
		case IFLA_VF_STATS_TX_DROPPED: c->stats.tx_dropped = v; break;
		}
	}
}

static void parse_vf_info(const struct nlattr *info, struct vf_config *c)
{
	const struct nlattr *a, *v;
	bool have_list = false, have_rate = false;

	memset(c, 0, sizeof(*c));
	c->spoofchk = c->trust = c->query_rss = -1;
	c->vf = UINT_MAX;
	mnl_attr_for_each_nested(a, info) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_VF_MAC: {
			const struct ifla_vf_mac *m = VF_ATTR(a, struct ifla_vf_mac);
			if (m) {
				c->vf = m->vf;
				memcpy(c->mac, m->mac, ETH_ALEN);
			}
			break;
		}
		case IFLA_VF_VLAN: {
			const struct ifla_vf_vlan *m = VF_ATTR(a, struct ifla_vf_vlan);
			if (m && !have_list) {
				c->vlan = m->vlan;
				c->qos = m->qos;
				c->vlan_proto = ETH_P_8021Q;
			}
			break;
		}
		case IFLA_VF_VLAN_LIST:
			/* The kernel takes one entry; so do we. */
			mnl_attr_for_each_nested(v, a) {
				const struct ifla_vf_vlan_info *m = VF_ATTR(v, struct ifla_vf_vlan_info);
				if (mnl_attr_get_type(v) != IFLA_VF_VLAN_INFO || !m)
					continue;
				c->vlan = m->vlan;
				c->qos = m->qos;
				c->vlan_proto = ntohs(m->vlan_proto);
				have_list = true;
				break;
			}
			break;
		case IFLA_VF_RATE: {
			const struct ifla_vf_rate *m = VF_ATTR(a, struct ifla_vf_rate);
			if (m) {
				c->min_tx_rate = m->min_tx_rate;
				c->max_tx_rate = m->max_tx_rate;
				have_rate = true;
			}
			break;
		}
		case IFLA_VF_TX_RATE: {
			const struct ifla_vf_tx_rate *m = VF_ATTR(a, struct ifla_vf_tx_rate);
			if (m && !have_rate)
				c->max_tx_rate = m->rate;
			break;
		}
		case IFLA_VF_SPOOFCHK: {
			const struct ifla_vf_spoofchk *m = VF_ATTR(a, struct ifla_vf_spoofchk);
			if (m)
				c->spoofchk = vf_setting(m->setting);
			break;
		}
		case IFLA_VF_TRUST: {
			const struct ifla_vf_trust *m = VF_ATTR(a, struct ifla_vf_trust);
			if (m)
				c->trust = vf_setting(m->setting);
			break;
		}
		case IFLA_VF_RSS_QUERY_EN: {
			const struct ifla_vf_rss_query_en *m = VF_ATTR(a, struct ifla_vf_rss_query_en);
			if (m)
				c->query_rss = vf_setting(m->setting);
			break;
		}
		case IFLA_VF_LINK_STATE: {
			const struct ifla_vf_link_state *m = VF_ATTR(a, struct ifla_vf_link_state);
			if (m)
				c->link_state = m->link_state;
			break;
		}
		case IFLA_VF_STATS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
				parse_vf_stats(a, c);
			break;
		}
	}
}

int sriov_parse_link(const struct nlmsghdr *nlh, struct pf_info *pf)
{
	const struct ifinfomsg *ifi;
	const struct nlattr *a, *v, *list = NULL;
	unsigned n = 0;

	memset(pf, 0, sizeof(*pf));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	pf->ifindex = ifi->ifi_index;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		/* Nothing after the list is needed, and when the kernel wrapped the list's
		 * 16-bit length, what follows it is the middle of a VF, not attributes. */
		if (list)
			break;
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				snprintf(pf->name, sizeof(pf->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_NUM_VF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				pf->num_vf = mnl_attr_get_u32(a);
			break;
		case IFLA_VFINFO_LIST:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
				list = a;
			break;
		}
	}
	if (!list)
		return 0;
	mnl_attr_for_each_nested(v, list)
		n += mnl_attr_get_type(v) == IFLA_VF_INFO;
	if (!n)
		return 0;
	pf->vfs = calloc(n, sizeof(*pf->vfs));
	if (!pf->vfs)
		return -ENOMEM;
	mnl_attr_for_each_nested(v, list) {
		if (mnl_attr_get_type(v) != IFLA_VF_INFO || mnl_attr_validate(v, MNL_TYPE_NESTED) < 0)
			continue;
		parse_vf_info(v, &pf->vfs[pf->n_vfs]);
		if (pf->vfs[pf->n_vfs].vf != UINT_MAX)
			pf->n_vfs++;   /* an entry without a VF number is no use to anyone */
	}
	return 0;
}

/* --- encoding ------------------------------------------------------------------ */

int sriov_put_vf_change(struct nlmsghdr *nlh, size_t buflen, const struct vf_change *c)
{
	struct nlattr *list, *info, *vl;

	list = mnl_attr_nest_start_check(nlh, buflen, IFLA_VFINFO_LIST);
	if (!list)
		return -EMSGSIZE;
	info = mnl_attr_nest_start_check(nlh, buflen, IFLA_VF_INFO);
	if (!info)
		goto full;
	if (c->set_mac) {
		struct ifla_vf_mac m = { .vf = c->vf };
		memcpy(m.mac, c->mac, ETH_ALEN);
		if (!mnl_attr_put_check(nlh, buflen, IFLA_VF_MAC, sizeof(m), &m))
			goto full;
	}
	if (c->set_vlan) {
		/* The list form carries the protocol; ip(8) uses it for plain 802.1Q too. */
		struct ifla_vf_vlan_info m = {
			.vf = c->vf, .vlan = c->vlan, .qos = c->qos,
			.vlan_proto = htons(c->vlan_proto ? c->vlan_proto : ETH_P_8021Q),
		};
		vl = mnl_attr_nest_start_check(nlh, buflen, IFLA_VF_VLAN_LIST);
		if (!vl || !mnl_attr_put_check(nlh, buflen, IFLA_VF_VLAN_INFO, sizeof(m), &m))
			goto full;
		mnl_attr_nest_end(nlh, vl);
	}
	if (c->set_min_rate || c->set_max_rate) {
		/* The kernel sets both at once: the caller filled in the other half. */
		struct ifla_vf_rate m = { .vf = c->vf, .min_tx_rate = c->min_tx_rate, .max_tx_rate = c->max_tx_rate };
		if (!mnl_attr_put_check(nlh, buflen, IFLA_VF_RATE, sizeof(m), &m))
			goto full;
	}
	if (c->set_spoofchk) {
		struct ifla_vf_spoofchk m = { .vf = c->vf, .setting = c->spoofchk };
		if (!mnl_attr_put_check(nlh, buflen, IFLA_VF_SPOOFCHK, sizeof(m), &m))
			goto full;
	}
	if (c->set_link_state) {
		struct ifla_vf_link_state m = { .vf = c->vf, .link_state = c->link_state };
		if (!mnl_attr_put_check(nlh, buflen, IFLA_VF_LINK_STATE, sizeof(m), &m))
			goto full;
	}
	if (c->set_query_rss) {
		struct ifla_vf_rss_query_en m = { .vf = c->vf, .setting = c->query_rss };
		if (!mnl_attr_put_check(nlh, buflen, IFLA_VF_RSS_QUERY_EN, sizeof(m), &m))
			goto full;
	}
	if (c->set_trust) {
		struct ifla_vf_trust m = { .vf = c->vf, .setting = c->trust };
		if (!mnl_attr_put_check(nlh, buflen, IFLA_VF_TRUST, sizeof(m), &m))
			goto full;
	}
	mnl_attr_nest_end(nlh, info);
	mnl_attr_nest_end(nlh, list);
	return 0;
full:
	mnl_attr_nest_cancel(nlh, list);
	return -EMSGSIZE;
}

static uint16_t proto_norm(uint16_t p)
{
	return p ? p : ETH_P_8021Q;
}

bool vf_change_diff(const struct vf_config *cur, const struct vf_config *want, struct vf_change *c)
{
	memset(c, 0, sizeof(*c));
	c->vf = want->vf;
	if (memcmp(cur->mac, want->mac, ETH_ALEN)) {
		c->set_mac = true;
		memcpy(c->mac, want->mac, ETH_ALEN);
	}
	if (cur->vlan != want->vlan || cur->qos != want->qos ||
	    ((want->vlan || want->qos) && proto_norm(cur->vlan_proto) != proto_norm(want->vlan_proto))) {
		c->set_vlan = true;
		c->vlan = want->vlan;
		c->qos = want->qos;
		c->vlan_proto = proto_norm(want->vlan_proto);
	}
	if (cur->min_tx_rate != want->min_tx_rate || cur->max_tx_rate != want->max_tx_rate) {
		c->set_min_rate = c->set_max_rate = true;
		c->min_tx_rate = want->min_tx_rate;
		c->max_tx_rate = want->max_tx_rate;
	}
	if (want->spoofchk >= 0 && cur->spoofchk != want->spoofchk) {
		c->set_spoofchk = true;
		c->spoofchk = want->spoofchk;
	}
	if (want->trust >= 0 && cur->trust != want->trust) {
		c->set_trust = true;
		c->trust = want->trust;
	}
	if (want->query_rss >= 0 && cur->query_rss != want->query_rss) {
		c->set_query_rss = true;
		c->query_rss = want->query_rss;
	}
	if (cur->link_state != want->link_state) {
		c->set_link_state = true;
		c->link_state = want->link_state;
	}
	return !vf_change_empty(c);
}

/* --- kernel -------------------------------------------------------------------- */

struct get_ctx {
	struct pf_info *pf;
	int rc;
	bool found;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *g = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	pf_info_free(g->pf);
	g->rc = sriov_parse_link(nlh, g->pf);
	g->found = true;
	return MNL_CB_OK;
}

static int get_once(struct nl *nl, int ifindex, const char *name, bool stats, struct pf_info *pf,
		    struct op_error *e)
{
	struct nlmsghdr *nlh = nlc_msg(nl, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct get_ctx g = { pf, 0, false };
	char extack[256], what[32];
	int rc;

	memset(pf, 0, sizeof(*pf));
	if (ifindex > 0)
		snprintf(what, sizeof(what), "with ifindex %d", ifindex);
	else
		snprintf(what, sizeof(what), "'%s'", name);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex > 0 ? ifindex : 0;
	if (ifindex <= 0)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* Just this PF, with its VFs: never a dump of every link. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_VF | (stats ? 0 : RTEXT_FILTER_SKIP_STATS));
	rc = nlc_talk(nl, nlh, get_cb, &g, extack, sizeof(extack));
	if (rc == -ENODEV || (rc == 0 && !g.found)) {
		pf_info_free(pf);
		return op_fail(e, ENODEV, "device %s does not exist", what);
	}
	if (rc == 0 && g.rc < 0)
		rc = g.rc;
	if (rc < 0) {
		pf_info_free(pf);
		op_fail(e, rc, "cannot read the VFs of device %s: %s", what, strerror(-rc));
		if (e && extack[0])
			snprintf(e->extack, sizeof(e->extack), "%s", extack);
	}
	return rc;
}

int sriov_get(struct nl *nl, int ifindex, const char *name, bool stats, struct pf_info *pf,
	      struct op_error *e)
{
	int rc = get_once(nl, ifindex, name, stats, pf, e);

	/* The kernel wraps the list's 16-bit length rather than fail: fewer VFs parse
	 * than IFLA_NUM_VF says.  Without stats each VF takes a third less room. */
	if (rc == 0 && stats && pf->n_vfs < pf->num_vf) {
		pf_info_free(pf);
		rc = get_once(nl, ifindex, name, false, pf, e);
		pf->stats_dropped = true;
	}
	return rc;
}

/* "mac, vlan and trust" for error messages. */
static void describe(const struct vf_change *c, char *buf, size_t len)
{
	const char *parts[8];
	size_t n = 0, off = 0;

	if (c->set_mac) parts[n++] = "mac";
	if (c->set_vlan) parts[n++] = "vlan";
	if (c->set_min_rate || c->set_max_rate) parts[n++] = "tx rate";
	if (c->set_spoofchk) parts[n++] = "spoofchk";
	if (c->set_link_state) parts[n++] = "link state";
	if (c->set_query_rss) parts[n++] = "query_rss";
	if (c->set_trust) parts[n++] = "trust";
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", parts[i]);
}

int sriov_set(struct nl *nl, int pf_ifindex, const char *pf_name, const struct vf_change *c,
	      struct op_error *e)
{
	struct nlmsghdr *nlh = nlc_msg(nl, RTM_SETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	char extack[256], what[96];
	int rc;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = pf_ifindex;
	if (sriov_put_vf_change(nlh, sizeof(nl->sbuf), c) < 0)
		return op_fail(e, EMSGSIZE, "VF request for '%s' does not fit a netlink message", pf_name);
	rc = nlc_talk(nl, nlh, NULL, NULL, extack, sizeof(extack));
	if (rc < 0) {
		describe(c, what, sizeof(what));
		op_fail(e, rc, "cannot set %s of VF %u on '%s': %s", what, c->vf, pf_name, strerror(-rc));
		if (e && extack[0] && !e->extack[0])
			snprintf(e->extack, sizeof(e->extack), "%s", extack);
	}
	return rc;
}

int sriov_restore(struct nl *nl, const char *pf_name, const struct vf_config *want, struct op_error *e)
{
	struct pf_info pf;
	const struct vf_config *cur;
	struct vf_change c;
	int rc = sriov_get(nl, 0, pf_name, false, &pf, e);

	if (rc < 0)
		return rc;
	rc = pf_vf_need(&pf, want->vf, pf_name, &cur, e);
	if (rc == 0 && vf_change_diff(cur, want, &c))
		rc = sriov_set(nl, pf.ifindex, pf_name, &c, e);
	pf_info_free(&pf);
	return rc;
}

/* --- sysfs ----------------------------------------------------------------------- */

static int dev_path(char *buf, size_t len, const char *dev, const char *rest)
{
	int n;

	if (!ifname_valid(dev))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%s/device%s%s", sriov_sysfs_root, dev, rest[0] ? "/" : "", rest);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int sriov_read_count(const char *dev, const char *file, unsigned *ret)
{
	char path[PATH_MAX], buf[32], *end;
	unsigned long v;
	ssize_t n;
	int fd, rc = dev_path(path, sizeof(path), dev, file);

	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc < 0)
		return rc;
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || errno || v > UINT_MAX)
		return -EBADMSG;
	*ret = (unsigned)v;
	return 0;
}

bool sriov_capable(const char *dev)
{
	unsigned total;

	return sriov_read_count(dev, "sriov_totalvfs", &total) == 0;
}

static int write_numvfs(const char *dev, unsigned n)
{
	char path[PATH_MAX], buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n), fd, rc = dev_path(path, sizeof(path), dev, "sriov_numvfs");

	if (rc < 0)
		return rc;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The driver's verdict comes back as write()'s errno. */
	rc = write(fd, buf, (size_t)len) == len ? 0 : errno ? -errno : -EIO;
	close(fd);
	return rc;
}

/* What a driver's errno from sriov_numvfs usually means. */
static const char *numvfs_hint(int err)
{
	switch (err) {
	case EBUSY: return " (the driver refuses while VFs are in use: assigned to a guest, or the PF is busy)";
	case ENOMEM: case ENOSPC: return " (the device lacks the resources for that many VFs)";
	case EINVAL: case ERANGE: return " (the driver rejects this count)";
	case EOPNOTSUPP: case ENOSYS: case ENOTTY: return " (the driver cannot change its VF count)";
	case EPERM: case EACCES: return " (no permission to write sriov_numvfs)";
	case ENOENT: case ENODEV: case EIO: return " (the device or its driver is gone)";
	default: return "";
	}
}

int sriov_set_numvfs(const char *dev, unsigned n, bool *ret_reset, struct op_error *e)
{
	unsigned total, cur;
	int rc = sriov_read_count(dev, "sriov_totalvfs", &total);

	*ret_reset = false;
	if (rc == -ENOENT)
		return op_fail(e, EOPNOTSUPP, "'%s' is not an SR-IOV physical function (it has no "
			       "device/sriov_totalvfs)", dev);
	if (rc < 0)
		return op_fail(e, rc, "cannot read sriov_totalvfs of '%s': %s", dev, strerror(-rc));
	if (n > total)
		return op_fail(e, ERANGE, "'%s' supports at most %u VF%s (sriov_totalvfs), not %u", dev,
			       total, total == 1 ? "" : "s", n);
	rc = sriov_read_count(dev, "sriov_numvfs", &cur);
	if (rc < 0)
		return op_fail(e, rc, "cannot read sriov_numvfs of '%s': %s", dev, strerror(-rc));
	if (cur == n)
		return 0;
	/* Drivers refuse to go from one non-zero count to another. */
	if (cur && n) {
		rc = write_numvfs(dev, 0);
		if (rc < 0)
			return op_fail(e, rc, "cannot set sriov_numvfs of '%s' to 0 (on the way from %u to %u): "
				       "%s%s", dev, cur, n, strerror(-rc), numvfs_hint(-rc));
		*ret_reset = true;
	}
	rc = write_numvfs(dev, n);
	if (rc == 0 && cur)
		*ret_reset = true;
	if (rc < 0) {
		int back = cur && n ? write_numvfs(dev, cur) : 0;
		op_fail(e, rc, "cannot set sriov_numvfs of '%s' to %u: %s%s%s", dev, n, strerror(-rc),
			numvfs_hint(-rc), back < 0 ? "; putting the old count back failed too, it has 0 VFs now" :
			cur && n ? "; the old count is back (VFs re-created with default settings)" : "");
		return rc;
	}
	return 0;
}

static int link_base(const char *dev, const char *rest, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	int rc = dev_path(path, sizeof(path), dev, rest);

	if (rc < 0)
		return rc;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	snprintf(buf, len, "%s", basename(target));
	return 0;
}

int sriov_driver(const char *dev, char *buf, size_t len)
{
	return link_base(dev, "driver", buf, len);
}

int sriov_device(const char *dev, char *buf, size_t len)
{
	return link_base(dev, "", buf, len);
}

int sriov_vf_pci(const char *dev, unsigned vf, char *buf, size_t len)
{
	char rest[32];

	snprintf(rest, sizeof(rest), "virtfn%u", vf);
	return link_base(dev, rest, buf, len);
}

int sriov_vf_netdev(const char *dev, unsigned vf, char *buf, size_t len)
{
	char rest[48], path[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int rc;

	snprintf(rest, sizeof(rest), "virtfn%u/net", vf);
	if ((rc = dev_path(path, sizeof(path), dev, rest)) < 0)
		return rc;
	dir = opendir(path);
	if (!dir)
		return -ENODEV;
	rc = -ENODEV;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && strlen(de->d_name) < IFNAMSIZ) {
			snprintf(buf, len, "%s", de->d_name);
			rc = 0;
			break;
		}
	closedir(dir);
	return rc;
}

/* --- words and JSON ---------------------------------------------------------------- */

static const char *const link_states[] = {
	[IFLA_VF_LINK_STATE_AUTO] = "auto",
	[IFLA_VF_LINK_STATE_ENABLE] = "enable",
	[IFLA_VF_LINK_STATE_DISABLE] = "disable",
};

const char *vf_link_state_name(unsigned s)
{
	return s < sizeof(link_states) / sizeof(link_states[0]) ? link_states[s] : "unknown";
}

int vf_link_state_parse(const char *s, unsigned *ret)
{
	for (unsigned i = 0; i < sizeof(link_states) / sizeof(link_states[0]); i++)
		if (!strcmp(s, link_states[i])) {
			*ret = i;
			return 0;
		}
	return -EINVAL;
}

const char *vf_proto_name(uint16_t proto)
{
	switch (proto_norm(proto)) {
	case ETH_P_8021Q: return "802.1Q";
	case ETH_P_8021AD: return "802.1ad";
	default: return "unknown";
	}
}

int vf_proto_parse(const char *s, uint16_t *ret)
{
	if (!strcasecmp(s, "802.1Q"))
		*ret = ETH_P_8021Q;
	else if (!strcasecmp(s, "802.1ad"))
		*ret = ETH_P_8021AD;
	else
		return -EINVAL;
	return 0;
}

void format_mac(const uint8_t *m, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void put_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

json_object *vf_config_to_json(const struct vf_config *c, bool stats)
{
	json_object *o = json_object_new_object();
	char mac[18];

	format_mac(c->mac, mac);
	json_object_object_add(o, "vf", json_object_new_int((int)c->vf));
	json_object_object_add(o, "mac", json_object_new_string(mac));
	json_object_object_add(o, "vlan", json_object_new_int((int)c->vlan));
	json_object_object_add(o, "qos", json_object_new_int((int)c->qos));
	json_object_object_add(o, "vlan_protocol", json_object_new_string(vf_proto_name(c->vlan_proto)));
	json_object_object_add(o, "min_tx_rate", json_object_new_int64(c->min_tx_rate));
	json_object_object_add(o, "max_tx_rate", json_object_new_int64(c->max_tx_rate));
	if (c->spoofchk >= 0)
		json_object_object_add(o, "spoofchk", json_object_new_boolean(c->spoofchk));
	json_object_object_add(o, "link_state", json_object_new_string(vf_link_state_name(c->link_state)));
	if (c->trust >= 0)
		json_object_object_add(o, "trust", json_object_new_boolean(c->trust));
	if (c->query_rss >= 0)
		json_object_object_add(o, "query_rss", json_object_new_boolean(c->query_rss));
	if (stats && c->has_stats) {
		json_object *s = json_object_new_object(), *rx = json_object_new_object(),
			    *tx = json_object_new_object();
		put_u64(rx, "bytes", c->stats.rx_bytes);
		put_u64(rx, "packets", c->stats.rx_packets);
		put_u64(rx, "multicast", c->stats.multicast);
		put_u64(rx, "broadcast", c->stats.broadcast);
		put_u64(rx, "dropped", c->stats.rx_dropped);
		put_u64(tx, "bytes", c->stats.tx_bytes);
		put_u64(tx, "packets", c->stats.tx_packets);
		put_u64(tx, "dropped", c->stats.tx_dropped);
		json_object_object_add(s, "rx", rx);
		json_object_object_add(s, "tx", tx);
		json_object_object_add(o, "stats", s);
	}
	return o;
}

static int onoff(json_object *args, const char *key, bool *set, bool *val, struct op_error *e)
{
	int rc = arg_bool(args, key, val, e);

	if (rc > 0)
		*set = true;
	return rc < 0 ? rc : 0;
}

int vf_change_from_args(json_object *args, struct vf_change *c, struct op_error *e)
{
	const char *s;
	uint64_t u;
	bool have_qos = false;
	int rc;

	if ((rc = arg_string(args, "mac", &s, e)) < 0)
		return rc;
	if (rc) {
		if (parse_mac(s, c->mac) < 0)
			return op_fail(e, EINVAL, "'%s' is not a MAC address (like 52:54:00:12:34:56)", s);
		if (c->mac[0] & 1)
			return op_fail(e, EINVAL, "MAC %s is a multicast address; a VF needs a unicast one", s);
		c->set_mac = true;
	}
	if ((rc = arg_uint(args, "vlan", 0, 4095, &u, e)) < 0)
		return rc;
	if (rc) {
		c->set_vlan = true;
		c->vlan = (unsigned)u;
		c->vlan_proto = ETH_P_8021Q;
	}
	if ((rc = arg_uint(args, "qos", 0, 7, &u, e)) < 0)
		return rc;
	if (rc) {
		c->qos = (unsigned)u;
		have_qos = true;
	}
	if ((rc = arg_string(args, "vlan_proto", &s, e)) < 0)
		return rc;
	if (rc && vf_proto_parse(s, &c->vlan_proto) < 0)
		return op_fail(e, EINVAL, "VLAN protocol must be 802.1Q or 802.1ad, not '%s'", s);
	if ((have_qos || rc) && !c->set_vlan)
		return op_fail(e, EINVAL, "%s needs a vlan (vlan 0 tags priority only)", have_qos ? "qos" : "proto");
	if ((rc = arg_uint(args, "min_tx_rate", 0, UINT32_MAX, &u, e)) < 0)
		return rc;
	if (rc) {
		c->set_min_rate = true;
		c->min_tx_rate = (unsigned)u;
	}
	if ((rc = arg_uint(args, "max_tx_rate", 0, UINT32_MAX, &u, e)) < 0)
		return rc;
	if (rc) {
		c->set_max_rate = true;
		c->max_tx_rate = (unsigned)u;
	}
	if ((rc = onoff(args, "spoofchk", &c->set_spoofchk, &c->spoofchk, e)) < 0 ||
	    (rc = onoff(args, "trust", &c->set_trust, &c->trust, e)) < 0 ||
	    (rc = onoff(args, "query_rss", &c->set_query_rss, &c->query_rss, e)) < 0)
		return rc;
	if ((rc = arg_string(args, "link_state", &s, e)) < 0)
		return rc;
	if (rc) {
		if (vf_link_state_parse(s, &c->link_state) < 0)
			return op_fail(e, EINVAL, "VF link state must be auto, enable or disable, not '%s'", s);
		c->set_link_state = true;
	}
	return 0;
}

int vf_change_check(struct vf_change *c, const struct vf_config *cur, const char *pf, struct op_error *e)
{
	bool min_now = !c->set_min_rate, max_now = !c->set_max_rate;

	if (c->set_min_rate && !c->set_max_rate)
		c->max_tx_rate = cur->max_tx_rate;
	if (c->set_max_rate && !c->set_min_rate)
		c->min_tx_rate = cur->min_tx_rate;
	/* max 0 means no limit, so any min goes with it. */
	if ((c->set_min_rate || c->set_max_rate) && c->max_tx_rate && c->min_tx_rate > c->max_tx_rate)
		return op_fail(e, EINVAL, "min_tx_rate %u%s is above max_tx_rate %u%s for VF %u of '%s'",
			       c->min_tx_rate, min_now ? " (its current value)" : "", c->max_tx_rate,
			       max_now ? " (its current value)" : "", c->vf, pf);
	if (c->set_vlan && !c->vlan_proto)
		c->vlan_proto = ETH_P_8021Q;
	return 0;
}
