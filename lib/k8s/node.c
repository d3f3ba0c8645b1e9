/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed, located access to a libfyaml tree the way the API server would decode it: a field of
 * the wrong type is an error of that document (recorded once, with file:line:column), never a
 * guess. Aliases are followed one step at a time, so an alias bomb costs nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "core/macro.h"
#include "k8s-internal.h"

void kctx_done(struct kctx *c)
{
	free(c->error);
	c->error = NULL;
}

struct fy_node *k_deref(struct fy_node *n)
{
	for (int i = 0; n && i < 64 && fy_node_get_style(n) == FYNS_ALIAS; i++)
		n = fy_node_resolve_alias(n);
	if (n && fy_node_get_style(n) == FYNS_ALIAS)
		return NULL;
	return n;
}

void k_loc(const struct kctx *c, struct fy_node *n, unsigned *line, unsigned *col)
{
	*line = *col = 0;
	for (int depth = 0; n && depth < 64; depth++) {
		void *it = NULL;

		if (fy_node_is_scalar(n) || fy_node_get_style(n) == FYNS_ALIAS) {
			struct fy_token *t = fy_node_get_scalar_token(n);
			const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

			if (m) {
				*line = (unsigned)m->line + 1 + c->line_base;
				*col = (unsigned)m->column + 1;
			}
			return;
		}
		if (fy_node_is_mapping(n)) {
			struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
			n = p ? fy_node_pair_key(p) : NULL;
		} else if (fy_node_is_sequence(n)) {
			n = fy_node_sequence_iterate(n, &it);
		} else {
			return;
		}
	}
}

void k_fail(struct kctx *c, struct fy_node *n, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL, *safe = NULL;
	unsigned line, col;
	va_list ap;

	if (c->error)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	safe = msg ? rf_escape_controls(msg) : NULL;
	k_loc(c, n, &line, &col);
	c->line = line;
	c->column = col;
	if (asprintf(&c->error, "%s:%u:%u: %s", c->file ? c->file : "<input>", line, col,
		     safe ? safe : "out of memory") < 0)
		c->error = NULL;
}

static bool plain_in(struct fy_node *n, const char *const *words)
{
	const char *s = fy_node_get_scalar0(n);

	for (; s && *words; words++)
		if (streq(s, *words))
			return true;
	return false;
}

static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };
/* YAML 1.1, as sigs.k8s.io/yaml (go-yaml v2) decodes it. */
static const char *const true_words[] = { "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES",
					  "on", "On", "ON", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", "n", "N", "no", "No", "NO",
					   "off", "Off", "OFF", NULL };

static bool is_plain(struct fy_node *n)
{
	return n && fy_node_is_scalar(n) && fy_node_get_style(n) == FYNS_PLAIN;
}

bool k_is_null(struct fy_node *n)
{
	return !n || (is_plain(n) && plain_in(n, null_words));
}

static bool plain_is_number(struct fy_node *n)
{
	const char *s = fy_node_get_scalar0(n);
	char *end = NULL;

	if (!s || !*s)
		return false;
	(void)strtod(s, &end);
	return end && *end == '\0';
}

static bool has_tag(struct fy_node *n)
{
	size_t len = 0;

	return fy_node_get_tag(n, &len) && len > 0;
}

/* libfyaml's lookup by string parses the key as a YAML document each time (a diag, a parser, a
 * document: ~300 syscalls); a plain scan of a small mapping is what we need. */
struct fy_node_pair *k_lookup(struct fy_node *map, const char *key)
{
	size_t klen = strlen(key);
	struct fy_node_pair *p;
	void *it = NULL;

	while ((p = fy_node_mapping_iterate(map, &it))) {
		struct fy_node *k = fy_node_pair_key(p);
		const char *s;
		size_t len;

		if (!k || !fy_node_is_scalar(k) || fy_node_get_style(k) == FYNS_ALIAS)
			continue;
		s = fy_node_get_scalar(k, &len);
		if (s && len == klen && !memcmp(s, key, klen))
			return p;
	}
	return NULL;
}

struct fy_node *k_child(struct kctx *c, struct fy_node *map, const char *key,
			struct fy_node **ret_key)
{
	struct fy_node_pair *p;
	struct fy_node *v;

