/* SPDX-License-Identifier: MIT */
/* netd: the privileged daemon.  Foreground, logs to stderr, one epoll loop. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/monitor.h"
#include "daemon/policy.h"
#include "daemon/server.h"
#include "daemon/stats.h"

#define DEFAULT_CONFIG "/etc/netd/netd.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netd [OPTIONS]\n"
		"  -s, --socket PATH     control socket (default " NETD_DEFAULT_SOCKET ")\n"
		"  -S, --state-dir DIR   what the kernel cannot hold (default /var/lib/netd)\n"
		"  -c, --config FILE     policy and defaults (default " DEFAULT_CONFIG " when present,\n"
		"                        else embedded: root only, stats on)\n"
		"      --no-stats        create backends without eBPF counters unless asked\n"
		"      --stats-slots N   counters' fast-path slots, a power of two (default: as\n"
		"                        many as 64 MiB of maps hold, at most 8192)\n"
		"      --check-config    parse the config file, report, and exit\n"
		"  -d, --debug           log debug messages\n"
		"  -V, --version         print the version\n"
		"  -h, --help            this text\n");
}

/* --config FILE must exist; without it /etc/netd/netd.conf is read when present,
 * else the embedded defaults apply (root only, stats on). */
static const char *config_path(const struct daemon *d)
{
	if (d->config_path)
		return d->config_path;
	return access(DEFAULT_CONFIG, F_OK) == 0 ? DEFAULT_CONFIG : NULL;
}

/* SIGHUP: a new policy for new requests; backends stay; a bad file keeps the old. */
static void reload_policy(struct daemon *d)
{
	struct policy *p;
	char err[512];

	if (policy_load(config_path(d), &p, err, sizeof(err)) < 0) {
		log_err("SIGHUP: keeping the current policy: %s", err);
		return;
	}
	policy_free(d->policy);
	d->policy = p;
	log_info("SIGHUP: policy reloaded from %s (%zu rules)", p->path, p->n_rules);
}

static void signal_cb(struct source *s, uint32_t events, void *data)
{
	struct daemon *d = data;
	struct signalfd_siginfo si;

	while (read(s->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload_policy(d);
			continue;
		}
		log_info("signal %d: exiting; backends stay in the kernel", (int)si.ssi_signo);
		loop_quit(d->loop, 0);
	}
}

/* An abstract unix socket name is per network namespace: holding "netd" there says
 * a netd runs in this one.  It goes with the process, however it dies. */
static int netns_lock(struct op_error *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "\0netd-netns-lock" };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return op_fail(e, errno, "socket: %m");
	if (bind(fd, (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path) + 1 +
		 strlen(sa.sun_path + 1)) < 0) {
		int err = errno;
		close(fd);
		if (err == EADDRINUSE)
			return op_fail(e, EADDRINUSE, "another netd already runs in this network namespace");
		return op_fail(e, err, "cannot take the per-namespace lock: %s", strerror(err));
	}
	return fd;
}

/* Tell systemd (Type=notify) we are ready, when it asked. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa,
	       offsetof(struct sockaddr_un, sun_path) + strlen(path));
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-stats", no_argument, NULL, 'n' },
		{ "stats-slots", required_argument, NULL, 'N' },
		{ "check-config", no_argument, NULL, 't' },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct daemon d = { 0 };
	struct op_error e = { 0 };
	struct source sigsrc;
	bool check_only = false;
	int lock_fd = -1;
	sigset_t mask;
	int c, rc, sfd = -1;

	d.socket_path = NETD_DEFAULT_SOCKET;
	d.state_dir = "/var/lib/netd";
	d.stats_default = true;
	while ((c = getopt_long(argc, argv, "s:S:c:dVh", opts, NULL)) != -1) {
		switch (c) {
		case 's': d.socket_path = optarg; break;
		case 'S': d.state_dir = optarg; break;
		case 'c': d.config_path = optarg; break;
		case 'n': d.stats_default = false; break;
		case 'N': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || n < 2 || n > NETD_SLOTS_MAX || (n & (n - 1))) {
				fprintf(stderr, "netd: --stats-slots: '%s' is not a power of two from 2 to %d\n",
					optarg, NETD_SLOTS_MAX);
				return 2;
			}
			d.stats_slots = (uint32_t)n;
			break;
		}
		case 't': check_only = true; break;
		case 'd': log_max_level = LOG_LVL_DEBUG; break;
		case 'V': printf("netd %s (protocol %d)\n", NETD_VERSION, NETD_PROTOCOL_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (geteuid() != 0)
		log_warn("not running as root: creating devices will fail");

	{
		char err[512];
		if (policy_load(config_path(&d), &d.policy, err, sizeof(err)) < 0) {
			log_err("%s", err);
			return 1;
		}
		if (check_only) {
			printf("%s: ok, %zu rule%s\n", d.policy->path, d.policy->n_rules,
			       d.policy->n_rules == 1 ? "" : "s");
			policy_free(d.policy);
			return 0;
		}
		if (!d.policy->stats)
			d.stats_default = false;
	}
	registry_init(&d);
	if ((rc = loop_new(&d.loop)) < 0) {
		log_err("cannot create the event loop: %s", strerror(-rc));
		rc = 1;
		goto out;
	}
	if ((rc = nlc_open(&d.nl)) < 0) {
		log_err("cannot open rtnetlink: %s", strerror(-rc));
		rc = 1;
		goto out;
	}
	if (mkdir(d.state_dir, 0700) < 0 && errno != EEXIST) {
		log_err("cannot create state directory %s: %m", d.state_dir);
		rc = 1;
		goto out;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		log_err("signalfd: %m");
		rc = 1;
		goto out;
	}
	loop_add(d.loop, &sigsrc, sfd, EPOLLIN, signal_cb, &d);

	/* One netd per network namespace, before it touches anything: two would adopt
	 * the same backends and fight over their counters. */
	lock_fd = netns_lock(&e);
	if (lock_fd < 0 || server_start(&d, &e) < 0) {
		log_err("%s", e.msg);
		rc = 1;
		goto out;
	}
	/* Events first, then the dump: nothing that changes in between is missed. */
	if (monitor_start(&d, &e) < 0 || recover_from_kernel(&d, &e) < 0) {
		log_err("%s", e.msg);
		rc = 1;
		goto out;
	}
	if (stats_init(&d, &e) < 0) {
		log_warn("eBPF counters unavailable: %s", e.msg);
		op_error_clear(&e);
	}
	log_info("netd %s listening on %s (%u backends adopted)", NETD_VERSION, d.socket_path, d.n_backends);
	notify_ready();
	rc = loop_run(d.loop);
out:
	/* Backends stay in the kernel; this only gives back netd's own resources. */
	server_stop(&d);
	registry_free(&d);
	stats_exit(&d);
	monitor_stop(&d);
	if (d.nl.sk)
		nlc_close(&d.nl);
	if (sfd >= 0)
		close(sfd);
	if (lock_fd >= 0)
		close(lock_fd);
	loop_free(d.loop);
	policy_free(d.policy);
	return rc;
}
