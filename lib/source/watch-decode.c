/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Records of bpf/watch.bpf.c into events. The kernel side read arguments at syscall exit; here
 * they get their meaning: open flags into access bits, relative paths made absolute (a
 * successful open's by the kernel side, from the file's dentries; others through the caller's
 * cwd or directory fd in /proc, read now, so a process that already moved on yields the path as
 * written), socket addresses, credential and namespace changes. */
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/path.h"
#include "core/strv.h"
#include "ringfence/proc.h"
#include "watch-decode.h"

static const struct {
	const char *name;
	enum rf_w_dec dec;
} names[] = {
	{ "open", RF_W_D_OPEN },
	{ "openat", RF_W_D_OPENAT },
	{ "openat2", RF_W_D_OPENAT2 },
	{ "creat", RF_W_D_CREAT },
	{ "unlink", RF_W_D_UNLINK },
	{ "unlinkat", RF_W_D_UNLINKAT },
	{ "rename", RF_W_D_RENAME },
	{ "renameat", RF_W_D_RENAMEAT },
	{ "renameat2", RF_W_D_RENAMEAT },
	{ "link", RF_W_D_LINK },
	{ "linkat", RF_W_D_LINKAT },
	{ "symlink", RF_W_D_SYMLINK },
	{ "symlinkat", RF_W_D_SYMLINKAT },
	{ "chmod", RF_W_D_CHMOD },
	{ "fchmodat", RF_W_D_FCHMODAT },
	{ "fchmodat2", RF_W_D_FCHMODAT },
	{ "truncate", RF_W_D_TRUNCATE },
	{ "mkdir", RF_W_D_MKDIR },
	{ "mkdirat", RF_W_D_MKDIRAT },
	{ "socket", RF_W_D_SOCKET },
	{ "connect", RF_W_D_CONNECT },
	{ "bind", RF_W_D_BIND },
	{ "listen", RF_W_D_LISTEN },
	{ "sendto", RF_W_D_SENDTO },
	{ "dup2", RF_W_D_DUP2 },
	{ "dup3", RF_W_D_DUP3 },
	{ "ptrace", RF_W_D_PTRACE },
	{ "process_vm_writev", RF_W_D_VM_WRITEV },
	{ "process_vm_readv", RF_W_D_VM_READV },
	{ "setuid", RF_W_D_SETUID },
	{ "setgid", RF_W_D_SETGID },
	{ "setreuid", RF_W_D_SETREUID },
	{ "setregid", RF_W_D_SETREGID },
	{ "setresuid", RF_W_D_SETRESUID },
	{ "setresgid", RF_W_D_SETRESGID },
	{ "capset", RF_W_D_CAPSET },
	{ "mount", RF_W_D_MOUNT },
	{ "umount2", RF_W_D_UMOUNT2 },
	{ "unshare", RF_W_D_UNSHARE },
	{ "setns", RF_W_D_SETNS },
	{ "pivot_root", RF_W_D_PIVOT_ROOT },
	{ "chroot", RF_W_D_CHROOT },
	{ "init_module", RF_W_D_INIT_MODULE },
	{ "finit_module", RF_W_D_FINIT_MODULE },
	{ "delete_module", RF_W_D_DELETE_MODULE },
	{ "bpf", RF_W_D_BPF },
	{ "memfd_create", RF_W_D_MEMFD_CREATE },
	{ "mprotect", RF_W_D_MPROTECT },
	{ "mmap", RF_W_D_MMAP },
	{ "userfaultfd", RF_W_D_USERFAULTFD },
	{ "kill", RF_W_D_KILL },
	{ "tkill", RF_W_D_TKILL },
	{ "tgkill", RF_W_D_TGKILL },
	{ "recvfrom", RF_W_D_RECVFROM },
	{ "recvmsg", RF_W_D_RECVMSG },
	{ "sendmsg", RF_W_D_SENDMSG },
	{ "rmdir", RF_W_D_RMDIR },
	{ "chown", RF_W_D_CHOWN },
	{ "lchown", RF_W_D_LCHOWN },
	{ "fchownat", RF_W_D_FCHOWNAT },
	{ "fchmod", RF_W_D_FCHMOD },
	{ "fchown", RF_W_D_FCHOWN },
};

