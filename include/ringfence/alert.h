/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where findings go: standard output, a rotating file, syslog, an HTTP webhook. Every output
 * takes a record (a JSON document and its one-line text form) and returns at once: a slow or
 * failing output never blocks detection. Its failures are counted, logged (rate-limited) and
 * visible in its statistics. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"

enum rf_alert_format { RF_ALERT_TEXT = 0, RF_ALERT_JSON };

/* Syslog severities (RFC 5424), for findings' priorities. */
enum rf_alert_severity {
	RF_SEV_EMERGENCY = 0,
	RF_SEV_ALERT,
	RF_SEV_CRITICAL,
	RF_SEV_ERROR,
	RF_SEV_WARNING,
	RF_SEV_NOTICE,
	RF_SEV_INFO,
	RF_SEV_DEBUG,
};

struct rf_alert_stats {
	uint64_t delivered;
	uint64_t failed;  /* gave up (write error, webhook out of retries) */
	uint64_t dropped; /* not taken: the webhook queue was full */
	uint64_t retries; /* webhook attempts beyond the first */
};

struct rf_alert_out;

int rf_alert_stdout_new(enum rf_alert_format fmt, struct rf_alert_out **ret);

/* Appends to path (never truncates); past max_bytes the file is renamed path.1 (path.1 to
 * path.2 ...) and a new one started; at most `keep` rotated files are kept (0: all). */
int rf_alert_file_new(const char *path, enum rf_alert_format fmt, uint64_t max_bytes, unsigned keep,
		      struct rf_alert_out **ret, struct rf_error *reterr);

/* RFC 3164 datagrams to a syslog socket (NULL: /dev/log), facility auth, tag "ringfence". */
int rf_alert_syslog_new(const char *socket_path, enum rf_alert_format fmt,
			struct rf_alert_out **ret, struct rf_error *reterr);

struct rf_webhook_opts {
	const char *url;	    /* http:// or https:// */
	const char *const *headers; /* "Name: value" lines, NULL-terminated, may be NULL */
	const char *ca_file;	    /* extra CA bundle for https, or NULL */
	unsigned timeout_ms;	    /* per request (0: 5000) */
	unsigned queue;		    /* records held while the receiver is slow (0: 10000) */
	unsigned max_attempts;	    /* per record (0: 6) */
	unsigned backoff_ms;	    /* first retry delay, doubled each time up to 30 s (0: 200) */
	unsigned drain_ms; /* at close, how long queued records may still be sent (0: 5000) */
};

/* POSTs each record's JSON document (Content-Type: application/json) from a worker thread,
 * retrying 5xx answers, timeouts and connection errors with exponential backoff. */
int rf_alert_webhook_new(const struct rf_webhook_opts *o, struct rf_alert_out **ret,
			 struct rf_error *reterr);

/* Hands one record to the output (json: one document without newline; text: one line). */
void rf_alert_emit(struct rf_alert_out *o, const char *json, const char *text,
		   enum rf_alert_severity severity);
void rf_alert_stats(const struct rf_alert_out *o, struct rf_alert_stats *ret);
const char *rf_alert_name(const struct rf_alert_out *o); /* "stdout", "file:/x", "webhook:..." */
/* Flushes (the webhook drains its queue for up to drain_ms); the statistics are final after,
 * and later records are counted as dropped. */
void rf_alert_close(struct rf_alert_out *o);
/* Closes (when not yet) and frees. */
void rf_alert_free(struct rf_alert_out *o);

/* Every output of a run: a finding is rendered once (JSON and text) and handed to each. */
#define RF_ALERTS_MAX 8
struct rf_finding;
struct rf_alerts {
	struct rf_alert_out *v[RF_ALERTS_MAX];
	size_t n;
	uint64_t records;
};
/* Takes ownership of o (freed even on failure); -E2BIG past RF_ALERTS_MAX. */
int rf_alerts_add(struct rf_alerts *a, struct rf_alert_out *o);
int rf_alerts_finding(struct rf_alerts *a, const struct rf_finding *f);
/* Closes every output (statistics final), without freeing. */
void rf_alerts_close(struct rf_alerts *a);
void rf_alerts_done(struct rf_alerts *a);
