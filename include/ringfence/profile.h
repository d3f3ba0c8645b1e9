/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one in-memory seccomp profile model, read from and written to OCI `linux.seccomp`
 * (bare or inside config.json), Docker/moby JSON and Security Profiles Operator YAML. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ringfence/error.h"

/* Hard limits on what a profile file may contain: a real profile (moby's default) has ~60 blocks,
 * ~450 names and ~1100 values; these are two orders of magnitude above, and keep a hostile
 * file from exhausting memory or making the filter compiler run for minutes. Values and rules
 * are counted on libfyaml's event stream before a tree is built (a tree costs ~330 bytes per
 * value), so memory stays proportional to the input. Each error message names its limit; the
 * man page and docs/ARCHITECTURE.md list them. */
#define RF_PROFILE_MAX_BYTES	 (16u << 20) /* per file */
#define RF_PROFILE_MAX_VALUES	 131072	     /* per file: every key, item, list and object */
#define RF_PROFILE_MAX_RULES	 4096	     /* syscall rules per profile */
#define RF_PROFILE_MAX_NAMES	 65536	     /* names per rule */
#define RF_PROFILE_MAX_ARGS	 64	     /* per rule; the kernel ABI has 6 argument slots */
#define RF_PROFILE_MAX_LIST	 64	     /* architectures, flags, archMap, caps, arches */
#define RF_PROFILE_MAX_YAML_LINE 65536u /* bytes per line of YAML; JSON lines are not limited */

enum rf_action {
	RF_ACT_INVALID = 0,
	RF_ACT_KILL,	     /* SCMP_ACT_KILL: kill the thread (legacy spelling) */
	RF_ACT_KILL_THREAD,  /* SCMP_ACT_KILL_THREAD */
	RF_ACT_KILL_PROCESS, /* SCMP_ACT_KILL_PROCESS */
	RF_ACT_TRAP,	     /* SCMP_ACT_TRAP: SIGSYS */
	RF_ACT_ERRNO,	     /* SCMP_ACT_ERRNO: fail with errno_ret */
	RF_ACT_TRACE,	     /* SCMP_ACT_TRACE: notify a ptrace tracer */
	RF_ACT_LOG,	     /* SCMP_ACT_LOG: allow and log */
	RF_ACT_ALLOW,	     /* SCMP_ACT_ALLOW */
	RF_ACT_NOTIFY,	     /* SCMP_ACT_NOTIFY: user-space listener */
};

enum rf_cmp_op {
	RF_CMP_INVALID = 0,
	RF_CMP_NE,
	RF_CMP_LT,
	RF_CMP_LE,
	RF_CMP_EQ,
	RF_CMP_GE,
	RF_CMP_GT,
	RF_CMP_MASKED_EQ,
};

enum rf_profile_format {
	RF_FORMAT_UNKNOWN = 0,
	RF_FORMAT_OCI,	      /* bare linux.seccomp object */
	RF_FORMAT_OCI_CONFIG, /* a whole config.json; the profile is its linux.seccomp */
	RF_FORMAT_DOCKER,     /* moby JSON: archMap, includes/excludes, comment */
	RF_FORMAT_SPO,	      /* security-profiles-operator.x-k8s.io/v1 SeccompProfile YAML */
};

struct rf_seccomp_arg {
	unsigned index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	enum rf_cmp_op op;
};

/* Docker's conditional blocks: a rule applies only when these hold at resolve time. */
struct rf_seccomp_rule_cond {
	char **caps;	  /* "CAP_SYS_ADMIN"...; NULL-terminated, may be NULL */
	char **arches;	  /* Docker arch names ("amd64") or SCMP_ARCH_*; NULL-terminated */
	char *min_kernel; /* "4.8", may be NULL */
};

struct rf_seccomp_rule {
	char **names; /* NULL-terminated */
	size_t n_names;
	enum rf_action action;
	bool has_errno_ret;
	uint32_t errno_ret;
	char *errno_name; /* containers/common's "errno" ("EPERM"), when given; errno_ret holds
			   * its number */
	struct rf_seccomp_arg *args; /* lint flags more than 6 */
	size_t n_args;
	char *comment;
	struct rf_seccomp_rule_cond includes, excludes;
	unsigned line;	      /* where the rule starts in the source, 0 if unknown */
	unsigned *name_lines; /* per name, may be NULL */
};

struct rf_arch_map_entry {
	char *arch;	   /* SCMP_ARCH_X86_64 */
	char **sub_arches; /* NULL-terminated */
	unsigned line;
};

