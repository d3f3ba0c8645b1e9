/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ptrace recorder. A command is started under a seccomp filter that returns SECCOMP_RET_TRACE,
 * so each syscall costs one stop (PTRACE_EVENT_SECCOMP) instead of two; an attached process
 * (--pid) cannot get a filter and is followed with PTRACE_SYSCALL, recording entry stops.
 * Every wait status is decoded into an enum rf_stop and dispatched (strace's trace_event.h
 * model). Syscall identity comes from PTRACE_GET_SYSCALL_INFO: (arch, nr), never the host's
 * table, so a 32-bit program is recorded under SCMP_ARCH_X86. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/macro.h"
#include "ringfence/caps.h"
#include "ringfence/filter.h"
#include "ringfence/log.h"
#include "ringfence/ptrace.h"

const char *const rf_ptrace_fast_syscalls[] = {
	"read",	 "write",  "readv",  "writev",	  "pread64",	     "pwrite64",   "futex",
	"poll",	 "ppoll",  "select", "pselect6", "epoll_wait",	     "epoll_pwait", "lseek",
	"recvfrom", "sendto", "recvmsg", "sendmsg", "clock_gettime", "gettimeofday", "nanosleep",
	"clock_nanosleep", "sched_yield", "getpid", "gettid", "rt_sigprocmask", NULL,
};

enum rf_stop {
	STOP_GONE,       /* exited or killed: forget the tracee (main: keep its status) */
	STOP_SECCOMP,    /* PTRACE_EVENT_SECCOMP: a syscall entry via our filter: record, CONT */
	STOP_SYSCALL,    /* syscall-stop (PTRACE_SYSCALL mode): record entries, resume */
	STOP_EXEC,       /* PTRACE_EVENT_EXEC: record the new image, resume */
	STOP_NEW_CHILD,  /* PTRACE_EVENT_FORK/VFORK/CLONE: the child is auto-attached, resume */
	STOP_GROUP,      /* PTRACE_EVENT_STOP for a stop signal: group-stop, PTRACE_LISTEN */
	STOP_EVENT,      /* other PTRACE_EVENT_STOP (new child, interrupt): resume */
	STOP_SIGNAL,     /* signal-delivery-stop: resume, injecting the signal */
};

struct tracee {
	pid_t tid;
	char comm[16];
	char *exe;
	bool in_syscall; /* PTRACE_SYSCALL mode: next syscall-stop is an exit */
};

struct tracer {
	struct tracee *t;
	size_t n;
	pid_t main;
	bool seccomp_mode;
	bool detaching;
	int main_status;
	uint64_t stops;
	rf_event_fn fn;
	void *userdata;
	int fn_error;
};

static void read_identity(struct tracee *t)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof(path), "/proc/%d/comm", (int)t->tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, t->comm, sizeof(t->comm) - 1);
		t->comm[n > 0 ? n : 0] = '\0';
		t->comm[strcspn(t->comm, "\n")] = '\0';
		close(fd);
	}
	(void)snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->tid);
	n = readlink(path, buf, sizeof(buf) - 1);
	free(t->exe);
	t->exe = n > 0 ? strndup(buf, (size_t)n) : NULL;
}

static struct tracee *find(struct tracer *tr, pid_t tid, bool create)
{
	struct tracee *n;

	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i].tid == tid)
			return &tr->t[i];
	if (!create)
		return NULL;
	n = reallocarray(tr->t, tr->n + 1, sizeof(*n));
	if (!n)
		return NULL;
	tr->t = n;
	n = &tr->t[tr->n++];
	*n = (struct tracee){ .tid = tid };
	read_identity(n);
	return n;
}

static void forget(struct tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i].tid == tid) {
			free(tr->t[i].exe);
			tr->t[i] = tr->t[--tr->n];
			return;
		}
}

static enum rf_stop decode(int status)
{
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status))
		return STOP_GONE;
	sig = WSTOPSIG(status);
	event = (unsigned)status >> 16;
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		return STOP_SECCOMP;
	case PTRACE_EVENT_EXEC:
		return STOP_EXEC;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		return STOP_NEW_CHILD;
	case PTRACE_EVENT_STOP:
		return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU
			       ? STOP_GROUP
			       : STOP_EVENT;
	default:
		return sig == (SIGTRAP | 0x80) ? STOP_SYSCALL : STOP_SIGNAL;
	}
}

static void resume(struct tracer *tr, pid_t tid, int sig)
{
	if (tr->detaching) {
		(void)ptrace(PTRACE_DETACH, tid, 0, sig);
		forget(tr, tid);
		return;
	}
	(void)ptrace(tr->seccomp_mode ? PTRACE_CONT : PTRACE_SYSCALL, tid, 0, sig);
}

static void emit_syscall(struct tracer *tr, struct tracee *t, uint32_t arch, uint64_t nr,
			 const uint64_t *args)
{
	struct rf_event ev = { .kind = RF_EV_SYSCALL, .pid = t->tid, .tid = t->tid,
			       .exe = t->exe };
	int r;

	memcpy(ev.comm, t->comm, sizeof(ev.comm));
	ev.sc.arch = arch;
	ev.sc.nr = (int32_t)nr;
	memcpy(ev.args, args, sizeof(ev.args));
	ev.args_known = 0x3f;
	r = tr->fn(&ev, tr->userdata);
	if (r < 0 && !tr->fn_error)
		tr->fn_error = r;
}

