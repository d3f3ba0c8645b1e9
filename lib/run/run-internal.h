/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pieces of `run` shared between the exec path, the listener and the report. */
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/types.h>

#include "ringfence/error.h"

struct rf_denial {
	uint32_t arch;
	int nr;
	uint32_t verdict; /* SECCOMP_RET_* of the original profile */
	uint64_t count;
	pid_t first_pid;
	char *first_comm;
	char *first_exe;
	uint64_t first_args[6];
	bool pre_exec; /* made by ringfence itself between filter load and execve */
};

struct rf_report {
	const char *mode;    /* "complain" or "enforce"; not owned */
	const char *profile; /* not owned */
	struct rf_denial *items;
	size_t n;
	uint64_t lost;       /* notifications we could not decode */
	int wait_status;
	bool exited;
};

void rf_report_add(struct rf_report *rep, const struct seccomp_data *d, uint32_t verdict,
		   pid_t pid, bool pre_exec);
int rf_report_write(const struct rf_report *rep, const char *path, struct rf_error *reterr);
void rf_report_done(struct rf_report *rep);

/* Listener loop: answers notifications until the child `pid` (watched through `pidfd`) exits.
 * `prog` is the original profile's BPF, used to know each call's real verdict. */
struct rf_listener {
	int notify_fd;
	int pidfd;
	pid_t pid;
	bool complain;
	const struct sock_filter *prog; /* not owned */
	size_t prog_len;
	const char *self_exe; /* not owned: ringfence's own binary, to tag pre-exec calls */
	int park_fd;          /* the child's end of the park pipe: its read is ours, let through */
	bool parked;
	bool exec_seen; /* the command has exec'd: no later call can be ringfence's own */
	struct rf_report *report; /* not owned */
};
int rf_listener_run(struct rf_listener *l, int *ret_status, struct rf_error *reterr);
/* Finds the child's seccomp listener fd in /proc and duplicates it with pidfd_getfd. */
int rf_listener_grab(int pidfd, pid_t pid, int *ret_fd, struct rf_error *reterr);
