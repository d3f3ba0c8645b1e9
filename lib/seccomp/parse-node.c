/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed access to a libfyaml tree for the seccomp profile parser: strings, bounded numbers,
 * string lists and actions, each checked (JSON strings must be quoted, YAML plain scalars are
 * typed by their text) and located, so a wrong value is a "file:line" error, never a guess. */
#include <ctype.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strv.h"
#include "parse-internal.h"

unsigned sp_node_line(struct fy_node *n)
{
	void *it = NULL;

	for (int depth = 0; n && depth < 64; depth++) {
		if (fy_node_is_scalar(n)) {
			struct fy_token *t = fy_node_get_scalar_token(n);
			const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
			return m ? (unsigned)m->line + 1 : 0;
		}
		it = NULL;
		if (fy_node_is_mapping(n)) {
			struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
			n = p ? fy_node_pair_key(p) : NULL;
		} else if (fy_node_is_sequence(n)) {
			n = fy_node_sequence_iterate(n, &it);
		} else {
			return 0;
		}
	}
	return 0;
}

/* Formats are literals at every call site; a and b fill up to two "%s" (NULL reads as ""). In a
 * multi-document file the message starts with the document ("SeccompProfile 'b': "). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int sp_fail(struct pctx *c, struct fy_node *n, const char *fmt, const char *a, const char *b)
{
	_cleanup_free_ char *msg = NULL;

	if (asprintf(&msg, fmt, a ? a : "", b ? b : "") < 0)
		return rf_error_set(c->err, -ENOMEM, "out of memory");
	return rf_error_set_at(c->err, -EINVAL, c->source ? c->source : "<input>", sp_node_line(n),
			       "%s%s", c->doc ? c->doc : "", msg);
}
#pragma GCC diagnostic pop

int sp_fail_limit(struct pctx *c, struct fy_node *n, const char *what, size_t limit)
{
	return rf_error_set_at(c->err, -EINVAL, c->source ? c->source : "<input>", sp_node_line(n),
			       "%stoo many %s: the limit is %zu", c->doc ? c->doc : "", what, limit);
}

/* Aliases are not expanded (that is how billion-laughs documents explode) and tags would change
 * a value's meaning behind our back: both are refused with a clear message. */
int sp_check_node(struct pctx *c, struct fy_node *n, const char *what)
{
	size_t len = 0;

	if (n && fy_node_get_style(n) == FYNS_ALIAS)
		return sp_fail(c, n, "%s: YAML aliases (*name) are not supported in profiles%s", what,
			       NULL);
	if (n && fy_node_get_tag(n, &len) && len > 0)
		return sp_fail(c, n, "%s: YAML tags (!tag) are not supported in profiles%s", what, NULL);
	return 0;
}

static bool plain_text_is(struct fy_node *n, const char *const *words)
{
	const char *s = fy_node_get_scalar0(n);

	for (; s && *words; words++)
		if (streq(s, *words))
			return true;
	return false;
}

/* JSON null, or a YAML null (null, Null, NULL, ~, empty) when the document is YAML. */
bool sp_is_null(struct pctx *c, struct fy_node *n)
{
	static const char *const json_null[] = { "null", NULL };
	static const char *const yaml_null[] = { "null", "Null", "NULL", "~", "", NULL };

	if (!n)
		return true;
	if (!fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
		return false;
	return plain_text_is(n, c->json ? json_null : yaml_null);
}

/* A YAML plain scalar that YAML's core schema reads as a bool or a number. */
static bool yaml_plain_is_typed(struct fy_node *n)
{
	static const char *const bools[] = { "true", "True", "TRUE", "false", "False", "FALSE",
					     NULL };
	const char *s = fy_node_get_scalar0(n);
	char *end = NULL;

	if (!s || plain_text_is(n, bools))
		return true;
	if (*s == '.' && (streq(s, ".inf") || streq(s, ".nan") || streq(s, ".Inf") || streq(s, ".NaN")))
		return true;
	(void)strtod(s, &end);
	return end && end != s && *end == '\0';
}

int sp_get_string(struct pctx *c, struct fy_node *n, const char *what, char **ret)
{
	const char *s;
	size_t len;
	int r = sp_check_node(c, n, what);

	if (r < 0)
		return r;
	if (!n || !fy_node_is_scalar(n) || sp_is_null(c, n) ||
	    (c->json && fy_node_get_style(n) != FYNS_DOUBLE_QUOTED) ||
	    (!c->json && fy_node_get_style(n) == FYNS_PLAIN && yaml_plain_is_typed(n)))
		return sp_fail(c, n, "%s%s must be a string", what, NULL);
	s = fy_node_get_scalar(n, &len);
	if (!s || memchr(s, '\0', len))
		return sp_fail(c, n, "%s%s is not a valid string", what, NULL);
	*ret = strndup(s, len);
	return *ret ? 0 : -ENOMEM;
}

/* Numbers must be plain (unquoted) decimal, or 0x-hex as YAML allows; no sign, no junk. */
int sp_get_u64(struct pctx *c, struct fy_node *n, const char *what, uint64_t max,
	       uint64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	unsigned long long v;
	char *end = NULL;
	int base = 10;

	if (sp_check_node(c, n, what) < 0)
		return -EINVAL;
	if (!n || !fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
		return sp_fail(c, n, "%s%s must be a number", what, NULL);
	s = strdup(fy_node_get_scalar0(n) ?: "");
	if (!s)
		return -ENOMEM;
	if (!isdigit((unsigned char)s[0]))
		return sp_fail(c, n, "%s must be a non-negative integer, not '%s'", what, s);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || !end || *end || v > max)
		return sp_fail(c, n, "%s: '%s' is not an integer in range", what, s);
	*ret = v;
	return 0;
}

int sp_get_u32(struct pctx *c, struct fy_node *n, const char *what, uint32_t *ret)
{
	uint64_t v;
	int r = sp_get_u64(c, n, what, UINT32_MAX, &v);

	if (r >= 0)
		*ret = (uint32_t)v;
	return r;
}

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
		return sp_fail(c, n, "%s%s must be a list of strings", what, NULL);
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

int sp_walk_mapping(struct pctx *c, struct fy_node *n, const char *what, key_fn fn, void *obj)
{
	struct fy_node_pair *p;
	void *it = NULL;

	if (sp_check_node(c, n, what) < 0)
		return -EINVAL;
	if (!n || !fy_node_is_mapping(n))
		return sp_fail(c, n, "%s%s must be an object", what, NULL);
	while ((p = fy_node_mapping_iterate(n, &it))) {
		_cleanup_free_ char *key = NULL;
		struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		int r;

		r = sp_get_string(c, k, "a key", &key);
		if (r < 0)
			return r;
		r = fn(c, key, k, v, obj);
		if (r < 0)
			return r;
	}
	return 0;
}

