/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ptrace recorder: runs or attaches to a process tree and turns every syscall it makes into
 * an rf_event. Unprivileged, works on any process the caller may trace. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/event.h"

struct rf_ptrace_opts {
	char *const *argv; /* run this command, or */
	pid_t pid;         /* attach to every thread of this process and its future children */
	bool fast;         /* let rf_ptrace_fast_syscalls through without a stop (not recorded) */
	volatile pid_t *child_pid; /* when set: the started command's pid, published at fork so a
				    * signal handler can forward SIGTERM/SIGHUP to it */
};

struct rf_ptrace_result {
	int wait_status;      /* of the command (or -1 when attached and detached) */
	uint64_t duration_ns;
	uint64_t stops;       /* ptrace stops handled */
	bool no_new_privs;    /* had to be set to install the tracing filter */
};

/* The hot syscalls --fast lets through (NULL-terminated); builders always allow them. */
extern const char *const rf_ptrace_fast_syscalls[];

/* Records until the command exits (or, with --pid, until it exits or *stop becomes true: the
 * caller's SIGINT handler sets it). Signals reach the tracees as without tracing; the command's
 * wait status is returned in ret. */
int rf_ptrace_record(const struct rf_ptrace_opts *o, volatile bool *stop, rf_event_fn fn,
		     void *userdata, struct rf_ptrace_result *ret, struct rf_error *reterr);
