/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Recording as one library call: choose the backend that can serve every consumer of the sink
 * chain, run it on a command, a process tree or a cgroup, deliver its events to the chain, and
 * hand the chain the recording's metadata at the end (ringfence/sink.h). Used by `record`,
 * `oci-hook` and `watch`; stopped by a stop fd, never by a flag a signal handler sets. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/sink.h"

struct rf_proctab;

enum rf_backend {
	RF_BACKEND_AUTO = 0, /* ebpf when it loads and serves every consumer, else ptrace */
	RF_BACKEND_PTRACE,
	RF_BACKEND_EBPF,
};

struct rf_record_opts {
	enum rf_backend backend;
	char *const *argv;	   /* record this command, or */
	pid_t pid;		   /* this process tree, or */
	const char *cgroup;	   /* every task of this cgroup v2 directory (ebpf) */
	bool fast;		   /* ptrace: let the hot syscalls through unrecorded */
	bool no_decode;		   /* ptrace: no FILE/NET/... events (one stop per call) */
	bool bootstrap_cut;	   /* ebpf: the container runtime's calls before the workload's own
				    * seccomp filter go to the bootstrap set */
	int stop_fd;		   /* -1 or an fd that becomes readable to stop (--pid, --cgroup) */
	int ready_fd;		   /* > 0: written and closed once recording is live */
	volatile pid_t *child_pid; /* the started command's pid, for a signal forwarder */
	struct rf_proctab *procs;  /* NULL: a private process table */
};

struct rf_record_result {
	enum rf_backend backend; /* the one that ran */
	int wait_status;	 /* of the started command, -1 otherwise */
	uint64_t duration_ns;
	uint64_t lost;
	uint64_t stops;	   /* ptrace stops */
	bool no_new_privs; /* set on the command (ptrace, unprivileged) */
};

/* "auto", "ptrace", "ebpf". */
int rf_backend_from_string(const char *s, enum rf_backend *ret);
const char *rf_backend_name(enum rf_backend b);
const struct rf_source_info *rf_backend_source(enum rf_backend b);

/* Resolves RF_BACKEND_AUTO (and checks an explicit choice) against the options and the sink
 * chain's needs: the chosen backend, or an error that says why none fits. When auto fell back
 * to ptrace, *ret_why_not_ebpf (if given) says why (caller frees). */
int rf_record_choose(const struct rf_record_opts *o, const struct rf_sinks *sinks,
		     enum rf_backend *ret, char **ret_why_not_ebpf, struct rf_error *reterr);

/* Records into the sink chain with the backend rf_record_choose() picks (callers that want to
 * say which may choose first and pass it in o->backend). Once recording started, rf_sinks_end
 * has run when this returns, also on failure. */
int rf_record(const struct rf_record_opts *o, struct rf_sinks *sinks, struct rf_record_result *ret,
	      struct rf_error *reterr);
