/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* strace log importer: turns `strace [-f|-ff] [-t|-tt|-ttt|-r] [-T] [-y] [-i] [-n] [-k]` output
 * into the rf_event stream the recorders produce. One pass over the text with explicit state and no
 * recursion (plus a dry "survey" pass first), so any input is safe to feed it.
 *
 * What a consumer gets, in log order:
 * - RF_EV_SYSCALL once per call, at its entry line (complete or "<unfinished ...>"; the
 *   "<... x resumed>" line emits nothing). sc = (arch of the task's current personality, nr from
 *   libseccomp); names libseccomp does not know for that arch (or maps to a negative pseudo
 *   number) fail with "file:line: syscall 'x' is unknown for SCMP_ARCH_..." unless ignore_unknown.
 *   ret/has_ret: only on complete lines with a numeric result; "= -1 ENOENT (...)" gives -ENOENT
 *   (the kernel's value, as the recorders see it; -1 if libc does not know the name); "= ?" and
 *   unfinished calls have no result. args: best effort, positional, only plain decimal/hex numbers
 *   (and NULL) decode, symbolic values ("AF_INET", "O_RDONLY|O_CLOEXEC"), strings and structs are
 *   0 — record with `strace -X raw` (or -X verbose) when argument values matter. clone's named
 *   arguments are not decoded (strace's order is not the ABI's).
 * - RF_EV_EXEC after a successful execve/execveat (also when its result comes on a resumed line),
 *   path = the unescaped first string argument (NULL if strace truncated it).
 * - RF_EV_FILE after a complete open/openat/openat2/creat line (strace-decode.c): the -y path of
 *   the returned fd when there is one (the kernel's resolution), else the first string argument
 *   as written (relative paths stay relative: a log has no cwd); access from the symbolic flags;
 *   the result, failures included.
 * - RF_EV_FORK when clone/clone3/fork/vfork returns a child: the header is the parent, the
 *   payload the child (tid, tgid, thread or process).
 * - RF_EV_EXIT for "+++ exited with N +++" / "+++ killed by SIGX [(core dumped)] +++": status is
 *   the wait status (W_EXITCODE(N, 0), or signo | 0x80 for a core dump).
 * tid = strace's pid column; tgid = the thread group (known from CLONE_THREAD); comm only from -Y
 * ("1234<comm>"); time_ns from -t/-tt/-ttt/-r stamps (the log's clock), else 0; proc and
 * cgroup_id are left empty. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/arch.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "ringfence/log.h"
#include "ringfence/strace_log.h"
#include "strace-internal.h"

const struct rf_source_info rf_strace_source = {
	.name = "strace-log",
	.kinds = RF_EV_BIT(RF_EV_SYSCALL) | RF_EV_BIT(RF_EV_EXEC) | RF_EV_BIT(RF_EV_FORK) |
		 RF_EV_BIT(RF_EV_EXIT) | RF_EV_BIT(RF_EV_FILE),
	.fields = RF_FIELD_PER_CALL | RF_FIELD_ARGS | RF_FIELD_RET | RF_FIELD_LOG_TIME |
		  RF_FIELD_PATHS,
};

#define STRACE_MAX_BYTES                                                                           \
	(256u << 20)	     /* rf_strace_parse_file: logs larger than this are refused            \
			      */
#define MAX_TASKS (1u << 20) /* tasks tracked for tgid/arch/pending; more are untracked */
#define MAX_NAME  64	     /* longer "names" are reported as unknown, truncated */

enum pend { PEND_NONE, PEND_EXEC, PEND_FORK, PEND_THREAD };

/* What we know about one traced task (strace's "pid" is a tid). */
struct task {
	int32_t tid, tgid, ppid;
	uint32_t arch;
	bool live;
	bool child;	    /* created by a clone/fork we saw */
	unsigned long seen; /* survey: line of its first pid column, 0 = none */
	enum pend pend;	    /* an <unfinished ...> execve/clone waiting for its result */
	char *path;	    /* PEND_EXEC: the path, owned */
};

struct parser {
	const char *source;
	const struct rf_strace_opts *opts;
	rf_event_fn fn;
	void *userdata;
	struct rf_error *err;
	unsigned line;
	bool last_line;
	uint32_t native;
	bool survey;	    /* dry run that only learns tasks, to find the root pid */
	int32_t root;	    /* the task unprefixed lines belong to while several tasks live */
	struct task *tasks; /* sorted by tid */
	struct task *ident; /* the survey's tasks: tgid/ppid known from the whole log */
	size_t n_ident;
	size_t n_tasks, cap_tasks, n_live;
	int32_t solo;	  /* cache: the live task while n_live == 1, 0 = look it up */
	const char *comm; /* -Y: this line's "<comm>" after the pid, not NUL-terminated */
	size_t comm_len;
	uint64_t time_ns; /* the log's clock at this line (0: no stamps) */
	bool summary;	  /* inside a -c/-C summary table: the rest of the log is skipped */
};

/* ---- tasks ---- */

static struct task *bsearch_tid(struct task *v, size_t n, int32_t tid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].tid == tid)
			return &v[mid];
		if (v[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct task *task_find(struct parser *ps, int32_t tid)
{
	return bsearch_tid(ps->tasks, ps->n_tasks, tid);
}

/* Finds or adds; NULL for tid 0, on allocation failure and past MAX_TASKS (untracked). */
static struct task *task_get(struct parser *ps, int32_t tid)
{
	struct task *t = task_find(ps, tid), *n, *id;
	size_t at = 0;

	if (t || tid <= 0 || ps->n_tasks >= MAX_TASKS)
		return t;
	if (ps->n_tasks == ps->cap_tasks) {
		size_t cap = ps->cap_tasks ? ps->cap_tasks * 2 : 16;

		n = realloc(ps->tasks, cap * sizeof(*n));
		if (!n)
			return NULL;
		ps->tasks = n;
		ps->cap_tasks = cap;
	}
	n = ps->tasks;
	while (at < ps->n_tasks && n[at].tid < tid)
		at++;
	memmove(&n[at + 1], &n[at], (ps->n_tasks - at) * sizeof(*n));
	n[at] = (struct task){ .tid = tid, .tgid = tid, .arch = ps->native, .live = true };
	id = bsearch_tid(ps->ident, ps->n_ident, tid);
	if (id) { /* a thread that prints before its clone returns: the survey knows its tgid */
		n[at].tgid = id->tgid;
		n[at].ppid = id->ppid;
	}
	ps->n_tasks++;
	ps->n_live++;
	ps->solo = 0;
	return &n[at];
}

static void pend_clear(struct task *t)
{
	t->pend = PEND_NONE;
	free(t->path);
	t->path = NULL;
}

static void task_end(struct parser *ps, struct task *t)
{
	if (!t)
		return;
	if (t->live)
		ps->n_live--;
	ps->solo = 0;
	t->live = false;
	pend_clear(t);
}

/* The tid of a line without a pid column: strace drops the prefix while one task is traced. */
static int32_t unprefixed_tid(struct parser *ps)
{
	if (ps->n_live == 1 && ps->solo)
		return ps->solo;
	if (ps->n_live == 1)
		for (size_t i = 0; i < ps->n_tasks; i++)
			if (ps->tasks[i].live)
				return (ps->solo = ps->tasks[i].tid);
	return ps->root ? ps->root : ps->opts->pid;
}

/* ---- events ---- */

static int emit(struct parser *ps, struct rf_event *ev, int32_t tid)
{
	struct task *t = task_find(ps, tid);

	if (ps->survey)
		return 0;
	ev->tid = tid;
	ev->tgid = t ? t->tgid : tid;
	ev->ppid = t ? t->ppid : 0;
	ev->time_ns = ps->time_ns;
	if (ps->comm)
		memcpy(ev->comm, ps->comm,
		       ps->comm_len < sizeof(ev->comm) ? ps->comm_len : sizeof(ev->comm) - 1);
	return ps->fn(ev, ps->userdata);
}

static bool name_is(const struct call *c, const char *n)
{
	return c->name_len == strlen(n) && memcmp(c->name, n, c->name_len) == 0;
}

static enum pend pend_kind(const struct call *c)
{
	if (name_is(c, "execve") || name_is(c, "execveat"))
		return PEND_EXEC;
	if (name_is(c, "clone") || name_is(c, "clone3") || name_is(c, "fork") ||
	    name_is(c, "vfork"))
		return c->thread ? PEND_THREAD : PEND_FORK;
	return PEND_NONE;
}

/* A finished execve/clone: EXEC with the path, or the new task (inherits arch; tgid if thread). */
static int finish(struct parser *ps, int32_t tid, enum pend kind, const char *path, int64_t ret)
{
	struct task *parent, *child;
	struct rf_event ev = { 0 };

	if (kind == PEND_EXEC && ret == 0) {
		parent = task_find(ps, tid);
		/* execve ends the other threads (bounded: this is only for unprefixed lines) */
		for (size_t i = 0;
		     parent && ps->n_live > 1 && ps->n_tasks <= 4096 && i < ps->n_tasks; i++)
			if (ps->tasks[i].tgid == parent->tgid && ps->tasks[i].tid != tid)
				task_end(ps, &ps->tasks[i]);
		ev.kind = RF_EV_EXEC;
		ev.exec.path = path;
		return emit(ps, &ev, tid);
	}
	if ((kind != PEND_FORK && kind != PEND_THREAD) || ret <= 0 || ret > INT32_MAX)
		return 0;
	child = task_get(ps, (int32_t)ret); /* may move the array: look the parent up after */
	parent = task_find(ps, tid);
	if (child)
		child->child = true;
	if (child && parent) {
		child->arch = parent->arch;
		child->tgid = kind == PEND_THREAD ? parent->tgid : child->tid;
		child->ppid = kind == PEND_THREAD ? parent->ppid : parent->tgid;
	}
	ev.kind = RF_EV_FORK;
	ev.fork.child_tid = (int32_t)ret;
	ev.fork.child_tgid = child ? child->tgid : (int32_t)ret;
	ev.fork.thread = kind == PEND_THREAD;
	return emit(ps, &ev, tid);
}

static int syscall_line(struct parser *ps, int32_t tid, const char *p, const char *e)
{
	struct call c = { .name = p };
	struct task *t = task_get(ps, tid);
	uint32_t arch = t ? t->arch : ps->native;
	char name[MAX_NAME + 1];
	struct rf_event ev = { .kind = RF_EV_SYSCALL };
	const char *q;
	_cleanup_free_ char *path = NULL;
	int nr, r;

	while (p < e && (isalnum((unsigned char)*p) || *p == '_'))
		p++;
	c.name_len = (size_t)(p - c.name);
	q = strace_scan_args(p + 1, e, &c);
	if ((name_is(&c, "clone") || name_is(&c, "clone3")) &&
	    memmem(p, (size_t)((q ?: e) - p), "CLONE_THREAD", 12))
		c.thread = true;
	if (!q && !ps->last_line)
		return rf_error_set_at(ps->err, -EINVAL, ps->source, ps->line,
				       "unterminated argument list of '%.*s'", (int)c.name_len,
				       c.name);
	if (q && c.closed)
		strace_parse_ret(q, e, &c);
	snprintf(name, sizeof(name), "%.*s", (int)c.name_len, c.name);
	nr = seccomp_syscall_resolve_name_arch(arch, name);
	if (nr < 0 && c.name_len > 8 && pfx(c.name, e, "syscall_")) { /* strace's unknown-nr form */
		uint64_t v;
		const char *ve = strace_parse_u64(c.name + 8, c.name + c.name_len, &v);
		_cleanup_free_ char *known = NULL; /* libseccomp's name for it, allocated */

		if (ve == c.name + c.name_len && v < INT32_MAX &&
		    (known = seccomp_syscall_resolve_num_arch(arch, (int)v)))
			nr = (int)v;
	}
	if (nr < 0) { /* libseccomp's negative pseudo numbers: known name, not on this arch */
		if (ps->survey)
			return 0;
		if (!ps->opts->ignore_unknown)
			return rf_error_set_at(ps->err, -EINVAL, ps->source, ps->line,
					       "syscall '%s' is unknown for %s", name,
					       rf_arch_oci_name(arch) ?: "this architecture");
		rf_log(RF_LOG_WARNING, "%s:%u: syscall '%s' is unknown for %s, skipped", ps->source,
		       ps->line, name, rf_arch_oci_name(arch) ?: "this architecture");
		return 0;
	}
	ev.sc.id.arch = arch;
	ev.sc.id.nr = nr;
	ev.sc.count = 1;
	memcpy(ev.sc.args, c.args, sizeof(ev.sc.args));
	ev.sc.args_known = c.args_known;
	ev.sc.ret = c.ret;
	ev.sc.has_ret = c.has_ret;
	ev.origin = ev.sc.id;
	r = emit(ps, &ev, tid);
	if (r < 0)
		return r;
	/* A complete open line also becomes a file event (an unfinished one has no result). */
	if (!c.unfinished) {
		_cleanup_free_ char *fpath = NULL;
		struct rf_event fev = { 0 };

		r = strace_decode_file(&c, &fev, &fpath);
		fev.origin = ev.sc.id;
		if (r > 0)
			r = emit(ps, &fev, tid);
		if (r < 0)
			return r;
	}
	if (pend_kind(&c) == PEND_EXEC && c.str && !c.str_truncated &&
	    strace_unescape(c.str, c.str_end, &path) < 0)
		return -ENOMEM;
	if (c.unfinished && t && pend_kind(&c) != PEND_NONE) {
		pend_clear(t);
		t->pend = pend_kind(&c);
		t->path = TAKE_PTR(path);
		return 0;
	}
	return c.has_ret ? finish(ps, tid, pend_kind(&c), path, c.ret) : 0;
}

/* "<... NAME resumed>TAIL" (NAME may be missing): fills the result of a pending execve/clone. */
static int resumed_line(struct parser *ps, int32_t tid, const char *p, const char *e)
{
	struct call c = { 0 };
	struct task *t = task_find(ps, tid);
	const char *q;
	_cleanup_free_ char *path = NULL;
	enum pend kind;

	p = skip_sp(p + 4, e);
	c.name = p;
	while (p < e && (isalnum((unsigned char)*p) || *p == '_'))
		p++;
	c.name_len = (size_t)(p - c.name);
	p = skip_sp(p, e);
	if (!pfx(p, e, "resumed>"))
		return rf_error_set_at(ps->err, -EINVAL, ps->source, ps->line,
				       "not an strace line (bad '<... resumed>')");
	q = strace_scan_args(p + 8, e, &c);
	if (q && c.closed)
		strace_parse_ret(q, e, &c);
	if (!t || t->pend == PEND_NONE || c.unfinished)
		return 0;
	kind = t->pend;
	path = TAKE_PTR(t->path);
	t->pend = PEND_NONE;
	if (c.name_len && (pend_kind(&c) == PEND_EXEC) != (kind == PEND_EXEC))
		return 0; /* resumed something else: the pending call never returned */
	return c.has_ret ? finish(ps, tid, kind, path, c.ret) : 0;
}

/* "+++ exited with N +++", "+++ killed by SIGX [(core dumped)] +++",
 * "+++ superseded by execve in pid N +++" */
static int exit_line(struct parser *ps, int32_t tid, const char *p, const char *e)
{
	struct rf_event ev = { .kind = RF_EV_EXIT };
	struct task *t = task_find(ps, tid);
	uint64_t v;
	int32_t old;
	int r;

	p = skip_sp(p + 3, e);
	if (pfx(p, e, "superseded by execve in pid ")) {
		struct task *o;

		if (strace_parse_pid(p + 28, e, &old) && old != tid && (t = task_get(ps, tid)) &&
		    (o = task_find(ps, old))) {
			pend_clear(t);
			t->pend = o->pend;
			t->path = TAKE_PTR(o->path);
			task_end(ps, o);
		}
		return 0;
	}
	if (pfx(p, e, "exited with ") && strace_parse_u64(p + 12, e, &v) && v < 256) {
		ev.exit.status = W_EXITCODE((int)v, 0);
		ev.exit.has_status = true;
	} else if (pfx(p, e, "killed by ")) {
		const char *s = p + 10, *se = s;
		int sig;

		while (se < e && (isalnum((unsigned char)*se) || *se == '_' || *se == '+'))
			se++;
		sig = strace_signal_from_name(s, se);
		if (sig > 0) {
			ev.exit.status =
				sig | (memmem(se, (size_t)(e - se), "core dumped", 11) ? 0x80 : 0);
			ev.exit.has_status = true;
		}
	} else
		return rf_error_set_at(ps->err, -EINVAL, ps->source, ps->line,
				       "not an strace line (unknown '+++' record)");
	ev.exit.group_dead = !t || t->tgid == tid;
	r = emit(ps, &ev, tid);
	task_end(ps, t);
	return r;
}

/* "[ Process PID=1234 runs in 32 bit mode. ]" (older: "PID 1234"); strace's error_msg prefix
 * "strace: " is stripped by the caller. */
static int personality_line(struct parser *ps, const char *p, const char *e)
{
	int32_t pid;
	const char *m;
	uint32_t arch = 0;
	struct task *t;

	p += strlen("[ Process PID");
	p = (p < e && *p == '=') ? p + 1 : skip_sp(p, e);
	p = strace_parse_pid(p, e, &pid);
	if (!p || !pfx(p, e, " runs in "))
		goto bad;
	m = p + 9;
	if (pfx(m, e, "64 bit mode") || pfx(m, e, "64-bit mode"))
		arch = ps->native;
	else if (pfx(m, e, "x32 mode") && ps->native == SCMP_ARCH_X86_64)
		arch = SCMP_ARCH_X32;
	else if (pfx(m, e, "32 bit mode") || pfx(m, e, "32-bit mode"))
		arch = ps->native == SCMP_ARCH_X86_64	 ? SCMP_ARCH_X86
		       : ps->native == SCMP_ARCH_AARCH64 ? SCMP_ARCH_ARM
		       : ps->native == SCMP_ARCH_PPC64 || ps->native == SCMP_ARCH_PPC64LE
			       ? SCMP_ARCH_PPC
		       : ps->native == SCMP_ARCH_S390X ? SCMP_ARCH_S390
						       : 0;
	if (!arch)
		return rf_error_set_at(ps->err, -EINVAL, ps->source, ps->line,
				       "personality not supported for %s",
				       rf_arch_oci_name(ps->native) ?: "this architecture");
	t = task_get(ps, pid);
	if (t)
		t->arch = arch;
	return 0;
bad:
	return rf_error_set_at(ps->err, -EINVAL, ps->source, ps->line,
			       "not an strace line (bad personality record)");
}

static int parse_line(struct parser *ps, const char *p, const char *e)
{
	uint64_t stamp;
	int stamp_kind;
	int32_t tid;

	if (e > p && e[-1] == '\r')
		e--;
	p = skip_sp(p, e);
	if (p == e || ps->summary)
		return 0;
	if (pfx(p, e, "% time ")) { /* -c/-C summary: a table, not events */
		ps->summary = true;
		return 0;
	}
	if (pfx(p, e, "strace: ")) {
		int32_t pid;
		const char *q;

		p += 8;
		if (pfx(p, e, "[ Process PID"))
			return personality_line(ps, p, e);
		/* "strace: Process N attached" (-p): a task strace did not see being created */
		if (ps->survey && pfx(p, e, "Process ") && (q = strace_parse_pid(p + 8, e, &pid)) &&
		    pfx(q, e, " attached")) {
			struct task *t = task_get(ps, pid);

			if (t && !t->seen)
				t->seen = ps->line;
		}
		return 0;
	}
	if (pfx(p, e, "[ Process PID"))
		return personality_line(ps, p, e);
	if (*p == '>') /* -k stack frame */
		return 0;
	p = strace_leader(p, e, &tid, &ps->comm, &ps->comm_len, &stamp, &stamp_kind);
	if (stamp_kind == 1)
		ps->time_ns = stamp;
	else if (stamp_kind == 2)
		ps->time_ns += stamp;
	if (tid == 0 && !ps->survey) {
		tid = unprefixed_tid(ps);
	} else if (tid != 0 && ps->survey) {
		struct task *t = task_get(ps, tid);

		if (t && !t->seen)
			t->seen = ps->line;
	}
	if (p == e || pfx(p, e, "---") || *p == '>' || pfx(p, e, "???"))
		return 0;
	if (pfx(p, e, "+++"))
		return exit_line(ps, tid, p, e);
	if (pfx(p, e, "<..."))
		return resumed_line(ps, tid, p, e);
	if (isalpha((unsigned char)*p) || *p == '_') {
		const char *q = p;

		while (q < e && (isalnum((unsigned char)*q) || *q == '_'))
			q++;
		if (q < e && *q == '(')
			return syscall_line(ps, tid, p, e);
	}
	return rf_error_set_at(ps->err, -EINVAL, ps->source, ps->line, "not an strace line");
}

static int run(struct parser *ps, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	ps->line = 0;
	ps->summary = false;
	ps->time_ns = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *m;
		int r;

		ps->line++;
		ps->last_line = !nl || nl + 1 == end;
		m = nl ? strace_spliced_notice(p, e) : NULL;
		if (m) { /* parse "head" + the next line as one, under this line's number */
			const char *n = nl + 1, *nnl = memchr(n, '\n', (size_t)(end - n));
			const char *ne = nnl ? nnl : end;
			_cleanup_free_ char *joined =
				malloc((size_t)(m - p) + (size_t)(ne - n) + 1);

			if (!joined)
				return -ENOMEM;
			memcpy(joined, p, (size_t)(m - p));
			memcpy(joined + (m - p), n, (size_t)(ne - n));
			ps->last_line = !nnl || nnl + 1 == end;
			r = parse_line(ps, joined, joined + (m - p) + (ne - n));
			ps->line++;
			nl = nnl;
		} else
			r = parse_line(ps, p, e);
		if (r < 0)
			return r;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

static void reset_tasks(struct parser *ps)
{
	for (size_t i = 0; i < ps->n_tasks; i++)
		free(ps->tasks[i].path);
	free(ps->tasks);
	ps->tasks = NULL;
	ps->n_tasks = ps->cap_tasks = ps->n_live = 0;
	ps->solo = 0;
}

/* The first task with a pid column that no clone seen in the log created: strace's own child. */
static int32_t survey_root(const struct parser *ps)
{
	const struct task *best = NULL;

	for (size_t i = 0; i < ps->n_tasks; i++) {
		const struct task *t = &ps->tasks[i];

		if (t->seen && !t->child && (!best || t->seen < best->seen))
			best = t;
	}
	return best ? best->tid : 0;
}

int rf_strace_parse(const char *text, size_t len, const char *source,
		    const struct rf_strace_opts *opts, rf_event_fn fn, void *userdata,
		    struct rf_error *reterr)
{
	static const struct rf_strace_opts defaults = { 0 };
	struct parser ps = {
		.source = source ?: "<strace>",
		.opts = opts ?: &defaults,
		.fn = fn,
		.userdata = userdata,
		.err = reterr,
	};
	int r;

	if (!text && len)
		return -EINVAL;
	ps.native = ps.opts->native_arch ?: seccomp_arch_native();
	if (!rf_arch_oci_name(ps.native))
		return rf_error_set(reterr, -EINVAL, "%s: unknown architecture token 0x%x",
				    ps.source, ps.native);
	/* Survey: a dry run that learns tgids (threads print before their clone returns) and,
	 * for strace -f to stderr, whom the unprefixed lines belong to. */
	ps.survey = true;
	ps.err = NULL;
	(void)run(&ps, text, len);
	ps.root = survey_root(&ps);
	for (size_t i = 0; i < ps.n_tasks; i++) {
		free(ps.tasks[i].path);
		ps.tasks[i].path = NULL;
	}
	ps.n_ident = ps.n_tasks;
	ps.ident = TAKE_PTR(ps.tasks);
	ps.n_tasks = 0;
	reset_tasks(&ps);
	ps.survey = false;
	ps.err = reterr;
	if (ps.opts->pid > 0)
		ps.root = ps.opts->pid;
	if (ps.root)
		(void)task_get(&ps, ps.root);
	r = run(&ps, text, len);
	reset_tasks(&ps);
	free(ps.ident);
	return r;
}

int rf_strace_parse_file(const char *path, const struct rf_strace_opts *opts, rf_event_fn fn,
			 void *userdata, struct rf_error *reterr)
{
	struct rf_strace_opts o = opts ? *opts : (struct rf_strace_opts){ 0 };
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = rf_read_file(path, STRACE_MAX_BYTES, &text, &len, reterr);
	if (r < 0)
		return r;
	if (o.pid <= 0 && !streq(path, "-"))
		o.pid = strace_pid_from_name(path);
	return rf_strace_parse(text, len, path, &o, fn, userdata, reterr);
}
