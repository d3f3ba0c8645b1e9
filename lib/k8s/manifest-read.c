/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading manifests for audit: files, directories (recursively *.yaml, *.yml, *.json, sorted)
 * and stdin; multi-document YAML read by one parser per stretch of a file, where a syntax error
 * ends a stretch and the next `---` line starts another; and the replay, which parses a file
 * again to hand each workload to the checks, so that only --fix keeps every document of the
 * input in memory. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "core/utf8.h"
#include "k8s-internal.h"

/* ---- parsers ---- */

struct fy_diag *k8s_diag(struct rf_audit *a)
{
	struct fy_diag_cfg dcfg;

	if (a->diag)
		return a->diag;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.colorize = false;
	a->diag = fy_diag_create(&dcfg);
	if (a->diag)
		fy_diag_set_collect_errors(a->diag, true);
	return a->diag;
}

/* A parser over text[0..len), or NULL (out of memory, or the text cannot even be set up: the
 * diag then holds why). */
struct fy_parser *k8s_parser(struct rf_audit *a, const char *text, size_t len)
{
	struct fy_parse_cfg cfg = {
		.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_JSON_NONE |
			 (a->parse_comments ? FYPCF_PARSE_COMMENTS : 0),
		.diag = k8s_diag(a),
	};
	struct fy_parser *fyp;

	if (!cfg.diag || !(fyp = fy_parser_create(&cfg)))
		return NULL;
	if (fy_parser_set_string(fyp, text, len) < 0) {
		fy_parser_destroy(fyp);
		return NULL;
	}
	return fyp;
}

static size_t diag_count(struct fy_diag *diag)
{
	void *it = NULL;
	size_t n = 0;

	while (fy_diag_errors_iterate(diag, &it))
		n++;
	return n;
}

/* The first error libfyaml collected after the first `skip` ones (earlier parsers'). */
static const struct fy_diag_error *diag_error(struct fy_diag *diag, size_t skip)
{
	struct fy_diag_error *e;
	void *it = NULL;

	while (diag && (e = fy_diag_errors_iterate(diag, &it)))
		if (skip > 0)
			skip--;
		else if (e->type >= FYET_ERROR)
			return e;
	return NULL;
}

/* ---- segments: recovering from a syntax error ---- */