int rf_watch_dec_of(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (streq(names[i].name, name))
			return names[i].dec;
	return 0;
}

static char *proc_link(pid_t tid, const char *what)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;

	(void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, what);
	n = readlink(path, buf, sizeof(buf) - 1);
	return n > 0 ? strndup(buf, (size_t)n) : NULL;
}

/* What descriptor fd of tid names now, when it is a path. */
static char *fd_link(pid_t tid, int fd)
{
	char what[32], *p;

	(void)snprintf(what, sizeof(what), "fd/%d", fd);
	p = proc_link(tid, what);
	if (p && p[0] != '/') {
		free(p); /* "socket:[...]", "pipe:[...]", "anon_inode:..." */
		p = NULL;
	}
	return p;
}

/* Absolute: as given; relative: joined with the cwd or directory fd when still readable. */
static const char *absolute(pid_t tid, int dirfd, const char *p, char **owned)
{
	_cleanup_free_ char *base = NULL;
	char fdname[32];

	*owned = NULL;
	if (p[0] == '/') {
		/* "/etc/../etc/./shadow" is /etc/shadow to a rule. */
		if (!(strstr(p, "/.") || strstr(p, "//")) || !(*owned = strdup(p)))
			return p;
		rf_path_normalize(*owned);
		return *owned;
	}
	if (!p[0])
		return p;
	if (dirfd == AT_FDCWD) {
		base = proc_link(tid, "cwd");
	} else {
		(void)snprintf(fdname, sizeof(fdname), "fd/%d", dirfd);
		base = proc_link(tid, fdname);
	}
	if (!base || base[0] != '/' ||
	    asprintf(owned, "%s%s%s", base, streq(base, "/") ? "" : "/", p) < 0) {
		*owned = NULL;
		return p;
	}
	rf_path_normalize(*owned);
	return *owned;
}

static uint32_t open_access(uint64_t flags)
{
	uint32_t a;

	if (flags & O_PATH)
		return flags & O_DIRECTORY ? RF_ACC_DIR : 0;
	a = (flags & O_ACCMODE) == O_RDONLY   ? RF_ACC_READ
	    : (flags & O_ACCMODE) == O_WRONLY ? RF_ACC_WRITE
					      : RF_ACC_READ | RF_ACC_WRITE;
	return a | (flags & O_APPEND ? RF_ACC_APPEND : 0) | (flags & O_CREAT ? RF_ACC_CREATE : 0) |
	       (flags & O_TRUNC ? RF_ACC_WRITE : 0) | (flags & O_DIRECTORY ? RF_ACC_DIR : 0);
}

static void sockaddr_of(const struct rf_w_rec *r, bool remote, struct rf_sockaddr *sa,
			struct rf_watch_decoded *d)
{
	sa->family = r->family;
	memcpy(sa->addr, remote ? r->daddr : r->saddr, 16);
	sa->port = remote ? r->dport : r->sport;
	if (r->family == AF_UNIX && r->argv_len) {
		/* Abstract names start with a NUL byte: shown with '@', as ss(8) does. */
		if (r->argv[0] == '\0') {
			if (asprintf(&d->unix_path, "@%.*s",
				     (int)strnlen(r->argv + 1, r->argv_len - 1), r->argv + 1) < 0)
				d->unix_path = NULL;
		} else {
			d->unix_path = strndup(r->argv, r->argv_len);
		}
		sa->unix_path = d->unix_path;
	}
}

