// SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause)
/* ringfence's security event program (`watch`): tracepoints only, CO-RE against vmlinux.h.
 * Non-syscall tracepoints first (sched exec/fork/exit, sock:inet_sock_set_state,
 * signal:signal_generate, io_uring:io_uring_submit_req, capability:cap_capable); a syscall's
 * exit tracepoint only when the loaded rules need that syscall (the raw syscall exit, where the
 * kernel has no per-call ones, and then only the numbers in `want_nr` do any work). Syscalls are
 * read at their exit: the arguments are still in the registers, the result is known, and the kernel
 * has faulted in the user strings it read (at entry a path in a page not yet touched cannot be read
 * from a tracepoint). File paths are filtered in the kernel by an LPM trie of the rules' path
 * prefixes, so most opens never reach user space. Two rings: rare security-critical events in one,
 * the high-volume file events in the other, so a flood of opens never pushes out an exec or a
 * setuid; every failed reserve is counted per ring. Outbound connections and datagrams to IP
 * addresses are filtered by a second LPM trie, of the addresses the rules can match (threat lists
 * included). User space decides which programs load (autoload). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "watch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The syscall number at exit (syscall_get_nr()) and the arguments, loaded straight from the
 * BTF-typed registers (a CO-RE relocated load, no helper call: this runs on every syscall of
 * the node). */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#define SYSCALL_ARGS(regs, a)                                                                      \
	({                                                                                         \
		(a)[0] = (regs)->di;                                                               \
		(a)[1] = (regs)->si;                                                               \
		(a)[2] = (regs)->dx;                                                               \
		(a)[3] = (regs)->r10;                                                              \
		(a)[4] = (regs)->r8;                                                               \
		(a)[5] = (regs)->r9;                                                               \
	})
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) ((regs)->syscallno)
#define SYSCALL_ARGS(regs, a)                                                                      \
	({                                                                                         \
		(a)[0] = (regs)->orig_x0;                                                          \
		for (int i_ = 1; i_ < 6; i_++)                                                     \
			(a)[i_] = (regs)->regs[i_];                                                \
	})
#else
#define SYSCALL_NR(regs)      (-1)
#define SYSCALL_ARGS(regs, a) __builtin_memset((a), 0, 6 * sizeof((a)[0]))
#endif

const volatile unsigned int mode = RF_W_MODE_ALL;
const volatile int self_tgid = 0;		/* ringfence itself: never watched */
const volatile unsigned char prefix_filter = 0; /* 1: file events only for matching paths */
const volatile unsigned char write_all = 0;	/* 1: the filter applies to read-only opens only */
/* Flag values from user space's headers (uapi), not assumed here. */
const volatile unsigned long long o_accmode = 3, o_creat = 0100, o_trunc = 01000;
const volatile unsigned long long prot_write = 2, prot_exec = 4;
const volatile unsigned int s_ifmt = 0170000, s_ifsock = 0140000;
const volatile unsigned long long bpf_prog_load_cmd = 5;
const volatile unsigned char hold_exec = 0;    /* stop the process at each exec until seen */
const volatile unsigned char hold_signals = 0; /* ... at each signal it sends another process */
const volatile unsigned char hold_caps = 0;    /* ... at each capability check */
const volatile int sig_stop = 19;	       /* SIGSTOP, from user space's headers */
int guard_tgid = 0; /* the guard process (lib/source/ebpf-watch-guard.c), if any: never watched */

/* The processes stopped at an event and not resumed yet, tgid -> the event's time: if the
 * watcher dies before it resumes one, its guard process does. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, int);
	__type(value, __u64);
} holding SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, int);
	__type(value, unsigned char);
} wtargets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, unsigned int);
} wcgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_W_MAX_NR);
	__type(key, unsigned int);
	__type(value, unsigned char);
} want_nr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rf_w_prefix_key);
	__type(value, unsigned char);
} prefixes SEC(".maps");

/* The remote addresses outbound events (connect, sendto, sendmsg, TCP SYN_SENT) are sent for
 * while addr_filter is set: the rules' addresses, the threat lists', and those DNS answers gave
 * for listed domains. User space fills it, and refills it when a list is reloaded. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RF_W_ADDRS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rf_w_addr_key);
	__type(value, unsigned char);
} addrs SEC(".maps");

/* Shared with user space while the program runs (.bss, memory-mapped). User space sets
 * addr_filter once `addrs` is filled and clears it while refilling; it counts in dns_done the
 * DNS answers it has learnt from (and put the addresses of listed domains in `addrs` for). While
 * dns_sent is ahead, an answer is on its way that may name the address of the next connect, so
 * nothing is filtered: the filter never loses a connection to a listed domain. */