struct rf_profile {
	enum rf_profile_format format; /* where it was read from */
	char *source;		       /* file name for messages, may be NULL */
	char *spo_name;		       /* SPO metadata.name / namespace, if any */
	char *spo_namespace;
	unsigned document; /* 1-based position in a file of several SeccompProfiles (addressed as
			    * FILE#NAME, NAME its spo_name), 0 when the file holds one profile */

	enum rf_action default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char *default_errno_name; /* containers/common's "defaultErrno", when given */
	char **architectures;	  /* SCMP_ARCH_*; NULL-terminated, may be NULL */
	struct rf_arch_map_entry *arch_map;
	size_t n_arch_map;
	unsigned *arch_lines; /* per architectures entry, may be NULL */
	char **flags;	      /* SECCOMP_FILTER_FLAG_*; NULL-terminated */
	unsigned *flag_lines; /* per flags entry, may be NULL */
	char *listener_path;
	char *listener_metadata;

	struct rf_seccomp_rule *rules;
	size_t n_rules;
	unsigned line_default_action;
};

struct rf_profile *rf_profile_new(void);
struct rf_profile *rf_profile_free(struct rf_profile *p);
static inline void rf_profile_freep(struct rf_profile **p)
{
	if (*p)
		rf_profile_free(*p);
}

/* Parse a file's text (JSON or YAML); the format is detected from its shape. `source` names the
 * input in error messages. A file holds one profile, or several Security Profiles Operator
 * SeccompProfiles as a YAML stream ("---" between them), each named by its metadata.name
 * (unique in the file); errors inside one start with "SeccompProfile 'NAME': " and keep the
 * line in the file. Returns 0 or a negative errno with details in `reterr`. */
int rf_profile_parse(const char *text, size_t len, const char *source, struct rf_profile **ret,
		     struct rf_error *reterr);
/* The profile named `name` (its metadata.name) of a file; NULL takes the file's only profile,
 * and is an error listing the names when the file holds several. */
int rf_profile_parse_named(const char *text, size_t len, const char *source, const char *name,
			   struct rf_profile **ret, struct rf_error *reterr);
/* Every profile of a file, in file order. */
int rf_profile_parse_all(const char *text, size_t len, const char *source, struct rf_profile ***ret,
			 size_t *ret_n, struct rf_error *reterr);
void rf_profile_free_all(struct rf_profile **v, size_t n);
/* Load from a path ("-" is stdin) or a built-in name ("runtime/default"). PATH#NAME picks the
 * SeccompProfile NAME of a multi-document file (a path that exists as written is a file, '#'
 * and all). */
int rf_profile_load(const char *path, struct rf_profile **ret, struct rf_error *reterr);
/* Every profile PATH holds (one for PATH#NAME and for built-ins), for lint. */
int rf_profile_load_all(const char *path, struct rf_profile ***ret, size_t *ret_n,
			struct rf_error *reterr);

/* Write in a format. OCI output is the bare linux.seccomp object. Docker keeps conditions and
 * containers/common's errno names (defaultErrno, errno) next to their numbers; OCI and SPO have
 * no such keys and carry the numbers only. Writing a profile that still has conditions as
 * OCI/SPO is an error (resolve it first). */
int rf_profile_write(const struct rf_profile *p, enum rf_profile_format fmt, FILE *out,
		     struct rf_error *reterr);
int rf_profile_write_file(const struct rf_profile *p, enum rf_profile_format fmt, const char *path,
			  struct rf_error *reterr);

bool rf_profile_has_conditions(const struct rf_profile *p);

/* Environment a Docker-style profile is resolved against. */
struct rf_resolve_env {
	uint32_t native_arch;		     /* SCMP_ARCH_* token; 0 = this machine */
	const char *const *caps;	     /* bounding set, "CAP_*" names; NULL-terminated */
	unsigned kernel_major, kernel_minor; /* 0,0 = this machine */
};
/* Turn conditions and archMap into a plain OCI profile for `env`. Names are kept exactly as
 * written, whether or not this machine's libseccomp knows them (only the filter compiler skips
 * unknown ones, see ringfence/filter.h); a name listed again with the same action, errno and
 * arguments is listed once. */
int rf_profile_resolve(const struct rf_profile *p, const struct rf_resolve_env *env,
		       struct rf_profile **ret, struct rf_error *reterr);

/* Built-in profiles: "runtime/default". Returns -ENOENT for other names. */
int rf_profile_builtin(const char *name, struct rf_profile **ret, struct rf_error *reterr);
bool rf_profile_is_builtin_name(const char *name);

/* Union of profiles with one default action (generated profiles of several runs, say). Docker
 * conditions must be resolved first. */
