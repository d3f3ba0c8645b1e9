/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_outputs_write(): observation, profile and capability suggestion from one observation. */
#include "core/macro.h"
#include "ringfence/outputs.h"
#include "ringfence/suggest.h"

static int write_profile(const struct rf_observation *obs, const struct rf_outputs *out,
			 struct rf_error *reterr)
{
	_cleanup_(rf_profile_freep) struct rf_profile *p = NULL, *merged = NULL;
	enum rf_profile_format fmt = out->format ?: RF_FORMAT_OCI;
	int r = rf_profile_from_observation(obs, &out->build, &p, reterr);

	if (r < 0)
		return r;
	if (out->merge_with) {
		struct rf_profile *both[2] = { (struct rf_profile *)out->merge_with, p };

		r = rf_profile_merge(both, 2, &merged, reterr);
		if (r < 0)
			return r;
	}
	/* A whole config.json is an input shape; its profile is written as plain OCI. */
	return rf_profile_write_file(merged ?: p, fmt == RF_FORMAT_OCI_CONFIG ? RF_FORMAT_OCI : fmt,
				     out->seccomp, reterr);
}

static int write_caps(const struct rf_observation *obs, const struct rf_outputs *out,
		      struct rf_error *reterr)
{
	_cleanup_(rf_caps_suggestion_freep) struct rf_caps_suggestion *s = NULL;
	int r = rf_caps_suggest(obs, &s, reterr);

	if (r >= 0)
		r = rf_caps_suggestion_write_file(s, out->caps, reterr);
	if (r >= 0 && out->caps_summary)
		(void)rf_caps_suggestion_write_text(s, out->caps_summary);
	return r;
}

int rf_outputs_write(const struct rf_observation *obs, const struct rf_outputs *out,
		     struct rf_error *reterr)
{
	int r = 0;

	if (out->observation)
		r = rf_obs_write_file(obs, out->observation, reterr);
	if (r >= 0 && out->seccomp)
		r = write_profile(obs, out, reterr);
	if (r >= 0 && out->caps)
		r = write_caps(obs, out, reterr);
	return r;
}
