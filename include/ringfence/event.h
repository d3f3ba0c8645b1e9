/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one event model (DESIGN.md §1): every source (ptrace, eBPF, strace log, the run listener)
 * produces struct rf_event; every consumer (seccomp/capability/AppArmor builders, rule engine,
 * baseline learner) takes it. Sources never know their consumers and vice versa.
 *
 * Status: the type is fixed here so the recorder issues extend it rather than invent their own;
 * today only `run`'s listener produces the syscall subset of it (lib/run/report.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum rf_event_kind {
	RF_EV_SYSCALL = 1, /* a syscall entry (arch, nr, args) and, when known, its result */
	RF_EV_EXEC,        /* execve/execveat completed: path, argv[0] */
	RF_EV_FORK,        /* new task: pid/tid, parent */
	RF_EV_EXIT,        /* task exit: status */
	RF_EV_CAPABILITY,  /* capable() check: cap, granted, audit/noaudit */
	RF_EV_FILE,        /* file access: path, read/write/exec */
	RF_EV_NET,         /* socket/connect/bind: family, address, port */
	RF_EV_GAP,         /* events lost by the source (ring buffer full...): count in `lost` */
	RF_EV_ARGS,        /* new values of a syscall's arguments (args/args_known), no call */
};

/* Syscall identity is (audit arch, nr), never a bare number (DESIGN.md §1). */
struct rf_syscall_id {
	uint32_t arch; /* AUDIT_ARCH_* == SCMP_ARCH_* token */
	int32_t nr;    /* includes the x32 bit on x86_64 */
};

struct rf_event {
	enum rf_event_kind kind;
	uint64_t time_ns; /* CLOCK_BOOTTIME */
	pid_t pid, tid, ppid;
	uint64_t cgroup_id;
	char comm[16];
	const char *exe; /* not owned: valid for the duration of the callback */

	struct rf_syscall_id sc;
	uint64_t args[6];
	uint8_t args_known; /* bit i set: args[i] is the real value. A strace log prints most
			     * arguments symbolically ("AF_INET"), and a guessed 0 must never become
			     * an argument rule. */
	bool args_elsewhere; /* argument values of this source arrive as RF_EV_ARGS events */
	bool bootstrap;   /* made by the container runtime before the workload's own filter */
	uint64_t count;   /* RF_EV_SYSCALL: calls this event stands for; 0 means 1 */
	int64_t ret;      /* valid when has_ret */
	bool has_ret;

	int cap;          /* RF_EV_CAPABILITY */
	bool cap_granted;
	bool cap_noaudit;

	const char *path; /* RF_EV_EXEC / RF_EV_FILE; not owned */
	uint32_t access;  /* RF_EV_FILE: R=4 W=2 X=1 */
	int family;       /* RF_EV_NET */
	uint16_t port;
	uint64_t lost;    /* RF_EV_GAP */
};

/* A consumer: returns 0 to continue, a negative errno to stop the source. */
typedef int (*rf_event_fn)(const struct rf_event *ev, void *userdata);