static void on_syscall_info(struct tracer *tr, struct tracee *t, enum rf_stop kind)
{
	struct __ptrace_syscall_info info = { 0 };
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(info), &info);

	if (n <= 0)
		return;
	if (kind == STOP_SECCOMP && info.op == PTRACE_SYSCALL_INFO_SECCOMP)
		emit_syscall(tr, t, info.arch, info.seccomp.nr, info.seccomp.args);
	else if (kind == STOP_SYSCALL && info.op == PTRACE_SYSCALL_INFO_ENTRY)
		emit_syscall(tr, t, info.arch, info.entry.nr, info.entry.args);
}

static void on_exec(struct tracer *tr, pid_t tid)
{
	struct rf_event ev = { .kind = RF_EV_EXEC, .pid = tid, .tid = tid };
	unsigned long old = 0;
	struct tracee *t;

	/* After a multi-threaded exec the tracee reports under the thread-group leader's id. */
	(void)ptrace(PTRACE_GETEVENTMSG, tid, 0, &old);
	if ((pid_t)old != tid)
		forget(tr, (pid_t)old); /* may move entries: look ours up afterwards */
	t = find(tr, tid, true);
	if (!t)
		return;
	read_identity(t);
	memcpy(ev.comm, t->comm, sizeof(ev.comm));
	ev.exe = ev.path = t->exe;
	(void)tr->fn(&ev, tr->userdata);
}

static void on_new_child(struct tracer *tr, struct tracee *parent)
{
	unsigned long child = 0;
	char comm[sizeof(parent->comm)];
	_cleanup_free_ char *exe = NULL;
	struct tracee *c;

	if (ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &child) < 0 || child == 0)
		return;
	/* Copy first: adding the child may move the table `parent` points into. */
	memcpy(comm, parent->comm, sizeof(comm));
	exe = parent->exe ? strdup(parent->exe) : NULL;
	c = find(tr, (pid_t)child, true);
	if (!c)
		return;
	memcpy(c->comm, comm, sizeof(c->comm));
	if (exe) {
		free(c->exe);
		c->exe = TAKE_PTR(exe);
	}
}

/* One wait status: decode, act, resume. */
static void dispatch(struct tracer *tr, pid_t tid, int status)
{
	enum rf_stop kind = decode(status);
	struct tracee *t;

	tr->stops++;
	if (kind == STOP_GONE) {
		if (tid == tr->main)
			tr->main_status = status;
		forget(tr, tid);
		return;
	}
	t = find(tr, tid, true);
	if (!t) {
		resume(tr, tid, 0);
		return;
	}
	switch (kind) {
	case STOP_SECCOMP:
	case STOP_SYSCALL:
		if (kind == STOP_SYSCALL)
			t->in_syscall = !t->in_syscall;
		on_syscall_info(tr, t, kind);
		resume(tr, tid, 0);
		return;
	case STOP_EXEC:
		on_exec(tr, tid);
		resume(tr, tid, 0);
		return;
	case STOP_NEW_CHILD:
		on_new_child(tr, t);
		resume(tr, tid, 0);
		return;
	case STOP_GROUP:
		/* Stay stopped like an untraced process would, but keep seeing events (SIGCONT). */
		if (tr->detaching)
			resume(tr, tid, 0);
		else
			(void)ptrace(PTRACE_LISTEN, tid, 0, 0);
		return;
	case STOP_EVENT:
		resume(tr, tid, 0);
		return;
	case STOP_SIGNAL:
		resume(tr, tid, WSTOPSIG(status));
		return;
	case STOP_GONE:
		return;
	}
}

#define TRACE_OPTIONS                                                                              \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |   \
	 PTRACE_O_TRACEVFORK)

/* SECCOMP_RET_TRACE for every syscall on the native arch and its compat arches (a 32-bit child
 * must be traced, not killed as a bad arch), SECCOMP_RET_ALLOW for the --fast set. */
