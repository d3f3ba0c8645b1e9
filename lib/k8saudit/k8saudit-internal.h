/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared inside lib/k8saudit/: the run state of the log reader and the webhook listener. */
#pragma once

#include <cjson/cJSON.h>
#include <pthread.h>

#include "ringfence/k8saudit.h"

struct k8s_listener;

struct k8s_run {
	const struct rf_k8s_audit_opts *o;
	rf_event_fn fn;
	void *userdata;
	struct rf_error *err;
	struct rf_k8s_audit_result res;
	struct k8s_listener *listener;
};

/* Parses one Event and hands it to fn (a non-Event is counted and skipped). */
int k8s_audit_deliver(struct k8s_run *run, const cJSON *e, const char *origin);

int k8s_listen_start(struct k8s_run *run);
/* Delivers every queued batch now (the caller's thread); never waits. */
int k8s_listen_drain(struct k8s_run *run);
/* Delivers batches as they come until stop_fd. */
int k8s_listen_serve(struct k8s_run *run);
/* Stops accepting; with `deliver`, what was accepted is still delivered. */
void k8s_listen_stop(struct k8s_run *run, bool deliver);
