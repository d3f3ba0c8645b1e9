/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filter semantics without the kernel: profile → rf_filter_build → rf_filter_export →
 * rf_bpf_sim_run over seccomp_data, driven by the tables in tests/data/profiles/valid/sim-*.tests
 * (libseccomp's *.tests idea). Each table names its profile and mode; each row is
 *   arch syscall arg0..arg5 -> VERDICT [data]
 * where syscall is a name (resolved for that arch by libseccomp) or #nr, "-" is 0. A table may
 * say "program stub" to run rf_filter_program's output (runc's ENOSYS stub first), and
 * "builtin NAME" instead of "profile FILE" for a built-in resolved without capabilities. */
#include <linux/audit.h>
#include <linux/seccomp.h>

#include "ringfence/filter.h"
#include "ringfence/log.h"
#include "unit.h"

struct program {
	struct sock_filter *insns;
	size_t n;
};

/* libseccomp's program alone (rf_filter_export), or with runc's ENOSYS stub in front
 * (rf_filter_program) when `stub`. */
static struct program compile_as(const struct rf_profile *p, enum rf_filter_mode mode, bool stub)
{
	_cleanup_error_ struct rf_error err = { 0 };
	scmp_filter_ctx ctx = NULL;
	struct program prog = { 0 };
	int r;

	r = rf_filter_build(p, mode, &ctx, &err);
	cr_assert(r == 0, "rf_filter_build: %d %s", r, err.message ? err.message : "");
	if (stub)
		r = rf_filter_program(p, ctx, mode, &prog.insns, &prog.n, &err);
	else
		r = rf_filter_export(ctx, &prog.insns, &prog.n, &err);
	seccomp_release(ctx);
	cr_assert(r == 0, "rf_filter_export: %d %s", r, err.message ? err.message : "");
	cr_assert_gt(prog.n, 0);
	return prog;
}

static struct program compile(const struct rf_profile *p, enum rf_filter_mode mode)
{
	return compile_as(p, mode, false);
}

static const struct {
	const char *name;
	uint32_t ret;
} verdicts[] = {
	{ "ALLOW", SECCOMP_RET_ALLOW },
	{ "LOG", SECCOMP_RET_LOG },
	{ "KILL_PROCESS", SECCOMP_RET_KILL_PROCESS },
	{ "KILL_THREAD", SECCOMP_RET_KILL_THREAD },
	{ "TRAP", SECCOMP_RET_TRAP },
	{ "ERRNO", SECCOMP_RET_ERRNO },
	{ "TRACE", SECCOMP_RET_TRACE },
	{ "USER_NOTIF", SECCOMP_RET_USER_NOTIF },
};

static uint32_t parse_verdict(const char *name, const char *data, const char *where)
{
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		if (strcmp(verdicts[i].name, name) == 0)
			return verdicts[i].ret | (data ? (uint32_t)strtoul(data, NULL, 0) : 0);
	cr_assert_fail("%s: unknown verdict '%s'", where, name);
	return 0;
}

static enum rf_filter_mode parse_mode(const char *s, const char *where)
{
	if (strcmp(s, "enforce") == 0)
		return RF_FILTER_ENFORCE;
	if (strcmp(s, "enforce-report") == 0)
		return RF_FILTER_ENFORCE_REPORT;
	if (strcmp(s, "complain") == 0)
		return RF_FILTER_COMPLAIN;
	cr_assert_fail("%s: unknown mode '%s'", where, s);
	return RF_FILTER_ENFORCE;
}