static int file_event(const struct rf_w_rec *r, struct rf_watch_decoded *d)
{
	struct rf_ev_file *f = &d->ev.file;
	int dirfd = AT_FDCWD, dirfd2 = AT_FDCWD;
	const unsigned long long *a = r->args;

	d->ev.kind = RF_EV_FILE;
	*f = (struct rf_ev_file){ .flags = -1 };
	switch (r->dec) {
	case RF_W_D_OPEN:
		f->op = RF_FILE_OPEN;
		f->flags = (int)a[1];
		f->mode = (uint32_t)a[2];
		break;
	case RF_W_D_CREAT:
		f->op = RF_FILE_OPEN;
		f->flags = O_CREAT | O_WRONLY | O_TRUNC;
		f->mode = (uint32_t)a[1];
		break;
	case RF_W_D_OPENAT:
	case RF_W_D_OPENAT2:
		f->op = RF_FILE_OPEN;
		dirfd = (int)a[0];
		f->flags = (int)a[2];
		f->mode = r->dec == RF_W_D_OPENAT ? (uint32_t)a[3] : 0;
		break;
	case RF_W_D_UNLINK:
		f->op = RF_FILE_UNLINK;
		f->access = RF_ACC_DELETE;
		break;
	case RF_W_D_UNLINKAT:
		f->op = a[2] & AT_REMOVEDIR ? RF_FILE_RMDIR : RF_FILE_UNLINK;
		dirfd = (int)a[0];
		f->access = RF_ACC_DELETE;
		break;
	case RF_W_D_RENAME:
		f->op = RF_FILE_RENAME;
		f->access = RF_ACC_RENAME;
		break;
	case RF_W_D_RENAMEAT:
		f->op = RF_FILE_RENAME;
		f->access = RF_ACC_RENAME;
		dirfd = (int)a[0];
		dirfd2 = (int)a[2];
		break;
	case RF_W_D_LINK:
		f->op = RF_FILE_LINK;
		f->access = RF_ACC_LINK;
		break;
	case RF_W_D_LINKAT:
		f->op = RF_FILE_LINK;
		f->access = RF_ACC_LINK;
		dirfd = (int)a[0];
		dirfd2 = (int)a[2];
		break;
	case RF_W_D_SYMLINK:
		f->op = RF_FILE_SYMLINK;
		f->access = RF_ACC_LINK;
		break;
	case RF_W_D_SYMLINKAT:
		f->op = RF_FILE_SYMLINK;
		f->access = RF_ACC_LINK;
		dirfd2 = (int)a[1];
		break;
	case RF_W_D_CHMOD:
		f->op = RF_FILE_CHMOD;
		f->access = RF_ACC_CHMOD;
		f->mode = (uint32_t)a[1];
		break;
	case RF_W_D_FCHMODAT:
		f->op = RF_FILE_CHMOD;
		f->access = RF_ACC_CHMOD;
		dirfd = (int)a[0];
		f->mode = (uint32_t)a[2];
		break;
	case RF_W_D_TRUNCATE:
		f->op = RF_FILE_TRUNCATE;
		f->access = RF_ACC_WRITE;
		break;
	case RF_W_D_RMDIR:
		f->op = RF_FILE_RMDIR;
		f->access = RF_ACC_DELETE | RF_ACC_DIR;
		break;
	case RF_W_D_CHOWN:
	case RF_W_D_LCHOWN:
		f->op = RF_FILE_CHOWN;
		f->access = RF_ACC_CHOWN;
		break;
	case RF_W_D_FCHOWNAT:
		f->op = RF_FILE_CHOWN;
		f->access = RF_ACC_CHOWN;
		dirfd = (int)a[0];
		break;
	case RF_W_D_FCHMOD:
	case RF_W_D_FCHOWN:
		/* By descriptor: named by what it refers to now (the caller's /proc fd link). */
		f->op = r->dec == RF_W_D_FCHMOD ? RF_FILE_CHMOD : RF_FILE_CHOWN;
		f->access = r->dec == RF_W_D_FCHMOD ? RF_ACC_CHMOD : RF_ACC_CHOWN;
		if (r->dec == RF_W_D_FCHMOD)
			f->mode = (uint32_t)a[1];
		f->path = d->path = fd_link(r->tid, (int)a[0]);
		return f->path != NULL;
	case RF_W_D_MKDIR:
	case RF_W_D_MKDIRAT:
		f->op = RF_FILE_MKDIR;
		f->access = RF_ACC_CREATE | RF_ACC_DIR;
		if (r->dec == RF_W_D_MKDIRAT)
			dirfd = (int)a[0];
		break;
	default: return 0;
	}
	if (f->op == RF_FILE_OPEN)
		f->access = open_access((uint64_t)(unsigned)f->flags);
	/* A successful open comes with the file's own path, from its dentries (symlinks and
	 * relative paths resolved): nothing to guess from /proc, which a short-lived process has
	 * left by now. */
	if (f->op == RF_FILE_OPEN && r->flags & 4 && r->path2[0] == '/') {
		f->path = r->path2;
		return 1;
	}
	/* A symlink's target is its text, never resolved. */
	f->path = r->dec == RF_W_D_SYMLINK || r->dec == RF_W_D_SYMLINKAT
			  ? r->path
			  : absolute(r->tid, dirfd, r->path, &d->path);
	if (r->path2[0] && f->op != RF_FILE_OPEN)
		f->path2 = absolute(r->tid, dirfd2, r->path2, &d->path2);
	return 1;
}

