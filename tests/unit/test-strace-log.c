/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/source/strace_log.c: real strace 6.1 logs (tests/data/strace, made on x86_64 with
 * plain/-f/-ff/-tt -T -y/-ttt/-r/-k, signals, killed) and hand-written ones (32-bit and x32
 * personality switches, superseded execve, unknown names). Each fixture's syscall names are also
 * computed here with plain string logic, independently of the parser, and compared. */
#include <ctype.h>
#include <seccomp.h>
#include <sys/wait.h>

#include "core/macro.h"
#include "ringfence/log.h"
#include "ringfence/strace_log.h"
#include "unit.h"

#define X86_64 SCMP_ARCH_X86_64

struct ev {
	struct rf_event e;
	char *path;
	char name[64];
};

struct evs {
	struct ev *v;
	size_t n;
	int stop_after; /* > 0: return -ECANCELED at this event */
};

static int collect(const struct rf_event *e, void *userdata)
{
	struct evs *s = userdata;
	struct ev *x;
	const char *n;

	if (s->stop_after > 0 && s->n + 1 == (size_t)s->stop_after)
		return -ECANCELED;
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	cr_assert_not_null(s->v);
	x = &s->v[s->n++];
	*x = (struct ev){ .e = *e,
			  .path = e->kind == RF_EV_EXEC && e->exec.path ? strdup(e->exec.path)
									: NULL };
	if (e->kind == RF_EV_EXEC)
		x->e.exec.path = NULL;
	if (e->kind == RF_EV_SYSCALL) {
		n = seccomp_syscall_resolve_num_arch(e->sc.id.arch, e->sc.id.nr);
		cr_assert_not_null(n, "event with nr %d has no name", e->sc.id.nr);
		snprintf(x->name, sizeof(x->name), "%s", n);
		free((char *)n);
	}
	return 0;
}

static void evs_free(struct evs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
}
#define _cleanup_evs_ __attribute__((cleanup(evs_free)))

static const struct rf_strace_opts x86_64_opts = { .native_arch = X86_64 };

static int parse_text(const char *text, const struct rf_strace_opts *o, struct evs *s,
		      struct rf_error *err)
{
	return rf_strace_parse(text, strlen(text), "inline.log", o ?: &x86_64_opts, collect, s,
			       err);
}

/* Parses tests/data/strace/NAME through rf_strace_parse_file; must succeed. */
static void parse_ok_file(const char *name, const struct rf_strace_opts *o, struct evs *s)
{
	_cleanup_str_ char *rel = NULL, *path = NULL;
	_cleanup_error_ struct rf_error err = { 0 };
	int r;

	cr_assert(asprintf(&rel, "strace/%s", name) >= 0);
	path = fixture_path(rel);
	r = rf_strace_parse_file(path, o ?: &x86_64_opts, collect, s, &err);
	cr_assert(r == 0, "%s: %d %s", name, r, err.message ?: "");
}

static size_t count_kind(const struct evs *s, enum rf_event_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->v[i].e.kind == k;
	return n;
}

static const struct ev *nth_kind(const struct evs *s, enum rf_event_kind k, size_t nth)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].e.kind == k && nth-- == 0)
			return &s->v[i];
	return NULL;
}

static const struct ev *find_call(const struct evs *s, const char *name, size_t nth)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].e.kind == RF_EV_SYSCALL && streq(s->v[i].name, name) && nth-- == 0)
			return &s->v[i];
	return NULL;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The independent oracle: the identifier before '(' on each line that is a syscall entry, after
 * dropping "[pid N]" / bare-pid columns and timestamp tokens. Returns a sorted NULL-ended list. */
