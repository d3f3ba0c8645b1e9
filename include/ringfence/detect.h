/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The detection engine as a consumer of the sink chain (ringfence/sink.h): every event goes
 * through a compiled ruleset (ringfence/rules.h); each match becomes a finding
 * (ringfence/finding.h) with the process's ancestry, its container and pod, and its coverage;
 * then a suppression list and a rate limit per (rule, container, key) decide whether it is
 * reported. Held-back findings are never silently dropped: the next finding of the same key
 * carries their count (suppressed_count), and rf_detect_flush (called by the engine's on_end
 * too) reports the counts still pending as summary records. docs/findings.md has the details.
 *
 * Coverage: the engine watches RF_EV_GAP events. A finding is "partial" when the source lost
 * events at or after the start of the oldest process whose identity the rule's condition read
 * (its own process, its parent for proc.p*, the N-th ancestor for proc.aname[N], every known
 * ancestor for proc.aname), or, for rules that read the drift set, since the engine started
 * (or when that set had to forget paths); "full" otherwise. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/finding.h"
#include "ringfence/rules.h"
#include "ringfence/sink.h"

struct rf_detect;

struct rf_detect_opts {
	rf_container_meta_fn container_meta; /* container and pod names; may be NULL */
	void *meta_userdata;
	unsigned rate_burst;	   /* findings per (rule, container, key) per window; 10 when 0 */
	uint64_t rate_window_ns;   /* 60 s when 0 */
	size_t rate_max_keys;	   /* keys tracked at once; 4096 when 0 */
	size_t drift_max_paths;	   /* RF_DRIFT_DEFAULT_MAX when 0 */
	const char *instance_id;   /* prefix of finding ids (tests); random when NULL */
	bool event_clock_realtime; /* time_ns is already CLOCK_REALTIME (a replayed log) */
	struct rf_intel *intel;	   /* threat lists for the ioc.* fields, or NULL */
	/* Called for each match of a rule whose action is kill or deny that no suppression
	 * entry removed, before the rate limit (which may hold back the report, never the act);
	 * it fills f->action_* . May be NULL: such rules then only alert. */
	int (*act)(struct rf_finding *f, const struct rf_event *ev, void *userdata);
	void *act_userdata;
	const struct rf_baseline *baseline; /* for the baseline.* fields (ringfence/baseline.h);
					     * must outlive the engine */
	/* Answer gates (ringfence/sink.h on_gate): a call about to run that a rule whose action
	 * is deny matches is refused with EPERM, and the finding comes with the call's report
	 * (ev->denied). False: deny rules are evaluated after the call, like the others. */
	bool deny;
};

int rf_detect_new(const struct rf_ruleset *rs, const struct rf_detect_opts *o,
		  struct rf_detect **ret);
void rf_detect_free(struct rf_detect *d);
static inline void rf_detect_freep(struct rf_detect **d)
{
	if (*d)
		rf_detect_free(*d);
}

/* A suppression file (YAML or JSON, docs/findings.md): findings matching an entry are counted
 * and not reported. May be called several times before the first event. */
int rf_detect_load_suppressions(struct rf_detect *d, const char *path, struct rf_error *reterr);
int rf_detect_load_suppressions_text(struct rf_detect *d, const char *text, size_t len,
				     const char *source, struct rf_error *reterr);

/* Receives each finding and summary; return a negative errno to stop the source. The finding
 * is valid only during the call. */
typedef int (*rf_finding_fn)(const struct rf_finding *f, void *userdata);

/* Fills *ret with the consumer to add to a sink chain (rf_sinks_add). Its needs are those of
 * the ruleset (rf_ruleset_needs: kinds, fields). */
int rf_detect_sink(struct rf_detect *d, rf_finding_fn on_finding, void *userdata,
		   struct rf_sink *ret);
/* Feeds one event directly (what the sink's on_event does). */
int rf_detect_event(struct rf_detect *d, const struct rf_event *ev);
/* Reports a summary for every key with held-back findings, and forgets them. */
int rf_detect_flush(struct rf_detect *d);

struct rf_detect_stats {
	uint64_t events;       /* events evaluated */
	uint64_t matches;      /* rule matches */
	uint64_t reported;     /* findings reported */
	uint64_t suppressed;   /* matches a suppression entry removed */
	uint64_t rate_limited; /* matches the rate limit held back */
	uint64_t gaps;	       /* RF_EV_GAP events seen */
	uint64_t lost;	       /* events lost according to them */
	uint64_t gates;	       /* calls a source asked a verdict for before they ran */
	uint64_t denied;       /* of them, refused */
};
void rf_detect_stats(const struct rf_detect *d, struct rf_detect_stats *ret);
