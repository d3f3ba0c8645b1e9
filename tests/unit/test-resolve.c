/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_profile_resolve: Docker/moby semantics (archMap, includes/excludes on caps, arches and
 * minKernel) on the built-in runtime/default and on tests/data/profiles/valid/docker-moby.json. */
#include <seccomp.h>

#include "core/arch.h"
#include "unit.h"

#define NO_CAPS	  ((const char *const[]){ NULL })
#define CAPS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static struct rf_profile *resolve(const struct rf_profile *p, const char *arch,
				  const char *const *caps, unsigned major, unsigned minor)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_resolve_env env = {
		.native_arch = seccomp_arch_resolve_name(arch),
		.caps = caps,
		.kernel_major = major,
		.kernel_minor = minor,
	};
	struct rf_profile *out = NULL;
	int r;

	cr_assert_neq(env.native_arch, 0, "libseccomp does not know arch '%s'", arch);
	r = rf_profile_resolve(p, &env, &out, &err);
	cr_assert(r == 0 && out, "resolve failed (%d): %s", r, err.message ? err.message : "");
	return out;
}

/* runtime/default resolved for (arch, caps, kernel). */
static struct rf_profile *builtin(const char *arch, const char *const *caps, unsigned major,
				  unsigned minor)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = NULL, *out;

	expect_i(rf_profile_builtin("runtime/default", &p, &err), 0);
	out = resolve(p, arch, caps, major, minor);
	rf_profile_free(p);
	return out;
}

static void expect_allowed(const struct rf_profile *p, const char *name)
{
	long i = rule_with(p, name, 0);

	cr_assert_geq(i, 0, "no rule for '%s'", name);
	expect_u(p->rules[i].action, RF_ACT_ALLOW);
}

static void expect_absent(const struct rf_profile *p, const char *name)
{
	expect_u(count_rules_with(p, name), 0);
}

Test(resolve, sys_admin_allows_mount_unshare_setns)
{
	struct rf_profile *p = builtin("x86_64", CAPS("CAP_SYS_ADMIN"), 6, 1);

	expect_allowed(p, "mount");
	expect_allowed(p, "unshare");
	expect_allowed(p, "setns");
	rf_profile_free(p);
}

Test(resolve, sys_admin_clone_has_no_masked_rule)
{
	struct rf_profile *p = builtin("x86_64", CAPS("CAP_SYS_ADMIN"), 6, 1);
	size_t n = count_rules_with(p, "clone");

	cr_assert_gt(n, 0, "clone is not allowed at all");
	for (unsigned k = 0; k < n; k++) {
		const struct rf_seccomp_rule *r = &p->rules[rule_with(p, "clone", k)];
		expect_u(r->n_args, 0);
		expect_u(r->action, RF_ACT_ALLOW);
	}
	rf_profile_free(p);
}

Test(resolve, sys_admin_allows_clone3_plainly)
{
	struct rf_profile *p = builtin("x86_64", CAPS("CAP_SYS_ADMIN"), 6, 1);

	expect_u(count_rules_with(p, "clone3"), 1);
	expect_allowed(p, "clone3");
	expect_u(p->rules[rule_with(p, "clone3", 0)].n_args, 0);
	rf_profile_free(p);
}

Test(resolve, without_sys_admin_no_unshare_or_mount)
{
	struct rf_profile *p = builtin("x86_64", NO_CAPS, 6, 1);

	expect_absent(p, "unshare");
	expect_absent(p, "mount");
	expect_absent(p, "setns");
	rf_profile_free(p);
}

Test(resolve, without_sys_admin_clone_only_with_namespace_mask)
{
	struct rf_profile *p = builtin("x86_64", NO_CAPS, 6, 1);
	const struct rf_seccomp_rule *r;

	expect_u(count_rules_with(p, "clone"), 1);
	r = &p->rules[rule_with(p, "clone", 0)];
	expect_u(r->action, RF_ACT_ALLOW);
	expect_u(r->n_args, 1);
	expect_u(r->args[0].index, 0);
	expect_u(r->args[0].op, RF_CMP_MASKED_EQ);
	expect_u(r->args[0].value, 0x7E020000);
	expect_u(r->args[0].value_two, 0);
	rf_profile_free(p);
}