static char **expected_names(const char *text)
{
	char **names = NULL;
	size_t n = 0;
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n'), *p = line, *q;
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[64];

		while (p < line + len) { /* drop leading tokens: "[pid", "N]", pids, timestamps */
			while (*p == ' ')
				p++;
			q = p;
			while (q < line + len && *q != ' ' && *q != '(')
				q++;
			if (q < line + len && *q == ' ' &&
			    (strncmp(p, "[pid", 4) == 0 ||
			     strspn(p, "[0123456789abcdef.:]") == (size_t)(q - p)))
				p = q;
			else
				break;
		}
		q = p;
		while (q < line + len && (isalnum((unsigned char)*q) || *q == '_'))
			q++;
		if (q > p && q < line + len && *q == '(' && (size_t)(q - p) < sizeof(buf)) {
			char *num = NULL;

			snprintf(buf, sizeof(buf), "%.*s", (int)(q - p), p);
			if (strncmp(buf, "syscall_0x", 10) ==
			    0) /* strace's form for a bare number */
				num = seccomp_syscall_resolve_num_arch(
					X86_64, (int)strtol(buf + 10, NULL, 16));
			names = realloc(names, (n + 2) * sizeof(*names));
			names[n++] = num ?: strdup(buf);
			names[n] = NULL;
		}
		line = nl ? nl + 1 : line + len;
	}
	if (names)
		qsort(names, n, sizeof(*names), cmpstr);
	return names;
}

static void expect_names_match_fixture(const char *name)
{
	_cleanup_str_ char *rel = NULL, *text = NULL;
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_strv_free_ char **want = NULL, **got = NULL;
	size_t n = 0;

	cr_assert(asprintf(&rel, "strace/%s", name) >= 0);
	text = read_fixture(rel, NULL);
	want = expected_names(text);
	parse_ok_file(name, NULL, &s);
	got = calloc(s.n + 1, sizeof(*got));
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i].e.kind == RF_EV_SYSCALL)
			got[n++] = strdup(s.v[i].name);
	qsort(got, n, sizeof(*got), cmpstr);
	cr_assert_gt(strv_length(want), 0);
	expect_strv_eq(got, want, false, name);
	expect_u(count_kind(&s, RF_EV_SYSCALL), strv_length(want));
}

static int warnings;
static char last_warning[512];
static void catch_log(enum rf_log_level level, const char *msg, void *userdata)
{
	if (level == RF_LOG_WARNING) {
		warnings++;
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
	}
}

/* ---- every fixture: names and counts against the oracle ---- */

Test(strace_fixtures, plain)
{
	expect_names_match_fixture("plain.log");
}
Test(strace_fixtures, follow_bare_pid_column)
{
	expect_names_match_fixture("follow-o.log");
}
Test(strace_fixtures, follow_pid_prefix_stderr)
{
	expect_names_match_fixture("follow-stderr.log");
}
Test(strace_fixtures, ff_files)
{
	expect_names_match_fixture("ff-trace.24592");
	expect_names_match_fixture("ff-trace.24593");
	expect_names_match_fixture("ff-trace.24595");
}
Test(strace_fixtures, tt_T_y)
{
	expect_names_match_fixture("tt-T-y.log");
}
Test(strace_fixtures, ttt)
{
	expect_names_match_fixture("ttt.log");
}
Test(strace_fixtures, relative_r)
{
	expect_names_match_fixture("relative.log");
}
Test(strace_fixtures, signal)
{
	expect_names_match_fixture("signal.log");
}
Test(strace_fixtures, killed)
{
	expect_names_match_fixture("killed.log");
}
Test(strace_fixtures, stack_k)
{
	expect_names_match_fixture("stack-k.log");
}
Test(strace_fixtures, personality32)
{
	expect_names_match_fixture("personality32.log");
}
Test(strace_fixtures, misc_hand_written)
{
	expect_names_match_fixture("misc.log");
}
Test(strace_fixtures, exec_thread)
{
	expect_names_match_fixture("exec-thread.log");
}

/* ---- plain ---- */

