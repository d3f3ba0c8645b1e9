/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The syscall decoder of decode.h. Which numbers to decode is asked of libseccomp by name for
 * the native architecture; argument layouts are the kernel's native ABI (x86_64, aarch64 and
 * the other 64-bit ports share them for these calls). */
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/path.h"
#include "decode.h"

enum dec_kind {
	D_NONE,
	D_OPEN,
	D_OPENAT,
	D_OPENAT2,
	D_CREAT,
	D_UNLINK,
	D_UNLINKAT,
	D_RMDIR,
	D_MKDIR,
	D_MKDIRAT,
	D_RENAME,
	D_RENAMEAT,
	D_RENAMEAT2,
	D_LINK,
	D_LINKAT,
	D_SYMLINK,
	D_SYMLINKAT,
	D_CHMOD,
	D_FCHMODAT,
	D_FCHMOD,
	D_CHOWN,
	D_LCHOWN,
	D_FCHOWNAT,
	D_TRUNCATE,
	D_EXECVE,
	D_EXECVEAT,
	D_SOCKET,
	D_SOCKETPAIR,
	D_CONNECT,
	D_BIND,
	D_LISTEN,
	D_ACCEPT,
	D_ACCEPT4,
	D_SENDTO,
	D_SENDMSG,
	D_RECVFROM, /* only after rf_decoder_learn_dns */
	D_RECVMSG,
	D_KILL,
	D_TKILL,
	D_TGKILL,
	D_PTRACE,
	D_VM_WRITEV,
	D_VM_READV,
	D_SETUID,
	D_SETGID,
	D_SETREUID,
	D_SETREGID,
	D_SETRESUID,
	D_SETRESGID,
	D_SETGROUPS,
	D_CAPSET,
	D_MOUNT,
	D_UMOUNT2,
	D_UNSHARE,
	D_SETNS,
	D_PIVOT_ROOT,
	D_CHROOT,
	D_INIT_MODULE,
	D_FINIT_MODULE,
	D_DELETE_MODULE,
	D_BPF,
	D_MEMFD_CREATE,
	D_MMAP,
	D_MPROTECT,
	D_USERFAULTFD,
	D_DUP2,
	D_DUP3,
};

static const struct {
	const char *name;
	enum dec_kind kind;
} table[] = {
	{ "open", D_OPEN },
	{ "openat", D_OPENAT },
	{ "openat2", D_OPENAT2 },
	{ "creat", D_CREAT },
	{ "unlink", D_UNLINK },
	{ "unlinkat", D_UNLINKAT },
	{ "rmdir", D_RMDIR },
	{ "mkdir", D_MKDIR },
	{ "mkdirat", D_MKDIRAT },
	{ "rename", D_RENAME },
	{ "renameat", D_RENAMEAT },
	{ "renameat2", D_RENAMEAT2 },
	{ "link", D_LINK },
	{ "linkat", D_LINKAT },
	{ "symlink", D_SYMLINK },
	{ "symlinkat", D_SYMLINKAT },
	{ "chmod", D_CHMOD },
	{ "fchmodat", D_FCHMODAT },
	{ "fchmodat2", D_FCHMODAT },
	{ "fchmod", D_FCHMOD },
	{ "chown", D_CHOWN },
	{ "lchown", D_LCHOWN },
	{ "fchownat", D_FCHOWNAT },
	{ "truncate", D_TRUNCATE },
	{ "socket", D_SOCKET },
	{ "connect", D_CONNECT },
	{ "bind", D_BIND },
	{ "socketpair", D_SOCKETPAIR },
	{ "execve", D_EXECVE },
	{ "execveat", D_EXECVEAT },
	{ "listen", D_LISTEN },
	{ "accept", D_ACCEPT },
	{ "accept4", D_ACCEPT4 },
	{ "sendto", D_SENDTO },
	{ "sendmsg", D_SENDMSG },
	{ "kill", D_KILL },
	{ "tkill", D_TKILL },
	{ "tgkill", D_TGKILL },
	{ "ptrace", D_PTRACE },
	{ "process_vm_writev", D_VM_WRITEV },
	{ "process_vm_readv", D_VM_READV },
	{ "setuid", D_SETUID },
	{ "setgid", D_SETGID },
	{ "setreuid", D_SETREUID },
	{ "setregid", D_SETREGID },
	{ "setresuid", D_SETRESUID },
	{ "setresgid", D_SETRESGID },
	{ "setgroups", D_SETGROUPS },
	{ "capset", D_CAPSET },
	{ "mount", D_MOUNT },
	{ "umount2", D_UMOUNT2 },
	{ "unshare", D_UNSHARE },
	{ "setns", D_SETNS },
	{ "pivot_root", D_PIVOT_ROOT },
	{ "chroot", D_CHROOT },
	{ "init_module", D_INIT_MODULE },
	{ "finit_module", D_FINIT_MODULE },
	{ "delete_module", D_DELETE_MODULE },
	{ "bpf", D_BPF },
	{ "memfd_create", D_MEMFD_CREATE },
	{ "mmap", D_MMAP },
	{ "mprotect", D_MPROTECT },
	{ "userfaultfd", D_USERFAULTFD },
	{ "dup2", D_DUP2 },
	{ "dup3", D_DUP3 },
};

