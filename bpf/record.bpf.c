// SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause)
/* ringfence's eBPF recorder: tracepoints only (tp_btf sys_enter, sched fork/exec/exit,
 * capability/cap_capable), CO-RE against vmlinux.h. An untracked task leaves sys_enter after one
 * map lookup (pid mode) or one cgroup test (cgroup mode). A tracked syscall bumps a per-CPU
 * counter; only the first sighting of a (slot, nr), a new value of a tracked argument, execs and
 * capability checks go through the ring buffer, and every failed reserve is counted. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "record.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile unsigned int mode = RF_MODE_PIDS;
const volatile unsigned char bootstrap_cut = 0; /* record the runtime's bootstrap separately */
/* Numbers and flag values come from user space, which has them from libseccomp and the uapi
 * headers (<linux/seccomp.h>, <linux/prctl.h>, <asm/unistd.h>): nothing is assumed here. */
const volatile int seccomp_nr = -1; /* native numbers of the calls that end the bootstrap */
const volatile int prctl_nr = -1;
const volatile int execve_nr = -1; /* the command is recorded from its execve on, as strace */
const volatile int execveat_nr = -1;
const volatile unsigned long long seccomp_set_mode_filter = 1;
const volatile unsigned long long pr_set_seccomp = 22;
const volatile unsigned long long seccomp_mode_filter = 2;
const volatile long x32_syscall_bit = 0; /* __X32_SYSCALL_BIT on x86_64, 0 elsewhere */

/* tgid -> RF_TARGET_* bits. 65536 processes in one recorded tree is far beyond real use. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, int);
	__type(value, unsigned char);
} targets SEC(".maps");

/* Per-task cache of the state above (bit 0x80: cached), so the hot path costs one task-storage
 * lookup instead of a hash of the tgid; kept right by the fork and exec hooks. */
#define STATE_CACHED 0x80
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, unsigned char);
} tcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, unsigned int);
} cgroup_map SEC(".maps");

/* Calls per (slot, nr); per CPU so the hot path has no atomics. Two rows: workload, bootstrap. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * RF_NR_INDEXES);
	__type(key, unsigned int);
	__type(value, unsigned long long);
} counts SEC(".maps");

/* Which arguments of (slot, nr) user space wants values of: bit i = argument i. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_NR_INDEXES);
	__type(key, unsigned int);
	__type(value, unsigned char);
} mux SEC(".maps");

struct arg_key {
	unsigned int index; /* slot * RF_MAX_NR + nr */
	unsigned int arg;
	unsigned long long value;
};