volatile unsigned int addr_filter;
volatile unsigned long long dns_done;
unsigned long long dns_sent;	 /* DNS answers put in the bulk ring */
unsigned long long addr_dropped; /* outbound events the address filter dropped */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} crit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} bulk SEC(".maps");

/* Lost records per ring (index RF_W_RING_*), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, unsigned int);
	__type(value, unsigned long long);
} wdrops SEC(".maps");

/* Scratch for a prefix-filter key (too large for the stack beside a record). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, struct rf_w_prefix_key);
} keybuf SEC(".maps");

/* Scratch for a file's path from its dentries: [0, RF_W_PATH) the path, written backwards
 * (room up to 2 * RF_W_PATH for a name's bytes). */
struct rf_w_pathbuf {
	char b[2 * RF_W_PATH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, struct rf_w_pathbuf);
} pathbuf SEC(".maps");

/* A bulk record is built here and copied into its ring only once the in-kernel filters kept
 * it: a record that is dropped costs no reservation, no discard and no consumer wake-up, and
 * is never counted as lost for want of room. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, struct rf_w_rec);
} staging SEC(".maps");

static __always_inline void count_drop(unsigned int ring)
{
	unsigned long long *d = bpf_map_lookup_elem(&wdrops, &ring);

	if (d)
		(*d)++;
}

static __always_inline bool watched(void)
{
	int tgid = bpf_get_current_pid_tgid() >> 32;

	if (tgid == self_tgid || (guard_tgid && tgid == guard_tgid))
		return false;
	if (mode == RF_W_MODE_PIDS)
		return bpf_map_lookup_elem(&wtargets, &tgid) != 0;
	if (mode == RF_W_MODE_CGROUP)
		return bpf_current_task_under_cgroup(&wcgroup, 0) == 1;
	return true;
}

/* The header: who, when, where. */
static __always_inline void fill_header(struct rf_w_rec *r, unsigned int kind)
{
	struct task_struct *t = bpf_get_current_task_btf();
	const struct cred *cred = t->cred; /* direct loads through the BTF-typed task */
	__u64 id = bpf_get_current_pid_tgid();

	r->kind = kind;
	r->tgid = id >> 32;
	r->tid = (int)id;
	r->ppid = t->real_parent->tgid;
	r->uid = cred->uid.val;
	r->euid = cred->euid.val;
	r->gid = cred->gid.val;
	r->egid = cred->egid.val;
	r->time_ns = bpf_ktime_get_boot_ns();
	r->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(r->comm, sizeof(r->comm));
}

/* The payload fields every decoder may leave untouched. */
static __always_inline void clear_payload(struct rf_w_rec *r)
{
	r->dec = 0;
	r->nr = -1;
	r->child = r->flags = r->aux = 0;
	r->family = r->sport = r->dport = 0;
	r->argv_len = 0;
	r->held = 0;
	r->dev = 0;
	r->ino = 0;
	r->path[0] = r->path2[0] = r->argv[0] = 0;
}

static __always_inline struct rf_w_rec *reserve(unsigned int ring, unsigned int kind)
{
	struct rf_w_rec *r = ring == RF_W_RING_CRIT ? bpf_ringbuf_reserve(&crit, sizeof(*r), 0)
						    : bpf_ringbuf_reserve(&bulk, sizeof(*r), 0);

	if (!r) {
		count_drop(ring);
		return 0;
	}
	fill_header(r, kind);
	clear_payload(r);
	return r;
}

/* Stops the current process at the event in r (its header filled) until user space has seen
 * it, and notes it for the guard. */
static __always_inline unsigned char stop_held(const struct rf_w_rec *r)
{
	int tgid = r->tgid;
	__u64 t = r->time_ns;

	if (bpf_send_signal(sig_stop) != 0)
		return 0;
	bpf_map_update_elem(&holding, &tgid, &t, BPF_ANY);
	return 1;
}

static __always_inline void submit(struct rf_w_rec *r, unsigned int ring)
{
	bpf_ringbuf_submit(r, 0);
}

/* ---- processes ---- */

static __always_inline bool overlay_upper(struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	const char *fstype = BPF_CORE_READ(ino, i_sb, s_type, name);
	char name[8] = {};
	struct ovl_inode *oi;

	if (!fstype || bpf_probe_read_kernel_str(name, sizeof(name), fstype) < 0)
		return false;
	if (name[0] != 'o' || name[1] != 'v' || name[2] != 'e' || name[3] != 'r' ||
	    name[4] != 'l' || name[5] != 'a' || name[6] != 'y' || name[7] != 0)
		return false;
	/* An overlay inode with an upper dentry was created or written in the container. */
	oi = container_of(ino, struct ovl_inode, vfs_inode);
	return BPF_CORE_READ(oi, __upperdentry) != 0;
}

