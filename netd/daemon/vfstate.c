/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/args.h"
#include "daemon/log.h"
#include "daemon/vfstate.h"

#define RECORD_VERSION 1

const char *vf_mode_name(enum vf_mode m)
{
	return m == VF_MACVTAP ? "macvtap" : "hostdev";
}

int vf_mode_parse(const char *s, enum vf_mode *ret)
{
	if (!strcmp(s, "hostdev"))
		*ret = VF_HOSTDEV;
	else if (!strcmp(s, "macvtap"))
		*ret = VF_MACVTAP;
	else
		return -EINVAL;
	return 0;
}

/* --- the record as JSON ------------------------------------------------------------- */

static void put_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

json_object *vf_record_to_json(const struct vf_record *r)
{
	json_object *o = json_object_new_object(), *s = json_object_new_object();
	const struct vf_config *c = &r->saved;
	char mac[18];

	put_int(o, "version", RECORD_VERSION);
	json_object_object_add(o, "pf", json_object_new_string(r->pf));
	put_int(o, "vf", r->vf);
	json_object_object_add(o, "mode", json_object_new_string(vf_mode_name(r->mode)));
	json_object_object_add(o, "guest", json_object_new_string(r->guest));
	put_int(o, "uid", r->uid);
	put_int(o, "group", r->group);
	json_object_object_add(o, "backend", json_object_new_string(r->backend));
	json_object_object_add(o, "committed", json_object_new_boolean(r->committed));
	format_mac(c->mac, mac);
	json_object_object_add(s, "mac", json_object_new_string(mac));
	put_int(s, "vlan", c->vlan);
	put_int(s, "qos", c->qos);
	put_int(s, "vlan_proto", c->vlan_proto);
	put_int(s, "min_tx_rate", c->min_tx_rate);
	put_int(s, "max_tx_rate", c->max_tx_rate);
	put_int(s, "spoofchk", c->spoofchk);
	put_int(s, "trust", c->trust);
	put_int(s, "query_rss", c->query_rss);
	put_int(s, "link_state", c->link_state);
	json_object_object_add(o, "saved", s);
	return o;
}

static int get_int(json_object *o, const char *k, int64_t min, int64_t max, int64_t *ret)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int))
		return -EINVAL;
	*ret = json_object_get_int64(v);
	return *ret < min || *ret > max ? -EINVAL : 0;
}

static int get_str(json_object *o, const char *k, char *buf, size_t len)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	if (strlen(s) >= len)
		return -EINVAL;
	strcpy(buf, s);
	return 0;
}

int vf_record_from_json(json_object *o, struct vf_record *r)
{
	json_object *s, *v;
	struct vf_config *c = &r->saved;
	char mode[16], mac[24];
	int64_t x;

	memset(r, 0, sizeof(*r));
	if (get_int(o, "version", RECORD_VERSION, RECORD_VERSION, &x) < 0 ||
	    get_str(o, "pf", r->pf, sizeof(r->pf)) < 0 || !ifname_valid(r->pf) ||
	    get_int(o, "vf", 0, 65535, &x) < 0)
		return -EINVAL;
	r->vf = (unsigned)x;
	if (get_str(o, "mode", mode, sizeof(mode)) < 0 || vf_mode_parse(mode, &r->mode) < 0 ||
	    get_str(o, "guest", r->guest, sizeof(r->guest)) < 0 || !guest_name_valid(r->guest) ||
	    get_str(o, "backend", r->backend, sizeof(r->backend)) < 0)
		return -EINVAL;
	if (get_int(o, "uid", 0, UINT32_MAX, &x) < 0)
		return -EINVAL;
	r->uid = (uint32_t)x;
	if (get_int(o, "group", 0, UINT32_MAX, &x) < 0)
		return -EINVAL;
	r->group = (uint32_t)x;
	if (!json_object_object_get_ex(o, "committed", &v) || !json_object_is_type(v, json_type_boolean))
		return -EINVAL;
	r->committed = json_object_get_boolean(v);
	if (!json_object_object_get_ex(o, "saved", &s) || !json_object_is_type(s, json_type_object))
		return -EINVAL;
	c->vf = r->vf;
	if (get_str(s, "mac", mac, sizeof(mac)) < 0 || parse_mac(mac, c->mac) < 0)
		return -EINVAL;
#define FIELD(name, min, max, dst) \
	do { if (get_int(s, name, min, max, &x) < 0) return -EINVAL; dst = x; } while (0)
	FIELD("vlan", 0, 4095, c->vlan);
	FIELD("qos", 0, 7, c->qos);
	FIELD("vlan_proto", 0, 65535, c->vlan_proto);
	FIELD("min_tx_rate", 0, UINT32_MAX, c->min_tx_rate);
	FIELD("max_tx_rate", 0, UINT32_MAX, c->max_tx_rate);
	FIELD("spoofchk", -1, 1, c->spoofchk);
	FIELD("trust", -1, 1, c->trust);
	FIELD("query_rss", -1, 1, c->query_rss);
	FIELD("link_state", 0, 2, c->link_state);
#undef FIELD
	return 0;
}

