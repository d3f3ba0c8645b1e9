/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one event model (DESIGN.md §1): every source (ptrace, eBPF, strace log, run's listener,
 * the Kubernetes audit log) produces struct rf_event; every consumer (observation, seccomp /
 * capability / AppArmor builders, run report, rule engine, baseline learner) takes it, through
 * the sink chain of ringfence/sink.h. Sources never know their consumers and vice versa.
 *
 * An event is a common header (kind, time, who, where) plus one payload per kind. Pointers in an
 * event (paths, argv, the process handle) belong to the source and are valid only during the
 * callback: a consumer that keeps one copies it.
 *
 * ## The contract: which source fills what
 *
 * Sources declare what they produce in a struct rf_source_info (kinds and RF_FIELD_* bits);
 * a consumer declares what it needs and the sink chain refuses the pair when the source cannot
 * serve it (`watch` on a counting-only source says so instead of silently seeing nothing).
 *
 *   header field    ptrace           ebpf (record)      strace log          run listener
 *   time_ns         BOOTTIME, stop   BOOTTIME, kernel   log clock (-tt/-ttt) BOOTTIME, notif.
 *                                                         or 0 (see below)
 *   tgid / tid      both             both               both (-f), tgid from  tgid, tid
 *                                                         clone results
 *   ppid            from proc table  from proc table    from clone lines    from proc table
 *   cgroup_id       0                kernel             0                   0
 *   proc            yes              yes                no (NULL)           yes
 *   comm            /proc (cached)   kernel             -Y <comm> or ""     /proc (cached)
 *   bootstrap       never            cut mode           never               pre-exec calls
 *
 *   kind                 ptrace             ebpf (record)          strace log        run listener
 *   SYSCALL (one call)   every call, args   first sighting of a    every call, args  each call
 *                        (all 6), no ret    (arch, nr) per CPU,    printed as        the profile
 *                                           no args                numbers, ret      did not allow,
 *                                                                                    args, verdict
 *   SYSCALL_TOTAL        —                  calls not reported     —                 —
 *                                           one by one, at the end
 *   ARGS                 —                  new values of tracked  —                 —
 *                                           arguments (any of 6)
 *   EXEC                 path, argv (/proc) path, argv (/proc)     path              —
 *   FORK                 child, thread or   child process          child (clone ret) —
 *                        process
 *   EXIT                 every task, wait   process gone, no       status            —
 *                        status             status
 *   CAPABILITY           —                  every cap_capable      —                 —
 *   FILE                 opens (path the   —                      opens, -y path    —
 *                        kernel resolved   (watch's program)      if any, else as
 *                        for the new fd),                         written; result
 *                        exec, mmap-exec,
 *                        unlink/rename/link/
 *                        chmod... (as passed,
 *                        made absolute from
 *                        /proc/tid/cwd|fd);
 *                        with the result
 *   NET                  socket, connect,   —                      —                 —
 *                        bind, listen,      (watch's program)
 *                        accept, sendto/msg
 *                        with an address
 *   SIGNAL, PTRACE,      from arguments,    —                      —                 —
 *   CRED, NAMESPACE,     native arch only
 *   MODULE, BPF,
 *   MEMORY, FD
 *   GAP                  —                  ring buffer / map full —                 undecodable
 *                                                                                    notifications
 *
 * The eBPF watch program (ringfence/watch-source.h) fills the header as ebpf (record) does, and
 * sends only what the consumers' rules need: EXEC (path and argv from the kernel, memfd and
 * overlay-upper-layer flags), FORK, EXIT, FILE (paths as passed, made absolute through
 * /proc/tid/cwd|fd), NET (socket, connect, bind, listen, sendto with an address, TCP state
 * changes, DNS answers received by recvfrom/recvmsg from port 53), SIGNAL, PTRACE, CRED,
 * NAMESPACE, MODULE, BPF, MEMORY, FD, CAPABILITY, and a GAP per ring that lost records.
 *
 * time_ns is CLOCK_BOOTTIME for live sources (RF_FIELD_TIME). A strace log's timestamps are the
 * traced machine's wall clock (-ttt since the epoch, -tt/-t since midnight, no date): they order
 * events and measure intervals within that log only, and are 0 when the log has none
 * (RF_FIELD_LOG_TIME instead of RF_FIELD_TIME). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum rf_event_kind {
	RF_EV_SYSCALL = 1,   /* one call of (arch, nr): args when known, result when known */
	RF_EV_SYSCALL_TOTAL, /* `count` calls of (arch, nr) that were not reported one by one */
	RF_EV_ARGS,	     /* new values of some arguments of (arch, nr); not a call */
	RF_EV_EXEC,	     /* execve/execveat completed */
	RF_EV_FORK,	     /* a new task */
	RF_EV_EXIT,	     /* a task exited */
	RF_EV_CAPABILITY,    /* the kernel checked a capability */
	RF_EV_FILE,	     /* a path was opened, created, removed, renamed, linked, chmod'ed... */
	RF_EV_NET,	     /* socket, connect, bind, listen, accept, send with an address */
	RF_EV_SIGNAL,	     /* a signal sent to another process */
	RF_EV_PTRACE,	     /* another process's memory or execution was accessed */
	RF_EV_CRED,	     /* uid/gid/capability set change */
	RF_EV_NAMESPACE,     /* mount, umount, unshare, setns, pivot_root, chroot */
	RF_EV_MODULE,	     /* kernel module load or unload */
	RF_EV_BPF,	     /* bpf(2) command */
	RF_EV_MEMORY,	     /* writable+executable mapping, userfaultfd, memfd_create */
	RF_EV_FD,	     /* dup2/dup3 onto a standard stream */
	RF_EV_GAP,	     /* events the source lost */
	RF_EV_K8S_AUDIT,     /* a Kubernetes API server audit event (ringfence/k8saudit.h) */
	RF_EV_KIND_MAX
};

#define RF_EV_BIT(kind) (UINT32_C(1) << (kind))

/* What a source can fill (struct rf_source_info.fields) and a consumer needs. */
enum rf_event_field {
	RF_FIELD_PER_CALL = 1u << 0, /* every syscall is one RF_EV_SYSCALL (else first sightings
				      * plus RF_EV_SYSCALL_TOTAL) */
	RF_FIELD_ARGS = 1u << 1,     /* syscall argument values (per call, or as RF_EV_ARGS) */
	RF_FIELD_RET = 1u << 2,	     /* syscall results */
	RF_FIELD_TIME = 1u << 3,     /* time_ns on CLOCK_BOOTTIME */
	RF_FIELD_LOG_TIME = 1u << 4, /* time_ns on a log's own clock (ordering within it only) */
	RF_FIELD_PROC = 1u << 5,     /* ev->proc: exe, argv, ancestry, container */
	RF_FIELD_CGROUP = 1u << 6,   /* cgroup_id */
	RF_FIELD_PATHS = 1u << 7,    /* RF_EV_FILE paths */
	RF_FIELD_VERDICT = 1u << 8,  /* RF_EV_SYSCALL: the profile's verdict */
	RF_FIELD_KERNEL_PATHS = 1u
				<< 9, /* paths resolved by the kernel, not as the caller passed */
};

/* Syscall identity is (audit arch, nr), never a bare number (DESIGN.md §1). */
struct rf_syscall_id {
	uint32_t arch; /* AUDIT_ARCH_* == SCMP_ARCH_* token */
	int32_t nr;    /* includes the x32 bit on x86_64 */
};

struct rf_ev_syscall { /* RF_EV_SYSCALL, RF_EV_SYSCALL_TOTAL, RF_EV_ARGS */
	struct rf_syscall_id id;
	uint64_t args[6];
	uint8_t args_known;  /* bit i: args[i] is the real value. A strace log prints most
			      * arguments symbolically ("AF_INET"), and a guessed 0 must never
			      * become an argument rule. */
	bool args_elsewhere; /* this source sends argument values as RF_EV_ARGS, not with calls */
	bool has_ret;
	int64_t ret;
	uint64_t count;	  /* RF_EV_SYSCALL_TOTAL: calls; otherwise 1 */
	bool has_verdict; /* run's listener */
	uint32_t verdict; /* SECCOMP_RET_* the profile gives this call */
	bool allowed;	  /* the call went ahead anyway (complain mode) */
};

struct rf_ev_exec {
	const char *path;  /* as the kernel or the log names it; NULL when unknown */
	char *const *argv; /* NULL when the source does not see it */
	bool is_memfd;	   /* the executed file is a memfd (fileless execution) */
	bool upper_layer;  /* the executed file is on an overlay upper layer: written (or copied
			    * up) after the container started (eBPF watch only) */
	/* eBPF watch: the executed file as the kernel resolved it (absolute; NULL unknown) and
	 * its identity, so it can be found (and hashed) once a short-lived process is gone. */
	const char *file;
	bool has_id;
	uint64_t dev, ino; /* as stat(2) gives st_dev and st_ino */
};

struct rf_ev_fork {
	pid_t child_tgid, child_tid;
	bool thread; /* a thread of the same process, not a new process */
};

struct rf_ev_exit {
	bool has_status;
	int status;	 /* wait status */
	bool group_dead; /* the last thread: the process is gone */
};

struct rf_ev_capability {
	int cap;
	bool granted;
	bool noaudit; /* CAP_OPT_NOAUDIT: a probe (e.g. for a fallback), not a real need */
};

enum rf_file_op {
	RF_FILE_OPEN = 1, /* open/openat/openat2/creat: flags, mode, access */
	RF_FILE_EXEC,	  /* the file an exec ran (also an RF_EV_EXEC) */
	RF_FILE_MMAP,	  /* mapped executable */
	RF_FILE_UNLINK,
	RF_FILE_RMDIR,
	RF_FILE_MKDIR,
	RF_FILE_RENAME,	 /* path -> path2 */
	RF_FILE_LINK,	 /* new hard link path2 to path */
	RF_FILE_SYMLINK, /* new symlink path2 pointing at path */
	RF_FILE_CHMOD,	 /* mode */
	RF_FILE_CHOWN,
	RF_FILE_TRUNCATE,
};

/* AppArmor-shaped access bits of one file operation. */
enum rf_file_access {
	RF_ACC_READ = 1u << 0,
	RF_ACC_WRITE = 1u << 1,
	RF_ACC_APPEND = 1u << 2,
	RF_ACC_CREATE = 1u << 3,
	RF_ACC_EXEC = 1u << 4,
	RF_ACC_MMAP_EXEC = 1u << 5,
	RF_ACC_DELETE = 1u << 6,
	RF_ACC_LINK = 1u << 7,
	RF_ACC_LOCK = 1u << 8,
	RF_ACC_CHMOD = 1u << 9,
	RF_ACC_CHOWN = 1u << 10,
	RF_ACC_RENAME = 1u << 11,
	RF_ACC_DIR = 1u << 12, /* the path is a directory (mkdir, O_DIRECTORY) */
};

struct rf_ev_file {
	enum rf_file_op op;
	const char *path;  /* absolute when the source could make it so (see the table) */
	const char *path2; /* rename/link/symlink target; NULL otherwise */
	uint32_t access;   /* enum rf_file_access */
	int flags;	   /* open(2) flags; -1 unknown */
	uint32_t mode;	   /* creation mode or chmod mode */
	bool has_ret;
	int64_t ret; /* fd or -errno when known */
};

enum rf_net_op {
	RF_NET_SOCKET = 1,
	RF_NET_CONNECT,
	RF_NET_BIND,
	RF_NET_LISTEN,
	RF_NET_ACCEPT,
	RF_NET_SEND,	   /* sendto/sendmsg with a destination address */
	RF_NET_STATE,	   /* a TCP state change seen by the kernel (sock:inet_sock_set_state) */
	RF_NET_DNS_ANSWER, /* a datagram received from port 53 (recvfrom/recvmsg): `data` holds
			    * its first bytes, for learning names of addresses (lib/intel) */
};

struct rf_sockaddr {
	int family;	       /* AF_INET, AF_INET6, AF_UNIX, ...; 0 unknown */
	uint8_t addr[16];      /* network order; AF_INET in the first 4 bytes */
	uint16_t port;	       /* host order */
	const char *unix_path; /* AF_UNIX; abstract names start with '@' */
};

struct rf_ev_net {
	enum rf_net_op op;
	int fd;
	int family, type, protocol; /* socket(2)'s three, when known (type without flags) */
	struct rf_sockaddr local, remote;
	bool has_ret;
	int64_t ret;
	const uint8_t *data; /* RF_NET_DNS_ANSWER: the message's first data_len bytes */
	size_t data_len;
};

struct rf_ev_signal {
	int sig;
	pid_t target; /* pid as passed (negative: a process group) */
};

enum rf_ptrace_op {
	RF_PTRACE_REQUEST = 1,
	RF_PTRACE_VM_WRITE,
	RF_PTRACE_VM_READ,
	RF_PTRACE_PROC_MEM_WRITE
};
struct rf_ev_ptrace {
	enum rf_ptrace_op op;
	long request; /* PTRACE_* for RF_PTRACE_REQUEST */
	pid_t target;
};

enum rf_cred_op { RF_CRED_SETUID = 1, RF_CRED_SETGID, RF_CRED_SETGROUPS, RF_CRED_CAPSET };
struct rf_ev_cred {
	enum rf_cred_op op;
	int64_t ids[3];		    /* real, effective, saved as passed (-1: unchanged) */
	uint32_t old_uid, old_euid; /* before the call, when known */
};

enum rf_ns_op {
	RF_NS_MOUNT = 1,
	RF_NS_UMOUNT,
	RF_NS_UNSHARE,
	RF_NS_SETNS,
	RF_NS_PIVOT_ROOT,
	RF_NS_CHROOT
};
struct rf_ev_namespace {
	enum rf_ns_op op;
	uint64_t flags; /* mount flags, CLONE_NEW* */
	const char *source, *target, *fstype;
};

enum rf_module_op { RF_MODULE_LOAD = 1, RF_MODULE_UNLOAD };
struct rf_ev_module {
	enum rf_module_op op;
	const char *name; /* module name or file path when known */
};

struct rf_ev_bpf {
	int cmd;
	uint32_t prog_type; /* BPF_PROG_LOAD */
};

enum rf_memory_op { RF_MEM_WX_MAP = 1, RF_MEM_WX_PROTECT, RF_MEM_USERFAULTFD, RF_MEM_MEMFD_CREATE };
struct rf_ev_memory {
	enum rf_memory_op op;
	uint64_t addr, len;
	uint32_t prot;
	const char *name; /* memfd name */
};

struct rf_ev_fd {
	int oldfd, newfd;
	bool old_is_socket;
};

struct rf_ev_gap {
	uint64_t lost;	   /* events (or records) lost */
	const char *where; /* "ring buffer", "argument map", "notifications" ... */
};

struct rf_proc;	     /* ringfence/proc.h: the process table entry */
struct rf_k8s_audit; /* ringfence/k8saudit.h */

struct rf_event {
	enum rf_event_kind kind;
	uint64_t time_ns;	     /* see the table: CLOCK_BOOTTIME, a log's clock, or 0 */
	pid_t tgid;		     /* process (thread group) id; 0 unknown */
	pid_t tid;		     /* thread id; 0 unknown */
	pid_t ppid;		     /* parent process; 0 unknown */
	uint64_t cgroup_id;	     /* cgroup v2 id; 0 unknown */
	const struct rf_proc *proc;  /* process table entry, NULL when the source has none */
	struct rf_syscall_id origin; /* the syscall a FILE/NET/... event was decoded from (rules'
				      * evt.type); arch 0 when it came from no syscall or the
				      * source cannot tell */
	char comm[16];		     /* the thread's comm, "" unknown */
	bool bootstrap; /* made by the container runtime (or ringfence) before the workload's
			 * own filter: kept apart from the workload's set */
	bool gate;	/* not an event yet: a source that can hold a call before it runs asks
			 * for a verdict (rf_sinks_gate); the result is unknown and nothing has
			 * happened. Consumers keep no state from it. */
	bool denied;	/* the source refused this call before it ran, on a gate's verdict:
			 * the result is that -errno and the operation never happened */
	union {
		struct rf_ev_syscall sc;
		struct rf_ev_exec exec;
		struct rf_ev_fork fork;
		struct rf_ev_exit exit;
		struct rf_ev_capability cap;
		struct rf_ev_file file;
		struct rf_ev_net net;
		struct rf_ev_signal signal;
		struct rf_ev_ptrace ptrace;
		struct rf_ev_cred cred;
		struct rf_ev_namespace ns;
		struct rf_ev_module module;
		struct rf_ev_bpf bpf;
		struct rf_ev_memory mem;
		struct rf_ev_fd fd;
		struct rf_ev_gap gap;
		const struct rf_k8s_audit *audit; /* RF_EV_K8S_AUDIT */
	};
};

/* What a source produces; consumers are checked against it (ringfence/sink.h). */
struct rf_source_info {
	const char *name; /* "ptrace", "ebpf", "strace-log", "run-listener" ... */
	uint32_t kinds;	  /* RF_EV_BIT(kind) of every kind it can produce */
	uint32_t fields;  /* RF_FIELD_* it fills */
};

/* A consumer: returns 0 to continue, a negative errno to stop the source. */
typedef int (*rf_event_fn)(const struct rf_event *ev, void *userdata);
/* A verdict before a call runs (ev->gate): a positive errno refuses it, 0 lets it run. */
typedef int (*rf_gate_fn)(const struct rf_event *ev, void *userdata);

/* "syscall", "exec" ... for messages and JSON. */
const char *rf_event_kind_name(enum rf_event_kind kind);