/* One table row; returns false (after reporting) when the filter disagrees. */
static bool run_row(const struct program *prog, char *line, const char *where)
{
	char *save = NULL, *tok[12] = { 0 };
	struct seccomp_data d = { 0 };
	size_t n = 0;
	uint32_t token, want;
	int64_t got;

	for (char *t = strtok_r(line, " \t\n", &save); t && n < 12;
	     t = strtok_r(NULL, " \t\n", &save))
		tok[n++] = t;
	cr_assert(n >= 10 && strcmp(tok[8], "->") == 0, "%s: malformed row", where);
	token = seccomp_arch_resolve_name(tok[0]);
	cr_assert_neq(token, 0, "%s: unknown arch '%s'", where, tok[0]);
	d.arch = token; /* libseccomp arch tokens are AUDIT_ARCH_* values */
	if (tok[1][0] == '#')
		d.nr = (int)strtol(tok[1] + 1, NULL, 0);
	else
		d.nr = seccomp_syscall_resolve_name_arch(token, tok[1]);
	cr_assert_geq(d.nr, 0, "%s: '%s' has no number on %s", where, tok[1], tok[0]);
	for (int a = 0; a < 6; a++)
		d.args[a] = strcmp(tok[2 + a], "-") == 0 ? 0 : strtoull(tok[2 + a], NULL, 0);
	want = parse_verdict(tok[9], tok[10], where);
	got = rf_bpf_sim_run(prog->insns, prog->n, &d);
	cr_expect_eq(got, (int64_t)want, "%s: %s %s: got 0x%08llx, expected 0x%08x (%s %s)", where,
		     tok[0], tok[1], (unsigned long long)got, want, tok[9], tok[10] ? tok[10] : "");
	return got == (int64_t)want;
}

/* A built-in profile as runtime/default is applied in a container without capabilities on an
 * x86_64 kernel 6.1 (docker run's defaults minus every capability): conditions decided. */
static struct rf_profile *builtin_resolved(const char *name, const char *where)
{
	_cleanup_error_ struct rf_error err = { 0 };
	const char *const no_caps[] = { NULL };
	struct rf_resolve_env env = { .native_arch = SCMP_ARCH_X86_64,
				      .caps = no_caps,
				      .kernel_major = 6,
				      .kernel_minor = 1 };
	struct rf_profile *p = NULL, *out = NULL;

	cr_assert(rf_profile_builtin(name, &p, &err) == 0, "%s: %s", where,
		  err.message ? err.message : "");
	cr_assert(rf_profile_resolve(p, &env, &out, &err) == 0, "%s: %s", where,
		  err.message ? err.message : "");
	rf_profile_free(p);
	return out;
}

/* Runs every row of tests/data/profiles/valid/<table>. */
static void run_table(const char *table)
{
	_cleanup_str_ char *rel = NULL, *text = NULL;
	struct rf_profile *p = NULL;
	struct program prog = { 0 };
	enum rf_filter_mode mode = RF_FILTER_ENFORCE;
	unsigned lineno = 0, rows = 0, bad = 0;
	bool stub = false;
	char *save = NULL;

	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		cr_skip_test("SKIP: the sim tables are written for an x86_64 host (native arch)");
	cr_assert(asprintf(&rel, "profiles/valid/%s", table) > 0);
	text = read_fixture(rel, NULL);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		_cleanup_str_ char *where = NULL, *path = NULL;
		char word[64], arg[128];

		lineno++;
		cr_assert(asprintf(&where, "%s:%u", table, lineno) > 0);
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		if (sscanf(line, "%63s %127s", word, arg) == 2 && strcmp(word, "profile") == 0) {
			cr_assert(asprintf(&path, "profiles/valid/%s", arg) > 0);
			rf_profile_free(p);
			p = parse_fixture(path);
		} else if (sscanf(line, "%63s %127s", word, arg) == 2 &&
			   strcmp(word, "builtin") == 0) {
			rf_profile_free(p);
			p = builtin_resolved(arg, where);
		} else if (sscanf(line, "%63s %127s", word, arg) == 2 &&
			   strcmp(word, "mode") == 0) {
			mode = parse_mode(arg, where);
		} else if (sscanf(line, "%63s %127s", word, arg) == 2 &&
			   strcmp(word, "program") == 0) {
			cr_assert(strcmp(arg, "stub") == 0 || strcmp(arg, "libseccomp") == 0,
				  "%s: program must be 'stub' or 'libseccomp'", where);
			stub = strcmp(arg, "stub") == 0;
		} else {
			cr_assert_not_null(p, "%s: row before 'profile'", where);
			if (!prog.insns)
				prog = compile_as(p, mode, stub);
			rows++;
			bad += !run_row(&prog, line, where);
		}
	}
	cr_assert_gt(rows, 0, "%s has no rows", table);
	cr_log_info("%s: %u rows, %u wrong", table, rows, bad);
	free(prog.insns);
	rf_profile_free(p);
}