static int syscall_event(const struct rf_w_rec *r, struct rf_watch_decoded *d)
{
	struct rf_event *ev = &d->ev;
	const unsigned long long *a = r->args;

	switch (r->dec) {
	case RF_W_D_SOCKET:
		ev->kind = RF_EV_NET;
		ev->net = (struct rf_ev_net){ .op = RF_NET_SOCKET,
					      .fd = -1,
					      .family = (int)a[0],
					      .type = (int)(a[1] & 0xf),
					      .protocol = (int)a[2] };
		return 1;
	case RF_W_D_CONNECT:
	case RF_W_D_BIND:
	case RF_W_D_SENDTO:
	case RF_W_D_SENDMSG:
		ev->kind = RF_EV_NET;
		ev->net = (struct rf_ev_net){ .op = r->dec == RF_W_D_CONNECT ? RF_NET_CONNECT
						    : r->dec == RF_W_D_BIND  ? RF_NET_BIND
									     : RF_NET_SEND,
					      .fd = (int)a[0],
					      .family = r->family };
		sockaddr_of(r, r->dec != RF_W_D_BIND,
			    r->dec != RF_W_D_BIND ? &ev->net.remote : &ev->net.local, d);
		return 1;
	case RF_W_D_RECVFROM:
	case RF_W_D_RECVMSG:
		ev->kind = RF_EV_NET;
		ev->net = (struct rf_ev_net){ .op = RF_NET_DNS_ANSWER,
					      .fd = (int)a[0],
					      .family = r->family,
					      .data = (const uint8_t *)r->argv,
					      .data_len = r->argv_len < sizeof(r->argv)
								  ? r->argv_len
								  : sizeof(r->argv) };
		sockaddr_of(r, true, &ev->net.remote, d);
		return 1;
	case RF_W_D_LISTEN:
		ev->kind = RF_EV_NET;
		ev->net = (struct rf_ev_net){ .op = RF_NET_LISTEN, .fd = (int)a[0] };
		return 1;
	case RF_W_D_DUP2:
	case RF_W_D_DUP3:
		ev->kind = RF_EV_FD;
		ev->fd = (struct rf_ev_fd){ .oldfd = (int)a[0],
					    .newfd = (int)a[1],
					    .old_is_socket = r->flags != 0 };
		return 1;
	case RF_W_D_PTRACE:
		ev->kind = RF_EV_PTRACE;
		ev->ptrace = (struct rf_ev_ptrace){ .op = RF_PTRACE_REQUEST,
						    .request = (long)a[0],
						    .target = (pid_t)a[1] };
		return 1;
	case RF_W_D_VM_WRITEV:
	case RF_W_D_VM_READV:
		ev->kind = RF_EV_PTRACE;
		ev->ptrace =
			(struct rf_ev_ptrace){ .op = r->dec == RF_W_D_VM_WRITEV ? RF_PTRACE_VM_WRITE
										: RF_PTRACE_VM_READ,
					       .target = (pid_t)a[0] };
		return 1;
	case RF_W_D_SETUID:
	case RF_W_D_SETGID:
	case RF_W_D_SETREUID:
	case RF_W_D_SETREGID:
	case RF_W_D_SETRESUID:
	case RF_W_D_SETRESGID: {
		bool uid = r->dec == RF_W_D_SETUID || r->dec == RF_W_D_SETREUID ||
			   r->dec == RF_W_D_SETRESUID;
		int64_t ids[3] = { -1, (int32_t)a[0], -1 };

		if (r->dec == RF_W_D_SETREUID || r->dec == RF_W_D_SETREGID) {
			ids[0] = (int32_t)a[0];
			ids[1] = (int32_t)a[1];
		} else if (r->dec == RF_W_D_SETRESUID || r->dec == RF_W_D_SETRESGID) {
			ids[0] = (int32_t)a[0];
			ids[1] = (int32_t)a[1];
			ids[2] = (int32_t)a[2];
		}
		ev->kind = RF_EV_CRED;
		ev->cred = (struct rf_ev_cred){ .op = uid ? RF_CRED_SETUID : RF_CRED_SETGID,
						.ids = { ids[0], ids[1], ids[2] },
						.old_uid = r->uid,
						.old_euid = r->euid };
		return 1;
	}
	case RF_W_D_CAPSET:
		ev->kind = RF_EV_CRED;
		ev->cred = (struct rf_ev_cred){ .op = RF_CRED_CAPSET,
						.ids = { -1, -1, -1 },
						.old_uid = r->uid,
						.old_euid = r->euid };
		return 1;
	case RF_W_D_MOUNT:
		ev->kind = RF_EV_NAMESPACE;
		ev->ns = (struct rf_ev_namespace){ .op = RF_NS_MOUNT,
						   .flags = a[3],
						   .source = r->path,
						   .target = absolute(r->tid, AT_FDCWD, r->path2,
								      &d->path2) };
		return 1;
	case RF_W_D_UMOUNT2:
	case RF_W_D_PIVOT_ROOT:
	case RF_W_D_CHROOT:
		ev->kind = RF_EV_NAMESPACE;
		ev->ns = (struct rf_ev_namespace){
			.op = r->dec == RF_W_D_UMOUNT2	? RF_NS_UMOUNT
			      : r->dec == RF_W_D_CHROOT ? RF_NS_CHROOT
							: RF_NS_PIVOT_ROOT,
			.flags = r->dec == RF_W_D_UMOUNT2 ? a[1] : 0,
			.target = absolute(r->tid, AT_FDCWD, r->path, &d->path)
		};
		return 1;
	case RF_W_D_UNSHARE:
	case RF_W_D_SETNS:
		ev->kind = RF_EV_NAMESPACE;
		ev->ns =
			(struct rf_ev_namespace){ .op = r->dec == RF_W_D_UNSHARE ? RF_NS_UNSHARE
										 : RF_NS_SETNS,
						  .flags = r->dec == RF_W_D_UNSHARE ? a[0] : a[1] };
		return 1;
	case RF_W_D_INIT_MODULE:
	case RF_W_D_FINIT_MODULE:
	case RF_W_D_DELETE_MODULE:
		ev->kind = RF_EV_MODULE;
		ev->module = (struct rf_ev_module){ .op = r->dec == RF_W_D_DELETE_MODULE
								  ? RF_MODULE_UNLOAD
								  : RF_MODULE_LOAD,
						    .name = r->path[0] ? r->path : NULL };
		return 1;
	case RF_W_D_BPF:
		ev->kind = RF_EV_BPF;
		ev->bpf = (struct rf_ev_bpf){ .cmd = (int)a[0], .prog_type = (uint32_t)r->flags };
		return 1;
	case RF_W_D_MEMFD_CREATE:
	case RF_W_D_MPROTECT:
	case RF_W_D_MMAP:
	case RF_W_D_USERFAULTFD:
		ev->kind = RF_EV_MEMORY;
		ev->mem = (struct rf_ev_memory){
			.op = r->dec == RF_W_D_MEMFD_CREATE ? RF_MEM_MEMFD_CREATE
			      : r->dec == RF_W_D_MPROTECT   ? RF_MEM_WX_PROTECT
			      : r->dec == RF_W_D_MMAP	    ? RF_MEM_WX_MAP
							    : RF_MEM_USERFAULTFD,
			.addr = r->dec == RF_W_D_MPROTECT || r->dec == RF_W_D_MMAP ? a[0] : 0,
			.len = r->dec == RF_W_D_MPROTECT || r->dec == RF_W_D_MMAP ? a[1] : 0,
			.prot = r->dec == RF_W_D_MPROTECT || r->dec == RF_W_D_MMAP ? (uint32_t)a[2]
										   : 0,
			.name = r->dec == RF_W_D_MEMFD_CREATE ? r->path : NULL
		};
		return 1;
	case RF_W_D_KILL:
	case RF_W_D_TKILL:
	case RF_W_D_TGKILL:
		ev->kind = RF_EV_SIGNAL;
		ev->signal =
			(struct rf_ev_signal){ .sig = (int)(r->dec == RF_W_D_TGKILL ? a[2] : a[1]),
					       .target = (pid_t)a[0] };
		return 1;
	default: return file_event(r, d);
	}
}

