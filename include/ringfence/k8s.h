/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kubernetes Pod Security Standards, offline: read manifests (files, directories, stdin;
 * multi-document YAML, List kinds, the nine workload kinds Pod Security Admission evaluates),
 * check each pod template at a level and policy version exactly as the reference implementation
 * does, report (text, JSON, SARIF) and patch what can be patched. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ringfence/error.h"

enum rf_pss_level {
	RF_PSS_PRIVILEGED,
	RF_PSS_BASELINE,
	RF_PSS_RESTRICTED,
};

/* The newest policy version any check knows; newer requested versions are clamped to it. */
#define RF_PSS_NEWEST_MINOR 37

struct rf_pss_version {
	unsigned minor; /* 1.<minor>, already clamped */
	bool latest;
};

int rf_pss_level_from_string(const char *s, enum rf_pss_level *ret);
const char *rf_pss_level_to_string(enum rf_pss_level level);
/* "latest" or "v1.N" (N may exceed RF_PSS_NEWEST_MINOR: clamped). -EINVAL otherwise. */
int rf_pss_version_parse(const char *s, struct rf_pss_version *ret);

/* One place a check failed: the field to change and what to change it to. */
struct rf_pss_site {
	char *container;       /* NULL for pod-level fields */
	char *path;	       /* "spec.template.spec.containers[0].securityContext.privileged" */
	unsigned line, column; /* of the field, or of its nearest existing parent */
	char *suggestion;
	bool fixable;	     /* --fix can make this change */
	const char *why_not; /* when not fixable: why a human must decide */
};

/* One failed check, worded as Pod Security Admission words it. */
struct rf_pss_violation {
	const char *check; /* the reference's check id, e.g. "allowPrivilegeEscalation" */
	char *reason;	   /* "allowPrivilegeEscalation != false" */
	char *detail; /* "container \"app\" must set securityContext.allowPrivilegeEscalation=false"
		       */
	struct rf_pss_site *sites;
	size_t n_sites;
};

/* One object that was read: a workload that was evaluated, or the reason it was not. */
struct rf_audit_workload {
	const char *file;
	unsigned line, column; /* where the object starts */
	const char *kind, *namespace, *name;
	const char *api_version;
	enum rf_pss_level level;
	struct rf_pss_version version;
	const char *policy_source; /* "--level", "namespace label ...", "default" */
	struct rf_pss_violation *violations;
	size_t n_violations;
	char *error; /* set when the document could not be evaluated (wrong types ...) */
	unsigned error_line, error_column; /* where (0 when unknown) */
};

struct rf_audit_opts {
	enum rf_pss_level level;
	bool level_set;
	struct rf_pss_version version;
	bool version_set;
};

struct rf_audit;

int rf_audit_new(struct rf_audit **ret);
void rf_audit_free(struct rf_audit *a);
static inline void rf_audit_freep(struct rf_audit **a)
{
	if (*a)
		rf_audit_free(*a);
}

/* For --fix (call before adding inputs): keep every document in memory so it can be patched
 * and written back (rf_audit_fix needs it). Off by default: then each document's tree is
 * dropped once read and parsed again for the checks, so memory follows the largest document
 * rather than the whole input. */
void rf_audit_set_keep_documents(struct rf_audit *a, bool on);
/* The same, and parse comments so a patched file keeps them. Off by default: libfyaml's
 * comment parsing is experimental (it leaks on a comment-only document) and costs time. */
void rf_audit_set_keep_comments(struct rf_audit *a, bool on);
/* A file, a directory (recursively: *.yaml, *.yml, *.json, in sorted order; symlinks to
 * directories below it are not followed, symlinks to files are) or "-" (stdin). A file
 * already read through another name (same device and inode) is skipped.
 * Fails only for the whole input (cannot open); a document that does not parse is recorded as
 * an error of that document and reading goes on with the next file. */
int rf_audit_add_path(struct rf_audit *a, const char *path, struct rf_error *reterr);
/* The same for text in memory (tests, fuzzing); `name` is used as the file name. */
int rf_audit_add_text(struct rf_audit *a, const char *name, const char *text, size_t len,
		      struct rf_error *reterr);
/* Evaluates every workload. Namespace labels found in the input decide level and version
 * unless opts sets them. */
int rf_audit_run(struct rf_audit *a, const struct rf_audit_opts *opts);

size_t rf_audit_n_workloads(const struct rf_audit *a);
const struct rf_audit_workload *rf_audit_workload(const struct rf_audit *a, size_t i);
/* Objects of other kinds, counted and skipped. */
size_t rf_audit_n_skipped(const struct rf_audit *a);
/* Documents that could not be read at all ("file:line:column: why"). */
size_t rf_audit_n_errors(const struct rf_audit *a);
const char *rf_audit_error(const struct rf_audit *a, size_t i);
/* Workloads that were read but could not be evaluated (their `error` is set). Reports count
 * both kinds as errors. */
size_t rf_audit_n_unchecked(const struct rf_audit *a);
/* Workloads with at least one violation. */
size_t rf_audit_n_failed(const struct rf_audit *a);

enum rf_audit_format {
	RF_AUDIT_TEXT,
	RF_AUDIT_JSON,
	RF_AUDIT_SARIF,
};
int rf_audit_format_from_string(const char *s, enum rf_audit_format *ret);
int rf_audit_write(const struct rf_audit *a, enum rf_audit_format fmt, bool pretty, FILE *out);

/* --fix: applies the minimal changes that make every workload pass its level. Each input file
 * that changed is written to `out` (when non-NULL, as a YAML stream with a "# file" comment
 * line before each file) or in place, atomically (write_in_place). `ret_unfixable` counts
 * the sites a human must change. A file with a syntax error is neither patched nor written
 * (it was not wholly read): that is added to the errors. Needs rf_audit_set_keep_documents()
 * (or _keep_comments) before the inputs were added. */
int rf_audit_fix(struct rf_audit *a, FILE *out, bool write_in_place, size_t *ret_unfixable,
		 struct rf_error *reterr);

/* A Localhost seccomp or AppArmor profile that a workload read by rf_audit_add_* references
 * (`ringfence node status --check-manifests`). Strings are owned by the array. */
struct rf_profile_ref {
	const char *file;		     /* borrowed from the audit */
	unsigned line, column;		     /* of the value */
	const char *kind, *namespace, *name; /* the workload; borrowed */
	char *container;		     /* NULL for pod-level fields */
	bool apparmor;			     /* false: seccomp */
	char *profile; /* the localhostProfile value, or what follows "localhost/" in an annotation
			*/
	char *field; /* "spec.template.spec.containers[0].securityContext.seccompProfile.localhostProfile"
		      * or
		      * "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]"
		      */
};
/* Every Localhost reference in every workload read so far, in input order: pod and container
 * `seccompProfile` / `appArmorProfile` with type Localhost, and the AppArmor annotations
 * `container.apparmor.security.beta.kubernetes.io/<container>: localhost/<name>`. */
int rf_audit_profile_refs(struct rf_audit *a, struct rf_profile_ref **ret, size_t *ret_n);
void rf_profile_refs_free(struct rf_profile_ref *refs, size_t n);
