/* SPDX-License-Identifier: MIT */
/* The VF message encoder and decoder (fed bytes built here the way the kernel lays
 * them out, 128 VFs in one message), VF arguments, and the sysfs side against a
 * fake /sys/class/net. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <cmocka.h>

#include "daemon/sriov.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

/* --- a synthesised RTM_NEWLINK, laid out as rtnl_fill_vfinfo() does ----------------- */

static void vf_expected(unsigned i, struct vf_config *c)
{
	memset(c, 0, sizeof(*c));
	c->vf = i;
	c->mac[0] = 0x52;
	c->mac[1] = 0x54;
	c->mac[4] = (uint8_t)(i >> 8);
	c->mac[5] = (uint8_t)i;
	c->vlan = i % 4096;
	c->qos = i % 8;
	c->vlan_proto = i % 2 ? ETH_P_8021AD : ETH_P_8021Q;
	c->min_tx_rate = i;
	c->max_tx_rate = i * 10;
	c->spoofchk = i % 3 == 2 ? -1 : (int)(i % 3);
	c->trust = i % 2;
	c->query_rss = i % 5 == 0 ? -1 : 1;
	c->link_state = i % 3;
	c->has_stats = true;
	c->stats.rx_packets = 1000000000000ULL + i;
	c->stats.tx_bytes = 7ULL * i;
	c->stats.tx_dropped = i;
}

static uint32_t setting(int v)
{
	return v < 0 ? UINT32_MAX : (uint32_t)v;
}

static void put_vf(struct nlmsghdr *nlh, const struct vf_config *c)
{
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO), *n;
	struct ifla_vf_mac mac = { .vf = c->vf };
	struct ifla_vf_broadcast brd;
	struct ifla_vf_vlan vlan = { .vf = c->vf, .vlan = c->vlan, .qos = c->qos };
	struct ifla_vf_rate rate = { .vf = c->vf, .min_tx_rate = c->min_tx_rate, .max_tx_rate = c->max_tx_rate };
	struct ifla_vf_tx_rate txr = { .vf = c->vf, .rate = c->max_tx_rate };
	struct ifla_vf_spoofchk sc = { .vf = c->vf, .setting = setting(c->spoofchk) };
	struct ifla_vf_link_state ls = { .vf = c->vf, .link_state = c->link_state };
	struct ifla_vf_rss_query_en rss = { .vf = c->vf, .setting = setting(c->query_rss) };
	struct ifla_vf_trust tr = { .vf = c->vf, .setting = setting(c->trust) };
	struct ifla_vf_vlan_info vi = { .vf = c->vf, .vlan = c->vlan, .qos = c->qos, .vlan_proto = htons(c->vlan_proto) };

	memcpy(mac.mac, c->mac, ETH_ALEN);
	memset(brd.broadcast, 0xff, sizeof(brd.broadcast));
	mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(mac), &mac);
	mnl_attr_put(nlh, IFLA_VF_BROADCAST, sizeof(brd), &brd);
	mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(vlan), &vlan);
	mnl_attr_put(nlh, IFLA_VF_RATE, sizeof(rate), &rate);
	mnl_attr_put(nlh, IFLA_VF_TX_RATE, sizeof(txr), &txr);
	mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof(sc), &sc);
	mnl_attr_put(nlh, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
	mnl_attr_put(nlh, IFLA_VF_RSS_QUERY_EN, sizeof(rss), &rss);
	mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(tr), &tr);
	n = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
	mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, IFLA_VF_STATS);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_RX_PACKETS, c->stats.rx_packets);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_TX_PACKETS, c->stats.tx_packets);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_RX_BYTES, c->stats.rx_bytes);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_TX_BYTES, c->stats.tx_bytes);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_BROADCAST, c->stats.broadcast);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_MULTICAST, c->stats.multicast);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_RX_DROPPED, c->stats.rx_dropped);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_TX_DROPPED, c->stats.tx_dropped);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, info);
}

/* An RTM_NEWLINK of PF "pf0" with n VFs; malloc'd, as large as it needs to be. */
static struct nlmsghdr *build_pf(unsigned n)
{
	struct nlmsghdr *nlh = calloc(1, 1024 + (size_t)n * 512);
	struct ifinfomsg *ifi;
	struct nlattr *list;
	struct vf_config c;