	if (ret_key)
		*ret_key = NULL;
	if (!map || !fy_node_is_mapping(map))
		return NULL;
	p = k_lookup(map, key);
	if (!p) {
		/* A merge key could bring the field in; we do not guess what it merges. */
		if (k_lookup(map, "<<"))
			k_fail(c, map, "YAML merge keys (<<) are not supported");
		return NULL;
	}
	if (ret_key)
		*ret_key = fy_node_pair_key(p);
	v = k_deref(fy_node_pair_value(p));
	if (fy_node_pair_value(p) && !v) {
		k_fail(c, fy_node_pair_key(p), "%s: alias cannot be resolved", key);
		return NULL;
	}
	if (v && has_tag(v)) {
		k_fail(c, v, "%s: YAML tags (!tag) are not supported", key);
		return NULL;
	}
	return k_is_null(v) ? NULL : v;
}

struct fy_node *k_map(struct kctx *c, struct fy_node *map, const char *path, const char *key)
{
	struct fy_node *v = k_child(c, map, key, NULL);

	if (v && !fy_node_is_mapping(v)) {
		k_fail(c, v, "%s%s%s must be an object", path, *path ? "." : "", key);
		return NULL;
	}
	return v;
}

struct fy_node *k_seq(struct kctx *c, struct fy_node *map, const char *path, const char *key)
{
	struct fy_node *v = k_child(c, map, key, NULL);

	if (v && !fy_node_is_sequence(v)) {
		k_fail(c, v, "%s%s%s must be a list", path, *path ? "." : "", key);
		return NULL;
	}
	return v;
}

int k_bool(struct kctx *c, struct fy_node *map, const char *path, const char *key)
{
	struct fy_node *v = k_child(c, map, key, NULL);

	if (!v)
		return -1;
	if (is_plain(v) && plain_in(v, true_words))
		return 1;
	if (is_plain(v) && plain_in(v, false_words))
		return 0;
	k_fail(c, v, "%s%s%s must be true or false", path, *path ? "." : "", key);
	return -1;
}

bool k_int(struct kctx *c, struct fy_node *map, const char *path, const char *key, long long *ret)
{
	struct fy_node *v = k_child(c, map, key, NULL);
	const char *s;
	char *end = NULL;

	if (!v)
		return false;
	s = is_plain(v) ? fy_node_get_scalar0(v) : NULL;
	if (s && (*s == '-' || *s == '+' || (*s >= '0' && *s <= '9'))) {
		errno = 0;
		*ret = strtoll(s, &end, 10);
		if (!errno && end && *end == '\0' && end != s)
			return true;
	}
	k_fail(c, v, "%s%s%s must be an integer", path, *path ? "." : "", key);
	return false;
}

const char *k_str_node(struct kctx *c, struct fy_node *v, const char *path)
{
	v = k_deref(v);
	if (!v || k_is_null(v))
		return NULL;
	if (has_tag(v) || !fy_node_is_scalar(v) ||
	    (is_plain(v) && (plain_in(v, true_words) || plain_in(v, false_words) ||
			     plain_is_number(v)))) {
		k_fail(c, v, "%s must be a string", path);
		return NULL;
	}
	return fy_node_get_scalar0(v);
}

const char *k_str(struct kctx *c, struct fy_node *map, const char *path, const char *key)
{
	struct fy_node *v = k_child(c, map, key, NULL);
	_cleanup_free_ char *p = NULL;

	if (!v)
		return NULL;
	if (fy_node_is_scalar(v) && !is_plain(v))
		return fy_node_get_scalar0(v); /* quoted: always a string */
	if (asprintf(&p, "%s.%s", path, key) < 0)
		return NULL;
	return k_str_node(c, v, p);
}

int slist_add(struct slist *l, const char *s)
{
	char **nv = realloc(l->v, (l->n + 2) * sizeof(char *));

	if (!nv)
		return -ENOMEM;
	l->v = nv;
	if (!(l->v[l->n] = strdup(s ? s : "")))
		return -ENOMEM;
	l->v[++l->n] = NULL;
	return 0;
}

int slist_add_unique(struct slist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->v[i], s ? s : ""))
			return 0;
	return slist_add(l, s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void slist_sort(struct slist *l)
{
	if (l->n > 1)
		qsort_safe(l->v, l->n, sizeof(char *), cmp_str);
}

void slist_done(struct slist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct slist){ 0 };
}

static char *join(const struct slist *l, const char *sep, const char *q)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s%s%s%s", i ? sep : "", q, l->v[i], q);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *slist_join_quote(const struct slist *l)
{
	return join(l, ", ", "\"");
}

char *slist_join(const struct slist *l, const char *sep)
{
	return join(l, sep, "");
}
