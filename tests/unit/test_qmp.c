/* SPDX-License-Identifier: MIT */
/* libnetd's QEMU hand-off: QMP command encoding, fd names, device options, exec
 * placeholders, and attach/detach against a scripted QMP peer (fd hygiene included). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "netd/netd.h"
#include "lib/qmp.h"

static const char *plain(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void test_encode(void **state)
{
	json_object *a = json_object_new_object();
	char *line;

	json_object_object_add(a, "fdname", json_object_new_string("netd-n0-q0"));
	line = qmpc_encode("getfd", a, 3);
	assert_string_equal(line, "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"netd-n0-q0\"},\"id\":3}\n");
	free(line);
	line = qmpc_encode("qmp_capabilities", NULL, 1);
	assert_string_equal(line, "{\"execute\":\"qmp_capabilities\",\"id\":1}\n");
	free(line);
	json_object_put(a);
}

static void test_ids_and_fd_names(void **state)
{
	char buf[64], *list;

	assert_true(qmpc_id_valid("net0"));
	assert_true(qmpc_id_valid("a.b-c_d"));
	assert_false(qmpc_id_valid("0net"));
	assert_false(qmpc_id_valid("-net"));
	assert_false(qmpc_id_valid("net:0"));
	assert_false(qmpc_id_valid(""));
	assert_false(qmpc_id_valid(NULL));

	assert_int_equal(qmpc_fd_name(buf, sizeof(buf), "n0", 'q', 12), 0);
	assert_string_equal(buf, "netd-n0-q12");
	assert_int_equal(qmpc_fd_name(buf, sizeof(buf), "n0", 'v', 0), 0);
	assert_string_equal(buf, "netd-n0-v0");
	/* QEMU takes a name starting with a digit as an fd number. */
	assert_false(buf[0] >= '0' && buf[0] <= '9');
	assert_int_equal(qmpc_fd_name(buf, 8, "n0", 'q', 0), -ENAMETOOLONG);

	list = qmpc_fd_list("web0", 'q', 3);
	assert_string_equal(list, "netd-web0-q0:netd-web0-q1:netd-web0-q2");
	free(list);
	list = qmpc_fd_list("web0", 'v', 1);
	assert_string_equal(list, "netd-web0-v0");
	free(list);
}

static void test_netdev_args(void **state)
{
	json_object *o = qmpc_netdev_args("n0", 2, false);

	assert_string_equal(plain(o), "{\"type\":\"tap\",\"id\":\"n0\",\"fds\":\"netd-n0-q0:netd-n0-q1\",\"vhost\":false}");
	json_object_put(o);
	o = qmpc_netdev_args("n0", 2, true);
	assert_string_equal(plain(o), "{\"type\":\"tap\",\"id\":\"n0\",\"fds\":\"netd-n0-q0:netd-n0-q1\","
				      "\"vhostfds\":\"netd-n0-v0:netd-n0-v1\",\"vhost\":true}");
	json_object_put(o);
}

static void test_device_args(void **state)
{
	char *err = NULL;
	json_object *o;

	o = qmpc_device_args("virtio-net-pci", "n0", "n0", "52:54:00:12:34:56", 4, NULL, &err);
	assert_string_equal(plain(o), "{\"driver\":\"virtio-net-pci\",\"netdev\":\"n0\",\"id\":\"n0\","
				      "\"mac\":\"52:54:00:12:34:56\",\"mq\":true,\"vectors\":10}");
	json_object_put(o);
	/* One queue: QEMU's defaults.  Not virtio: no mq.  virtio-mmio/ccw: no vectors. */
	o = qmpc_device_args("virtio-net-pci", "n0", "n0", NULL, 1, NULL, &err);
	assert_string_equal(plain(o), "{\"driver\":\"virtio-net-pci\",\"netdev\":\"n0\",\"id\":\"n0\"}");
	json_object_put(o);
	o = qmpc_device_args("e1000", "n0", "n0", NULL, 4, NULL, &err);
	assert_string_equal(plain(o), "{\"driver\":\"e1000\",\"netdev\":\"n0\",\"id\":\"n0\"}");
	json_object_put(o);
	o = qmpc_device_args("virtio-net-device", "n0", "n0", NULL, 2, NULL, &err);
	assert_string_equal(plain(o), "{\"driver\":\"virtio-net-device\",\"netdev\":\"n0\",\"id\":\"n0\",\"mq\":true}");
	json_object_put(o);
	/* The caller's options win; ",," is a literal comma. */
	o = qmpc_device_args("virtio-net-pci", "n0", "n0", NULL, 2, "bus=pcie.1,id=nic1,vectors=3,romfile=a,,b", &err);
	assert_string_equal(plain(o), "{\"driver\":\"virtio-net-pci\",\"netdev\":\"n0\",\"id\":\"nic1\",\"mq\":true,"
				      "\"vectors\":\"3\",\"bus\":\"pcie.1\",\"romfile\":\"a,b\"}");
	json_object_put(o);

	assert_null(qmpc_device_args("virtio-net-pci", "n0", "n0", NULL, 1, "bus=x,junk", &err));
	assert_string_equal(err, "device option 'junk' is not KEY=VALUE");
	assert_null(qmpc_device_args("virtio-net-pci", "n0", "n0", NULL, 1, "netdev=n9", &err));
	assert_string_equal(err, "device option 'netdev' is set by netd: leave it out");
	assert_null(qmpc_device_args("virtio-net-pci", "n0", "n0", NULL, 1, "=x", &err));
	free(err);
}

