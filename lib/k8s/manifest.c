/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads Kubernetes manifests: files, directories (recursively *.yaml, *.yml, *.json, sorted)
 * or stdin; multi-document YAML; List kinds. Finds the nine kinds Pod Security Admission
 * evaluates and their pod templates, the Namespace objects whose pod-security labels choose a
 * policy, and runs the checks. A document that cannot be read is an error of that document. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "core/utf8.h"
#include "k8s-internal.h"

/* Where each kind keeps its pod template (metadata and spec live under it). */
static const struct {
	const char *kind;
	const char *const path[4];
	const char *prefix;
} workload_kinds[] = {
	{ "Pod", { NULL }, "" },
	{ "ReplicationController", { "spec", "template", NULL }, "spec.template." },
	{ "PodTemplate", { "template", NULL }, "template." },
	{ "ReplicaSet", { "spec", "template", NULL }, "spec.template." },
	{ "Deployment", { "spec", "template", NULL }, "spec.template." },
	{ "StatefulSet", { "spec", "template", NULL }, "spec.template." },
	{ "DaemonSet", { "spec", "template", NULL }, "spec.template." },
	{ "Job", { "spec", "template", NULL }, "spec.template." },
	{ "CronJob", { "spec", "jobTemplate", "spec", "template" }, "spec.jobTemplate.spec.template." },
};

static const char *const label_names[6] = {
	"pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/enforce-version",
	"pod-security.kubernetes.io/audit",   "pod-security.kubernetes.io/audit-version",
	"pod-security.kubernetes.io/warn",    "pod-security.kubernetes.io/warn-version",
};

int rf_audit_new(struct rf_audit **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

static void object_free(struct k8s_object *o)
{
	if (!o)
		return;
	pss_violations_free(o->w.violations, o->w.n_violations);
	free(o->w.error);
	free(o->spec_path);
	free(o->meta_path);
	free(o->kind);
	free(o->ns);
	free(o->name);
	free(o->api_version);
	free(o->policy_source_buf);
	free(o);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct k8s_object *, object_free)

void rf_audit_set_keep_comments(struct rf_audit *a, bool on)
{
	a->keep_comments = on;
}

void rf_audit_free(struct rf_audit *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_objs; i++)
		object_free(a->objs[i]);
	free(a->objs);
	for (size_t i = 0; i < a->n_srcs; i++) {
		struct k8s_source *s = a->srcs[i];
		for (size_t d = 0; d < s->n_docs; d++)
			fy_parse_document_destroy(s->fyp, s->docs[d]);
		free(s->docs);
		if (s->fyp)
			fy_parser_destroy(s->fyp);
		free(s->text);
		free(s->path);
		free(s);
	}
	free(a->srcs);
	for (size_t i = 0; i < a->n_nss; i++) {
		free(a->nss[i].name);
		for (size_t k = 0; k < ELEMENTSOF(a->nss[i].labels); k++)
			free(a->nss[i].labels[k]);
	}
	free(a->nss);
	for (size_t i = 0; i < a->n_errors; i++) {
		free(a->errors[i].text);
		free(a->errors[i].file);
	}
	free(a->errors);
	rf_seen_done(&a->seen_files);
	rf_seen_done(&a->seen_dirs);
	if (a->diag)
		fy_diag_destroy(a->diag);
	free(a);
}

/* Records an input error; takes `msg`. `file` may be NULL, line and column 0. */
static int add_error_at(struct rf_audit *a, const char *file, unsigned line, unsigned column,
			char *msg)
{
	struct k8s_error *n;
	char *f = NULL;

	if (!msg || (file && !(f = strdup(file)))) {
		free(msg);
		return -ENOMEM;
	}
	n = realloc(a->errors, (a->n_errors + 1) * sizeof(*n));
	if (!n) {
		free(msg);
		free(f);
		return -ENOMEM;
	}
	a->errors = n;
	a->errors[a->n_errors++] = (struct k8s_error){ msg, f, line, column };
	return 0;
}

static int add_error(struct rf_audit *a, const char *file, char *msg)
{
	return add_error_at(a, file, 0, 0, msg);
}

