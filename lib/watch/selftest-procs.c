/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Selftest behaviours of the process rules: programs started under the names the rules look
 * for (symlinks to the performer, which then does nothing), a dropped payload and a memfd
 * executed, and process injection against the performer's own children (which only sleep). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/macro.h"
#include "ringfence/selftest.h"
#include "selftest-internal.h"

static int noop(const struct st_ctx *c)
{
	return 0;
}

static int exec_child(const struct st_ctx *c, void *name)
{
	return st_exec_noop(c, name, NULL, NULL);
}

static int spawn_sh(const struct st_ctx *c)
{
	return st_fork_wait(c, exec_child, (char *)"sh");
}

static int spawn_cat(const struct st_ctx *c)
{
	return st_fork_wait(c, exec_child, (char *)"cat");
}

static int exec_bin_sh(const struct st_ctx *c, void *argv)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || dup2(fd, 0) < 0)
		return 2;
	execv("/bin/sh", argv);
	return 127;
}

static int terminal_shell(const struct st_ctx *c)
{
	static char *const argv[] = { (char *)"sh", NULL };

	return st_fork_wait(c, exec_bin_sh, (void *)argv);
}

static int script_shell(const struct st_ctx *c)
{
	static char *const argv[] = { (char *)"sh", (char *)"-c", (char *)":", NULL };

	return st_fork_wait(c, exec_bin_sh, (void *)argv);
}

static int exec_miner(const struct st_ctx *c)
{
	return st_exec_noop(c, "rf-selftest", "-o", "stratum+tcp://127.0.0.1:3333");
}

static int exec_not_miner(const struct st_ctx *c)
{
	return st_exec_noop(c, "rf-selftest", "-o", "tcp://127.0.0.1:3333");
}

/* A payload written now (drift) or before watching began, then run. */
static int run_file(const struct st_ctx *c, const char *rel, bool write_it)
{
	char p[4096];
	char *const argv[] = { (char *)rel, (char *)RF_SELFTEST_CHILD_CMD,
			       (char *)RF_SELFTEST_CHILD_OPT, (char *)"noop", NULL };

	st_path(c, p, sizeof(p), rel);
	if (write_it) {
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

		if (fd < 0 || st_copy_self(fd) < 0)
			return 2;
		close(fd);
	}
	st_mark(c);
	execv(p, argv);
	return 126;
}

static int drift_exec(const struct st_ctx *c)
{
	return run_file(c, "payload", true);
}

static int prebuilt_exec(const struct st_ctx *c)
{
	return run_file(c, "prebuilt", false);
}

static int memfd_payload(bool run)
{
	char *const argv[] = { (char *)"rf-selftest", (char *)RF_SELFTEST_CHILD_CMD,
			       (char *)RF_SELFTEST_CHILD_OPT, (char *)"noop", NULL };
	int fd = (int)syscall(SYS_memfd_create, "rf-selftest", 0);

	if (fd < 0 || st_copy_self(fd) < 0)
		return 2;
	if (!run)
		return 0;
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return 126;
}

static int fileless(const struct st_ctx *c)
{
	return memfd_payload(true);
}

static int memfd_only(const struct st_ctx *c)
{
	return memfd_payload(false);
}

/* ---- injection: targets are children that sleep on a pipe ---- */

static char target_buf[64] = "selftest target";

static pid_t sleeper(int *ret_wfd)
{
	int p[2];
	pid_t pid;
	char ch;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		(void)!read(p[0], &ch, 1);
		_exit(0);
	}
	close(p[0]);
	*ret_wfd = p[1];
	return pid;
}

static void reap(pid_t pid, int wfd)
{
	(void)kill(pid, SIGKILL);
	close(wfd);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
}

static int attach(const struct st_ctx *c)
{
	int wfd;
	pid_t pid = sleeper(&wfd);

	if (pid < 0)
		return 2;
	/* Refused when the backend itself traces the child (ptrace): the call is still made. */
	(void)ptrace(PTRACE_SEIZE, pid, NULL, NULL);
	reap(pid, wfd);
	return 0;
}

