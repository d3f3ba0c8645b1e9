/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_prevent (ringfence/prevent.h): the checks, then SIGKILL through a pidfd whose process is
 * proved to be the event's (its start time, read after the pidfd was opened, matches). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/macro.h"
#include "ringfence/prevent.h"
#include "ringfence/rules.h"

#define PF_KTHREAD 0x00200000u

struct rf_prevent {
	struct rf_prevent_opts o;
	struct stat self_exe;
	bool have_self;
	long ticks;
	bool bpf_lsm;
	bool tracepoint_hold;
	char why[160];
	struct rf_prevent_stats st;
};

static bool lsm_has_bpf(void)
{
	char buf[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "re");
	bool yes;

	if (!f)
		return false;
	yes = fgets(buf, sizeof(buf), f) && (strstr(buf, ",bpf") || !strncmp(buf, "bpf", 3));
	fclose(f);
	return yes;
}

int rf_prevent_new(const struct rf_prevent_opts *o, struct rf_prevent **ret)
{
	struct rf_prevent *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->o = *o;
	p->have_self = stat("/proc/self/exe", &p->self_exe) == 0;
	p->ticks = sysconf(_SC_CLK_TCK);
	p->bpf_lsm = lsm_has_bpf();
	*ret = p;
	return 0;
}

void rf_prevent_free(struct rf_prevent *p)
{
	free(p);
}

void rf_prevent_set_held(struct rf_prevent *p, bool held)
{
	p->o.held = held;
}

void rf_prevent_set_tracepoint_hold(struct rf_prevent *p, bool hold)
{
	p->tracepoint_hold = hold;
}

void rf_prevent_report(const struct rf_prevent *p, FILE *out)
{
	fprintf(out, "ringfence: enforcement: BPF-LSM deny before the operation: %s\n",
		p->bpf_lsm ? "the kernel has it, ringfence does not use it yet"
			   : "not available (bpf is not in /sys/kernel/security/lsm)");
	fprintf(out, "ringfence: enforcement: deny before the call (rules with action: deny): %s\n",
		!p->o.held     ? "not with the eBPF backend (a tracepoint cannot refuse a call; "
				 "the ptrace backend can): those rules alert"
		: p->o.dry_run ? "ptrace skips the call, which fails with EPERM (dry run: nothing "
				 "is refused)"
		: !p->o.kill   ? "ptrace could skip the call; --kill not given"
			       : "used: ptrace skips the call, which fails with EPERM");
	fprintf(out, "ringfence: enforcement: bpf_send_signal at the tracepoint: %s\n",
		p->o.held ? "not needed (ptrace holds the process)"
		: p->tracepoint_hold
			? "used: SIGSTOP at the events kill rules can match, so the process waits "
			  "for the verdict (SIGKILL, or SIGCONT) before it runs another "
			  "instruction; SIGKILL itself is decided in user space"
			: "not used (no kill rule, --dry-run, or --kill not given)");
	fprintf(out,
		"ringfence: enforcement: SIGKILL through a pidfd after the event: used%s; %s\n",
		p->o.dry_run ? " (dry run: nothing is signalled)" : "",
		p->o.held ? "ptrace holds the process at the call's exit until the verdict, so it "
			    "runs no further instruction"
		: p->tracepoint_hold
			? "the operation has completed; the process is held (stopped) until the "
			  "verdict, so it runs no further instruction"
			: "the operation has completed; the process runs until the signal (each "
			  "finding gives the latency)");
}

/* Field 22 (starttime, clock ticks since boot) and field 9 (flags) of /proc/pid/stat. */
static int read_stat(pid_t pid, unsigned long long *start, unsigned *flags)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			 "%*d %*d %*d %llu",
			 flags, start) != 2)
		return -EIO;
	return 0;
}

