/* SPDX-License-Identifier: MIT */
/* pf.* and vf.* verbs: placeholder until SR-IOV lands. */
#include "daemon/server.h"

const struct verb sriov_verbs[] = {
	{ NULL, NULL, false }
};