	nlh = mnl_nlmsg_put_header(nlh);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 7;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "pf0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u32(nlh, IFLA_NUM_VF, n);
	list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
	for (unsigned i = 0; i < n; i++) {
		vf_expected(i, &c);
		put_vf(nlh, &c);
	}
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

static void assert_vf_equal(const struct vf_config *a, const struct vf_config *b)
{
	assert_int_equal(a->vf, b->vf);
	assert_memory_equal(a->mac, b->mac, ETH_ALEN);
	assert_int_equal(a->vlan, b->vlan);
	assert_int_equal(a->qos, b->qos);
	assert_int_equal(a->vlan_proto, b->vlan_proto);
	assert_int_equal(a->min_tx_rate, b->min_tx_rate);
	assert_int_equal(a->max_tx_rate, b->max_tx_rate);
	assert_int_equal(a->spoofchk, b->spoofchk);
	assert_int_equal(a->trust, b->trust);
	assert_int_equal(a->query_rss, b->query_rss);
	assert_int_equal(a->link_state, b->link_state);
	assert_int_equal(a->has_stats, b->has_stats);
	assert_memory_equal(&a->stats, &b->stats, sizeof(a->stats));
}

static void test_decode_128_vfs(void **state)
{
	struct nlmsghdr *nlh = build_pf(128);
	struct pf_info pf;
	struct vf_config want;

	/* Larger than a 32 KiB receive buffer: what truncates in tools with fixed ones. */
	assert_true(nlh->nlmsg_len > 32768);
	assert_int_equal(sriov_parse_link(nlh, &pf), 0);
	assert_int_equal(pf.ifindex, 7);
	assert_string_equal(pf.name, "pf0");
	assert_int_equal(pf.num_vf, 128);
	assert_int_equal(pf.n_vfs, 128);
	for (unsigned i = 0; i < 128; i++) {
		vf_expected(i, &want);
		assert_non_null(pf_vf(&pf, i));
		assert_vf_equal(pf_vf(&pf, i), &want);
	}
	assert_null(pf_vf(&pf, 128));
	pf_info_free(&pf);
	free(nlh);
}

/* 256 VFs with stats outgrow the list attribute's 16-bit length; the kernel (6.1)
 * wraps it.  The decoder must see fewer VFs than IFLA_NUM_VF, and not read the rest
 * of the message as attributes. */
static void test_decode_wrapped_list(void **state)
{
	struct nlmsghdr *nlh = build_pf(256);
	struct nlattr *a, *list = NULL;
	struct pf_info pf;
	const struct vf_config *c;
	struct op_error e = { 0 };

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_VFINFO_LIST)
			list = a;
	assert_non_null(list);
	assert_true(nlh->nlmsg_len - ((char *)list - (char *)nlh) > 65535);
	list->nla_len = (uint16_t)(nlh->nlmsg_len - ((char *)list - (char *)nlh));  /* as nla_nest_end() does */
	assert_int_equal(sriov_parse_link(nlh, &pf), 0);
	assert_string_equal(pf.name, "pf0");
	assert_int_equal(pf.num_vf, 256);
	assert_true(pf.n_vfs < 256);
	assert_int_equal(pf_num_vfs(&pf), 256);
	assert_int_equal(pf_vf_need(&pf, 255, "pf0", &c, &e), -E2BIG);
	assert_non_null(strstr(e.msg, "'pf0' has VF 255, but the kernel listed only"));
	memset(&e, 0, sizeof(e));
	assert_int_equal(pf_vf_need(&pf, 256, "pf0", &c, &e), -ENODEV);
	assert_string_equal(e.msg, "'pf0' has no VF 256 (it has 256 VFs)");
	assert_int_equal(pf_vf_need(&pf, 0, "pf0", &c, &e), 0);
	assert_int_equal(c->vf, 0);
	pf_info_free(&pf);
	free(nlh);
}

static void test_decode_no_vfs(void **state)
{
	struct nlmsghdr *nlh = build_pf(0);
	struct pf_info pf;

	assert_int_equal(sriov_parse_link(nlh, &pf), 0);
	assert_int_equal(pf.num_vf, 0);
	assert_int_equal(pf.n_vfs, 0);
	assert_null(pf.vfs);
	free(nlh);
}

/* Short attributes are skipped, an entry without a VF number is dropped, and a
 * driver that reports only IFLA_VF_VLAN gets 802.1Q. */