Test(resolve, without_sys_admin_clone3_fails_with_enosys)
{
	struct rf_profile *p = builtin("x86_64", NO_CAPS, 6, 1);
	const struct rf_seccomp_rule *r;

	expect_u(count_rules_with(p, "clone3"), 1);
	r = &p->rules[rule_with(p, "clone3", 0)];
	expect_u(r->action, RF_ACT_ERRNO);
	cr_assert(r->has_errno_ret);
	expect_u(r->errno_ret, ENOSYS);
	rf_profile_free(p);
}

Test(resolve, s390x_masks_clone_flags_in_arg1)
{
	struct rf_profile *p = builtin("s390x", NO_CAPS, 6, 1);
	const struct rf_seccomp_rule *r;

	expect_u(count_rules_with(p, "clone"), 1);
	r = &p->rules[rule_with(p, "clone", 0)];
	expect_u(r->args[0].index, 1);
	rf_profile_free(p);
}

Test(resolve, cap_sys_ptrace_toggles_process_inspection)
{
	struct rf_profile *with = builtin("x86_64", CAPS("CAP_SYS_PTRACE"), 6, 1);
	struct rf_profile *without = builtin("x86_64", NO_CAPS, 6, 1);

	expect_allowed(with, "kcmp");
	expect_allowed(with, "pidfd_getfd");
	expect_absent(without, "kcmp");
	expect_absent(without, "pidfd_getfd");
	rf_profile_free(with);
	rf_profile_free(without);
}

Test(resolve, kernel_4_7_blocks_ptrace_4_8_allows_it)
{
	struct rf_profile *old = builtin("x86_64", NO_CAPS, 4, 7);
	struct rf_profile *new = builtin("x86_64", NO_CAPS, 4, 8);

	expect_absent(old, "ptrace");
	expect_absent(old, "process_vm_readv");
	expect_allowed(new, "ptrace");
	expect_allowed(new, "process_vm_writev");
	rf_profile_free(old);
	rf_profile_free(new);
}

Test(resolve, cap_sys_ptrace_allows_ptrace_on_old_kernels)
{
	struct rf_profile *p = builtin("x86_64", CAPS("CAP_SYS_PTRACE"), 4, 7);

	expect_allowed(p, "ptrace");
	rf_profile_free(p);
}

Test(resolve, aarch64_gets_arm_arches_and_arm_names)
{
	struct rf_profile *p = builtin("aarch64", NO_CAPS, 6, 1);

	expect_u(strv_length(p->architectures), 2);
	expect_str(p->architectures[0], "SCMP_ARCH_AARCH64");
	expect_str(p->architectures[1], "SCMP_ARCH_ARM");
	expect_allowed(p, "cacheflush");
	expect_allowed(p, "set_tls");
	expect_absent(p, "arch_prctl");
	expect_absent(p, "modify_ldt");
	rf_profile_free(p);
}

Test(resolve, x86_64_gets_x86_arches_and_arch_prctl)
{
	struct rf_profile *p = builtin("x86_64", NO_CAPS, 6, 1);

	expect_u(strv_length(p->architectures), 3);
	expect_str(p->architectures[0], "SCMP_ARCH_X86_64");
	expect_str(p->architectures[1], "SCMP_ARCH_X86");
	expect_str(p->architectures[2], "SCMP_ARCH_X32");
	expect_allowed(p, "arch_prctl");
	expect_allowed(p, "modify_ldt");
	expect_absent(p, "cacheflush");
	rf_profile_free(p);
}