static __always_inline bool file_path(struct rf_w_pathbuf *pb, struct file *f, char *dst);

SEC("tp_btf/sched_process_exec")
int BPF_PROG(w_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct rf_w_rec *r;
	struct file *f;
	const char *dname;
	unsigned long start, end;
	unsigned int len;

	if (!watched())
		return 0;
	r = reserve(RF_W_RING_CRIT, RF_W_EXEC);
	if (!r)
		return 0;
	bpf_probe_read_kernel_str(r->path, sizeof(r->path), BPF_CORE_READ(bprm, filename));
	f = BPF_CORE_READ(bprm, file);
	dname = (const char *)BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (dname) {
		char m[7] = {};

		bpf_probe_read_kernel_str(m, sizeof(m), dname);
		if (m[0] == 'm' && m[1] == 'e' && m[2] == 'm' && m[3] == 'f' && m[4] == 'd' &&
		    m[5] == ':')
			r->flags |= 1;
	}
	if (overlay_upper(f))
		r->flags |= 2;
	/* Which file ran, for hashing it once the process is gone: its identity, and its path
	 * as the kernel resolved it (the filename may be relative). */
	r->ino = BPF_CORE_READ(f, f_inode, i_ino);
	r->dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	{
		unsigned int zero = 0;
		struct rf_w_pathbuf *pb = bpf_map_lookup_elem(&pathbuf, &zero);

		if (pb && file_path(pb, f, r->path2))
			r->flags |= 4;
	}
	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	len = end > start ? end - start : 0;
	if (len > RF_W_ARGV)
		len = RF_W_ARGV;
	if (len &&
	    bpf_probe_read_user(r->argv, len & (RF_W_ARGV - 1) ?: RF_W_ARGV, (void *)start) == 0)
		r->argv_len = len;
	/* Held: stopped before the new image runs its first instruction. */
	if (hold_exec)
		r->held = stop_held(r);
	submit(r, RF_W_RING_CRIT);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(w_fork, struct task_struct *parent, struct task_struct *child)
{
	int ppid = BPF_CORE_READ(parent, tgid), cpid = BPF_CORE_READ(child, tgid);
	unsigned char one = 1;
	struct rf_w_rec *r;

	if (ppid == cpid || !watched())
		return 0;
	if (mode == RF_W_MODE_PIDS)
		bpf_map_update_elem(&wtargets, &cpid, &one, BPF_ANY);
	r = reserve(RF_W_RING_CRIT, RF_W_FORK);
	if (r) {
		r->child = cpid;
		submit(r, RF_W_RING_CRIT);
	}
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(w_exit, struct task_struct *p, bool group_dead)
{
	int tgid = BPF_CORE_READ(p, tgid), pid = BPF_CORE_READ(p, pid);
	struct rf_w_rec *r;

	if (tgid != pid || !watched())
		return 0;
	if (mode == RF_W_MODE_PIDS)
		bpf_map_delete_elem(&wtargets, &tgid);
	r = reserve(RF_W_RING_CRIT, RF_W_EXIT);
	if (r)
		submit(r, RF_W_RING_CRIT);
	return 0;
}

/* ---- syscalls ---- */

/* Does this path pass the prefix filter? Relative paths and paths with "/." components cannot
 * be judged before they are resolved: they always pass. So does a resolved path with a "/."
 * (a dot-file or -directory): rules match those by infix ("/.ssh/"), see ringfence/rules.h. */
static __always_inline bool path_wanted(const char *path)
{
	unsigned int zero = 0;
	struct rf_w_prefix_key *k;

	if (!prefix_filter)
		return true;
	if (path[0] != '/')
		return true;
	for (int i = 0; i < RF_W_PATH - 1; i++) {
		if (path[i] == 0)
			break;
		if (path[i] == '/' && path[i + 1] == '.')
			return true;
	}
	k = bpf_map_lookup_elem(&keybuf, &zero);
	if (!k)
		return true;
	k->prefixlen = RF_W_PREFIX * 8;
	__builtin_memcpy(k->data, path, RF_W_PREFIX);
	return bpf_map_lookup_elem(&prefixes, k) != 0;
}

static __always_inline void read_path(char *dst, unsigned long long uptr)
{
	if (!uptr || bpf_probe_read_user_str(dst, RF_W_PATH, (const void *)uptr) < 0)
		dst[0] = 0;
}

/* A sockaddr's family, port (host order) and IP address, read once from user memory. */
struct w_sa {
	unsigned short family, port;
	unsigned char addr[16];
};

static __always_inline void peek_sockaddr(unsigned long long uptr, unsigned long long len,
					  struct w_sa *sa)
{
	if (!uptr || len < 2 || bpf_probe_read_user(&sa->family, 2, (void *)uptr) < 0) {
		sa->family = 0;
		return;
	}
	if (sa->family == 2 /* AF_INET */ && len >= 8) {
		bpf_probe_read_user(&sa->port, 2, (void *)(uptr + 2));
		bpf_probe_read_user(sa->addr, 4, (void *)(uptr + 4));
	} else if (sa->family == 10 /* AF_INET6 */ && len >= 24) {
		bpf_probe_read_user(&sa->port, 2, (void *)(uptr + 2));
		bpf_probe_read_user(sa->addr, 16, (void *)(uptr + 8));
	} else {
		return;
	}
	sa->port = __builtin_bswap16(sa->port);
}

/* Into the record's address fields (a unix socket's path from user memory). */
static __always_inline void put_sockaddr(struct rf_w_rec *r, const struct w_sa *sa,
					 unsigned long long uptr, unsigned long long len,
					 bool remote)
{
	r->family = sa->family;
	if (sa->family == 2 || sa->family == 10) {
		__builtin_memcpy(remote ? r->daddr : r->saddr, sa->addr, 16);
		if (remote)
			r->dport = sa->port;
		else
			r->sport = sa->port;
	} else if (sa->family == 1 /* AF_UNIX */ && len > 2) {
		bpf_probe_read_user(r->argv, 108, (void *)(uptr + 2));
		r->argv_len = len - 2 > 108 ? 108 : len - 2;
	}
}

static __always_inline void read_sockaddr(struct rf_w_rec *r, unsigned long long uptr,
					  unsigned long long len, bool remote)
{
	struct w_sa sa = {};

	peek_sockaddr(uptr, len, &sa);
	put_sockaddr(r, &sa, uptr, len, remote);
}

/* Whether an outbound event to this address goes to user space (the address filter). */
static __always_inline bool addr_passes(unsigned short family, const unsigned char *a)
{
	struct rf_w_addr_key k = { .prefixlen = 128 };

	if (!addr_filter || (family != 2 && family != 10))
		return true;
	if (dns_sent != dns_done)
		return true; /* an answer user space has not learnt from may name it */
	if (family == 2) {
		k.addr[10] = k.addr[11] = 0xff;
		__builtin_memcpy(k.addr + 12, a, 4);
	} else {
		__builtin_memcpy(k.addr, a, 16);
	}
	if (bpf_map_lookup_elem(&addrs, &k))
		return true;
	__sync_fetch_and_add(&addr_dropped, 1);
	return false;
}

/* The open file behind fd of the current task, or NULL. */
static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = t->files->fdt;
	unsigned int max = fdt->max_fds;
	struct file **fds, *f;

	if (fd < 0 || fd >= max)
		return 0;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) < 0)
		return 0;
	return f;
}

