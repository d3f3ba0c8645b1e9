/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * probe — make each named system call once, directly with syscall(2) and harmless arguments, and
 * print what the kernel answered, so a seccomp profile's effect can be compared between runtimes
 * (tests/integration/t0300-run-vs-runc.sh runs it under runc and under `ringfence run`).
 *
 *   probe NAME...      one line per NAME: "NAME ok" (returned >= 0), "NAME EPERM" (the errno name
 *                      from strerrorname_np), "NAME SIGSYS" (a child probe died of that signal),
 *                      "NAME fork-EPERM" (the helper child could not be forked), or
 *                      "NAME unsupported" (unknown name; exit status 2 at the end).
 *   probe --list       the supported names, one per line, followed by their tags.
 *
 * "NAME " is printed and flushed *before* the call, so a call that kills the probe
 * (SCMP_ACT_KILL_*, SCMP_ACT_TRAP) leaves a line without a result. Every call is chosen so that
 * "allowed" and "denied by seccomp with errno E" give different, deterministic answers, and so
 * that it changes nothing on the system, never blocks and is safe as root. NOPATH is
 * "/nonexistent-ringfence-probe/x", whose parent does not exist.
 *
 * Tags: child = made in a forked helper child (needs fork, i.e. clone, and wait4 to be allowed);
 *       priv  = the answer depends on capabilities (the allowed answer shown is as full root);
 *       env   = the answer depends on the kernel's configuration or sysctls.
 *
 *   NAME               call                                           allowed answer    tags
 *   acct               acct(NOPATH)                                   ENOENT            priv
 *   adjtimex           adjtimex(&{.modes = 0}) (read only)            ok
 *   bpf                bpf(0x7fff, NULL, 0) (no such command)         EINVAL            priv
 *   chdir              chdir("/")                                     ok
 *   chroot             chroot(NOPATH)                                 ENOENT
 *   clock_settime      clock_settime(CLOCK_REALTIME, NULL)            EFAULT
 *   clone              clone(SIGCHLD) -> child _exit(0)s, is reaped   ok
 *   clone:newuser      clone(CLONE_NEWUSER|CLONE_FS|SIGCHLD)          EINVAL
 *   clone:newns        clone(CLONE_NEWNS|CLONE_FS|SIGCHLD)            EINVAL
 *   clone:newpid       clone(CLONE_NEWPID|CLONE_THREAD|SIGHAND|VM)    EINVAL
 *   clone3             clone3(&args, 8) (struct too small)            EINVAL
 *   delete_module      delete_module("ringfence_probe_none", ...)     ENOENT            priv env
 *   fork               fork -> child _exit(0)s, is reaped             ok
 *   fsopen             fsopen(NULL, 0xffff) (bad flags)               EINVAL            priv
 *   getcwd getpid getppid gettid getuid sched_yield uname             ok
 *   getpriority        getpriority(PRIO_PROCESS, 0)                   ok
 *   getrandom          getrandom(buf, 16, GRND_NONBLOCK)              ok
 *   init_module        init_module(NULL, 0, "")                       ENOEXEC           priv env
 *   io_uring_enter     io_uring_enter(-1, 0, 0, 0, NULL, 0)           EBADF             env
 *   io_uring_setup     io_uring_setup(0, NULL)                        EFAULT            env
 *   ioctl              ioctl(-1, FIONREAD, &n)                        EBADF
 *   ioctl:tiocsti      ioctl(-1, TIOCSTI, "x")                        EBADF
 *   ioperm             ioperm(0, 0, 0) (empty range)                  EINVAL            (x86) env
 *   iopl               iopl(4) (no such level)                        EINVAL            (x86) env
 *   kexec_load         kexec_load(0, 1024, NULL, 0xdead0000)          EINVAL            priv env
 *   keyctl             keyctl(KEYCTL_GET_KEYRING_ID, SESSION, 0)      ok                env
 *   kill               kill(getpid(), 0)                              ok
 *   memfd_create       memfd_create("probe", MFD_CLOEXEC), closed     ok
 *   mkdirat mknodat    ...at(AT_FDCWD, NOPATH, ...)                   ENOENT
 *   modify_ldt         modify_ldt(0, buf, 0) (read nothing)           ok                (x86) env
 *   mount              mount("none", NOPATH, "ringfence-bogus", 0, 0) ENOENT
 *   mount_setattr      mount_setattr(-1, "", 0x80000000, NULL, 0)     EINVAL
 *   nanosleep          nanosleep(&{0, 0}, NULL)                       ok
 *   open openat        open(NOPATH, O_RDONLY)                         ENOENT            (open: x86)
 *   open_tree          open_tree(-1, "", 0x4) (bad flags)             EINVAL
 *   perf_event_open    perf_event_open(NULL, 0, -1, -1, 0)            EFAULT
 *   personality        personality(0xffffffff) (query)                ok
 *   personality:N      personality(N) in a child (N: C integer)       ok                child
 *   pidfd_open         pidfd_open(getpid(), 0), closed                ok
 *   pivot_root         pivot_root(NOPATH, NOPATH)                     ENOENT            priv
 *   prctl              prctl(PR_GET_DUMPABLE)                         ok
 *   prlimit64          prlimit64(0, RLIMIT_NOFILE, NULL, &old)        ok
 *   process_vm_readv   process_vm_readv(getpid(), NULL, 0, NULL, 0,0) ok
 *   ptrace             ptrace(PTRACE_TRACEME) in a child              ok                child
 *   reboot             reboot(MAGIC1, 0 (bad magic2), 0, NULL)        EINVAL            priv
 *   request_key        request_key("user", "ringfence-probe:none", 0) ENOKEY            env
 *   seccomp            seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &ALLOW)   ok
 *   sethostname        sethostname(buf, 65) (too long)                EINVAL            priv
 *   setdomainname      setdomainname(buf, 65) (too long)              EINVAL            priv
 *   setns              setns(-1, 0)                                   EBADF
 *   socket             socket(AF_INET, SOCK_STREAM, 0), closed        ok
 *   socket:unix        socket(AF_UNIX, SOCK_STREAM, 0), closed        ok
 *   socket:netlink     socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)    ok
 *   socket:inet6       socket(AF_INET6, SOCK_STREAM, 0), closed       ok                env
 *   socket:vsock       socket(AF_VSOCK, SOCK_STREAM, 0), closed       ok                env (*)
 *   socket:bogus       socket(1000, SOCK_STREAM, 0)                   EAFNOSUPPORT
 *   swapon             swapon(NOPATH, 0)                              ENOENT            priv env
 *   syslog             syslog(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0)     ok                priv
 *   tgkill             tgkill(getpid(), gettid(), 0)                  ok
 *   umount2            umount2(NOPATH, 0x100) (bad flags)             EINVAL
 *   unlinkat           unlinkat(AT_FDCWD, NOPATH, 0)                  ENOENT
 *   unshare            unshare(0x1) (bad flag)                        EINVAL
 *   unshare:newuts     unshare(CLONE_NEWUTS) in a child               ok                child priv
 *   unshare:newuser    unshare(CLONE_NEWUSER) in a child              ok                child env
 *   userfaultfd        userfaultfd(UFFD_USER_MODE_ONLY | 0x2)         EINVAL
 *
 * socket types carry SOCK_CLOEXEC.
 * (*) Where AF_VSOCK is a module that is not loaded, socket:vsock makes the kernel try to load it.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 [-static] -o probe probe.c  (glibc >= 2.32).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif

#define NOPATH "/nonexistent-ringfence-probe/x"

enum {
	P_CHILD = 1 << 0, /* make the call in a forked child */
	P_PRIV = 1 << 1,  /* answer depends on capabilities */
	P_ENV = 1 << 2,	  /* answer depends on kernel configuration or sysctls */
	P_VALUE = 1 << 3, /* name is "NAME:" + a number, passed as the argument */
};

struct probe {
	const char *name;
	long (*call)(long arg);
	long arg;
	unsigned flags;
};

/* Every call made in the probe itself; arg is the syscall number. */
static long call_simple(long nr)
{
	static char name[65]; /* one byte longer than a host or domain name may be */
	struct timex tx = { .modes = 0 };
	struct timespec ts = { 0, 0 };
	unsigned int action = SECCOMP_RET_ALLOW;
	unsigned char buf[4096];
	struct utsname u;
	struct rlimit old;
	int n;

	switch (nr) {
	case SYS_getcwd: return syscall(nr, buf, sizeof(buf));
	case SYS_uname: return syscall(nr, &u);
	case SYS_getrandom: return syscall(nr, buf, 16UL, 0x1 /* GRND_NONBLOCK */);
	case SYS_getpriority: return syscall(nr, PRIO_PROCESS, 0);
	case SYS_prlimit64: return syscall(nr, 0, RLIMIT_NOFILE, NULL, &old);
	case SYS_chroot:
	case SYS_acct: return syscall(nr, NOPATH);
#ifdef SYS_open
	case SYS_open: return syscall(nr, NOPATH, O_RDONLY);
#endif
	case SYS_openat: return syscall(nr, AT_FDCWD, NOPATH, O_RDONLY);
	case SYS_mkdirat: return syscall(nr, AT_FDCWD, NOPATH, 0700);
	case SYS_mknodat: return syscall(nr, AT_FDCWD, NOPATH, S_IFIFO | 0600, 0);
	case SYS_unlinkat: return syscall(nr, AT_FDCWD, NOPATH, 0);
	case SYS_swapon: return syscall(nr, NOPATH, 0);
	case SYS_pivot_root: return syscall(nr, NOPATH, NOPATH);
	case SYS_mount: return syscall(nr, "none", NOPATH, "ringfence-bogus", 0UL, NULL);
	case SYS_umount2: return syscall(nr, NOPATH, 0x100);
	case SYS_chdir: return syscall(nr, "/");
	case SYS_setns: return syscall(nr, -1, 0);
	case SYS_io_uring_enter: return syscall(nr, -1, 0, 0, 0, NULL, 0);
	case SYS_mount_setattr: return syscall(nr, -1, "", 0x80000000U, NULL, 0);
	case SYS_open_tree: return syscall(nr, -1, "", 0x4);
	case SYS_ioctl: return syscall(nr, -1, FIONREAD, &n);
	case SYS_bpf: return syscall(nr, 0x7fff, NULL, 0);
	case SYS_clock_settime: return syscall(nr, CLOCK_REALTIME, NULL);
	case SYS_delete_module: return syscall(nr, "ringfence_probe_none", O_NONBLOCK);
	case SYS_fsopen: return syscall(nr, NULL, 0xffff);
	case SYS_init_module: return syscall(nr, NULL, 0UL, "");
	case SYS_io_uring_setup: return syscall(nr, 0, NULL);
#ifdef SYS_ioperm
	case SYS_ioperm: return syscall(nr, 0UL, 0UL, 0);
#endif
#ifdef SYS_iopl
	case SYS_iopl: return syscall(nr, 4);
#endif
#ifdef SYS_kexec_load
	case SYS_kexec_load: return syscall(nr, 0UL, 1024UL, NULL, 0xdead0000UL);
#endif
	case SYS_perf_event_open: return syscall(nr, NULL, 0, -1, -1, 0UL);
	case SYS_reboot: return syscall(nr, LINUX_REBOOT_MAGIC1, 0, 0, NULL);
	case SYS_request_key: return syscall(nr, "user", "ringfence-probe:none", NULL, 0);
	case SYS_sethostname:
	case SYS_setdomainname:
		memset(name, 'x', sizeof(name));
		return syscall(nr, name, sizeof(name));
	case SYS_syslog: return syscall(nr, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	case SYS_unshare: return syscall(nr, 0x1);
	case SYS_userfaultfd: return syscall(nr, UFFD_USER_MODE_ONLY | 0x2);
	case SYS_adjtimex: return syscall(nr, &tx);
	case SYS_nanosleep: return syscall(nr, &ts, NULL);
	case SYS_seccomp: return syscall(nr, SECCOMP_GET_ACTION_AVAIL, 0, &action);
	case SYS_keyctl: return syscall(nr, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* SESSION */, 0);
	case SYS_kill: return syscall(nr, getpid(), 0);
	case SYS_tgkill: return syscall(nr, getpid(), gettid(), 0);
	case SYS_prctl: return syscall(nr, PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
	case SYS_process_vm_readv: return syscall(nr, getpid(), NULL, 0UL, NULL, 0UL, 0UL);
	case SYS_personality: return syscall(nr, 0xffffffffUL);
#ifdef SYS_modify_ldt
	case SYS_modify_ldt: return syscall(nr, 0, buf, 0UL);
#endif
	default: return syscall(nr);
	}
}

/* Calls that return a file descriptor: close it again. */
static long call_fd(long nr)
{
	long r;

	if (nr == SYS_memfd_create)
		r = syscall(nr, "probe", 0x1U /* MFD_CLOEXEC */);
	else
		r = syscall(nr, getpid(), 0); /* pidfd_open */
	if (r >= 0)
		close((int)r);
	return r;
}

static long call_socket(long family)
{
	int type = family == AF_NETLINK ? SOCK_RAW : SOCK_STREAM;
	long r = syscall(SYS_socket, family, type | SOCK_CLOEXEC, 0);

	if (r >= 0)
		close((int)r);
	return r;
}

/* A raw clone/fork/clone3 whose child _exit(0)s at once; the parent reaps it. */
static long reap(long pid)
{
	int status;

	if (pid == 0)
		_exit(0);
	if (pid > 0 && waitpid((pid_t)pid, &status, 0) < 0)
		return -1;
	return pid;
}

static long call_clone(long flags)
{
	return reap(syscall(SYS_clone, flags, NULL, NULL, NULL, 0UL));
}

static long call_clone3(long unused)
{
	struct clone_args args = { .exit_signal = SIGCHLD };

	(void)unused;
	return reap(syscall(SYS_clone3, &args, (size_t)8)); /* smaller than CLONE_ARGS_SIZE_VER0 */
}

#ifdef SYS_fork
static long call_fork(long unused)
{
	(void)unused;
	return reap(syscall(SYS_fork));
}
#endif

/* The calls below run in a forked child (P_CHILD): they change the calling process. */
static long call_ptrace_traceme(long unused)
{
	(void)unused;
	return syscall(SYS_ptrace, PTRACE_TRACEME, 0, NULL, NULL);
}

static long call_unshare(long flags)
{
	return syscall(SYS_unshare, flags);
}

static long call_personality(long persona)
{
	return syscall(SYS_personality, (unsigned long)persona);
}

static long call_tiocsti(long unused)
{
	char c = 'x';

	(void)unused;
	return syscall(SYS_ioctl, -1, TIOCSTI, &c);
}

#define CALL(n, fn, fl)                                                                            \
	{                                                                                          \
#n, fn, SYS_##n, fl                                                                \
	}
#define SIMPLE(n, fl) CALL(n, call_simple, fl)

static const struct probe probes[] = {
	SIMPLE(acct, P_PRIV),
	SIMPLE(adjtimex, 0),
	SIMPLE(bpf, P_PRIV),
	SIMPLE(chdir, 0),
	SIMPLE(chroot, 0),
	SIMPLE(clock_settime, 0),
	{ "clone", call_clone, SIGCHLD, 0 },
	{ "clone:newuser", call_clone, CLONE_NEWUSER | CLONE_FS | SIGCHLD, 0 },
	{ "clone:newns", call_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0 },
	{ "clone:newpid", call_clone,
	  CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | SIGCHLD, 0 },
	{ "clone3", call_clone3, 0, 0 },
	SIMPLE(delete_module, P_PRIV | P_ENV),
#ifdef SYS_fork
	{ "fork", call_fork, 0, 0 },
#endif
	SIMPLE(fsopen, P_PRIV),
	SIMPLE(getcwd, 0),
	SIMPLE(getpid, 0),
	SIMPLE(getppid, 0),
	SIMPLE(getpriority, 0),
	SIMPLE(getrandom, 0),
	SIMPLE(gettid, 0),
	SIMPLE(getuid, 0),
	SIMPLE(init_module, P_PRIV | P_ENV),
	SIMPLE(io_uring_enter, P_ENV),
	SIMPLE(io_uring_setup, P_ENV),
	SIMPLE(ioctl, 0),
	{ "ioctl:tiocsti", call_tiocsti, 0, 0 },
#ifdef SYS_ioperm
	SIMPLE(ioperm, P_ENV),
#endif
#ifdef SYS_iopl
	SIMPLE(iopl, P_ENV),
#endif
#ifdef SYS_kexec_load
	SIMPLE(kexec_load, P_PRIV | P_ENV),
#endif
	SIMPLE(keyctl, P_ENV),
	SIMPLE(kill, 0),
	CALL(memfd_create, call_fd, 0),
	SIMPLE(mkdirat, 0),
	SIMPLE(mknodat, 0),
#ifdef SYS_modify_ldt
	SIMPLE(modify_ldt, P_ENV),
#endif
	SIMPLE(mount, 0),
	SIMPLE(mount_setattr, 0),
	SIMPLE(nanosleep, 0),
#ifdef SYS_open
	SIMPLE(open, 0),
#endif
	SIMPLE(open_tree, 0),
	SIMPLE(openat, 0),
	SIMPLE(perf_event_open, 0),
	SIMPLE(personality, 0),
	{ "personality:", call_personality, 0, P_CHILD | P_VALUE },
	CALL(pidfd_open, call_fd, 0),
	SIMPLE(pivot_root, P_PRIV),
	SIMPLE(prctl, 0),
	SIMPLE(prlimit64, 0),
	SIMPLE(process_vm_readv, 0),
	{ "ptrace", call_ptrace_traceme, 0, P_CHILD },
	SIMPLE(reboot, P_PRIV),
	SIMPLE(request_key, P_ENV),
	SIMPLE(sched_yield, 0),
	SIMPLE(seccomp, 0),
	SIMPLE(setdomainname, P_PRIV),
	SIMPLE(sethostname, P_PRIV),
	SIMPLE(setns, 0),
	{ "socket", call_socket, AF_INET, 0 },
	{ "socket:bogus", call_socket, 1000, 0 },
	{ "socket:inet6", call_socket, AF_INET6, P_ENV },
	{ "socket:netlink", call_socket, AF_NETLINK, 0 },
	{ "socket:unix", call_socket, AF_UNIX, 0 },
	{ "socket:vsock", call_socket, AF_VSOCK, P_ENV },
	SIMPLE(swapon, P_PRIV | P_ENV),
	SIMPLE(syslog, P_PRIV),
	SIMPLE(tgkill, 0),
	SIMPLE(umount2, 0),
	SIMPLE(uname, 0),
	SIMPLE(unlinkat, 0),
	SIMPLE(unshare, 0),
	{ "unshare:newuser", call_unshare, CLONE_NEWUSER, P_CHILD | P_ENV },
	{ "unshare:newuts", call_unshare, CLONE_NEWUTS, P_CHILD | P_PRIV },
	SIMPLE(userfaultfd, 0),
};

static const struct probe *find_probe(const char *name, long *ret_arg)
{
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];

		if (p->flags & P_VALUE) {
			size_t len = strlen(p->name);
			char *end;

			if (strncmp(name, p->name, len) != 0 || name[len] == '\0')
				continue;
			errno = 0;
			*ret_arg = (long)strtoul(name + len, &end, 0);
			if (errno != 0 || *end != '\0')
				return NULL;
			return p;
		}
		if (strcmp(name, p->name) == 0) {
			*ret_arg = p->arg;
			return p;
		}
	}
	return NULL;
}