Test(strace_plain, exec_first_and_exit_last)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("plain.log", NULL, &s);
	expect_str(s.v[0].name, "execve");
	expect_i(s.v[0].e.sc.id.arch, X86_64);
	expect_i(s.v[0].e.sc.ret, 0);
	cr_assert(s.v[0].e.sc.has_ret);
	x = nth_kind(&s, RF_EV_EXEC, 0);
	cr_assert_not_null(x);
	expect_str(x->path, "/usr/bin/ls");
	expect_u(count_kind(&s, RF_EV_EXEC), 1);
	x = &s.v[s.n - 1];
	expect_i(x->e.kind, RF_EV_EXIT);
	cr_assert(x->e.exit.has_status && WIFEXITED(x->e.exit.status) &&
		  WEXITSTATUS(x->e.exit.status) == 0);
	x = find_call(&s, "exit_group", 0);
	cr_assert(x && !x->e.sc.has_ret, "exit_group(0) = ? has no result");
}

Test(strace_plain, errors_are_negative_errno_and_numbers_decode)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("plain.log", NULL, &s);
	x = find_call(&s, "access", 0); /* access("/etc/ld.so.preload", R_OK) = -1 ENOENT */
	cr_assert(x && x->e.sc.has_ret);
	expect_i(x->e.sc.ret, -ENOENT);
	x = find_call(&s, "mmap",
		      0); /* mmap(NULL, 8192, PROT_..., MAP_..., -1, 0) = 0x7fe4c77f1000 */
	cr_assert_not_null(x);
	expect_u(x->e.sc.args[0], 0);
	expect_u(x->e.sc.args[1], 8192);
	expect_u(x->e.sc.args[2], 0); /* symbolic: best effort leaves 0 */
	expect_u(x->e.sc.args[4], UINT64_MAX);
	expect_u(x->e.sc.ret, 0x7fe4c77f1000);
	expect_i(x->e.tgid, 0); /* no pid column, no opts->pid */
}

Test(strace_plain, opts_pid_fills_lines_without_pid)
{
	_cleanup_evs_ struct evs s = { 0 };
	struct rf_strace_opts o = { .native_arch = X86_64, .pid = 77 };

	parse_ok_file("plain.log", &o, &s);
	for (size_t i = 0; i < s.n; i++)
		cr_assert(s.v[i].e.tgid == 77 && s.v[i].e.tid == 77, "event %zu pid %d", i,
			  s.v[i].e.tgid);
}

/* ---- -f ---- */

Test(strace_follow, bare_pid_column_threads_and_fork)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("follow-o.log", NULL, &s);
	expect_u(count_kind(&s, RF_EV_FORK), 3);
	expect_u(count_kind(&s, RF_EV_EXIT), 4);
	for (size_t i = 0; i < s.n; i++) {
		pid_t tid = s.v[i].e.tid, pid = s.v[i].e.tgid;

		cr_assert(tid >= 24550 && tid <= 24553, "tid %d", tid);
		/* 24551/24552 are threads (CLONE_THREAD) of 24550; 24553 is a forked process */
		expect_i(pid, tid == 24553 ? 24553 : 24550);
	}
	x = nth_kind(&s, RF_EV_EXEC, 1);
	cr_assert_not_null(x);
	expect_str(x->path, "/bin/true");
	expect_i(x->e.tid, 24553);
	expect_i(x->e.ppid, 24550);
}

Test(strace_follow, unfinished_counted_once_with_result_on_complete_lines)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("follow-o.log", NULL, &s);
	/* "24551 rseq(0x7fb2bbec5fe0, 0x20, 0, 0x53053053 <unfinished ...>": emitted at entry */
	x = find_call(&s, "rseq", 1);
	cr_assert_not_null(x);
	expect_i(x->e.tid, 24551);
	expect_i(x->e.tgid, 24550); /* a thread printing before its clone3 returned */
	cr_assert(!x->e.sc.has_ret, "the result of an unfinished call is not known at entry");
	expect_u(x->e.sc.args[1], 0x20);
	expect_u(x->e.sc.args[3], 0x53053053);
}

