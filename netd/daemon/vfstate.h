/* SPDX-License-Identifier: MIT */
/* What the kernel cannot hold for a VF backend: the VF's settings from before netd
 * changed them, and (for hostdev, which has no link of netd's to tag) who owns it.
 * One record per taken VF, STATE_DIR/vf/<pf>-<vf>.json, written whole to a temp file
 * and renamed into place, before the VF is touched. */
#ifndef NETD_VFSTATE_H
#define NETD_VFSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json.h>

#include "daemon/error.h"
#include "daemon/names.h"
#include "daemon/sriov.h"

enum vf_mode { VF_HOSTDEV, VF_MACVTAP };

const char *vf_mode_name(enum vf_mode m);
int vf_mode_parse(const char *s, enum vf_mode *ret);

struct vf_record {
	char pf[IFNAMSIZ];
	unsigned vf;
	enum vf_mode mode;
	char guest[GUEST_NAME_MAX + 1];
	uint32_t uid;
	uint32_t group;            /* the guest's IFLA_GROUP, kept across restarts */
	char backend[IFNAMSIZ];    /* the backend's name */
	bool committed;            /* false while the create is still under way */
	struct vf_config saved;    /* the VF before netd touched it */
};

json_object *vf_record_to_json(const struct vf_record *r);
int vf_record_from_json(json_object *o, struct vf_record *r);

/* STATE_DIR/vf/<pf>-<vf>.json */
int vfstate_path(const char *state_dir, const char *pf, unsigned vf, char *buf, size_t len);
/* Write r atomically (temp file, fsync, rename, fsync of the directory).
 * `exclusive` claims the VF: -EEXIST, leaving the old record alone, when one exists. */
int vfstate_write(const char *state_dir, const struct vf_record *r, bool exclusive,
		  struct op_error *e);
int vfstate_read(const char *state_dir, const char *pf, unsigned vf, struct vf_record *r,
		 struct op_error *e);
int vfstate_remove(const char *state_dir, const char *pf, unsigned vf, struct op_error *e);
/* Every record (unreadable ones are logged and left); temp files of a killed netd
 * are removed. */
int vfstate_scan(const char *state_dir, int (*cb)(const struct vf_record *r, void *data),
		 void *data);

/* The pool: who holds which VF of one PF. */
struct vf_user {
	unsigned vf;
	const char *guest;         /* NULL: a record on disk nobody has adopted */
};

/* "guest 'a': VF 0, 2; guest 'b': VF 1", guests in first-seen order, VFs below numvfs. */
void vf_users_describe(const struct vf_user *used, size_t n, unsigned numvfs, char *buf, size_t len);
/* VF `want` (>= 0) or the lowest free VF below numvfs.  -EBUSY when taken or none is
 * free, with a sentence saying which guests hold which VFs. */
int vf_pool_pick(const char *pf, unsigned numvfs, int want, const struct vf_user *used,
		 size_t n_used, struct op_error *e);

/* kind_vf.c: what the pf/vf verbs and start-up need from the VF kind. */
struct daemon;
struct backend;
/* The VF backends on `pf` by VF number, malloc'd (*ret NULL when none); -ENOMEM. */
int vf_backends_of(struct daemon *d, const char *pf, struct backend ***ret);
/* The VFs under these backends were destroyed (numvfs changed): forget them without
 * restoring anything, deleting what netd made on top (a macvtap). */
void vf_backends_lost(struct daemon *d, struct backend **bs, size_t n);
/* After the link dump: re-adopt committed hostdev records, restore the VFs of
 * records whose backend never finished or whose macvtap is gone. */
void vf_recover(struct daemon *d);

#endif
