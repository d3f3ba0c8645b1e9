/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit's model of what it read: finds the nine kinds Pod Security Admission evaluates (in
 * their API groups) and their pod templates in each document (List kinds too), the Namespace
 * objects whose pod-security labels choose a policy, and runs the checks. Reading files and
 * parsing is manifest-read.c. A document that cannot be read is an error of that document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "k8s-internal.h"

/* Where each kind keeps its pod template (metadata and spec live under it), and its API group:
 * Pod Security Admission evaluates these kinds of the core, apps and batch groups only, so a
 * DaemonSet of apps.kruise.io is not one of them. */
static const struct {
	const char *kind;
	const char *group;
	const char *const path[4];
	const char *prefix;
} workload_kinds[] = {
	{ "Pod", "", { NULL }, "" },
	{ "ReplicationController", "", { "spec", "template", NULL }, "spec.template." },
	{ "PodTemplate", "", { "template", NULL }, "template." },
	{ "ReplicaSet", "apps", { "spec", "template", NULL }, "spec.template." },
	{ "Deployment", "apps", { "spec", "template", NULL }, "spec.template." },
	{ "StatefulSet", "apps", { "spec", "template", NULL }, "spec.template." },
	{ "DaemonSet", "apps", { "spec", "template", NULL }, "spec.template." },
	{ "Job", "batch", { "spec", "template", NULL }, "spec.template." },
	{ "CronJob",
	  "batch",
	  { "spec", "jobTemplate", "spec", "template" },
	  "spec.jobTemplate.spec.template." },
};

/* Whether apiVersion names `group` ("apps/v1" is apps, "v1" is the core group ""). A manifest
 * without apiVersion is judged by its kind alone, as before there were groups. */
static bool api_group_is(const char *api, const char *group)
{
	const char *slash = api ? strchr(api, '/') : NULL;
	size_t n = slash ? (size_t)(slash - api) : 0;

	return !api || (strlen(group) == n && strncmp(api, group, n) == 0);
}

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

void rf_audit_set_keep_documents(struct rf_audit *a, bool on)
{
	a->keep_docs = on;
}

