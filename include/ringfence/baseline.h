/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Learned baselines (docs/baseline.md): what each workload did while it was watched, so what it
 * never did before becomes a finding. A workload is named by a key (the container's image where
 * the container metadata gives it, else its container name or id, else, on the host, the
 * executable of the process tree's leader) and holds bounded sets: executables, parent -> child
 * exec edges, listening ports, outbound destinations, directories written, libraries loaded,
 * capabilities used and syscalls. Every set has a budget; a set that reaches it is "saturated"
 * and never produces a deviation again (it no longer describes everything the workload did).
 *
 *   learn:   rf_baseline_new -> rf_baseline_learner_new -> its sink in a chain -> write
 *   monitor: rf_baseline_load -> rf_rules_eval_opts.baseline (the baseline.* rule fields)
 *   merge:   rf_baseline_merge (union; saturation and unrecorded sets propagate)
 *   profile: rf_baseline_to_observation -> rf_outputs (seccomp, capabilities, AppArmor)
 *
 * Documents are "ringfence.baseline/v1" JSON, written sorted and atomically, read through the
 * document layer (errors at file:line:column). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/event.h"
#include "ringfence/rules.h"
#include "ringfence/sink.h"

#define RF_BASELINE_SCHEMA   "ringfence.baseline/v1"
#define RF_BASELINE_MAX_ITEM 1024 /* bytes of a path kept; a longer one saturates its set */
#define RF_BASELINE_MAX_KEY  (RF_BASELINE_MAX_ITEM + 16)

enum rf_baseline_set {
	RF_BL_EXECUTABLES = 0, /* paths executed (with dev/inode where the file could be seen) */
	RF_BL_EDGES,	       /* parent executable -> executable it started, inside the workload */
	RF_BL_LISTEN,	       /* ports bound or listened on (IPv4/IPv6, TCP or UDP) */
	RF_BL_CONNECT,	       /* destination address (or /24, /64 past the budget) and port */
	RF_BL_DIRECTORIES,     /* directories files were written, created or removed in */
	RF_BL_LIBRARIES,       /* files mapped executable, shared objects opened */
	RF_BL_CAPABILITIES,    /* capabilities checked and granted */
	RF_BL_SYSCALLS,	       /* (arch, syscall) pairs */
	RF_BL_SETS
};

/* Items kept per workload and set (connect: exact destinations, then connect_prefixes of /24
 * or /64 networks), and workloads in all. */
struct rf_baseline_budgets {
	size_t workloads;
	size_t executables, edges, listen, connect, connect_prefixes, directories, libraries,
		capabilities, syscalls;
};
void rf_baseline_budgets_default(struct rf_baseline_budgets *ret);

struct rf_baseline;
struct rf_baseline_workload;

/* budgets NULL: the defaults. */
int rf_baseline_new(const struct rf_baseline_budgets *budgets, struct rf_baseline **ret);
void rf_baseline_free(struct rf_baseline *b);
static inline void rf_baseline_freep(struct rf_baseline **b)
{
	if (*b)
		rf_baseline_free(*b);
}

/* ---- what an event means to a baseline (shared by the learner and the rule fields) ---- */

struct rf_baseline_item {
	enum rf_baseline_set set;
	const char *s; /* executable, library, directory; an edge's child */
	size_t len;
	const char *parent; /* an edge's parent executable */
	size_t parent_len;
	uint8_t addr[16]; /* connect: IPv6, or IPv4 as ::ffff:a.b.c.d */
	uint16_t port;	  /* listen, connect */
	uint32_t arch;	  /* syscalls */
	int32_t nr;	  /* syscalls: number; capabilities: CAP_* */
	bool overlong;	  /* a path longer than RF_BASELINE_MAX_ITEM (cut in s): never known,
			   * and it saturates the set it would have gone to */
};

struct rf_baseline_view {
	bool has_key;
	char key[RF_BASELINE_MAX_KEY]; /* "image:...", "container:...", "container-id:...",
					  "exe:..." */
	size_t n_items;
	struct rf_baseline_item items[4];
	char buf[3][RF_BASELINE_MAX_ITEM + 1]; /* normalised paths the items point into */
};

/* The workload key of an event and the set items it adds (learning) or is checked against
 * (monitoring). meta: the container's names (NULL unknown); self: the watcher's pid, a
 * boundary of host process trees like pid 1 and 2. Never allocates. Returns 0 (v->has_key false
 * when the event names no workload: no process entry, no executable). */
int rf_baseline_classify(const struct rf_event *ev, const struct rf_container_meta *meta,
			 pid_t self, struct rf_baseline_view *v);

/* ---- lookups (the rule fields; allocation-free) ---- */

/* NULL when the baseline has no such workload. */
const struct rf_baseline_workload *rf_baseline_find(const struct rf_baseline *b, const char *key);
/* The set can produce deviations: the source recorded it and it never reached its budget. */
bool rf_baseline_complete(const struct rf_baseline_workload *w, enum rf_baseline_set set);
/* The item (of its set) is in the workload's baseline. */
bool rf_baseline_has(const struct rf_baseline_workload *w, const struct rf_baseline_item *it);

/* ---- learning ---- */

struct rf_baseline_learn_opts {
	rf_container_meta_fn container_meta; /* container names (keys by image); may be NULL */
	void *meta_userdata;
	pid_t self;   /* the watcher (a boundary of host process trees); 0: getpid() */
	bool no_stat; /* do not stat executables for their dev/inode (tests, replayed logs) */
};

struct rf_baseline_learner;

/* Learns into b (which must outlive the learner). */
int rf_baseline_learner_new(struct rf_baseline *b, const struct rf_baseline_learn_opts *o,
			    struct rf_baseline_learner **ret);
void rf_baseline_learner_free(struct rf_baseline_learner *l);
static inline void rf_baseline_learner_freep(struct rf_baseline_learner **l)
{
	if (*l)
		rf_baseline_learner_free(*l);
}
/* One event (what the sink's on_event does); -ENOMEM is the only failure. */
int rf_baseline_learn_event(struct rf_baseline_learner *l, const struct rf_event *ev);
/* The learner as a consumer: it wants process, file, network, capability and syscall events,
 * needs none (a set the source cannot see is marked unrecorded at the end). */
void rf_baseline_learner_sink(struct rf_baseline_learner *l, struct rf_sink *ret);
/* What the recording was (backend, duration, events lost, kinds the source could produce):
 * the sink's on_end. */
int rf_baseline_learn_end(struct rf_baseline_learner *l, const struct rf_recording *rec);

/* ---- documents ---- */

int rf_baseline_write(const struct rf_baseline *b, FILE *out, bool pretty, struct rf_error *reterr);
/* Atomic (rf_write_file_atomic); "-" is stdout. */
int rf_baseline_write_file(const struct rf_baseline *b, const char *path, struct rf_error *reterr);
int rf_baseline_parse(const char *text, size_t len, const char *source, struct rf_baseline **ret,
		      struct rf_error *reterr);
int rf_baseline_load(const char *path, struct rf_baseline **ret, struct rf_error *reterr);

/* Union of src into dst: workloads of the same key join set by set (an item budget is the
 * larger of the two documents'); a saturated or unrecorded set stays so; counts add up. */
int rf_baseline_merge(struct rf_baseline *dst, const struct rf_baseline *src);

struct rf_baseline_stats {
	size_t workloads;
	bool workloads_saturated;
	size_t items[RF_BL_SETS];     /* over every workload */
	size_t saturated[RF_BL_SETS]; /* workloads whose set is saturated */
	size_t bytes;	       /* memory held (allocation sizes, without malloc's overhead) */
	uint64_t events, lost; /* learned from; lost by the source while learning */
};
void rf_baseline_stats(const struct rf_baseline *b, struct rf_baseline_stats *ret);

struct rf_baseline_workload_info {
	const char *key;
	uint64_t events;
	size_t items[RF_BL_SETS];
	bool recorded[RF_BL_SETS], saturated[RF_BL_SETS];
};
/* The i-th workload (0 <= i < stats.workloads), in the order kept: key order for a document
 * read back. -ENOENT past the end. */
int rf_baseline_workload_info(const struct rf_baseline *b, size_t i,
			      struct rf_baseline_workload_info *ret);
/* "ringfence: baseline: 3 workloads, 41 items (1 set saturated), 12.3 KiB; ..." */
void rf_baseline_summary_write(const struct rf_baseline *b, FILE *out);

const char *rf_baseline_set_name(enum rf_baseline_set s); /* "executables" ... */

/* ---- profiles ---- */

struct rf_observation;
/* The union of every workload (or only `workload` when not NULL) as an observation: syscalls,
 * capabilities, executables, directories written, libraries mapped, sockets bound and
 * connected. -ENOENT (reterr says so) for an unknown workload. */
int rf_baseline_to_observation(const struct rf_baseline *b, const char *workload,
			       struct rf_observation **ret, struct rf_error *reterr);
/* Every workload (or `workload`) has the set recorded: false when a source could not see it
 * (a seccomp profile from an eBPF-learned baseline would allow nothing), or no workload. */
bool rf_baseline_recorded(const struct rf_baseline *b, const char *workload,
			  enum rf_baseline_set s);

/* ---- watch ---- */

struct rf_ruleset;
struct rf_ruleset_needs;
/* The baseline rules (data/rules/baseline.yaml, embedded) into a ruleset; protect: they, and
 * the drift rule when loaded, ask for `kill` instead of `alert`. */
int rf_baseline_load_rules(struct rf_ruleset *rs, bool protect, struct rf_error *reterr);
/* Widens what a source must deliver by what the learner reads (every path, sockets,
 * capability checks). */
int rf_baseline_learn_needs(struct rf_ruleset_needs *n);
/* A warning on diag when the baseline was learned with none of the backend that now watches
 * ("ebpf", "ptrace"): the two see executables and sets differently. */
void rf_baseline_note_backend(const struct rf_baseline *b, const char *backend, FILE *diag);