int rf_decoder_init(struct rf_decoder *d, uint32_t arch)
{
	*d = (struct rf_decoder){ .arch = arch,
				  .sockets = RF_HMAP_INIT_U64,
				  .dns_servers = RF_HMAP_INIT_U64 };
	for (size_t i = 0; i < ELEMENTSOF(table); i++) {
		int nr = seccomp_syscall_resolve_name_arch(arch, table[i].name);

		if (nr >= 0 && nr < RF_DECODE_MAX_NR)
			d->kind[nr] = (uint8_t)table[i].kind;
	}
	return 0;
}

void rf_decoder_learn_dns(struct rf_decoder *d)
{
	int nr;

	d->learn_dns = true;
	nr = seccomp_syscall_resolve_name_arch(d->arch, "recvfrom");
	if (nr >= 0 && nr < RF_DECODE_MAX_NR)
		d->kind[nr] = D_RECVFROM;
	nr = seccomp_syscall_resolve_name_arch(d->arch, "recvmsg");
	if (nr >= 0 && nr < RF_DECODE_MAX_NR)
		d->kind[nr] = D_RECVMSG;
}

void rf_decoder_done(struct rf_decoder *d)
{
	rf_hmap_done(&d->sockets, NULL);
	rf_hmap_done(&d->dns_servers, free);
}

static bool of_process(uint64_t key, void *value, void *ctx)
{
	return (pid_t)(key >> 32) == *(const pid_t *)ctx;
}

void rf_decoder_forget(struct rf_decoder *d, pid_t tgid)
{
	rf_hmap_remove_if_u64(&d->sockets, of_process, &tgid);
	rf_decoder_forget_dns(d, tgid);
}

void rf_pending_done(struct rf_pending *p)
{
	free(p->s1);
	free(p->s2);
	free(p->s3);
	free(p->gate_path);
	*p = (struct rf_pending){ 0 };
}

/* ---- reading the caller ---- */

static char *read_string(const struct rf_decode_io *io, pid_t tid, uint64_t addr)
{
	char buf[PATH_MAX];

	if (!addr || io->read_str(tid, addr, buf, sizeof(buf)) < 0)
		return NULL;
	return strdup(buf);
}

static char *proc_link(pid_t tid, const char *what)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;

	(void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, what);
	n = readlink(path, buf, sizeof(buf) - 1);
	return n > 0 ? strndup(buf, (size_t)n) : NULL;
}

/* A path as the kernel would start resolving it: absolute as given, else below the cwd or the
 * directory fd (read from /proc/tid at entry, before the caller can change them). */
