/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed access to a Kubernetes object's fields on the document layer (core/doc.h), named in
 * messages by their field path as kubectl names them ("spec.containers[0].securityContext.
 * privileged must be true or false"); and growable string lists. Nulls, booleans, tags, merge
 * keys, locations and the first-error rule are the document layer's. What the audit reported
 * before it moved onto that layer is kept as it was, because users and CI compare those
 * messages: a string field's own typing and message (k_str), an alias that leads nowhere
 * ("key: alias cannot be resolved", at the key) and "file:0:0:" when a node has no location. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "k8s-internal.h"

#define MAX_ALIAS_STEPS 64

/* "path.key", or "key" at the top of the object. */
static char *field(const char *path, const char *key)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s%s", path, *path ? "." : "", key) < 0)
		return NULL;
	return s;
}

struct rf_doc k8s_doc(const struct k8s_source *src, size_t seg, struct rf_error *err)
{
	return (struct rf_doc){
		.source = src->path,
		.dialect = RF_DOC_YAML11,
		.flags = RF_DOC_ALIASES,
		.err = err,
		.line_base = src->segs[seg].line_base,
	};
}

char *k8s_doc_error(struct rf_doc *d, unsigned *ret_line, unsigned *ret_col)
{
	struct rf_error *e = d->err;
	char *msg = NULL;

	*ret_line = e->line;
	*ret_col = e->column;
	/* The layer leaves an unknown location out; the audit always printed it (as 0:0). */
	if (asprintf(&msg, "%s:%u:%u: %s", d->source ?: "<input>", e->line, e->column,
		     e->detail ?: "out of memory") < 0)
		msg = NULL;
	rf_error_clear(e);
	return msg;
}

struct fy_node *k_deref(struct fy_node *n)
{
	for (int i = 0; n && i < MAX_ALIAS_STEPS && fy_node_get_style(n) == FYNS_ALIAS; i++)
		n = fy_node_resolve_alias(n);
	if (n && fy_node_get_style(n) == FYNS_ALIAS)
		return NULL;
	return n;
}

struct fy_node *k_get(struct rf_doc *d, struct fy_node *map, const char *key)
{
	struct fy_node_pair *p;
	struct fy_node *v;

	if (!map || !fy_node_is_mapping(map))
		return NULL;
	p = rf_doc_pair(map, key);
	if (!p) {
		/* A merge key could bring the field in; we do not guess what it merges. */
		if (rf_doc_pair(map, "<<"))
			rf_doc_fail(d, map, "YAML merge keys (<<) are not supported");
		return NULL;
	}
	v = k_deref(fy_node_pair_value(p));
	if (fy_node_pair_value(p) && !v) {
		rf_doc_fail(d, fy_node_pair_key(p), "%s: alias cannot be resolved", key);
		return NULL;
	}
	v = rf_doc_node(d, v, key); /* refuses a tag */
	return rf_doc_is_null(d, v) ? NULL : v;
}

struct fy_node *k_map(struct rf_doc *d, struct fy_node *map, const char *path, const char *key)
{
	struct fy_node *v = k_get(d, map, key);
	_cleanup_free_ char *what = NULL;

	if (!v || rf_doc_is_map(d, v))
		return v;
	what = field(path, key);
	(void)rf_doc_expect_map(d, v, what ?: key);
	return NULL;
}

struct fy_node *k_seq(struct rf_doc *d, struct fy_node *map, const char *path, const char *key)
{
	struct fy_node *v = k_get(d, map, key);
	_cleanup_free_ char *what = NULL;

	if (!v || rf_doc_is_seq(d, v))
		return v;
	what = field(path, key);
	(void)rf_doc_expect_seq(d, v, what ?: key);
	return NULL;
}

int k_bool(struct rf_doc *d, struct fy_node *map, const char *path, const char *key)
{
	struct fy_node *v = k_get(d, map, key);
	_cleanup_free_ char *what = NULL;
	bool b;

	if (!v)
		return -1;
	if (rf_doc_is_bool(d, v))
		return rf_doc_bool(d, v, key, &b) < 0 ? -1 : b;
	what = field(path, key); /* named only when it is wrong: bools are read often */
	(void)rf_doc_bool(d, v, what ?: key, &b);
	return -1;
}

/* A plain decimal, as strtoll reads it whole ("+5", "007"): the document layer's integers
 * refuse a sign and leading zeros, which the API server's decoder accepts. */
bool k_int(struct rf_doc *d, struct fy_node *map, const char *path, const char *key, long long *ret)
{
	struct fy_node *v = k_get(d, map, key);
	_cleanup_free_ char *what = NULL;
	const char *s;
	char *end = NULL;

	if (!v)
		return false;
	s = fy_node_is_scalar(v) && fy_node_get_style(v) == FYNS_PLAIN ? fy_node_get_scalar0(v)
								       : NULL;
	if (s && (*s == '-' || *s == '+' || (*s >= '0' && *s <= '9'))) {
		errno = 0;
		*ret = strtoll(s, &end, 10);
		if (!errno && end && *end == '\0' && end != s)
			return true;
	}
	what = field(path, key);
	rf_doc_fail(d, v, "%s must be an integer", what ?: key);
	return false;
}

/* A plain scalar the API server would not decode as a string: a YAML 1.1 boolean or what
 * strtod reads whole. (rf_doc_str also refuses .inf and .nan and names the value; the audit
 * has always taken those as strings and said only "must be a string".) */
static bool plain_not_string(struct rf_doc *d, struct fy_node *n)
{
	const char *s;
	char *end = NULL;

	if (!fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
		return false;
	if (rf_doc_is_bool(d, n))
		return true;
	s = fy_node_get_scalar0(n);
	if (!s || !*s)
		return false;
	(void)strtod(s, &end);
	return end && *end == '\0';
}

const char *k_str_node(struct rf_doc *d, struct fy_node *n, const char *path)
{
	size_t len = 0;

	n = k_deref(n);
	if (rf_doc_is_null(d, n))
		return NULL;
	if ((fy_node_get_tag(n, &len) && len > 0) || !fy_node_is_scalar(n) ||
	    plain_not_string(d, n)) {
		rf_doc_fail(d, n, "%s must be a string", path);
		return NULL;
	}
	return fy_node_get_scalar0(n);
}

const char *k_str(struct rf_doc *d, struct fy_node *map, const char *path, const char *key)
{
	struct fy_node *v = k_get(d, map, key);
	_cleanup_free_ char *what = NULL;

	if (!v)
		return NULL;
	/* Quoted is always a string; k_get refused a tag. */
	if (fy_node_is_scalar(v) && !plain_not_string(d, v))
		return fy_node_get_scalar0(v);
	/* Named "path.key" even at the top (".kind"), as the audit always named it. */
	if (asprintf(&what, "%s.%s", path, key) < 0)
		return NULL;
	return k_str_node(d, v, what);
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
