/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `watch` as one library call: pick the source that can serve the consumers (the eBPF security
 * event program for a node, a cgroup or a tree as root; the ptrace recorder for one command or
 * process tree without privileges), run it into the sink chain until stopped, and say what was
 * seen and lost. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/sink.h"
#include "ringfence/watch-source.h"

struct rf_proctab;

enum rf_watch_backend {
	RF_WATCH_AUTO = 0, /* ebpf when it loads, else ptrace (a command or --pid only) */
	RF_WATCH_EBPF,
	RF_WATCH_PTRACE,
};

struct rf_watch_opts {
	enum rf_watch_backend backend;
	bool all;
	const char *cgroup;
	pid_t pid;
	char *const *argv;
	const struct rf_watch_needs *needs; /* what the consumers need the kernel to send */
	int stop_fd;
	int ready_fd;
	volatile pid_t *child_pid;
	struct rf_proctab *procs;
};

struct rf_watch_result {
	enum rf_watch_backend backend;
	int wait_status;    /* of the command, -1 otherwise */
	uint64_t duration_ns;
	uint64_t events[2]; /* eBPF: records per ring (critical, bulk); ptrace: [0] events */
	uint64_t lost[2];
	unsigned tracepoints; /* eBPF programs attached */
	uint64_t stops;       /* ptrace stops */
};

int rf_watch_backend_from_string(const char *s, enum rf_watch_backend *ret);
const char *rf_watch_backend_name(enum rf_watch_backend b);

/* The backend that will run (an explicit one is checked), or why none can; for auto falling
 * back to ptrace, *ret_why_not_ebpf says why (caller frees). */
int rf_watch_choose(const struct rf_watch_opts *o, const struct rf_sinks *sinks,
		    enum rf_watch_backend *ret, char **ret_why_not_ebpf, struct rf_error *reterr);

/* Watches into the chain until the command ends (with its process tree), the tree is gone, or
 * stop_fd is readable; rf_sinks_end has run once watching started. */
int rf_watch(const struct rf_watch_opts *o, struct rf_sinks *sinks, struct rf_watch_result *ret,
	     struct rf_error *reterr);
