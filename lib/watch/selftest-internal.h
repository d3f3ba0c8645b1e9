/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The selftest's behaviour table (one file per family: selftest-files.c, selftest-procs.c,
 * selftest-net.c, selftest-priv.c) and what its actions share with the performer
 * (selftest-perform.c) and the orchestrator (selftest.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What an action needs (checked by the orchestrator, which skips with a reason). */
enum {
	ST_ROOT = 1u << 0,	/* root (host paths the action creates, kernel interfaces) */
	ST_CONTAINER = 1u << 1, /* inside the fake container cgroup (root) */
	ST_NETNS = 1u << 2,	/* in a network namespace of its own, loopback up (root) */
	ST_UNPRIV = 1u << 3,	/* as an unprivileged user: root becomes nobody before the exec */
	ST_SH = 1u << 4,	/* /bin/sh exists */
	ST_MARK_AT_EXEC = 1u << 5, /* the exec of `as` is the behaviour itself */
};

/* The performer's view of the run (from its command line). */
struct st_ctx {
	const char *dir;    /* the throwaway directory */
	const char *token;  /* unique part of host paths */
	const char *cgroup; /* the fake container cgroup, NULL without one */
	int log_fd;	    /* the orchestrator's log (write(2) only) */
	unsigned idx;	    /* behaviour */
	bool near;	    /* its near miss */
};

struct st_action {
	const char *what;
	const char *as; /* exec'd under this name first (a symlink in <dir>/bin), or NULL */
	unsigned needs;
	int (*fn)(const struct st_ctx *c); /* 0 performed; else an exit status */
};

struct st_behaviour {
	const char *rule;
	struct st_action hit, near; /* near.fn NULL: no near miss */
	const char *note;	    /* how it is done safely, shown with the result */
	const char *syscall;	    /* the call the hit is seen by, where the kernel may lack it */
};

extern const struct st_behaviour st_files[], st_procs[], st_net[], st_priv[];
extern const size_t st_files_n, st_procs_n, st_net_n, st_priv_n;

/* The throwaway directory's contents (and the host file the log behaviour removes, as root);
 * `self` is what <dir>/bin/<name> link to. */
struct rf_error;
int st_layout(const char *dir, const char *token, const char *self, bool root,
	      struct rf_error *reterr);

/* The whole table in order (index = position across the families). */
size_t st_count(void);
const struct st_behaviour *st_get(size_t i);

/* Names exec'd from <dir>/bin (symlinks to the performer). */
extern const char *const st_exec_names[];

/* ---- helpers for actions (selftest-perform.c) ---- */
/* Logs that the behaviour starts now ("S idx near pid boottime"). */
void st_mark(const struct st_ctx *c);
/* "<dir>/<rel>" into buf. */
const char *st_path(const struct st_ctx *c, char *buf, size_t n, const char *rel);
/* open(path, flags, 0600) and close at once; errors are part of the behaviour. */
int st_open_close(const char *path, int flags);
/* Execs <dir>/bin/<name> as a performer that does nothing (`noop`), with extra arguments;
 * returns only on failure (an exit status). */
int st_exec_noop(const struct st_ctx *c, const char *name, const char *extra1, const char *extra2);
/* Forks; the child runs fn(c, arg) and _exits with its result; waits. Returns the status. */
int st_fork_wait(const struct st_ctx *c, int (*fn)(const struct st_ctx *c, void *arg), void *arg);
/* Copies this program's executable to fd (the drift and fileless payloads). */
int st_copy_self(int fd);
