/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The strict, located tree accessors the seccomp profile parser is built on (parse-node.c):
 * every value is type-checked, aliases and tags are refused, and each failure is one
 * "file:line: what" error in the parse context. */
#pragma once

#include <libfyaml.h>
#include <stdbool.h>
#include <stdint.h>

#include "profile-internal.h"

struct pctx {
	const char *source;
	struct rf_error *err;
	bool json; /* strings must be quoted; YAML plain scalars are typed by their text */
};

/* Iterates a mapping, calling `fn` for each key; unknown keys are rejected by `fn`. */
typedef int (*key_fn)(struct pctx *c, const char *key, struct fy_node *key_node,
		      struct fy_node *value, void *obj);

unsigned sp_node_line(struct fy_node *n);
int sp_fail(struct pctx *c, struct fy_node *n, const char *fmt, const char *a, const char *b);
int sp_check_node(struct pctx *c, struct fy_node *n, const char *what);
bool sp_is_null(struct pctx *c, struct fy_node *n);
int sp_get_string(struct pctx *c, struct fy_node *n, const char *what, char **ret);
int sp_get_u64(struct pctx *c, struct fy_node *n, const char *what, uint64_t max,
	       uint64_t *ret);
int sp_get_u32(struct pctx *c, struct fy_node *n, const char *what, uint32_t *ret);
int sp_get_strv(struct pctx *c, struct fy_node *n, const char *what, size_t max, char ***ret,
		unsigned **ret_lines);
int sp_get_action(struct pctx *c, struct fy_node *n, const char *what, enum rf_action *ret);
int sp_walk_mapping(struct pctx *c, struct fy_node *n, const char *what, key_fn fn, void *obj);