static char *read_path(const struct rf_decode_io *io, pid_t tid, int dirfd, uint64_t addr)
{
	_cleanup_free_ char *rel = read_string(io, tid, addr), *base = NULL;
	char *out = NULL, fdname[32];

	if (rel && rel[0] == '/')
		rf_path_normalize(rel);
	if (!rel || rel[0] == '/' || !rel[0])
		return TAKE_PTR(rel);
	if (dirfd == AT_FDCWD) {
		base = proc_link(tid, "cwd");
	} else {
		(void)snprintf(fdname, sizeof(fdname), "fd/%d", dirfd);
		base = proc_link(tid, fdname);
	}
	if (!base || base[0] != '/')
		return TAKE_PTR(rel); /* kept relative: the reader sees it was not resolved */
	if (asprintf(&out, "%s/%s", base, rel) < 0)
		return NULL;
	rf_path_normalize(out);
	return out;
}

static char *fd_path(pid_t tid, int fd)
{
	char fdname[32];

	(void)snprintf(fdname, sizeof(fdname), "fd/%d", fd);
	return proc_link(tid, fdname);
}

void rf_decode_sockaddr(const struct rf_decode_io *io, pid_t tid, uint64_t addr, uint64_t len,
			struct rf_sockaddr *sa, char **ret_unix)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (!addr || len < sizeof(sa_family_t))
		return;
	if (len > sizeof(ss))
		len = sizeof(ss);
	if (io->read_mem(tid, addr, &ss, len) < 0)
		return;
	sa->family = ss.ss_family;
	if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

		memcpy(sa->addr, &in->sin_addr, 4);
		sa->port = ntohs(in->sin_port);
	} else if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

		memcpy(sa->addr, &in6->sin6_addr, 16);
		sa->port = ntohs(in6->sin6_port);
	} else if (ss.ss_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		/* Abstract names start with a NUL byte: shown with '@' as ss(8) does. */
		if (un->sun_path[0] == '\0' && n > 1) {
			if (asprintf(ret_unix, "@%.*s", (int)(n - 1), un->sun_path + 1) < 0)
				*ret_unix = NULL;
		} else {
			*ret_unix = strndup(un->sun_path, n);
		}
		sa->unix_path = *ret_unix;
	}
}

static void socket_of(struct rf_decoder *d, pid_t tgid, int fd, struct rf_ev_net *n)
{
	uintptr_t v = (uintptr_t)rf_hmap_get_u64(&d->sockets, rf_decode_fd_key(tgid, fd));

	if (v) {
		n->family = (int)(v >> 16);
		n->type = (int)(v & 0xffff);
	}
}

static uint32_t open_access(int64_t flags)
{
	uint32_t a = 0;

	if (flags & O_PATH)
		return flags & O_DIRECTORY ? RF_ACC_DIR : 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY: a = RF_ACC_READ; break;
	case O_WRONLY: a = RF_ACC_WRITE; break;
	default: a = RF_ACC_READ | RF_ACC_WRITE; break;
	}
	if (flags & O_APPEND)
		a |= RF_ACC_APPEND;
	if (flags & O_CREAT)
		a |= RF_ACC_CREATE;
	if (flags & O_TRUNC)
		a |= RF_ACC_WRITE;
	if (flags & O_DIRECTORY)
		a |= RF_ACC_DIR;
	return a;
}

/* ---- entry ---- */

static int file_op(struct rf_pending *p, enum rf_file_op op, char *path, char *path2,
		   uint32_t access, int flags, uint32_t mode)
{
	p->kind = RF_EV_FILE;
	p->s1 = path;
	p->s2 = path2;
	p->file = (struct rf_ev_file){ .op = op,
				       .path = path,
				       .path2 = path2,
				       .access = access,
				       .flags = flags,
				       .mode = mode };
	return path ? 1 : 0;
}

static int decode_file(const struct rf_decode_io *io, pid_t tid, enum dec_kind k, const uint64_t *a,
		       struct rf_pending *p)
{
	int dfd0 = (int)a[0], dfd2 = (int)a[2];

