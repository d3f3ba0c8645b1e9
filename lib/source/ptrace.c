/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ptrace recorder. A command is started under a seccomp filter that returns SECCOMP_RET_TRACE,
 * so each syscall costs one stop (PTRACE_EVENT_SECCOMP) instead of two; a call the decoder turns
 * into a FILE/NET/... event is resumed with PTRACE_SYSCALL once more, for its result. An attached
 * process (--pid) cannot get a filter and is followed with PTRACE_SYSCALL. Every wait status is
 * decoded into an enum rf_stop and dispatched (strace's trace_event.h model). Syscall identity
 * comes from PTRACE_GET_SYSCALL_INFO: (arch, nr), never the host's table, so a 32-bit program is
 * recorded under SCMP_ARCH_X86. Waiting is on a signalfd for SIGCHLD plus the stop fd, so a
 * stop request needs no signal handler. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/hashmap.h"
#include "core/macro.h"
#include "decode.h"
#include "ringfence/caps.h"
#include "ringfence/filter.h"
#include "ringfence/log.h"
#include "ringfence/proc.h"
#include "ringfence/ptrace.h"

const char *const rf_ptrace_fast_syscalls[] = {
	"read",
	"write",
	"readv",
	"writev",
	"pread64",
	"pwrite64",
	"futex",
	"poll",
	"ppoll",
	"select",
	"pselect6",
	"epoll_wait",
	"epoll_pwait",
	"lseek",
	"recvfrom",
	"sendto",
	"recvmsg",
	"sendmsg",
	"clock_gettime",
	"gettimeofday",
	"nanosleep",
	"clock_nanosleep",
	"sched_yield",
	"getpid",
	"gettid",
	"rt_sigprocmask",
	NULL,
};

const struct rf_source_info rf_ptrace_source = {
	.name = "ptrace",
	.kinds = RF_EV_BIT(RF_EV_SYSCALL) | RF_EV_BIT(RF_EV_EXEC) | RF_EV_BIT(RF_EV_FORK) |
		 RF_EV_BIT(RF_EV_EXIT) | RF_EV_BIT(RF_EV_FILE) | RF_EV_BIT(RF_EV_NET) |
		 RF_EV_BIT(RF_EV_SIGNAL) | RF_EV_BIT(RF_EV_PTRACE) | RF_EV_BIT(RF_EV_CRED) |
		 RF_EV_BIT(RF_EV_NAMESPACE) | RF_EV_BIT(RF_EV_MODULE) | RF_EV_BIT(RF_EV_BPF) |
		 RF_EV_BIT(RF_EV_MEMORY) | RF_EV_BIT(RF_EV_FD),
	.fields =
		RF_FIELD_PER_CALL | RF_FIELD_ARGS | RF_FIELD_TIME | RF_FIELD_PROC | RF_FIELD_PATHS,
};

enum rf_stop {
	STOP_GONE,	/* exited or killed: forget the tracee (main: keep its status) */
	STOP_SECCOMP,	/* PTRACE_EVENT_SECCOMP: a syscall entry via our filter */
	STOP_SYSCALL,	/* syscall-stop: entry or exit (PTRACE_SYSCALL) */
	STOP_EXEC,	/* PTRACE_EVENT_EXEC: record the new image, resume */
	STOP_NEW_CHILD, /* PTRACE_EVENT_FORK/VFORK/CLONE: the child is auto-attached, resume */
	STOP_GROUP,	/* PTRACE_EVENT_STOP for a stop signal: group-stop, PTRACE_LISTEN */
	STOP_EVENT,	/* other PTRACE_EVENT_STOP (new child, interrupt): resume */
	STOP_SIGNAL,	/* signal-delivery-stop: resume, injecting the signal */
};

struct tracee {
	pid_t tid, tgid;
	bool want_exit; /* resumed with PTRACE_SYSCALL for a decoded call's result */
	struct rf_pending pending;
	struct rf_syscall_id origin; /* the pending call */
};

struct tracer {
	struct rf_hmap tracees; /* tid -> struct tracee */
	pid_t main;
	bool seccomp_mode;
	bool detaching;
	bool started; /* we started the command (else attached) */
	int main_status;
	uint64_t stops;
	rf_event_fn fn;
	rf_gate_fn gate; /* asked before each decoded call runs (fn's userdata) */
	void *userdata;
	int fn_error;
	uint64_t refused;
	struct rf_proctab *procs;
	bool decode;
	bool exec_seen; /* the first exec (the command's) also reports what it inherited */
	struct rf_decoder dec;
};

/* ---- the tracees' memory, for the decoder ---- */

static int read_mem(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EFAULT;
}

/* Page by page: a string may end just before an unmapped page. */
static ssize_t read_str(pid_t tid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;

	while (got + 1 < size) {
		size_t page_left = 4096 - ((addr + got) & 4095), want = size - 1 - got;
		struct iovec local, remote;
		ssize_t n;
		char *nul;

		if (want > page_left)
			want = page_left;
		local = (struct iovec){ buf + got, want };
		remote = (struct iovec){ (void *)(uintptr_t)(addr + got), want };
		n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return got ? -EFAULT : n < 0 ? -errno : -EFAULT;
		nul = memchr(buf + got, '\0', (size_t)n);
		if (nul)
			return nul - buf;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return -ENAMETOOLONG;
}

static const struct rf_decode_io ptrace_io = { .read_mem = read_mem, .read_str = read_str };

/* ---- tracees ---- */

static pid_t read_tgid(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = tid;
	FILE *f;

	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	if (f)
		fclose(f);
	return tgid;
}

static struct tracee *find(struct tracer *tr, pid_t tid)
{
	return rf_hmap_get_u64(&tr->tracees, (uint64_t)tid);
}

static struct tracee *add(struct tracer *tr, pid_t tid, pid_t tgid)
{
	struct tracee *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tid = tid;
	t->tgid = tgid > 0 ? tgid : read_tgid(tid);
	if (rf_hmap_put_u64(&tr->tracees, (uint64_t)tid, t, NULL) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

static struct tracee *find_or_add(struct tracer *tr, pid_t tid)
{
	return find(tr, tid) ?: add(tr, tid, 0);
}

static void tracee_free(void *p)
{
	struct tracee *t = p;

	rf_pending_done(&t->pending);
	free(t);
}

static void forget(struct tracer *tr, pid_t tid)
{
	struct tracee *t = rf_hmap_remove_u64(&tr->tracees, (uint64_t)tid);

	if (t)
		tracee_free(t);
}

/* ---- events ---- */

static void header(struct tracer *tr, const struct tracee *t, struct rf_event *ev)
{
	const struct rf_proc *p = rf_proctab_get(tr->procs, t->tgid);

	ev->tgid = t->tgid;
	ev->tid = t->tid;
	ev->time_ns = rf_boottime_ns();
	ev->proc = p;
	if (p) {
		ev->ppid = p->ppid;
		memcpy(ev->comm, p->comm, sizeof(ev->comm));
	}
}

static void begin_detach(struct tracer *tr)
{
	size_t it = 0;
	struct tracee *t;

	tr->detaching = true;
	while ((t = rf_hmap_next(&tr->tracees, &it)))
		(void)ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
}

static void emit(struct tracer *tr, struct rf_event *ev)
{
	int r;

	if (tr->fn_error)
		return;
	r = tr->fn(ev, tr->userdata);
	if (r >= 0)
		return;
	tr->fn_error = r;
	/* Nothing more is delivered. An attached tree is let go at once; a command we started
	 * runs on under its filter, its stops served without events. */
	if (!tr->started && !tr->detaching)
		begin_detach(tr);
}

static enum rf_stop decode(int status)
{
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status))
		return STOP_GONE;
	sig = WSTOPSIG(status);
	event = (unsigned)status >> 16;
	switch (event) {
	case PTRACE_EVENT_SECCOMP: return STOP_SECCOMP;
	case PTRACE_EVENT_EXEC: return STOP_EXEC;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE: return STOP_NEW_CHILD;
	case PTRACE_EVENT_STOP:
		return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU
			       ? STOP_GROUP
			       : STOP_EVENT;
	default: return sig == (SIGTRAP | 0x80) ? STOP_SYSCALL : STOP_SIGNAL;
	}
}

static void resume(struct tracer *tr, struct tracee *t, int sig)
{
	if (tr->detaching) {
		pid_t tid = t->tid;

		(void)ptrace(PTRACE_DETACH, tid, 0, sig);
		forget(tr, tid);
		return;
	}
	(void)ptrace(t->want_exit || !tr->seccomp_mode ? PTRACE_SYSCALL : PTRACE_CONT, t->tid, 0,
		     sig);
}

/* A decoded call at its entry, the tracee stopped: the consumers' verdict first. A refused call
 * is skipped and fails with the errno; it is reported at once, with ev.denied, and has no exit
 * stop to wait for. When the refusal cannot be made, the call runs and is reported as usual. */
static void gate_call(struct tracer *tr, struct tracee *t)
{
	struct rf_event ev = { .gate = true };
	int err;

	header(tr, t, &ev);
	ev.origin = t->origin;
	rf_decode_preview(t->tid, &t->pending, &ev);
	if (!ev.kind || (err = tr->gate(&ev, tr->userdata)) <= 0 || err > 4095 ||
	    rf_ptrace_refuse_call(t->tid, err) < 0)
		return;
	tr->refused++;
	ev = (struct rf_event){ .denied = true };
	header(tr, t, &ev);
	ev.origin = t->origin;
	rf_decode_exit(&tr->dec, &ptrace_io, t->tid, t->tgid, &t->pending, true, -err, &ev);
	if (ev.kind == RF_EV_FILE && t->pending.gate_path)
		ev.file.path = t->pending.gate_path; /* the name the verdict was on */
	if (ev.kind)
		emit(tr, &ev);
	rf_pending_done(&t->pending);
	t->want_exit = false;
}

static void on_entry(struct tracer *tr, struct tracee *t, uint32_t arch, uint64_t nr,
		     const uint64_t *args)
{
	struct rf_event ev = { .kind = RF_EV_SYSCALL };

	header(tr, t, &ev);
	ev.sc.id.arch = arch;
	ev.sc.id.nr = (int32_t)nr;
	ev.sc.count = 1;
	memcpy(ev.sc.args, args, sizeof(ev.sc.args));
	ev.sc.args_known = 0x3f;
	ev.origin = ev.sc.id;
	emit(tr, &ev);
	t->origin = ev.sc.id;
	if (tr->decode && !tr->fn_error && rf_decoder_wants(&tr->dec, arch, (int32_t)nr))
		t->want_exit = rf_decode_entry(&tr->dec, &ptrace_io, t->tid, t->tgid, (int32_t)nr,
					       args, &t->pending) > 0;
	if (t->want_exit && tr->gate && !tr->fn_error)
		gate_call(tr, t);
}

static void on_exit_of_call(struct tracer *tr, struct tracee *t, bool has_ret, int64_t ret)
{
	struct rf_event ev = { 0 };

	if (t->pending.kind) {
		header(tr, t, &ev);
		ev.origin = t->origin;
		rf_decode_exit(&tr->dec, &ptrace_io, t->tid, t->tgid, &t->pending, has_ret, ret,
			       &ev);
		if (ev.kind)
			emit(tr, &ev);
	}
	rf_pending_done(&t->pending);
	t->want_exit = false;
}

static void on_syscall_stop(struct tracer *tr, struct tracee *t, enum rf_stop kind)
{
	struct __ptrace_syscall_info info = { 0 };
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(info), &info);

	if (n <= 0)
		return;
	if (info.op == PTRACE_SYSCALL_INFO_SECCOMP)
		on_entry(tr, t, info.arch, info.seccomp.nr, info.seccomp.args);
	else if (info.op == PTRACE_SYSCALL_INFO_ENTRY)
		on_entry(tr, t, info.arch, info.entry.nr, info.entry.args);
	else if (info.op == PTRACE_SYSCALL_INFO_EXIT)
		on_exit_of_call(tr, t, true, info.exit.rval);
}

struct exec_emit {
	struct tracer *tr;
	struct rf_event *ev;
};

static void emit_exec_file(const struct rf_ev_file *f, void *userdata)
{
	struct exec_emit *x = userdata;

	x->ev->kind = RF_EV_FILE;
	x->ev->file = *f;
	emit(x->tr, x->ev);
}

static void on_exec(struct tracer *tr, pid_t tid)
{
	struct rf_event ev = { .kind = RF_EV_EXEC };
	unsigned long old = 0;
	const struct rf_proc *p;
	struct tracee *t;
	_cleanup_free_ char *named = NULL;

	/* After a multi-threaded exec the tracee reports under the thread-group leader's id. */
	(void)ptrace(PTRACE_GETEVENTMSG, tid, 0, &old);
	/* The file execve named, resolved as the kernel resolved it (a script, which is not the
	 * exe /proc shows); its call's exit never comes. */
	t = find(tr, (pid_t)old ?: tid);
	if (t && t->pending.kind == RF_EV_FILE && t->pending.file.op == RF_FILE_EXEC &&
	    t->pending.file.path)
		named = realpath(t->pending.file.path, NULL);
	if ((pid_t)old != tid)
		forget(tr, (pid_t)old);
	t = find_or_add(tr, tid);
	if (!t)
		return;
	t->tgid = tid; /* the exec'ing thread is the leader now */
	rf_pending_done(&t->pending);
	t->want_exit = false;
	(void)rf_proctab_exec(tr->procs, tid, NULL, NULL);
	header(tr, t, &ev);
	p = ev.proc;
	ev.exec.path = p ? p->exe : NULL;
	ev.exec.argv = p ? p->argv : NULL;
	ev.exec.is_memfd = p && p->exe && !strncmp(p->exe, "/memfd:", 7);
	emit(tr, &ev);
	if (tr->decode && ev.exec.path) {
		ev.kind = RF_EV_FILE;
		ev.file = (struct rf_ev_file){ .op = RF_FILE_EXEC,
					       .path = p->exe,
					       .access = RF_ACC_EXEC,
					       .flags = -1,
					       .has_ret = true };
		emit(tr, &ev);
		/* The interpreter the kernel mapped, and (first exec) the inherited files. */
		if (named && !streq(named, p->exe)) {
			ev.file.path = named;
			emit(tr, &ev);
		}
		(void)rf_exec_image_files(tid, p->exe, !tr->exec_seen, emit_exec_file,
					  &(struct exec_emit){ tr, &ev });
		tr->exec_seen = true;
	}
}

static void on_new_child(struct tracer *tr, struct tracee *parent, int status)
{
	struct rf_event ev = { .kind = RF_EV_FORK };
	unsigned long child = 0;
	int event = (unsigned)status >> 16;
	pid_t ptid = parent->tid, ptgid = parent->tgid, ctgid;
	struct tracee *c;

	if (ptrace(PTRACE_GETEVENTMSG, ptid, 0, &child) < 0 || child == 0)
		return;
	c = find(tr, (pid_t)child);
	if (!c) {
		/* fork/vfork make a process; clone may make a thread: the kernel knows. */
		ctgid = event == PTRACE_EVENT_CLONE ? read_tgid((pid_t)child) : (pid_t)child;
		c = add(tr, (pid_t)child, ctgid);
		if (!c)
			return;
	}
	ctgid = c->tgid;
	parent = find(tr, ptid); /* the table may have grown */
	if (!parent)
		return;
	if (ctgid != ptgid)
		(void)rf_proctab_fork(tr->procs, ptgid, ctgid, 0);
	header(tr, parent, &ev);
	ev.fork = (struct rf_ev_fork){ .child_tgid = ctgid,
				       .child_tid = (pid_t)child,
				       .thread = ctgid == ptgid };
	emit(tr, &ev);
}

static void on_gone(struct tracer *tr, pid_t tid, int status)
{
	struct tracee *t = find(tr, tid);
	struct rf_event ev = { .kind = RF_EV_EXIT };
	pid_t tgid;

	if (tid == tr->main)
		tr->main_status = status;
	if (!t)
		return;
	tgid = t->tgid;
	header(tr, t, &ev);
	ev.exit = (struct rf_ev_exit){ .has_status = true,
				       .status = status,
				       .group_dead = tid == tgid };
	emit(tr, &ev);
	forget(tr, tid);
	if (tid == tgid) {
		rf_decoder_forget(&tr->dec, tgid);
		rf_proctab_exit(tr->procs, tgid);
	}
}

/* One wait status: decode, act, resume. */
static void dispatch(struct tracer *tr, pid_t tid, int status)
{
	enum rf_stop kind = decode(status);
	struct tracee *t;

	tr->stops++;
	if (kind == STOP_GONE) {
		on_gone(tr, tid, status);
		return;
	}
	t = find_or_add(tr, tid);
	if (!t) {
		(void)ptrace(tr->seccomp_mode ? PTRACE_CONT : PTRACE_SYSCALL, tid, 0, 0);
		return;
	}
	switch (kind) {
	case STOP_SECCOMP:
	case STOP_SYSCALL: on_syscall_stop(tr, t, kind); break;
	case STOP_EXEC: on_exec(tr, tid); break;
	case STOP_NEW_CHILD: on_new_child(tr, t, status); break;
	case STOP_GROUP:
		/* Stay stopped like an untraced process would, but keep seeing events (SIGCONT). */
		if (!tr->detaching) {
			(void)ptrace(PTRACE_LISTEN, tid, 0, 0);
			return;
		}
		break;
	case STOP_SIGNAL: resume(tr, t, WSTOPSIG(status)); return;
	case STOP_EVENT:
	case STOP_GONE: break;
	}
	t = find(tr, tid); /* handlers may have replaced the entry */
	if (t)
		resume(tr, t, 0);
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
	const uint32_t *compat = native == SCMP_ARCH_X86_64    ? compat_x86_64
				 : native == SCMP_ARCH_AARCH64 ? compat_aarch64
							       : NULL;
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
	tr->started = true;
	if (o->child_pid)
		*o->child_pid = pid;
	while (waitpid(pid, &status, WSTOPPED) < 0)
		if (errno != EINTR)
			return rf_error_set(reterr, -errno, "waitpid: %s", strerror(errno));
	if (!WIFSTOPPED(status))
		return rf_error_set(reterr, -ECHILD, "the child did not start");
	if (ptrace(PTRACE_SEIZE, pid, 0,
		   TRACE_OPTIONS | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL) < 0) {
		r = -errno;
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return rf_error_set(
			reterr, r, "cannot trace the child (ptrace seize): %s%s", strerror(-r),
			r == -EPERM ? " (is ptrace restricted: kernel.yama.ptrace_scope?)" : "");
	}
	tr->seccomp_mode = true;
	/* The child is a copy of us until its execve: the table learns it from there. */
	(void)rf_proctab_fork(tr->procs, getpid(), pid, 0);
	if (!add(tr, pid, pid))
		return -ENOMEM;
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

			if (tid <= 0 || find(tr, tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0, TRACE_OPTIONS) < 0) {
				int r = -errno;
				closedir(d);
				return rf_error_set(reterr, r, "cannot attach to %d: %s", (int)tid,
						    strerror(-r));
			}
			(void)ptrace(PTRACE_INTERRUPT, tid, 0, 0);
			if (!add(tr, tid, pid)) {
				closedir(d);
				return -ENOMEM;
			}
			attached++;
		}
		closedir(d);
	}
	return attached > 0 ? 0
			    : rf_error_set(reterr, -ESRCH, "process %d has no threads", (int)pid);
}

