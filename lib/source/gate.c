/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Gates for a source that holds a call before it runs (ptrace): the call as its event will
 * read (rf_decode_preview), and its refusal (rf_ptrace_refuse_call: the call is skipped and
 * fails with an errno, so the operation never happens).
 *
 * The preview names files as the kernel will reach them: symbolic links are resolved here, in
 * user space, while the caller is stopped, so a deny rule on /etc/shadow also refuses an open
 * of a link to it. Another thread of the caller may still change what a path resolves to
 * between this check and the call (the time-of-check race every ptrace or seccomp-notify
 * sandbox has; docs/rules.md says so): a deny gate is a tripwire against a workload, not a
 * sandbox against an adversary who controls two threads. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "core/macro.h"
#include "core/path.h"
#include "decode.h"

#if defined(__aarch64__)
#include <elf.h>
#include <asm/ptrace.h>
#endif

/* Whether tid sees the file system from our root: only then do our lookups resolve its
 * links as the kernel will resolve them for it. */
static bool same_root(pid_t tid)
{
	char path[64];
	struct stat a, b;

	(void)snprintf(path, sizeof(path), "/proc/%d/root", (int)tid);
	return stat(path, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* The operations that follow a link in the last component; the others (unlink, rename, link,
 * symlink, mkdir, rmdir) act on the name itself, below a resolved directory. */
static bool follows_last(const struct rf_ev_file *f)
{
	switch (f->op) {
	case RF_FILE_OPEN: return !(f->flags >= 0 && (f->flags & O_NOFOLLOW));
	case RF_FILE_EXEC:
	case RF_FILE_CHMOD:
	case RF_FILE_CHOWN:
	case RF_FILE_TRUNCATE: return true;
	default: return false;
	}
}

/* path with its links resolved, or NULL when it cannot be (then the path as passed stands). */
static char *resolve(const char *path, bool last)
{
	_cleanup_free_ char *dir = NULL, *rdir = NULL;
	char *out = NULL, *slash;

	if (!path || path[0] != '/')
		return NULL;
	if (last && (out = realpath(path, NULL)))
		return out;
	/* The last component does not exist yet (O_CREAT) or is not followed: resolve the
	 * directory it is in. */
	dir = strdup(path);
	if (!dir || !(slash = strrchr(dir, '/')) || !slash[1])
		return NULL;
	*slash = '\0';
	rdir = realpath(dir[0] ? dir : "/", NULL);
	if (!rdir || asprintf(&out, "%s/%s", streq(rdir, "/") ? "" : rdir, slash + 1) < 0)
		return NULL;
	return out;
}

void rf_decode_preview(pid_t tid, struct rf_pending *p, struct rf_event *ev)
{
	rf_pending_event(p, ev);
	if (ev->kind == RF_EV_FILE) {
		ev->file.has_ret = false;
		if (!p->gate_path && same_root(tid))
			p->gate_path = resolve(p->file.path, follows_last(&p->file));
		if (p->gate_path)
			ev->file.path = p->gate_path;
	} else if (ev->kind == RF_EV_NET && ev->net.op == RF_NET_DNS_ANSWER) {
		ev->kind = 0; /* a receive is judged by what it returns: nothing to hold */
	} else if (ev->kind == RF_EV_NET) {
		ev->net.has_ret = false;
	}
}

int rf_ptrace_refuse_call(pid_t tid, int err)
{
	/* At a syscall-entry or seccomp stop, the number -1 skips the call, and the result
	 * register then holds what the tracer put there (ptrace(2), seccomp(2)). */
#if defined(__x86_64__)
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, tid, 0, &regs) < 0)
		return -errno;
	regs.orig_rax = (unsigned long long)-1;
	regs.rax = (unsigned long long)-(long long)err;
	return ptrace(PTRACE_SETREGS, tid, 0, &regs) < 0 ? -errno : 0;
#elif defined(__aarch64__)
	struct user_pt_regs regs;
	struct iovec iov = { .iov_base = &regs, .iov_len = sizeof(regs) };
	int nr = -1;
	struct iovec niov = { .iov_base = &nr, .iov_len = sizeof(nr) };

	if (ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &iov) < 0)
		return -errno;
	regs.regs[0] = (unsigned long long)-(long long)err;
	if (ptrace(PTRACE_SETREGSET, tid, NT_ARM_SYSTEM_CALL, &niov) < 0 ||
	    ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, &iov) < 0)
		return -errno;
	return 0;
#else
	(void)tid;
	(void)err;
	return -EOPNOTSUPP;
#endif
}
