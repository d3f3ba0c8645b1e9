/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `watch` as one library call: pick the source that can serve the consumers (the eBPF security
 * event program for a node, a cgroup or a tree as root; the ptrace recorder for one command or
 * process tree without privileges), run it into the sink chain until stopped, and say what was
 * seen and lost. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ringfence/detect.h"
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
	/* Called once the source sees events (eBPF: the programs are attached; ptrace: the trace
	 * starts): what is done before may be missed. */
	void (*on_live)(void *userdata);
	void *live_userdata;
	volatile pid_t *child_pid;
	struct rf_proctab *procs;
};

struct rf_watch_result {
	enum rf_watch_backend backend;
	int wait_status; /* of the command, -1 otherwise */
	uint64_t duration_ns;
	uint64_t events[2]; /* eBPF: records per ring (critical, bulk); ptrace: [0] events */
	uint64_t lost[2];
	unsigned tracepoints;	/* eBPF programs attached */
	uint64_t stops;		/* ptrace stops */
	uint64_t refused;	/* ptrace: calls refused before they ran (deny rules) */
	uint64_t held;		/* eBPF: events the process was stopped at until the verdict */
	int addr_filter;	/* eBPF: 0 no address filter, 1 on, -errno off after a failure */
	uint64_t addr_dropped;	/* eBPF: outbound events to addresses no rule reads, dropped in
				 * the kernel */
	uint64_t addr_prefixes; /* eBPF: prefixes in that filter; 0: no filter */
	uint64_t addr_refills;
	unsigned syscall_events;   /* eBPF: per-call syscall exit tracepoints attached */
	char syscalls_raw[256];	   /* eBPF: non-empty: the raw sys_exit instead, and why */
	char syscalls_absent[256]; /* eBPF: needed syscalls this kernel does not implement */
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

/* ---- what to attach ---- */
struct rf_ruleset_needs;
/* The eBPF program's needs for a ruleset's (free with rf_watch_needs_done). Syscalls it cannot
 * decode go to *ret_unserved (NULL-terminated, may stay NULL), for the caller to name. */
int rf_watch_needs_from_rules(const struct rf_ruleset_needs *rn, struct rf_watch_needs *ret,
			      char ***ret_unserved);
void rf_watch_needs_done(struct rf_watch_needs *n);
/* For `watch --kill`: holds the events the ruleset's kill rules can match (hold_exec,
 * hold_syscalls among n->syscalls). */
int rf_watch_needs_hold(const struct rf_ruleset_needs *rn, struct rf_watch_needs *n);

/* ---- container and pod names (--k8s-metadata) ---- */
/* From `crictl ps -o json` or `kubectl get pods -o json` output, re-read when the file
 * changes; rf_container_names_lookup is an rf_container_meta_fn (userdata: the names). */
struct rf_container_names;
struct rf_container_meta;
int rf_container_names_load(const char *path, struct rf_container_names **ret,
			    struct rf_error *reterr);
size_t rf_container_names_count(const struct rf_container_names *c);
const struct rf_container_meta *rf_container_names_lookup(const char *container_id, void *userdata);
void rf_container_names_free(struct rf_container_names *c);

/* ---- a whole run: rules, engine, outputs (what `ringfence watch` does) ---- */
struct rf_alerts;
struct rf_ruleset;

struct rf_watch_config {
	struct rf_watch_opts source; /* what to watch and how (needs: from the rules) */
	char *const *rule_files;     /* loaded after the default rules, in order */
	bool no_default_rules;
	char *const *suppress_files;
	const char *container_names; /* --k8s-metadata FILE, or NULL */
	char *const *ioc_files;	     /* --ioc: threat lists, and the rules that read them */
	int reload_fd;		     /* > 0: readable asks for the lists to be reloaded */
	bool kill;		     /* --kill: act on rules whose action is kill */
	bool dry_run;		     /* --dry-run: say what would have been killed */
	struct rf_alerts *alerts;    /* where findings go (the caller's), or NULL */
	rf_finding_fn on_finding;    /* also called with every record, or NULL */
	void *finding_userdata;
	FILE *dump_events;   /* every event as one JSON line, or NULL */
	int fail_on;	     /* enum rf_priority counted in at_fail_on; -1: none */
	unsigned rate_burst; /* see rf_detect_opts */
	uint64_t rate_window_ns;
	uint64_t stats_interval_ns; /* 0: statistics at the end only */
	FILE *diag;		    /* notes (backend, unwatched syscalls), or NULL */
	bool verbose;		    /* ... and what is attached */
	/* learned baselines (ringfence/baseline.h) */
	const char *baseline; /* --baseline FILE: read (monitor, protect) or, learning,
			       * written when watching ends */
	bool learn;	      /* learn into `baseline` (the rules still run) */
	bool protect;	      /* --mode protect: the baseline rules ask for kill */
};

struct rf_watch_summary {
	struct rf_watch_result watch;
	struct rf_detect_stats detect;
	size_t rules_enabled;
	uint64_t findings;   /* findings reported (not rate-limit summaries) */
	uint64_t at_fail_on; /* of them, at or above fail_on */
	uint64_t killed, kill_refused, kill_failed, would_kill, denied, would_deny;
};

/* The compiled ruleset a config names (the caller frees it with rf_ruleset_free). */
int rf_watch_rules(const struct rf_watch_config *c, struct rf_ruleset **ret,
		   struct rf_error *reterr);
/* Watches until the source ends or source.stop_fd; *ret is filled even on failure. */
int rf_watch_session(const struct rf_watch_config *c, struct rf_watch_summary *ret,
		     struct rf_error *reterr);
/* "ringfence: watch: ebpf, 3.2 s: N events (...), lost ...; N findings ..." and a line per
 * output. */
void rf_watch_summary_write(const struct rf_watch_summary *sum, const struct rf_alerts *alerts,
			    FILE *out);