static bool stop_requested(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&p, 1, 0) > 0;
}

/* Waits for every tracee to be gone. SIGCHLD is blocked and read from a signalfd so the wait can
 * also watch the stop fd; pending stops are reaped first, without sleeping. */
static int wait_loop(const struct rf_ptrace_opts *o, struct tracer *tr, struct rf_error *reterr)
{
	sigset_t chld, old;
	_cleanup_close_ int sfd = -EBADF;
	int r = 0;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	(void)pthread_sigmask(SIG_BLOCK, &chld, &old);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		r = rf_error_set(reterr, -errno, "signalfd: %s", strerror(errno));
		goto out;
	}
	while (tr->tracees.n > 0) {
		struct pollfd pfd[2] = { { .fd = sfd, .events = POLLIN },
					 { .fd = o->stop_fd, .events = POLLIN } };
		struct signalfd_siginfo si;
		int status;
		pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);

		if (tid > 0) {
			dispatch(tr, tid, status);
			continue;
		}
		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0) {
			if (errno != ECHILD)
				r = rf_error_set(reterr, -errno, "waitpid: %s", strerror(errno));
			break;
		}
		if (!tr->started && !tr->detaching && stop_requested(o->stop_fd))
			begin_detach(tr);
		if (poll(pfd, tr->started || tr->detaching || o->stop_fd < 0 ? 1 : 2, -1) < 0 &&
		    errno != EINTR) {
			r = rf_error_set(reterr, -errno, "poll: %s", strerror(errno));
			break;
		}
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			;
	}