/* Whether fd of the current task is a socket (dup2 onto a standard stream: reverse shells). */
static __always_inline bool fd_is_socket(int fd)
{
	struct file *f = fd_file(fd);
	unsigned int mode_bits;

	if (!f)
		return false;
	mode_bits = BPF_CORE_READ(f, f_inode, i_mode);
	return (mode_bits & s_ifmt) == s_ifsock;
}

/* The remote end of socket fd of the current task (a connected UDP socket's DNS server). */
static __always_inline bool fd_peer(int fd, struct rf_w_rec *r)
{
	struct file *f = fd_file(fd);
	struct socket *so;
	struct sock *sk;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & s_ifmt) != s_ifsock)
		return false;
	so = BPF_CORE_READ(f, private_data);
	sk = so ? BPF_CORE_READ(so, sk) : 0;
	if (!sk)
		return false;
	r->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	/* Whole arrays: BPF_CORE_READ_INTO would copy sizeof(*dst), one byte. */
	if (r->family == 2)
		bpf_core_read(r->daddr, 4, &sk->__sk_common.skc_daddr);
	else if (r->family == 10)
		bpf_core_read(r->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	return true;
}

/* recvfrom/recvmsg that returned data from port 53: where from, and the message's first bytes
 * (a DNS answer, for learning the names of addresses). Anything else is dropped here. */