/* io_uring opcodes that stand for a file open or a connection (include/uapi io_uring.h). */
enum { URING_OP_ACCEPT = 13, URING_OP_CONNECT = 16, URING_OP_OPENAT = 18, URING_OP_OPENAT2 = 28 };

int rf_watch_decode(struct rf_proctab *procs, const struct rf_w_rec *r, struct rf_watch_decoded *d)
{
	struct rf_event *ev = &d->ev;
	char **argv = NULL;
	int ok = 1;

	*d = (struct rf_watch_decoded){ 0 };
	switch (r->kind) {
	case RF_W_EXEC:
		/* argv arrives NUL-separated, cut at RF_W_ARGV bytes. */
		for (size_t off = 0; off < r->argv_len && off < sizeof(r->argv);) {
			size_t n = strnlen(r->argv + off, r->argv_len - off);

			if (strv_extend_len(&argv, r->argv + off, n) < 0)
				break;
			off += n + 1;
		}
		(void)rf_proctab_exec(procs, r->tgid, r->path, argv);
		/* The kernel's comm after the exec: /proc is no help once a short-lived process
		 * is gone, and the table's entry would keep its parent's name from the fork. */
		rf_proctab_set_comm(procs, r->tgid, r->comm);
		strv_free(argv);
		break;
	case RF_W_FORK: (void)rf_proctab_fork(procs, r->tgid, r->child, r->time_ns); break;
	default: break;
	}
	ev->tgid = r->tgid;
	ev->tid = r->tid;
	ev->ppid = r->ppid;
	ev->time_ns = r->time_ns;
	ev->cgroup_id = r->cgroup_id;
	memcpy(ev->comm, r->comm, sizeof(ev->comm));
	ev->comm[sizeof(ev->comm) - 1] = '\0';
	ev->proc = rf_proctab_get(procs, r->tgid);
	switch (r->kind) {
	case RF_W_EXEC: {
		const struct rf_proc *p = ev->proc;

		ev->kind = RF_EV_EXEC;
		ev->exec =
			(struct rf_ev_exec){ .path = r->path,
					     .argv = p ? p->argv : NULL,
					     .is_memfd = r->flags & 1,
					     .upper_layer = (r->flags & 2) != 0,
					     .file = r->flags & 4 && r->path2[0] == '/' ? r->path2
											: NULL,
					     .has_id = r->ino != 0,
					     /* the kernel's dev_t: major << 20 | minor */
					     .dev = makedev(r->dev >> 20, r->dev & 0xfffff),
					     .ino = r->ino };
		break;
	}
	case RF_W_FORK:
		ev->kind = RF_EV_FORK;
		ev->fork = (struct rf_ev_fork){ .child_tgid = r->child, .child_tid = r->child };
		break;
	case RF_W_EXIT:
		ev->kind = RF_EV_EXIT;
		ev->exit = (struct rf_ev_exit){ .group_dead = true };
		break;
	case RF_W_SYSCALL:
		ev->origin = (struct rf_syscall_id){ seccomp_arch_native(), r->nr };
		ok = syscall_event(r, d);
		if (ev->kind == RF_EV_FILE) {
			ev->file.has_ret = true;
			ev->file.ret = r->ret;
		} else if (ev->kind == RF_EV_NET) {
			ev->net.has_ret = true;
			ev->net.ret = r->ret;
			if (ev->net.op == RF_NET_SOCKET && r->ret >= 0)
				ev->net.fd = (int)r->ret;
		}
		break;
	case RF_W_TCP_STATE:
		/* SYN_SENT is connect(), LISTEN is listen(): what rules know them as. */
		ev->kind = RF_EV_NET;
		ev->net = (struct rf_ev_net){ .op = r->flags == 10 ? RF_NET_LISTEN : RF_NET_CONNECT,
					      .fd = -1,
					      .family = r->family,
					      .type = SOCK_STREAM };
		sockaddr_of(r, false, &ev->net.local, d);
		sockaddr_of(r, true, &ev->net.remote, d);
		break;
	case RF_W_SIGNAL:
		ev->kind = RF_EV_SIGNAL;
		ev->signal = (struct rf_ev_signal){ .sig = r->flags, .target = r->child };
		break;
	case RF_W_IO_URING: {
		int io_uring_enter = seccomp_syscall_resolve_name("io_uring_enter");

		ev->origin = (struct rf_syscall_id){ seccomp_arch_native(), io_uring_enter };
		if (r->flags == URING_OP_OPENAT || r->flags == URING_OP_OPENAT2) {
			ev->kind = RF_EV_FILE;
			ev->file = (struct rf_ev_file){ .op = RF_FILE_OPEN, .flags = -1 };
		} else if (r->flags == URING_OP_CONNECT || r->flags == URING_OP_ACCEPT) {
			ev->kind = RF_EV_NET;
			ev->net = (struct rf_ev_net){ .op = r->flags == URING_OP_CONNECT
								    ? RF_NET_CONNECT
								    : RF_NET_ACCEPT,
						      .fd = -1 };
		} else {
			ok = 0;
		}
		break;
	}
	case RF_W_CAP:
		ev->kind = RF_EV_CAPABILITY;
		ev->cap = (struct rf_ev_capability){ .cap = r->flags, .granted = r->aux == 0 };
		break;
	default: ok = 0;
	}
	return ok;
}

void rf_watch_decoded_done(struct rf_proctab *procs, const struct rf_w_rec *r,
			   struct rf_watch_decoded *d)
{
	if (r->kind == RF_W_EXIT) {
		const struct rf_proc *p = rf_proctab_peek(procs, r->tgid);

		/* An exit delivered late (ebpf-watch.c holds exits behind a bulk backlog) must
		 * not take out a new process that reused the pid since. */
		if (p && !(p->start_ns > r->time_ns))
			rf_proctab_exit(procs, r->tgid);
	}
	free(d->path);
	free(d->path2);
	free(d->unix_path);
	*d = (struct rf_watch_decoded){ 0 };
}