/* The error a typed accessor recorded, with its location. */
static int add_ctx_error(struct rf_audit *a, struct kctx *c)
{
	return add_error_at(a, c->file, c->line, c->column, TAKE_PTR(c->error));
}

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int add_namespace(struct rf_audit *a, struct kctx *c, struct fy_node *obj)
{
	struct fy_node *meta = k_map(c, obj, "", "metadata");
	struct fy_node *labels = k_map(c, meta, "metadata", "labels");
	const char *name = k_str(c, meta, "metadata", "name");
	struct k8s_namespace *n;

	if (!name)
		return 0;
	n = realloc(a->nss, (a->n_nss + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	a->nss = n;
	n = &a->nss[a->n_nss++];
	*n = (struct k8s_namespace){ .name = strdup(name) };
	for (size_t i = 0; i < ELEMENTSOF(label_names); i++)
		n->labels[i] = dupstr(k_str(c, labels, "metadata.labels", label_names[i]));
	return n->name ? 0 : -ENOMEM;
}

static int add_object(struct rf_audit *a, struct k8s_source *src, struct kctx *c,
		      struct fy_node *obj, const char *kind, size_t k)
{
	_cleanup_(object_freep) struct k8s_object *o = calloc(1, sizeof(*o));
	struct fy_node *meta = k_map(c, obj, "", "metadata"), *tmpl = obj;
	struct k8s_object **n;
	const char *s;

	if (!o)
		return -ENOMEM;
	o->src = src;
	o->obj = obj;
	o->kind = strdup(kind);
	o->name = dupstr(k_str(c, meta, "metadata", "name") ?: k_str(c, meta, "metadata", "generateName"));
	o->ns = dupstr(k_str(c, meta, "metadata", "namespace"));
	o->api_version = dupstr(k_str(c, obj, "", "apiVersion"));
	for (size_t i = 0; i < ELEMENTSOF(workload_kinds[k].path) && workload_kinds[k].path[i]; i++)
		tmpl = k_map(c, tmpl, "", workload_kinds[k].path[i]);
	o->pod_meta = k_map(c, tmpl, "", "metadata");
	o->pod_spec = k_map(c, tmpl, "", "spec");
	o->spec_path = pss_printf("%sspec", workload_kinds[k].prefix);
	o->meta_path = pss_printf("%smetadata", workload_kinds[k].prefix);
	if (!o->kind || !o->spec_path || !o->meta_path)
		return -ENOMEM;
	o->w.file = src->path;
	k_loc(obj, &o->w.line, &o->w.column);
	o->w.kind = o->kind;
	o->w.name = o->name ?: "<unnamed>";
	o->w.namespace = o->ns;
	o->w.api_version = o->api_version;
	if (c->error) {
		o->w.error = TAKE_PTR(c->error);
		o->w.error_line = c->line;
		o->w.error_column = c->column;
	} else if (!o->pod_spec) {
		s = workload_kinds[k].prefix;
		o->w.error = pss_printf("%s:%u:%u: %s %s has no %sspec: nothing to check", src->path,
					o->w.line, o->w.column, kind, o->w.name, s);
		o->w.error_line = o->w.line;
		o->w.error_column = o->w.column;
	}
	n = realloc(a->objs, (a->n_objs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	a->objs = n;
	a->objs[a->n_objs++] = TAKE_PTR(o);
	return 0;
}

static int add_node(struct rf_audit *a, struct k8s_source *src, struct fy_node *obj, int depth)
{
	struct kctx c = { .file = src->path };
	const char *kind;
	int r = 0;

	obj = k_deref(obj);
	if (k_is_null(obj))
		return 0;
	if (!fy_node_is_mapping(obj)) {
		k_fail(&c, obj, "a Kubernetes object must be a mapping");
		return add_ctx_error(a, &c);
	}
	kind = k_str(&c, obj, "", "kind");
	if (kind && strlen(kind) >= 4 && streq(kind + strlen(kind) - 4, "List")) {
		struct fy_node *items = k_seq(&c, obj, kind, "items"), *it_node;
		void *it = NULL;

		if (depth > 4)
			k_fail(&c, obj, "Lists nested too deep");
		if (c.error)
			return add_ctx_error(a, &c);
		while (items && (it_node = fy_node_sequence_iterate(items, &it)))
			if ((r = add_node(a, src, it_node, depth + 1)) < 0)
				return r;
		return 0;
	}
	if (!kind) {
		if (!c.error)
			k_fail(&c, obj, "object has no kind");
		return add_ctx_error(a, &c);
	}
	if (streq(kind, "Namespace")) {
		r = add_namespace(a, &c, obj);
		if (r >= 0 && c.error)
			r = add_ctx_error(a, &c);
		kctx_done(&c);
		return r;
	}
	for (size_t k = 0; k < ELEMENTSOF(workload_kinds); k++)
		if (streq(kind, workload_kinds[k].kind)) {
			r = add_object(a, src, &c, obj, kind, k);
			kctx_done(&c);
			return r;
		}
	a->n_skipped++;
	kctx_done(&c);
	return 0;
}


static size_t diag_count(struct fy_diag *diag)
{
	void *it = NULL;
	size_t n = 0;

	while (fy_diag_errors_iterate(diag, &it))
		n++;
	return n;
}

/* The first error libfyaml collected after the first `skip` ones (earlier files'). */
static int diag_error(struct rf_audit *a, const char *path, struct fy_diag *diag, size_t skip)
{
	struct fy_diag_error *e;
	void *it = NULL;

	while (diag && (e = fy_diag_errors_iterate(diag, &it)))
		if (skip > 0)
			skip--;
		else if (e->type >= FYET_ERROR)
			return add_error_at(a, path, (unsigned)e->line, (unsigned)e->column,
					    pss_printf("%s:%d:%d: syntax error: %s", path, e->line,
						       e->column, e->msg ?: "invalid document"));
	return add_error(a, path,
			 pss_printf("%s: syntax error: not a valid YAML/JSON document", path));
}

int rf_audit_add_text(struct rf_audit *a, const char *name, const char *text, size_t len,
		      struct rf_error *reterr)
{
	struct k8s_source *src, **ns;
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag;
	struct fy_parse_cfg cfg = { 0 };
	size_t n_before;
	struct fy_document *doc;
	unsigned bad;
	int r;

	(void)reterr;
	if (len > K8S_MAX_FILE_BYTES)
		return add_error(a, name,
				 pss_printf("%s: larger than %u bytes", name, K8S_MAX_FILE_BYTES));
	if ((bad = rf_utf8_invalid_line(text, len)))
		return add_error_at(a, name, bad, 0, pss_printf("%s:%u: not valid UTF-8", name, bad));
	if (memchr(text, '\0', len))
		return add_error(a, name, pss_printf("%s: contains a NUL byte", name));
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
	if (!a->diag) {
		fy_diag_cfg_default(&dcfg);
		dcfg.fp = NULL;
		dcfg.output_fn = NULL;
		dcfg.colorize = false;
		a->diag = fy_diag_create(&dcfg);
		if (!a->diag)
			return -ENOMEM;
		fy_diag_set_collect_errors(a->diag, true);
	}
	diag = a->diag;
	fy_diag_reset_error(diag);
	n_before = diag_count(diag);
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_JSON_NONE |
		    (a->keep_comments ? FYPCF_PARSE_COMMENTS : 0);
	cfg.diag = diag;
	src->fyp = fy_parser_create(&cfg);
	if (!src->fyp)
		return -ENOMEM;
	if (fy_parser_set_string(src->fyp, src->text, src->len) < 0)
		return diag_error(a, name, diag, n_before);
	for (;;) {
		struct fy_document **nd;
		size_t first = src->n_docs;

		doc = fy_parse_load_document(src->fyp);
		if (!doc) {
			if (fy_parser_get_stream_error(src->fyp))
				return diag_error(a, name, diag, n_before);
			break;
		}
		nd = realloc(src->docs, (src->n_docs + 1) * sizeof(*nd));
		if (!nd) {
			fy_parse_document_destroy(src->fyp, doc);
			return -ENOMEM;
		}
		src->docs = nd;
		src->docs[src->n_docs++] = doc;
		if ((r = add_node(a, src, fy_document_root(doc), 0)) < 0)
			return r;
		(void)first;
	}
	return 0;
}

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
		return add_error(a, path, pss_printf("%s: directories nested too deep", path));
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
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; r >= 0 && i < names.n; i++) {
		size_t plen = strlen(path);
		_cleanup_free_ char *full = pss_printf("%s%s%s", path,
						       plen && path[plen - 1] == '/' ? "" : "/",
						       names.v[i]);
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
		return add_error(a, path,
				 pss_printf("%s: larger than %u bytes", path, K8S_MAX_FILE_BYTES));
	}
	if (r < 0)
		return r;
	return rf_audit_add_text(a, streq(path, "-") ? "<stdin>" : path, text, len, reterr);
}

/* The policy of a namespace: the most restrictive of its enforce, audit and warn labels. */
static void namespace_policy(const struct rf_audit *a, const char *ns, enum rf_pss_level *level,
			     struct rf_pss_version *version, char **source)
{
	int best = -1;

	for (size_t i = 0; i < a->n_nss; i++) {
		if (!streq(a->nss[i].name, ns))
			continue;
		for (int m = 0; m < 3; m++) {
			const char *lv = a->nss[i].labels[2 * m], *ver = a->nss[i].labels[2 * m + 1];
			enum rf_pss_level l;
			struct rf_pss_version v = { .minor = RF_PSS_NEWEST_MINOR, .latest = true };
			bool invalid = false;

			if (!lv)
				continue;
			if (rf_pss_level_from_string(lv, &l) < 0)
				invalid = true;
			if (ver && rf_pss_version_parse(ver, &v) < 0)
				invalid = true;
			if (invalid) /* as Pod Security Admission: invalid labels mean restricted:latest */
				l = RF_PSS_RESTRICTED, v = (struct rf_pss_version){ RF_PSS_NEWEST_MINOR, true };
			if ((int)l > best) {
				best = (int)l;
				*level = l;
				*version = v;
				free(*source);
				*source = pss_printf("namespace %s label %s=%s%s%s%s", ns, label_names[2 * m], lv,
						     ver ? ", " : "", ver ? label_names[2 * m + 1] : "",
						     ver ? (invalid ? "=<invalid>" : "=") : "");
				if (*source && ver && !invalid) {
					char *t = pss_printf("%s%s", *source, ver);
					free(*source);
					*source = t;
				}
			}
		}
	}
}

int rf_audit_run(struct rf_audit *a, const struct rf_audit_opts *opts)
{
	for (size_t i = 0; i < a->n_objs; i++) {
		struct k8s_object *o = a->objs[i];
		struct kctx c = { .file = o->src->path };
		enum rf_pss_level level = RF_PSS_RESTRICTED;
		struct rf_pss_version version = { RF_PSS_NEWEST_MINOR, true };
		char *src = NULL;
		int r;

		pss_violations_free(o->w.violations, o->w.n_violations);
		o->w.violations = NULL;
		o->w.n_violations = 0;
		namespace_policy(a, o->ns ?: "default", &level, &version, &src);
		if (opts->level_set)
			level = opts->level;
		if (opts->version_set)
			version = opts->version;
		free(o->policy_source_buf);
		if (src && (opts->level_set || opts->version_set)) {
			o->policy_source_buf = pss_printf("%s, overridden by %s%s%s", src,
							  opts->level_set ? "--level" : "",
							  opts->level_set && opts->version_set ? " and " : "",
							  opts->version_set ? "--version" : "");
			free(src);
		} else if (src) {
			o->policy_source_buf = src;
		} else {
			o->policy_source_buf = strdup(opts->level_set || opts->version_set
							      ? "command line"
							      : "default (no namespace labels in the input)");
		}
		if (!o->policy_source_buf)
			return -ENOMEM;
		o->w.policy_source = o->policy_source_buf;
		o->w.level = level;
		o->w.version = version;
		if (o->w.error)
			continue;
		r = pss_evaluate(&c, o->pod_meta, o->pod_spec, o->spec_path, level, version.minor,
				 &o->w.violations, &o->w.n_violations);
		if (r < 0) {
			kctx_done(&c);
			return r;
		}
		if (c.error) {
			pss_violations_free(o->w.violations, o->w.n_violations);
			o->w.violations = NULL;
			o->w.n_violations = 0;
			o->w.error = TAKE_PTR(c.error);
			o->w.error_line = c.line;
			o->w.error_column = c.column;
		}
	}
	return 0;
}

size_t rf_audit_n_workloads(const struct rf_audit *a)
{
	return a->n_objs;
}

const struct rf_audit_workload *rf_audit_workload(const struct rf_audit *a, size_t i)
{
	return i < a->n_objs ? &a->objs[i]->w : NULL;
}

size_t rf_audit_n_skipped(const struct rf_audit *a)
{
	return a->n_skipped;
}

size_t rf_audit_n_errors(const struct rf_audit *a)
{
	return a->n_errors;
}

const char *rf_audit_error(const struct rf_audit *a, size_t i)
{
	return i < a->n_errors ? a->errors[i].text : NULL;
}

size_t rf_audit_n_unchecked(const struct rf_audit *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_objs; i++)
		n += a->objs[i]->w.error != NULL;
	return n;
}

size_t rf_audit_n_failed(const struct rf_audit *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_objs; i++)
		n += a->objs[i]->w.n_violations > 0;
	return n;
}