/* --- files ------------------------------------------------------------------------- */

static int vf_dir(const char *state_dir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/vf", state_dir);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int vfstate_path(const char *state_dir, const char *pf, unsigned vf, char *buf, size_t len)
{
	int n;

	if (!ifname_valid(pf))
		return -EINVAL;
	n = snprintf(buf, len, "%s/vf/%s-%u.json", state_dir, pf, vf);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int vfstate_write(const char *state_dir, const struct vf_record *r, bool exclusive, struct op_error *e)
{
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 32];
	json_object *o;
	const char *text;
	int fd, rc;

	if ((rc = vf_dir(state_dir, dir, sizeof(dir))) < 0 ||
	    (rc = vfstate_path(state_dir, r->pf, r->vf, path, sizeof(path))) < 0)
		return op_fail(e, rc, "state path for VF %u of '%s' is too long", r->vf, r->pf);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return op_fail(e, errno, "cannot create %s: %m", dir);
	snprintf(tmp, sizeof(tmp), "%s/.%s-%u.json.%d", dir, r->pf, r->vf, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return op_fail(e, errno, "cannot create %s: %m", tmp);
	o = vf_record_to_json(r);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = write_all(fd, text, strlen(text));
	if (rc == 0)
		rc = write_all(fd, "\n", 1);
	json_object_put(o);
	/* The record must be on disk before the VF changes it describes. */
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc < 0) {
		unlink(tmp);
		return op_fail(e, rc, "cannot write %s: %s", tmp, strerror(-rc));
	}
	if (exclusive)
		rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) < 0 ? -errno : 0;
	else
		rc = rename(tmp, path) < 0 ? -errno : 0;
	if (rc == -EINVAL && exclusive) {
		/* A file system without RENAME_NOREPLACE: link() refuses to replace, too. */
		rc = link(tmp, path) < 0 ? -errno : 0;
		unlink(tmp);
	}
	if (rc < 0) {
		unlink(tmp);
		if (rc == -EEXIST)
			return op_fail(e, EEXIST, "VF %u of '%s' already has a saved-settings record (%s) "
				       "that netd has not restored yet", r->vf, r->pf, path);
		return op_fail(e, rc, "cannot rename %s to %s: %s", tmp, path, strerror(-rc));
	}
	fsync_dir(dir);
	return 0;
}

static int read_path(const char *path, struct vf_record *r, struct op_error *e)
{
	json_object *o = json_object_from_file(path);
	int rc;

	if (!o) {
		if (access(path, F_OK) < 0)
			return op_fail(e, errno, "cannot read %s: %m", path);
		return op_fail(e, EBADMSG, "%s is not valid JSON", path);
	}
	rc = vf_record_from_json(o, r);
	json_object_put(o);
	if (rc < 0)
		return op_fail(e, EBADMSG, "%s is not a VF record netd understands", path);
	return 0;
}

int vfstate_read(const char *state_dir, const char *pf, unsigned vf, struct vf_record *r,
		 struct op_error *e)
{
	char path[PATH_MAX];
	int rc = vfstate_path(state_dir, pf, vf, path, sizeof(path));