void rf_audit_set_keep_comments(struct rf_audit *a, bool on)
{
	a->keep_docs = a->parse_comments = on;
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

		for (size_t g = 0; g < s->n_segs; g++) {
			struct k8s_segment *seg = &s->segs[g];

			for (size_t d = seg->first_doc; d < seg->first_doc + seg->n_docs; d++)
				if (s->docs[d])
					fy_parse_document_destroy(seg->fyp, s->docs[d]);
			if (seg->fyp)
				fy_parser_destroy(seg->fyp);
		}
		free(s->segs);
		free(s->docs);
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
int k8s_add_error(struct rf_audit *a, const char *file, unsigned line, unsigned column, char *msg)
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

/* The error a typed accessor recorded, with its location. */
static int add_doc_error(struct rf_audit *a, struct rf_doc *d)
{
	unsigned line, column;
	char *msg = k8s_doc_error(d, &line, &column);

	return k8s_add_error(a, d->source, line, column, msg);
}

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int add_namespace(struct rf_audit *a, struct rf_doc *d, struct fy_node *obj)
{
	struct fy_node *meta = k_map(d, obj, "", "metadata");
	struct fy_node *labels = k_map(d, meta, "metadata", "labels");
	const char *name = k_str(d, meta, "metadata", "name");
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
		n->labels[i] = dupstr(k_str(d, labels, "metadata.labels", label_names[i]));
	return n->name ? 0 : -ENOMEM;
}

/* Finds the pod template of a workload of kind workload_kinds[o->kind_index]. */
static void object_bind(struct k8s_object *o, struct rf_doc *d, struct fy_node *obj)
{
	struct fy_node *tmpl = obj;
	size_t k = o->kind_index;

	o->obj = obj;
	for (size_t i = 0; i < ELEMENTSOF(workload_kinds[k].path) && workload_kinds[k].path[i]; i++)
		tmpl = k_map(d, tmpl, "", workload_kinds[k].path[i]);
	o->pod_meta = k_map(d, tmpl, "", "metadata");
	o->pod_spec = k_map(d, tmpl, "", "spec");
}

void k8s_object_unbind(struct k8s_object *o)
{
	o->obj = o->pod_meta = o->pod_spec = NULL;
}

struct walk {
	struct rf_audit *a;
	struct k8s_source *src;
	size_t seg, doc;
	struct k8s_replay *rp; /* NULL on the first read */
};

static int add_object(struct walk *w, struct rf_doc *d, struct fy_node *obj, const char *kind,
		      size_t k)
{
	_cleanup_(object_freep) struct k8s_object *o = calloc(1, sizeof(*o));
	struct fy_node *meta = k_map(d, obj, "", "metadata");
	struct rf_audit *a = w->a;
	struct k8s_object **n;
	const char *s;

	if (!o)
		return -ENOMEM;
	*o = (struct k8s_object){ .src = w->src, .seg = w->seg, .doc = w->doc, .kind_index = k };
	o->kind = strdup(kind);
	o->name = dupstr(k_str(d, meta, "metadata", "name")
				 ?: k_str(d, meta, "metadata", "generateName"));
	o->ns = dupstr(k_str(d, meta, "metadata", "namespace"));
	o->api_version = dupstr(k_str(d, obj, "", "apiVersion"));
	object_bind(o, d, obj);
	o->spec_path = pss_printf("%sspec", workload_kinds[k].prefix);
	o->meta_path = pss_printf("%smetadata", workload_kinds[k].prefix);
	if (!o->kind || !o->spec_path || !o->meta_path)
		return -ENOMEM;
	o->w.file = w->src->path;
	rf_doc_where(d, obj, &o->w.line, &o->w.column);
	o->w.kind = o->kind;
	o->w.name = o->name ?: "<unnamed>";
	o->w.namespace = o->ns;
	o->w.api_version = o->api_version;
	if (rf_error_is_set(d->err)) {
		o->w.error = k8s_doc_error(d, &o->w.error_line, &o->w.error_column);
	} else if (!o->pod_spec) {
		s = workload_kinds[k].prefix;
		o->w.error = pss_printf("%s:%u:%u: %s %s has no %sspec: nothing to check",
					w->src->path, o->w.line, o->w.column, kind, o->w.name, s);
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

/* Replay: the next workload in input order is this one; hand it out with its nodes. */
static int replay_object(struct walk *w, struct rf_doc *d, struct fy_node *obj)
{
	struct k8s_object *o;
	int r;

	if (w->rp->next >= w->a->n_objs)
		return -EIO;
	o = w->a->objs[w->rp->next++];
	/* The same text parsed again yields the same documents: anything else is a bug. */
	if (o->src != w->src || o->doc != w->doc)
		return -EIO;
	object_bind(o, d, obj);
	r = w->rp->fn(w->a, o, w->rp->userdata);
	k8s_object_unbind(o);
	return r;
}

/* Both the first read and the replay come through here, so both make the same decisions. */
static int walk_node(struct walk *w, struct fy_node *obj, int depth)
{
	struct rf_error err = {};
	struct rf_doc d = k8s_doc(w->src, w->seg, &err);
	struct rf_audit *a = w->a;
	const char *kind, *api;
	size_t k;
	bool ns;
	int r = 0;

	obj = k_deref(obj);
	if (rf_doc_is_null(&d, obj))
		return 0;
	if (!fy_node_is_mapping(obj)) {
		rf_doc_fail(&d, obj, "a Kubernetes object must be a mapping");
		goto error;
	}
	kind = k_str(&d, obj, "", "kind");
	if (kind && strlen(kind) >= 4 && streq(kind + strlen(kind) - 4, "List")) {
		struct fy_node *items = k_seq(&d, obj, kind, "items"), *it_node;
		void *it = NULL;

		if (depth > 4)
			rf_doc_fail(&d, obj, "Lists nested too deep");
		if (rf_error_is_set(&err))
			goto error;
		while (items && (it_node = fy_node_sequence_iterate(items, &it)))
			if ((r = walk_node(w, it_node, depth + 1)) < 0)
				return r;
		return 0;
	}
	if (!kind) {
		rf_doc_fail(&d, obj, "object has no kind");
		goto error;
	}
	for (k = 0; k < ELEMENTSOF(workload_kinds); k++)
		if (streq(kind, workload_kinds[k].kind))
			break;
	ns = streq(kind, "Namespace");
	if (ns || k < ELEMENTSOF(workload_kinds)) {
		api = k_str(&d, obj, "", "apiVersion");
		if (rf_error_is_set(&err))
			goto error;
		if (!api_group_is(api, ns ? "" : workload_kinds[k].group)) {
			ns = false; /* the same kind name in another API group */
			k = ELEMENTSOF(workload_kinds);
		}
	}
	if (ns) {
		if (!w->rp)
			r = add_namespace(a, &d, obj);
		if (r >= 0 && rf_error_is_set(&err))
			goto error;
		rf_error_clear(&err);
		return r;
	}
	if (k < ELEMENTSOF(workload_kinds)) {
		r = w->rp ? replay_object(w, &d, obj) : add_object(w, &d, obj, kind, k);
		rf_error_clear(&err);
		return r;
	}
	if (!w->rp)
		a->n_skipped++;
	rf_error_clear(&err);
	return 0;
error:
	if (w->rp) { /* recorded on the first read */
		rf_error_clear(&err);
		return 0;
	}
	return add_doc_error(a, &d);
}

int k8s_walk_document(struct rf_audit *a, struct k8s_source *src, size_t seg, size_t doc,
		      struct fy_node *root, struct k8s_replay *rp)
{
	struct walk w = { a, src, seg, doc, rp };

	return walk_node(&w, root, 0);
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
			const char *lv = a->nss[i].labels[2 * m],
				   *ver = a->nss[i].labels[2 * m + 1];
			enum rf_pss_level l;
			struct rf_pss_version v = { .minor = RF_PSS_NEWEST_MINOR, .latest = true };
			bool invalid = false;

			if (!lv)
				continue;
			if (rf_pss_level_from_string(lv, &l) < 0)
				invalid = true;
			if (ver && rf_pss_version_parse(ver, &v) < 0)
				invalid = true;
			if (invalid) /* as Pod Security Admission: invalid labels mean
					restricted:latest */
				l = RF_PSS_RESTRICTED,
				v = (struct rf_pss_version){ RF_PSS_NEWEST_MINOR, true };
			if ((int)l > best) {
				best = (int)l;
				*level = l;
				*version = v;
				free(*source);
				*source = pss_printf("namespace %s label %s=%s%s%s%s", ns,
						     label_names[2 * m], lv, ver ? ", " : "",
						     ver ? label_names[2 * m + 1] : "",
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

static int evaluate(struct rf_audit *a, struct k8s_object *o, void *userdata)
{
	struct rf_error err = {};
	struct rf_doc d = k8s_doc(o->src, o->seg, &err);
	int r;

	(void)a;
	(void)userdata;
	if (o->w.error)
		return 0;
	r = pss_evaluate(&d, o->pod_meta, o->pod_spec, o->spec_path, o->w.level, o->w.version.minor,
			 &o->w.violations, &o->w.n_violations);
	if (r < 0) {
		rf_error_clear(&err);
		return r;
	}
	if (rf_error_is_set(&err)) {
		pss_violations_free(o->w.violations, o->w.n_violations);
		o->w.violations = NULL;
		o->w.n_violations = 0;
		o->w.error = k8s_doc_error(&d, &o->w.error_line, &o->w.error_column);
	}
	return 0;
}

/* Level, version and where they came from: the namespace's labels (found anywhere in the
 * input, which is why evaluation waits until everything is read), overridden by options. */
static int decide_policy(const struct rf_audit *a, struct k8s_object *o,
			 const struct rf_audit_opts *opts)
{
	enum rf_pss_level level = RF_PSS_RESTRICTED;
	struct rf_pss_version version = { RF_PSS_NEWEST_MINOR, true };
	char *src = NULL;

	namespace_policy(a, o->ns ?: "default", &level, &version, &src);
	if (opts->level_set)
		level = opts->level;
	if (opts->version_set)
		version = opts->version;
	free(o->policy_source_buf);
	if (src && (opts->level_set || opts->version_set)) {
		o->policy_source_buf = pss_printf(
			"%s, overridden by %s%s%s", src, opts->level_set ? "--level" : "",
			opts->level_set && opts->version_set ? " and " : "",
			opts->version_set ? "--version" : "");
		free(src);
	} else if (src) {
		o->policy_source_buf = src;
	} else {
		o->policy_source_buf =
			strdup(opts->level_set || opts->version_set
				       ? "command line"
				       : "default (no namespace labels in the input)");
	}
	if (!o->policy_source_buf)
		return -ENOMEM;
	o->w.policy_source = o->policy_source_buf;
	o->w.level = level;
	o->w.version = version;
	return 0;
}

int rf_audit_run(struct rf_audit *a, const struct rf_audit_opts *opts)
{
	for (size_t i = 0; i < a->n_objs; i++) {
		struct k8s_object *o = a->objs[i];
		int r;

		pss_violations_free(o->w.violations, o->w.n_violations);
		o->w.violations = NULL;
		o->w.n_violations = 0;
		if ((r = decide_policy(a, o, opts)) < 0)
			return r;
	}
	return k8s_for_each_object(a, evaluate, NULL);
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
