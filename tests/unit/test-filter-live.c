/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Live kernel: load a compiled profile into this test's own process (Criterion runs each test in
 * a separate worker, so the filter dies with it) and look at what the kernel really returns.
 * Skipped when the kernel has no seccomp filter mode. */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ringfence/filter.h"
#include "unit.h"

static void require_seccomp(void)
{
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
		cr_skip_test("SKIP: kernel built without CONFIG_SECCOMP");
	if (seccomp_api_get() < 1)
		cr_skip_test("SKIP: libseccomp reports no usable seccomp API");
}

/* Parses, compiles and loads `doc` (default actions that keep Criterion's own syscalls alive). */
static void load(const char *doc)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p;
	scmp_filter_ctx ctx = NULL;
	int r;

	require_seccomp();
	p = parse_str(doc);
	r = rf_filter_build(p, RF_FILTER_ENFORCE, &ctx, &err);
	rf_profile_free(p);
	cr_assert(r == 0, "rf_filter_build: %s", err.message ? err.message : "");
	cr_assert(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "PR_SET_NO_NEW_PRIVS: %m");
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	cr_assert(r == 0, "seccomp_load: %s", strerror(-r));
}

Test(filter_live, getcwd_fails_with_errnoRet_13)
{
	char buf[256];

	load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getcwd\"], "
	     "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
	errno = 0;
	cr_assert_null(getcwd(buf, sizeof(buf)), "getcwd succeeded under the filter");
	expect_i(errno, EACCES);
}

Test(filter_live, errno_without_errnoRet_is_eperm)
{
	/* Not getppid: LeakSanitizer's exit-time tracer polls it and would spin forever. */
	load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpgid\"], "
	     "\"action\": \"SCMP_ACT_ERRNO\"}]}");
	errno = 0;
	expect_i(syscall(SYS_getpgid, 0), -1);
	expect_i(errno, EPERM);
}

Test(filter_live, other_syscalls_keep_working)
{
	char buf[256];

	load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getcwd\"], "
	     "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
	expect_i(syscall(SYS_getpid), getpid());
	cr_assert_gt(syscall(SYS_getppid), 0);
	cr_assert_null(getcwd(buf, sizeof(buf)));
}

Test(filter_live, argument_condition_decides_the_verdict)
{
	load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"umask\"], "
	     "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38, \"args\": [{\"index\": 0, "
	     "\"value\": 511, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	errno = 0;
	expect_i(syscall(SYS_umask, 0777), -1);
	expect_i(errno, ENOSYS);
	cr_assert_geq(syscall(SYS_umask, 022), 0, "umask(022) was denied: %m");
}

Test(filter_live, trap_action_raises_sigsys, .signal = SIGSYS)
{
	load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"], "
	     "\"action\": \"SCMP_ACT_TRAP\"}]}");
	syscall(SYS_getppid);
	cr_assert_fail("still alive after a trapped syscall");
}

Test(filter_live, kill_process_action_kills_with_sigsys, .signal = SIGSYS)
{
	load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"], "
	     "\"action\": \"SCMP_ACT_KILL_PROCESS\"}]}");
	syscall(SYS_getppid);
	cr_assert_fail("still alive after a killing syscall");
}

Test(filter_live, rf_filter_load_installs_the_program)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p;
	scmp_filter_ctx ctx = NULL;
	struct sock_filter *prog = NULL;
	size_t n = 0;
	int listener = 1234;
	char buf[64];

	require_seccomp();
	p = parse_str("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		      "[\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
	expect_i(rf_filter_build(p, RF_FILTER_ENFORCE, &ctx, &err), 0);
	expect_i(rf_filter_program(p, ctx, RF_FILTER_ENFORCE, &prog, &n, &err), 0);
	seccomp_release(ctx);
	cr_assert(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "PR_SET_NO_NEW_PRIVS: %m");
	cr_assert(rf_filter_load(prog, n, p, false, &listener, &err) == 0, "rf_filter_load: %s",
		  err.message ? err.message : "");
	expect_i(listener, -EBADF);
	free(prog);
	rf_profile_free(p);
	errno = 0;
	cr_assert_null(getcwd(buf, sizeof(buf)));
	expect_i(errno, EACCES);
}