static bool is_doc_start(const char *p, const char *end)
{
	return end - p >= 3 && !memcmp(p, "---", 3) &&
	       (end - p == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r' || p[3] == '\n');
}

/* Where reading can go on after a syntax error on absolute line `err_line` of the segment that
 * starts at `from` (line from_line): the first line, from the error's own on, that is a
 * document start marker ("---" then a blank or the end). YAML forbids such a line inside any
 * scalar or collection, so it really begins a document. It must lie after `from`, or reading
 * would start over at the same broken document. */
static bool resume_point(const struct k8s_source *src, size_t from, unsigned from_line,
			 unsigned err_line, size_t *ret_off, unsigned *ret_line)
{
	const char *p = src->text + from, *end = src->text + src->len;
	unsigned line = from_line;

	for (; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (line >= err_line && p > src->text + from && is_doc_start(p, end)) {
			*ret_off = (size_t)(p - src->text);
			*ret_line = line;
			return true;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return false;
}

static int add_segment(struct k8s_source *src, size_t offset, unsigned line_base)
{
	struct k8s_segment *n = realloc(src->segs, (src->n_segs + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	src->segs = n;
	n[src->n_segs++] = (struct k8s_segment){ .offset = offset,
						 .line_base = line_base,
						 .first_doc = src->n_docs };
	return 0;
}

/* Reads the documents of the last segment until its end or a syntax error (*ret_broken). */
static int read_segment(struct rf_audit *a, struct k8s_source *src, bool *ret_broken)
{
	size_t s = src->n_segs - 1;
	struct k8s_segment *seg = &src->segs[s];
	struct fy_parser *fyp = k8s_parser(a, src->text + seg->offset, src->len - seg->offset);
	int r = 0;

	*ret_broken = !fyp;
	if (!fyp)
		return a->diag ? 0 : -ENOMEM;
	for (;;) {
		struct fy_document *doc, **nd;
		size_t first_obj = a->n_objs, d = src->n_docs;

		if (a->n_docs >= K8S_MAX_DOCUMENTS) {
			r = k8s_add_error(
				a, src->path, 0, 0,
				pss_printf("%s: not read from its document %zu on: the input "
					   "has more than %u documents",
					   src->path, d + 1, K8S_MAX_DOCUMENTS));
			break;
		}
		doc = fy_parse_load_document(fyp);
		if (!doc) {
			*ret_broken = fy_parser_get_stream_error(fyp);
			break;
		}
		nd = realloc(src->docs, (src->n_docs + 1) * sizeof(*nd));
		if (!nd) {
			fy_parse_document_destroy(fyp, doc);
			r = -ENOMEM;
			break;
		}
		src->docs = nd;
		src->docs[src->n_docs++] = doc;
		seg->n_docs++;
		a->n_docs++;
		r = k8s_walk_document(a, src, s, d, fy_document_root(doc), NULL);
		/* Without --fix the tree goes now; the checks get it back by a replay. */
		if (!a->keep_docs) {
			for (size_t i = first_obj; i < a->n_objs; i++)
				k8s_object_unbind(a->objs[i]);
			fy_parse_document_destroy(fyp, doc);
			src->docs[d] = NULL;
		}
		if (r < 0)
			break;
	}
	if (a->keep_docs)
		seg->fyp = fyp;
	else
		fy_parser_destroy(fyp);
	return r;
}

/* The syntax error that ended the last segment, and whether (and where) reading resumes. */
static int syntax_error(struct rf_audit *a, struct k8s_source *src, size_t diag_before,
			unsigned recoveries, size_t *ret_off, unsigned *ret_line_base)
{
	const struct k8s_segment *seg = &src->segs[src->n_segs - 1];
	const struct fy_diag_error *e = diag_error(a->diag, diag_before);
	unsigned line = e && e->line > 0 ? seg->line_base + (unsigned)e->line : 0;
	unsigned column = e && e->column > 0 ? (unsigned)e->column : 0;
	unsigned at = 0;
	bool resume = resume_point(src, seg->offset, seg->line_base + 1, line, ret_off, &at);
	_cleanup_free_ char *where = NULL, *tail = NULL;

	src->broken = true;
	where = line ? pss_printf("%s:%u:%u", src->path, line, column) : strdup(src->path);
	if (resume && recoveries < K8S_MAX_RECOVERIES)
		tail = pss_printf("; reading goes on at the next document, line %u", at);
	else if (resume)
		tail = pss_printf(
			"; the rest of the file, from line %u, was not read (more than %u "
			"syntax errors)",
			at, K8S_MAX_RECOVERIES);
	else
		tail = strdup("; nothing after it in the file was read");
	if (!where || !tail)
		return -ENOMEM;
	*ret_line_base = at ? at - 1 : 0;
	return k8s_add_error(a, src->path, line, column,
			     pss_printf("%s: syntax error: %s%s", where,
					e && e->msg ? e->msg : "not a valid YAML/JSON document",
					tail)) < 0
		       ? -ENOMEM
		       : resume && recoveries < K8S_MAX_RECOVERIES;
}

static int read_source(struct rf_audit *a, struct k8s_source *src)
{
	size_t offset = 0;
	unsigned line_base = 0;
	int r;

	for (unsigned recoveries = 0;; recoveries++) {
		size_t before;
		bool broken;

		if (!k8s_diag(a))
			return -ENOMEM;
		before = diag_count(a->diag);
		if ((r = add_segment(src, offset, line_base)) < 0 ||
		    (r = read_segment(a, src, &broken)) < 0)
			return r;
		if (!broken)
			return 0;
		r = syntax_error(a, src, before, recoveries, &offset, &line_base);
		if (r <= 0)
			return r;
	}
}

int rf_audit_add_text(struct rf_audit *a, const char *name, const char *text, size_t len,
		      struct rf_error *reterr)
{
	struct k8s_source *src, **ns;
	unsigned bad;

	(void)reterr;
	if (len > K8S_MAX_FILE_BYTES)
		return k8s_add_error(
			a, name, 0, 0,
			pss_printf("%s: larger than %u bytes", name, K8S_MAX_FILE_BYTES));
	if ((bad = rf_utf8_invalid_line(text, len)))
		return k8s_add_error(a, name, bad, 0,
				     pss_printf("%s:%u: not valid UTF-8", name, bad));
	if (memchr(text, '\0', len))
		return k8s_add_error(a, name, 0, 0, pss_printf("%s: contains a NUL byte", name));
	src = calloc(1, sizeof(*src));
	ns = src ? realloc(a->srcs, (a->n_srcs + 1) * sizeof(*ns)) : NULL;
	if (!ns) {
		free(src);
		return -ENOMEM;
	}
	a->srcs = ns;
	a->srcs[a->n_srcs++] = src;
	src->path = strdup(name);
	src->text = malloc(len + 1);
	if (!src->path || !src->text)
		return -ENOMEM;
	memcpy(src->text, text, len);
	src->text[len] = '\0';
	src->len = len;
	return read_source(a, src);
}

/* ---- replay ---- */

/* Marks the objects the replay did not reach (a document that would not parse again: never
 * expected, but a workload must not pass unchecked). */
static int unreached(struct rf_audit *a, struct k8s_replay *rp, const struct k8s_source *src,
		     size_t seg)
{
	while (rp->next < a->n_objs && a->objs[rp->next]->src == src &&
	       a->objs[rp->next]->seg == seg) {
		struct k8s_object *o = a->objs[rp->next++];

		if (!o->w.error &&
		    !(o->w.error = pss_printf("%s:%u:%u: could not be read a second time",
					      src->path, o->w.line, o->w.column)))
			return -ENOMEM;
	}
	return 0;
}

static int replay_segment(struct rf_audit *a, struct k8s_source *src, size_t s,
			  struct k8s_replay *rp)
{
	const struct k8s_segment *seg = &src->segs[s];
	struct fy_parser *fyp;
	int r = 0;

	if (rp->next >= a->n_objs || a->objs[rp->next]->src != src || a->objs[rp->next]->seg != s)
		return 0; /* no workload in this stretch */
	fyp = k8s_parser(a, src->text + seg->offset, src->len - seg->offset);
	if (!fyp)
		return a->diag ? unreached(a, rp, src, s) : -ENOMEM;
	for (size_t d = 0; r >= 0 && d < seg->n_docs; d++) {
		struct fy_document *doc = fy_parse_load_document(fyp);

		if (!doc)
			break;
		r = k8s_walk_document(a, src, s, seg->first_doc + d, fy_document_root(doc), rp);
		fy_parse_document_destroy(fyp, doc);
	}
	fy_parser_destroy(fyp);
	return r < 0 ? r : unreached(a, rp, src, s);
}

int k8s_for_each_object(struct rf_audit *a, k8s_object_fn fn, void *userdata)
{
	struct k8s_replay rp = { .fn = fn, .userdata = userdata };
	int r;

	if (a->keep_docs) {
		for (size_t i = 0; i < a->n_objs; i++)
			if ((r = fn(a, a->objs[i], userdata)) < 0)
				return r;
		return 0;
	}
	for (size_t i = 0; i < a->n_srcs; i++)
		for (size_t s = 0; s < a->srcs[i]->n_segs; s++)
			if ((r = replay_segment(a, a->srcs[i], s, &rp)) < 0)
				return r;
	return 0;
}

/* ---- files and directories ---- */

static bool wanted_name(const char *n)
{
	size_t l = strlen(n);

	return (l > 5 && streq(n + l - 5, ".yaml")) || (l > 4 && streq(n + l - 4, ".yml")) ||
	       (l > 5 && streq(n + l - 5, ".json"));
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Below the directory named on the command line, symlinks to directories are not followed (a
 * `ln -s . x` loop made the walk exponential: 20 s, 4 GB, one pod reported 17 times); symlinks
 * to files are (a ConfigMap's keys are symlinks), and no file is read twice. */
static int add_dir(struct rf_audit *a, const char *path, int depth, struct rf_error *reterr)
{
	struct slist names = { 0 };
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > 32)
		return k8s_add_error(a, path, 0, 0,
				     pss_printf("%s: directories nested too deep", path));
	d = opendir(path);
	if (!d)
		return rf_error_set(reterr, -errno, "cannot open directory '%s': %s", path,
				    strerror(errno));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && slist_add(&names, de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
	closedir(d);
	if (names.n > 1)
		qsort_safe(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; r >= 0 && i < names.n; i++) {
		size_t plen = strlen(path);
		_cleanup_free_ char *full = pss_printf(
			"%s%s%s", path, plen && path[plen - 1] == '/' ? "" : "/", names.v[i]);
		struct stat st;

		if (!full) {
			r = -ENOMEM;
			break;
		}
		if (lstat(full, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			r = rf_seen_add(&a->seen_dirs, &st);
			if (r > 0)
				r = add_dir(a, full, depth + 1, reterr);
			continue;
		}
		if (S_ISLNK(st.st_mode) && stat(full, &st) < 0)
			continue; /* dangling */
		if (S_ISREG(st.st_mode) && wanted_name(names.v[i]))
			r = rf_audit_add_path(a, full, reterr);
	}
	slist_done(&names);
	return r;
}

int rf_audit_add_path(struct rf_audit *a, const char *path, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	if (!streq(path, "-") && stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			r = rf_seen_add(&a->seen_dirs, &st);
			return r <= 0 ? r : add_dir(a, path, 0, reterr);
		}
		/* The same file named twice (directly, through a link or a directory) is read
		 * and reported once. */
		if (S_ISREG(st.st_mode) && (r = rf_seen_add(&a->seen_files, &st)) <= 0)
			return r;
	}
	r = rf_read_file(path, K8S_MAX_FILE_BYTES, &text, &len, reterr);
	if (r == -EFBIG) {
		rf_error_clear(reterr);
		return k8s_add_error(
			a, path, 0, 0,
			pss_printf("%s: larger than %u bytes", path, K8S_MAX_FILE_BYTES));
	}
	if (r < 0)
		return r;
	return rf_audit_add_text(a, streq(path, "-") ? "<stdin>" : path, text, len, reterr);
}
