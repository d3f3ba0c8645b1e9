/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/* Shared between bpf/record.bpf.c and lib/source/ebpf.c: the ring buffer records and the layout
 * of the per-syscall maps. */
#ifndef RF_RECORD_H
#define RF_RECORD_H

/* Syscall slots: one bitmap/counter row per (arch kind, nr). */
#define RF_SLOT_NATIVE 0
#define RF_SLOT_COMPAT 1 /* i386 on x86_64, arm on aarch64 */
#define RF_SLOT_X32    2
#define RF_NSLOTS      3
#define RF_MAX_NR      1024 /* above every syscall number of every arch today (x86_64: ~470) */
#define RF_NR_INDEXES  (RF_NSLOTS * RF_MAX_NR)

/* Target modes. */
#define RF_MODE_PIDS   1 /* the process tree of the pids put in `targets` */
#define RF_MODE_CGROUP 2 /* every task in the cgroup (and below) in `cgroup_map[0]` */

/* Per-target state bits (value of `targets`). */
#define RF_TARGET_TRACKED 1
#define RF_TARGET_CUT                                                                              \
	2 /* has installed its seccomp filter: recorded as workload, not bootstrap                 \
	   */
#define RF_TARGET_WAIT_EXEC 4 /* our own child before its execve: not the workload yet */

enum rf_rec_kind {
	RF_REC_FIRST = 1, /* first time this (slot, nr) is seen: who made it */
	RF_REC_ARG,	  /* a new value of a tracked argument */
	RF_REC_EXEC,	  /* sched_process_exec: filename */
	RF_REC_CAP,	  /* capability/cap_capable */
	RF_REC_CUT,	  /* a target installed a seccomp filter: the bootstrap ends for it */
	RF_REC_FORK,	  /* a tracked process made a new process (child_pid) */
	RF_REC_EXIT,	  /* a tracked process is gone (its last thread exited) */
};

struct rf_rec {
	unsigned int kind;
	unsigned int slot;
	int nr;
	int pid; /* tgid */
	int tid;
	int cap; /* RF_REC_CAP */
	int ret; /* RF_REC_CAP: 0 = granted */
	unsigned int arg_index;
	int child_pid; /* RF_REC_FORK */
	unsigned long long arg_value;
	unsigned long long cgroup_id;
	unsigned long long time_ns; /* bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME */
	unsigned char bootstrap;    /* made before the target's own seccomp filter (cut mode) */
	char comm[16];
	char filename[256]; /* RF_REC_EXEC */
};

#endif
