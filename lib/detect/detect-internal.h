/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the rule engine's files share: condition tokens (located at load time, so errors found at
 * compile time still name file:line:column), the field table's row shape, compiled condition
 * nodes, the event-type table and the ruleset itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "core/ipset.h"
#include "ringfence/error.h"
#include "ringfence/event.h"
#include "ringfence/rules.h"

/* ---- locations and tokens ---- */

struct rloc {
	const char *file; /* interned in the ruleset (rs->files) */
	unsigned line, col;
};

enum tok_kind {
	TK_WORD = 1, /* bare word: field, macro, operator word, value */
	TK_STRING,   /* quoted value */
	TK_LPAREN,
	TK_RPAREN,
	TK_COMMA,
	TK_OP, /* = == != < <= > >= */
};

struct tok {
	enum tok_kind kind;
	char *text; /* owned; the unquoted text for TK_STRING */
	struct rloc loc;
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

/* Maps byte offsets of a YAML scalar's value to file positions (set up by the loader). */
struct scalar_src {
	const char *file;
	void *node;	  /* struct fy_node * */
	const char *text; /* the whole file */
	size_t text_len;
};

int toks_lex(struct toks *t, const char *s, const struct scalar_src *src, struct rf_error *err);
int toks_append(struct toks *dst, const struct toks *src);
void toks_done(struct toks *t);
void scalar_loc(const struct scalar_src *src, size_t offset, struct rloc *ret);

/* ---- fields ---- */

enum ftype {
	FT_STR = 1,
	FT_INT,
	FT_PORT, /* an int that is a port; shown as one */
	FT_IP,
	FT_BOOL,
	FT_FLAGS, /* a bit set with names (open flags, modes, access words) */
};

struct rf_val {
	const char *s; /* FT_STR: not NUL-terminated unless nul */
	size_t len;
	bool nul;
	int64_t i;	 /* FT_INT, FT_PORT, FT_BOOL, FT_FLAGS */
	struct rf_ip ip; /* FT_IP */
};

struct flagname {
	const char *name;
	uint64_t mask, value; /* (v & mask) == value */
	uint32_t kinds;	      /* event kinds the word belongs to; 0 any */
};

struct eval_ctx;
struct field;

/* A field as a condition uses it: the row, plus an [index] or nothing. */
struct fref {
	const struct field *f;
	int index; /* -1 none */
};

/* Returns 1 with *ret filled, 0 when the event does not have the value. `nth` walks the values
 * of a list field (an ancestor chain): 0 first; single-valued fields have only nth 0. */
typedef int (*field_get_fn)(struct eval_ctx *c, const struct fref *r, unsigned nth,
			    struct rf_val *ret);

enum field_flags {
	FF_PROC = 1u << 0,     /* reads ev->proc (the process table) */
	FF_INDEX = 1u << 1,    /* takes [N] */
	FF_LIST = 1u << 2,     /* without [N], many values: any may match */
	FF_STATE = 1u << 3,    /* reads the evaluation context's drift state */
	FF_META = 1u << 4,     /* reads the container meta callback */
	FF_PATH = 1u << 5,     /* a file path: prefix pre-filtering */
	FF_ANCESTOR = 1u << 6, /* depth given by the row's depth or by [N] */
	FF_ALL_ANCESTORS = 1u << 7,
	FF_SLOW = 1u << 8,	  /* far dearer than a comparison (parses a document): a conjunction
				   * evaluates it after everything else */
	FF_NO_IP_VALUE = 1u << 9, /* on a network event, a value only for a unix socket: never
				   * for an IP connection (the address filter, ruleset-addrs.c) */
};

struct field {
	const char *name;
	enum ftype type;
	uint32_t kinds; /* RF_EV_BIT of the kinds that can provide it */
	unsigned flags; /* enum field_flags */
	uint32_t needs; /* RF_FIELD_* */
	unsigned depth; /* ancestry level read (FF_ANCESTOR without [N]) */
	field_get_fn get;
	const struct flagname *names; /* FT_FLAGS; NULL-name terminated */
	const char *desc;
};

/* Values a list field's comparison walks at most (ancestors stop at RF_PROC_MAX_CHAIN; an audit
 * event's lists are as long as its author made them, and a value past a short bound would be an
 * evasion). */
#define FIELD_LIST_MAX 65536

/* Every field row; rows are data: a new event family (ka.* for Kubernetes audit) is new rows
 * with their kinds and extractors, nothing in the parser or evaluator. */
extern const struct field rf_fields[];
extern const size_t rf_fields_n;
const struct field *field_lookup(const char *name, size_t len);
/* "proc.aname[3]" -> row + index; -EINVAL with a message for anything else. */
int field_parse(const char *word, struct fref *ret, const char **ret_why);
/* Text of a value for outputs and findings ("<NA>" not handled here). */
int val_format(const struct fref *r, const struct rf_val *v, enum rf_event_kind kind, char *buf,
	       size_t size);

/* ---- event types ---- */

#define RAW_KINDS                                                                                  \
	(RF_EV_BIT(RF_EV_SYSCALL) | RF_EV_BIT(RF_EV_SYSCALL_TOTAL) | RF_EV_BIT(RF_EV_ARGS))
#define ALL_KINDS     (((UINT32_C(1) << RF_EV_KIND_MAX) - 1) & ~UINT32_C(1))
#define DECODED_KINDS (ALL_KINDS & ~RAW_KINDS)

struct evtypes {
	char **names; /* id -> name; id 0 is "" (a type no rule names) */
	size_t n, cap;
	struct rf_hmap by_name;		    /* name -> id + 1 */
	struct rf_hmap by_nr;		    /* (arch << 32 | nr) -> id + 1 */
	uint32_t canon[RF_EV_KIND_MAX][16]; /* kind, op -> id for events without an origin */
};

int evtypes_init(struct evtypes *t);
void evtypes_done(struct evtypes *t);
/* The id of a name a rule uses; -EINVAL when it is neither a syscall (on any architecture
 * ringfence decodes) nor one of the canonical names. */
int evtypes_intern(struct evtypes *t, const char *name, uint32_t *ret);
/* Event kinds that carry events of this type (decoded kinds first; a syscall no decoder turns
 * into a decoded event comes as RF_EV_SYSCALL). */
uint32_t evtypes_producers(const char *name);
/* Every syscall that can produce an event of one of these kinds (for needs()). */
int evtypes_syscalls_of_kinds(uint32_t kinds, char ***names);
bool evtypes_is_syscall(const char *name);
uint32_t evtypes_of_event(const struct evtypes *t, const struct rf_event *ev);
/* The name of an event's type for outputs ("openat", "execve", "procexit") into buf. */
const char *evtype_name(const struct evtypes *t, const struct rf_event *ev, char *buf, size_t size);

/* ---- compiled conditions ---- */

enum node_kind {
	N_AND = 1,
	N_OR,
	N_NOT,
	N_CMP,
	N_TRUE,
};

enum cmp_op {
	OP_EQ = 1,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_CONTAINS,
	OP_ICONTAINS,
	OP_STARTSWITH,
	OP_ENDSWITH,
	OP_GLOB,
	OP_IGLOB,
	OP_PMATCH,
	OP_IN,
	OP_INTERSECTS,
	OP_EXISTS,
};

struct strval {
	char *s;
	size_t len;
};

struct node {
	enum node_kind kind;
	struct node **kids;
	size_t n_kids;
	/* N_CMP */
	struct fref ref;
	enum cmp_op op;
	struct rloc loc;
	struct strval *strs; /* sorted for IN/PMATCH; one for the others */
	size_t n_strs;
	int64_t *ints; /* sorted */
	size_t n_ints;
	struct rf_ipset ips;
	uint64_t mask, value; /* FT_FLAGS contains */
	uint32_t evtype_ids_n;
	uint32_t *evtype_ids; /* evt.type = / in: the ids named */
	uint32_t slot;	      /* > 0: identical comparisons and macro uses share this result
			       * cache slot, so each is computed once per event */
};

void node_free(struct node *n);
/* The result cache slot of a comparison or macro use, by its text (cond.c). */
int slot_of(struct rf_ruleset *rs, const char *key, uint32_t *ret);
bool node_eval(struct eval_ctx *c, const struct node *n);

/* ---- the ruleset ---- */

struct out_seg {
	char *text; /* literal, or NULL for a field */
	struct fref ref;
};

struct exc_value {    /* one value of one exception row: a string or a list */
	char **items; /* NULL-terminated */
	bool is_list;
	struct rloc loc;
};

struct exception {
	char *name;
	struct rloc loc;
	char **fields; /* NULL-terminated */
	struct rloc *field_locs;
	char **comps; /* NULL-terminated, same length as fields */
	struct rloc *comp_locs;
	bool single;		 /* `fields: name` (not a list): values are one flat list */
	struct exc_value **rows; /* each a fields-long array; n_rows */
	size_t n_rows;
};

struct list_def {
	char *name;
	char **items;
	struct rloc *item_locs;
	struct rloc loc;
	bool used;
};

struct macro_def {
	char *name;
	struct toks cond;
	struct rloc loc;
	bool used;
	bool expanding; /* cycle detection while compiling */
};

struct rf_rule {
	char *name;
	char *desc;
	struct toks cond;
	char *output;
	struct out_seg *out;
	size_t n_out;
	struct rloc out_loc;
	enum rf_priority priority;
	char **tags;
	char **mitre;
	char *finding_type;
	enum rf_rule_action action;
	bool enabled;
	bool skip_unknown;
	struct exception *exc;
	size_t n_exc;
	struct rloc loc;
	char *origin; /* "file:line" */
	size_t index;
	/* compiled */
	struct node *root;
	struct fref *used; /* fields the condition and output read, first use first */
	size_t n_used;
	size_t depth;
	bool reads_state;
	uint32_t needs_fields;
	bool needs_proc, needs_meta;
};

struct rf_ruleset {
	struct rf_rule **rules;
	size_t n_rules, cap_rules;
	struct rf_hmap rules_by_name;
	struct list_def **lists;
	size_t n_lists, cap_lists;
	struct rf_hmap lists_by_name;
	struct macro_def **macros;
	size_t n_macros, cap_macros;
	struct rf_hmap macros_by_name;
	char **files; /* interned source names */
	char **warnings;
	bool failed, compiled;
	struct evtypes types;
	/* index: bucket (kind, type id) -> rule numbers, CSR */
	uint32_t *bucket_start; /* RF_EV_KIND_MAX * types.n + 1 */
	uint32_t *bucket_rules;
	size_t n_enabled;
	/* needs */
	uint32_t need_kinds, need_fields;
	char **path_prefixes;
	char **syscalls;
	char **kill_syscalls; /* of the rules whose action is kill */
	uint32_t kill_kinds;
	struct rf_hmap slots; /* comparison or macro text -> slot */
	char **slot_keys;
	uint32_t n_slots;
	bool all_paths, all_write_paths, needs_proc, needs_meta, uses_state;
	/* The remote addresses outbound IP events matter at (ruleset-addrs.c) */
	bool all_addrs, addrs_ioc, addrs_dns_listed;
	char **addr_prefixes;
};

/* Widens the ruleset's outbound address needs by what one rule can match (ruleset-addrs.c). */
int ruleset_add_addrs_of_rule(struct rf_ruleset *rs, const struct rf_rule *rule);

const char *rs_intern_file(struct rf_ruleset *rs, const char *file);
int rs_warn(struct rf_ruleset *rs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rs_fail(struct rf_ruleset *rs, struct rf_error *err, const struct rloc *loc, const char *fmt,
	    ...) __attribute__((format(printf, 4, 5)));

/* Reading one rules file (ruleset-load.c, ruleset-exc.c). */
struct rf_doc;
struct fy_node;
struct load {
	struct rf_ruleset *rs;
	struct rf_doc *d;
	const char *text;
	size_t len;
	const char *file; /* interned */
};
void loc_of(struct load *l, struct fy_node *n, struct rloc *ret);
/* A scalar's text whatever its YAML type (list items, exception values: `[443, 6443]`). */
int scalar_text(struct load *l, struct fy_node *n, const char *what, const char **ret);
int load_exceptions(struct load *l, struct fy_node *n, bool append, struct rf_rule *rule);
void exception_done(struct exception *x);
void rule_free(struct rf_rule *r);

/* Parses and compiles a rule's condition and exceptions into rule->root (cond.c). */
int cond_compile_rule(struct rf_ruleset *rs, struct rf_rule *rule, struct rf_error *err);
/* An output template into literal and field segments, fields checked (cond.c). */
int output_parse(struct rf_ruleset *rs, const char *s, const struct scalar_src *src,
		 struct out_seg **segs, size_t *n, struct rf_error *err);
void output_free(struct out_seg *segs, size_t n);

/* (kind, type) domain of a node: per kind, all types or a set (ruleset.c). */

/* ---- the evaluation context ---- */

#define SCRATCH_BYTES 8192

struct drift;
struct bl_eval;

struct eval_ctx {
	const struct rf_ruleset *rs;
	const struct rf_event *ev;
	uint64_t gen; /* per event: caches below are valid when their gen matches */
	uint32_t evtype;
	uint64_t *slot_gen; /* per result cache slot */
	bool *slot_val;
	/* fd.name / fs.path.* normalised */
	uint64_t path_gen[2];
	char path[2][4096];
	size_t path_len[2];
	bool path_ok[2];
	/* proc.cmdline / args / pcmdline: one slot per ancestor level 0..1 and kind */
	uint64_t cmd_gen[4];
	char cmd[4][SCRATCH_BYTES];
	size_t cmd_len[4];
	/* generic scratch for one value at a time (glob on slices, numbers as text) */
	char tmp[4096];
	/* container meta */
	uint64_t meta_gen;
	const struct rf_container_meta *meta;
	rf_container_meta_fn meta_fn;
	void *meta_userdata;
	/* drift */
	struct drift *drift;
	/* threat lists (ioc.*) */
	struct rf_intel *intel;
	/* ka.* (fields-k8saudit.c): list cursor, derived values, PSS results; made on first use */
	struct ka_state *ka;
	/* a learned baseline (fields-baseline.c), NULL without one */
	struct bl_eval *baseline;
};

void ka_state_free(struct ka_state *s);

/* The container's names for the event in flight (cached per event), NULL unknown. */
const struct rf_container_meta *eval_meta(struct eval_ctx *c);

struct rf_baseline;
int bl_eval_new(const struct rf_baseline *b, pid_t self, struct bl_eval **ret);
void bl_eval_free(struct bl_eval *x);

int drift_new(size_t max, struct drift **ret);
void drift_free(struct drift *d);
void drift_observe(struct drift *d, struct eval_ctx *c);
bool drift_written(struct drift *d, struct eval_ctx *c, const char *path, size_t len);
uint64_t drift_evicted(const struct drift *d);

/* Lexical normalisation of an absolute path (//, ., ..) into buf; relative paths are made
 * absolute against `base` (a directory) when given. Returns the length or -1. */
ssize_t path_normalize(const char *path, const char *base, size_t base_len, char *buf, size_t size);
/* Container key of an event's process: its container id, else "host". */
const char *event_container_id(const struct rf_event *ev);
