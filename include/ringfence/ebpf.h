/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The eBPF recorder (CO-RE, tracepoints only): a command's process tree, a running process tree
 * or a whole cgroup, at near-zero cost to the workload. Root (or CAP_BPF+CAP_PERFMON) only. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/event.h"

struct rf_proctab;

struct rf_ebpf_opts {
	char *const *argv;  /* run this command, or */
	pid_t pid;	    /* follow this process and its descendants, or */
	const char *cgroup; /* every task in this cgroup v2 directory (and below) */
	bool bootstrap_cut; /* record the workload from its own seccomp filter on (containers) */
	int ready_fd;	    /* > 0: a byte is written and the fd closed once the recorder is live */
	int stop_fd;	    /* >= 0: readable means stop (a started command is then waited for,
			     * unrecorded) */
	struct rf_proctab *procs;  /* process table to keep (NULL: a private one) */
	volatile pid_t *child_pid; /* when set: the started command's pid, published at fork so a
				    * signal handler can forward SIGTERM/SIGHUP to it */
};

struct rf_ebpf_result {
	int wait_status; /* the command's, -1 otherwise */
	uint64_t duration_ns;
	uint64_t lost; /* records the kernel side could not deliver */
};

/* What this source produces (the event.h contract): first sightings and totals, not calls. */
extern const struct rf_source_info rf_ebpf_source;

/* Whether this build contains the eBPF recorder at all (-Dbpf and the build machine decide). */
bool rf_ebpf_built(void);

/* Whether the recorder can load here; the reason in reterr when not (-ENOTSUP when not built). */
int rf_ebpf_probe(struct rf_error *reterr);

/* Records until the command's whole process tree has exited, the process tree is gone (--pid),
 * or stop_fd becomes readable. A negative return of fn stops the delivery of events at once:
 * the programs are detached, a started command is waited for, and that error is returned. */
int rf_ebpf_record(const struct rf_ebpf_opts *o, rf_event_fn fn, void *userdata,
		   struct rf_ebpf_result *ret, struct rf_error *reterr);
