/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the manifest reader, the checks, the reports and --fix: the loaded sources,
 * typed field accessors (on the document layer, which keeps a document's first type error) and
 * the pod view the checks read. */
#pragma once

#include <libfyaml.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/doc.h"
#include "core/seen.h"
#include "ringfence/k8s.h"

/* Limits on what one run reads (each is an error for the input that passes it, stated in
 * ringfence-audit(1)):
 * - a file larger than K8S_MAX_FILE_BYTES is not read;
 * - after K8S_MAX_DOCUMENTS documents in all, the rest of the input is not read: each document
 *   read keeps a few hundred bytes (its workload's names and findings) until the report;
 * - a file recovers from at most K8S_MAX_RECOVERIES syntax errors (each costs a new parser);
 *   the rest of it is not read. */
#define K8S_MAX_FILE_BYTES (64u << 20)
#define K8S_MAX_DOCUMENTS  1000000u
#define K8S_MAX_RECOVERIES 100u

/* A stretch of a file read by one parser: the whole file, or (after a syntax error) from the
 * next `---` line on. Locations from its parser are relative to `offset`. */
struct k8s_segment {
	size_t offset;		  /* where its parser starts in the text */
	unsigned line_base;	  /* lines before `offset`: added to every line its parser gives */
	size_t first_doc, n_docs; /* its documents in the source's docs[] */
	struct fy_parser *fyp;	  /* kept with its documents (--fix), else NULL */
};

struct k8s_source {
	char *path;
	char *text;
	size_t len;
	struct k8s_segment *segs;
	size_t n_segs;
	struct fy_document **docs; /* every document read, in order; NULL once dropped */
	size_t n_docs;
	bool changed; /* --fix touched a document */
	bool broken;  /* a syntax error: part of it was not read, so --fix never rewrites it */
};

struct k8s_object {
	struct rf_audit_workload w; /* public view; strings below are owned here */
	struct k8s_source *src;
	size_t seg, doc;   /* where it was read: src->segs[seg], src->docs[doc] */
	size_t kind_index; /* its row of the workload kinds table */
	/* Its nodes, bound while its document is in memory (always with --fix; otherwise only
	 * during the first read and while k8s_for_each_object hands it out). */
	struct fy_node *obj;
	struct fy_node *pod_meta, *pod_spec; /* NULL when the template has none */
	char *spec_path;		     /* "spec", "spec.template.spec", ... */
	char *meta_path;
	char *kind, *ns, *name, *api_version, *policy_source_buf;
};

/* An input, or a document, that could not be read at all. */
struct k8s_error {
	char *text;	       /* "file:line:column: what", as printed */
	char *file;	       /* NULL when no file is to blame */
	unsigned line, column; /* 0 when unknown */
};

struct k8s_namespace {
	char *name;
	char *labels[6]; /* enforce, enforce-version, audit, audit-version, warn, warn-version */
};

struct rf_audit {
	struct k8s_source **srcs;
	size_t n_srcs;
	struct k8s_object **objs;
	size_t n_objs;
	struct k8s_namespace *nss;
	size_t n_nss;
	struct k8s_error *errors;
	size_t n_errors;
	size_t n_skipped;
	size_t n_docs;	/* documents read in all (K8S_MAX_DOCUMENTS) */
	bool keep_docs; /* --fix: every document stays in memory */
	bool parse_comments;
	struct rf_seen seen_files, seen_dirs; /* a file or directory is read once, by any name */
	struct fy_diag *diag; /* shared by every parser: creating one per file costs a tcgetattr */
};

/* ---- manifest.c / manifest-read.c ---- */

int k8s_add_error(struct rf_audit *a, const char *file, unsigned line, unsigned column,
		  char *msg /* owned */);
/* The diag every parser reports into (created on first use). */
struct fy_diag *k8s_diag(struct rf_audit *a);
struct fy_parser *k8s_parser(struct rf_audit *a, const char *text, size_t len);

typedef int (*k8s_object_fn)(struct rf_audit *a, struct k8s_object *o, void *userdata);
struct k8s_replay {
	size_t next; /* the next object in a->objs to hand out */
	k8s_object_fn fn;
	void *userdata;
};
/* One document's root: on the first read (rp NULL) records the workloads, namespaces, other
 * kinds and errors it holds; in a replay hands each of its workloads, in the same order, to
 * rp->fn with its nodes bound. Both walk the tree with the same decisions. */
int k8s_walk_document(struct rf_audit *a, struct k8s_source *src, size_t seg, size_t doc,
		      struct fy_node *root, struct k8s_replay *rp);
void k8s_object_unbind(struct k8s_object *o);
/* Every workload, in input order, to fn with its nodes bound: directly when the documents
 * are kept, else by parsing each file again (a document at a time, so memory stays that of
 * the largest document, not of the whole input). */
int k8s_for_each_object(struct rf_audit *a, k8s_object_fn fn, void *userdata);

/* ---- field.c: typed field access on the document layer ---- */

/* A reader of one document of `src`, read by segment `seg`'s parser: YAML 1.1 as
 * sigs.k8s.io/yaml decodes it, aliases followed (a bounded number of steps), tags and merge
 * keys refused, locations in the file; the first error goes to `err` ("file:line:column:
 * what"). The document stays the parser's: d.fyd is NULL. */
struct rf_doc k8s_doc(const struct k8s_source *src, size_t seg, struct rf_error *err);
/* Takes the error out of d->err (clearing it) as the audit prints it, "file:line:column: what"
 * ("file:0:0: what" where the node has no location); NULL when out of memory. */
char *k8s_doc_error(struct rf_doc *d, unsigned *ret_line, unsigned *ret_col);
/* Follows an alias to its anchor (a bounded number of steps; NULL when it leads nowhere),
 * nothing checked: for list items, which are checked where they are used, and for --fix. */
struct fy_node *k_deref(struct fy_node *n);
/* The value of `key` in `map`, through aliases, tags refused: NULL when map is NULL or not a
 * mapping, the key is missing or the value null or unusable (then the error is set). The key's
 * node, for a location, is rf_doc_key's. */
struct fy_node *k_get(struct rf_doc *d, struct fy_node *map, const char *key);
/* The value of `key` in `map` checked to be an object / a list / a boolean (-1 unset or wrong)
 * / an integer / a string; NULL (or false) when map is NULL or the value is missing or null.
 * `path` names the parent in the message ("spec.containers[0]"; "" at the top). */
struct fy_node *k_map(struct rf_doc *d, struct fy_node *map, const char *path, const char *key);
struct fy_node *k_seq(struct rf_doc *d, struct fy_node *map, const char *path, const char *key);
int k_bool(struct rf_doc *d, struct fy_node *map, const char *path, const char *key);
bool k_int(struct rf_doc *d, struct fy_node *map, const char *path, const char *key,
	   long long *ret);
const char *k_str(struct rf_doc *d, struct fy_node *map, const char *path, const char *key);
/* A node that must be a string (a list item, an annotation's key or value), named `path`. */
const char *k_str_node(struct rf_doc *d, struct fy_node *n, const char *path);

/* ---- growable string lists and buffers ---- */

struct slist {
	char **v;
	size_t n;
};
int slist_add(struct slist *l, const char *s);
int slist_add_unique(struct slist *l, const char *s);
void slist_sort(struct slist *l);
void slist_done(struct slist *l);
/* "\"a\", \"b\"" */
char *slist_join_quote(const struct slist *l);
char *slist_join(const struct slist *l, const char *sep);

/* ---- pss.c / pss-checks*.c ---- */

struct kctr {
	struct fy_node *n;  /* the container mapping */
	struct fy_node *sc; /* its securityContext, or NULL */
	const char *name;
	char *path;    /* "spec.containers[0]" */
	char *sc_path; /* "spec.containers[0].securityContext", for messages */
};

struct kpod {
	struct rf_doc *d;
	struct fy_node *meta, *spec, *sc; /* sc: pod securityContext or NULL */
	const char *spec_path;
	char *sc_path;
	struct kctr *ctrs; /* init, regular, ephemeral: the reference's visiting order */
	size_t n_ctrs;
	bool windows;	/* spec.os.name == windows */
	int host_users; /* -1 unset */
	unsigned minor;
	/* output */
	struct rf_pss_violation *v;
	size_t n_v;
	int oom;
};

/* The pod view of `spec` (pod securityContext, hostUsers, os, and every container, init then
 * regular then ephemeral): the one walk the checks and the profile references share. Wrong
 * types are recorded in d; on failure (-ENOMEM) nothing is left to free. */
int kpod_init(struct kpod *p, struct rf_doc *d, struct fy_node *meta, struct fy_node *spec,
	      const char *spec_path);
void kpod_done(struct kpod *p);

typedef void (*pss_check_fn)(struct kpod *p);

struct pss_check {
	const char *id;
	enum rf_pss_level level;
	struct {
		unsigned min;
		pss_check_fn fn;
	} versions[6];
	const char *overrides;
};

extern const struct pss_check pss_baseline_checks[];
extern const size_t pss_n_baseline_checks;
extern const struct pss_check pss_restricted_checks[];
extern const size_t pss_n_restricted_checks;

/* Start a violation of the running check; sites are added to the newest one. */
struct rf_pss_violation *pss_fail(struct kpod *p, const char *check, const char *reason,
				  char *detail /* owned */);
void pss_site(struct kpod *p, const char *container, const char *path, struct fy_node *at,
	      bool fixable, const char *why_not, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
char *pss_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Why a site cannot be fixed automatically (shared wording). */
#define NOFIX_HOST                                                                                 \
	"it grants access to the host; only a person can decide whether the workload needs it"
#define NOFIX_VALUE	"the value is a choice about the workload, not a default ringfence can pick"
/* The AppArmor annotation of a container: <prefix><container name>: localhost/<profile>|... */
#define APPARMOR_PREFIX "container.apparmor.security.beta.kubernetes.io/"

/* pss-checks-host.c: baseline checks in pss_baseline_checks. */
void pss_host_namespaces(struct kpod *p);
void pss_host_path_volumes(struct kpod *p);
void pss_host_ports(struct kpod *p);
void pss_windows_host_process(struct kpod *p);
void pss_host_probes(struct kpod *p);

/* Shared by the baseline (pss-checks.c) and restricted (pss-checks-restricted.c) checks. */
struct fy_node *pss_caps_list(struct kpod *p, const struct kctr *k, const char *which,
			      struct slist *out);
void pss_proc_mount(struct kpod *p, const char *id);
const char *pss_seccomp_bad_type(struct kpod *p, struct fy_node *sc, const char *path,
				 struct fy_node **ret_node, bool *ret_set);
void pss_seccomp_mark_bad_types(struct kpod *p);
/* "<container path>.securityContext[.field]" */
char *pss_sc_path(const struct kctr *k, const char *field);
/* "container \"a\"" / "containers \"a\", \"b\"" */
char *pss_who(const struct slist *names);
static inline const char *pluralize(const char *one, const char *many, size_t n)
{
	return n == 1 ? one : many;
}

int pss_evaluate(struct rf_doc *d, struct fy_node *meta, struct fy_node *spec,
		 const char *spec_path, enum rf_pss_level level, unsigned minor,
		 struct rf_pss_violation **ret_v, size_t *ret_n);
void pss_violations_free(struct rf_pss_violation *v, size_t n);
