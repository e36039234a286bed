/* SPDX-License-Identifier: MIT */
/*
 * bench_pair: paired, alternating runs of several bench workers.
 *
 *   bench_pair ROUNDS :: LABEL CMD [ARG...] [:: LABEL CMD [ARG...]]...
 *
 * ("::" separates workers, so a worker's own command line may hold "--".)
 *
 * Starts every worker (bench_common.h: one unit of work per line on its stdin, its
 * time in ns per line on its stdout), then asks each for one unit in turn, ROUNDS
 * times plus one warm-up round that is not reported, rotating who goes first so no
 * method always follows the same other one.  Prints "LABEL NS" per sample.  At the
 * end it closes the workers' input, and they clean up after themselves.
 */
#include <signal.h>
#include <sys/wait.h>

#include "bench_common.h"

#define MAX_WORKERS 16

struct worker {
	const char *label;
	char **argv;
	pid_t pid;
	FILE *in, *out;
};

static void start(struct worker *w)
{
	int to[2], from[2];

	if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0)
		die("pipe: %m");
	w->pid = fork();
	if (w->pid < 0)
		die("fork: %m");
	if (w->pid == 0) {
		if (dup2(to[0], 0) < 0 || dup2(from[1], 1) < 0)
			_exit(127);
		execvp(w->argv[0], w->argv);
		fprintf(stderr, "bench_pair: cannot run %s for '%s': %m\n", w->argv[0], w->label);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	w->in = fdopen(to[1], "w");
	w->out = fdopen(from[0], "r");
	if (!w->in || !w->out)
		die("fdopen: %m");
}

/* Close each worker's input and wait for it to clean up, one at a time: cleanups
 * running together would change links under each other's dumps. */
static int finish(struct worker *w, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		int st;

		fclose(w[i].in);
		if (waitpid(w[i].pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench_pair: worker '%s' (%s) failed at cleanup\n", w[i].label, w[i].argv[0]);
			rc = 1;
		}
		fclose(w[i].out);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct worker w[MAX_WORKERS];
	size_t n = 0;
	long rounds;
	char *end;

	if (argc < 5 || strcmp(argv[2], "::"))
		goto usage;
	rounds = strtol(argv[1], &end, 10);
	if (*end || rounds < 1)
		goto usage;
	/* Split argv at "::" in place: each part is LABEL CMD ARGS, NULL-terminated. */
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "::"))
			continue;
		argv[i] = NULL;
		if (i + 2 >= argc || !strcmp(argv[i + 1], "::") || !strcmp(argv[i + 2], "::"))
			goto usage;
		if (n == MAX_WORKERS)
			die("at most %d workers", MAX_WORKERS);
		w[n++] = (struct worker){ .label = argv[i + 1], .argv = &argv[i + 2] };
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++)
		start(&w[i]);
	for (long r = 0; r <= rounds; r++) {
		for (size_t k = 0; k < n; k++) {
			struct worker *x = &w[((size_t)r + k) % n];
			char line[256] = "";
			long long ns;

			if (fputc('\n', x->in) == EOF || fflush(x->in) == EOF || !fgets(line, sizeof(line), x->out) ||
			    sscanf(line, "%lld", &ns) != 1) {
				fprintf(stderr, "bench_pair: worker '%s' failed in round %ld: %s", x->label, r,
					line[0] ? line : "(no answer)\n");
				finish(w, n);
				return 1;
			}
			if (r > 0) /* round 0 warms caches and code paths */
				printf("%s %lld\n", x->label, ns);
		}
	}
	return finish(w, n);

usage:
	fprintf(stderr, "Usage: bench_pair ROUNDS :: LABEL CMD [ARG...] [:: LABEL CMD [ARG...]]...\n");
	return 2;
}
