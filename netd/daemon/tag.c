/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/args.h"
#include "daemon/tag.h"

static const char *const vhost_names[] = { [VHOST_OFF] = "off", [VHOST_ON] = "on", [VHOST_AUTO] = "auto" };

const char *vhost_mode_name(enum vhost_mode m)
{
	return m <= VHOST_AUTO ? vhost_names[m] : "?";
}

int vhost_mode_parse(const char *s, enum vhost_mode *ret)
{
	for (int m = VHOST_OFF; m <= VHOST_AUTO; m++)
		if (!strcmp(s, vhost_names[m])) {
			*ret = m;
			return 0;
		}
	return -EINVAL;
}

int tag_format(const struct tag *t, char *buf, size_t len)
{
	int n = snprintf(buf, len, TAG_PREFIX "k=%s g=%s u=%u q=%u vh=%s vnet=%d st=%d",
			 t->kind, t->guest, t->uid, t->queues, vhost_mode_name(t->vhost),
			 t->vnet_hdr, t->stats);
	if (n >= 0 && (size_t)n < len && t->has_mac)
		n += snprintf(buf + n, len - n, " m=%02x:%02x:%02x:%02x:%02x:%02x", t->mac[0], t->mac[1],
			      t->mac[2], t->mac[3], t->mac[4], t->mac[5]);
	if (n >= 0 && (size_t)n < len && t->pid > 0)
		n += snprintf(buf + n, len - n, " p=%d:%llu", t->pid, (unsigned long long)t->pid_start);
	if (n >= 0 && (size_t)n < len && t->vf >= 0)
		n += snprintf(buf + n, len - n, " pf=%s vf=%d", t->pf, t->vf);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*ret = strtoul(s, &end, 10);
	return (*end || errno || *ret > max) ? -EINVAL : 0;
}

int tag_parse(const char *alias, struct tag *t)
{
	char buf[256], *save = NULL, *tok;
	bool have_guest = false, have_kind = false;
	unsigned long v;

	memset(t, 0, sizeof(*t));
	t->vf = -1;
	t->queues = 1;
	t->vnet_hdr = true;
	t->stats = true;
	if (strncmp(alias, TAG_PREFIX, strlen(TAG_PREFIX)))
		return -ENOENT;
	if (strlen(alias) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, alias + strlen(TAG_PREFIX));
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *val = strchr(tok, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "k")) {
			if (strlen(val) >= sizeof(t->kind) || !*val)
				return -EINVAL;
			strcpy(t->kind, val);
			have_kind = true;
		} else if (!strcmp(tok, "g")) {
			if (!guest_name_valid(val))
				return -EINVAL;
			strcpy(t->guest, val);
			have_guest = true;
		} else if (!strcmp(tok, "u")) {
			if (parse_uint(val, UINT32_MAX, &v) < 0)
				return -EINVAL;
			t->uid = (uint32_t)v;
		} else if (!strcmp(tok, "q")) {
			if (parse_uint(val, 256, &v) < 0 || v == 0)
				return -EINVAL;
			t->queues = (unsigned)v;
		} else if (!strcmp(tok, "vh")) {
			if (vhost_mode_parse(val, &t->vhost) < 0)
				return -EINVAL;
		} else if (!strcmp(tok, "vnet")) {
			if (parse_uint(val, 1, &v) < 0)
				return -EINVAL;
			t->vnet_hdr = v;
		} else if (!strcmp(tok, "st")) {
			if (parse_uint(val, 1, &v) < 0)
				return -EINVAL;
			t->stats = v;
		} else if (!strcmp(tok, "vf")) {
			if (parse_uint(val, 65535, &v) < 0)
				return -EINVAL;
			t->vf = (int)v;
		} else if (!strcmp(tok, "p")) {
			char *colon = strchr(val, ':');
			unsigned long long start;
			if (!colon)
				return -EINVAL;
			*colon = '\0';
			if (parse_uint(val, INT32_MAX, &v) < 0 || v == 0)
				return -EINVAL;
			t->pid = (int32_t)v;
			errno = 0;
			start = strtoull(colon + 1, &colon, 10);
			if (*colon || errno)
				return -EINVAL;
			t->pid_start = start;
		} else if (!strcmp(tok, "m")) {
			if (parse_mac(val, t->mac) < 0)
				return -EINVAL;
			t->has_mac = true;
		} else if (!strcmp(tok, "pf")) {
			if (strlen(val) >= sizeof(t->pf) || !*val)
				return -EINVAL;
			strcpy(t->pf, val);
		}
		/* Unknown keys are ignored, so an older netd can read a newer tag. */
	}
	return have_guest && have_kind ? 0 : -EINVAL;
}