out:
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

int rf_ptrace_record(const struct rf_ptrace_opts *o, rf_event_fn fn, void *userdata,
		     struct rf_ptrace_result *ret, struct rf_error *reterr)
{
	_cleanup_(rf_proctab_freep) struct rf_proctab *own = NULL;
	struct tracer tr = {
		.fn = fn, .userdata = userdata, .main_status = -1, .tracees = RF_HMAP_INIT_U64
	};
	struct rf_ptrace_result res = { .wait_status = -1 };
	uint64_t t0 = rf_now_ns();
	int r;

	if (!o || (!o->argv && o->pid <= 0) || !fn)
		return -EINVAL;
	tr.procs = o->procs;
	if (!tr.procs) {
		r = rf_proctab_new(NULL, &own);
		if (r < 0)
			return r;
		tr.procs = own;
	}
	tr.decode = !o->no_decode;
	tr.gate = o->gate;
	(void)rf_decoder_init(&tr.dec, seccomp_arch_native());
	if (o->learn_dns && tr.decode)
		rf_decoder_learn_dns(&tr.dec);
	r = o->argv ? start_command(o, &tr, &res, reterr) : attach_pid(o->pid, &tr, reterr);
	if (r >= 0)
		r = wait_loop(o, &tr, reterr);
	rf_hmap_done(&tr.tracees, tracee_free);
	rf_decoder_done(&tr.dec);
	res.wait_status = tr.main_status;
	res.duration_ns = rf_now_ns() - t0;
	res.stops = tr.stops;
	res.refused = tr.refused;
	if (ret)
		*ret = res;
	if (r >= 0 && tr.fn_error < 0)
		r = rf_error_set(reterr, tr.fn_error, "recording stopped: %s",
				 strerror(-tr.fn_error));
	return r;
}
