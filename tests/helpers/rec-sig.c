/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rec-sig — a workload for t0520-record-signals.sh: announce itself, then wait for SIGINT and
 * exit 42 when it comes, the way an interactive program handles Ctrl-C.
 *
 *   rec-sig READY-FILE [SECONDS]   writes its pid to READY-FILE once the handler is installed,
 *                                  then waits up to SECONDS (default 20) in pause(2).
 *
 * Exit status: 42 after SIGINT, 3 when the time ran out without one, 1 on a setup error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got_int, timed_out;

static void on_signal(int sig)
{
	if (sig == SIGINT)
		got_int = 1;
	else
		timed_out = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	FILE *f;
	int secs = argc > 2 ? atoi(argv[2]) : 20;

	if (argc < 2) {
		fprintf(stderr, "usage: rec-sig READY-FILE [SECONDS]\n");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGALRM, &sa, NULL) < 0) {
		perror("rec-sig: sigaction");
		return 1;
	}
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
		perror("rec-sig: ready file");
		return 1;
	}
	alarm((unsigned)secs);
	while (!got_int && !timed_out)
		pause();
	if (!got_int) {
		printf("rec-sig: no SIGINT within %d s\n", secs);
		return 3;
	}
	printf("rec-sig: SIGINT\n");
	return 42;
}
