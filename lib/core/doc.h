/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one document layer: every YAML/JSON input ringfence reads (profiles, observations, node
 * state, kubelet configs, manifests, rules, IOC lists, baselines, audit logs) is loaded and read
 * through it, with one located-error model: the first error of a document wins and reads
 * "source:line:column: what", libfyaml's own syntax errors included (never its raw diagnostic).
 *
 * A value is typed by the document's dialect, never guessed: JSON strings must be quoted; YAML
 * plain scalars are typed by their text (YAML 1.2's core schema, or YAML 1.1 as Kubernetes decodes
 * it, where "yes" is a boolean). Tags are refused (they would change a value's meaning behind the
 * reader's back); aliases are refused unless the reader allows them, and then followed a bounded
 * number of steps, so an alias bomb costs nothing. Readers are strict about what they use and say
 * so for each key (see rf_doc_each_key). */
#pragma once

#include <libfyaml.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"

enum rf_doc_dialect {
	RF_DOC_JSON = 1, /* strings quoted; null, true, false and numbers plain */
	RF_DOC_YAML,	 /* YAML 1.2 core schema */
	RF_DOC_YAML11,	 /* YAML 1.1 booleans (y, yes, on ...), as sigs.k8s.io/yaml decodes it */
};

enum rf_doc_flags {
	RF_DOC_ALIASES = 1u << 0,   /* follow aliases (else they are an error) */
	RF_DOC_AUTO_JSON = 1u << 1, /* input starting with '{' or '[' is read as JSON */
	RF_DOC_COMMENTS = 1u << 2,  /* keep comments (for writers that preserve them) */
};

struct rf_doc {
	const char *source; /* for messages; not owned */
	enum rf_doc_dialect dialect;
	unsigned flags;
	struct rf_error *err;	 /* where the first error goes; may be NULL */
	struct fy_document *fyd; /* owned */
	unsigned index;		 /* 0-based position in its stream */
	unsigned first_line;	 /* where the document starts (1-based) */
	const char *label;	 /* every message starts with it ("SeccompProfile 'b': ", the
				  * document of several it is about), or NULL; not owned */
	unsigned line_base;	 /* lines of the text before where its parser started (a
				  * stretch of a file read on its own, after a syntax error):
				  * added to every location of a message and of rf_doc_where */
};

struct rf_doc_stream;

/* A stream of documents ("---" separated) over text that outlives the stream. */
int rf_doc_stream_open(const char *text, size_t len, const char *source,
		       enum rf_doc_dialect dialect, unsigned flags, struct rf_doc_stream **ret,
		       struct rf_error *reterr);
/* The next document: 1 and *ret filled (rf_doc_done it), 0 at the end, or a negative errno with
 * the located syntax error in reterr. After an error the stream cannot go on. */
int rf_doc_stream_next(struct rf_doc_stream *s, struct rf_doc *ret, struct rf_error *reterr);
void rf_doc_stream_free(struct rf_doc_stream *s);
static inline void rf_doc_stream_freep(struct rf_doc_stream **s)
{
	if (*s)
		rf_doc_stream_free(*s);
}

/* Exactly one document (empty input and a second document are errors). */
int rf_doc_load(const char *text, size_t len, const char *source, enum rf_doc_dialect dialect,
		unsigned flags, struct rf_doc *ret, struct rf_error *reterr);
/* Reads a file (bounded, "-" = stdin) and loads its one document; d->source is `path`. */
int rf_doc_load_file(const char *path, size_t max, enum rf_doc_dialect dialect, unsigned flags,
		     char **ret_text, struct rf_doc *ret, struct rf_error *reterr);
void rf_doc_done(struct rf_doc *d);

struct fy_node *rf_doc_root(const struct rf_doc *d);

/* ---- errors and locations ---- */

/* Records "source:line:column: <fmt>" at n (the document start when n is NULL) and returns
 * -EINVAL. Control bytes in the message are escaped. */
int rf_doc_fail(struct rf_doc *d, struct fy_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 1-based line and column of n (its first scalar), 0 when unknown. */
void rf_doc_loc(struct fy_node *n, unsigned *ret_line, unsigned *ret_col);
/* The same, in the file d was read from (rf_doc_loc plus d->line_base). */
void rf_doc_where(const struct rf_doc *d, struct fy_node *n, unsigned *ret_line, unsigned *ret_col);

/* ---- typed access; n NULL means "missing" ---- */

/* The node an alias points at (when allowed), checked for tags; NULL with an error set when
 * it cannot be used. */
struct fy_node *rf_doc_node(struct rf_doc *d, struct fy_node *n, const char *what);
bool rf_doc_is_null(const struct rf_doc *d, struct fy_node *n);
/* The value of `key` in a mapping: NULL when map is NULL or not a mapping, the key is missing or
 * the value null (and when it cannot be used: then the error is set). */
struct fy_node *rf_doc_get(struct rf_doc *d, struct fy_node *map, const char *key);
/* The pair of `key` in a mapping, unchecked: NULL when map is NULL or not a mapping or has no
 * such key. For what the typed accessors do not give: a writer replacing the value, and the
 * key's node (rf_doc_key), which a message or a report points at. */
struct fy_node_pair *rf_doc_pair(struct fy_node *map, const char *key);
struct fy_node *rf_doc_key(struct fy_node *map, const char *key);
/* The same for a key that must be there: a missing one is an error "what: missing 'key'". */
struct fy_node *rf_doc_need(struct rf_doc *d, struct fy_node *map, const char *what,
			    const char *key);

bool rf_doc_is_map(const struct rf_doc *d, struct fy_node *n);
bool rf_doc_is_seq(const struct rf_doc *d, struct fy_node *n);
/* Type checks with an error "what must be an object" / "a list". */
int rf_doc_expect_map(struct rf_doc *d, struct fy_node *n, const char *what);
int rf_doc_expect_seq(struct rf_doc *d, struct fy_node *n, const char *what);

/* A string scalar, NUL-terminated (borrowed, valid while the document lives); strings holding
 * a NUL byte are refused. */
int rf_doc_str(struct rf_doc *d, struct fy_node *n, const char *what, const char **ret,
	       size_t *ret_len);
int rf_doc_strdup(struct rf_doc *d, struct fy_node *n, const char *what, char **ret);
/* NULL for a missing or null value, a copy otherwise. */
int rf_doc_strdup_opt(struct rf_doc *d, struct fy_node *n, const char *what, char **ret);
/* Integers: plain decimal (YAML also 0x-hex), in range. */
int rf_doc_i64(struct rf_doc *d, struct fy_node *n, const char *what, int64_t min, int64_t max,
	       int64_t *ret);
int rf_doc_u64(struct rf_doc *d, struct fy_node *n, const char *what, uint64_t max, uint64_t *ret);
int rf_doc_bool(struct rf_doc *d, struct fy_node *n, const char *what, bool *ret);
/* Whether n is a boolean in d's dialect, asked without an error ("yes" is one in YAML 1.1). */
bool rf_doc_is_bool(const struct rf_doc *d, struct fy_node *n);
/* A list of strings (null reads as an empty list); at most max entries. */
int rf_doc_strv(struct rf_doc *d, struct fy_node *n, const char *what, size_t max, char ***ret);

typedef int (*rf_doc_key_fn)(struct rf_doc *d, const char *key, struct fy_node *key_node,
			     struct fy_node *value, void *userdata);
/* Calls fn for every key of a mapping, in document order; keys must be strings. */
int rf_doc_each_key(struct rf_doc *d, struct fy_node *map, const char *what, rf_doc_key_fn fn,
		    void *userdata);
typedef int (*rf_doc_item_fn)(struct rf_doc *d, size_t index, struct fy_node *item, void *userdata);
/* Calls fn for every item of a list; at most max items. */
int rf_doc_each_item(struct rf_doc *d, struct fy_node *seq, const char *what, size_t max,
		     rf_doc_item_fn fn, void *userdata);
/* An error "what: unknown key 'key'" for the key node: the usual end of a key_fn. */
int rf_doc_unknown_key(struct rf_doc *d, struct fy_node *key_node, const char *what,
		       const char *key);

/* 1-based line and column of byte `offset` of scalar n's value (as rf_doc_str returns it), in
 * `text`, the input the document was loaded from: a located error can point inside a value
 * (a token of a rule condition) in plain, quoted and block scalars alike. Falls back to the
 * scalar's own start when the value cannot be aligned with the text. */
void rf_doc_loc_in(struct fy_node *n, const char *text, size_t text_len, size_t offset,
		   unsigned *ret_line, unsigned *ret_col);