/* runtime/default's socket(2) rule, family by family (data/README.md, item 4 of the
 * semantics): moby's allow-list of the families the kernel implements, without AF_ALG and
 * AF_VSOCK. */
Test(filter_sim, runtime_default_socket_families)
{
	run_table("sim-runtime-default-socket.tests");
}

Test(filter_sim, allowlist_default_eperm_and_rule_actions)
{
	run_table("sim-allowlist-eperm.tests");
}

Test(filter_sim, argument_conditions_eq_masked_ne_gt_and_same_index_or)
{
	run_table("sim-args.tests");
}

Test(filter_sim, enosys_default_and_native_arch_only)
{
	run_table("sim-enosys.tests");
}

Test(filter_sim, kill_process_default_and_legacy_kill)
{
	run_table("sim-kill-process.tests");
}

Test(filter_sim, multi_arch_translates_names_per_arch)
{
	run_table("sim-multiarch.tests");
}

Test(filter_sim, complain_mode_reports_denials_and_keeps_allows)
{
	run_table("sim-complain.tests");
}

Test(filter_sim, complain_mode_on_allowlist)
{
	run_table("sim-complain-allowlist.tests");
}

Test(filter_sim, enforce_report_notifies_errno_only)
{
	run_table("sim-enforce-report.tests");
}

Test(filter_sim, enosys_stub_above_the_highest_named_syscall)
{
	run_table("sim-stub-allowlist.tests");
}

Test(filter_sim, enosys_stub_under_kill_default)
{
	run_table("sim-stub-kill.tests");
}

Test(filter_sim, enosys_stub_notifies_in_complain_mode)
{
	run_table("sim-stub-complain.tests");
}

Test(filter_sim, no_enosys_stub_under_allow_default)
{
	run_table("sim-stub-allow-default.tests");
}

Test(filter_sim, rule_equal_to_default_is_skipped_not_rejected)
{
	struct rf_profile *with = parse_str(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, \"syscalls\": ["
		"{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"uname\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}");
	struct rf_profile *without = parse_str(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, \"syscalls\": ["
		"{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	struct program a = compile(with, RF_FILTER_ENFORCE),
		       b = compile(without, RF_FILTER_ENFORCE);

	expect_u(a.n, b.n);
	cr_assert(memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)) == 0, "programs differ");
	free(a.insns);
	free(b.insns);
	rf_profile_free(with);
	rf_profile_free(without);
}

static void build_fails(const char *doc, int code, const char *fragment)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = parse_str(doc);
	scmp_filter_ctx ctx = NULL;

	expect_i(rf_filter_build(p, RF_FILTER_ENFORCE, &ctx, &err), code);
	cr_assert_null(ctx);
	expect_contains(err.message, fragment);
	rf_profile_free(p);
}

Test(filter_build, unknown_syscall_in_deny_rule_is_an_error_with_line)
{
	build_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n{\"names\": [\n"
		    "\"getcwd\", \"foo\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		    -EINVAL, "inline.json:3: syscall \"foo\" is unknown for SCMP_ARCH_");
}

static void capture_log(enum rf_log_level level, const char *msg, void *userdata)
{
	char **out = userdata;

	if (!*out)
		*out = strdup(msg);
}

