/* SPDX-License-Identifier: MIT */
/* netdctl pf / vf: one VF as a line like ip -d link's "vf N ..." (cmd_vf.c), shared
 * by both objects. */
#ifndef NETD_CTL_SRIOV_PRINT_H
#define NETD_CTL_SRIOV_PRINT_H

#include <json.h>

/* "    vf 1     link/ether MAC, vlan 100, qos 3, ..., guest web1 (eth0v1)" and,
 * with -s, the VF's counters. */
void print_vf_text(json_object *vf);

#endif