	switch (k) {
	case D_OPEN:
		return file_op(p, RF_FILE_OPEN, read_path(io, tid, AT_FDCWD, a[0]), NULL,
			       open_access((int64_t)a[1]), (int)a[1], (uint32_t)a[2]);
	case D_CREAT:
		return file_op(p, RF_FILE_OPEN, read_path(io, tid, AT_FDCWD, a[0]), NULL,
			       open_access(O_CREAT | O_WRONLY | O_TRUNC),
			       O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)a[1]);
	case D_OPENAT:
		return file_op(p, RF_FILE_OPEN, read_path(io, tid, dfd0, a[1]), NULL,
			       open_access((int64_t)a[2]), (int)a[2], (uint32_t)a[3]);
	case D_OPENAT2: {
		uint64_t how[2] = { 0, 0 }; /* struct open_how: flags, mode, resolve */

		if (a[2] && a[3] >= sizeof(how))
			(void)io->read_mem(tid, a[2], how, sizeof(how));
		return file_op(p, RF_FILE_OPEN, read_path(io, tid, dfd0, a[1]), NULL,
			       open_access((int64_t)how[0]), (int)how[0], (uint32_t)how[1]);
	}
	case D_UNLINK:
		return file_op(p, RF_FILE_UNLINK, read_path(io, tid, AT_FDCWD, a[0]), NULL,
			       RF_ACC_DELETE, -1, 0);
	case D_UNLINKAT:
		return file_op(p, a[2] & AT_REMOVEDIR ? RF_FILE_RMDIR : RF_FILE_UNLINK,
			       read_path(io, tid, dfd0, a[1]), NULL,
			       RF_ACC_DELETE | (a[2] & AT_REMOVEDIR ? RF_ACC_DIR : 0), -1, 0);
	case D_RMDIR:
		return file_op(p, RF_FILE_RMDIR, read_path(io, tid, AT_FDCWD, a[0]), NULL,
			       RF_ACC_DELETE | RF_ACC_DIR, -1, 0);
	case D_MKDIR:
		return file_op(p, RF_FILE_MKDIR, read_path(io, tid, AT_FDCWD, a[0]), NULL,
			       RF_ACC_CREATE | RF_ACC_DIR, -1, (uint32_t)a[1]);
	case D_MKDIRAT:
		return file_op(p, RF_FILE_MKDIR, read_path(io, tid, dfd0, a[1]), NULL,
			       RF_ACC_CREATE | RF_ACC_DIR, -1, (uint32_t)a[2]);
	case D_RENAME:
		return file_op(p, RF_FILE_RENAME, read_path(io, tid, AT_FDCWD, a[0]),
			       read_path(io, tid, AT_FDCWD, a[1]), RF_ACC_RENAME, -1, 0);
	case D_RENAMEAT:
	case D_RENAMEAT2:
		return file_op(p, RF_FILE_RENAME, read_path(io, tid, dfd0, a[1]),
			       read_path(io, tid, dfd2, a[3]), RF_ACC_RENAME, -1, 0);
	case D_LINK:
		return file_op(p, RF_FILE_LINK, read_path(io, tid, AT_FDCWD, a[0]),
			       read_path(io, tid, AT_FDCWD, a[1]), RF_ACC_LINK, -1, 0);
	case D_LINKAT:
		return file_op(p, RF_FILE_LINK, read_path(io, tid, dfd0, a[1]),
			       read_path(io, tid, dfd2, a[3]), RF_ACC_LINK, -1, 0);
	case D_SYMLINK: /* the target is the link's text, not resolved */
		return file_op(p, RF_FILE_SYMLINK, read_string(io, tid, a[0]),
			       read_path(io, tid, AT_FDCWD, a[1]), RF_ACC_LINK, -1, 0);
	case D_SYMLINKAT:
		return file_op(p, RF_FILE_SYMLINK, read_string(io, tid, a[0]),
			       read_path(io, tid, (int)a[1], a[2]), RF_ACC_LINK, -1, 0);
	case D_CHMOD:
		return file_op(p, RF_FILE_CHMOD, read_path(io, tid, AT_FDCWD, a[0]), NULL,
			       RF_ACC_CHMOD, -1, (uint32_t)a[1]);
	case D_FCHMODAT:
		return file_op(p, RF_FILE_CHMOD, read_path(io, tid, dfd0, a[1]), NULL, RF_ACC_CHMOD,
			       -1, (uint32_t)a[2]);
	case D_FCHMOD:
		return file_op(p, RF_FILE_CHMOD, fd_path(tid, (int)a[0]), NULL, RF_ACC_CHMOD, -1,
			       (uint32_t)a[1]);
	case D_CHOWN:
	case D_LCHOWN:
		return file_op(p, RF_FILE_CHOWN, read_path(io, tid, AT_FDCWD, a[0]), NULL,
			       RF_ACC_CHOWN, -1, 0);
	case D_FCHOWNAT:
		return file_op(p, RF_FILE_CHOWN, read_path(io, tid, dfd0, a[1]), NULL, RF_ACC_CHOWN,
			       -1, 0);
	case D_TRUNCATE:
		return file_op(p, RF_FILE_TRUNCATE, read_path(io, tid, AT_FDCWD, a[0]), NULL,
			       RF_ACC_WRITE, -1, 0);
	case D_EXECVE: /* the file named: a script's own path (AppArmor checks it, not the
			* interpreter /proc/pid/exe shows); a success is reported by the exec */
		return file_op(p, RF_FILE_EXEC, read_path(io, tid, AT_FDCWD, a[0]), NULL,
			       RF_ACC_EXEC, -1, 0);
	case D_EXECVEAT:
		return file_op(p, RF_FILE_EXEC,
			       a[4] & AT_EMPTY_PATH ? fd_path(tid, dfd0)
						    : read_path(io, tid, dfd0, a[1]),
			       NULL, RF_ACC_EXEC, -1, 0);
	default: return 0;
	}
}

