/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/* Shared between bpf/watch.bpf.c and lib/source/ebpf-watch.c: the security event records of
 * `watch` and the map layouts user space fills. */
#ifndef RF_WATCH_H
#define RF_WATCH_H

#define RF_W_MAX_NR 1024 /* syscall numbers tracked (native arch) */
#define RF_W_PATH   256	 /* bytes of a path kept in a record */
#define RF_W_ARGV   512	 /* bytes of an exec's argv kept (NUL-separated) */
#define RF_W_PREFIX 64	 /* bytes of a path the in-kernel prefix filter looks at */

/* Which processes are watched. */
#define RF_W_MODE_ALL	 0
#define RF_W_MODE_PIDS	 1 /* the process trees in `wtargets` */
#define RF_W_MODE_CGROUP 2 /* the cgroup in `wcgroup[0]` and below */

/* Ring of a record: the critical ring carries the rare, security-critical events, so a flood of
 * file events can never push one out. */
#define RF_W_RING_CRIT 0
#define RF_W_RING_BULK 1

/* In a `want_nr` value: stop the process at this call until user space has seen it. */
#define RF_W_HOLD 0x80

/* What the syscall entry program does with a number (the value of `want_nr`, below
 * RF_W_HOLD). */
enum rf_w_dec {
	RF_W_D_NONE = 0,
	RF_W_D_OPEN,
	RF_W_D_OPENAT,
	RF_W_D_OPENAT2,
	RF_W_D_CREAT,
	RF_W_D_UNLINK,
	RF_W_D_UNLINKAT,
	RF_W_D_RENAME,
	RF_W_D_RENAMEAT,
	RF_W_D_LINK,
	RF_W_D_LINKAT,
	RF_W_D_SYMLINK,
	RF_W_D_SYMLINKAT,
	RF_W_D_CHMOD,
	RF_W_D_FCHMODAT,
	RF_W_D_TRUNCATE,
	RF_W_D_RMDIR,
	RF_W_D_CHOWN,
	RF_W_D_LCHOWN,
	RF_W_D_FCHOWNAT,
	RF_W_D_FCHMOD,
	RF_W_D_FCHOWN,
	RF_W_D_MKDIR,
	RF_W_D_MKDIRAT, /* the last of the file decoders (bulk ring) */
	RF_W_D_SOCKET,
	RF_W_D_CONNECT,
	RF_W_D_BIND,
	RF_W_D_LISTEN,
	RF_W_D_SENDTO,
	RF_W_D_DUP2,
	RF_W_D_DUP3,
	RF_W_D_PTRACE,
	RF_W_D_VM_WRITEV,
	RF_W_D_VM_READV,
	RF_W_D_SETUID,
	RF_W_D_SETGID,
	RF_W_D_SETREUID,
	RF_W_D_SETREGID,
	RF_W_D_SETRESUID,
	RF_W_D_SETRESGID,
	RF_W_D_CAPSET,
	RF_W_D_MOUNT,
	RF_W_D_UMOUNT2,
	RF_W_D_UNSHARE,
	RF_W_D_SETNS,
	RF_W_D_PIVOT_ROOT,
	RF_W_D_CHROOT,
	RF_W_D_INIT_MODULE,
	RF_W_D_FINIT_MODULE,
	RF_W_D_DELETE_MODULE,
	RF_W_D_BPF,
	RF_W_D_MEMFD_CREATE,
	RF_W_D_MPROTECT,
	RF_W_D_MMAP,
	RF_W_D_USERFAULTFD,
	RF_W_D_KILL,
	RF_W_D_TKILL,
	RF_W_D_TGKILL,
	RF_W_D_RECVFROM,
	RF_W_D_RECVMSG,
	RF_W_D_SENDMSG,
	RF_W_D_MAX
};

enum rf_w_kind {
	RF_W_EXEC = 1,	/* sched_process_exec */
	RF_W_FORK,	/* sched_process_fork, a new process */
	RF_W_EXIT,	/* sched_process_exit of a group leader */
	RF_W_SYSCALL,	/* a decoded syscall, at its exit (arguments, result): `dec` says which */
	RF_W_TCP_STATE, /* sock:inet_sock_set_state (connect: SYN_SENT, listen: LISTEN) */
	RF_W_SIGNAL,	/* signal:signal_generate */
	RF_W_IO_URING,	/* io_uring:io_uring_submit_req */
	RF_W_CAP,	/* capability:cap_capable */
};

struct rf_w_rec {
	unsigned int kind;
	unsigned int dec; /* RF_W_SYSCALL: enum rf_w_dec */
	int nr;		  /* RF_W_SYSCALL: the syscall number */
	int tgid, tid, ppid;
	unsigned int uid, euid, gid, egid;
	unsigned long long time_ns; /* bpf_ktime_get_boot_ns() */
	unsigned long long cgroup_id;
	unsigned long long args[6];
	long long ret; /* RF_W_SYSCALL: the call's result */
	char comm[16];
	int child;	       /* RF_W_FORK: the new process; RF_W_SIGNAL: the target's tgid */
	int flags;	       /* RF_W_EXEC: 1 memfd, 2 upper layer; exec and opens: 4 path2 is
				* the path the kernel resolved; RF_W_TCP_STATE: new state;
				* RF_W_IO_URING: the opcode; RF_W_CAP: the capability */
	int aux;	       /* RF_W_TCP_STATE: old state; RF_W_CAP: the result */
	unsigned short family; /* sockets (RF_W_TCP_STATE and connect/bind/sendto) */
	unsigned short sport, dport; /* host order */
	unsigned char saddr[16], daddr[16];
	unsigned short argv_len; /* RF_W_EXEC: bytes used in argv */
	unsigned char held;	 /* the program stopped the process (SIGSTOP): user space resumes
				  * it once the event was seen */
	unsigned int dev;	 /* RF_W_EXEC: the executed file's device (kernel encoding) */
	unsigned long long ino;	 /* RF_W_EXEC: and its inode */
	char path[RF_W_PATH];	 /* exec filename, the syscall's first path or string */
	char path2[RF_W_PATH];	 /* a second path (rename, link, symlink, mount target); an
				  * open's resolved path (flags 4) */
	char argv[RF_W_ARGV];	 /* RF_W_EXEC: NUL-separated; sockaddr_un path for AF_UNIX; a DNS
				  * answer's first bytes (argv_len) */
};

/* Key of the outbound address filter: IPv4 as ::ffff:a.b.c.d, lengths in that space. */
#define RF_W_ADDRS_MAX (1 << 20) /* prefixes; past this the filter stays off */
struct rf_w_addr_key {
	unsigned int prefixlen; /* in bits, 0..128 */
	unsigned char addr[16];
};

/* Key of the path prefix filter (an LPM trie over path bytes: "starts with"). */
struct rf_w_prefix_key {
	unsigned int prefixlen; /* in bits */
	unsigned char data[RF_W_PREFIX];
};

#endif