static __noinline int on_recv(struct rf_w_rec *r, unsigned int dec, unsigned long long *a, long ret)
{
	unsigned long long name = 0, buf = 0, cap = 0, namelen = 0;
	unsigned int n;

	if (dec == RF_W_D_RECVFROM) {
		name = a[4];
		buf = a[1];
		cap = a[2];
		if (name && a[5])
			bpf_probe_read_user(&namelen, 4, (void *)a[5]);
	} else {
		unsigned long long iov = 0;

		if (!a[1])
			return 0;
		bpf_probe_read_user(&name, 8, (void *)a[1]);	      /* msg_name */
		bpf_probe_read_user(&namelen, 4, (void *)(a[1] + 8)); /* msg_namelen */
		bpf_probe_read_user(&iov, 8, (void *)(a[1] + 16));    /* msg_iov */
		if (!iov)
			return 0;
		bpf_probe_read_user(&buf, 8, (void *)iov);
		bpf_probe_read_user(&cap, 8, (void *)(iov + 8));
	}
	if (name && namelen >= 8)
		read_sockaddr(r, name, namelen, true);
	else if (!fd_peer((int)a[0], r))
		return 0;
	if (r->dport != 53 || !buf)
		return 0;
	n = (unsigned int)(ret < (long)cap ? ret : (long)cap);
	if (n > RF_W_ARGV - 1)
		n = RF_W_ARGV - 1; /* a mask the verifier can follow: 511 bytes of an answer */
	n &= RF_W_ARGV - 1;
	if (bpf_probe_read_user(r->argv, n, (void *)buf) < 0)
		return 0;
	r->argv_len = (unsigned short)n;
	return 1;
}

#define PMASK (RF_W_PATH - 1)

/* Loops run as bpf_loop callbacks: each is verified once, not once per iteration. */
struct walk_ctx {
	struct rf_w_pathbuf *pb;
	unsigned long long d, vm, m, mnt_root, root_d, root_m;
	unsigned int off, done, fail;
};

/* One level up from c->d: its name prepended at c->off, or the mount point crossed. Three
 * reads a level (parent, name, its bytes): this runs for every open the filters look at. */
static long walk_cb(unsigned int i, struct walk_ctx *c)
{
	struct dentry *d = (struct dentry *)c->d, *parent;
	struct mount *m = (struct mount *)c->m, *pm;
	struct qstr q;

	if (c->d == c->root_d && c->vm == c->root_m) {
		c->done = 1;
		return 1;
	}
	if (c->d == c->mnt_root) {
		pm = BPF_CORE_READ(m, mnt_parent);
		if (pm == m) {
			c->done = 1; /* the namespace's root */
			return 1;
		}
		c->d = (unsigned long long)BPF_CORE_READ(m, mnt_mountpoint);
		c->m = (unsigned long long)pm;
		c->vm = (unsigned long long)pm + bpf_core_field_offset(struct mount, mnt);
		c->mnt_root = (unsigned long long)BPF_CORE_READ(pm, mnt.mnt_root);
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent == d) {
		c->done = 1;
		return 1;
	}
	/* The name's length and pointer in one read: struct qstr has been {hash, len; name}
	 * since 2.6 (its place in the dentry is relocated). */
	if (bpf_core_read(&q, sizeof(q), &d->d_name) < 0 || q.len > PMASK || q.len + 1 > c->off) {
		c->fail = 1;
		return 1;
	}
	c->off -= q.len;
	if (bpf_probe_read_kernel(&c->pb->b[c->off & PMASK], q.len & PMASK, q.name) < 0) {
		c->fail = 1;
		return 1;
	}
	c->off -= 1;
	c->pb->b[c->off & PMASK] = '/';
	c->d = (unsigned long long)parent;
	return 0;
}

/* The path of an open file as the kernel resolved it: its dentries up to the task's root,
 * crossing mount points, into dst (RF_W_PATH bytes). False when it does not fit. */
static __always_inline bool file_path(struct rf_w_pathbuf *pb, struct file *f, char *dst)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
	struct walk_ctx c = {
		.pb = pb,
		.d = (unsigned long long)BPF_CORE_READ(f, f_path.dentry),
		.vm = (unsigned long long)vm,
		.m = (unsigned long long)container_of(vm, struct mount, mnt),
		.mnt_root = (unsigned long long)BPF_CORE_READ(vm, mnt_root),
		.root_d = (unsigned long long)t->fs->root.dentry,
		.root_m = (unsigned long long)t->fs->root.mnt,
		.off = RF_W_PATH,
	};
	unsigned int n;

	bpf_loop(64, walk_cb, &c, 0);
	if (c.fail || !c.done)
		return false;
	n = RF_W_PATH - c.off;
	if (!n) {
		dst[0] = '/';
		dst[1] = 0;
		return true;
	}
	if (n > PMASK || bpf_probe_read_kernel(dst, n & PMASK, &pb->b[c.off & PMASK]) < 0)
		return false;
	dst[n & PMASK] = 0;
	return true;
}

/* After a successful open: the path of the file reached, from its dentries up to the caller's
 * root, in path2 (flag 4). Always, not only for relative paths or a last component that is a
 * symlink: a directory on the way may be one too (/tmp/d/shadow with /tmp/d -> /etc). */
