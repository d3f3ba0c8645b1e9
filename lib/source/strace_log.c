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
 * - RF_EV_FORK when clone/clone3/fork/vfork returns a child: pid/tid = the child, ppid.
 * - RF_EV_EXIT for "+++ exited with N +++" / "+++ killed by SIGX [(core dumped)] +++": ret is the
 *   wait status (W_EXITCODE(N, 0), or signo | 0x80 for a core dump), has_ret true.
 * tid = strace's pid column; pid = the thread group (known from CLONE_THREAD); comm only from -Y
 * ("1234<comm>"); time_ns, exe and cgroup_id are left 0/empty. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/arch.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "ringfence/log.h"
#include "ringfence/strace_log.h"

#define STRACE_MAX_BYTES                                                                           \
	(256u << 20)	     /* rf_strace_parse_file: logs larger than this are refused            \
			      */
#define MAX_TASKS (1u << 20) /* tasks tracked for tgid/arch/pending; more are untracked */
#define MAX_NAME 64	     /* longer "names" are reported as unknown, truncated */

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
	bool summary; /* inside a -c/-C summary table: the rest of the log is skipped */
};

/* One parsed syscall line (or resumed tail). */
struct call {
	const char *name;
	size_t name_len;
	uint64_t args[6];
	uint8_t args_known; /* bit i: args[i] was a number in the log, not a symbol */
	const char *str, *str_end; /* first top-level string argument, without quotes */
	bool str_truncated;	   /* followed by strace's "..." */
	bool unfinished, closed, has_ret, thread;
	int64_t ret;
};

static bool pfx(const char *p, const char *e, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(e - p) >= n && memcmp(p, s, n) == 0;
}

static const char *skip_sp(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Unsigned decimal or 0x hex; stops at the first other byte. Returns the end, or NULL. */
static const char *parse_u64(const char *p, const char *e, uint64_t *ret)
{
	uint64_t v = 0;
	bool hex = pfx(p, e, "0x") || pfx(p, e, "0X");
	const char *s;

	if (hex)
		p += 2;
	for (s = p; p < e && (hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p));
	     p++) {
		unsigned d = isdigit((unsigned char)*p)
				 ? (unsigned)(*p - '0')
				 : (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		unsigned base = hex ? 16 : 10;

		if (v > (UINT64_MAX - d) / base)
			return NULL;
		v = v * base + d;
	}
	if (p == s)
		return NULL;
	*ret = v;
	return p;
}

/* A decimal pid in 1..INT32_MAX; returns the end, or NULL. */
static const char *parse_pid(const char *p, const char *e, int32_t *ret)
{
	int64_t v = 0;
	const char *s = p;

	for (; p < e && isdigit((unsigned char)*p) && v <= INT32_MAX; p++)
		v = v * 10 + (*p - '0');
	if (p == s || v == 0 || v > INT32_MAX)
		return NULL;
	*ret = (int32_t)v;
	return p;
}

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
	n[at] = (struct task){.tid = tid, .tgid = tid, .arch = ps->native, .live = true};
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
	ev->pid = t ? t->tgid : tid;
	ev->ppid = t ? t->ppid : 0;
	if (ps->comm && ev->kind == RF_EV_SYSCALL)
		memcpy(ev->comm, ps->comm,
		       ps->comm_len < sizeof(ev->comm) ? ps->comm_len : sizeof(ev->comm) - 1);
	return ps->fn(ev, ps->userdata);
}

/* Name → errno through libc (strerrorname_np), never a hand table. 0 when unknown. */
static int errno_from_name(const char *p, const char *e)
{
	for (int i = 1; i < 4096; i++) {
		const char *n = strerrorname_np(i);

		if (n && strlen(n) == (size_t)(e - p) && memcmp(n, p, (size_t)(e - p)) == 0)
			return i;
	}
	return 0;
}

static int signal_from_name(const char *p, const char *e)
{
	if (pfx(p, e, "SIG"))
		p += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *n = sigabbrev_np(i);

		if (n && strlen(n) == (size_t)(e - p) && memcmp(n, p, (size_t)(e - p)) == 0)
			return i;
	}
	return 0;
}

/* "= 3</etc/passwd> <0.000012>", "= -1 ENOENT (...)", "= 0x55d0...", "= ? ERESTARTSYS" */
static void parse_ret(const char *p, const char *e, struct call *c)
{
	bool neg;
	uint64_t v;
	const char *q;

	p = skip_sp(p, e);
	if (p >= e || *p != '=')
		return;
	p = skip_sp(p + 1, e);
	neg = p < e && *p == '-';
	q = parse_u64(p + neg, e, &v);
	if (!q || (neg && v > (uint64_t)INT64_MAX))
		return;
	c->has_ret = true;
	c->ret = neg ? -(int64_t)v : (int64_t)v;
	if (neg && v == 1) { /* the kernel's view: -errno, as the recorders see it */
		const char *n = skip_sp(q, e), *ne = n;
		int er;

		while (ne < e && (isupper((unsigned char)*ne) || isdigit((unsigned char)*ne)))
			ne++;
		er = ne > n ? errno_from_name(n, ne) : 0;
		if (er > 0)
			c->ret = -er;
	}
}

