/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A profile file as a stream of documents: the checks on the raw text (size, UTF-8, NUL), the
 * limits pass, then one tree per document handed to parse.c. A file holds one profile, or, as
 * the Security Profiles Operator ships its examples, several SeccompProfiles separated by "---",
 * each addressed by its metadata.name. */
#include <ctype.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/utf8.h"
#include "parse-internal.h"

static bool looks_like_json(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)text[i]))
			continue;
		return text[i] == '{' || text[i] == '[';
	}
	return false;
}

/* What the raw text must be before libfyaml sees it. */
static int check_text(const char *text, size_t len, const char *source, struct rf_error *reterr)
{
	unsigned bad;

	if (len == 0)
		return rf_error_set_at(reterr, -EINVAL, source ?: "<input>", 0, "empty document");
	if (len > RF_PROFILE_MAX_BYTES)
		return rf_error_set_at(reterr, -EFBIG, source ?: "<input>", 0,
				       "file is larger than the limit of %u bytes (16 MiB)",
				       RF_PROFILE_MAX_BYTES);
	if ((bad = rf_utf8_invalid_line(text, len)))
		return rf_error_set_at(reterr, -EILSEQ, source ?: "<input>", bad,
				       "not valid UTF-8");
	if (memchr(text, '\0', len))
		return rf_error_set_at(reterr, -EINVAL, source ?: "<input>", 0,
				       "document contains a NUL byte");
	return 0;
}

static bool is_empty_document(struct fy_node *root)
{
	size_t len = 0;

	return !root || (fy_node_is_scalar(root) && fy_node_get_style(root) == FYNS_PLAIN &&
			 fy_node_get_scalar(root, &len) && len == 0);
}

static const char *metadata_name(struct fy_node *root)
{
	struct fy_node *meta = fy_node_is_mapping(root)
				       ? fy_node_mapping_lookup_by_string(root, "metadata", FY_NT)
				       : NULL;
	struct fy_node *n = meta && fy_node_is_mapping(meta)
				    ? fy_node_mapping_lookup_by_string(meta, "name", FY_NT)
				    : NULL;

	return n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
}

/* Document `k` of a stream of several: an SPO SeccompProfile with a name, or an error that says
 * which document. Its errors start with the document ("SeccompProfile 'b': "). */
static int parse_stream_document(struct pctx *c, struct fy_node *root, unsigned k,
				 struct rf_profile *p)
{
	_cleanup_free_ char *label = NULL;
	const char *name = metadata_name(root);
	int r;

	if (!fy_node_is_mapping(root) ||
	    !(fy_node_mapping_lookup_by_string(root, "apiVersion", FY_NT) ||
	      fy_node_mapping_lookup_by_string(root, "kind", FY_NT)))
		return rf_error_set_at(c->d.err, -EINVAL, c->d.source ?: "<input>",
				       sp_node_line(root),
				       "document %u: a file of several documents may hold Security "
				       "Profiles Operator SeccompProfiles only",
				       k);
	if (name ? asprintf(&label, "SeccompProfile '%s': ", name) < 0
		 : asprintf(&label, "document %u: ", k) < 0)
		return -ENOMEM;
	c->d.label = label;
	r = sp_parse_document(c, root, p);
	c->d.label = NULL;
	if (r < 0)
		return r;
	if (!p->spo_name)
		return rf_error_set_at(c->d.err, -EINVAL, c->d.source ?: "<input>",
				       sp_node_line(root),
				       "document %u: a SeccompProfile among several needs a "
				       "metadata.name, which addresses it (FILE#NAME)",
				       k);
	p->document = k;
	return 0;
}

