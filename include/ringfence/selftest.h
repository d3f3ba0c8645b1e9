/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `watch --selftest`: every default rule's behaviour performed for real, safely, under the
 * chosen backend through the whole watch pipeline (rf_watch_session), and a benign near miss for
 * each where one makes sense; the report says per behaviour whether the rule's finding came
 * (and how long after the behaviour began), whether the near miss stayed quiet, or why the
 * behaviour was skipped.
 *
 * Safety: everything happens in a throwaway directory below /tmp, a fake container cgroup (a
 * cgroup v2 directory named like docker-<64 hex>.scope, removed afterwards), network namespaces
 * of its own (loopback only; UDP connect() sends nothing), private mount namespaces, and host
 * paths the run creates under a unique name and removes (/etc/ringfence-selftest.<token> ...).
 * Sensitive files are opened read-only and closed unread; kernel interfaces such as
 * /proc/sysrq-trigger are opened for writing and closed without a write.
 *
 * The performer is this same program, exec'd (under the names the rules look for: nc, nginx,
 * cat ... are symlinks to it in the throwaway directory) as
 *     <program> watch --selftest-child ROLE ARG...
 * A program that embeds the selftest routes that command line to rf_selftest_child(). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ringfence/error.h"
#include "ringfence/watch.h"

#define RF_SELFTEST_SCHEMA    "ringfence.selftest/v1"
/* argv[1], argv[2] of the performer: what rf_selftest_child() is reached through. */
#define RF_SELFTEST_CHILD_CMD "watch"
#define RF_SELFTEST_CHILD_OPT "--selftest-child"

struct rf_selftest_opts {
	enum rf_watch_backend backend; /* auto: ebpf when it loads, else ptrace */
	const char *self_exe;	       /* the program to exec as performer; NULL: /proc/self/exe */
	FILE *diag;		       /* the watch session's notes, or NULL */
};

enum rf_selftest_status {
	RF_ST_DETECTED = 0, /* positive: the rule's finding came */
	RF_ST_MISSED,	    /* positive: it did not */
	RF_ST_SKIPPED,	    /* not performed here (reason says why) */
	RF_ST_FAILED,	    /* the performer could not do it (exit status in reason) */
	RF_ST_QUIET,	    /* near miss: no finding */
	RF_ST_FIRED,	    /* near miss: a finding (a false positive) */
	RF_ST_NONE,	    /* no near miss for this behaviour */
};

struct rf_selftest_result {
	const char *rule;   /* the default rule's name */
	char *finding_type; /* its GuardDuty-style type */
	const char *what;   /* the behaviour as performed */
	enum rf_selftest_status status;
	int64_t latency_ns;    /* behaviour start -> finding delivered; -1 unknown */
	char *reason;	       /* skip reason, failure, or a note on how it was performed */
	char **also;	       /* other rules that fired in the behaviour's window */
	const char *near_what; /* the near miss as performed, NULL none */
	enum rf_selftest_status near_status;
	char *near_reason;
	char **near_fired; /* rules that fired on the near miss */
};

struct rf_selftest_report {
	enum rf_watch_backend backend;
	struct rf_selftest_result *v;
	size_t n;
	char **unexpected; /* findings outside every behaviour's window ("rule (pid N)") */
	uint64_t events, lost, duration_ns;
	size_t detected, missed, skipped, failed, near_quiet, near_fired;
};

/* Runs the selftest. Returns 0 when it ran (the report tells what was seen), a negative errno
 * when it could not (no backend, no temp dir ...). */
int rf_selftest_run(const struct rf_selftest_opts *o, struct rf_selftest_report **ret,
		    struct rf_error *reterr);
/* Nothing missed or failed, no near miss fired, no unexpected finding (skips allowed). */
bool rf_selftest_report_ok(const struct rf_selftest_report *r);
/* A table per behaviour (text) or one document (json, schema RF_SELFTEST_SCHEMA). */
void rf_selftest_report_write(const struct rf_selftest_report *r, FILE *out, bool json,
			      bool pretty);
void rf_selftest_report_free(struct rf_selftest_report *r);
const char *rf_selftest_status_name(enum rf_selftest_status s);

/* The performer's side: argv[0] is the program (any name), argv[1] is RF_SELFTEST_CHILD_OPT,
 * argv[2] the role. Never returns (its processes end with _exit, so no exit handler of the
 * embedding program, a sanitizer's leak check among them, runs inside the watched tree). */
_Noreturn void rf_selftest_child(int argc, char **argv);