static void test_decode_hostile(void **state)
{
	char buf[4096];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *list, *info;
	struct ifla_vf_mac mac = { .vf = 3, .mac = { 0x02, 1, 2, 3, 4, 5 } };
	struct ifla_vf_vlan vlan = { .vf = 3, .vlan = 42, .qos = 1 };
	uint32_t shorty = 9;
	struct pf_info pf;

	nlh->nlmsg_type = RTM_NEWLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
	info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);          /* no VF number at all */
	mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(shorty), &shorty);
	mnl_attr_nest_end(nlh, info);
	info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
	mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(mac), &mac);
	mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(vlan), &vlan);
	mnl_attr_put(nlh, IFLA_VF_RATE, sizeof(shorty), &shorty); /* too short: ignored */
	mnl_attr_nest_end(nlh, info);
	mnl_attr_nest_end(nlh, list);

	assert_int_equal(sriov_parse_link(nlh, &pf), 0);
	assert_int_equal(pf.n_vfs, 1);
	assert_int_equal(pf.vfs[0].vf, 3);
	assert_int_equal(pf.vfs[0].vlan, 42);
	assert_int_equal(pf.vfs[0].qos, 1);
	assert_int_equal(pf.vfs[0].vlan_proto, ETH_P_8021Q);
	assert_int_equal(pf.vfs[0].max_tx_rate, 0);
	assert_int_equal(pf.vfs[0].spoofchk, -1);
	assert_false(pf.vfs[0].has_stats);
	assert_non_null(pf_vf(&pf, 3));
	pf_info_free(&pf);

	nlh->nlmsg_len = 8;    /* shorter than its own header */
	assert_int_equal(sriov_parse_link(nlh, &pf), -EBADMSG);
}

/* --- the encoder ---------------------------------------------------------------------- */

struct seen {
	unsigned n_info, n_other;
	bool mac, vlan_list, rate, spoofchk, link_state, rss, trust;
	struct vf_config got;
};

static void walk_request(const struct nlmsghdr *nlh, struct seen *s)
{
	const struct nlattr *a, *info, *v, *vi;

	memset(s, 0, sizeof(*s));
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) != IFLA_VFINFO_LIST) {
			s->n_other++;
			continue;
		}
		mnl_attr_for_each_nested(info, a) {
			assert_int_equal(mnl_attr_get_type(info), IFLA_VF_INFO);
			s->n_info++;
			mnl_attr_for_each_nested(v, info) {
				switch (mnl_attr_get_type(v)) {
				case IFLA_VF_MAC: {
					const struct ifla_vf_mac *m = mnl_attr_get_payload(v);
					assert_int_equal(mnl_attr_get_payload_len(v), sizeof(*m));
					s->mac = true;
					s->got.vf = m->vf;
					memcpy(s->got.mac, m->mac, ETH_ALEN);
					break;
				}
				case IFLA_VF_VLAN_LIST:
					mnl_attr_for_each_nested(vi, v) {
						const struct ifla_vf_vlan_info *m = mnl_attr_get_payload(vi);
						assert_int_equal(mnl_attr_get_type(vi), IFLA_VF_VLAN_INFO);
						assert_int_equal(mnl_attr_get_payload_len(vi), sizeof(*m));
						s->vlan_list = true;
						s->got.vf = m->vf;
						s->got.vlan = m->vlan;
						s->got.qos = m->qos;
						s->got.vlan_proto = ntohs(m->vlan_proto);
					}
					break;
				case IFLA_VF_RATE: {
					const struct ifla_vf_rate *m = mnl_attr_get_payload(v);
					s->rate = true;
					s->got.min_tx_rate = m->min_tx_rate;
					s->got.max_tx_rate = m->max_tx_rate;
					break;
				}
				case IFLA_VF_SPOOFCHK:
					s->spoofchk = true;
					s->got.spoofchk = (int)((const struct ifla_vf_spoofchk *)mnl_attr_get_payload(v))->setting;
					break;
				case IFLA_VF_LINK_STATE:
					s->link_state = true;
					s->got.link_state = ((const struct ifla_vf_link_state *)mnl_attr_get_payload(v))->link_state;
					break;
				case IFLA_VF_RSS_QUERY_EN:
					s->rss = true;
					s->got.query_rss = (int)((const struct ifla_vf_rss_query_en *)mnl_attr_get_payload(v))->setting;
					break;
				case IFLA_VF_TRUST:
					s->trust = true;
					s->got.trust = (int)((const struct ifla_vf_trust *)mnl_attr_get_payload(v))->setting;
					break;
				default:
					fail_msg("unexpected VF attribute %u", mnl_attr_get_type(v));
				}
			}
		}
	}
}

