/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability suggestions from an observation: which capabilities a workload used (eBPF
 * capability events) or, without them, which its syscalls imply (data/cap-inference.txt), written
 * as a Kubernetes securityContext fragment with a reason for each. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ringfence/error.h"
#include "ringfence/observation.h"

struct rf_cap_reason {
	int cap;       /* CAP_* number */
	bool possible; /* only listed: the observation cannot tell */
	char *why;     /* "chown() changes a file's owner (eBPF: capability check granted)" */
};

struct rf_caps_suggestion {
	bool from_events;  /* eBPF capability checks; false: inferred from syscalls */
	uint64_t add;	   /* capabilities to add after dropping ALL */
	uint64_t possible; /* listed with their reason, not added */
	uint64_t refused;  /* checked and refused, never granted: the workload did without */
	uint64_t ignored;  /* checked and granted but treated as noise (see the data file) */
	struct rf_cap_reason *reasons;
	size_t n_reasons;
	bool escalation;      /* an executed file is set-user/group-ID or has file capabilities */
	char *escalation_why; /* "/usr/bin/passwd is set-user-ID" */
	char **notes;	      /* NULL-terminated, may be NULL */
};

struct rf_caps_suggestion *rf_caps_suggestion_free(struct rf_caps_suggestion *s);
static inline void rf_caps_suggestion_freep(struct rf_caps_suggestion **s)
{
	if (*s)
		rf_caps_suggestion_free(*s);
}

/* Builds the suggestion. Checks the executed files (obs->execs) now, with stat and getxattr. */
int rf_caps_suggest(const struct rf_observation *obs, struct rf_caps_suggestion **ret,
		    struct rf_error *reterr);
/* The securityContext fragment, reasons and notes as YAML comments. */
int rf_caps_suggestion_write_yaml(const struct rf_caps_suggestion *s, FILE *out);
int rf_caps_suggestion_write_file(const struct rf_caps_suggestion *s, const char *path,
				  struct rf_error *reterr);
/* One line per capability and note, for people. */
int rf_caps_suggestion_write_text(const struct rf_caps_suggestion *s, FILE *out);
/* The suggested capabilities as "CHOWN,SETUID" (no CAP_ prefix), "" when none; for --cap-add. */
int rf_caps_suggestion_add_list(const struct rf_caps_suggestion *s, char **ret);
