/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --fix: the minimal edits that make a workload pass, made on the libfyaml tree so key order
 * and (where libfyaml keeps them) comments survive: seccompProfile RuntimeDefault,
 * allowPrivilegeEscalation: false, capabilities.drop ALL, runAsNonRoot: true, AppArmor
 * RuntimeDefault. Everything else (host namespaces, hostPath, privileged, added capabilities,
 * runAsUser 0 ...) is a decision about the workload and is left to a person. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "k8s-internal.h"

struct fixer {
	struct fy_document *d;
	int r;
};

/* The value of a pair, through aliases; NULL for a missing pair. Types are not checked: the
 * audit did, and a workload with a type error is not fixed. */
static struct fy_node *value(struct fy_node_pair *p)
{
	return p ? k_deref(fy_node_pair_value(p)) : NULL;
}

static struct fy_node *scalar(struct fixer *f, const char *s)
{
	struct fy_node *n = fy_node_create_scalar_copy(f->d, s, FY_NT);

	if (!n)
		f->r = -ENOMEM;
	return n;
}

/* Sets map[key] to `value` (a new node), replacing whatever was there. */
static void set_node(struct fixer *f, struct fy_node *map, const char *key, struct fy_node *value)
{
	struct fy_node_pair *p;

	if (!map || !value || f->r < 0) {
		if (value)
			fy_node_free(value);
		return;
	}
	p = rf_doc_pair(map, key);
	if (p) {
		if (fy_node_pair_set_value(p, value) < 0)
			f->r = -EINVAL;
		return;
	}
	if (fy_node_mapping_append(map, scalar(f, key), value) < 0)
		f->r = -EINVAL;
}

/* map[key] as a mapping, created (or replacing a null) when missing. */
static struct fy_node *ensure_map(struct fixer *f, struct fy_node *map, const char *key)
{
	struct fy_node_pair *p = rf_doc_pair(map, key);
	struct fy_node *v = value(p), *n;

	if (!map || f->r < 0)
		return NULL;
	if (v && fy_node_is_mapping(v))
		return fy_node_get_style(fy_node_pair_value(p)) == FYNS_ALIAS ? NULL : v;
	n = fy_node_create_mapping(f->d);
	if (!n) {
		f->r = -ENOMEM;
		return NULL;
	}
	set_node(f, map, key, n);
	return f->r < 0 ? NULL : n;
}

static void set_scalar(struct fixer *f, struct fy_node *map, const char *key, const char *value)
{
	set_node(f, map, key, scalar(f, value));
}

static bool site_fixable(const struct rf_pss_violation *v)
{
	for (size_t s = 0; s < v->n_sites; s++)
		if (!v->sites[s].fixable)
			return false;
	return v->n_sites > 0;
}

/* Each container mapping of the pod spec, in the reference's order. */
static void for_containers(struct fixer *f, struct fy_node *spec,
			   void (*fn)(struct fixer *f, struct fy_node *ctr))
{
	static const char *const lists[] = { "initContainers", "containers",
					     "ephemeralContainers" };

	for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
		struct fy_node *seq = value(rf_doc_pair(spec, lists[l])), *c;
		void *it = NULL;

		while (seq && fy_node_is_sequence(seq) && (c = fy_node_sequence_iterate(seq, &it)))
			if (fy_node_is_mapping(c))
				fn(f, c);
	}
}

static bool is_bool_false(struct fy_node *map, const char *key)
{
	struct fy_node *v = value(rf_doc_pair(map, key));
	const char *s = v ? fy_node_get_scalar0(v) : NULL;

	return s && (streq(s, "false") || streq(s, "False") || streq(s, "FALSE"));
}

static void fix_ape(struct fixer *f, struct fy_node *ctr)
{
	struct fy_node *sc = value(rf_doc_pair(ctr, "securityContext"));

	if (sc && fy_node_is_mapping(sc) && is_bool_false(sc, "allowPrivilegeEscalation"))
		return;
	set_scalar(f, ensure_map(f, ctr, "securityContext"), "allowPrivilegeEscalation", "false");
}