static struct nlmsghdr *setlink(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = RTM_SETLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	return nlh;
}

static void test_encode_all(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh = setlink(buf);
	struct vf_change c = {
		.vf = 5, .set_mac = true, .mac = { 0x52, 0x54, 0, 0, 0, 3 },
		.set_vlan = true, .vlan = 10, .qos = 1, .vlan_proto = ETH_P_8021AD,
		.set_min_rate = true, .set_max_rate = true, .min_tx_rate = 100, .max_tx_rate = 1000,
		.set_spoofchk = true, .spoofchk = true, .set_trust = true, .trust = false,
		.set_link_state = true, .link_state = IFLA_VF_LINK_STATE_DISABLE,
		.set_query_rss = true, .query_rss = true,
	};
	struct seen s;

	assert_int_equal(sriov_put_vf_change(nlh, sizeof(buf), &c), 0);
	walk_request(nlh, &s);
	assert_int_equal(s.n_info, 1);
	assert_int_equal(s.n_other, 0);
	assert_true(s.mac && s.vlan_list && s.rate && s.spoofchk && s.link_state && s.rss && s.trust);
	assert_int_equal(s.got.vf, 5);
	assert_memory_equal(s.got.mac, c.mac, ETH_ALEN);
	assert_int_equal(s.got.vlan, 10);
	assert_int_equal(s.got.qos, 1);
	assert_int_equal(s.got.vlan_proto, ETH_P_8021AD);
	assert_int_equal(s.got.min_tx_rate, 100);
	assert_int_equal(s.got.max_tx_rate, 1000);
	assert_int_equal(s.got.spoofchk, 1);
	assert_int_equal(s.got.trust, 0);
	assert_int_equal(s.got.query_rss, 1);
	assert_int_equal(s.got.link_state, IFLA_VF_LINK_STATE_DISABLE);
}

/* Only what is set goes out; a VLAN without a protocol goes out as 802.1Q. */
static void test_encode_partial(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh = setlink(buf);
	struct vf_change c = { .vf = 1, .set_vlan = true, .vlan = 100, .set_trust = true, .trust = true };
	struct seen s;

	assert_int_equal(sriov_put_vf_change(nlh, sizeof(buf), &c), 0);
	walk_request(nlh, &s);
	assert_true(s.vlan_list && s.trust);
	assert_false(s.mac || s.rate || s.spoofchk || s.link_state || s.rss);
	assert_int_equal(s.got.vlan_proto, ETH_P_8021Q);
	assert_int_equal(s.got.trust, 1);
}

/* A buffer too small leaves the request exactly as it was. */
static void test_encode_too_small(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh = setlink(buf);
	uint32_t len = nlh->nlmsg_len;
	struct vf_change c = { .vf = 1, .set_mac = true, .set_vlan = true, .set_spoofchk = true,
			       .set_trust = true, .set_link_state = true, .set_query_rss = true };

	for (size_t room = len; room < len + 64; room += 4) {
		assert_int_equal(sriov_put_vf_change(nlh, room, &c), -EMSGSIZE);
		assert_int_equal(nlh->nlmsg_len, len);
	}
}

/* --- diff (what a restore sends) ------------------------------------------------------- */

static void test_diff(void **state)
{
	struct vf_config a, b;
	struct vf_change c;

	vf_expected(3, &a);
	b = a;
	assert_false(vf_change_diff(&a, &b, &c));
	/* A protocol without a VLAN is no VLAN: netdevsim reports 0, a restore sends 802.1Q. */
	a.vlan = a.qos = b.vlan = b.qos = 0;
	a.vlan_proto = 0;
	b.vlan_proto = ETH_P_8021Q;
	assert_false(vf_change_diff(&a, &b, &c));
	b.vlan = 7;
	b.mac[5] ^= 1;
	b.trust = !a.trust;
	b.max_tx_rate = a.max_tx_rate + 1;
	assert_true(vf_change_diff(&a, &b, &c));
	assert_true(c.set_mac && c.set_vlan && c.set_trust && c.set_min_rate && c.set_max_rate);
	assert_false(c.set_spoofchk || c.set_link_state || c.set_query_rss);
	assert_int_equal(c.vf, 3);
	assert_int_equal(c.vlan, 7);
	assert_int_equal(c.vlan_proto, ETH_P_8021Q);
	assert_int_equal(c.min_tx_rate, b.min_tx_rate);
	assert_int_equal(c.max_tx_rate, b.max_tx_rate);
	/* A setting the driver did not report is never "restored". */
	b = a;
	b.spoofchk = -1;
	a.spoofchk = 1;
	assert_false(vf_change_diff(&a, &b, &c));
}