static int decode_net(struct rf_decoder *d, const struct rf_decode_io *io, pid_t tid, pid_t tgid,
		      enum dec_kind k, const uint64_t *a, struct rf_pending *p)
{
	struct rf_ev_net *n = &p->net;

	p->kind = RF_EV_NET;
	n->fd = (int)a[0];
	switch (k) {
	case D_SOCKET:
	case D_SOCKETPAIR: /* two sockets of one kind: AppArmor mediates their creation alike */
		n->op = RF_NET_SOCKET;
		n->fd = -1;
		n->family = (int)a[0];
		n->type = (int)(a[1] & 0xf); /* without SOCK_NONBLOCK / SOCK_CLOEXEC */
		n->protocol = (int)a[2];
		return 1;
	case D_CONNECT:
	case D_BIND:
		n->op = k == D_CONNECT ? RF_NET_CONNECT : RF_NET_BIND;
		socket_of(d, tgid, n->fd, n);
		rf_decode_sockaddr(io, tid, a[1], a[2], k == D_CONNECT ? &n->remote : &n->local,
				   &p->s1);
		if (!n->family)
			n->family = k == D_CONNECT ? n->remote.family : n->local.family;
		return 1;
	case D_LISTEN:
	case D_ACCEPT:
	case D_ACCEPT4:
		n->op = k == D_LISTEN ? RF_NET_LISTEN : RF_NET_ACCEPT;
		socket_of(d, tgid, n->fd, n);
		return 1;
	case D_SENDTO:
		if (!a[4])
			return 0; /* a connected socket: the connect was the event */
		n->op = RF_NET_SEND;
		socket_of(d, tgid, n->fd, n);
		rf_decode_sockaddr(io, tid, a[4], a[5], &n->remote, &p->s1);
		return 1;
	case D_SENDMSG: {
		struct msghdr m;

		if (io->read_mem(tid, a[1], &m, sizeof(m)) < 0 || !m.msg_name)
			return 0;
		n->op = RF_NET_SEND;
		socket_of(d, tgid, n->fd, n);
		rf_decode_sockaddr(io, tid, (uint64_t)(uintptr_t)m.msg_name, m.msg_namelen,
				   &n->remote, &p->s1);
		return 1;
	}
	case D_RECVFROM:
	case D_RECVMSG: return rf_decode_recv_entry(d, io, tid, tgid, k == D_RECVMSG, a, p);
	default: return 0;
	}
}

