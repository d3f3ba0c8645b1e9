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
/* sha256 of the file at `path`: 0, -ENOENT when there is none, or another negative errno. */
int node_sha256_file(const char *path, char out[65], struct rf_error *reterr);

/* What ringfence wrote into one prefix directory: file name → the sha256 values it may have.
 * More than one value only while an install is in flight (old and new), so a crash between
 * the state write and the rename leaves a file that is still recognised as ours. */
struct node_state_entry {
	char *file;
	char **sha256; /* NULL-terminated */
};
struct node_state {
	struct node_state_entry *v;
	size_t n;
};
/* A missing state file is an empty state; a corrupt one is an error (never "owns nothing",
 * which would strand files, nor "owns everything"). */
int node_state_read(const char *dir, struct node_state *ret, struct rf_error *reterr);
int node_state_write(const char *dir, const struct node_state *s, struct rf_error *reterr);
void node_state_done(struct node_state *s);
struct node_state_entry *node_state_find(const struct node_state *s, const char *file);
/* The file is ours when the state lists it with exactly this content. */
bool node_state_owns(const struct node_state *s, const char *file, const char *sha256);
/* Adds `sha256` to the file's accepted values (replace: it becomes the only one). */
int node_state_set(struct node_state *s, const char *file, const char *sha256, bool replace);
void node_state_remove(struct node_state *s, const char *file);

/* "<root>/seccomp" and "<root>/seccomp/<prefix>" with the defaults applied. */
int node_dirs(const struct rf_node_opts *o, char **ret_seccomp_dir, char **ret_prefix_dir,
	      struct rf_error *reterr);
/* A profile or prefix name that is one safe path component: [A-Za-z0-9_.-], not starting with
 * '.', at most 200 bytes. */
bool node_name_valid(const char *s);

/* apparmor.c: syntax check that also names the file's profiles (sorted), and load. */
int node_apparmor_check(const char *parser, const char *path, char ***ret_names,
			struct rf_error *reterr);
int node_apparmor_load(const char *parser, const char *path, struct rf_error *reterr);
