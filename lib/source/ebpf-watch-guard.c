/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guard of held processes. With a kill rule loaded, the eBPF program stops a process at
 * each event the rule could match (bpf_send_signal(SIGSTOP)) and the watcher resumes it once
 * the rules have seen the event. A watcher killed in between (SIGKILL, the OOM killer, a
 * crash) would leave it stopped for good. The program notes every process it stops in the map
 * `holding`, the watcher takes each off as it resumes it, and this child of the watcher, which
 * holds nothing but that map and a pipe, resumes whatever is left when the pipe's other end
 * closes: when the watcher is gone, however it went (a watcher that ends normally says so
 * first: its parent pid is no sign, the guard may wake before it is reparented). A process resumed
 * this way was never judged: it runs on (not killed: most holds are of events no rule matches). */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ebpf-watch-guard.h"

/* Resumes every process in the map and takes it off; how many. Each delete shrinks the map,
 * so the first key is always the next one to do. */
static unsigned resume_all(int holding)
{
	unsigned n = 0;
	int tgid;

	while (bpf_map_get_next_key(holding, NULL, &tgid) == 0 &&
	       bpf_map_delete_elem(holding, &tgid) == 0) {
		(void)kill(tgid, SIGCONT);
		n++;
	}
	return n;
}

static _Noreturn void guard_run(int rfd, int holding, pid_t watcher)
{
	const struct timespec gap = { .tv_nsec = 50 * 1000 * 1000 };
	unsigned resumed = 0;
	char c = 0;
	ssize_t n;

	/* Signals meant for the watcher's process group (^C) must not end the guard first. */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	(void)prctl(PR_SET_NAME, "ringfence-guard");
	/* An OOM kill of the watcher's cgroup as a whole (memory.oom.group, which the kubelet sets
	 * on cgroup v2) spares a task at -1000: the guard outlives it to do its job (it needs
	 * CAP_SYS_RESOURCE to go below 0; without, an OOM kill may take it too). */
	{
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			(void)!write(fd, "-1000", 5);
			close(fd);
		}
	}
	while ((n = read(rfd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n == 1 && c == 'd') { /* it said it is done: its programs are detached */
		(void)resume_all(holding);
		_exit(0);
	}
	/* Gone without a word: its programs are detached as its descriptors close, perhaps
	 * after the pipe's; a second's sweeps catch a process stopped in between. */
	for (int i = 0; i < 20; i++) {
		resumed += resume_all(holding);
		(void)nanosleep(&gap, NULL);
	}
	if (resumed) { /* write(2), not stdio: a thread of the watcher may have held its lock */
		char m[160];
		int len = snprintf(m, sizeof(m),
				   "ringfence: the watcher (pid %d) ended while %u process%s stood "
				   "stopped at an event: resumed, unjudged\n",
				   (int)watcher, resumed, resumed == 1 ? "" : "es");

		if (len > 0)
			(void)!write(2, m, (size_t)len < sizeof(m) ? (size_t)len : sizeof(m) - 1);
	}
	_exit(0);
}

int w_guard_start(struct w_guard *g, int holding_fd)
{
	pid_t watcher = getpid();
	int p[2];

	g->pid = 0;
	g->wfd = -1;
	g->holding = holding_fd;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	g->pid = fork();
	if (g->pid < 0) {
		int r = -errno;

		g->pid = 0;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (g->pid == 0) {
		int lo = p[0] < holding_fd ? p[0] : holding_fd;
		int hi = p[0] < holding_fd ? holding_fd : p[0];

		/* Nothing of the watcher's but the map and the pipe: no other map, no output, no
		 * socket (and no link: there is none yet). stderr stays, for the one message. */
		(void)close(0);
		(void)close(1);
		(void)close_range(3, (unsigned)lo - 1, 0);
		(void)close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
		(void)close_range((unsigned)hi + 1, ~0U, 0);
		guard_run(p[0], holding_fd, watcher);
	}
	close(p[0]);
	g->wfd = p[1];
	return 0;
}

void w_guard_resumed(const struct w_guard *g, int tgid, uint64_t time_ns)
{
	uint64_t t;

	if (g->pid > 0 && bpf_map_lookup_elem(g->holding, &tgid, &t) == 0 && t <= time_ns)
		(void)bpf_map_delete_elem(g->holding, &tgid);
}

void w_guard_stop(struct w_guard *g)
{
	if (g->pid <= 0)
		return;
	if (g->wfd >= 0) {
		(void)!write(g->wfd, "d", 1); /* done, not dead: EOF alone is a death */
		close(g->wfd);
	}
	g->wfd = -1;
	while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
		;
	g->pid = 0;
}