static const char *refusal(struct rf_prevent *p, pid_t pid, unsigned flags)
{
	char path[64];
	struct stat st;

	if (pid <= 1)
		return "refused: PID 1";
	if (pid == getpid())
		return "refused: ringfence itself";
	if (flags & PF_KTHREAD)
		return "refused: a kernel thread";
	(void)snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (p->have_self && stat(path, &st) == 0 && st.st_dev == p->self_exe.st_dev &&
	    st.st_ino == p->self_exe.st_ino)
		return "refused: a ringfence process (the node agent or watcher)";
	return NULL;
}

/* A deny rule's finding: the source already refused the call (its gate asked the engine
 * before the call ran), or says why it did not. */
static int deny(struct rf_prevent *p, struct rf_finding *f, const struct rf_event *ev)
{
	if (ev->denied) {
		f->action_taken = "denied: the call failed with EPERM and never ran";
		f->action_after = false;
		p->st.denied++;
	} else if (!p->o.held) {
		f->action_taken = "none: deny needs a decision before the call (the ptrace "
				  "backend, or BPF-LSM, not available); alert only";
		p->st.not_enabled++;
	} else if (p->o.dry_run) {
		f->action_taken = "dry-run: would have denied the call";
		p->st.would_deny++;
	} else if (!p->o.kill) {
		f->action_taken = "none: --kill not given";
		p->st.not_enabled++;
	} else {
		/* Matched on what is known only after the call: its result, or a path that
		 * resolved differently from the check before it. */
		f->action_taken = "none: the rule matched only after the call ran; alert only";
		p->st.not_enabled++;
	}
	f->action_latency_ns = 0;
	return 0;
}

int rf_prevent_act(struct rf_finding *f, const struct rf_event *ev, void *prevent)
{
	struct rf_prevent *p = prevent;
	pid_t pid = f->n_procs ? f->procs[0].pid : ev->tgid;
	unsigned long long start = 0;
	unsigned flags = 0;
	const char *why;
	int pidfd, r;

	f->action_after = true;
	if (rf_rule_action(f->rule) == RF_ACTION_DENY)
		return deny(p, f, ev);
	if (!p->o.kill && !p->o.dry_run) {
		f->action_taken = "none: --kill not given";
		p->st.not_enabled++;
		return 0;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		f->action_taken =
			errno == ESRCH ? "failed: the process had exited" : "failed: pidfd_open";
		p->st.failed++;
		goto out;
	}
	r = read_stat(pid, &start, &flags);
	why = r < 0 ? "failed: the process had exited" : refusal(p, pid, flags);
	/* The pidfd is the event's process only if the pid was not reused in between: the
	 * process there now must have started when the one the table knows did. A source may
	 * have learned of the start late (ptrace, at its fork stop: tens of ms on a busy
	 * machine), so within a second; a reuse of the pid needs the whole pid space to wrap
	 * meanwhile. */
	if (!why && f->procs[0].start_ns && p->ticks > 0) {
		uint64_t ns = start * (1000000000ull / (uint64_t)p->ticks);
		uint64_t want = f->procs[0].start_ns, slack = 1000000000ull;

		if (ns + slack < want || ns > want + slack)
			why = "refused: the pid now belongs to another process";
	}
	if (why) {
		f->action_taken = why;
		if (!strncmp(why, "refused", 7))
			p->st.refused++;
		else
			p->st.failed++;
	} else if (p->o.dry_run) {
		f->action_taken = "dry-run: would have killed the process";
		p->st.dry_run++;
	} else if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0) {
		f->action_taken = errno == ESRCH ? "failed: the process had exited"
						 : "failed: pidfd_send_signal";
		p->st.failed++;
	} else {
		f->action_taken = "killed";
		p->st.killed++;
	}
	close(pidfd);
out:
	f->action_latency_ns = ev->time_ns ? rf_boottime_ns() - ev->time_ns : 0;
	return 0;
}

void rf_prevent_stats(const struct rf_prevent *p, struct rf_prevent_stats *ret)
{
	*ret = p->st;
}