static void fix_drop_all(struct fixer *f, struct fy_node *ctr)
{
	struct fy_node *caps = ensure_map(f, ensure_map(f, ctr, "securityContext"), "capabilities");
	struct fy_node_pair *p = rf_doc_pair(caps, "drop");
	struct fy_node *drop = value(p), *item;
	void *it = NULL;

	if (!caps)
		return;
	while (drop && fy_node_is_sequence(drop) && (item = fy_node_sequence_iterate(drop, &it))) {
		const char *s = fy_node_get_scalar0(k_deref(item));
		if (s && streq(s, "ALL"))
			return;
	}
	if (!drop || !fy_node_is_sequence(drop) ||
	    fy_node_get_style(fy_node_pair_value(p)) == FYNS_ALIAS) {
		drop = fy_node_create_sequence(f->d);
		if (!drop) {
			f->r = -ENOMEM;
			return;
		}
		set_node(f, caps, "drop", drop);
	}
	if (f->r >= 0 && fy_node_sequence_append(drop, scalar(f, "ALL")) < 0)
		f->r = -EINVAL;
}

static bool type_ok(struct fy_node *map, const char *key, const char *const ok[2])
{
	struct fy_node *prof = value(rf_doc_pair(map, key));
	struct fy_node *type = value(rf_doc_pair(prof, "type"));
	const char *t = type ? fy_node_get_scalar0(type) : NULL;

	return t && (streq(t, ok[0]) || streq(t, ok[1]));
}

static const char *const seccomp_ok[2] = { "RuntimeDefault", "Localhost" };

/* A securityContext whose seccompProfile is set to a bad type gets RuntimeDefault. */
static void fix_seccomp_sc(struct fixer *f, struct fy_node *owner, const char *key)
{
	struct fy_node *sc = value(rf_doc_pair(owner, "securityContext"));

	if (!sc || !fy_node_is_mapping(sc) || !rf_doc_pair(sc, key) || type_ok(sc, key, seccomp_ok))
		return;
	set_scalar(f, ensure_map(f, ensure_map(f, owner, "securityContext"), key), "type",
		   "RuntimeDefault");
}

static void fix_seccomp_ctr(struct fixer *f, struct fy_node *ctr)
{
	fix_seccomp_sc(f, ctr, "seccompProfile");
}

static const char *const apparmor_ok[2] = { "RuntimeDefault", "Localhost" };

static void fix_apparmor_sc(struct fixer *f, struct fy_node *owner)
{
	struct fy_node *sc = value(rf_doc_pair(owner, "securityContext"));

	if (!sc || !fy_node_is_mapping(sc) || !rf_doc_pair(sc, "appArmorProfile") ||
	    type_ok(sc, "appArmorProfile", apparmor_ok))
		return;
	set_scalar(f, ensure_map(f, ensure_map(f, owner, "securityContext"), "appArmorProfile"),
		   "type", "RuntimeDefault");
}

static void fix_apparmor_ctr(struct fixer *f, struct fy_node *ctr)
{
	fix_apparmor_sc(f, ctr);
}

/* Annotations named by the sites ("metadata.annotations[KEY]") get `value`. */
static void fix_annotations(struct fixer *f, struct fy_node *meta, const struct rf_pss_violation *v,
			    const char *value)
{
	struct fy_node *ann = ensure_map(f, meta, "annotations");

	for (size_t s = 0; ann && s < v->n_sites; s++) {
		const char *b = strchr(v->sites[s].path, '[');
		_cleanup_free_ char *key = b ? strndup(b + 1, strlen(b + 1) - 1) : NULL;

		if (key && strstr(v->sites[s].path, "annotations["))
			set_scalar(f, ann, key, value);
	}
}

