/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The document layer of doc.h on libfyaml: loading with collected diagnostics turned into one
 * located error, and typed accessors that check every value against the dialect. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "escape.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"

#define MAX_ALIAS_STEPS 64

struct rf_doc_stream {
	struct fy_diag *diag;
	struct fy_parser *fyp;
	const char *source;
	enum rf_doc_dialect dialect;
	unsigned flags;
	unsigned next_index;
	bool failed;
};

/* No output: diagnostics are collected and read back. Built by hand, not with
 * fy_diag_cfg_default(), which probes the terminal on every call. */
static void diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
}

static struct fy_diag *diag_new(void)
{
	struct fy_diag_cfg cfg;
	struct fy_diag *diag;

	memset(&cfg, 0, sizeof(cfg));
	cfg.output_fn = diag_discard;
	cfg.level = FYET_ERROR;
	cfg.module_mask = (1u << FYEM_MAX) - 1;
	diag = fy_diag_create(&cfg);
	if (diag)
		fy_diag_set_collect_errors(diag, true);
	return diag;
}

/* libfyaml's first error, located in our terms (its diagnostics count lines and columns from
 * 1); a generic message when it collected none. */
static int syntax_error(struct fy_diag *diag, const char *source, struct rf_error *reterr)
{
	struct fy_diag_error *e;
	void *it = NULL;

	while (diag && (e = fy_diag_errors_iterate(diag, &it)))
		if (e->type >= FYET_ERROR)
			return rf_error_set_at_col(
				reterr, -EINVAL, source, e->line > 0 ? (unsigned)e->line : 0,
				e->column > 0 ? (unsigned)e->column : 0, "syntax error: %s",
				e->msg ?: "invalid document");
	return rf_error_set_at(reterr, -EINVAL, source, 0, "syntax error: not a valid document");
}

static bool looks_like_json(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
			continue;
		return text[i] == '{' || text[i] == '[';
	}
	return false;
}

int rf_doc_stream_open(const char *text, size_t len, const char *source,
		       enum rf_doc_dialect dialect, unsigned flags, struct rf_doc_stream **ret,
		       struct rf_error *reterr)
{
	struct rf_doc_stream *s = calloc(1, sizeof(*s));
	struct fy_parse_cfg cfg = { 0 };

