/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by install, status and the agent: the ownership state of <root>/seccomp/<prefix>, the
 * sha256 every ownership decision rests on, and the paths. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ringfence/error.h"
#include "ringfence/node.h"

/* A profile file in the kubelet directory is read whole; larger files are not profiles. */
#define NODE_MAX_FILE_BYTES (16u << 20)

void node_sha256_hex(const void *buf, size_t len, char out[65]);
/* Reads `name` in the directory `dfd` without following a symlink and without blocking on a
 * FIFO: -ENOENT when there is none, -EMEDIUMTYPE when it is not a regular file (a symlink, a
 * FIFO, a device: never something ringfence wrote), else 0 or another negative errno. */
int node_read_regular(int dfd, const char *name, char **ret, size_t *ret_len,
		      struct rf_error *reterr);
/* sha256 of such a file, same returns. */
int node_sha256_at(int dfd, const char *name, char out[65], struct rf_error *reterr);

enum node_publish {
	NODE_REPLACE,	/* whatever is there is replaced */
	NODE_NOREPLACE, /* fails with -EEXIST when something appeared at `name` */
	NODE_EXCHANGE,	/* swaps with what is there; *ret_old names the hidden file that now holds
			 * the previous content, for the caller to check and remove (or swap back) */
};
/* Writes `len` bytes to a hidden temporary file in `dfd`, fsyncs it, renames it to `name` as
 * `how` says (renameat2), and fsyncs the directory: a reader sees the old file or the new one. */
int node_publish(int dfd, const char *name, const void *buf, size_t len, enum node_publish how,
		 char **ret_old, struct rf_error *reterr);

/* What ringfence wrote into one prefix directory: file name → the sha256 values it may have.
 * More than one value only while an install is in flight (old and new), so a crash between
 * the state write and the rename leaves a file that is still recognised as ours. The same for
 * the AppArmor profiles ringfence loaded: profile name → sha256 of the file it came from. */
struct node_state_entry {
	char *file;
	char **sha256; /* NULL-terminated */
};
struct node_owned {
	struct node_state_entry *v;
	size_t n;
};
struct node_state {
	struct node_owned files;
	struct node_owned apparmor;
};
/* A missing state file is an empty state; a corrupt one is an error (never "owns nothing",
 * which would strand files, nor "owns everything"). `dfd` is the prefix directory, `dir` its
 * path for messages. */
int node_state_read(int dfd, const char *dir, struct node_state *ret, struct rf_error *reterr);
int node_state_write(int dfd, const struct node_state *s, struct rf_error *reterr);
void node_state_done(struct node_state *s);
struct node_state_entry *node_owned_find(const struct node_owned *o, const char *name);
/* Ours when listed with exactly this content. */
bool node_owned_has(const struct node_owned *o, const char *name, const char *sha256);
/* Adds `sha256` to the name's accepted values (replace: it becomes the only one). */
int node_owned_set(struct node_owned *o, const char *name, const char *sha256, bool replace);
void node_owned_remove(struct node_owned *o, const char *name);

/* Opens <root>/seccomp/<prefix> as a directory, never through a symlink (the prefix is
 * ringfence's; a link there would send writes elsewhere). -ENOENT when it does not exist. */
int node_open_prefix(const char *dir, struct rf_error *reterr);

/* "<root>/seccomp" and "<root>/seccomp/<prefix>" with the defaults applied. */
int node_dirs(const struct rf_node_opts *o, char **ret_seccomp_dir, char **ret_prefix_dir,
	      struct rf_error *reterr);
/* A profile or prefix name that is one safe path component: [A-Za-z0-9_.-], not starting with
 * '.', at most 200 bytes. */
bool node_name_valid(const char *s);
/* The names in `dir` that do not start with '.', sorted (hidden files are ringfence's state and
 * temporary files, or a ConfigMap's ..data machinery). A negative errno when it cannot be read;
 * *ret is NULL for an empty directory. */
int node_list_visible(const char *dir, char ***ret);
/* The file name of `path` without its extension ("a/b.json" -> "b"). */
int node_file_stem(const char *path, char **ret);

/* apparmor.c: syntax check that also names the file's profiles (sorted), and load. */
int node_apparmor_check(const char *parser, const char *path, char ***ret_names,
			struct rf_error *reterr);
int node_apparmor_load(const char *parser, const char *path, struct rf_error *reterr);

/* ---- install.c / commit.c: one install, planned whole before the node is touched ---- */

struct item {
	enum rf_node_kind kind;
	char *source;
	char *name;  /* seccomp: profile name; AppArmor: unused */
	char *file;  /* seccomp: "<name>.json" */
	char *bytes; /* seccomp: the OCI JSON to install */
	size_t len;
	char sha256[65];       /* of `bytes` (seccomp) or of the source file (AppArmor) */
	char **apparmor_names; /* AppArmor: profiles the file defines */
	enum rf_node_action action;
};

struct plan {
	struct item *items;
	size_t n;
	char **notes;
	char **forget;		/* state entries whose file is gone or is no longer ours */
	char **apparmor_unload; /* AppArmor profiles ringfence loaded that left the set */
	char *apparmor_parser;
};

int node_note(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int node_result_add(struct rf_node_result *res, enum rf_node_kind kind, enum rf_node_action action,
		    const char *name, const char *source, const char *path, const char *localhost,
		    const char *sha256);

/* commit.c. Creates <root>/seccomp/<prefix> below an existing <root>, opens it (no symlink)
 * and locks it; removes temporary files a crashed install left. */
int node_open_locked(const char *root, const char *seccomp_dir, const char *dir,
		     struct rf_error *reterr);
/* Every seccomp item's action; a file ringfence does not own refuses the whole set. dfd < 0:
 * the directory does not exist yet (dry run). */
int node_decide(struct plan *pl, int dfd, const char *dir, const struct node_state *st,
		struct rf_error *reterr);
/* Owned files that left the set, as RF_NODE_PRUNED results. */
int node_plan_prunes(struct plan *pl, int dfd, const char *dir, const struct node_state *st,
		     struct rf_node_result *res, const char *prefix, struct rf_error *reterr);
/* Writes the decisions: state (old and new hashes), files, prunes, final state. */
int node_apply(struct plan *pl, int dfd, struct node_state *st, const struct rf_node_result *res,
	       struct rf_error *reterr);

/* apparmor.c. plan: probe (notes when AppArmor is off; no parser on a kernel with AppArmor is
 * an error). decide: a loaded profile ringfence did not load is never replaced; unchanged ones
 * are not reloaded; with prune, owned profiles that left the set are to be unloaded. apply:
 * load/unload and record ownership in the state (written when it changed). */
int node_apparmor_plan(struct plan *pl, const char *sys, struct rf_apparmor_info *aa,
		       struct rf_error *reterr);
int node_apparmor_decide(struct plan *pl, const struct rf_apparmor_info *aa,
			 const struct node_state *st, bool prune, struct rf_error *reterr);
int node_apparmor_apply(struct plan *pl, const struct rf_apparmor_info *aa, int dfd,
			struct node_state *st, bool dry_run, struct rf_node_result *res,
			struct rf_error *reterr);

/* rf_node_install, also saying whether a failure happened while the node was being changed
 * (true) or while the input was read and checked (false): the agent treats only the first
 * kind as possibly fatal. */
int node_install(const struct rf_node_opts *o, char *const *inputs, size_t n_inputs,
		 struct rf_node_result *ret, bool *ret_node_side, struct rf_error *reterr);