static __noinline void resolve_open(struct rf_w_rec *r, long ret)
{
	unsigned int zero = 0;
	struct rf_w_pathbuf *pb;
	struct file *f;

	if (ret < 0 || !(f = fd_file(ret)))
		return;
	pb = bpf_map_lookup_elem(&pathbuf, &zero);
	if (pb && file_path(pb, f, r->path2))
		r->flags |= 4;
}

/* An open that cannot change the file system: no write access, no O_CREAT, no O_TRUNC. */
static __always_inline bool read_only_open(const struct rf_w_rec *r, unsigned int dec)
{
	unsigned long long fl;

	if (dec == RF_W_D_OPEN)
		fl = r->args[1];
	else if (dec == RF_W_D_OPENAT || dec == RF_W_D_OPENAT2)
		fl = r->args[2]; /* openat2: open_how.flags, read into args[2] */
	else
		return false;
	return !(fl & o_accmode) && !(fl & (o_creat | o_trunc));
}

static __noinline int file_event(struct rf_w_rec *r, unsigned int dec, unsigned long long *a);

/* Whether the file event in r reaches user space: with write_all, everything but a read-only
 * open passes; the rest goes through the prefix filter. */
static __noinline int on_file(struct rf_w_rec *r, unsigned int dec, unsigned long long *a)
{
	int wanted = file_event(r, dec, a);

	return wanted || (write_all && !read_only_open(r, dec));
}

/* An open is judged by the path the kernel resolved (the file reached, whatever symlinks were
 * on the way); the path as passed, from user memory, is read only for an open that goes on to
 * user space. A failed open has no file: its path as passed decides. */
static __always_inline int open_event(struct rf_w_rec *r, unsigned int dec,
				      unsigned long long upath)
{
	int wanted;

	resolve_open(r, r->ret);
	if (!(r->flags & 4)) {
		read_path(r->path, upath);
		return path_wanted(r->path);
	}
	wanted = path_wanted(r->path2);
	if (wanted || (write_all && !read_only_open(r, dec)))
		read_path(r->path, upath);
	return wanted;
}

static __noinline int file_event(struct rf_w_rec *r, unsigned int dec, unsigned long long *a)
{
	switch (dec) {
	case RF_W_D_OPEN:
	case RF_W_D_CREAT: return open_event(r, dec, a[0]);
	case RF_W_D_UNLINK:
	case RF_W_D_RMDIR:
	case RF_W_D_CHOWN:
	case RF_W_D_LCHOWN:
	case RF_W_D_CHMOD:
	case RF_W_D_TRUNCATE:
	case RF_W_D_MKDIR:
	case RF_W_D_CHROOT:
	case RF_W_D_UMOUNT2:
	case RF_W_D_PIVOT_ROOT: read_path(r->path, a[0]); break;
	case RF_W_D_OPENAT:
	case RF_W_D_OPENAT2:
		if (dec == RF_W_D_OPENAT2 && a[2]) { /* struct open_how: flags first */
			unsigned long long how_flags = 0;

			bpf_probe_read_user(&how_flags, sizeof(how_flags), (void *)a[2]);
			r->args[2] = how_flags;
		}
		return open_event(r, dec, a[1]);
	case RF_W_D_UNLINKAT:
	case RF_W_D_FCHMODAT:
	case RF_W_D_FCHOWNAT:
	case RF_W_D_MKDIRAT: read_path(r->path, a[1]); break;
	case RF_W_D_RENAME:
	case RF_W_D_LINK:
	case RF_W_D_SYMLINK:
		read_path(r->path, a[0]);
		read_path(r->path2, a[1]);
		break;
	case RF_W_D_RENAMEAT:
	case RF_W_D_LINKAT:
		read_path(r->path, a[1]);
		read_path(r->path2, a[3]);
		break;
	case RF_W_D_SYMLINKAT:
		read_path(r->path, a[0]);
		read_path(r->path2, a[2]);
		break;
	case RF_W_D_FCHMOD:
	case RF_W_D_FCHOWN: return 1; /* by descriptor: the path is known in user space only */
	default: return 0;
	}
	return path_wanted(r->path) || (r->path2[0] && path_wanted(r->path2));
}

/* A file or DNS-answer event: built in the staging record, filtered, then copied to the bulk
 * ring with its header. */
