/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a recording (or an import) is turned into: the observation itself, the seccomp profile
 * built from it, the capability suggestion, the AppArmor profile. One call writes every output
 * asked for, atomically each, so `record`, `generate` and `oci-hook` do not each repeat the
 * sequence. */
#pragma once

#include <stdio.h>

#include "ringfence/apparmor.h"
#include "ringfence/builder.h"
#include "ringfence/error.h"
#include "ringfence/observation.h"
#include "ringfence/profile.h"

struct rf_outputs {
	const char *observation;       /* path ("-" stdout) or NULL */
	const char *seccomp;	       /* path ("-" stdout) or NULL */
	enum rf_profile_format format; /* of the profile; 0 = OCI */
	struct rf_build_opts build;
	const struct rf_profile *merge_with; /* a profile to merge the built one with, or NULL */
	const char *caps;		     /* securityContext YAML path or NULL */
	FILE *caps_summary;		     /* the suggestion as text (stderr) or NULL */
	const char *apparmor;		     /* AppArmor profile path ("-" stdout) or NULL */
	enum rf_aa_mode apparmor_mode;
	const char *apparmor_name; /* NULL: the file's name without ".apparmor" (what `node
				    * install` expects), else derived from the command */
	bool apparmor_partial;	   /* an observation without file events is allowed files and
				    * networking whole (a baseline's) instead of refused */
};

/* Writes every output asked for, in that order; stops at the first failure. */
int rf_outputs_write(const struct rf_observation *obs, const struct rf_outputs *out,
		     struct rf_error *reterr);
