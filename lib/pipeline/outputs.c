/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_outputs_write(): observation, profile, capability suggestion and AppArmor profile from one
 * observation. */
#include <string.h>

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

/* "web.apparmor" names its profile "web": `node install` then loads what the file says. */
static int apparmor_name(const char *path, char **ret)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 9 && streq(base + n - 9, ".apparmor"))
		n -= 9;
	*ret = strndup(base, n);
	if (!*ret)
		return -ENOMEM;
	if (!streq(path, "-") && rf_aa_name_valid(*ret))
		return 0;
	free(*ret);
	*ret = NULL;
	return 0;
}

static int write_apparmor(const struct rf_observation *obs, const struct rf_outputs *out,
			  struct rf_error *reterr)
{
	_cleanup_(rf_aa_profile_freep) struct rf_aa_profile *p = NULL;
	_cleanup_free_ char *name = NULL;
	int r = out->apparmor_name ? 0 : apparmor_name(out->apparmor, &name);

	if (r < 0)
		return r;
	r = rf_aa_from_observation(obs,
				   &(struct rf_aa_opts){ .name = out->apparmor_name ?: name,
							 .mode = out->apparmor_mode,
							 .partial = out->apparmor_partial },
				   &p, reterr);
	return r < 0 ? r : rf_aa_profile_write_file(p, out->apparmor, reterr);
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
	if (r >= 0 && out->apparmor)
		r = write_apparmor(obs, out, reterr);
	return r;
}