/* Best-effort numeric value of one top-level argument: "123", "-100", "0x1f", "NULL", a number
 * followed by a -y "<...>" decoration or a -X verbose comment. Symbolic values stay 0. */
static bool decode_arg(const char *p, const char *e, uint64_t *ret)
{
	bool neg;
	uint64_t v;

	p = skip_sp(p, e);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (pfx(p, e, "NULL") && e - p == 4) {
		*ret = 0;
		return true;
	}
	neg = p < e && *p == '-';
	p = parse_u64(p + neg, e, &v);
	if (!p || (p < e && *p != '<' && *p != ' '))
		return false;
	p = skip_sp(p, e);
	if (p < e && *p != '<' && !pfx(p, e, "/*"))
		return false;
	*ret = neg ? (uint64_t)-v : v;
	return true;
}

static void note_arg(struct call *c, unsigned idx, const char *a, const char *e)
{
	const char *eq = NULL;
	uint64_t v;

	for (const char *q = a; q < e && (isalnum((unsigned char)*q) || *q == '_' || *q == '=');
	     q++)
		if (*q == '=') {
			eq = q;
			break;
		}
	if (eq) { /* named (clone's "flags=..."): strace's display order is not the ABI's */
		bool is_clone = c->name_len == 5 && memcmp(c->name, "clone", 5) == 0;

		if (is_clone && eq - a == 5 && memcmp(a, "flags", 5) == 0 &&
		    decode_arg(eq + 1, e, &v) && (v & CLONE_THREAD))
			c->thread = true;
		return;
	}
	if (idx < ELEMENTSOF(c->args) && decode_arg(a, e, &v)) {
		c->args[idx] = v;
		c->args_known |= (uint8_t)(1u << idx);
	}
}

/* Scans an argument list from just inside '(' (or a resumed tail) to the matching ')'. Returns
 * the byte after ')' or after "<unfinished ...>", or NULL when the line ends first. Explicit
 * depth counters, no recursion: "{[(" nest, strings and -y "<...>" decorations are opaque. */
static const char *scan_args(const char *p, const char *e, struct call *c)
{
	long depth = 0;
	unsigned idx = 0;
	const char *arg = p;

	while (p < e) {
		char ch = *p;

		if (ch == '"') {
			const char *s = ++p;

			while (p < e && *p != '"')
				p += (*p == '\\' && p + 1 < e) ? 2 : 1;
			if (p >= e)
				return NULL;
			if (depth == 0 && !c->str) {
				c->str = s;
				c->str_end = p;
				c->str_truncated = pfx(p + 1, e, "...");
			}
			p++;
		} else if (ch == '/' && pfx(p, e, "/*")) {
			const char *q = memmem(p + 2, (size_t)(e - p - 2), "*/", 2);

			p = q ? q + 2 : e;
		} else if (ch == '<' && pfx(p, e, "<unfinished ...>")) {
			if (depth == 0 && skip_sp(arg, p) < p)
				note_arg(c, idx, arg, p);
			c->unfinished = true;
			return p + 16;
		} else if (ch ==
			   '<') { /* -y decoration: "3</x>", "<TCP:[a->b]>", "<... resuming ...>" */
			const char *q = p + 1;
			long d = 0;

			while (q < e && (*q != '>' || d > 0)) {
				d += (*q == '[') - (*q == ']');
				q += (*q == '\\' && q + 1 < e) ? 2 : 1;
			}
			p = q < e ? q + 1 : p + 1;
		} else {
			if (ch == '(' || ch == '[' || ch == '{')
				depth++;
			else if ((ch == ')' || ch == ']' || ch == '}') && --depth < 0) {
				if (p > arg || idx > 0)
					note_arg(c, idx, arg, p);
				c->closed = true;
				return p + 1;
			} else if (ch == ',' && depth == 0) {
				note_arg(c, idx++, arg, p);
				arg = p + 1;
			}
			p++;
		}
	}
	return NULL;
}

/* C-unescapes strace's quoted string (\n, \t, \", \\, \ooo, \xhh) into *ret (caller frees);
 * *ret is NULL when it holds a NUL byte, which no path can. */