static __noinline int bulk_event(unsigned int d, int nr, unsigned long long *a, long ret,
				 unsigned int hold)
{
	unsigned int zero = 0;
	struct rf_w_rec *r = bpf_map_lookup_elem(&staging, &zero), *out;

	if (!r)
		return 0;
	clear_payload(r);
	r->dec = d;
	r->nr = nr;
	r->ret = ret;
	for (int i = 0; i < 6; i++)
		r->args[i] = a[i];
	if (d <= RF_W_D_MKDIRAT) {
		if (!on_file(r, d, a))
			return 0;
	} else if (!on_recv(r, d, a, ret)) {
		return 0;
	}
	fill_header(r, RF_W_SYSCALL);
	if (!hold) {
		if (bpf_ringbuf_output(&bulk, r, sizeof(*r), 0) < 0)
			count_drop(RF_W_RING_BULK);
		else if (d > RF_W_D_MKDIRAT)
			__sync_fetch_and_add(&dns_sent, 1); /* a DNS answer (on_recv) */
		return 0;
	}
	/* Held: room first (no record, no stop: user space must get to resume it), then the
	 * stop, then the record, so user space cannot resume the process before it stopped. */
	out = bpf_ringbuf_reserve(&bulk, sizeof(*out), 0);
	if (!out) {
		count_drop(RF_W_RING_BULK);
		return 0;
	}
	if (bpf_probe_read_kernel(out, sizeof(*out), r) < 0) {
		bpf_ringbuf_discard(out, 0);
		return 0;
	}
	out->held = stop_held(out);
	if (d > RF_W_D_MKDIRAT)
		__sync_fetch_and_add(&dns_sent, 1);
	bpf_ringbuf_submit(out, 0);
	return 0;
}

static __always_inline int on_sys_exit(struct pt_regs *regs, long id, long ret)
{
	unsigned int nr = (unsigned int)id, ring = RF_W_RING_CRIT;
	unsigned long long a[6], msg_name = 0; /* sendmsg: msghdr.msg_name */
	unsigned long long sa_ptr = 0, sa_len = 0;
	struct w_sa sa = {};
	unsigned char *dec;
	struct rf_w_rec *r;
	unsigned int d, hold;

	if (id < 0 || id >= RF_W_MAX_NR)
		return 0;
	dec = bpf_map_lookup_elem(&want_nr, &nr);
	if (!dec || !*dec || !watched())
		return 0;
	d = *dec & ~RF_W_HOLD;
	hold = *dec & RF_W_HOLD;
	SYSCALL_ARGS(regs, a);
	/* Cheap in-kernel filters before a record is reserved. */
	switch (d) {
	case RF_W_D_MPROTECT:
		if ((a[2] & (prot_write | prot_exec)) != (prot_write | prot_exec))
			return 0;
		break;
	case RF_W_D_MMAP:
		if ((a[2] & (prot_write | prot_exec)) != (prot_write | prot_exec))
			return 0;
		break;
	case RF_W_D_DUP2:
	case RF_W_D_DUP3:
		if (a[1] > 2)
			return 0;
		break;
	case RF_W_D_KILL:
	case RF_W_D_TKILL:
		if (!a[1])
			return 0;
		break;
	case RF_W_D_TGKILL:
		if (!a[2])
			return 0;
		break;
	case RF_W_D_SENDTO:
		if (!a[4])
			return 0; /* a connected socket: its connect was the event */
		break;
	case RF_W_D_SENDMSG:
		if (a[1])
			bpf_probe_read_user(&msg_name, 8, (void *)a[1]);
		if (!msg_name)
			return 0; /* a connected socket: its connect was the event */
		break;
	case RF_W_D_RECVFROM:
	case RF_W_D_RECVMSG:
		if (ret <= 0)
			return 0;
		break;
	default: break;
	}
	if (d <= RF_W_D_MKDIRAT || d == RF_W_D_RECVFROM || d == RF_W_D_RECVMSG)
		return bulk_event(d, (int)id, a, ret, hold);
	/* Addresses: read once, filtered before a record is reserved. */
	if (d == RF_W_D_CONNECT || d == RF_W_D_BIND) {
		sa_ptr = a[1];
		sa_len = a[2];
	} else if (d == RF_W_D_SENDTO) {
		sa_ptr = a[4];
		sa_len = a[5];
	} else if (d == RF_W_D_SENDMSG) {
		sa_ptr = msg_name;
		bpf_probe_read_user(&sa_len, 4, (void *)(a[1] + 8)); /* msg_namelen */
	}
	if (sa_ptr) {
		peek_sockaddr(sa_ptr, sa_len, &sa);
		if (d != RF_W_D_BIND && !addr_passes(sa.family, sa.addr))
			return 0;
	}
	r = reserve(ring, RF_W_SYSCALL);
	if (!r)
		return 0;
	r->dec = d;
	r->nr = (int)id;
	r->ret = ret;
	for (int i = 0; i < 6; i++)
		r->args[i] = a[i];
	if (d == RF_W_D_CHROOT || d == RF_W_D_UMOUNT2 || d == RF_W_D_PIVOT_ROOT) {
		(void)on_file(r, d, a); /* the critical ring keeps them all */
	} else if (sa_ptr) {
		put_sockaddr(r, &sa, sa_ptr, sa_len, d != RF_W_D_BIND);
	} else if (d == RF_W_D_DUP2 || d == RF_W_D_DUP3) {
		r->flags = fd_is_socket((int)a[0]);
	} else if (d == RF_W_D_MOUNT) {
		read_path(r->path, a[0]);
		read_path(r->path2, a[1]);
	} else if (d == RF_W_D_MEMFD_CREATE || d == RF_W_D_DELETE_MODULE) {
		read_path(r->path, a[0]);
	} else if (d == RF_W_D_BPF && a[0] == bpf_prog_load_cmd && a[1]) {
		unsigned int prog_type = 0;

		bpf_probe_read_user(&prog_type, sizeof(prog_type), (void *)a[1]);
		r->flags = (int)prog_type;
	}
	if (hold)
		r->held = stop_held(r);
	submit(r, ring);
	return 0;
}

