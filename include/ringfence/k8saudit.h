/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kubernetes API server audit events (audit.k8s.io/v1 Event) as a source of the event model:
 * from log files (the API server's log backend: JSON Lines, rotated, gzip'd, followed like
 * tail -F) or from the API server's webhook backend (POSTed EventLists over HTTPS).
 *
 * Audit logs are machine-written JSON at up to tens of thousands of events a second, so they are
 * parsed with cJSON (210k docs/s on 1.5 KB events here, where libfyaml, the document layer of
 * every configuration input, manages 9k docs/s); a bad line is reported with its file:line and
 * skipped, never a stop. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/detect.h"
#include "ringfence/error.h"
#include "ringfence/event.h"
#include "ringfence/k8s.h"

/* One audit event: the common fields, and the parsed document for everything else. */
struct rf_k8s_audit {
	const void *json; /* the event's cJSON tree (the ka.* fields of lib/detect read it) */
	const void *request_object, *object_ref; /* its requestObject and objectRef, or NULL */
	const char *audit_id, *stage, *level, *verb, *request_uri, *user_agent;
	const char *user, *impersonated_user;
	const char *resource, *subresource, *ns, *name, *api_group, *api_version;
	int code;	      /* responseStatus.code, 0 when absent */
	const char *decision; /* annotation authorization.k8s.io/decision, NULL when absent */
	const char *origin;   /* "audit.log:17" or "webhook" */
	uint64_t time_ns;     /* stageTimestamp (else requestReceivedTimestamp), epoch ns */
};

struct rf_k8s_audit_opts {
	char *const *paths; /* log files in order; "-" is stdin; gzip is read transparently */
	bool follow;	    /* keep reading the last file as it grows and across rotation */
	const char *listen; /* "ADDR:PORT": serve the API server's webhook backend */
	const char *tls_cert, *tls_key; /* PEM files: HTTPS (required unless insecure_http) */
	const char *client_ca;		/* PEM: require client certificates signed by this CA */
	bool insecure_http;		/* plain HTTP, by explicit choice only */
	unsigned queue;			/* webhook batches held (0: 64); a full queue answers 503 */
	size_t max_body;		/* webhook request limit (0: 64 MiB) */
	int stop_fd;			/* readable: stop (accepted batches are still delivered) */
	int ready_fd;			/* > 0: written and closed once listening / reading */
	int port_fd; /* > 0: the bound port is written there as text (":0" listens) */
};

struct rf_k8s_audit_result {
	uint64_t events;   /* delivered */
	uint64_t bad;	   /* lines or items that were not audit events (reported, skipped) */
	uint64_t batches;  /* webhook requests accepted */
	uint64_t rejected; /* webhook requests answered 503 (queue full) or 4xx */
	uint64_t bytes;
};

extern const struct rf_source_info rf_k8s_audit_source;

/* Parses one audit Event object; 0, or -EINVAL with the reason (it is not an Event). */
int rf_k8s_audit_from_json(const void *cjson, const char *origin, struct rf_k8s_audit *ret,
			   const char **ret_why);

/* Reads (and/or listens) until the inputs end, or stop_fd. Events go to fn as RF_EV_K8S_AUDIT;
 * a negative return of fn stops reading and is returned. */
int rf_k8s_audit_run(const struct rf_k8s_audit_opts *o, rf_event_fn fn, void *userdata,
		     struct rf_k8s_audit_result *ret, struct rf_error *reterr);

/* ---- detection (lib/k8saudit/detect.c, pss.c): the source into the rule engine ---- */

/* The Pod Security Standards checks (latest policy version, `ringfence audit`'s checker) the
 * workload in a request's object fails at `level`: *ret is a sorted NULL-terminated list of
 * check ids ("privileged", "hostPathVolumes" ...), NULL when the request carries no complete
 * workload (not a workload resource, a subresource other than ephemeralcontainers, a patch
 * without kind) or it passes. */
int rf_k8s_audit_pss(const struct rf_k8s_audit *a, enum rf_pss_level level, char ***ret);

struct rf_k8s_audit_rules_opts {
	bool no_default_rules;	/* leave out data/rules/k8s-audit.yaml */
	char *const *ioc_files; /* threat-intel lists: their IPs go to list k8s_malicious_ips and
				 * the rule that reads it is switched on (NULL-terminated) */
	enum rf_pss_level pss_level; /* the level of the default PSS rule; RF_PSS_PRIVILEGED:
				      * no PSS rule (default: baseline; see pss_level_set) */
	bool pss_level_set;
	char *const *files; /* rules files loaded after the defaults (NULL-terminated) */
};

/* The built-in Kubernetes audit rules (data/rules/k8s-audit.yaml, embedded). */
int rf_k8s_audit_load_default_rules(struct rf_ruleset *rs, struct rf_error *reterr);
/* Loads what o names into rs, in order (defaults, the --ioc list and the PSS level, then the
 * files, so a file has the last word) and compiles it. */
int rf_k8s_audit_rules(struct rf_ruleset *rs, const struct rf_k8s_audit_rules_opts *o,
		       struct rf_error *reterr);

struct rf_k8s_audit_detect_result {
	struct rf_k8s_audit_result source;
	struct rf_detect_stats detect;
};

/* Reads audit events as rf_k8s_audit_run does and evaluates each with the compiled ruleset
 * (detect options as given, the events' clock being the wall clock); findings and rate-limit
 * summaries go to on_finding. The ruleset must read audit events only: one that needs other
 * event kinds is refused with the reason. Suppression files are loaded first. */
int rf_k8s_audit_detect(const struct rf_k8s_audit_opts *src, const struct rf_ruleset *rs,
			const struct rf_detect_opts *dopts, char *const *suppress_files,
			rf_finding_fn on_finding, void *userdata,
			struct rf_k8s_audit_detect_result *ret, struct rf_error *reterr);
