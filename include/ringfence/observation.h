/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An observation: the aggregated, serialisable summary of a recording (DESIGN.md §1). Builders
 * take observations, so profiles can be regenerated offline and observations merged (union,
 * with a per-syscall count of how many observations saw it). Schema "ringfence.observation/v1";
 * the "files", "network", "signals" and "ptrace" sections are additions readers of older files
 * do without. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ringfence/error.h"
#include "ringfence/event.h"
#include "ringfence/sink.h"

struct rf_obs_index;

/* Distinct argument values kept per (syscall, argument): beyond this the set is marked
 * overflowing and builders fall back to name-only rules. Multiplexer values are few in
 * practice (socket families, prctl options); ioctl requests can be many. */
#define RF_OBS_MAX_ARG_VALUES 32
#define RF_OBS_MAX_ARGS	      3 /* argument slots tracked per multiplexing syscall */

struct rf_obs_argset {
	int index; /* argument index, -1 for an unused slot */
	uint64_t values[RF_OBS_MAX_ARG_VALUES];
	unsigned n;
	bool overflow;
};

struct rf_obs_syscall {
	uint32_t arch; /* SCMP_ARCH_* token */
	int32_t nr;
	char *name; /* libseccomp's name for (arch, nr); NULL when unknown */
	uint64_t count;
	uint64_t first_seen; /* order of first appearance, 1-based, across all syscalls */
	pid_t first_pid;
	char *first_comm;
	char *first_exe;
	unsigned support; /* observations that saw it (1 until merged) */
	struct rf_obs_argset args[RF_OBS_MAX_ARGS];
};

/* A path the recording touched, with every kind of access seen (RF_ACC_*). */
struct rf_obs_file {
	char *path;
	uint32_t access;
	uint64_t count;
};

/* Sockets of one (family, type): what was done with them and the ports bound. */
#define RF_OBS_MAX_PORTS 16
struct rf_obs_net {
	int family;   /* AF_* */
	int type;     /* SOCK_* without flags; 0 unknown */
	uint32_t ops; /* 1u << enum rf_net_op */
	uint16_t bound_ports[RF_OBS_MAX_PORTS];
	unsigned n_bound_ports;
	bool ports_overflow;
};

/* Distinct paths kept; beyond it the set is marked overflowing (builders say so). */
#define RF_OBS_MAX_FILES 65536

struct rf_observation {
	char **command; /* argv of the recorded command, NULL-terminated; may be NULL */
	char *backend;	/* "ptrace", "strace-log", "ebpf" */
	char *kernel;	/* uname release */
	uint32_t native_arch;
	bool no_new_privs;
	bool fast;	      /* hot syscalls were let through unrecorded: see fast_syscalls */
	char **fast_syscalls; /* always allowed by builders when set */
	uint64_t duration_ns;
	int exit_status;       /* wait status of the main process, -1 unknown */
	uint64_t lost;	       /* events the source could not deliver */
	unsigned observations; /* how many recordings were merged into this one */

	struct rf_obs_syscall *syscalls;
	size_t n_syscalls;
	char **execs; /* paths executed, in first-seen order */
	uint64_t seq;
	uint64_t unknown;      /* syscall events whose number libseccomp could not name */
	char **bootstrap;      /* "arch:name" the runtime made before installing the workload's
				* filter (recording with the bootstrap cut); not in builders' output */
	uint64_t caps_used;    /* capabilities checked and granted (bit = CAP_*) */
	uint64_t caps_refused; /* checked and refused */

	struct rf_obs_file *files; /* RF_EV_FILE paths, in first-seen order */
	size_t n_files;
	bool files_overflow; /* more than RF_OBS_MAX_FILES distinct paths */
	bool decoded;	     /* the source decoded files, sockets, signals and ptrace: the
			      * four sections below are what was done, not "unknown" */
	struct rf_obs_net *net;
	size_t n_net;
	uint64_t signals;    /* bit s-1: signal s sent to another process */
	uint32_t ptrace_ops; /* 1u << enum rf_ptrace_op */

	struct rf_obs_index *index; /* lookups, not serialised */
};

struct rf_observation *rf_obs_new(void);
struct rf_observation *rf_obs_free(struct rf_observation *o);
static inline void rf_obs_freep(struct rf_observation **o)
{
	if (*o)
		rf_obs_free(*o);
}

/* The consumer side of the event model: aggregates one event. */
int rf_obs_add_event(const struct rf_event *ev, void *userdata /* struct rf_observation * */);
/* Takes the recording's metadata (command, backend, duration, exit status, no_new_privs, the
 * --fast set): the observation's on_end. */
int rf_obs_set_recording(const struct rf_recording *rec, void *userdata);
/* The observation as a consumer for a sink chain. */
void rf_obs_sink(struct rf_observation *o, struct rf_sink *ret);

/* The tracked argument indexes of a multiplexing syscall ("socket" -> 0 and 1). */
int rf_obs_tracked_args(const char *name, uint32_t arch, int ret_idx[RF_OBS_MAX_ARGS]);

int rf_obs_write(const struct rf_observation *o, FILE *out, struct rf_error *reterr);
int rf_obs_write_file(const struct rf_observation *o, const char *path, struct rf_error *reterr);
int rf_obs_load(const char *path, struct rf_observation **ret, struct rf_error *reterr);
int rf_obs_parse(const char *text, size_t len, const char *source, struct rf_observation **ret,
		 struct rf_error *reterr);
/* Union of src into dst: counts add up (saturating at UINT64_MAX), support adds up, argument
 * sets, files, sockets and signals join. */
int rf_obs_merge(struct rf_observation *dst, const struct rf_observation *src);