static int append(struct rf_profile ***v, size_t *n, struct rf_profile *p)
{
	struct rf_profile **nv = reallocarray(*v, *n + 1, sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	(*v)[(*n)++] = p;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct rf_profile *x = *(const struct rf_profile *const *)a;
	const struct rf_profile *y = *(const struct rf_profile *const *)b;
	int c = strcmp(x->spo_name, y->spo_name);

	return c ? c : (x->document > y->document) - (x->document < y->document);
}

/* Names address the profiles of a stream, so they must differ (sorted: O(n log n)). */
static int check_unique_names(struct pctx *c, struct rf_profile **v, size_t n)
{
	_cleanup_free_ struct rf_profile **s = calloc(n ?: 1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	memcpy(s, v, n * sizeof(*s));
	qsort_safe(s, n, sizeof(*s), by_name);
	for (size_t i = 1; i < n; i++)
		if (streq(s[i]->spo_name, s[i - 1]->spo_name))
			return rf_error_set_at(c->d.err, -EINVAL, c->d.source ?: "<input>",
					       s[i]->line_default_action,
					       "SeccompProfile '%s': document %u has the same "
					       "name; names address the profiles of a file, so "
					       "they must differ",
					       s[i]->spo_name, s[i - 1]->document);
	return 0;
}

/* Loads and parses every document; `stream` when the file has several with content. */
static int parse_documents(struct pctx *c, const char *text, size_t len, bool stream,
			   bool skip_empty, struct rf_profile ***ret, size_t *ret_n)
{
	_cleanup_(rf_doc_stream_freep) struct rf_doc_stream *ds = NULL;
	struct rf_error *err = c->d.err;
	const char *source = c->d.source;
	struct rf_profile **v = NULL;
	struct rf_doc doc;
	size_t n = 0;
	unsigned k = 0;
	int r;

	r = rf_doc_stream_open(text, len, source, c->json ? RF_DOC_JSON : RF_DOC_YAML, 0, &ds, err);
	while (r >= 0 && (r = rf_doc_stream_next(ds, &doc, err)) > 0) {
		struct fy_node *root = rf_doc_root(&doc);
		struct rf_profile *p = NULL;

		k++;
		c->d = doc;
		if (!(skip_empty && is_empty_document(root))) {
			p = rf_profile_new();
			r = !p	     ? -ENOMEM
			    : stream ? parse_stream_document(c, root, k, p)
				     : sp_parse_document(c, root, p);
			if (r >= 0)
				r = append(&v, &n, p);
			if (r < 0)
				rf_profile_free(p);
		}
		rf_doc_done(&doc);
		c->d = (struct rf_doc){ .source = source, .err = err };
	}
	if (r >= 0 && n == 0)
		r = rf_error_set_at(err, -EINVAL, source ?: "<input>", 0,
				    "syntax error: not a valid JSON/YAML document");
	if (r >= 0 && stream)
		r = check_unique_names(c, v, n);
	if (r < 0) {
		rf_profile_free_all(v, n);
		return r == -ENOMEM ? rf_error_set(err, r, "out of memory") : r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int rf_profile_parse_all(const char *text, size_t len, const char *source, struct rf_profile ***ret,
			 size_t *ret_n, struct rf_error *reterr)
{
	struct pctx c = { .d = { .source = source, .err = reterr } };
	struct sp_stream st = { 0 };
	int r;

	if (!text || !ret || !ret_n)
		return -EINVAL;
	r = check_text(text, len, source, reterr);
	if (r < 0)
		return r;
	c.json = looks_like_json(text, len);
	c.d.dialect = c.json ? RF_DOC_JSON : RF_DOC_YAML;
	r = sp_check_limits(&c, text, len, &st);
	if (r < 0)
		return r;
	/* Back-to-back JSON values would otherwise be ignored silently. */
	if (c.json && st.docs > 1)
		return rf_error_set_at(reterr, -EINVAL, source ?: "<input>", st.second_doc_line,
				       "more than one document; a JSON profile holds exactly one");
	return parse_documents(&c, text, len, st.content_docs > 1, st.docs > 1, ret, ret_n);
}

void rf_profile_free_all(struct rf_profile **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		rf_profile_free(v[i]);
	free(v);
}

/* "a, b, c" of the profiles' names, for messages. */
static char *names_of(struct rf_profile **v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", v[i]->spo_name ?: "(unnamed)");
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int rf_profile_parse_named(const char *text, size_t len, const char *source, const char *name,
			   struct rf_profile **ret, struct rf_error *reterr)
{
	_cleanup_free_ char *names = NULL;
	struct rf_profile **v = NULL;
	size_t n = 0;
	int r = rf_profile_parse_all(text, len, source, &v, &n, reterr);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (name ? v[i]->spo_name && streq(v[i]->spo_name, name) : n == 1) {
			*ret = TAKE_PTR(v[i]);
			rf_profile_free_all(v, n);
			return 0;
		}
	names = names_of(v, n);
	rf_profile_free_all(v, n);
	if (name)
		return rf_error_set_at(reterr, -ENOENT, source ?: "<input>", 0,
				       "no SeccompProfile named '%s' here (it holds: %s)", name,
				       names ?: "?");
	return rf_error_set_at(reterr, -EINVAL, source ?: "<input>", 0,
			       "the file holds %zu SeccompProfiles (%s): name one as %s#NAME", n,
			       names ?: "?", !source || streq(source, "<stdin>") ? "-" : source);
}

int rf_profile_parse(const char *text, size_t len, const char *source, struct rf_profile **ret,
		     struct rf_error *reterr)
{
	if (!ret)
		return -EINVAL;
	return rf_profile_parse_named(text, len, source, NULL, ret, reterr);
}