static int unescape(const char *p, const char *e, char **ret)
{
	char *s = malloc((size_t)(e - p) + 1), *o = s;

	*ret = NULL;
	if (!s)
		return -ENOMEM;
	while (p < e) {
		if (*p != '\\' || p + 1 >= e) {
			*o++ = *p++;
			continue;
		}
		p++;
		if (*p == 'x') {
			unsigned v = 0, n = 0;

			for (p++; n < 2 && p < e && isxdigit((unsigned char)*p); n++, p++)
				v = v * 16 +
				    (unsigned)(isdigit((unsigned char)*p)
						   ? *p - '0'
						   : tolower((unsigned char)*p) - 'a' + 10);
			*o++ = (char)v;
		} else if (*p >= '0' && *p <= '7') {
			unsigned v = 0, n = 0;

			for (; n < 3 && p < e && *p >= '0' && *p <= '7'; n++, p++)
				v = v * 8 + (unsigned)(*p - '0');
			*o++ = (char)v;
		} else {
			const char *from = "ntrvfab", *to = "\n\t\r\v\f\a\b", *k = strchr(from, *p);

			*o++ = (k && *p) ? to[k - from] : *p;
			p++;
		}
	}
	*o = '\0';
	if (memchr(s, '\0', (size_t)(o - s)))
		free(s);
	else
		*ret = s;
	return 0;
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
	struct rf_event ev = {0};

	if (kind == PEND_EXEC && ret == 0) {
		parent = task_find(ps, tid);
		/* execve ends the other threads (bounded: this is only for unprefixed lines) */
		for (size_t i = 0;
		     parent && ps->n_live > 1 && ps->n_tasks <= 4096 && i < ps->n_tasks; i++)
			if (ps->tasks[i].tgid == parent->tgid && ps->tasks[i].tid != tid)
				task_end(ps, &ps->tasks[i]);
		ev.kind = RF_EV_EXEC;
		ev.path = path;
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
	return emit(ps, &ev, (int32_t)ret);
}

static int syscall_line(struct parser *ps, int32_t tid, const char *p, const char *e)
{
	struct call c = {.name = p};
	struct task *t = task_get(ps, tid);
	uint32_t arch = t ? t->arch : ps->native;
	char name[MAX_NAME + 1];
	struct rf_event ev = {.kind = RF_EV_SYSCALL};
	const char *q;
	_cleanup_free_ char *path = NULL;
	int nr, r;

	while (p < e && (isalnum((unsigned char)*p) || *p == '_'))
		p++;
	c.name_len = (size_t)(p - c.name);
	q = scan_args(p + 1, e, &c);
	if ((name_is(&c, "clone") || name_is(&c, "clone3")) &&
	    memmem(p, (size_t)((q ?: e) - p), "CLONE_THREAD", 12))
		c.thread = true;
	if (!q && !ps->last_line)
		return rf_error_set_at(ps->err, -EINVAL, ps->source, ps->line,
				       "unterminated argument list of '%.*s'", (int)c.name_len,
				       c.name);
	if (q && c.closed)
		parse_ret(q, e, &c);
	snprintf(name, sizeof(name), "%.*s", (int)c.name_len, c.name);
	nr = seccomp_syscall_resolve_name_arch(arch, name);
	if (nr < 0 && c.name_len > 8 && pfx(c.name, e, "syscall_")) { /* strace's unknown-nr form */
		uint64_t v;
		const char *ve = parse_u64(c.name + 8, c.name + c.name_len, &v);
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
	ev.sc.arch = arch;
	ev.sc.nr = nr;
	memcpy(ev.args, c.args, sizeof(ev.args));
	ev.args_known = c.args_known;
	ev.ret = c.ret;
	ev.has_ret = c.has_ret;
	r = emit(ps, &ev, tid);
	if (r < 0)
		return r;
	if (pend_kind(&c) == PEND_EXEC && c.str && !c.str_truncated &&
	    unescape(c.str, c.str_end, &path) < 0)
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
	struct call c = {0};
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
	q = scan_args(p + 8, e, &c);
	if (q && c.closed)
		parse_ret(q, e, &c);
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
	struct rf_event ev = {.kind = RF_EV_EXIT};
	struct task *t = task_find(ps, tid);
	uint64_t v;
	int32_t old;
	int r;

	p = skip_sp(p + 3, e);
	if (pfx(p, e, "superseded by execve in pid ")) {
		struct task *o;

		if (parse_pid(p + 28, e, &old) && old != tid && (t = task_get(ps, tid)) &&
		    (o = task_find(ps, old))) {
			pend_clear(t);
			t->pend = o->pend;
			t->path = TAKE_PTR(o->path);
			task_end(ps, o);
		}
		return 0;
	}
	if (pfx(p, e, "exited with ") && parse_u64(p + 12, e, &v) && v < 256) {
		ev.ret = W_EXITCODE((int)v, 0);
		ev.has_ret = true;
	} else if (pfx(p, e, "killed by ")) {
		const char *s = p + 10, *se = s;
		int sig;

		while (se < e && (isalnum((unsigned char)*se) || *se == '_' || *se == '+'))
			se++;
		sig = signal_from_name(s, se);
		if (sig > 0) {
			ev.ret = sig | (memmem(se, (size_t)(e - se), "core dumped", 11) ? 0x80 : 0);
			ev.has_ret = true;
		}
	} else
		return rf_error_set_at(ps->err, -EINVAL, ps->source, ps->line,
				       "not an strace line (unknown '+++' record)");
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
	p = parse_pid(p, e, &pid);
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

/* -Y (--decode-pids=comm): "1234<comm>" */
static const char *comm_suffix(struct parser *ps, const char *p, const char *e)
{
	const char *q;

	if (!p || p >= e || *p != '<')
		return p;
	q = memchr(p, '>', (size_t)(e - p));
	if (!q)
		return NULL;
	ps->comm = p + 1;
	ps->comm_len = (size_t)(q - p - 1);
	return q + 1;
}

/* Leader: "[pid  N] " or "N  " (strace -f -o), then timestamps (-t/-tt/-ttt/-r), "[ nr]" (-n),
 * "[ip]" (-i). Sets *tid (0 = no pid column) and returns the start of the record. */
static const char *leader(struct parser *ps, const char *p, const char *e, int32_t *tid)
{
	const char *q;

	*tid = 0;
	ps->comm = NULL;
	ps->comm_len = 0;
	p = skip_sp(p, e);
	if (pfx(p, e, "[pid")) {
		q = comm_suffix(ps, parse_pid(skip_sp(p + 4, e), e, tid), e);
		if (q && q < e && *q == ']')
			p = q + 1;
		else
			*tid = 0;
	} else if (p < e && isdigit((unsigned char)*p)) {
		q = comm_suffix(ps, parse_pid(p, e, tid), e);
		if (q && q < e && *q == ' ')
			p = q;
		else
			*tid = 0;
	}
	for (;;) {
		bool stamp = false;

		p = skip_sp(p, e);
		for (q = p; q < e && (isdigit((unsigned char)*q) || *q == '.' || *q == ':'); q++)
			stamp |= *q == '.' || *q == ':';
		if (stamp && q < e && *q == ' ') {
			p = q;
			continue;
		}
		if (p < e && *p == '[' && !pfx(p, e, "[ Process")) {
			for (q = p + 1; q < e && (isxdigit((unsigned char)*q) || *q == ' '); q++)
				;
			if (q < e && *q == ']' && q > p + 1) {
				p = q + 1;
				continue;
			}
		}
		return p;
	}
}

static int parse_line(struct parser *ps, const char *p, const char *e)
{
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
		if (ps->survey && pfx(p, e, "Process ") && (q = parse_pid(p + 8, e, &pid)) &&
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
	p = leader(ps, p, e, &tid);
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

/* strace -f writing to stderr splices "strace: Process N attached" into the middle of the line
 * of the clone that created N, and continues that line on the next one. Returns where the
 * message starts, or NULL. */
static const char *spliced_notice(const char *p, const char *e)
{
	const char *m = p, *q;
	int32_t pid;

	while ((m = memmem(m, (size_t)(e - m), "strace: Process ", 16))) {
		q = parse_pid(m + 16, e, &pid);
		if (m > p && q && (pfx(q, e, " attached") || pfx(q, e, " detached")) &&
		    skip_sp(q + 9, e) >= e - (e[-1] == '\r'))
			return m;
		m += 16;
	}
	return NULL;
}

static int run(struct parser *ps, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	ps->line = 0;
	ps->summary = false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *m;
		int r;

		ps->line++;
		ps->last_line = !nl || nl + 1 == end;
		m = nl ? spliced_notice(p, e) : NULL;
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
	static const struct rf_strace_opts defaults = {0};
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

/* "trace.1234" → 1234 (strace -ff -o trace); 0 when the name has no such suffix. */
static int32_t pid_from_name(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	int32_t pid = 0;
	const char *e;

	if (!dot || (slash && slash > dot) || dot[1] == '\0')
		return 0;
	e = parse_pid(dot + 1, dot + strlen(dot), &pid);
	return e && *e == '\0' && isdigit((unsigned char)dot[1]) ? pid : 0;
}

int rf_strace_parse_file(const char *path, const struct rf_strace_opts *opts, rf_event_fn fn,
			 void *userdata, struct rf_error *reterr)
{
	struct rf_strace_opts o = opts ? *opts : (struct rf_strace_opts){0};
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = rf_read_file(path, STRACE_MAX_BYTES, &text, &len, reterr);
	if (r < 0)
		return r;
	if (o.pid <= 0 && !streq(path, "-"))
		o.pid = pid_from_name(path);
	return rf_strace_parse(text, len, path, &o, fn, userdata, reterr);
}
