/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Least-privilege seccomp profiles from observations. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ringfence/observation.h"
#include "ringfence/profile.h"

/* More distinct values than this for a multiplexer argument and the builder keeps the syscall
 * name-only: a long list of exact values is brittle, and ioctl requests are not a policy. */
#define RF_BUILD_MAX_ARG_RULES 8

/* What the container runtime itself makes after installing the workload's filter (its
 * "bootstrap tail"), added to profiles recorded from containers. */
enum rf_runtime_base {
	RF_RUNTIME_BASE_AUTO =
		0, /* runc's tail when the observation shows runc init after the cut */
	RF_RUNTIME_BASE_NONE,
	RF_RUNTIME_BASE_RUNC, /* data/runc-tail.txt */
};
int rf_runtime_base_from_string(const char *s, enum rf_runtime_base *ret);

struct rf_build_opts {
	bool args;		/* argument rules for multiplexers with few observed values */
	uint32_t default_errno; /* errno of the default action; 0 = EPERM */
	unsigned min_support;	/* keep syscalls seen by at least this many observations (0 = 1) */
	enum rf_runtime_base runtime_base;
};

/* Deny by default with `default_errno`; one sorted allow rule with every observed syscall (and
 * the fast-mode set), architectures = the arches seen plus the native one. With `args`, each
 * multiplexer whose values are few gets one rule per allowed value on a single argument index
 * (never two conditions on one index); otherwise it stays name-only and the rule's comment says
 * why (kept in Docker output, logged as a note). */
int rf_profile_from_observation(const struct rf_observation *o, const struct rf_build_opts *opts,
				struct rf_profile **ret, struct rf_error *reterr);
