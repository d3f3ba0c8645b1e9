/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process table: tgid -> who a process is (exe, comm, argv, parent chain, cgroup, container
 * id and pod UID, start time, ids). Every source keeps it current from its fork/exec/exit
 * events and hands entries to consumers as ev->proc, so no consumer reads /proc itself.
 *
 * Entries are read from /proc when a source first meets a process it did not see start, and
 * updated from events afterwards. Memory is bounded: at most `max_entries` live entries (the
 * least recently used is evicted and re-read on its next event), and an exited process stays
 * only while a descendant in the table still names it as an ancestor (chains are cut at
 * RF_PROC_MAX_CHAIN levels). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RF_PROC_MAX_CHAIN	    32	 /* ancestors kept per process */
#define RF_PROC_MAX_ARGV_BYTES	    4096 /* argv kept per process (the rest is cut, with "...") */
#define RF_PROC_DEFAULT_MAX_ENTRIES 32768

struct rf_proc {
	pid_t tgid;
	pid_t ppid;	   /* 0 unknown */
	uint64_t start_ns; /* CLOCK_BOOTTIME of the fork (or /proc's start time); 0 unknown */
	char comm[16];
	char *exe;   /* NULL unknown */
	char **argv; /* NULL unknown; bounded by RF_PROC_MAX_ARGV_BYTES */
	bool argv_truncated;
	char *cwd;	       /* at the time it was read or exec'd; NULL unknown */
	char *cgroup;	       /* cgroup v2 path, "/kubepods/..."; NULL unknown */
	char container_id[65]; /* "" when the cgroup names no container */
	char pod_uid[37];      /* "" when the cgroup names no pod */
	bool ids_known;
	uint32_t uid, euid, gid, egid;
	const struct rf_proc *parent; /* NULL unknown or beyond the kept chain */
	bool exited;
	/* bookkeeping, not for consumers */
	unsigned refs;
	struct rf_proc *lru_prev, *lru_next;
};

struct rf_proctab;

struct rf_proctab_opts {
	const char *proc_root; /* "/proc" when NULL (tests use a fake tree) */
	size_t max_entries;    /* RF_PROC_DEFAULT_MAX_ENTRIES when 0 */
	bool no_proc;	       /* never read /proc (replaying a log of another machine) */
};

struct rf_proctab_stats {
	size_t entries;	  /* live + exited-but-referenced */
	uint64_t loads;	  /* entries read from /proc */
	uint64_t evicted; /* live entries dropped for the bound */
};

int rf_proctab_new(const struct rf_proctab_opts *o, struct rf_proctab **ret);
void rf_proctab_free(struct rf_proctab *t);
static inline void rf_proctab_freep(struct rf_proctab **t)
{
	if (*t)
		rf_proctab_free(*t);
}

/* The entry of a live process: from the table, or read from /proc on a miss (NULL when the
 * process is gone and was never seen, or on -ENOMEM). */
const struct rf_proc *rf_proctab_get(struct rf_proctab *t, pid_t tgid);
/* Only what the table knows; never reads /proc. */
const struct rf_proc *rf_proctab_peek(const struct rf_proctab *t, pid_t tgid);

/* A new process `child` of `parent` at time_ns (0: now). The child starts as a copy of its
 * parent (comm, exe, argv, cgroup, ids), as fork makes it. */
int rf_proctab_fork(struct rf_proctab *t, pid_t parent, pid_t child, uint64_t time_ns);
/* tgid exec'd `path` with `argv` (either may be NULL: then /proc is read for it). */
int rf_proctab_exec(struct rf_proctab *t, pid_t tgid, const char *path, char *const *argv);
/* Sets the comm after an exec or prctl(PR_SET_NAME) seen by the source. */
void rf_proctab_set_comm(struct rf_proctab *t, pid_t tgid, const char *comm);
/* tgid exited: its entry leaves the table (kept while descendants refer to it). */
void rf_proctab_exit(struct rf_proctab *t, pid_t tgid);

void rf_proctab_stats(const struct rf_proctab *t, struct rf_proctab_stats *ret);

/* Container id (64 hex digits of docker, containerd, CRI-O, podman scopes) and pod UID
 * (kubepods "pod<uid>", systemd's underscores turned back into dashes) from a cgroup path. */
void rf_cgroup_ids(const char *cgroup_path, char container_id[65], char pod_uid[37]);