/* Attached to the exit tracepoint of each syscall the rules need (syscalls:sys_exit_<name>), when
 * the kernel has them: a call nobody asked for then costs a test of the kernel's bitmap of
 * enabled calls, not a program run (measured: getppid() +0-20 ns here, +70-110 ns under the raw
 * exit below). The registers are the task's own. */
SEC("tracepoint")
int w_sys_exit_one(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	if (!regs)
		return 0;
	return on_sys_exit(regs, ctx->id, ctx->ret);
}

/* Every syscall of the node: where the per-call tracepoints are not to be had. */
SEC("tp_btf/sys_exit")
int BPF_PROG(w_sys_exit, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, SYSCALL_NR(regs), ret);
}

/* ---- non-syscall tracepoints ---- */

/* Whether the current task is in a connect() the syscall exit reports (with its address, held
 * if a kill rule asks): its SYN_SENT would be the same connection twice. */
static __always_inline bool in_decoded_connect(void)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	long id = regs ? SYSCALL_NR(regs) : -1;
	unsigned int nr = (unsigned int)id;
	unsigned char *dec;

	if (id < 0 || id >= RF_W_MAX_NR)
		return false;
	dec = bpf_map_lookup_elem(&want_nr, &nr);
	return dec && (*dec & ~RF_W_HOLD) == RF_W_D_CONNECT;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(w_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	unsigned char saddr[16] = {}, daddr[16] = {};
	struct rf_w_rec *r;
	unsigned short family;

	/* SYN_SENT (2) is set by connect() and LISTEN (10) by listen(), both in the calling task;
	 * the other transitions happen in softirq context, where "current" is not the owner. */
	if ((newstate != 2 && newstate != 10) || !watched())
		return 0;
	/* Whole arrays: BPF_CORE_READ_INTO would copy sizeof(*dst), one byte. */
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == 2) {
		bpf_core_read(saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(daddr, 4, &sk->__sk_common.skc_daddr);
	} else if (family == 10) {
		bpf_core_read(saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	if (newstate == 2 && (in_decoded_connect() || !addr_passes(family, daddr)))
		return 0;
	r = reserve(RF_W_RING_CRIT, RF_W_TCP_STATE);
	if (!r)
		return 0;
	r->family = family;
	r->flags = newstate;
	r->aux = oldstate;
	r->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	r->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	__builtin_memcpy(r->saddr, saddr, 16);
	__builtin_memcpy(r->daddr, daddr, 16);
	submit(r, RF_W_RING_CRIT);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(w_signal, int sig, struct kernel_siginfo *info, struct task_struct *task, int group,
	     int result)
{
	struct rf_w_rec *r;
	int target = BPF_CORE_READ(task, tgid);

	/* Signals a process sends itself (or the kernel sends it) are not peers. */
	if (sig <= 0 || target == (int)(bpf_get_current_pid_tgid() >> 32) || !watched())
		return 0;
	r = reserve(RF_W_RING_CRIT, RF_W_SIGNAL);
	if (!r)
		return 0;
	r->child = target;
	r->flags = sig;
	if (hold_signals)
		r->held = stop_held(r);
	submit(r, RF_W_RING_CRIT);
	return 0;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(w_io_uring, struct io_kiocb *req)
{
	struct rf_w_rec *r;

	if (!watched())
		return 0;
	r = reserve(RF_W_RING_BULK, RF_W_IO_URING);
	if (!r)
		return 0;
	r->flags = BPF_CORE_READ(req, opcode);
	submit(r, RF_W_RING_BULK);
	return 0;
}

SEC("tp_btf/cap_capable")
int BPF_PROG(w_cap, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	struct rf_w_rec *r;

	if (!watched())
		return 0;
	r = reserve(RF_W_RING_BULK, RF_W_CAP);
	if (!r)
		return 0;
	r->flags = cap;
	r->aux = ret;
	if (hold_caps)
		r->held = stop_held(r);
	submit(r, RF_W_RING_BULK);
	return 0;
}
