/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The node side of shipping profiles: install seccomp profiles into the kubelet's seccomp
 * directory (validated, converted to plain OCI JSON, written atomically, only files ringfence
 * owns are ever replaced or pruned), load AppArmor profiles where the kernel has AppArmor, report
 * what a node has and whether the kubelet defaults to RuntimeDefault, and keep a node in sync
 * with a ConfigMap-style directory (the agent). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "ringfence/error.h"

#define RF_NODE_DEFAULT_ROOT   "/var/lib/kubelet"
#define RF_NODE_DEFAULT_PREFIX "ringfence"
/* The hidden file in <root>/seccomp/<prefix> that lists what ringfence wrote (name, sha256). */
#define RF_NODE_STATE_FILE     ".ringfence-state.json"

struct rf_node_opts {
	const char *root;   /* kubelet root; NULL = RF_NODE_DEFAULT_ROOT */
	const char *prefix; /* subdirectory of <root>/seccomp; NULL = RF_NODE_DEFAULT_PREFIX */
	bool prune;	    /* remove owned profiles that are not in the set */
	bool allow_empty;   /* with prune: an empty set may remove every owned profile */
	bool dry_run;	    /* decide and report, write nothing */
	const char *sys;    /* sysfs root for AppArmor; NULL = "/sys" */
	const char *proc;   /* procfs root for the kubelet; NULL = "/proc" */
};

enum rf_node_kind {
	RF_NODE_SECCOMP,
	RF_NODE_APPARMOR,
};

enum rf_node_action {
	RF_NODE_CREATED,   /* new file */
	RF_NODE_UPDATED,   /* owned file, new content */
	RF_NODE_UNCHANGED, /* owned file, same content: not rewritten */
	RF_NODE_PRUNED,	   /* owned file no longer in the set: removed */
	RF_NODE_LOADED,	   /* AppArmor profile loaded into the kernel */
	RF_NODE_SKIPPED,   /* AppArmor profile validated (when possible) but not loaded */
};

struct rf_node_change {
	enum rf_node_kind kind;
	enum rf_node_action action;
	char *name;		 /* "nginx" (seccomp) or the AppArmor profile name */
	char *source;		 /* the input file; NULL for pruned files */
	char *path;		 /* the file written or removed; NULL for AppArmor */
	char *localhost_profile; /* what a pod's localhostProfile must say */
	char sha256[65];	 /* of the installed bytes (seccomp); "" otherwise */
};

struct rf_node_result {
	struct rf_node_change *items;
	size_t n;
	char **notes; /* NULL-terminated: conversions made, AppArmor unavailable, ... */
};
void rf_node_result_done(struct rf_node_result *r);

const char *rf_node_action_to_string(enum rf_node_action a);

/* Installs every profile named by `inputs` (files, or directories whose entries not starting
 * with '.' are read: *.json, *.yaml, *.yml are seccomp profiles in any format ringfence reads,
 * *.apparmor are AppArmor profiles). Everything is validated before anything is written: an
 * invalid profile, two profiles with one name, or a target file ringfence does not own fails
 * the whole call and leaves the node as it was. With prune, a set without a single profile
 * (an empty directory, a ConfigMap mounted empty) fails with -ENODATA unless allow_empty: it
 * would silently remove every profile the node's pods use. */
int rf_node_install(const struct rf_node_opts *o, char *const *inputs, size_t n_inputs,
		    struct rf_node_result *ret, struct rf_error *reterr);

/* ---- status ---- */

enum rf_node_owner {
	RF_NODE_OWNER_RINGFENCE, /* written by ringfence, unchanged since */
	RF_NODE_OWNER_MODIFIED,	 /* written by ringfence, changed by someone else since */
	RF_NODE_OWNER_FOREIGN,	 /* not written by ringfence */
};
const char *rf_node_owner_to_string(enum rf_node_owner o);

struct rf_node_profile {
	char *localhost_profile; /* path relative to <root>/seccomp */
	char sha256[65];
	enum rf_node_owner owner;
	char *error; /* NULL when the file parses as a seccomp profile; else why not */
};

/* Whether the kubelet makes RuntimeDefault the default seccomp profile. */
enum rf_tristate { RF_TRI_UNKNOWN = -1, RF_TRI_NO = 0, RF_TRI_YES = 1 };

struct rf_kubelet_info {
	pid_t pid;	   /* a running kubelet, 0 when none was found */
	char *config_path; /* the KubeletConfiguration read, NULL when none */
	enum rf_tristate seccomp_default;
	char *seccomp_default_source; /* "--seccomp-default flag of pid 123", "seccompDefault in
					 FILE", ... */
	char *error;		      /* a config that exists but cannot be read */
};

struct rf_apparmor_info {
	bool enabled;	 /* the kernel has AppArmor and it is on */
	char *why_not;	 /* when not enabled: what was checked */
	char **profiles; /* loaded profile names (NULL-terminated), when enabled and readable */
	char *parser;	 /* path of apparmor_parser, NULL when not installed */
	char *fs;	 /* the AppArmor securityfs directory, when enabled */
};

/* Reads the kubelet's view: a running process whose comm is "kubelet" (its --config and
 * --seccomp-default flags; the flag wins over the file), else `config_path` when given, else
 * <root>/config.yaml when it exists. `proc` is "/proc" unless a test says otherwise. */
int rf_kubelet_probe(const char *proc, const char *root, const char *config_path,
		     struct rf_kubelet_info *ret);
void rf_kubelet_info_done(struct rf_kubelet_info *k);