Test(resolve, result_is_plain_oci)
{
	struct rf_profile *p = builtin("x86_64", NO_CAPS, 6, 1);
	_cleanup_str_ char *t = write_str(p, RF_FORMAT_OCI);

	expect_u(p->format, RF_FORMAT_OCI);
	cr_assert_not(rf_profile_has_conditions(p));
	expect_u(p->n_arch_map, 0);
	expect_u(p->default_action, RF_ACT_ERRNO);
	expect_u(p->default_errno_ret, EPERM);
	rf_profile_free(p);
}

/* Names are data: resolving never drops a name this libseccomp does not know (only the filter
 * compiler skips it), so a resolved profile is the same on every machine. */
Test(resolve, keeps_names_libseccomp_does_not_know)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = parse_fixture("profiles/valid/docker-moby.json");
	struct rf_profile *out = resolve(p, "x86_64", NO_CAPS, 6, 1), *b = NULL, *bout;

	expect_u(count_rules_with(out, "definitely_not_a_syscall"), 1);
	expect_u(out->rules[0].n_names, 4);
	expect_i(rf_profile_builtin("runtime/default", &b, &err), 0);
	bout = resolve(b, "x86_64", NO_CAPS, 6, 1);
	expect_allowed(bout, "mseal");
	expect_allowed(bout, "listmount");
	rf_profile_free(p);
	rf_profile_free(out);
	rf_profile_free(b);
	rf_profile_free(bout);
}

/* ptrace is listed under minKernel 4.8 and under CAP_SYS_PTRACE, syslog under CAP_SYS_ADMIN and
 * CAP_SYSLOG: with both conditions met, the resolved profile lists each once (the first rule
 * keeps it), so `show runtime/default` passes its own lint. */
Test(resolve, names_repeated_with_the_same_rule_are_listed_once)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = NULL, *out;
	struct rf_lint l = { 0 };

	expect_i(rf_profile_builtin("runtime/default", &p, &err), 0);
	out = resolve(
		p, "x86_64",
		CAPS("CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYSLOG", "CAP_BPF", "CAP_PERFMON"), 6,
		1);
	expect_u(count_rules_with(out, "ptrace"), 1);
	expect_u(count_rules_with(out, "syslog"), 1);
	expect_u(count_rules_with(out, "bpf"), 1);
	expect_u(count_rules_with(out, "perf_event_open"), 1);
	expect_u(count_rules_with(out, "socket"), 26); /* other arguments: kept */
	for (size_t i = 0; i < out->n_rules; i++)
		cr_assert_gt(out->rules[i].n_names, 0, "rule %zu left empty", i);
	expect_i(rf_profile_lint(out, &l), 0);
	expect_u(l.n_errors, 0);
	expect_u(l.n_warnings, l.n_host);
	rf_lint_done(&l);
	rf_profile_free(p);
	rf_profile_free(out);
}

