/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Detection rules (docs/rules.md): YAML files of rules, macros and lists in Falco's format (the
 * subset docs/rules.md states), loaded in order so a later file appends to or overrides an
 * earlier one, then compiled once into conditions over typed fields and an index by (event kind,
 * event type). Evaluating an event walks only the rules its (kind, type) bucket names and never
 * allocates; each rule whose condition holds after its exceptions is reported through a callback.
 *
 *   rf_ruleset_new -> rf_ruleset_load_file / _load_text / _load_default ... -> rf_ruleset_compile
 *   rf_ruleset_needs: what a source must deliver (kinds, syscalls, path prefixes, RF_FIELD_*)
 *   rf_rules_eval_new (one per thread) -> rf_rules_eval(event, on_match)
 *
 * A ruleset is immutable after compile and may be shared by threads, each with its own
 * evaluation context (which holds the per-event caches and the drift state). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/event.h"

#define RF_RULES_MAX_FILE_BYTES (16u << 20)

/* Falco's priorities, most severe first (the numeric order is the severity order). */
enum rf_priority {
	RF_PRIO_EMERGENCY = 0,
	RF_PRIO_ALERT,
	RF_PRIO_CRITICAL,
	RF_PRIO_ERROR,
	RF_PRIO_WARNING,
	RF_PRIO_NOTICE,
	RF_PRIO_INFORMATIONAL,
	RF_PRIO_DEBUG,
};

/* What a match asks for. Only `alert` is acted on by the detection engine; `kill` and `deny`
 * are parsed and exposed for the prevention work that builds on them. */
enum rf_rule_action {
	RF_ACTION_ALERT = 0,
	RF_ACTION_KILL,
	RF_ACTION_DENY,
};

struct rf_ruleset;
struct rf_rule;
struct rf_rules_eval;
struct rf_baseline;

int rf_ruleset_new(struct rf_ruleset **ret);
void rf_ruleset_free(struct rf_ruleset *rs);
static inline void rf_ruleset_freep(struct rf_ruleset **rs)
{
	if (*rs)
		rf_ruleset_free(*rs);
}

/* Adds one rules file (YAML) to the set, after the ones loaded before. Errors name
 * file:line:column; after an error the ruleset cannot be compiled. */
int rf_ruleset_load_file(struct rf_ruleset *rs, const char *path, struct rf_error *reterr);
/* The same from memory; `source` names it in messages. The text may be freed afterwards. */
int rf_ruleset_load_text(struct rf_ruleset *rs, const char *text, size_t len, const char *source,
			 struct rf_error *reterr);
/* The built-in default rules (data/rules/ringfence-default.yaml, embedded). */
int rf_ruleset_load_default(struct rf_ruleset *rs, struct rf_error *reterr);
/* A built-in rules file by name: "default", "ioc" (data/rules/ioc.yaml: the threat-list rules
 * `watch --ioc` adds). */
int rf_ruleset_load_builtin(struct rf_ruleset *rs, const char *name, struct rf_error *reterr);
/* Compiles every enabled rule (macros expanded, lists resolved, fields and operators checked,
 * the index built). Errors name the file:line:column of the offending token. Once. */
int rf_ruleset_compile(struct rf_ruleset *rs, struct rf_error *reterr);

/* Non-fatal notes of loading and compiling (a rule skipped by skip-if-unknown-filter, an
 * unused list ...), NULL-terminated; NULL when there are none. */
char *const *rf_ruleset_warnings(const struct rf_ruleset *rs);

/* What the enabled rules need from a source (after compile). */
struct rf_ruleset_needs {
	uint32_t kinds;	      /* RF_EV_BIT() of every event kind some rule reads */
	uint32_t fields;      /* RF_FIELD_* some rule cannot work without */
	char **syscalls;      /* sorted syscall names whose events some rule reads (the
			       * tracepoints to attach); NULL-terminated, never NULL */
	char **path_prefixes; /* FILE events matter only when path or path2 starts with one of
			       * these (sorted, none a prefix of another), or is relative, or has
			       * a "/." in it ("..", ".", a hidden name: a filtering source must
			       * always pass those) ... */
	bool all_paths;	      /* ... unless this is set: some rule reads any path */
	bool all_write_paths; /* FILE events other than read-only opens (writes, creates,
			       * unlinks, renames, chmods ...) matter at any path: a rule or drift
			       * reads them there; read-only opens still only by path_prefixes */
	bool proc_table;      /* some rule reads process identity or ancestry (ev->proc) */
	bool container_meta;  /* some rule reads container/pod names (the meta callback) */
	uint32_t kill_kinds;  /* the kinds, and */
	char **kill_syscalls; /* the syscalls (NULL-terminated, never NULL) a rule whose action is
			       * kill can match: what a source holds until the verdict */
	/* Outbound events to IP addresses (connect, sendto, sendmsg, a TCP SYN_SENT) matter ... */
	bool all_addrs;	       /* ... at any remote address, or only at: */
	char **addr_prefixes;  /* these ("192.0.2.0/24", "2001:db8::1/128"; never NULL), */
	bool addrs_ioc;	       /* addresses on the threat lists (ioc.ip.*), and */
	bool addrs_dns_listed; /* addresses DNS answers gave for listed domains (ioc.domain.*) */
};
int rf_ruleset_needs(const struct rf_ruleset *rs, struct rf_ruleset_needs *ret);
/* Widens needs by what a consumer other than the rules reads (the baseline learner): these
 * event kinds, with the syscalls that produce them as for a rule reading such a kind, and every
 * path when all_paths. */