/* `sys` is the sysfs root, NULL = "/sys" (a DaemonSet may mount the host's elsewhere). */
int rf_apparmor_probe(const char *sys, struct rf_apparmor_info *ret);
void rf_apparmor_info_done(struct rf_apparmor_info *a);
/* `apparmor_parser -Q -K -N PATH` with the parser rf_apparmor_probe found: compiles the file
 * without loading it and names its profiles (sorted). */
int rf_apparmor_parser_check(const char *parser, const char *path, char ***ret_names,
			     struct rf_error *reterr);

struct rf_node_status {
	char *seccomp_dir;		  /* <root>/seccomp */
	struct rf_node_profile *profiles; /* every file under seccomp_dir, sorted */
	size_t n_profiles;
	struct rf_kubelet_info kubelet;
	struct rf_apparmor_info apparmor;
};
int rf_node_status(const struct rf_node_opts *o, const char *kubelet_config,
		   struct rf_node_status *ret, struct rf_error *reterr);
void rf_node_status_done(struct rf_node_status *s);
/* What a Localhost reference (ringfence/k8s.h) lacks on this node: a message, or NULL when the
 * profile is there and usable (NULL with errno ENOMEM on failure). */
struct rf_profile_ref;
char *rf_node_ref_problem(const struct rf_node_status *s, const struct rf_profile_ref *ref);

/* ---- manifests checked against a node (check.c) ---- */

/* The Localhost profiles workloads reference, each with what this node lacks for it: the check
 * of `node status --check-manifests` and `audit --check-node`. */
struct rf_audit;
struct rf_node_refs {
	struct rf_profile_ref *refs; /* every reference, in input order (rf_audit_profile_refs) */
	char **problems;	     /* per reference: rf_node_ref_problem's message, NULL when the
				      * profile is there and usable */
	size_t n;
	size_t n_missing;	/* references with a problem */
	struct rf_audit *audit; /* owned: the manifests rf_node_check_manifests read (its
				 * rf_audit_error lists what could not be read); else NULL */
};
/* Every reference of the workloads `a` has read (a outlives ret: the references borrow its
 * names). */
int rf_node_check_refs(const struct rf_node_status *s, struct rf_audit *a,
		       struct rf_node_refs *ret);
/* Reads `paths` (files, directories, "-") as `ringfence audit` does and checks every reference.
 * A path that cannot be read at all fails (reterr); a document that cannot be read is one of
 * ret->audit's errors and its references are not checked. */
int rf_node_check_manifests(const struct rf_node_status *s, char *const *paths, size_t n,
			    struct rf_node_refs *ret, struct rf_error *reterr);
void rf_node_refs_done(struct rf_node_refs *r);

/* ---- reports (status-write.c, install-write.c) ---- */

/* Text for a person (strings from the node, the manifests and the profiles escaped), or one
 * JSON document with a "schema" key (compact, indented when pretty). */
enum rf_node_format { RF_NODE_TEXT = 0, RF_NODE_JSON };
/* `node status`: the profiles, the kubelet's seccomp default, AppArmor and, when refs is not
 * NULL, the checked references; or the document "ringfence.node-status/v1". */
int rf_node_status_write(const struct rf_node_status *s, const struct rf_node_refs *refs,
			 enum rf_node_format fmt, bool pretty, FILE *out);
/* One checked reference as a text line, "<prefix>FILE:LINE:COLUMN: KIND NS/NAME container C:
 * PROBLEM" ("present" when problem is NULL). */
void rf_node_ref_write_line(const struct rf_profile_ref *ref, const char *problem,
			    const char *prefix, FILE *out);
/* `node install`: one line per change (a dry run says what it would do: "create", not
 * "created"), or the document "ringfence.node-install/v1". */
int rf_node_install_write(const struct rf_node_result *res, bool dry_run, enum rf_node_format fmt,
			  bool pretty, FILE *out);
/* One event of the agent (the arguments of rf_node_agent_log_fn) at `when`: a JSON line, or a
 * text line "TIME ringfence: ..." for a log. */
int rf_node_agent_log_write(const struct rf_node_change *change, const struct rf_error *err,
			    const char *note, time_t when, enum rf_node_format fmt, FILE *out);

/* ---- the agent ---- */

/* Called for every change (change set), every failed sync (err set) and every note of a sync
 * that the previous sync did not have (note set: a conversion, AppArmor unavailable, a file
 * given up); exactly one of the three is non-NULL. AppArmor profiles skipped on a kernel
 * without AppArmor are not changes. */
typedef void (*rf_node_agent_log_fn)(const struct rf_node_change *change,
				     const struct rf_error *err, const char *note, void *userdata);

struct rf_node_agent_opts {
	struct rf_node_opts node; /* prune is forced on: the source is the truth */
	const char *source;	  /* the watched directory */
	unsigned resync_seconds;  /* full resync period (repairs drift); 0 = never */
	unsigned debounce_ms;	  /* quiet time after an event before syncing */
	rf_node_agent_log_fn log;
	void *userdata;
	int stop_fd; /* readable => stop (a signalfd or pipe); -1 = none */
};
/* Syncs once, then on every change of `source` (inotify, ConfigMap `..data` swaps included),
 * until stop_fd is readable. A sync that fails (a bad profile in the set) is logged and the node
 * is left as it was; returns a negative errno only for what cannot recover (the source
 * directory is gone, inotify fails, the seccomp directory cannot be written). */
int rf_node_agent_run(const struct rf_node_agent_opts *o, struct rf_error *reterr);