static int decode_other(const struct rf_decode_io *io, pid_t tid, enum dec_kind k,
			const uint64_t *a, struct rf_pending *p)
{
	switch (k) {
	case D_KILL:
	case D_TKILL:
		if (!a[1])
			return 0; /* signal 0 probes for existence */
		p->kind = RF_EV_SIGNAL;
		p->signal = (struct rf_ev_signal){ .sig = (int)a[1], .target = (pid_t)a[0] };
		return 1;
	case D_TGKILL:
		if (!a[2])
			return 0;
		p->kind = RF_EV_SIGNAL;
		p->signal = (struct rf_ev_signal){ .sig = (int)a[2], .target = (pid_t)a[0] };
		return 1;
	case D_PTRACE:
		p->kind = RF_EV_PTRACE;
		p->ptrace = (struct rf_ev_ptrace){ .op = RF_PTRACE_REQUEST,
						   .request = (long)a[0],
						   .target = (pid_t)a[1] };
		return 1;
	case D_VM_WRITEV:
	case D_VM_READV:
		p->kind = RF_EV_PTRACE;
		p->ptrace = (struct rf_ev_ptrace){ .op = k == D_VM_WRITEV ? RF_PTRACE_VM_WRITE
									  : RF_PTRACE_VM_READ,
						   .target = (pid_t)a[0] };
		return 1;
	case D_SETUID:
	case D_SETGID:
		p->kind = RF_EV_CRED;
		p->cred =
			(struct rf_ev_cred){ .op = k == D_SETUID ? RF_CRED_SETUID : RF_CRED_SETGID,
					     .ids = { -1, (int32_t)a[0], -1 } };
		return 1;
	case D_SETREUID:
	case D_SETREGID:
		p->kind = RF_EV_CRED;
		p->cred = (struct rf_ev_cred){ .op = k == D_SETREUID ? RF_CRED_SETUID
								     : RF_CRED_SETGID,
					       .ids = { (int32_t)a[0], (int32_t)a[1], -1 } };
		return 1;
	case D_SETRESUID:
	case D_SETRESGID:
		p->kind = RF_EV_CRED;
		p->cred = (struct rf_ev_cred){
			.op = k == D_SETRESUID ? RF_CRED_SETUID : RF_CRED_SETGID,
			.ids = { (int32_t)a[0], (int32_t)a[1], (int32_t)a[2] }
		};
		return 1;
	case D_SETGROUPS:
	case D_CAPSET:
		p->kind = RF_EV_CRED;
		p->cred = (struct rf_ev_cred){ .op = k == D_CAPSET ? RF_CRED_CAPSET
								   : RF_CRED_SETGROUPS,
					       .ids = { -1, -1, -1 } };
		return 1;
	case D_MOUNT:
		p->kind = RF_EV_NAMESPACE;
		p->s1 = read_string(io, tid, a[0]);
		p->s2 = read_path(io, tid, AT_FDCWD, a[1]);
		p->s3 = read_string(io, tid, a[2]);
		p->ns = (struct rf_ev_namespace){ .op = RF_NS_MOUNT,
						  .flags = a[3],
						  .source = p->s1,
						  .target = p->s2,
						  .fstype = p->s3 };
		return 1;
	case D_UMOUNT2:
		p->kind = RF_EV_NAMESPACE;
		p->s2 = read_path(io, tid, AT_FDCWD, a[0]);
		p->ns = (struct rf_ev_namespace){ .op = RF_NS_UMOUNT,
						  .flags = a[1],
						  .target = p->s2 };
		return 1;
	case D_UNSHARE:
	case D_SETNS:
		p->kind = RF_EV_NAMESPACE;
		p->ns = (struct rf_ev_namespace){ .op = k == D_UNSHARE ? RF_NS_UNSHARE
								       : RF_NS_SETNS,
						  .flags = k == D_UNSHARE ? a[0] : a[1] };
		return 1;
	case D_PIVOT_ROOT:
	case D_CHROOT:
		p->kind = RF_EV_NAMESPACE;
		p->s2 = read_path(io, tid, AT_FDCWD, a[0]);
		p->ns = (struct rf_ev_namespace){ .op = k == D_CHROOT ? RF_NS_CHROOT
								      : RF_NS_PIVOT_ROOT,
						  .target = p->s2 };
		return 1;
	case D_INIT_MODULE:
	case D_FINIT_MODULE:
	case D_DELETE_MODULE:
		p->kind = RF_EV_MODULE;
		p->s1 = k == D_DELETE_MODULE  ? read_string(io, tid, a[0])
			: k == D_FINIT_MODULE ? fd_path(tid, (int)a[0])
					      : NULL;
		p->module = (struct rf_ev_module){ .op = k == D_DELETE_MODULE ? RF_MODULE_UNLOAD
									      : RF_MODULE_LOAD,
						   .name = p->s1 };
		return 1;
	case D_BPF: {
		uint32_t prog_type = 0;

		if (a[0] == 5 /* BPF_PROG_LOAD */ && a[1])
			(void)io->read_mem(tid, a[1], &prog_type, sizeof(prog_type));
		p->kind = RF_EV_BPF;
		p->bpf = (struct rf_ev_bpf){ .cmd = (int)a[0], .prog_type = prog_type };
		return 1;
	}
	case D_MEMFD_CREATE:
		p->kind = RF_EV_MEMORY;
		p->s1 = read_string(io, tid, a[0]);
		p->mem = (struct rf_ev_memory){ .op = RF_MEM_MEMFD_CREATE, .name = p->s1 };
		return 1;
	case D_MMAP:
		/* An executable mapping of a file is an AppArmor 'm'; W+X memory is a finding. */
		if ((a[2] & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC)) {
			p->kind = RF_EV_MEMORY;
			p->mem = (struct rf_ev_memory){ .op = RF_MEM_WX_MAP,
							.addr = a[0],
							.len = a[1],
							.prot = (uint32_t)a[2] };
			return 1;
		}
		if ((a[2] & PROT_EXEC) && !(a[3] & MAP_ANONYMOUS) && (int)a[4] >= 0)
			return file_op(p, RF_FILE_MMAP, fd_path(tid, (int)a[4]), NULL,
				       RF_ACC_MMAP_EXEC, -1, 0);
		return 0;
	case D_MPROTECT:
		if ((a[2] & (PROT_WRITE | PROT_EXEC)) != (PROT_WRITE | PROT_EXEC))
			return 0;
		p->kind = RF_EV_MEMORY;
		p->mem = (struct rf_ev_memory){
			.op = RF_MEM_WX_PROTECT, .addr = a[0], .len = a[1], .prot = (uint32_t)a[2]
		};
		return 1;
	case D_USERFAULTFD:
		p->kind = RF_EV_MEMORY;
		p->mem = (struct rf_ev_memory){ .op = RF_MEM_USERFAULTFD };
		return 1;
	case D_DUP2:
	case D_DUP3: {
		_cleanup_free_ char *target = NULL;

		if (a[1] > 2)
			return 0;
		target = fd_path(tid, (int)a[0]);
		p->kind = RF_EV_FD;
		p->fd = (struct rf_ev_fd){ .oldfd = (int)a[0],
					   .newfd = (int)a[1],
					   .old_is_socket =
						   target && !strncmp(target, "socket:", 7) };
		return 1;
	}
	default: return 0;
	}
}