/* --- arguments -------------------------------------------------------------------------- */

static int from_json(const char *text, struct vf_change *c, struct op_error *e)
{
	json_object *o = json_tokener_parse(text);
	int rc;

	assert_non_null(o);
	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	rc = vf_change_from_args(o, c, e);
	json_object_put(o);
	return rc;
}

static void args_fail(const char *text, int err, const char *words)
{
	struct vf_change c;
	struct op_error e;

	assert_int_equal(from_json(text, &c, &e), -err);
	if (!strstr(e.msg, words))
		fail_msg("%s: expected '%s' in '%s'", text, words, e.msg);
}

static void test_args(void **state)
{
	struct vf_change c;
	struct op_error e;

	assert_int_equal(from_json("{\"mac\":\"52:54:00:00:00:03\",\"vlan\":10,\"qos\":1,\"vlan_proto\":\"802.1ad\","
				   "\"spoofchk\":true,\"trust\":false,\"link_state\":\"enable\",\"max_tx_rate\":1000,"
				   "\"query_rss\":true}", &c, &e), 0);
	assert_true(c.set_mac && c.set_vlan && c.set_spoofchk && c.set_trust && c.set_link_state &&
		    c.set_max_rate && c.set_query_rss);
	assert_false(c.set_min_rate);
	assert_int_equal(c.vlan_proto, ETH_P_8021AD);
	assert_int_equal(c.link_state, IFLA_VF_LINK_STATE_ENABLE);

	args_fail("{\"mac\":\"01:00:5e:00:00:01\"}", EINVAL, "multicast");
	args_fail("{\"mac\":\"52:54:00:00:00\"}", EINVAL, "not a MAC address");
	args_fail("{\"vlan\":4096}", ERANGE, "vlan 4096 is out of range (0 to 4095)");
	args_fail("{\"vlan\":1,\"qos\":8}", ERANGE, "qos 8 is out of range");
	args_fail("{\"qos\":3}", EINVAL, "qos needs a vlan");
	args_fail("{\"vlan\":3,\"vlan_proto\":\"802.1x\"}", EINVAL, "802.1Q or 802.1ad");
	args_fail("{\"link_state\":\"up\"}", EINVAL, "auto, enable or disable");
	args_fail("{\"trust\":\"yes\"}", EINVAL, "\"trust\" must be true or false");
}

static void test_check_rates(void **state)
{
	struct vf_config cur;
	struct vf_change c = { .vf = 2, .set_min_rate = true, .min_tx_rate = 500 };
	struct op_error e = { 0 };

	vf_expected(2, &cur);
	cur.min_tx_rate = 0;
	cur.max_tx_rate = 100;
	/* The other half comes from the VF as it is, and is checked with it. */
	assert_int_equal(vf_change_check(&c, &cur, "pf0", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "min_tx_rate 500 is above max_tx_rate 100 (its current value) for VF 2 of 'pf0'"));

	memset(&e, 0, sizeof(e));
	c = (struct vf_change){ .vf = 2, .set_min_rate = true, .min_tx_rate = 50 };
	assert_int_equal(vf_change_check(&c, &cur, "pf0", &e), 0);
	assert_int_equal(c.max_tx_rate, 100);
	/* max 0 is no limit: any min goes. */
	c = (struct vf_change){ .vf = 2, .set_min_rate = true, .set_max_rate = true, .min_tx_rate = 50 };
	assert_int_equal(vf_change_check(&c, &cur, "pf0", &e), 0);
	c = (struct vf_change){ .vf = 2, .set_min_rate = true, .set_max_rate = true, .min_tx_rate = 50, .max_tx_rate = 10 };
	assert_int_equal(vf_change_check(&c, &cur, "pf0", &e), -EINVAL);
}

static void test_json(void **state)
{
	struct vf_config c;
	json_object *o, *v, *s;

	vf_expected(1, &c);
	o = vf_config_to_json(&c, true);
	assert_true(json_object_object_get_ex(o, "mac", &v));
	assert_string_equal(json_object_get_string(v), "52:54:00:00:00:01");
	assert_true(json_object_object_get_ex(o, "vlan_protocol", &v));
	assert_string_equal(json_object_get_string(v), "802.1ad");
	assert_true(json_object_object_get_ex(o, "link_state", &v));
	assert_string_equal(json_object_get_string(v), "enable");
	assert_true(json_object_object_get_ex(o, "trust", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "stats", &s));
	json_object_put(o);
	/* spoofchk the driver does not report is left out, not shown as off. */
	vf_expected(2, &c);
	o = vf_config_to_json(&c, false);
	assert_false(json_object_object_get_ex(o, "spoofchk", NULL));
	assert_false(json_object_object_get_ex(o, "stats", NULL));
	json_object_put(o);
}