	if (!s)
		return -ENOMEM;
	s->source = source ?: "<input>";
	s->flags = flags;
	s->dialect =
		(flags & RF_DOC_AUTO_JSON) && looks_like_json(text, len) ? RF_DOC_JSON : dialect;
	s->diag = diag_new();
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG |
		    (s->dialect == RF_DOC_JSON ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE) |
		    (flags & RF_DOC_COMMENTS ? FYPCF_PARSE_COMMENTS : 0);
	cfg.diag = s->diag;
	if (s->diag)
		s->fyp = fy_parser_create(&cfg);
	if (!s->fyp || fy_parser_set_string(s->fyp, text, len) < 0) {
		int r = s->fyp ? syntax_error(s->diag, s->source, reterr) : -ENOMEM;

		rf_doc_stream_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int rf_doc_stream_next(struct rf_doc_stream *s, struct rf_doc *ret, struct rf_error *reterr)
{
	struct fy_document *fyd;

	if (s->failed)
		return -EINVAL;
	fyd = fy_parse_load_document(s->fyp);
	if (!fyd || fy_parser_get_stream_error(s->fyp)) {
		if (fyd)
			fy_parse_document_destroy(s->fyp, fyd);
		if (!fy_parser_get_stream_error(s->fyp))
			return 0;
		s->failed = true;
		return syntax_error(s->diag, s->source, reterr);
	}
	*ret = (struct rf_doc){ .source = s->source,
				.dialect = s->dialect,
				.flags = s->flags,
				.err = reterr,
				.fyd = fyd,
				.index = s->next_index++ };
	rf_doc_loc(fy_document_root(fyd), &ret->first_line, &(unsigned){ 0 });
	return 1;
}

void rf_doc_stream_free(struct rf_doc_stream *s)
{
	if (!s)
		return;
	if (s->fyp)
		fy_parser_destroy(s->fyp);
	if (s->diag)
		fy_diag_destroy(s->diag);
	free(s);
}

int rf_doc_load(const char *text, size_t len, const char *source, enum rf_doc_dialect dialect,
		unsigned flags, struct rf_doc *ret, struct rf_error *reterr)
{
	_cleanup_(rf_doc_stream_freep) struct rf_doc_stream *s = NULL;
	struct rf_doc doc = { 0 }, extra = { 0 };
	int r;

	r = rf_doc_stream_open(text, len, source, dialect, flags, &s, reterr);
	if (r < 0)
		return r;
	r = rf_doc_stream_next(s, &doc, reterr);
	if (r == 0 || (r > 0 && !fy_document_root(doc.fyd))) {
		rf_doc_done(&doc);
		return rf_error_set_at(reterr, -EINVAL, s->source, 0, "the document is empty");
	}
	if (r < 0)
		return r;
	r = rf_doc_stream_next(s, &extra, reterr);
	if (r != 0) {
		unsigned line = extra.first_line;

		rf_doc_done(&extra);
		rf_doc_done(&doc);
		return r < 0 ? r
			     : rf_error_set_at(reterr, -EINVAL, s->source, line,
					       "a second document: one document is expected here");
	}
	/* The parser goes away; the document stays valid on its own. */
	*ret = doc;
	return 0;
}

int rf_doc_load_file(const char *path, size_t max, enum rf_doc_dialect dialect, unsigned flags,
		     char **ret_text, struct rf_doc *ret, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = rf_read_file(path, max, &text, &len, reterr);

	if (r < 0)
		return r;
	r = rf_doc_load(text, len, path, dialect, flags, ret, reterr);
	if (r < 0)
		return r;
	*ret_text = TAKE_PTR(text);
	return 0;
}

void rf_doc_done(struct rf_doc *d)
{
	if (d && d->fyd) {
		fy_document_destroy(d->fyd);
		d->fyd = NULL;
	}
}

struct fy_node *rf_doc_root(const struct rf_doc *d)
{
	return d->fyd ? fy_document_root(d->fyd) : NULL;
}

/* ---- errors ---- */

void rf_doc_loc(struct fy_node *n, unsigned *ret_line, unsigned *ret_col)
{
	*ret_line = *ret_col = 0;
	for (int depth = 0; n && depth < 64; depth++) {
		void *it = NULL;

		if (fy_node_is_scalar(n) || fy_node_get_style(n) == FYNS_ALIAS) {
			struct fy_token *t = fy_node_get_scalar_token(n);
			const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

			if (m) {
				*ret_line = (unsigned)m->line + 1;
				*ret_col = (unsigned)m->column + 1;
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

void rf_doc_where(const struct rf_doc *d, struct fy_node *n, unsigned *ret_line, unsigned *ret_col)
{
	rf_doc_loc(n, ret_line, ret_col);
	if (*ret_line)
		*ret_line += d->line_base;
}

int rf_doc_fail(struct rf_doc *d, struct fy_node *n, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	unsigned line = 0, col = 0;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (n)
		rf_doc_where(d, n, &line, &col);
	else if ((line = d->first_line))
		line += d->line_base;
	return rf_error_set_at_col(d->err, -EINVAL, d->source ?: "<input>", line, col, "%s%s",
				   d->label ?: "", msg);
}

int rf_doc_unknown_key(struct rf_doc *d, struct fy_node *key_node, const char *what,
		       const char *key)
{
	return rf_doc_fail(d, key_node, "%s: unknown key '%s'", what, key);
}

/* ---- scalars ---- */

static bool plain(struct fy_node *n)
{
	return n && fy_node_is_scalar(n) && fy_node_get_style(n) == FYNS_PLAIN;
}

static bool text_in(const char *s, const char *const *words)
{
	for (; s && *words; words++)
		if (streq(s, *words))
			return true;
	return false;
}

static const char *const json_null[] = { "null", NULL };
static const char *const yaml_null[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const json_true[] = { "true", NULL };
static const char *const json_false[] = { "false", NULL };
static const char *const yaml_true[] = { "true", "True", "TRUE", NULL };
static const char *const yaml_false[] = { "false", "False", "FALSE", NULL };
static const char *const yaml11_true[] = { "true", "True", "TRUE", "y",	 "Y",  "yes",
					   "Yes",  "YES",  "on",   "On", "ON", NULL };
static const char *const yaml11_false[] = { "false", "False", "FALSE", "n",   "N",   "no",
					    "No",    "NO",    "off",   "Off", "OFF", NULL };

static int bool_of(const struct rf_doc *d, struct fy_node *n)
{
	const char *s;

	if (!plain(n))
		return -1;
	s = fy_node_get_scalar0(n);
	switch (d->dialect) {
	case RF_DOC_JSON: return text_in(s, json_true) ? 1 : text_in(s, json_false) ? 0 : -1;
	case RF_DOC_YAML11: return text_in(s, yaml11_true) ? 1 : text_in(s, yaml11_false) ? 0 : -1;
	default: return text_in(s, yaml_true) ? 1 : text_in(s, yaml_false) ? 0 : -1;
	}
}

static bool plain_is_number(struct fy_node *n)
{
	const char *s = fy_node_get_scalar0(n);
	char *end = NULL;

	if (!s || !*s)
		return false;
	if (text_in(s, (const char *const[]){ ".inf", ".Inf", ".INF", "-.inf", "+.inf", ".nan",
					      ".NaN", ".NAN", NULL }))
		return true;
	(void)strtod(s, &end);
	return end && *end == '\0';
}

bool rf_doc_is_null(const struct rf_doc *d, struct fy_node *n)
{
	if (!n)
		return true;
	return plain(n) &&
	       text_in(fy_node_get_scalar0(n), d->dialect == RF_DOC_JSON ? json_null : yaml_null);
}

struct fy_node *rf_doc_node(struct rf_doc *d, struct fy_node *n, const char *what)
{
	size_t len = 0;

	for (int i = 0; n && fy_node_get_style(n) == FYNS_ALIAS; i++) {
		if (!(d->flags & RF_DOC_ALIASES)) {
			rf_doc_fail(d, n, "%s: YAML aliases (*name) are not supported here", what);
			return NULL;
		}
		if (i >= MAX_ALIAS_STEPS || !(n = fy_node_resolve_alias(n))) {
			rf_doc_fail(d, n, "%s: the alias cannot be resolved", what);
			return NULL;
		}
	}
	if (n && fy_node_get_tag(n, &len) && len > 0) {
		rf_doc_fail(d, n, "%s: YAML tags (!tag) are not supported", what);
		return NULL;
	}
	return n;
}

struct fy_node_pair *rf_doc_pair(struct fy_node *map, const char *key)
{
	size_t klen = strlen(key);
	struct fy_node_pair *p;
	void *it = NULL;

	if (!map || !fy_node_is_mapping(map))
		return NULL;
	/* A plain scan: libfyaml's lookup by string parses the key as a document on each call. */
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

struct fy_node *rf_doc_get(struct rf_doc *d, struct fy_node *map, const char *key)
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
	v = rf_doc_node(d, fy_node_pair_value(p), key);
	return rf_doc_is_null(d, v) ? NULL : v;
}

struct fy_node *rf_doc_key(struct fy_node *map, const char *key)
{
	struct fy_node_pair *p = rf_doc_pair(map, key);

	return p ? fy_node_pair_key(p) : NULL;
}

struct fy_node *rf_doc_need(struct rf_doc *d, struct fy_node *map, const char *what,
			    const char *key)
{
	struct fy_node *v = rf_doc_get(d, map, key);

	if (!v && !rf_error_is_set(d->err))
		rf_doc_fail(d, map, "%s: missing '%s'", what, key);
	return v;
}

bool rf_doc_is_map(const struct rf_doc *d, struct fy_node *n)
{
	return n && fy_node_is_mapping(n);
}

bool rf_doc_is_seq(const struct rf_doc *d, struct fy_node *n)
{
	return n && fy_node_is_sequence(n);
}

int rf_doc_expect_map(struct rf_doc *d, struct fy_node *n, const char *what)
{
	return rf_doc_is_map(d, n) ? 0 : rf_doc_fail(d, n, "%s must be an object", what);
}

int rf_doc_expect_seq(struct rf_doc *d, struct fy_node *n, const char *what)
{
	return rf_doc_is_seq(d, n) ? 0 : rf_doc_fail(d, n, "%s must be a list", what);
}

int rf_doc_str(struct rf_doc *d, struct fy_node *n, const char *what, const char **ret,
	       size_t *ret_len)
{
	const char *s;
	size_t len = 0;
	bool ok;

	if (!n)
		return rf_doc_fail(d, NULL, "%s: missing", what);
	if (!fy_node_is_scalar(n) || rf_doc_is_null(d, n))
		return rf_doc_fail(d, n, "%s must be a string", what);
	if (d->dialect == RF_DOC_JSON)
		ok = fy_node_get_style(n) == FYNS_DOUBLE_QUOTED;
	else
		ok = !plain(n) || (bool_of(d, n) < 0 && !plain_is_number(n));
	if (!ok)
		return rf_doc_fail(d, n, "%s must be a string, not '%s'", what,
				   fy_node_get_scalar0(n) ?: "");
	s = fy_node_get_scalar(n, &len);
	if (!s || memchr(s, '\0', len))
		return rf_doc_fail(d, n, "%s is not a valid string", what);
	s = fy_node_get_scalar0(n); /* NUL-terminated (libfyaml keeps the copy) */
	if (!s)
		return -ENOMEM;
	*ret = s;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int rf_doc_strdup(struct rf_doc *d, struct fy_node *n, const char *what, char **ret)
{
	const char *s;
	size_t len;
	int r = rf_doc_str(d, n, what, &s, &len);

	if (r < 0)
		return r;
	*ret = strndup(s, len);
	return *ret ? 0 : -ENOMEM;
}

int rf_doc_strdup_opt(struct rf_doc *d, struct fy_node *n, const char *what, char **ret)
{
	if (rf_doc_is_null(d, n)) {
		*ret = NULL;
		return 0;
	}
	return rf_doc_strdup(d, n, what, ret);
}

static int parse_int(struct rf_doc *d, struct fy_node *n, const char *what, bool is_signed,
		     unsigned long long *ret_mag, bool *ret_neg)
{
	const char *s;
	char *end = NULL;
	int base = 10;

	if (!n)
		return rf_doc_fail(d, NULL, "%s: missing", what);
	if (!plain(n) || !(s = fy_node_get_scalar0(n)))
		return rf_doc_fail(d, n, "%s must be a number", what);
	*ret_neg = is_signed && s[0] == '-';
	if (*ret_neg)
		s++;
	if (s[0] < '0' || s[0] > '9')
		return rf_doc_fail(d, n, "%s must be %s integer, not '%s'", what,
				   is_signed ? "an" : "a non-negative", fy_node_get_scalar0(n));
	if (d->dialect != RF_DOC_JSON && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	else if (s[0] == '0' && s[1])
		return rf_doc_fail(d, n, "%s: '%s' has a leading zero", what,
				   fy_node_get_scalar0(n));
	errno = 0;
	*ret_mag = strtoull(s, &end, base);
	if (errno || !end || *end)
		return rf_doc_fail(d, n, "%s: '%s' is not an integer in range", what,
				   fy_node_get_scalar0(n));
	return 0;
}

int rf_doc_i64(struct rf_doc *d, struct fy_node *n, const char *what, int64_t min, int64_t max,
	       int64_t *ret)
{
	unsigned long long mag;
	bool neg;
	int64_t v;
	int r = parse_int(d, n, what, true, &mag, &neg);

	if (r < 0)
		return r;
	if (neg ? mag > (unsigned long long)INT64_MAX + 1 : mag > (unsigned long long)INT64_MAX)
		return rf_doc_fail(d, n, "%s: '%s' is out of range", what, fy_node_get_scalar0(n));
	v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	if (v < min || v > max)
		return rf_doc_fail(d, n, "%s: %lld is out of range (%lld..%lld)", what,
				   (long long)v, (long long)min, (long long)max);
	*ret = v;
	return 0;
}

int rf_doc_u64(struct rf_doc *d, struct fy_node *n, const char *what, uint64_t max, uint64_t *ret)
{
	unsigned long long mag;
	bool neg;
	int r = parse_int(d, n, what, false, &mag, &neg);

	if (r < 0)
		return r;
	if (mag > max)
		return rf_doc_fail(d, n, "%s: %llu is out of range (at most %llu)", what, mag,
				   (unsigned long long)max);
	*ret = mag;
	return 0;
}

bool rf_doc_is_bool(const struct rf_doc *d, struct fy_node *n)
{
	return n && bool_of(d, n) >= 0;
}

int rf_doc_bool(struct rf_doc *d, struct fy_node *n, const char *what, bool *ret)
{
	int v = n ? bool_of(d, n) : -1;

	if (v < 0)
		return rf_doc_fail(d, n, "%s must be true or false", what);
	*ret = v;
	return 0;
}

int rf_doc_strv(struct rf_doc *d, struct fy_node *n, const char *what, size_t max, char ***ret)
{
	_cleanup_strv_free_ char **v = NULL;
	struct fy_node *item;
	void *it = NULL;
	size_t count = 0;

	if (rf_doc_is_null(d, n)) {
		*ret = calloc(1, sizeof(char *));
		return *ret ? 0 : -ENOMEM;
	}
	if (rf_doc_expect_seq(d, n, what) < 0)
		return -EINVAL;
	if ((size_t)fy_node_sequence_item_count(n) > max)
		return rf_doc_fail(d, n, "%s: more than %zu entries", what, max);
	v = calloc((size_t)fy_node_sequence_item_count(n) + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct fy_node *x = rf_doc_node(d, item, what);
		int r;

		if (!x)
			return -EINVAL;
		r = rf_doc_strdup(d, x, what, &v[count]);
		if (r < 0)
			return r;
		count++;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

int rf_doc_each_key(struct rf_doc *d, struct fy_node *map, const char *what, rf_doc_key_fn fn,
		    void *userdata)
{
	struct fy_node_pair *p;
	void *it = NULL;

	if (rf_doc_expect_map(d, map, what) < 0)
		return -EINVAL;
	while ((p = fy_node_mapping_iterate(map, &it))) {
		struct fy_node *k = fy_node_pair_key(p), *v;
		const char *key;
		int r;

		if (!k || rf_doc_str(d, k, "a key", &key, NULL) < 0)
			return -EINVAL;
		v = rf_doc_node(d, fy_node_pair_value(p), key);
		if (!v && fy_node_pair_value(p))
			return -EINVAL;
		r = fn(d, key, k, v, userdata);
		if (r < 0)
			return r;
	}
	return 0;
}

int rf_doc_each_item(struct rf_doc *d, struct fy_node *seq, const char *what, size_t max,
		     rf_doc_item_fn fn, void *userdata)
{
	struct fy_node *item;
	void *it = NULL;
	size_t i = 0;

	if (rf_doc_expect_seq(d, seq, what) < 0)
		return -EINVAL;
	if ((size_t)fy_node_sequence_item_count(seq) > max)
		return rf_doc_fail(d, seq, "%s: more than %zu entries", what, max);
	while ((item = fy_node_sequence_iterate(seq, &it))) {
		struct fy_node *x = rf_doc_node(d, item, what);
		int r;

		if (!x)
			return -EINVAL;
		r = fn(d, i++, x, userdata);
		if (r < 0)
			return r;
	}
	return 0;
}