Test(strace_follow, stderr_prefixes_root_and_spliced_attach_notice)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("follow-stderr.log", NULL, &s);
	/* the unprefixed lines before the first clone belong to the root task, found by survey */
	expect_i(s.v[0].e.tid, 24577);
	/* "clone3(...}strace: Process 24578 attached\n => {parent_tid=[24578]}, 88) = 24578" */
	x = find_call(&s, "clone3", 0);
	cr_assert(x && x->e.sc.has_ret);
	expect_i(x->e.sc.ret, 24578);
	x = nth_kind(&s, RF_EV_FORK, 0);
	cr_assert(x && x->e.fork.child_tid == 24578 && x->e.fork.child_tgid == 24577);
	/* after the threads and the child exit, unprefixed lines are the root's again */
	x = find_call(&s, "wait4", 0);
	cr_assert(x && x->e.tid == 24577);
}

/* ---- -ff ---- */

Test(strace_ff, pid_from_file_name)
{
	_cleanup_evs_ struct evs s = { 0 };

	parse_ok_file("ff-trace.24593", NULL, &s);
	cr_assert_gt(s.n, 0);
	for (size_t i = 0; i < s.n; i++)
		expect_i(s.v[i].e.tid, 24593);
}

Test(strace_ff, explicit_pid_wins_over_name)
{
	_cleanup_evs_ struct evs s = { 0 };
	struct rf_strace_opts o = { .native_arch = X86_64, .pid = 9 };

	parse_ok_file("ff-trace.24595", &o, &s);
	expect_i(s.v[0].e.tid, 9);
	expect_str(nth_kind(&s, RF_EV_EXEC, 0)->path, "/bin/true");
}

Test(strace_ff, parent_file_forks_threads_and_child)
{
	_cleanup_evs_ struct evs s = { 0 };

	parse_ok_file("ff-trace.24592", NULL, &s);
	expect_u(count_kind(&s, RF_EV_FORK), 3);
	expect_i(nth_kind(&s, RF_EV_FORK, 0)->e.fork.child_tgid, 24592); /* thread */
	expect_i(nth_kind(&s, RF_EV_FORK, 2)->e.fork.child_tgid, 24595); /* process */
}

/* ---- decorations ---- */

Test(strace_decor, y_paths_and_T_times_are_ignored)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("tt-T-y.log", NULL, &s);
	/* openat(AT_FDCWD</tmp/stx>, "/etc/ld.so.cache", ...) = 3</etc/ld.so.cache> <0.000019> */
	x = find_call(&s, "openat", 0);
	cr_assert(x && x->e.sc.has_ret);
	expect_i(x->e.sc.ret, 3);
	/* close(3</etc/ld.so.cache>) = 0 <0.000012> */
	x = find_call(&s, "close", 0);
	cr_assert(x && x->e.sc.has_ret);
	expect_u(x->e.sc.args[0], 3);
	expect_i(x->e.sc.ret, 0);
}

Test(strace_decor, inline_timestamps_ip_and_nr_columns)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };
	const char *text =
		"[pid  4242] 12:00:01.000001 [  0] [00007f0000001234] read(0, \"\", 1) = 0\n"
		"4242  1700000000.123456 getpid() = 4242 <0.000003>\n"
		"     0.000123 getppid()               = 1\n"
		"12:00:01 gettid() = 4242\n";

	cr_assert_eq(parse_text(text, NULL, &s, &err), 0, "%s", err.message ?: "");
	expect_u(s.n, 4);
	expect_str(s.v[0].name, "read");
	expect_i(s.v[0].e.tid, 4242);
	expect_str(s.v[1].name, "getpid");
	expect_i(s.v[1].e.sc.ret, 4242);
	expect_str(s.v[2].name, "getppid");
	expect_str(s.v[3].name, "gettid");
}

