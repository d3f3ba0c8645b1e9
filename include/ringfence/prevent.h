/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prevention for `watch --kill`: a rule whose action is kill stops the offending process at its
 * event. What this kernel allows is probed at start and reported (rf_prevent_report): BPF-LSM
 * (a deny before the operation) is not built here, and rules are evaluated in user space, so
 * the act is a SIGKILL through a pidfd after the event, the process held meanwhile so it never
 * runs another instruction: ptrace stops the tracee at the call's exit until the verdict; the
 * eBPF program stops it (bpf_send_signal(SIGSTOP)) at the events a kill rule can match, and the
 * source resumes it once the rules have seen the event (rf_watch_needs.hold_*).
 *
 * A rule whose action is deny refuses the call before it runs where the source can hold it
 * (ptrace: the call is skipped and fails with EPERM, and the finding says "denied"); with
 * eBPF it alerts and says why.
 *
 * Never killed: ringfence itself and every process running the same executable (the node
 * agent), PID 1, kernel threads, and a process whose start time no longer matches the event's
 * (the pid was reused). --dry-run does every check and reports what it would have done. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "ringfence/event.h"
#include "ringfence/finding.h"

struct rf_prevent;

struct rf_prevent_opts {
	bool kill;    /* act on kill rules (else: "none: --kill not given") */
	bool dry_run; /* check, report, never signal */
	bool held;    /* the source holds the process until the verdict (ptrace) */
};

int rf_prevent_new(const struct rf_prevent_opts *o, struct rf_prevent **ret);
void rf_prevent_free(struct rf_prevent *p);
/* Once the backend is known: whether it holds a process until the verdict. */
void rf_prevent_set_held(struct rf_prevent *p, bool held);
/* The eBPF source stops the process at the events kill rules can match (SIGSTOP from the
 * tracepoint) until the verdict: for the report. */
void rf_prevent_set_tracepoint_hold(struct rf_prevent *p, bool hold);
/* One line per mechanism: available or not, and which one is used. */
void rf_prevent_report(const struct rf_prevent *p, FILE *out);
/* An rf_detect_opts.act: acts on the finding's process (procs[0]) and fills f->action_*. */
int rf_prevent_act(struct rf_finding *f, const struct rf_event *ev, void *prevent);

struct rf_prevent_stats {
	uint64_t killed, dry_run, refused, failed, not_enabled;
	uint64_t denied, would_deny; /* deny rules: calls refused before they ran; dry-run */
};
void rf_prevent_stats(const struct rf_prevent *p, struct rf_prevent_stats *ret);
