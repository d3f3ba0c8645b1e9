/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Union of profiles that share a default action: what any of them allows, the result allows.
 * Unconditional rules of one action are folded into one sorted rule; a name allowed without
 * conditions drops its conditional rules for that action (they add nothing to the union). */
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strv.h"
#include "profile-internal.h"

static bool same_verdict(const struct rf_seccomp_rule *a, const struct rf_seccomp_rule *b)
{
	return a->action == b->action && a->has_errno_ret == b->has_errno_ret &&
	       (!a->has_errno_ret || a->errno_ret == b->errno_ret);
}

/* Index of a rule in `out` with the same verdict and no args, or -1. */
static ssize_t plain_rule(const struct rf_profile *out, const struct rf_seccomp_rule *r)
{
	for (size_t i = 0; i < out->n_rules; i++)
		if (out->rules[i].n_args == 0 && same_verdict(&out->rules[i], r))
			return (ssize_t)i;
	return -1;
}

static bool has_conditional_duplicate(const struct rf_profile *out, const struct rf_seccomp_rule *r,
				      const char *name)
{
	for (size_t i = 0; i < out->n_rules; i++)
		if (out->rules[i].n_args && same_verdict(&out->rules[i], r) &&
		    rf_seccomp_rule_args_equal(&out->rules[i], r) &&
		    strv_contains(out->rules[i].names, name))
			return true;
	return false;
}

static int add_rule_names(struct rf_profile *out, const struct rf_seccomp_rule *r)
{
	struct rf_seccomp_rule *d;
	ssize_t k;

	if (r->n_args == 0) {
		k = plain_rule(out, r);
		if (k < 0) {
			d = rf_profile_add_rule(out);
			if (!d)
				return -ENOMEM;
			*d = (struct rf_seccomp_rule){ .action = r->action,
						       .has_errno_ret = r->has_errno_ret,
						       .errno_ret = r->errno_ret };
			k = (ssize_t)out->n_rules - 1;
		}
		d = &out->rules[k];
		STRV_FOREACH(n, r->names)
			if (strv_extend_unique(&d->names, *n) < 0)
				return -ENOMEM;
		d->n_names = strv_length(d->names);
		return 0;
	}
	STRV_FOREACH(n, r->names) {
		if (has_conditional_duplicate(out, r, *n))
			continue;
		d = rf_profile_add_rule(out);
		if (!d || rf_seccomp_rule_copy(d, r) < 0)
			return -ENOMEM;
		strv_free(d->names);
		free(d->name_lines);
		d->name_lines = NULL;
		d->names = NULL;
		if (strv_extend(&d->names, *n) < 0)
			return -ENOMEM;
		d->n_names = 1;
	}
	return 0;
}

/* Conditional rules whose name is already allowed unconditionally with the same verdict. */
static void drop_shadowed(struct rf_profile *out)
{
	size_t w = 0;

	for (size_t i = 0; i < out->n_rules; i++) {
		struct rf_seccomp_rule *r = &out->rules[i];
		ssize_t k = r->n_args ? plain_rule(out, r) : -1;

		if (k >= 0 && strv_contains(out->rules[k].names, r->names[0])) {
			rf_seccomp_rule_done(r);
			continue;
		}
		out->rules[w++] = *r;
	}
	out->n_rules = w;
}

int rf_profile_merge(struct rf_profile *const *in, size_t n, struct rf_profile **ret,
		     struct rf_error *reterr)
{
	_cleanup_(rf_profile_freep) struct rf_profile *out = rf_profile_new();
	int r;

	if (!out)
		return -ENOMEM;
	if (n == 0)
		return rf_error_set(reterr, -EINVAL, "nothing to merge");
	out->format = RF_FORMAT_OCI;
	out->default_action = in[0]->default_action;
	out->has_default_errno_ret = in[0]->has_default_errno_ret;
	out->default_errno_ret = in[0]->default_errno_ret;
	for (size_t i = 0; i < n; i++) {
		const struct rf_profile *p = in[i];

		if (rf_profile_has_conditions(p))
			return rf_error_set(reterr, -EINVAL, "%s: resolve Docker conditions first",
					    p->source ?: "profile");
		if (p->default_action != out->default_action ||
		    (p->has_default_errno_ret ? p->default_errno_ret : 1) !=
			    (out->has_default_errno_ret ? out->default_errno_ret : 1))
			return rf_error_set(reterr, -EINVAL,
					    "%s: default action differs from the first profile's; "
					    "a union is only defined for one default",
					    p->source ?: "profile");
		STRV_FOREACH(a, p->architectures)
			if ((r = strv_extend_unique(&out->architectures, *a)) < 0)
				return r;
		STRV_FOREACH(f, p->flags)
			if ((r = strv_extend_unique(&out->flags, *f)) < 0)
				return r;
		for (size_t k = 0; k < p->n_rules; k++)
			if ((r = add_rule_names(out, &p->rules[k])) < 0)
				return r;
	}
	drop_shadowed(out);
	for (size_t i = 0; i < out->n_rules; i++)
		strv_sort(out->rules[i].names);
	*ret = TAKE_PTR(out);
	return 0;
}