int rf_profile_merge(struct rf_profile *const *in, size_t n, struct rf_profile **ret,
		     struct rf_error *reterr);

const char *rf_action_to_string(enum rf_action a);
enum rf_action rf_action_from_string(const char *s);
const char *rf_cmp_to_string(enum rf_cmp_op op);
enum rf_cmp_op rf_cmp_from_string(const char *s);
/* The format table (profile.c): one row per format, the output formats first, in the order
 * lists show them. Help texts and messages are made from it ("--format oci|docker|spo"), so a
 * new output format is one row there plus its writer. */
struct rf_format_info {
	enum rf_profile_format format;
	const char *name;	 /* "oci": what --format takes, rf_format_to_string gives */
	bool output;		 /* a format to write (oci-config is read only) */
	const char *description; /* one line, for help texts */
};
/* The i-th row, NULL past the last. */
const struct rf_format_info *rf_format_info(size_t i);
const char *rf_format_to_string(enum rf_profile_format f);
enum rf_profile_format rf_format_from_string(const char *s);
/* The output formats' names joined by `sep` ("oci|docker|spo"); NULL on OOM. */
char *rf_format_names(const char *sep);

/* Validation (lint). Each finding has a severity, a location and a message. A `host` finding is
 * about this machine's libseccomp, not the profile (a syscall name or an archMap architecture it
 * does not know, which runtimes here skip): always a warning, and --strict does not fail on it,
 * because the same file is clean where libseccomp is newer. */
enum rf_lint_severity { RF_LINT_ERROR, RF_LINT_WARNING, RF_LINT_NOTE };
struct rf_lint_item {
	enum rf_lint_severity severity;
	unsigned line;
	char *code; /* stable id, e.g. "unknown-syscall" */
	char *message;
	bool host;
};
struct rf_lint {
	struct rf_lint_item *items;
	size_t n;
	size_t n_errors, n_warnings;
	size_t n_host; /* warnings among n_warnings that are host findings */
};
int rf_profile_lint(const struct rf_profile *p, struct rf_lint *ret);
void rf_lint_done(struct rf_lint *l);

/* Differences between two profiles (after resolution against `env`, NULL = this machine with no
 * capabilities): per arch, names added/removed and
 * names whose action, errno or argument conditions changed. */
struct rf_diff_entry {
	char *arch;
	char *name;
	char kind; /* '+', '-', '~' */
	char *detail;
};
struct rf_diff {
	struct rf_diff_entry *items;
	size_t n;
	char *default_change; /* NULL when the default action is the same */
};
int rf_profile_diff(const struct rf_profile *a, const struct rf_profile *b,
		    const struct rf_resolve_env *env, struct rf_diff *ret, struct rf_error *reterr);
void rf_diff_done(struct rf_diff *d);

/* ---- lint and diff reports (lint-write.c, diff-write.c) ---- */

/* Text lines, or one JSON document with a "schema" key (compact, indented when pretty). Text
 * prints messages as lint and diff made them (printable: control bytes escaped). */
enum rf_report_format { RF_REPORT_TEXT = 0, RF_REPORT_JSON };

/* A lint report, written as profiles are linted: "FILE:LINE: severity: message [code]" lines,
 * or the document {"schema": "ringfence.lint/v1", "files": [...]} that rf_lint_writer_finish
 * closes. */
struct rf_lint_writer;
int rf_lint_writer_new(FILE *out, enum rf_report_format fmt, bool pretty,
		       struct rf_lint_writer **ret);
/* One linted profile. `file` is what FILE:LINE points into (the file part of FILE#NAME, "-"
 * for stdin); `document` the SeccompProfile's name in a file of several, else NULL; `p` the
 * profile linted (its format is reported) and `l` its findings. A profile that could not be
 * read has p and l NULL and `error` (`code` its errno) saying why: a "parse-error" finding. */
int rf_lint_writer_add(struct rf_lint_writer *w, const char *file, const char *document,
		       const struct rf_profile *p, const struct rf_lint *l,
		       const struct rf_error *error, int code);
/* Ends the report and frees the writer; -EIO when writing failed. */
int rf_lint_writer_finish(struct rf_lint_writer *w);

/* A diff report: "defaultAction: OLD -> NEW" and "ARCH KIND NAME  DETAIL" lines, or the
 * document "ringfence.profile-diff/v1" naming the two profiles as `old_name` and `new_name`. */
int rf_diff_write(const struct rf_diff *d, const char *old_name, const char *new_name,
		  enum rf_report_format fmt, bool pretty, FILE *out);