Test(strace_decor, Y_pid_comm_fills_comm)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };
	const char *text =
		"12756<strace> execve(\"/usr/bin/sh\", [\"sh\"], 0x7fff /* 3 vars */) = 0\n"
		"[pid 12764<a-very-long-command-name>] getppid() = 12758<strace>\n";

	cr_assert_eq(parse_text(text, NULL, &s, &err), 0, "%s", err.message ?: "");
	expect_u(count_kind(&s, RF_EV_SYSCALL), 2);
	expect_i(s.v[0].e.tid, 12756);
	expect_str(s.v[0].e.comm, "strace");
	expect_str(nth_kind(&s, RF_EV_EXEC, 0)->path, "/usr/bin/sh");
	expect_i(s.v[2].e.tid, 12764);
	expect_str(s.v[2].e.comm, "a-very-long-com"); /* TASK_COMM_LEN */
	expect_i(s.v[2].e.sc.ret, 12758);
}

/* ---- signals and exits ---- */

Test(strace_exit, signals_are_skipped)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("signal.log", NULL, &s);
	x = find_call(&s, "kill", 0);
	cr_assert_not_null(x);
	expect_u(x->e.sc.args[0], 24638);
	cr_assert_not_null(find_call(&s, "rt_sigreturn", 0));
	expect_u(count_kind(&s, RF_EV_EXIT), 1);
}

Test(strace_exit, killed_by_signal_is_a_wait_status)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("killed.log", NULL, &s);
	x = nth_kind(&s, RF_EV_EXIT, 0);
	cr_assert(x && x->e.exit.has_status);
	cr_assert(WIFSIGNALED(x->e.exit.status) && WTERMSIG(x->e.exit.status) == SIGTERM,
		  "status %lld", (long long)x->e.exit.status);
}

Test(strace_exit, superseded_execve_and_core_dump)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("exec-thread.log", NULL, &s);
	/* the thread 5001 execs; the leader 5000 is superseded and the result lands there */
	x = find_call(&s, "execve", 1);
	cr_assert(x && x->e.tid == 5001 && x->e.tgid == 5000 && !x->e.sc.has_ret);
	x = nth_kind(&s, RF_EV_EXEC, 1);
	cr_assert_not_null(x);
	expect_str(x->path, "/usr/bin/true"); /* "tr\x75e" unescaped */
	expect_i(x->e.tid, 5000);
	x = nth_kind(&s, RF_EV_EXIT, 0);
	cr_assert(x && WIFSIGNALED(x->e.exit.status) && WTERMSIG(x->e.exit.status) == SIGSEGV &&
		  WCOREDUMP(x->e.exit.status));
	expect_u(count_kind(&s, RF_EV_EXIT), 1);
}

/* ---- personalities ---- */

Test(strace_arch, thirty_two_bit_switch_and_back)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("personality32.log", NULL, &s);
	expect_i(find_call(&s, "execve", 0)->e.sc.id.arch, X86_64);
	x = find_call(&s, "mmap2", 0);
	cr_assert(x && x->e.sc.id.arch == SCMP_ARCH_X86 && x->e.sc.id.nr == 192);
	expect_i(find_call(&s, "_llseek", 0)->e.sc.id.arch, SCMP_ARCH_X86);
	expect_i(find_call(&s, "waitpid", 0)->e.sc.id.arch, SCMP_ARCH_X86);
	/* the child inherits 32-bit mode, and its execve of a 64-bit program switches back */
	x = find_call(&s, "getpid", 0);
	cr_assert(x && x->e.tid == 1235 && x->e.sc.id.arch == SCMP_ARCH_X86);
	x = find_call(&s, "arch_prctl", 0);
	cr_assert(x && x->e.tid == 1235 && x->e.sc.id.arch == X86_64);
	expect_i(x->e.sc.ret, -EINVAL);
	x = find_call(&s, "exit_group", 1);
	cr_assert(x && x->e.tid == 1234 && x->e.sc.id.arch == SCMP_ARCH_X86);
}