Test(filter_build, unknown_syscall_in_allow_rule_under_deny_default_is_skipped)
{
	_cleanup_str_ char *logged = NULL;
	struct rf_profile *p = parse_str("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
					 "[{\"names\": [\"getpid\", \"foo\", \"bar\"], \"action\": "
					 "\"SCMP_ACT_ALLOW\"}, {\"names\": [\"foo\"], \"action\": "
					 "\"SCMP_ACT_LOG\"}]}");
	struct program prog;
	struct seccomp_data d = { .arch = seccomp_arch_native() };

	rf_log_set_handler(capture_log, &logged);
	prog = compile(p, RF_FILTER_ENFORCE);
	rf_log_set_handler(NULL, NULL);
	/* One notice for the profile, each name once, sorted. */
	expect_contains(logged, "inline.json: 2 syscall name(s) unknown to libseccomp");
	expect_contains(logged, "(they stay denied): bar, foo");
	d.nr = seccomp_syscall_resolve_name("getpid");
	expect_u(rf_bpf_sim_run(prog.insns, prog.n, &d), SECCOMP_RET_ALLOW);
	free(prog.insns);
	rf_profile_free(p);
}

Test(filter_build, errno_ret_on_allow_is_rejected)
{
	build_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "
		    "[\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\", \"errnoRet\": 1}]}",
		    -EINVAL, "errnoRet is only valid with SCMP_ACT_ERRNO");
}

Test(filter_build, errno_ret_wider_than_16_bits_is_rejected)
{
	build_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 65536}", -EINVAL,
		    "does not fit the kernel's 16-bit errno field");
}

Test(filter_build, notify_action_is_not_supported)
{
	build_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		    "[\"getpid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
		    -EOPNOTSUPP, "SCMP_ACT_NOTIFY needs a seccomp agent");
}

Test(filter_build, unresolved_docker_profile_is_rejected)
{
	build_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "
		    "[\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": "
		    "[\"CAP_SYS_ADMIN\"]}}]}",
		    -EINVAL, "unresolved Docker conditions");
}

Test(filter_build, unknown_architecture_is_rejected)
{
	build_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
		    "[\"SCMP_ARCH_VAX\"]}",
		    -EINVAL, "architecture 'SCMP_ARCH_VAX' is unknown to libseccomp");
}

Test(filter_build, bad_argument_index_is_rejected)
{
	build_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		    "[\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, "
		    "\"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		    -EINVAL, "argument index 6 is out of range 0..5");
}

Test(filter_build, unsupported_flag_is_rejected)
{
	build_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
		    "[\"SECCOMP_FILTER_FLAG_BOGUS\"]}",
		    -EOPNOTSUPP, "seccomp flag 'SECCOMP_FILTER_FLAG_BOGUS' is not supported");
}

/* ---- the simulator itself, on hand-written programs ---- */

Test(bpf_sim, returns_constant_and_accumulator)
{
	struct sock_filter k[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5) };
	struct sock_filter a[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct seccomp_data d = { .nr = 42 };

	expect_u(rf_bpf_sim_run(k, 1, &d), SECCOMP_RET_ERRNO | 5);
	expect_u(rf_bpf_sim_run(a, 3, &d), SECCOMP_RET_ERRNO | 42);
}

Test(bpf_sim, rejects_malformed_programs)
{
	struct sock_filter fall_off[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) };
	struct sock_filter bad_jump[] = { BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 5),
					  BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_filter bad_load[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
					  BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_filter unaligned[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
					   BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_filter div0[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
				      BPF_STMT(BPF_RET | BPF_K, 0) };
	struct seccomp_data d = { 0 };

	expect_i(rf_bpf_sim_run(fall_off, 1, &d), -EINVAL);
	expect_i(rf_bpf_sim_run(bad_jump, 2, &d), -EINVAL);
	expect_i(rf_bpf_sim_run(bad_load, 2, &d), -EINVAL);
	expect_i(rf_bpf_sim_run(unaligned, 2, &d), -EINVAL);
	expect_i(rf_bpf_sim_run(div0, 2, &d), -EINVAL);
	expect_i(rf_bpf_sim_run(NULL, 0, &d), -EINVAL);
}

Test(bpf_sim, reads_64bit_argument_halves)
{
	/* Load the high half of args[0] (little-endian: offset + 4) and return it. */
	struct sock_filter hi[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]) + 4),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct seccomp_data d = { .args = { 0x1234567800000001ull } };

	expect_u(rf_bpf_sim_run(hi, 2, &d), 0x12345678);
}
