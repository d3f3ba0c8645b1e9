/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An OCI prestart hook with oci-seccomp-bpf-hook's contract: the container's state (on the hook's
 * stdin) and its bundle's config.json say whether to record it (annotation
 * io.containers.trace-syscall = "[if:/abs/in.json;]of:/abs/out.json"); the container's process
 * tree is then recorded with eBPF by a detached daemon, from its own seccomp() call on (the
 * runtime's bootstrap is kept apart), and a plain OCI linux.seccomp object is written to out.json
 * when it exits (merged with in.json), with the observation beside it (out.json +
 * ".observation.json") and any error in out.json + ".error". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ringfence/error.h"

#define RF_OCI_TRACE_ANNOTATION "io.containers.trace-syscall"

struct rf_oci_hook {
	pid_t pid; /* the container's init */
	char *bundle;
	char *in, *out;	   /* absolute paths from the annotation; in may be NULL */
	bool no_new_privs; /* process.noNewPrivileges of config.json */
};

/* 1 and *ret filled when the container asks to be recorded, 0 when it does not, or a negative
 * errno with the reason (bad state, bad annotation) in reterr. */
int rf_oci_hook_parse(const char *state, size_t len, struct rf_oci_hook *ret,
		      struct rf_error *reterr);
void rf_oci_hook_done(struct rf_oci_hook *h);

/* Records until the container is gone and writes the outputs; ready_fd (> 0) is written and
 * closed once recording is live. */
int rf_oci_hook_record(const struct rf_oci_hook *h, int ready_fd, struct rf_error *reterr);

/* The hook's whole job: starts the recorder in a daemon detached from the runtime's pipes and
 * session, and returns once it is live (the container must not run unrecorded). 0 also when
 * the container did not ask to be recorded. */
int rf_oci_hook_run(const char *state, size_t len, struct rf_error *reterr);
