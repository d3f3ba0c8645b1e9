/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guard of held processes (ebpf-watch-guard.c): a child of the watcher that resumes the
 * processes the program stopped at an event if the watcher dies before it resumes them. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

struct w_guard {
	pid_t pid;   /* the guard process; 0: none */
	int wfd;     /* the watcher's end of the pipe whose EOF tells the guard it is gone */
	int holding; /* the program's map of held processes (tgid -> event time) */
};

/* Forks the guard, watching the map `holding_fd` (before any program is attached: the guard
 * must hold no link, or the programs would outlive the watcher). Negative errno. */
int w_guard_start(struct w_guard *g, int holding_fd);
/* The watcher resumed tgid after its event at time_ns: off the guard's list, unless the
 * program stopped the process again since. */
void w_guard_resumed(const struct w_guard *g, int tgid, uint64_t time_ns);
/* Tells the guard the watcher is done (after the programs are detached) and reaps it. */
void w_guard_stop(struct w_guard *g);