static int build_trace_filter(bool fast, scmp_filter_ctx *ret, struct rf_error *reterr)
{
	_cleanup_(rf_seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRACE(0));
	static const uint32_t compat_x86_64[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
	static const uint32_t compat_aarch64[] = { SCMP_ARCH_ARM };
	uint32_t native = seccomp_arch_native();
	const uint32_t *compat = native == SCMP_ARCH_X86_64 ? compat_x86_64
				 : native == SCMP_ARCH_AARCH64 ? compat_aarch64 : NULL;
	size_t ncompat = native == SCMP_ARCH_X86_64 ? 2 : native == SCMP_ARCH_AARCH64 ? 1 : 0;
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r >= 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	for (size_t i = 0; r >= 0 && i < ncompat; i++)
		if ((r = seccomp_arch_add(ctx, compat[i])) == -EEXIST)
			r = 0;
	for (size_t i = 0; fast && r >= 0 && rf_ptrace_fast_syscalls[i]; i++) {
		int nr = seccomp_syscall_resolve_name(rf_ptrace_fast_syscalls[i]);
		if (nr != __NR_SCMP_ERROR)
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	if (r < 0)
		return rf_error_set(reterr, r, "cannot build the tracing filter: %s", strerror(-r));
	*ret = TAKE_PTR(ctx);
	return 0;
}

static int start_command(const struct rf_ptrace_opts *o, struct tracer *tr,
			 struct rf_ptrace_result *res, struct rf_error *reterr)
{
	_cleanup_(rf_seccomp_releasep) scmp_filter_ctx ctx = NULL;
	int r, status;
	pid_t pid;

	r = build_trace_filter(o->fast, &ctx, reterr);
	if (r < 0)
		return r;
	/* Without CAP_SYS_ADMIN the kernel only accepts a filter under no_new_privs; an
	 * unprivileged tracer already keeps setuid bits from taking effect, so nothing changes. */
	res->no_new_privs = !rf_caps_have_effective(CAP_SYS_ADMIN);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return rf_error_set(reterr, -errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		(void)raise(SIGSTOP); /* wait until the parent has seized us */
		if (res->no_new_privs)
			(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_load(ctx) < 0)
			_exit(125);
		execvp(o->argv[0], o->argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	tr->main = pid;
	if (o->child_pid)
		*o->child_pid = pid;
	while (waitpid(pid, &status, WSTOPPED) < 0)
		if (errno != EINTR)
			return rf_error_set(reterr, -errno, "waitpid: %s", strerror(errno));
	if (!WIFSTOPPED(status))
		return rf_error_set(reterr, -ECHILD, "the child did not start");
	if (ptrace(PTRACE_SEIZE, pid, 0, TRACE_OPTIONS | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL) <
	    0) {
		r = -errno;
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return rf_error_set(reterr, r, "cannot trace the child (ptrace seize): %s%s",
				    strerror(-r),
				    r == -EPERM ? " (is ptrace restricted: kernel.yama.ptrace_scope?)"
						: "");
	}
	tr->seccomp_mode = true;
	(void)find(tr, pid, true);
	(void)kill(pid, SIGCONT);
	return 0;
}

static int attach_pid(pid_t pid, struct tracer *tr, struct rf_error *reterr)
{
	char path[64];
	int attached = 0;

	tr->main = pid;
	tr->seccomp_mode = false;
	/* Twice: threads created while we attach to the first ones are caught by TRACECLONE,
	 * except those their creator made before it was seized. */
	for (int pass = 0; pass < 2; pass++) {
		DIR *d;
		struct dirent *e;

		(void)snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
		d = opendir(path);
		if (!d)
			return rf_error_set(reterr, -errno, "no process %d: %s", (int)pid,
					    strerror(errno));
		while ((e = readdir(d))) {
			pid_t tid = (pid_t)strtol(e->d_name, NULL, 10);

			if (tid <= 0 || find(tr, tid, false))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0, TRACE_OPTIONS) < 0) {
				int r = -errno;
				closedir(d);
				return rf_error_set(reterr, r, "cannot attach to %d: %s", (int)tid,
						    strerror(-r));
			}
			(void)ptrace(PTRACE_INTERRUPT, tid, 0, 0);
			(void)find(tr, tid, true);
			attached++;
		}
		closedir(d);
	}
	return attached > 0 ? 0 : rf_error_set(reterr, -ESRCH, "process %d has no threads", (int)pid);
}

int rf_ptrace_record(const struct rf_ptrace_opts *o, volatile bool *stop, rf_event_fn fn,
		     void *userdata, struct rf_ptrace_result *ret, struct rf_error *reterr)
{
	struct tracer tr = { .fn = fn, .userdata = userdata, .main_status = -1 };
	struct rf_ptrace_result res = { .wait_status = -1 };
	uint64_t t0 = rf_now_ns();
	int r;

	if (!o || (!o->argv && o->pid <= 0) || !fn)
		return -EINVAL;
	r = o->argv ? start_command(o, &tr, &res, reterr) : attach_pid(o->pid, &tr, reterr);
	while (r >= 0 && tr.n > 0) {
		int status;
		pid_t tid;

		if (stop && *stop && !o->argv && !tr.detaching) {
			tr.detaching = true;
			for (size_t i = 0; i < tr.n; i++)
				(void)ptrace(PTRACE_INTERRUPT, tr.t[i].tid, 0, 0);
		}
		tid = waitpid(-1, &status, __WALL);
		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0) {
			if (errno != ECHILD)
				r = rf_error_set(reterr, -errno, "waitpid: %s", strerror(errno));
			break;
		}
		dispatch(&tr, tid, status);
	}
	for (size_t i = 0; i < tr.n; i++)
		free(tr.t[i].exe);
	free(tr.t);
	res.wait_status = tr.main_status;
	res.duration_ns = rf_now_ns() - t0;
	res.stops = tr.stops;
	if (ret)
		*ret = res;
	if (r >= 0 && tr.fn_error < 0)
		r = rf_error_set(reterr, tr.fn_error, "recording: %s", strerror(-tr.fn_error));
	return r;
}