int rf_decode_entry(struct rf_decoder *d, const struct rf_decode_io *io, pid_t tid, pid_t tgid,
		    int32_t nr, const uint64_t args[6], struct rf_pending *p)
{
	enum dec_kind k;
	int r;

	rf_pending_done(p);
	if (nr < 0 || nr >= RF_DECODE_MAX_NR || !(k = d->kind[nr]))
		return 0;
	if (k <= D_EXECVEAT)
		r = decode_file(io, tid, k, args, p);
	else if (k <= D_RECVMSG)
		r = decode_net(d, io, tid, tgid, k, args, p);
	else
		r = decode_other(io, tid, k, args, p);
	if (r <= 0) {
		rf_pending_done(p);
		return 0;
	}
	p->dec = (int)k;
	return 1;
}

void rf_pending_event(const struct rf_pending *p, struct rf_event *ev)
{
	ev->kind = p->kind;
	switch (p->kind) {
	case RF_EV_FILE: ev->file = p->file; break;
	case RF_EV_NET: ev->net = p->net; break;
	case RF_EV_SIGNAL: ev->signal = p->signal; break;
	case RF_EV_PTRACE: ev->ptrace = p->ptrace; break;
	case RF_EV_CRED: ev->cred = p->cred; break;
	case RF_EV_NAMESPACE: ev->ns = p->ns; break;
	case RF_EV_MODULE: ev->module = p->module; break;
	case RF_EV_BPF: ev->bpf = p->bpf; break;
	case RF_EV_MEMORY: ev->mem = p->mem; break;
	case RF_EV_FD: ev->fd = p->fd; break;
	default: ev->kind = 0; break;
	}
}