Test(strace_arch, x32_and_strace_prefixed_notice)
{
	_cleanup_evs_ struct evs s = { 0 };
	const struct ev *x;

	parse_ok_file("misc.log", NULL, &s);
	x = find_call(&s, "read", 0);
	cr_assert(x && x->e.sc.id.arch == SCMP_ARCH_X32);
	expect_u((uint32_t)x->e.sc.id.nr, 0x40000000);
	expect_i(x->e.tid, 4321); /* from "strace: Process 4321 attached" */
	x = find_call(&s, "read", 1);
	cr_assert(x && x->e.sc.id.arch == X86_64 && x->e.sc.id.nr == 0);
	/* strace's name for a number it does not know, resolved through libseccomp */
	x = find_call(&s, "clone3", 0);
	cr_assert(x && x->e.sc.ret == -ENOSYS && x->e.sc.args[1] == 2);
	cr_assert_not_null(find_call(&s, "restart_syscall", 0));
	expect_i(find_call(&s, "getpid", 0)->e.sc.ret, 4321); /* CRLF line */
}

Test(strace_arch, native_arch_option_resolves_for_that_arch)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_strace_opts o = { .native_arch = SCMP_ARCH_AARCH64 };

	cr_assert_eq(parse_text("openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n", &o, &s, &err), 0);
	expect_i(s.v[0].e.sc.id.arch, SCMP_ARCH_AARCH64);
	expect_i(s.v[0].e.sc.id.nr, seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, "openat"));
	cr_assert_eq(parse_text("open(\"/x\", O_RDONLY) = 3\n", &o, &s, &err), -EINVAL);
	expect_contains(err.message, "SCMP_ARCH_AARCH64");
}

Test(strace_arch, unsupported_personality_is_an_error)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_strace_opts o = { .native_arch = SCMP_ARCH_AARCH64 };

	cr_assert_eq(
		parse_text("getpid() = 1\n[ Process PID=1 runs in x32 mode. ]\n", &o, &s, &err),
		-EINVAL);
	expect_u(err.line, 2);
}

/* ---- names ---- */

Test(strace_names, modern_and_odd_names_resolve)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };
	const char *text = "statx(AT_FDCWD, \"/\", AT_STATX_SYNC_AS_STAT, STATX_ALL, {}) = 0\n"
			   "clone3({flags=CLONE_VM, exit_signal=SIGCHLD}, 88) = 100\n"
			   "openat2(AT_FDCWD, \"/\", {flags=O_RDONLY, resolve=0}, 24) = 3\n"
			   "pread64(3, \"\", 10, 0) = 0\n"
			   "rseq(0x7f0, 0x20, 0, 0x53053053) = 0\n";

	cr_assert_eq(parse_text(text, NULL, &s, &err), 0, "%s", err.message ?: "");
	expect_u(count_kind(&s, RF_EV_SYSCALL), 5);
	expect_i(s.v[0].e.sc.id.nr, seccomp_syscall_resolve_name_arch(X86_64, "statx"));
	expect_i(find_call(&s, "openat2", 0)->e.sc.id.nr,
		 seccomp_syscall_resolve_name_arch(X86_64, "openat2"));
	expect_i(find_call(&s, "pread64", 0)->e.sc.id.nr, 17);
}

Test(strace_names, unknown_name_is_an_error_with_file_and_line)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };
	_cleanup_str_ char *path = fixture_path("strace/unknown.log"), *want = NULL;
	int r = rf_strace_parse_file(path, &x86_64_opts, collect, &s, &err);

	expect_i(r, -EINVAL);
	expect_u(err.line, 3);
	cr_assert(asprintf(&want, "%s:3: syscall 'frobnicate' is unknown for SCMP_ARCH_X86_64",
			   path) >= 0);
	expect_str(err.message, want);
}

Test(strace_names, ignore_unknown_warns_and_skips)
{
	_cleanup_evs_ struct evs s = { 0 };
	struct rf_strace_opts o = { .native_arch = X86_64, .ignore_unknown = true };

	rf_log_set_handler(catch_log, NULL);
	parse_ok_file("unknown.log", &o, &s);
	rf_log_set_handler(NULL, NULL);
	expect_u(count_kind(&s, RF_EV_SYSCALL), 4);
	expect_i(warnings, 1);
	expect_contains(last_warning, "unknown.log:3: syscall 'frobnicate' is unknown");
}