	if (rc < 0)
		return op_fail(e, rc, "state path for VF %u of '%s' is too long", vf, pf);
	rc = read_path(path, r, e);
	if (rc == 0 && (strcmp(r->pf, pf) || r->vf != vf))
		return op_fail(e, EBADMSG, "%s describes VF %u of '%s', not the one its name says", path,
			       r->vf, r->pf);
	return rc;
}

int vfstate_remove(const char *state_dir, const char *pf, unsigned vf, struct op_error *e)
{
	char path[PATH_MAX], dir[PATH_MAX];
	int rc = vfstate_path(state_dir, pf, vf, path, sizeof(path));

	if (rc < 0)
		return op_fail(e, rc, "state path for VF %u of '%s' is too long", vf, pf);
	if (unlink(path) < 0 && errno != ENOENT)
		return op_fail(e, errno, "cannot remove %s: %m", path);
	if (vf_dir(state_dir, dir, sizeof(dir)) == 0)
		fsync_dir(dir);
	return 0;
}

int vfstate_scan(const char *state_dir, int (*cb)(const struct vf_record *r, void *data), void *data)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (vf_dir(state_dir, dir, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (rc >= 0 && (de = readdir(d))) {
		struct op_error e = { 0 };
		struct vf_record r;
		size_t len = strlen(de->d_name);

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.') {
			/* A temp file a killed netd never renamed: the VF was not touched yet. */
			unlink(path);
			continue;
		}
		if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		if (read_path(path, &r, &e) < 0) {
			log_err("%s; leaving it for a person to look at", e.msg);
			continue;
		}
		rc = cb(&r, data);
	}
	closedir(d);
	return rc < 0 ? rc : 0;
}

/* --- the pool ------------------------------------------------------------------------ */

static bool taken(const struct vf_user *used, size_t n, unsigned vf)
{
	for (size_t i = 0; i < n; i++)
		if (used[i].vf == vf)
			return true;
	return false;
}

static bool same_user(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

void vf_users_describe(const struct vf_user *used, size_t n, unsigned numvfs, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		bool seen = false;
		if (used[i].vf >= numvfs)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = used[k].vf < numvfs && same_user(used[k].guest, used[i].guest);
		if (seen)
			continue;
		if (used[i].guest)
			off += snprintf(buf + off, len - off, "%sguest '%s': VF", off ? "; " : "", used[i].guest);
		else
			off += snprintf(buf + off, len - off, "%sunrestored saved records: VF", off ? "; " : "");
		for (size_t k = i; k < n && off < len; k++)
			if (used[k].vf < numvfs && same_user(used[k].guest, used[i].guest))
				off += snprintf(buf + off, len - off, "%s %u", k == i ? "" : ",", used[k].vf);
	}
	if (off >= len && len > 4)
		strcpy(buf + len - 4, "...");
}

int vf_pool_pick(const char *pf, unsigned numvfs, int want, const struct vf_user *used,
		 size_t n_used, struct op_error *e)
{
	char who[384];
	unsigned in_use = 0;
	const char *g;

	if (numvfs == 0)
		return op_fail(e, ENODEV, "'%s' has no VFs enabled (sriov_numvfs is 0; try netdctl pf set %s "
			       "numvfs N)", pf, pf);
	if (want >= 0) {
		if ((unsigned)want >= numvfs)
			return op_fail(e, ENODEV, "'%s' has no VF %d (it has %u: VF 0 to %u)", pf, want,
				       numvfs, numvfs - 1);
		for (size_t i = 0; i < n_used; i++) {
			if (used[i].vf != (unsigned)want)
				continue;
			g = used[i].guest;
			if (!g)
				return op_fail(e, EBUSY, "VF %d of '%s' has a saved-settings record netd has not "
					       "restored yet", want, pf);
			return op_fail(e, EBUSY, "VF %d of '%s' is already given to guest '%s'", want, pf, g);
		}
		return want;
	}
	for (unsigned vf = 0; vf < numvfs; vf++) {
		if (!taken(used, n_used, vf))
			return (int)vf;
		in_use++;
	}
	vf_users_describe(used, n_used, numvfs, who, sizeof(who));
	return op_fail(e, EBUSY, "no free VF on '%s': all %u VF%s in use (%s)", pf, in_use,
		       in_use == 1 ? " is" : "s are", who);
}
