/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared CLI state and helpers: global options, error printing, exit codes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"

#define EXIT_FOUND 1 /* the check found something */
#define EXIT_USAGE 2

struct global_opts {
	int verbose;
	bool quiet;
	bool json;
	bool pretty;
};
extern struct global_opts global;

int cmd_profile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_oci_hook(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_node(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_apparmor(int argc, char **argv);
int cmd_k8s_audit(int argc, char **argv);
/* `watch --selftest` (cmd-watch-selftest.c): runs it, prints the report, the exit code. */
enum rf_watch_backend;
int watch_selftest(enum rf_watch_backend backend);
int cmd_baseline(int argc, char **argv);

/* Exit like the child did: its status, or death by the same signal. */
int leave_like_child(int status);
/* "EPERM", "enosys" or a number 1..4095. */
int parse_errno_name(const char *s, uint32_t *ret);
/* rf_outputs_write, printing its error; returns <0 on failure. */
struct rf_observation;
struct rf_outputs;
int write_outputs(const struct rf_observation *obs, const struct rf_outputs *out);
/* --runtime-base auto|runc|none, shared by record and generate. */
int parse_runtime_base(const char *cmd, const char *s, int *ret);

/* The seccomp output formats of the table in ringfence/profile.h: "oci|docker|spo" for usage
 * lines (usage true), "oci, docker, spo" for messages. */
const char *profile_formats(bool usage);
/* usage_error "unknown format 'S' (oci, docker, spo)". */
int unknown_format(const char *cmd, const char *s);

/* "ringfence <cmd>: <problem>" + "Try 'ringfence <cmd> --help'." on stderr; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "ringfence: <message>" once. */
void print_error(const struct rf_error *e, int r);
/* fflush + ferror on stdout: a full disk must not exit 0. Returns the exit code to use. */
int finish_stdout(int code);

/* `node status` (cmd-node-status.c); `check`: --check-manifests FILE... */
struct rf_node_opts;
int node_status(const struct rf_node_opts *node, const char *kubelet_config, bool check,
		char **files, size_t n);