Test(strace_names, name_of_another_arch_is_unknown_here)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };

	/* libseccomp knows _llseek but gives a negative pseudo number on x86_64 */
	cr_assert_eq(parse_text("_llseek(3, 0, [0], SEEK_SET) = 0\n", NULL, &s, &err), -EINVAL);
	expect_contains(err.message, "inline.log:1: syscall '_llseek' is unknown");
	cr_assert_eq(parse_text("syscall_0x3e7(0) = -1 ENOSYS (Function not implemented)\n", NULL,
				&s, &err),
		     -EINVAL);
}

/* ---- malformed input ---- */

Test(strace_bad, not_an_strace_line)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };

	cr_assert_eq(parse_text("getpid() = 1\n\nhello world\n", NULL, &s, &err), -EINVAL);
	expect_str(err.message, "inline.log:3: not an strace line");
	expect_u(s.n, 1);
}

Test(strace_bad, unterminated_arguments_only_tolerated_on_the_last_line)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };

	cr_assert_eq(parse_text("read(3, \"abc\nwrite(1, \"x\", 1) = 1\n", NULL, &s, &err),
		     -EINVAL);
	expect_u(err.line, 1);
	rf_error_clear(&err);
	/* a log cut short by a killed strace */
	cr_assert_eq(parse_text("getpid() = 1\nread(3, \"ab", NULL, &s, &err), 0);
	expect_str(s.v[s.n - 1].name, "read");
	cr_assert(!s.v[s.n - 1].e.sc.has_ret);
}

Test(strace_bad, consumer_error_stops_the_parse)
{
	_cleanup_evs_ struct evs s = { .stop_after = 3 };
	_cleanup_error_ struct rf_error err = { 0 };

	cr_assert_eq(parse_text("getpid() = 1\ngetpid() = 1\ngetpid() = 1\ngetpid() = 1\n", NULL,
				&s, &err),
		     -ECANCELED);
	expect_u(s.n, 2);
}

Test(strace_bad, empty_noise_and_summary_tables)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };
	const char *text = "\n   \nstrace: Process 1 attached\n???\n"
			   "getpid() = 1\n"
			   "% time     seconds  usecs/call     calls    errors syscall\n"
			   "------ ----------- ----------- --------- --------- ----------------\n"
			   "100.00    0.000010          10         1           getpid\n";

	cr_assert_eq(rf_strace_parse("", 0, NULL, NULL, collect, &s, &err), 0);
	expect_u(s.n, 0);
	cr_assert_eq(parse_text(text, NULL, &s, &err), 0, "%s", err.message ?: "");
	expect_u(s.n, 1);
}

Test(strace_bad, huge_line_without_fixed_buffers)
{
	_cleanup_evs_ struct evs s = { 0 };
	_cleanup_error_ struct rf_error err = { 0 };
	size_t n = 8u << 20;
	_cleanup_str_ char *text = malloc(n + 64);
	cr_assert_not_null(text);
	strcpy(text, "write(1, \"");
	memset(text + 10, 'A', n);
	strcpy(text + 10 + n, "\"..., 100000) = 100000\n");
	cr_assert_eq(parse_text(text, NULL, &s, &err), 0);
	expect_u(s.v[0].e.sc.args[2], 100000);
	expect_i(s.v[0].e.sc.ret, 100000);
}

/* Every prefix of a real log and a set of mangled lines: no crash, no leak, either 0 or an
 * error with a message. Deterministic, so a failure reproduces. */