static int traceme(const struct st_ctx *c, void *unused)
{
	(void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 0;
}

static int traceme_direct(const struct st_ctx *c)
{
	return traceme(c, NULL);
}

static int traceme_child(const struct st_ctx *c)
{
	return st_fork_wait(c, traceme, NULL);
}

static int vm_access(bool write)
{
	char mine[64] = "written by the selftest";
	struct iovec local = { mine, sizeof(mine) }, remote = { target_buf, sizeof(target_buf) };
	int wfd;
	pid_t pid = sleeper(&wfd);

	if (pid < 0)
		return 2;
	if (write)
		(void)process_vm_writev(pid, &local, 1, &remote, 1, 0);
	else
		(void)process_vm_readv(pid, &local, 1, &remote, 1, 0);
	reap(pid, wfd);
	return 0;
}

static int vm_write(const struct st_ctx *c)
{
	return vm_access(true);
}

static int vm_read(const struct st_ctx *c)
{
	return vm_access(false);
}

#define A(w, f)                                                                                    \
	{                                                                                          \
		.what = w, .fn = f                                                                 \
	}

const struct st_behaviour st_procs[] = {
	{ "Shell spawned by a server process",
	  { .what = "nginx starts sh", .as = "nginx", .fn = spawn_sh },
	  { .what = "nginx starts cat", .as = "nginx", .fn = spawn_cat },
	  NULL },
	{ "Terminal shell in container",
	  { .what = "runc starts /bin/sh (no arguments, stdin /dev/null) in the container",
	    .as = "runc",
	    .needs = ST_CONTAINER | ST_SH,
	    .fn = terminal_shell },
	  { .what = "runc starts /bin/sh -c : in the container",
	    .as = "runc",
	    .needs = ST_CONTAINER | ST_SH,
	    .fn = script_shell },
	  NULL },
	{ "Network tool launched in container",
	  { .what = "nc runs in the container",
	    .as = "nc",
	    .needs = ST_CONTAINER | ST_MARK_AT_EXEC,
	    .fn = noop },
	  { .what = "nc runs on the host", .as = "nc", .needs = ST_MARK_AT_EXEC, .fn = noop },
	  "nc is a symlink to the performer, which does nothing" },
	{ "Executed file written after the container started",
	  { .what = "write <dir>/payload in the container, run it",
	    .as = "rf-selftest",
	    .needs = ST_CONTAINER,
	    .fn = drift_exec },
	  { .what = "run <dir>/prebuilt (written before watching) in the container",
	    .as = "rf-selftest",
	    .needs = ST_CONTAINER,
	    .fn = prebuilt_exec },
	  NULL },
	{ "Fileless execution", A("copy the performer into a memfd, execveat it", fileless),
	  A("memfd_create and write, no exec", memfd_only), NULL },
	{ "Crypto miner launched",
	  A("run the performer with -o stratum+tcp://127.0.0.1:3333", exec_miner),
	  A("run the performer with -o tcp://127.0.0.1:3333", exec_not_miner), NULL },
	{ "Package manager launched in container",
	  { .what = "apt-get runs in the container",
	    .as = "apt-get",
	    .needs = ST_CONTAINER | ST_MARK_AT_EXEC,
	    .fn = noop },
	  { .what = "apt-get runs on the host",
	    .as = "apt-get",
	    .needs = ST_MARK_AT_EXEC,
	    .fn = noop },
	  "apt-get is a symlink to the performer, which does nothing" },
	{ "Secure deletion or bulk removal",
	  { .what = "shred runs", .as = "shred", .needs = ST_MARK_AT_EXEC, .fn = noop },
	  { .what = "rm runs (not on / or a system directory)",
	    .as = "rm",
	    .needs = ST_MARK_AT_EXEC,
	    .fn = noop },
	  "shred and rm are symlinks to the performer, which deletes nothing" },
	{ "Ptrace attached to another process",
	  A("PTRACE_SEIZE a sleeping child", attach),
	  { .what = "gdb does PTRACE_SEIZE on a sleeping child", .as = "gdb", .fn = attach },
	  "refused (EPERM) under the ptrace backend, which traces the child already" },
	{ "PTRACE_TRACEME anti-debugging",
	  A("PTRACE_TRACEME", traceme_direct),
	  { .what = "a child of gdb does PTRACE_TRACEME", .as = "gdb", .fn = traceme_child },
	  NULL },
	{ "Process memory written with process_vm_writev",
	  A("process_vm_writev into a sleeping child", vm_write),
	  A("process_vm_readv from a sleeping child", vm_read), NULL },
};
const size_t st_procs_n = ELEMENTSOF(st_procs);
