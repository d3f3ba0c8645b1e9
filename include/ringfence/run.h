/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence run`: confine a command with a seccomp profile and a capability set, enforcing or
 * complaining, the way a container runtime would. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ringfence/error.h"

/* Exit statuses of `run` before the command runs (DESIGN.md §4, env/timeout convention). */
#define RF_EXIT_FAILED	    125
#define RF_EXIT_CANNOT_EXEC 126
#define RF_EXIT_NOT_FOUND   127

struct rf_run_opts {
	const char *seccomp; /* path, "runtime/default", "unconfined" or NULL (= unconfined) */
	bool complain;	     /* report would-be denials and let them through */
	const char *report;  /* JSON report path, NULL for none */
	const char *cap_drop, *cap_add; /* capability lists, NULL for none */
	bool no_new_privs;
	long uid, gid;	   /* -1: keep; else 0..RF_CAPS_ID_MAX */
	bool quiet;	   /* no notes on stderr */
	char *const *argv; /* the command */
};

/* PATH lookup as execvp does it, decided before anything is confined: the path in *ret, or an
 * error with *ret_code set to RF_EXIT_NOT_FOUND or RF_EXIT_CANNOT_EXEC. */
int rf_find_executable(const char *cmd, char **ret, int *ret_code, struct rf_error *reterr);

/* Runs the command and returns its wait status in *ret_status (or, when the command could not be
 * started, one of the RF_EXIT_* codes as an exit status). A negative return is a failure before
 * exec, explained in reterr; the caller exits RF_EXIT_FAILED. Without a listener (no --complain,
 * no --report) the command replaces this process and rf_run returns only on failure. */
int rf_run(const struct rf_run_opts *o, int *ret_status, struct rf_error *reterr);