static int fix_object(struct k8s_object *o, struct fy_node *tmpl_owner_unused)
{
	struct fixer f = { .d = fy_node_document(o->obj) };
	struct fy_node *spec = o->pod_spec;

	(void)tmpl_owner_unused;
	for (size_t i = 0; i < o->w.n_violations; i++) {
		const struct rf_pss_violation *v = &o->w.violations[i];

		if (!site_fixable(v))
			continue;
		if (streq(v->check, "allowPrivilegeEscalation")) {
			for_containers(&f, spec, fix_ape);
		} else if (streq(v->check, "capabilities_restricted")) {
			for_containers(&f, spec, fix_drop_all);
		} else if (streq(v->check, "seccompProfile_restricted") ||
			   (streq(v->check, "seccompProfile_baseline") &&
			    o->w.version.minor >= 19)) {
			fix_seccomp_sc(&f, spec, "seccompProfile");
			for_containers(&f, spec, fix_seccomp_ctr);
			if (streq(v->check, "seccompProfile_restricted") &&
			    !type_ok(ensure_map(&f, spec, "securityContext"), "seccompProfile",
				     seccomp_ok))
				set_scalar(&f,
					   ensure_map(&f, ensure_map(&f, spec, "securityContext"),
						      "seccompProfile"),
					   "type", "RuntimeDefault");
		} else if (streq(v->check, "seccompProfile_baseline")) {
			fix_annotations(&f, o->pod_meta, v, "runtime/default");
		} else if (streq(v->check, "runAsNonRoot")) {
			set_scalar(&f, ensure_map(&f, spec, "securityContext"), "runAsNonRoot",
				   "true");
		} else if (streq(v->check, "appArmorProfile")) {
			fix_apparmor_sc(&f, spec);
			for_containers(&f, spec, fix_apparmor_ctr);
			if (o->pod_meta)
				fix_annotations(&f, o->pod_meta, v, "runtime/default");
		} else {
			continue;
		}
		o->src->changed = true;
	}
	return f.r;
}

static int emit_source(FILE *out, void *userdata)
{
	struct k8s_source *s = userdata;

	for (size_t d = 0; d < s->n_docs; d++) {
		char *text = fy_emit_document_to_string(
			s->docs[d], FYECF_MODE_ORIGINAL | FYECF_OUTPUT_COMMENTS | FYECF_WIDTH_INF);

		if (!text)
			return -ENOMEM;
		if (d > 0 || s->n_docs > 1)
			fputs("---\n", out);
		fputs(text, out);
		free(text);
	}
	return ferror(out) ? -EIO : 0;
}

int rf_audit_fix(struct rf_audit *a, FILE *out, bool write_in_place, size_t *ret_unfixable,
		 struct rf_error *reterr)
{
	size_t manual = 0;
	int r;

	if (!a->keep_docs)
		return rf_error_set(reterr, -EINVAL,
				    "--fix needs the documents kept (rf_audit_set_keep_documents)");
	/* A file with a syntax error was not wholly read: written back, it would lose what
	 * could not be read. It is left alone, and said so. */
	for (size_t i = 0; i < a->n_srcs; i++)
		if (a->srcs[i]->broken &&
		    (r = k8s_add_error(a, a->srcs[i]->path, 0, 0,
				       pss_printf("%s: not patched: it has a syntax error, and a "
						  "patched copy would lose what could not be read",
						  a->srcs[i]->path))) < 0)
			return r;
	for (size_t i = 0; i < a->n_objs; i++) {
		struct k8s_object *o = a->objs[i];

		if (o->w.error || o->src->broken || !o->pod_spec ||
		    !fy_node_is_mapping(o->pod_spec))
			continue;
		for (size_t v = 0; v < o->w.n_violations; v++)
			for (size_t s = 0; s < o->w.violations[v].n_sites; s++)
				manual += !o->w.violations[v].sites[s].fixable;
		if ((r = fix_object(o, NULL)) < 0)
			return rf_error_set(reterr, r, "%s: cannot patch %s %s", o->src->path,
					    o->kind, o->w.name);
	}
	for (size_t i = 0; i < a->n_srcs; i++) {
		struct k8s_source *s = a->srcs[i];

		if (s->broken)
			continue;
		if (write_in_place) {
			if (s->changed && !streq(s->path, "<stdin>") &&
			    (r = rf_write_file_atomic(s->path, emit_source, s, reterr)) < 0)
				return r;
		} else if (out) {
			/* Escaped: a newline in a file name would end the comment. */
			if (a->n_srcs > 1) {
				fputs("# ", out);
				rf_fputs_escaped(s->path, out);
				fputc('\n', out);
			}
			if ((r = emit_source(out, s)) < 0)
				return rf_error_set(reterr, r, "cannot write the patched %s",
						    s->path);
		}
	}
	*ret_unfixable = manual;
	return 0;
}
