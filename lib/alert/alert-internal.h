/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The output interface behind ringfence/alert.h, shared by its implementations. */
#pragma once

#include <pthread.h>

#include "ringfence/alert.h"

struct rf_alert_ops {
	void (*emit)(struct rf_alert_out *o, const char *json, const char *text,
		     enum rf_alert_severity sev);
	void (*close)(struct rf_alert_out *o);
};

struct rf_alert_out {
	const struct rf_alert_ops *ops;
	char *name;
	enum rf_alert_format fmt;
	pthread_mutex_t lock; /* guards stats (the webhook worker updates them) */
	struct rf_alert_stats stats;
	uint64_t failures_logged; /* rate limit of failure messages */
	void *impl;
	bool closed; /* rf_alert_close ran: emits are counted as dropped */
};

int rf_alert_alloc(const struct rf_alert_ops *ops, const char *name, enum rf_alert_format fmt,
		   void *impl, struct rf_alert_out **ret);
void rf_alert_count(struct rf_alert_out *o, uint64_t *counter);
/* Logs a failure of this output: the first, then every 100th. */
void rf_alert_failed(struct rf_alert_out *o, const char *why);

int rf_alert_webhook_new_impl(const struct rf_webhook_opts *o, struct rf_alert_out **ret,
			      struct rf_error *reterr);