/* --- sysfs, against a fake tree --------------------------------------------------------- */

static char root[64];

static void put_file(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void read_file(const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)len, f));
	fclose(f);
}

static int fake_sysfs(void **state)
{
	char cmd[1024];

	snprintf(root, sizeof(root), "/tmp/netd-test-sriov.XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %1$s/pf0/device/virtfn0/net/pf0v0 %1$s/pf0/device/virtfn1 %1$s/drivers/ixgbe "
		 "%1$s/lo && "
		 "ln -s %1$s/bus/0000:03:10.2 %1$s/pf0/device/virtfn2 && "
		 "ln -s %1$s/drivers/ixgbe %1$s/pf0/device/driver", root);
	assert_int_equal(system(cmd), 0);
	put_file("pf0/device/sriov_totalvfs", "4\n");
	put_file("pf0/device/sriov_numvfs", "2\n");
	sriov_sysfs_root = root;
	return 0;
}

static int fake_sysfs_gone(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	sriov_sysfs_root = "/sys/class/net";
	return 0;
}

static void test_sysfs_numvfs(void **state)
{
	struct op_error e = { 0 };
	unsigned n;
	char buf[32];
	bool reset;

	assert_true(sriov_capable("pf0"));
	assert_false(sriov_capable("lo"));
	assert_false(sriov_capable("../pf0"));
	assert_int_equal(sriov_read_count("pf0", "sriov_numvfs", &n), 0);
	assert_int_equal(n, 2);

	/* Bounded by sriov_totalvfs, nothing written. */
	assert_int_equal(sriov_set_numvfs("pf0", 5, &reset, &e), -ERANGE);
	assert_string_equal(e.msg, "'pf0' supports at most 4 VFs (sriov_totalvfs), not 5");
	assert_false(reset);
	read_file("pf0/device/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "2\n");

	/* 2 -> 3 goes through 0: the old VFs are gone. */
	memset(&e, 0, sizeof(e));
	assert_int_equal(sriov_set_numvfs("pf0", 3, &reset, &e), 0);
	assert_true(reset);
	read_file("pf0/device/sriov_numvfs", buf, sizeof(buf));
	assert_string_equal(buf, "3\n");   /* "0", then "3", over "2\n" */
	/* The same count is no change. */
	put_file("pf0/device/sriov_numvfs", "3\n");
	assert_int_equal(sriov_set_numvfs("pf0", 3, &reset, &e), 0);
	assert_false(reset);

	memset(&e, 0, sizeof(e));
	assert_int_equal(sriov_set_numvfs("lo", 1, &reset, &e), -EOPNOTSUPP);
	assert_non_null(strstr(e.msg, "'lo' is not an SR-IOV physical function"));
}

static void test_sysfs_links(void **state)
{
	char buf[64];

	assert_int_equal(sriov_driver("pf0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ixgbe");
	assert_int_equal(sriov_vf_pci("pf0", 2, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0000:03:10.2");
	assert_int_equal(sriov_vf_pci("pf0", 3, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sriov_vf_netdev("pf0", 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pf0v0");
	/* A VF without a driver bound on the host has no netdev (netdevsim's are all so). */
	assert_int_equal(sriov_vf_netdev("pf0", 1, buf, sizeof(buf)), -ENODEV);
	assert_int_equal(sriov_vf_netdev("pf0", 9, buf, sizeof(buf)), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_128_vfs),
		cmocka_unit_test(test_decode_wrapped_list),
		cmocka_unit_test(test_decode_no_vfs),
		cmocka_unit_test(test_decode_hostile),
		cmocka_unit_test(test_encode_all),
		cmocka_unit_test(test_encode_partial),
		cmocka_unit_test(test_encode_too_small),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_check_rates),
		cmocka_unit_test(test_json),
		cmocka_unit_test_setup_teardown(test_sysfs_numvfs, fake_sysfs, fake_sysfs_gone),
		cmocka_unit_test_setup_teardown(test_sysfs_links, fake_sysfs, fake_sysfs_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