/* Only an identical rule is a repeat: another errno, action or argument keeps the name. */
Test(resolve, same_name_with_another_verdict_is_kept)
{
	struct rf_profile *p = parse_str(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"read\", \"read\", \"getcwd\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
		"{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 2},"
		"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\","
		" \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"
		"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	struct rf_profile *out = resolve(p, "x86_64", NO_CAPS, 6, 1);

	expect_u(out->n_rules, 4); /* the last rule only repeated the first */
	expect_u(out->rules[0].n_names, 2);
	expect_str(out->rules[0].names[0], "read");
	expect_str(out->rules[0].names[1], "getcwd");
	expect_u(count_rules_with(out, "getcwd"), 3);
	expect_u(count_rules_with(out, "read"), 2);
	rf_profile_free(p);
	rf_profile_free(out);
}

Test(resolve, includes_need_every_cap_and_the_kernel)
{
	struct rf_profile *p = parse_fixture("profiles/valid/docker-moby.json");
	struct rf_profile *both = resolve(p, "x86_64", CAPS("CAP_SYS_ADMIN", "CAP_BPF"), 6, 1);
	struct rf_profile *one = resolve(p, "x86_64", CAPS("CAP_SYS_ADMIN"), 6, 1);
	struct rf_profile *old = resolve(p, "x86_64", CAPS("CAP_SYS_ADMIN", "CAP_BPF"), 5, 7);

	expect_allowed(both, "bpf");
	expect_absent(one, "bpf");
	expect_absent(old, "bpf");
	rf_profile_free(p);
	rf_profile_free(both);
	rf_profile_free(one);
	rf_profile_free(old);
}

Test(resolve, excludes_min_kernel_drops_rule_on_newer_kernels)
{
	struct rf_profile *p = parse_fixture("profiles/valid/docker-moby.json");
	struct rf_profile *at = resolve(p, "x86_64", CAPS("CAP_SYS_ADMIN", "CAP_BPF"), 99, 0);
	struct rf_profile *below = resolve(p, "x86_64", CAPS("CAP_SYS_ADMIN", "CAP_BPF"), 98, 99);

	expect_absent(at, "bpf");
	expect_allowed(below, "bpf");
	rf_profile_free(p);
	rf_profile_free(at);
	rf_profile_free(below);
}

Test(resolve, native_arch_missing_from_archmap_gives_no_architectures)
{
	struct rf_profile *p = parse_fixture("profiles/valid/docker-moby.json");
	struct rf_profile *out = resolve(p, "s390x", NO_CAPS, 6, 1);

	cr_assert_null(out->architectures);
	/* The clone mask rule excludes s390x (flags are arg 1 there). */
	expect_absent(out, "clone");
	rf_profile_free(p);
	rf_profile_free(out);
}

Test(resolve, explicit_architectures_win_over_archmap)
{
	struct rf_profile *p =
		parse_str("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\":"
			  " [\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": "
			  "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	struct rf_profile *out = resolve(p, "aarch64", NO_CAPS, 6, 1);

	expect_u(strv_length(out->architectures), 1);
	expect_str(out->architectures[0], "SCMP_ARCH_X86_64");
	rf_profile_free(p);
	rf_profile_free(out);
}

Test(resolve, bad_min_kernel_is_an_error_with_the_rule_line)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p =
		parse_str("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
			  "\n{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
			  "\"includes\": {\"minKernel\": \"four.eight\"}}]}");
	struct rf_resolve_env env = { .native_arch = seccomp_arch_resolve_name("x86_64"),
				      .kernel_major = 6 };
	struct rf_profile *out = NULL;

	expect_i(rf_profile_resolve(p, &env, &out, &err), -EINVAL);
	cr_assert_null(out);
	expect_contains(err.message, "minKernel 'four.eight' is not a kernel version");
	expect_u(err.line, 3);
	rf_profile_free(p);
}

/* Regression test: (lib/seccomp/resolve.c kernel_at_least): the location uses the literal file name
 * "profile" instead of the profile's source, unlike every other message. (fixed). */
Test(resolve, bad_min_kernel_names_the_source_file)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = parse_str("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
					 "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
					 "\"includes\": {\"minKernel\": \"x\"}}]}");
	struct rf_resolve_env env = { .native_arch = seccomp_arch_resolve_name("x86_64"),
				      .kernel_major = 6 };
	struct rf_profile *out = NULL;

	expect_i(rf_profile_resolve(p, &env, &out, &err), -EINVAL);
	expect_str(err.file, "inline.json");
	rf_profile_free(p);
}

Test(resolve, null_env_means_this_machine)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = NULL, *out = NULL;

	expect_i(rf_profile_builtin("runtime/default", &p, &err), 0);
	expect_i(rf_profile_resolve(p, NULL, &out, &err), 0);
	cr_assert_not_null(out);
	cr_assert_not(rf_profile_has_conditions(out));
	rf_profile_free(p);
	rf_profile_free(out);
}
