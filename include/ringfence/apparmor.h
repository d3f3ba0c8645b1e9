/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AppArmor profiles (issue 14): a small model of a profile, built from a bane-style TOML file or
 * from an observation, written as apparmor.d(5) text that depends on nothing in the host's
 * /etc/apparmor.d but the `abi <abi/3.0>` file; read back (a strict subset of the language) for
 * lint checks and for replaying an observation's file accesses against the rules with AppArmor's
 * own glob semantics. apparmor_parser stays the judge of validity (lib/node/apparmor.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ringfence/error.h"
#include "ringfence/observation.h"

enum rf_aa_mode {
	RF_AA_ENFORCE = 0,
	RF_AA_COMPLAIN, /* flags=(complain) and every `deny` becomes `audit`: nothing blocks */
};
int rf_aa_mode_from_string(const char *s, enum rf_aa_mode *ret);
const char *rf_aa_mode_to_string(enum rf_aa_mode m);

/* File permissions of a rule (apparmor.d(5) "ACCESS"). */
enum rf_aa_perm {
	RF_AA_PERM_M = 1u << 0, /* mmap PROT_EXEC */
	RF_AA_PERM_R = 1u << 1,
	RF_AA_PERM_W = 1u << 2, /* write, create, delete, rename, chmod, chown, truncate */
	RF_AA_PERM_A = 1u << 3, /* append only (implied by w) */
	RF_AA_PERM_L = 1u << 4, /* link */
	RF_AA_PERM_K = 1u << 5, /* lock */
	RF_AA_PERM_X = 1u << 6, /* execute, with the transition in rf_aa_rule.xmode */
};

enum rf_aa_rule_kind {
	RF_AA_RULE_NOTE = 1, /* a comment line of its own (section headings of generated text) */
	RF_AA_RULE_FILE,
	RF_AA_RULE_NETWORK,
	RF_AA_RULE_CAPABILITY,
	RF_AA_RULE_SIGNAL,
	RF_AA_RULE_PTRACE,
	RF_AA_RULE_MOUNT, /* mount, remount, umount, pivot_root */
	RF_AA_RULE_OTHER, /* anything else the reader recognised as a rule (unix, dbus, rlimit...)
			   */
};

struct rf_aa_rule {
	enum rf_aa_rule_kind kind;
	bool deny, audit, owner;
	/* FILE: the path as written in the profile, a token in AppArmor syntax (quotes and
	 * backslash escapes included); NULL for a bare `file,`. */
	char *path;
	uint32_t perms; /* FILE: enum rf_aa_perm; a bare `file,` has them all */
	char xmode[4];	/* FILE with RF_AA_PERM_X: "ix", "px", "Px", "ux", "Ux", "cx", "Cx", "pix"
			 * ... ("x" alone in a deny rule); "" otherwise */
	char *text;	/* every other kind: the rule after its qualifiers, without the ','
			 * ("network inet6 stream", "capability chown"); NOTE: the comment text */
	char *comment;	/* FILE and others: a trailing comment, or NULL */
	unsigned line;	/* read from text: its 1-based line; built: 0 */
};

struct rf_aa_profile {
	char *name;
	char *abi;     /* "abi/3.0" (written `abi <abi/3.0>,`) or NULL */
	char **flags;  /* sorted: "attach_disconnected", "complain", "mediate_deleted" ... */
	char **header; /* comment lines written before everything (without the "# ") */
	struct rf_aa_rule *rules;
	size_t n_rules;
	/* Read from text only: include lines (never followed) and variable definitions. */
	char **includes;
	char **variables; /* "@{NAME}=value value" as read */
	unsigned line;	  /* the `profile` line */
};

struct rf_aa_profile *rf_aa_profile_new(const char *name);
struct rf_aa_profile *rf_aa_profile_free(struct rf_aa_profile *p);
static inline void rf_aa_profile_freep(struct rf_aa_profile **p)
{
	if (*p)
		rf_aa_profile_free(*p);
}

/* A profile name that is also one safe file name for `node install` (NAME.apparmor) and a
 * Kubernetes localhostProfile: [A-Za-z0-9_.-], starting with a letter or digit, at most 200. */
bool rf_aa_name_valid(const char *name);

/* Enforce: unchanged. Complain: adds flags=(complain) and turns every `deny` rule into an
 * `audit` rule, because a deny rule still blocks in complain mode. */
int rf_aa_profile_set_mode(struct rf_aa_profile *p, enum rf_aa_mode mode);

/* apparmor.d(5) text; control bytes in names and comments are escaped. */
int rf_aa_profile_write(const struct rf_aa_profile *p, FILE *out);
int rf_aa_profile_write_file(const struct rf_aa_profile *p, const char *path,
			     struct rf_error *reterr);

/* ---- bane's TOML schema ---- */

struct rf_aa_config {
	char *source; /* file name for messages */
	char *name;
	unsigned name_line;
	char **read_only, **log_on_write, **writable, **allow_exec, **deny_exec;
	bool raw, packet;
	char **protocols;	      /* "tcp", "udp", "icmp" */
	char **cap_allow, **cap_deny; /* lower case, without "cap_" */
};

struct rf_aa_config *rf_aa_config_free(struct rf_aa_config *c);
static inline void rf_aa_config_freep(struct rf_aa_config **c)
{
	if (*c)
		rf_aa_config_free(*c);
}
/* Reads bane's TOML (Name; [Filesystem] ReadOnlyPaths, LogOnWritePaths, WritablePaths,
 * AllowExec, DenyExec; [Network] Raw, Packet, Protocols; [Capabilities] Allow, Deny). Strict:
 * unknown keys, wrong types, and any value that is not one plain path glob, profile name,
 * protocol or capability are errors at file:line:column. */
int rf_aa_config_parse(const char *text, size_t len, const char *source, struct rf_aa_config **ret,
		       struct rf_error *reterr);
int rf_aa_config_load(const char *path, struct rf_aa_config **ret, struct rf_error *reterr);

struct rf_aa_opts {
	const char *name; /* overrides the config's Name / the derived name */
	enum rf_aa_mode mode;
	bool partial; /* from-observation: accept an observation without file and network
		       * events (eBPF) and allow all files and networking, loudly */
};

/* The container default (moby/containerd: signals and ptrace among the profile's own
 * processes and from the runtime, no writes to /proc and /sys outside what a container needs,
 * no mount) plus the TOML's rules. */
int rf_aa_from_config(const struct rf_aa_config *c, const struct rf_aa_opts *o,
		      struct rf_aa_profile **ret, struct rf_error *reterr);

/* What a recording saw, globbed (ringfence-apparmor(1), GLOBBING): executables (ix), files read,
 * written, created, mapped; socket families and types; capabilities (eBPF checks; all when the
 * recording could not see them); signals and ptrace among the profile's processes. An
 * observation whose source did not decode files and sockets is refused (-EOPNOTSUPP) unless
 * o->partial. */
int rf_aa_from_observation(const struct rf_observation *obs, const struct rf_aa_opts *o,
			   struct rf_aa_profile **ret, struct rf_error *reterr);
/* The name a profile from this observation gets without --name: "ringfence-" + the first
 * executable's file name, made valid. */
int rf_aa_default_name(const struct rf_observation *obs, char **ret);

/* The path rule for an observed absolute path after the globbing rules, as a profile token
 * (escaped, quoted when needed); `dir` adds the trailing '/' AppArmor gives directories. */
int rf_aa_glob_path(const char *path, bool dir, char **ret);
/* A path as a literal token: glob characters escaped, quoted when needed. */
int rf_aa_quote_path(const char *path, char **ret);

/* Kubernetes: the securityContext.appArmorProfile fragment (1.30+) and the annotation for
 * older clusters, for a container (NULL: "CONTAINER"). */
int rf_aa_write_k8s(const char *profile, const char *container, FILE *out);

/* ---- reading a profile back, matching, lint ---- */

/* A strict subset of apparmor.d(5): one profile (`profile NAME [flags=(...)] {` or a path
 * attachment), abi, include lines (kept, not followed), variable definitions, and rules ending
 * with ','. Errors at file:line. */
int rf_aa_profile_parse(const char *text, size_t len, const char *source,
			struct rf_aa_profile **ret, struct rf_error *reterr);
int rf_aa_profile_load(const char *path, struct rf_aa_profile **ret, struct rf_error *reterr);

/* AppArmor glob matching of a path against a rule's path token: `*` (not '/'), `**` (also '/'),
 * `?`, `{a,b}` (nested), `[...]` / `[^...]`, backslash escapes, quotes. 1 match, 0 no match,
 * -EINVAL for a pattern it cannot read (variables are expanded by the caller). */
int rf_aa_glob_match(const char *token, const char *path);

/* The verdict of the profile's file rules for `perms` on `path` (dir: a directory): allowed when
 * every permission is granted by some allow rule and none by a deny rule. *ret_missing gets the
 * permissions no rule grants, *ret_denied those a deny rule takes away. */
int rf_aa_check_access(const struct rf_aa_profile *p, const char *path, bool dir, uint32_t perms,
		       uint32_t *ret_missing, uint32_t *ret_denied);
/* The AppArmor permissions an observed access needs (RF_ACC_* -> RF_AA_PERM_*). */
uint32_t rf_aa_perms_from_access(uint32_t access);
/* "mrwlkix"-style letters of perms (+ xmode) into buf (at least 16 bytes). */
const char *rf_aa_perms_string(uint32_t perms, const char *xmode, char buf[16]);

enum rf_aa_lint_severity { RF_AA_LINT_ERROR = 1, RF_AA_LINT_WARNING, RF_AA_LINT_NOTE };
struct rf_aa_lint_item {
	enum rf_aa_lint_severity severity;
	unsigned line;
	char *code; /* "deny-in-complain", "no-abi", "unconfined-exec" ... */
	char *message;
};
struct rf_aa_lint {
	struct rf_aa_lint_item *items;
	size_t n;
};
void rf_aa_lint_done(struct rf_aa_lint *l);
/* Checks a profile read by rf_aa_profile_parse; with `obs`, also replays its file accesses and
 * reports each one the profile would refuse (code "would-deny"). */
int rf_aa_lint(const struct rf_aa_profile *p, const struct rf_observation *obs,
	       struct rf_aa_lint *ret);