Test(strace_bad, truncations_and_junk_never_crash)
{
	size_t len = 0;
	_cleanup_str_ char *text = read_fixture("strace/follow-stderr.log", &len);
	static const char *const junk[] = {
		"(",
		")",
		"<",
		"<...",
		"<... x resumed>",
		"<... resumed>",
		"[pid",
		"[pid 1]",
		"[pid 99999999999] x()",
		"+++",
		"+++ exited with 999 +++",
		"+++ killed by SIGNOPE +++",
		"+++ superseded by execve in pid 1 +++",
		"[ Process PID=",
		"[ Process PID=0 runs in",
		"x(\"\\",
		"x(\"\\x",
		"x(\"\\777\")",
		"x(<",
		"x(3<[[[[",
		"x(/*",
		"x({[({[(",
		"1 2 3 4",
		"execve(\"\\0\", [], 0) = 0",
		"clone() = 2147483648",
		"clone() = -1",
		"x() = -9223372036854775808",
		"x() = 0xffffffffffffffffff",
		"\r",
		"\x01\x02\xff",
	};

	for (size_t k = 0; k <= len; k += 7) {
		_cleanup_evs_ struct evs s = { 0 };
		_cleanup_error_ struct rf_error err = { 0 };
		int r = rf_strace_parse(text, k, "cut.log", &x86_64_opts, collect, &s, &err);

		cr_assert(r == 0 || (r < 0 && err.message), "prefix %zu: %d without message", k, r);
	}
	for (size_t i = 0; i < ELEMENTSOF(junk); i++) {
		_cleanup_evs_ struct evs s = { 0 };
		_cleanup_error_ struct rf_error err = { 0 };
		_cleanup_str_ char *t = NULL;
		int r;

		cr_assert(asprintf(&t, "%s\ngetpid() = 1\n", junk[i]) >= 0);
		r = parse_text(t, NULL, &s, &err);
		cr_assert(r == 0 || (r < 0 && err.message), "junk %zu: %d without message", i, r);
	}
}

struct files {
	char path[4][128];
	uint32_t access[4];
	int64_t ret[4];
	size_t n;
};

static int collect_files(const struct rf_event *e, void *userdata)
{
	struct files *f = userdata;

	if (e->kind != RF_EV_FILE)
		return 0;
	cr_assert_lt(f->n, 4);
	snprintf(f->path[f->n], sizeof(f->path[0]), "%s", e->file.path);
	f->access[f->n] = e->file.access;
	f->ret[f->n++] = e->file.has_ret ? e->file.ret : 1;
	return 0;
}

/* Opens become file events: -y's resolved path wins, access comes from the symbolic flags, the
 * result is kept (a failed open included), an unfinished open waits for nothing. */
Test(strace_files, opens_are_file_events)
{
	static const char log[] =
		"openat(AT_FDCWD, \"/etc/alternatives/x\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, "
		"0644) = 3</usr/share/x>\n"
		"open(\"/etc/shadow\", O_RDONLY) = -1 EACCES (Permission denied)\n"
		"openat(AT_FDCWD, \"/var/log/app.log\", O_RDWR|O_APPEND) = 4\n"
		"openat(AT_FDCWD, \"/tmp\", O_RDONLY|O_PATH|O_DIRECTORY) = 5\n"
		"openat(AT_FDCWD, \"/never\", O_RDONLY <unfinished ...>\n";
	struct files f = { 0 };

	cr_assert_eq(rf_strace_parse(log, strlen(log), "files.log", &x86_64_opts, collect_files, &f,
				     NULL),
		     0);
	expect_u(f.n, 4);
	expect_str(f.path[0], "/usr/share/x");
	expect_u(f.access[0], RF_ACC_WRITE | RF_ACC_CREATE);
	expect_i(f.ret[0], 3);
	expect_str(f.path[1], "/etc/shadow");
	expect_u(f.access[1], RF_ACC_READ);
	expect_i(f.ret[1], -EACCES);
	expect_u(f.access[2], RF_ACC_READ | RF_ACC_WRITE | RF_ACC_APPEND);
	expect_u(f.access[3], RF_ACC_DIR);
}
