/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rec-fork — a workload for the recorder's integration tests (t0520-record-signals.sh,
 * t0500-record-ground-truth.sh): start N threads and N processes at once, let each sleep a
 * random few milliseconds so they exit in random order, reap them all, then print one line.
 *
 *   rec-fork [-t THREADS] [-p PROCESSES] [-s SEED]   (defaults: 32 threads, 32 processes)
 *
 * Every thread ends with exit(2) (pthread_exit), every process and the main one with
 * exit_group(2), so a complete recording of "rec-fork -t T -p P" counts T calls of exit and
 * P + 1 calls of exit_group. Output: "rec-fork: T threads, P processes, all reaped".
 * Exit status 0, or 1 when a thread or a process could not be started or reaped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 1024

static void nap(unsigned seed)
{
	/* 0..7.9 ms, different per worker, so the exit order is not the start order. */
	struct timespec ts = { 0, (long)(rand_r(&seed) % 80) * 100000L };

	nanosleep(&ts, NULL);
}

static void *thread_main(void *arg)
{
	nap((unsigned)(unsigned long)arg);
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	static pthread_t threads[MAX_WORKERS];
	static pid_t pids[MAX_WORKERS];
	int nthreads = 32, nprocs = 32, opt, bad = 0;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();

	while ((opt = getopt(argc, argv, "t:p:s:")) != -1) {
		switch (opt) {
		case 't': nthreads = atoi(optarg); break;
		case 'p': nprocs = atoi(optarg); break;
		case 's': seed = (unsigned)strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: rec-fork [-t THREADS] [-p PROCESSES] [-s SEED]\n");
			return 2;
		}
	}
	if (nthreads < 0 || nthreads > MAX_WORKERS || nprocs < 0 || nprocs > MAX_WORKERS) {
		fprintf(stderr, "rec-fork: at most %d threads and %d processes\n", MAX_WORKERS,
			MAX_WORKERS);
		return 2;
	}
	fflush(stdout);
	for (int i = 0; i < nprocs; i++) {
		unsigned s = seed + 7919u * (unsigned)i;

		pids[i] = fork();
		if (pids[i] == 0) {
			nap(s);
			_exit(0);
		}
		if (pids[i] < 0) {
			perror("rec-fork: fork");
			bad = 1;
		}
	}
	for (int i = 0; i < nthreads; i++) {
		int r = pthread_create(&threads[i], NULL, thread_main,
				       (void *)(unsigned long)(seed + 104729u * (unsigned)i));

		if (r != 0) {
			fprintf(stderr, "rec-fork: pthread_create: %s\n", strerror(r));
			threads[i] = 0;
			bad = 1;
		}
	}
	for (int i = 0; i < nthreads; i++)
		if (threads[i] && pthread_join(threads[i], NULL) != 0)
			bad = 1;
	for (int i = 0; i < nprocs; i++) {
		int status;

		if (pids[i] > 0 && (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
				    WEXITSTATUS(status) != 0))
			bad = 1;
	}
	printf("rec-fork: %d threads, %d processes, all reaped\n", nthreads, nprocs);
	return bad;
}
