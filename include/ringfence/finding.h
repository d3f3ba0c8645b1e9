/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Findings: what the detection engine reports when a rule matches, and their two renderings,
 * one JSON document per finding (JSON Lines, schema "ringfence.finding/v1", docs/findings.md)
 * and one line of text with control bytes escaped.
 *
 * A record is either a finding or a rate-limit summary (how many findings of one rule, container
 * and key the rate limit held back); both share the schema, told apart by "record". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/rules.h"

#define RF_FINDING_SCHEMA	"ringfence.finding/v1"
#define RF_FINDING_MAX_ANCESTRY 8 /* the process and up to 7 ancestors */

enum rf_record_kind {
	RF_RECORD_FINDING = 0,
	RF_RECORD_SUMMARY, /* suppressed_count findings of (rule, container, key) held back */
};

enum rf_coverage {
	RF_COVERAGE_FULL = 0, /* no event was lost since the finding's window began */
	RF_COVERAGE_PARTIAL,  /* the source lost events in that window: something may be missing */
};

/* One process of the finding's ancestry; strings NULL when unknown. */
struct rf_finding_proc {
	pid_t pid;
	const char *name;
	const char *exe;
	char *cmdline; /* argv joined by spaces (owned by the finding) */
	bool has_uid;
	uint32_t uid;
	uint64_t start_ns; /* CLOCK_BOOTTIME, 0 unknown */
};

struct rf_finding {
	enum rf_record_kind record;
	char id[40];		    /* unique per engine: instance id + sequence number */
	uint64_t time_ns;	    /* the event's time (CLOCK_BOOTTIME; 0 unknown) */
	int64_t wall_ns;	    /* the same on CLOCK_REALTIME, for "time"; 0 unknown */
	const struct rf_rule *rule; /* name, priority, finding type, MITRE ids, tags, action */
	const char *message;	    /* the rule's output with its fields filled in */
	char *const *fields;	    /* "name", "value" pairs the rule read, NULL-terminated */
	const char *event_type;	    /* evt.type: "execve", "openat", "procexit" ... */
	const char *event_kind;	    /* "exec", "file" ... */
	struct rf_finding_proc procs[RF_FINDING_MAX_ANCESTRY]; /* [0] the process, then parents */
	size_t n_procs;
	const char *container_id;   /* NULL on the host or when unknown */
	const char *container_name; /* from the caller's container meta, NULL unknown */
	const char *container_image;
	const char *k8s_ns, *k8s_pod, *k8s_pod_uid, *k8s_container;
	enum rf_coverage coverage;
	uint64_t events_lost;	   /* events the source lost within the window (partial) */
	uint64_t window_ns;	   /* where the coverage window began (CLOCK_BOOTTIME) */
	bool drift_evicted;	   /* the drift set forgot paths it would have needed */
	uint64_t suppressed_count; /* findings of the same key held back since the last one */
	const char *rate_key;	   /* the key's value (the process's executable) */
	/* Prevention (rules with action kill or deny): what was done, NULL when nothing was
	 * asked; the delay from the event to the act; whether the operation had completed. */
	const char
		*action_taken; /* "killed", "dry-run", "refused: ...", "failed: ...", "none: ..." */
	uint64_t action_latency_ns;
	bool action_after; /* the operation completed before the act (always, today) */
};

/* One line of JSON (compact, keys in a fixed order, a newline at the end). */
int rf_finding_write_json(const struct rf_finding *f, FILE *out);
/* One line of text: time priority type [rule] message (MITRE ids) coverage ... */
int rf_finding_write_text(const struct rf_finding *f, FILE *out);

enum rf_finding_format {
	RF_FINDING_TEXT = 0,
	RF_FINDING_JSON,
};
int rf_finding_format_from_string(const char *s, enum rf_finding_format *ret);
int rf_finding_write(const struct rf_finding *f, enum rf_finding_format fmt, FILE *out);