void rf_decode_exit(struct rf_decoder *d, const struct rf_decode_io *io, pid_t tid, pid_t tgid,
		    struct rf_pending *p, bool has_ret, int64_t ret, struct rf_event *ev)
{
	if ((p->dec == D_RECVFROM || p->dec == D_RECVMSG) &&
	    !rf_decode_recv_exit(d, io, tid, tgid, p, has_ret, ret)) {
		ev->kind = 0;
		return;
	}
	/* An opened file's name as the kernel resolved it (symlinks followed: what AppArmor
	 * mediates), read from the new descriptor while the caller is stopped. */
	if (p->kind == RF_EV_FILE && p->file.op == RF_FILE_OPEN && has_ret && ret >= 0 &&
	    ret <= INT_MAX) {
		char *resolved = fd_path(tid, (int)ret);

		if (resolved && resolved[0] == '/') {
			free(p->s1);
			p->s1 = resolved;
			p->file.path = resolved;
		} else {
			free(resolved);
		}
	}
	rf_pending_event(p, ev);
	if (ev->kind == RF_EV_FILE) {
		ev->file.has_ret = has_ret;
		ev->file.ret = ret;
	} else if (ev->kind == RF_EV_NET) {
		ev->net.has_ret = has_ret;
		ev->net.ret = ret;
		/* A new socket under fd ret: remember what it is, for its later
		 * connect/bind/listen, and forget the server the fd's previous socket connected to.
		 */
		if ((p->dec == D_SOCKET || p->dec == D_ACCEPT || p->dec == D_ACCEPT4) && has_ret &&
		    ret >= 0) {
			if (p->dec == D_SOCKET || p->net.family)
				(void)rf_hmap_put_u64(
					&d->sockets, rf_decode_fd_key(tgid, ret),
					(void *)(uintptr_t)((uint32_t)p->net.family << 16 |
							    (p->net.type & 0xffff)),
					NULL);
			if (p->dec == D_SOCKET)
				ev->net.fd = (int)ret;
			rf_decoder_new_socket(d, tgid, ret);
		}
		if (p->dec == D_CONNECT)
			rf_decoder_note_dns_server(d, tgid, p, has_ret, ret);
	}
}