static void print_errno(int err)
{
	const char *s = strerrorname_np(err);

	if (s)
		fputs(s, stdout);
	else
		printf("E%d", err);
}

/* Run p in a child; its exit status carries the answer (0 = ok, else the errno). */
static void run_in_child(const struct probe *p, long arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		fputs("fork-", stdout);
		print_errno(errno);
		return;
	}
	if (pid == 0) {
		long r = p->call(arg);

		_exit(r >= 0 ? 0 : (errno > 0 && errno < 256 ? errno : 255));
	}
	if (waitpid(pid, &status, 0) < 0) {
		fputs("wait-", stdout);
		print_errno(errno);
	} else if (WIFSIGNALED(status)) {
		const char *s = sigabbrev_np(WTERMSIG(status));

		if (s)
			printf("SIG%s", s);
		else
			printf("SIG%d", WTERMSIG(status));
	} else if (WEXITSTATUS(status) == 0) {
		fputs("ok", stdout);
	} else {
		print_errno(WEXITSTATUS(status));
	}
}

static void list_probes(void)
{
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];

		printf("%s%s%s%s%s\n", p->name, p->flags & P_VALUE ? "N" : "",
		       p->flags & P_CHILD ? " child" : "", p->flags & P_PRIV ? " priv" : "",
		       p->flags & P_ENV ? " env" : "");
	}
}

int main(int argc, char **argv)
{
	bool unsupported = false;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fprintf(stderr, "usage: probe NAME... | probe --list\n");
		return 2;
	}
	if (strcmp(argv[1], "--list") == 0) {
		list_probes();
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const struct probe *p;
		long arg = 0;

		printf("%s ", argv[i]);
		p = find_probe(argv[i], &arg);
		if (!p) {
			puts("unsupported");
			unsupported = true;
			continue;
		}
		fflush(stdout);
		if (p->flags & P_CHILD) {
			run_in_child(p, arg);
		} else {
			long r;

			errno = 0;
			r = p->call(arg);
			if (r >= 0)
				fputs("ok", stdout);
			else
				print_errno(errno);
		}
		putchar('\n');
		fflush(stdout);
	}
	return unsupported ? 2 : 0;
}