/* Distinct argument values already reported; 16384 keeps every multiplexer's few values and
 * then some; a full map is counted as a drop, never silent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct arg_key);
	__type(value, unsigned char);
} argseen SEC(".maps");

/* 1 MiB: first sightings and execs are rare; sized so a burst of new argument values fits. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Lost records (ring buffer full, argseen full), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, unsigned long long);
} drops SEC(".maps");

static __always_inline void count_drop(void)
{
	unsigned int zero = 0;
	unsigned long long *d = bpf_map_lookup_elem(&drops, &zero);

	if (d)
		(*d)++;
}

static __always_inline struct rf_rec *reserve(unsigned int kind)
{
	struct rf_rec *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!r) {
		count_drop();
		return 0;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->pid = id >> 32;
	r->tid = (int)id;
	r->cgroup_id = bpf_get_current_cgroup_id();
	r->time_ns = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	return r;
}

static __always_inline void cache_state(struct task_struct *t, unsigned char st)
{
	unsigned char *c = bpf_task_storage_get(&tcache, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (c)
		*c = st | STATE_CACHED;
}

/* Returns the target state bits of the current task, 0 when untracked. */
static __always_inline unsigned char target_state(void)
{
	int tgid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *t;
	unsigned char *st, *c, v;

	if (mode == RF_MODE_CGROUP) {
		if (bpf_current_task_under_cgroup(&cgroup_map, 0) != 1)
			return 0;
		st = bpf_map_lookup_elem(&targets, &tgid);
		return st ? *st : RF_TARGET_TRACKED;
	}
	t = bpf_get_current_task_btf();
	c = bpf_task_storage_get(&tcache, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (c && *c)
		return *c & ~STATE_CACHED;
	st = bpf_map_lookup_elem(&targets, &tgid);
	v = st ? *st : 0;
	if (c)
		*c = v | STATE_CACHED;
	return v;
}

/* Compat is decided here, from the task, not assumed: the x32 bit on x86_64 numbers, TS_COMPAT
 * on x86 and TIF_32BIT on arm64. Those two are kernel-internal #defines, in neither BTF nor the
 * uapi headers (arch/x86/include/asm/thread_info.h, arch/arm64/include/asm/thread_info.h), and
 * have not changed since they were introduced; the fields they test are read through BTF. */
#define RF_TS_COMPAT 0x0002
#define RF_TIF_32BIT 22
static __always_inline unsigned int syscall_slot(long *nr)
{
#if defined(__TARGET_ARCH_x86)
	struct task_struct *t = bpf_get_current_task_btf();

	if (x32_syscall_bit && (*nr & x32_syscall_bit)) {
		*nr &= ~x32_syscall_bit;
		return RF_SLOT_X32;
	}
	if (t->thread_info.status & RF_TS_COMPAT /* a BTF pointer: a direct load */)
		return RF_SLOT_COMPAT;
#elif defined(__TARGET_ARCH_arm64)
	struct task_struct *t = bpf_get_current_task_btf();

	if (t->thread_info.flags & (1UL << RF_TIF_32BIT))
		return RF_SLOT_COMPAT;
#endif
	return RF_SLOT_NATIVE;
}

/* The sixth syscall argument (libbpf 1.1 has no PT_REGS_PARM6_CORE_SYSCALL). */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_PARM6(regs) BPF_CORE_READ(regs, r9)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_PARM6(regs) BPF_CORE_READ(regs, regs[5])
#else
#define SYSCALL_PARM6(regs) 0 /* not read on this architecture: never asked for (ebpf.c) */
#endif

static __always_inline void report_args(struct pt_regs *regs, unsigned int index, unsigned int slot,
					int nr, unsigned char bootstrap)
{
	unsigned char *want = bpf_map_lookup_elem(&mux, &index);
	unsigned long long args[6];
	unsigned char one = 1;

	if (!want || !*want)
		return;
	args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	args[5] = SYSCALL_PARM6(regs);
	for (unsigned int i = 0; i < 6; i++) {
		struct arg_key k = { .index = index, .arg = i, .value = args[i] };
		struct rf_rec *r;

		if (!(*want & (1 << i)))
			continue;
		if (bpf_map_update_elem(&argseen, &k, &one, BPF_NOEXIST) != 0)
			continue; /* seen before (or map full: counted below) */
		r = reserve(RF_REC_ARG);
		if (!r)
			continue;
		r->slot = slot;
		r->nr = nr;
		r->arg_index = i;
		r->arg_value = args[i];
		r->bootstrap = bootstrap;
		bpf_ringbuf_submit(r, 0);
	}
}

static __always_inline void maybe_cut(unsigned char st, unsigned int slot, long nr,
				      struct pt_regs *regs)
{
	int tgid = bpf_get_current_pid_tgid() >> 32;
	unsigned long long a0, a1;
	unsigned char nst = st | RF_TARGET_CUT;
	struct rf_rec *r;

	if (!bootstrap_cut || (st & RF_TARGET_CUT) || slot != RF_SLOT_NATIVE)
		return;
	a0 = PT_REGS_PARM1_CORE_SYSCALL(regs);
	a1 = PT_REGS_PARM2_CORE_SYSCALL(regs);
	if (!((nr == seccomp_nr && a0 == seccomp_set_mode_filter) ||
	      (nr == prctl_nr && a0 == pr_set_seccomp && a1 == seccomp_mode_filter)))
		return;
	bpf_map_update_elem(&targets, &tgid, &nst, BPF_ANY);
	cache_state(bpf_get_current_task_btf(), nst);
	r = reserve(RF_REC_CUT);
	if (r)
		bpf_ringbuf_submit(r, 0);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(rf_sys_enter, struct pt_regs *regs, long id)
{
	unsigned char st = target_state();
	unsigned int slot, index, row;
	unsigned long long *c;
	unsigned char bootstrap;

	if (!st)
		return 0;
	if ((st & RF_TARGET_WAIT_EXEC) && id != execve_nr && id != execveat_nr)
		return 0;
	slot = syscall_slot(&id);
	if (id < 0 || id >= RF_MAX_NR)
		return 0;
	bootstrap = bootstrap_cut && !(st & RF_TARGET_CUT);
	index = slot * RF_MAX_NR + (unsigned int)id;
	row = index + (bootstrap ? RF_NR_INDEXES : 0);
	c = bpf_map_lookup_elem(&counts, &row);
	if (!c)
		return 0;
	/* First call on this CPU: report who made it. At most one report per CPU per syscall;
	 * user space keeps the first and subtracts the reports from the counts. */
	if (*c == 0) {
		struct rf_rec *r = reserve(RF_REC_FIRST);
		if (r) {
			r->slot = slot;
			r->nr = (int)id;
			r->bootstrap = bootstrap;
			bpf_ringbuf_submit(r, 0);
		}
	}
	(*c)++;
	report_args(regs, index, slot, (int)id, bootstrap);
	maybe_cut(st, slot, id, regs);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(rf_fork, struct task_struct *parent, struct task_struct *child)
{
	int ppid = BPF_CORE_READ(parent, tgid), cpid = BPF_CORE_READ(child, tgid);
	unsigned char *st, v;
	struct rf_rec *r;

	if (mode != RF_MODE_PIDS && !bootstrap_cut) {
		/* cgroup mode: only user space's process table wants to know. */
		if (ppid == cpid || bpf_current_task_under_cgroup(&cgroup_map, 0) != 1)
			return 0;
		v = 0;
	} else {
		st = bpf_map_lookup_elem(&targets, &ppid);
		if (!st)
			return 0;
		v = *st;
		if (ppid != cpid) /* a new process (a thread shares its tgid's entry) */
			bpf_map_update_elem(&targets, &cpid, &v, BPF_ANY);
		cache_state(child, v);
		if (ppid == cpid)
			return 0;
	}
	r = reserve(RF_REC_FORK);
	if (r) {
		r->child_pid = cpid;
		bpf_ringbuf_submit(r, 0);
	}
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(rf_exit, struct task_struct *p, bool group_dead)
{
	int tgid = BPF_CORE_READ(p, tgid), pid = BPF_CORE_READ(p, pid);
	struct rf_rec *r;

	if (tgid != pid) /* only the group leader: the process is going away */
		return 0;
	if (!target_state())
		return 0;
	bpf_map_delete_elem(&targets, &tgid);
	r = reserve(RF_REC_EXIT);
	if (r)
		bpf_ringbuf_submit(r, 0);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(rf_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct rf_rec *r;
	const char *fn;

	int tgid = bpf_get_current_pid_tgid() >> 32;
	unsigned char st = target_state();

	if (!st)
		return 0;
	if (st & RF_TARGET_WAIT_EXEC) {
		st &= ~RF_TARGET_WAIT_EXEC;
		bpf_map_update_elem(&targets, &tgid, &st, BPF_ANY);
		cache_state(bpf_get_current_task_btf(), st);
	}
	r = reserve(RF_REC_EXEC);
	if (!r)
		return 0;
	fn = BPF_CORE_READ(bprm, filename);
	bpf_probe_read_kernel_str(r->filename, sizeof(r->filename), fn);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

SEC("tp_btf/cap_capable")
int BPF_PROG(rf_cap, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	unsigned char st = target_state();
	struct rf_rec *r;

	if (!st)
		return 0;
	r = reserve(RF_REC_CAP);
	if (!r)
		return 0;
	r->cap = cap;
	r->ret = ret;
	r->bootstrap = bootstrap_cut && !(st & RF_TARGET_CUT);
	bpf_ringbuf_submit(r, 0);
	return 0;
}
