/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp profile parser's view of the document layer (lib/core/doc.h): the typed, located
 * accessors are doc.c's; what is here is only the profile's own vocabulary (actions, lists with
 * their lines for lint, limits named after RF_PROFILE_MAX_*), so a wrong value is a
 * "file:line:column" error from the same code as every other reader's. */
#include <libfyaml.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strv.h"
#include "parse-internal.h"

unsigned sp_node_line(struct fy_node *n)
{
	unsigned line, col;

	rf_doc_loc(n, &line, &col);
	return line;
}

/* Formats are literals at every call site; a and b fill up to two "%s" (NULL reads as ""). The
 * document's label ("SeccompProfile 'b': ") is the doc layer's prefix. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int sp_fail(struct pctx *c, struct fy_node *n, const char *fmt, const char *a, const char *b)
{
	_cleanup_free_ char *msg = NULL;

	if (asprintf(&msg, fmt, a ? a : "", b ? b : "") < 0)
		return rf_error_set(c->d.err, -ENOMEM, "out of memory");
	return rf_doc_fail(&c->d, n, "%s", msg);
}
#pragma GCC diagnostic pop

int sp_fail_limit(struct pctx *c, struct fy_node *n, const char *what, size_t limit)
{
	return rf_doc_fail(&c->d, n, "too many %s: the limit is %zu", what, limit);
}

/* Aliases are not expanded (that is how billion-laughs documents explode) and tags would change
 * a value's meaning behind our back: the doc layer refuses both. */
int sp_check_node(struct pctx *c, struct fy_node *n, const char *what)
{
	return !n || rf_doc_node(&c->d, n, what) == n ? 0 : -EINVAL;
}

bool sp_is_null(struct pctx *c, struct fy_node *n)
{
	return rf_doc_is_null(&c->d, n);
}

int sp_get_string(struct pctx *c, struct fy_node *n, const char *what, char **ret)
{
	int r = sp_check_node(c, n, what);

	return r < 0 ? r : rf_doc_strdup(&c->d, n, what, ret);
}

int sp_get_u64(struct pctx *c, struct fy_node *n, const char *what, uint64_t max, uint64_t *ret)
{
	int r = sp_check_node(c, n, what);

	return r < 0 ? r : rf_doc_u64(&c->d, n, what, max, ret);
}

int sp_get_u32(struct pctx *c, struct fy_node *n, const char *what, uint32_t *ret)
{
	uint64_t v;
	int r = sp_get_u64(c, n, what, UINT32_MAX, &v);

	if (r >= 0)
		*ret = (uint32_t)v;
	return r;
}

/* A list of strings with each item's line (lint points at the name, not the list). */
int sp_get_strv(struct pctx *c, struct fy_node *n, const char *what, size_t max, char ***ret,
		unsigned **ret_lines)
{
	_cleanup_strv_free_ char **v = NULL;
	_cleanup_free_ unsigned *lines = NULL;
	struct fy_node *item;
	void *it = NULL;
	size_t i = 0, count;

	if (sp_check_node(c, n, what) < 0)
		return -EINVAL;
	if (n && sp_is_null(c, n)) {
		*ret = calloc(1, sizeof(char *)); /* null: an empty list */
		return *ret ? 0 : -ENOMEM;
	}
	if (!n || !fy_node_is_sequence(n))
		return sp_fail(c, n, "%s must be a list of strings%s", what, NULL);
	count = (size_t)fy_node_sequence_item_count(n);
	if (count > max)
		return sp_fail_limit(c, n, what, max);
	v = calloc(count + 1, sizeof(char *));
	lines = calloc(count + 1, sizeof(unsigned));
	if (!v || !lines)
		return -ENOMEM;
	while ((item = fy_node_sequence_iterate(n, &it)) && i < count) {
		int r = sp_get_string(c, item, what, &v[i]);
		if (r < 0)
			return r;
		lines[i++] = sp_node_line(item);
	}
	*ret = TAKE_PTR(v);
	if (ret_lines)
		*ret_lines = TAKE_PTR(lines);
	return 0;
}

int sp_get_action(struct pctx *c, struct fy_node *n, const char *what, enum rf_action *ret)
{
	_cleanup_free_ char *s = NULL;
	int r = sp_get_string(c, n, what, &s);

	if (r < 0)
		return r;
	*ret = rf_action_from_string(s);
	if (*ret == RF_ACT_INVALID)
		return sp_fail(c, n, "%s: unknown action '%s'", what, s);
	return 0;
}

struct walk {
	struct pctx *c;
	key_fn fn;
	void *obj;
};

static int walk_key(struct rf_doc *d, const char *key, struct fy_node *key_node,
		    struct fy_node *value, void *userdata)
{
	struct walk *w = userdata;

	return w->fn(w->c, key, key_node, value, w->obj);
}

int sp_walk_mapping(struct pctx *c, struct fy_node *n, const char *what, key_fn fn, void *obj)
{
	if (sp_check_node(c, n, what) < 0)
		return -EINVAL;
	return rf_doc_each_key(&c->d, n, what, walk_key, &(struct walk){ c, fn, obj });
}
