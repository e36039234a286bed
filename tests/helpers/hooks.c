/* SPDX-License-Identifier: MIT */
/*
 * hooks DEV: the eBPF programs netd attached to DEV, as the kernel lists them, one
 * line per hook: "ingress tcx netd_guest_tx:[ID]" or "egress tc netd_guest_rx:[ID]".
 * Reads tcx (kernel 6.6+) and tc clsact with netd's handle and priority (0x6e64), so
 * tests assert the same thing whichever way netd attached.  Prints nothing when no
 * program of netd's is there.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define BPF_TCX_INGRESS_ 46
#define BPF_TCX_EGRESS_ 47

static void print_prog(const char *hook, const char *how, uint32_t id)
{
	struct bpf_prog_info pi = { 0 };
	uint32_t len = sizeof(pi);
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return;
	if (bpf_obj_get_info_by_fd(fd, &pi, &len) == 0 && !strncmp(pi.name, "netd_", 5))
		printf("%s %s %s:[%u]\n", hook, how, pi.name, id);
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int tcx; enum bpf_tc_attach_point tc; } hooks[] = {
		{ "ingress", BPF_TCX_INGRESS_, BPF_TC_INGRESS },
		{ "egress", BPF_TCX_EGRESS_, BPF_TC_EGRESS },
	};
	int ifindex;

	if (argc != 2) {
		fprintf(stderr, "usage: hooks DEV\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "hooks: no device '%s'\n", argv[1]);
		return 1;
	}
	libbpf_set_print(NULL);
	for (size_t h = 0; h < 2; h++) {
		uint32_t ids[16];
		DECLARE_LIBBPF_OPTS(bpf_prog_query_opts, q, .prog_ids = ids, .prog_cnt = 16);
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, th, .ifindex = ifindex, .attach_point = hooks[h].tc);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, to, .handle = 0x6e64, .priority = 0x6e64);

		if (bpf_prog_query_opts(ifindex, hooks[h].tcx, &q) == 0)
			for (uint32_t i = 0; i < q.prog_cnt && i < 16; i++)
				print_prog(hooks[h].name, "tcx", ids[i]);
		if (bpf_tc_query(&th, &to) == 0)
			print_prog(hooks[h].name, "tc", to.prog_id);
	}
	return 0;
}