/* --- exec placeholders ---------------------------------------------------------- */

static int qa[] = { 3, 4 }, va[] = { 5, 6 }, qb[] = { 7 };
static const struct netd_backend_fds backends[] = {
	{ .name = "a0", .mac = "52:54:00:00:00:0a", .queue_fds = qa, .n_queues = 2, .vhost_fds = va },
	{ .name = "b0", .queue_fds = qb, .n_queues = 1 },
};

static void expands(const char *in, const char *want)
{
	char *out = NULL, *err = NULL;

	if (netd_exec_expand(in, backends, 2, &out, &err) < 0)
		fail_msg("'%s': %s", in, err);
	if (strcmp(out, want))
		fail_msg("'%s': expected '%s', got '%s'", in, want, out);
	free(out);
}

static void test_expand(void **state)
{
	char *out = NULL, *err = NULL;

	expands("{fds}", "3:4");
	expands("tap,id=n0,fds={fds},vhost=on,vhostfds={vhostfds}", "tap,id=n0,fds=3:4,vhost=on,vhostfds=5:6");
	expands("{queues} {vectors} {vhost} {mac}", "2 6 on 52:54:00:00:00:0a");
	expands("{fds:b0}/{queues:b0}/{vhost:b0}/{vectors:b0}", "7/1/off/4");
	/* b0 has no vhost fds: its vhostfds= option goes, with the vhost=on beside it. */
	expands("tap,id=n1,fds={fds:b0},vhost=on,vhostfds={vhostfds:b0}", "tap,id=n1,fds=7");
	expands("vhost=on,vhostfds={vhostfds:b0},fds={fds:b0}", "fds=7");
	expands("x={vhostfds:b0}-suffix", "x=-suffix"); /* not the whole value: kept */
	expands("{vhostfds:b0}", "");
	/* Not ours: shell, JSON, unknown words, unbalanced braces; ",," untouched. */
	expands("${HOME} {\"a\":{\"b\":1}} {nope} {fds {", "${HOME} {\"a\":{\"b\":1}} {nope} {fds {");
	expands("a=b,,c,fds={fds}", "a=b,,c,fds=3:4");
	expands("", "");

	assert_int_equal(netd_exec_expand("{fds:zz}", backends, 2, &out, &err), -EINVAL);
	assert_null(out);
	assert_string_equal(err, "'{fds:zz}' names no backend given to exec");
	assert_int_equal(netd_exec_expand("{mac:b0}", backends, 2, &out, &err), -EINVAL);
	assert_string_equal(err, "backend 'b0' has no MAC for {mac}");
	free(err);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_backend_fds_take(void **state)
{
	int p[2], v[2], before = count_fds();
	struct netd_fd fds[3];
	struct netd_reply r = { .fds = fds, .n_fds = 3 };
	struct netd_backend_fds f;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(pipe2(v, O_CLOEXEC), 0);
	close(v[1]);
	/* Out of order on purpose: placement goes by role and index. */
	fds[0] = (struct netd_fd){ .role = "vhost", .index = 0, .fd = v[0] };
	fds[1] = (struct netd_fd){ .role = "queue", .index = 1, .fd = p[1] };
	fds[2] = (struct netd_fd){ .role = "queue", .index = 0, .fd = p[0] };
	assert_int_equal(netd_backend_fds_take(&r, &f), -EPROTO); /* 2 queues, 1 vhost */
	fds[0].role[0] = 'x'; /* now another queue 0: a duplicate */
	assert_int_equal(netd_backend_fds_take(&r, &f), -EPROTO);
	fds[0].index = 3; /* queues 0, 1 and 3: a gap */
	assert_int_equal(netd_backend_fds_take(&r, &f), -EPROTO);
	assert_int_equal(fds[0].fd, v[0]); /* a refused take leaves the reply alone */
	close(v[0]);
	r.n_fds = 2;
	fds[0] = fds[2];
	r.result = json_tokener_parse("{\"name\":\"web0\",\"mac\":\"52:54:00:00:00:01\","
				      "\"vhost_fds\":{\"active\":false,\"reason\":\"no vhost-net\"}}");
	assert_int_equal(netd_backend_fds_take(&r, &f), 0);
	assert_int_equal(f.n_queues, 2);
	assert_int_equal(f.queue_fds[0], p[0]);
	assert_int_equal(f.queue_fds[1], p[1]);
	assert_null(f.vhost_fds);
	assert_string_equal(f.name, "web0");
	assert_string_equal(f.mac, "52:54:00:00:00:01");
	assert_string_equal(f.vhost_reason, "no vhost-net");
	assert_int_equal(fds[0].fd, -1); /* the reply gave them up */
	netd_backend_fds_release(&f);
	assert_int_equal(count_fds(), before);
	json_object_put(r.result);
}

/* --- attach / detach against a scripted QMP peer --------------------------------- */

struct step {
	const char *command;  /* expected "execute" */
	const char *reply;    /* "return": {...} or "error": {...} part, without braces */
	const char *event;    /* an event line sent before the reply, or NULL */
	int fds;              /* fds expected with the command */
	const char *after;    /* event lines sent after the reply, or NULL */
};

static char sock_path[108];

/* The peer: greets, then for each step reads one command, checks it, answers.  Exits
 * with the number of the first step that went wrong (0: all fine). */
static void peer(int lfd, const struct step *steps)
{
	int c = accept(lfd, NULL, NULL);
	FILE *in;
	char line[4096];

	if (c < 0)
		_exit(100);
	dprintf(c, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
	in = fdopen(dup(c), "r");
	for (int i = 0; steps[i].command; i++) {
		char cbuf[CMSG_SPACE(sizeof(int) * 4)];
		struct iovec iov;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		json_object *m, *v;
		size_t len = 0;
		int got = 0;

		/* One byte at a time so the fd is taken with its command's first byte. */
		for (;;) {
			ssize_t n;
			iov.iov_base = line + len;
			iov.iov_len = 1;
			n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
			if (n <= 0)
				_exit(200 + i);
			for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
				if (h->cmsg_type == SCM_RIGHTS) {
					int nfd = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
					for (int k = 0; k < nfd; k++)
						close(((int *)CMSG_DATA(h))[k]);
					got += nfd;
				}
			mh.msg_controllen = sizeof(cbuf);
			if (line[len++] == '\n')
				break;
		}
		line[len] = '\0';
		m = json_tokener_parse(line);
		if (!m || !json_object_object_get_ex(m, "execute", &v) ||
		    strcmp(json_object_get_string(v), steps[i].command) || got != steps[i].fds)
			_exit(1 + i);
		json_object_object_get_ex(m, "id", &v);
		if (steps[i].event)
			dprintf(c, "%s\r\n", steps[i].event);
		if (steps[i].reply)
			dprintf(c, "{%s, \"id\": %s}\r\n", steps[i].reply, json_object_get_string(v));
		if (steps[i].after)
			dprintf(c, "%s\r\n", steps[i].after);
		json_object_put(m);
	}
	fclose(in);
	_exit(0);
}

static pid_t peer_start(const struct step *steps)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	snprintf(sock_path, sizeof(sock_path), "/tmp/netd-test-qmp.%d.sock", (int)getpid());
	unlink(sock_path);
	strcpy(sa.sun_path, sock_path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		peer(lfd, steps);
	close(lfd);
	return pid;
}

static void peer_done(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(sock_path);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("the QMP peer saw a wrong command: exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_attach_ok(void **state)
{
	static const struct step steps[] = {
		{ "qmp_capabilities", "\"return\": {}", NULL, 0, NULL },
		{ "getfd", "\"return\": {}", "{\"event\": \"NIC_RX_FILTER_CHANGED\", \"data\": {}}", 1, NULL },
		{ "getfd", "\"return\": {}", NULL, 1, NULL },
		{ "getfd", "\"return\": {}", NULL, 1, NULL },
		{ "getfd", "\"return\": {}", NULL, 1, NULL },
		{ "netdev_add", "\"return\": {}", NULL, 0, NULL },
		{ "device_add", "\"return\": {}", NULL, 0, NULL },
		{ NULL, NULL, NULL, 0, NULL },
	};
	int p[2], q[2], before;
	char *err = NULL;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(pipe2(q, O_CLOEXEC), 0);
	before = count_fds();
	pid = peer_start(steps);
	{
		struct netd_qmp_attach a = {
			.qmp_path = sock_path, .netdev_id = "n0", .device = "virtio-net-pci",
			.queue_fds = p, .n_queues = 2, .vhost_fds = q, .timeout_ms = 2000,
		};
		assert_int_equal(netd_qmp_attach(&a, &err), 0);
	}
	assert_null(err);
	peer_done(pid);
	assert_int_equal(count_fds(), before); /* nothing kept, the caller's fds untouched */
	assert_int_equal(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static void test_attach_rollback(void **state)
{
	static const struct step steps[] = {
		{ "qmp_capabilities", "\"return\": {}", NULL, 0, NULL },
		{ "getfd", "\"return\": {}", NULL, 1, NULL },
		{ "getfd", "\"return\": {}", NULL, 1, NULL },
		{ "netdev_add", "\"error\": {\"class\": \"GenericError\", \"desc\": \"Duplicate ID 'n0'\"}", NULL, 0, NULL },
		{ "closefd", "\"return\": {}", NULL, 0, NULL },
		{ "closefd", "\"error\": {\"class\": \"GenericError\", \"desc\": \"File descriptor named 'netd-n0-q1' not found\"}", NULL, 0, NULL },
		{ NULL, NULL, NULL, 0, NULL },
	};
	int p[2], before;
	char *err = NULL;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	before = count_fds();
	pid = peer_start(steps);
	{
		struct netd_qmp_attach a = {
			.qmp_path = sock_path, .netdev_id = "n0", .queue_fds = p, .n_queues = 2, .timeout_ms = 2000,
		};
		assert_int_equal(netd_qmp_attach(&a, &err), -EREMOTEIO);
	}
	peer_done(pid);
	/* The closefd of a name QEMU had consumed is no error of the rollback's. */
	assert_string_equal(err + strlen(err) - strlen("refused netdev_add of tap 'n0' with 2 queue fds: Duplicate ID 'n0'"),
			    "refused netdev_add of tap 'n0' with 2 queue fds: Duplicate ID 'n0'");
	free(err);
	assert_int_equal(count_fds(), before);
	close(p[0]);
	close(p[1]);
}

static void test_detach_waits_for_guest(void **state)
{
	/* The device is still there after device_del; the guest's DEVICE_DELETED comes
	 * later, after one for another device (the virtio child has no "device"). */
	static const struct step steps[] = {
		{ "qmp_capabilities", "\"return\": {}", NULL, 0, NULL },
		{ "qom-get", "\"return\": \"n0\"", NULL, 0, NULL },
		{ "device_del", "\"return\": {}", NULL, 0, NULL },
		{ "qom-get", "\"return\": \"n0\"", NULL, 0,
		  "{\"event\": \"DEVICE_DELETED\", \"data\": {\"path\": \"/machine/peripheral/n0/virtio-backend\"}}\r\n"
		  "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"n0\", \"path\": \"/machine/peripheral/n0\"}}" },
		{ "netdev_del", "\"return\": {}", NULL, 0, NULL },
		{ NULL, NULL, NULL, 0, NULL },
	};
	struct netd_qmp_detach d = { .netdev_id = "n0", .unplug_wait_ms = 60000, .timeout_ms = 2000 };
	bool pending = true;
	char *err = NULL;
	int before = count_fds();
	pid_t pid = peer_start(steps);

	d.qmp_path = sock_path;
	assert_int_equal(netd_qmp_detach(&d, &pending, &err), 0);
	assert_null(err);
	peer_done(pid);
	assert_false(pending);
	assert_int_equal(count_fds(), before);
}

static void test_detach_other_nic(void **state)
{
	/* "n0" exists but is the NIC of another netdev: not ours to unplug. */
	static const struct step steps[] = {
		{ "qmp_capabilities", "\"return\": {}", NULL, 0, NULL },
		{ "qom-get", "\"return\": \"hostnet9\"", NULL, 0, NULL },
		{ "netdev_del", "\"return\": {}", NULL, 0, NULL },
		{ NULL, NULL, NULL, 0, NULL },
	};
	struct netd_qmp_detach d = { .netdev_id = "n0", .timeout_ms = 2000 };
	bool pending = true;
	char *err = NULL;
	pid_t pid = peer_start(steps);

	d.qmp_path = sock_path;
	assert_int_equal(netd_qmp_detach(&d, &pending, &err), 0);
	peer_done(pid);
	assert_false(pending);

	pid = peer_start(steps);
	d.device_id = "n0"; /* named explicitly: refused */
	assert_int_equal(netd_qmp_detach(&d, &pending, &err), -EREMOTEIO);
	assert_string_equal(err + strlen(err) - strlen("device 'n0' uses netdev 'hostnet9', not 'n0'"),
			    "device 'n0' uses netdev 'hostnet9', not 'n0'");
	free(err);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(sock_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_ids_and_fd_names),
		cmocka_unit_test(test_netdev_args),
		cmocka_unit_test(test_device_args),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_backend_fds_take),
		cmocka_unit_test(test_attach_ok),
		cmocka_unit_test(test_attach_rollback),
		cmocka_unit_test(test_detach_waits_for_guest),
		cmocka_unit_test(test_detach_other_nic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