int rf_ruleset_needs_add(struct rf_ruleset_needs *n, uint32_t kinds, bool all_paths);
void rf_ruleset_needs_done(struct rf_ruleset_needs *n);

/* Rules in load order (disabled ones included). */
size_t rf_ruleset_count(const struct rf_ruleset *rs);
const struct rf_rule *rf_ruleset_rule(const struct rf_ruleset *rs, size_t i);
const struct rf_rule *rf_ruleset_find(const struct rf_ruleset *rs, const char *name);
size_t rf_ruleset_enabled_count(const struct rf_ruleset *rs);

const char *rf_rule_name(const struct rf_rule *r);
const char *rf_rule_desc(const struct rf_rule *r);
enum rf_priority rf_rule_priority(const struct rf_rule *r);
/* GuardDuty-style "ThreatPurpose:ResourceType/ThreatFamily", e.g.
 * "Execution:Runtime/ReverseShell"; "Unclassified:Runtime/CustomRule" when the rule has none. */
const char *rf_rule_finding_type(const struct rf_rule *r);
char *const *rf_rule_tags(const struct rf_rule *r);  /* NULL-terminated, never NULL */
char *const *rf_rule_mitre(const struct rf_rule *r); /* the tags that are ATT&CK ids (T1059.004) */
const char *rf_rule_output(const struct rf_rule *r); /* the template as written */
enum rf_rule_action rf_rule_action(const struct rf_rule *r);
bool rf_rule_enabled(const struct rf_rule *r);
size_t rf_rule_index(const struct rf_rule *r); /* position in rf_ruleset_rule() order */
/* "file:line" where the rule was first defined. */
const char *rf_rule_origin(const struct rf_rule *r);

const char *rf_priority_name(enum rf_priority p);		   /* "warning" */
int rf_priority_from_string(const char *s, enum rf_priority *ret); /* case-insensitive */
const char *rf_rule_action_name(enum rf_rule_action a);		   /* "alert" */

/* ---- evaluation ---- */

/* Names the container runtime or orchestrator gives a container, from the caller's own
 * cache (CRI, Docker, the kubelet's pod list ...). Any member may be NULL. */
struct rf_container_meta {
	const char *name;	   /* container.name */
	const char *image;	   /* container.image */
	const char *k8s_ns;	   /* k8s.ns.name */
	const char *k8s_pod;	   /* k8s.pod.name */
	const char *k8s_container; /* k8s.container.name */
};
/* Called at most once per event, only when a rule reads one of those names; NULL when
 * unknown. The answer must stay valid until the next call. */
typedef const struct rf_container_meta *(*rf_container_meta_fn)(const char *container_id,
								void *userdata);

struct rf_intel;
struct rf_rules_eval_opts {
	rf_container_meta_fn container_meta; /* may be NULL: the names are then unknown */
	void *meta_userdata;
	size_t drift_max_paths; /* paths remembered as written, per evaluation context
				 * (RF_DRIFT_DEFAULT_MAX when 0) */
	struct rf_intel *intel; /* threat lists for the ioc.* fields (ringfence/intel.h), or NULL:
				 * those fields then have no value */
	const struct rf_baseline *baseline; /* the baseline.* fields read it (ringfence/
					     * baseline.h); NULL: they are absent */
	pid_t baseline_self; /* the watcher's pid, a boundary of host workloads (0: getpid()) */
};
#define RF_DRIFT_DEFAULT_MAX 65536

int rf_rules_eval_new(const struct rf_ruleset *rs, const struct rf_rules_eval_opts *o,
		      struct rf_rules_eval **ret);
void rf_rules_eval_free(struct rf_rules_eval *e);
static inline void rf_rules_eval_freep(struct rf_rules_eval **e)
{
	if (*e)
		rf_rules_eval_free(*e);
}

/* Called for each rule that matches, in rule order. Return 0 to go on, a negative errno to
 * stop (rf_rules_eval returns it). The event and e are valid only during the call. */
typedef int (*rf_rule_match_fn)(const struct rf_rule *rule, const struct rf_event *ev,
				struct rf_rules_eval *e, void *userdata);

/* Evaluates one event against every enabled rule that can match its (kind, type); also keeps
 * the context's own state (the paths written since start, for drift). Allocation-free, except
 * while the drift set is still growing towards its bound. Returns the number of matches or the
 * callback's negative errno. */
int rf_rules_eval(struct rf_rules_eval *e, const struct rf_event *ev, rf_rule_match_fn fn,
		  void *userdata);

/* During a match callback: the rule's output with every %field replaced by its value for this
 * event ("<NA>" when the event does not have it; control bytes kept: escape for text).
 * Allocates the string (caller frees). */
int rf_rules_eval_output(struct rf_rules_eval *e, const struct rf_rule *rule, char **ret);

/* During a match callback: every field the rule's condition and output read, with its value
 * for this event as text, in first-use order, "name" "value" pairs, NULL-terminated
 * (caller frees with strv_free). Fields the event does not have are left out. */
int rf_rules_eval_fields(struct rf_rules_eval *e, const struct rf_rule *rule, char ***ret);

/* The oldest process (by ancestry depth: 0 the event's process, 1 its parent ...) whose
 * identity the rule's condition reads; SIZE_MAX when it reads every ancestor (proc.aname
 * without an index). The engine uses it to define coverage (docs/findings.md). */
size_t rf_rule_ancestry_depth(const struct rf_rule *r);
/* The rule reads engine state built from earlier events (the drift set). */
bool rf_rule_reads_state(const struct rf_rule *r);
/* The drift set dropped paths to stay within its bound since the context started. */
uint64_t rf_rules_eval_drift_evicted(const struct rf_rules_eval *e);
