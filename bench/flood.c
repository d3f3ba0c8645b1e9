/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A flood of high-volume events with security-critical ones in between (bench/watch-overhead.sh):
 * THREADS threads open and close a file in a loop for SECONDS while the main thread executes
 * MARKER (a program whose name a rule matches) EXECS times, spread over the run. Prints the
 * opens made and the execs done; the watcher must report every exec (the critical ring must
 * lose nothing) however many opens it drops.
 * Usage: flood THREADS SECONDS EXECS MARKER FILE */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static atomic_bool stop;
static atomic_ullong opens;
static const char *file;

static void *opener(void *arg)
{
	unsigned long long n = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		int fd = open(file, O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
		n++;
	}
	atomic_fetch_add(&opens, n);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	int threads, execs, done = 0;
	double seconds;

	if (argc != 6)
		return 2;
	threads = atoi(argv[1]);
	seconds = atof(argv[2]);
	execs = atoi(argv[3]);
	file = argv[5];
	if (threads < 1 || threads > 64 || seconds <= 0 || execs < 0)
		return 2;
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, opener, NULL);
	for (int i = 0; i < execs; i++) {
		double g = seconds / (execs + 1);
		struct timespec gap = { (time_t)g, (long)((g - (time_t)g) * 1e9) };
		pid_t p;

		nanosleep(&gap, NULL);
		p = fork();
		if (p == 0) {
			execl(argv[4], argv[4], (char *)NULL);
			_exit(127);
		}
		if (p > 0 && waitpid(p, NULL, 0) == p)
			done++;
	}
	if (!execs) {
		struct timespec all = { (time_t)seconds,
					(long)((seconds - (time_t)seconds) * 1e9) };

		nanosleep(&all, NULL);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("%llu %d\n", (unsigned long long)atomic_load(&opens), done);
	return 0;
}
