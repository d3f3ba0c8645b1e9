/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ptrace recorder: runs or attaches to a process tree and turns every syscall it makes into
 * events (ringfence/event.h: RF_EV_SYSCALL per call with all six arguments, EXEC, FORK, EXIT,
 * and FILE / NET / SIGNAL / PTRACE / CRED / NAMESPACE / MODULE / BPF / MEMORY / FD decoded from
 * the native architecture's arguments, completed with the call's result). Unprivileged, works
 * on any process the caller may trace. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/event.h"

struct rf_proctab;

struct rf_ptrace_opts {
	char *const *argv; /* run this command, or */
	pid_t pid;	   /* attach to every thread of this process and its future children */
	bool fast;	   /* let rf_ptrace_fast_syscalls through without a stop (not recorded) */
	bool no_decode;	   /* RF_EV_SYSCALL and process events only (no FILE/NET... events, and
			    * no extra stop at the exit of the calls they need) */
	int stop_fd;	   /* >= 0: readable means stop (attached: detach; a started command is
			    * let run to its end unrecorded) */
	struct rf_proctab *procs;  /* process table to keep (NULL: a private one) */
	volatile pid_t *child_pid; /* when set: the started command's pid, published at fork so a
				    * signal handler can forward SIGTERM/SIGHUP to it */
	bool learn_dns;	 /* with decoding: messages received from port 53 (recvfrom, recvmsg)
			  * become RF_NET_DNS_ANSWER events (an exit stop per receive) */
	rf_gate_fn gate; /* when set (with decoding): asked before each decoded call runs, with
			  * fn's userdata; a positive errno skips the call, which fails with it
			  * and is reported with ev->denied (x86_64 and aarch64) */
};

struct rf_ptrace_result {
	int wait_status; /* of the command (or -1 when attached and detached) */
	uint64_t duration_ns;
	uint64_t stops;	   /* ptrace stops handled */
	uint64_t refused;  /* calls refused on a gate's verdict */
	bool no_new_privs; /* had to be set to install the tracing filter */
};

/* What this source produces (the event.h contract). */
extern const struct rf_source_info rf_ptrace_source;

/* The hot syscalls --fast lets through (NULL-terminated); builders always allow them. */
extern const char *const rf_ptrace_fast_syscalls[];

/* Records until the command (and every process it started) exits, or, attached, until the
 * process tree is gone or stop_fd becomes readable. Signals reach the tracees as without
 * tracing; the command's wait status is returned in ret. A negative return of fn stops the
 * delivery of events at once: an attached tree is detached, a started command keeps running
 * to its end (under its tracing filter, which cannot be removed, so its stops are still
 * served), and that error is returned. */
int rf_ptrace_record(const struct rf_ptrace_opts *o, rf_event_fn fn, void *userdata,
		     struct rf_ptrace_result *ret, struct rf_error *reterr);
