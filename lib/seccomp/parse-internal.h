/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp profile parser's accessors (parse-node.c, on the document layer of
 * lib/core/doc.h): every value is type-checked, aliases and tags are refused, and each failure
 * is one "file:line:column: what" error of the document. */
#pragma once

#include <libfyaml.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/doc.h"
#include "profile-internal.h"

struct pctx {
	struct rf_doc d; /* the document being read: source, errors, dialect, label */
	bool json;	 /* the file is JSON (the limits pass reads the text itself) */
};

/* Iterates a mapping, calling `fn` for each key; unknown keys are rejected by `fn`. */
typedef int (*key_fn)(struct pctx *c, const char *key, struct fy_node *key_node,
		      struct fy_node *value, void *obj);

unsigned sp_node_line(struct fy_node *n);
int sp_fail(struct pctx *c, struct fy_node *n, const char *fmt, const char *a, const char *b);
/* "too many <what>: the limit is <limit>" at n's line (-EINVAL). */
int sp_fail_limit(struct pctx *c, struct fy_node *n, const char *what, size_t limit);
int sp_check_node(struct pctx *c, struct fy_node *n, const char *what);
bool sp_is_null(struct pctx *c, struct fy_node *n);
int sp_get_string(struct pctx *c, struct fy_node *n, const char *what, char **ret);
int sp_get_u64(struct pctx *c, struct fy_node *n, const char *what, uint64_t max, uint64_t *ret);
int sp_get_u32(struct pctx *c, struct fy_node *n, const char *what, uint32_t *ret);
int sp_get_strv(struct pctx *c, struct fy_node *n, const char *what, size_t max, char ***ret,
		unsigned **ret_lines);
int sp_get_action(struct pctx *c, struct fy_node *n, const char *what, enum rf_action *ret);
int sp_walk_mapping(struct pctx *c, struct fy_node *n, const char *what, key_fn fn, void *obj);

/* parse.c: one document's tree into `p` (format detected from its shape); checks that it has a
 * defaultAction and records c->source. */
int sp_parse_document(struct pctx *c, struct fy_node *root, struct rf_profile *p);

/* parse-limits.c: the event pass that enforces RF_PROFILE_MAX_VALUES and RF_PROFILE_MAX_RULES
 * before any tree is built, and counts the documents of the stream. A syntax error is left to
 * the tree pass, which reports it with libfyaml's diagnostic. */
struct sp_stream {
	unsigned docs;		  /* documents, empty ones included */
	unsigned content_docs;	  /* documents with something in them */
	unsigned second_doc_line; /* where the second document starts, 0 if there is none */
};
int sp_check_limits(struct pctx *c, const char *text, size_t len, struct sp_stream *ret);
