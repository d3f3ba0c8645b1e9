/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pieces of `run` shared between the exec path, the listener and the report. */
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/hashmap.h"
#include "ringfence/error.h"
#include "ringfence/sink.h"

struct rf_denial {
	char key[48]; /* "arch:nr:verdict:pre_exec": the aggregation key */
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

/* The report: a consumer of the listener's events (RF_EV_SYSCALL with a verdict). */
struct rf_report {
	const char *mode;     /* "complain" or "enforce"; not owned */
	const char *profile;  /* not owned */
	struct rf_hmap index; /* key -> struct rf_denial */
	struct rf_denial **items;
	size_t n;
	uint64_t lost; /* notifications we could not decode or answer */
	int wait_status;
	bool exited;
};

void rf_report_sink(struct rf_report *rep, struct rf_sink *ret);
int rf_report_write(const struct rf_report *rep, const char *path, struct rf_error *reterr);
void rf_report_done(struct rf_report *rep);

/* The listener: a source of events (ringfence/event.h: an RF_EV_SYSCALL with the profile's
 * verdict for each call the kernel routed to it, an RF_EV_GAP for each notification it could not
 * take). Answers notifications until the child `pid` (watched through `pidfd`) exits. `prog` is
 * the original profile's BPF, used to know each call's real verdict. */
struct rf_listener {
	int notify_fd;
	int pidfd;
	pid_t pid;
	bool complain;
	const struct sock_filter *prog; /* not owned */
	size_t prog_len;
	const char *self_exe; /* not owned: ringfence's own binary, to tag pre-exec calls */
	int park_fd;	      /* the child's end of the park pipe: its read is ours, let through */
	bool parked;
	bool exec_seen; /* the command has exec'd: no later call can be ringfence's own */
	rf_event_fn fn;
	void *userdata;
	struct rf_proctab *procs; /* not owned */
	struct rf_hmap tgids;	  /* tid -> tgid + 1, learned once per thread */
};
extern const struct rf_source_info rf_listener_source;
int rf_listener_run(struct rf_listener *l, int *ret_status, struct rf_error *reterr);
/* Finds the child's seccomp listener fd in /proc and duplicates it with pidfd_getfd. */
int rf_listener_grab(int pidfd, pid_t pid, int *ret_fd, struct rf_error *reterr);
