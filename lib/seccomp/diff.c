/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Semantic diff of two profiles: per architecture, which syscalls gained or lost a rule and which
 * changed action, errno or argument conditions. Docker conditions are resolved for this machine
 * first, so a moby-style profile and its resolved OCI form compare equal. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/profile.h"

static char *describe_rule(const struct rf_seccomp_rule *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputs(rf_action_to_string(r->action), f);
	if (r->has_errno_ret)
		fprintf(f, "(%u)", r->errno_ret);
	for (size_t i = 0; i < r->n_args; i++) {
		const struct rf_seccomp_arg *a = &r->args[i];
		fprintf(f, "%s arg%u %s 0x%llx", i ? " and" : " if", a->index,
			rf_cmp_to_string(a->op) + strlen("SCMP_CMP_"), (unsigned long long)a->value);
		if (a->op == RF_CMP_MASKED_EQ)
			fprintf(f, "/0x%llx", (unsigned long long)a->value_two);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* All rule descriptions for `name`, joined with " | " in rule order. */
static char *describe_name(const struct rf_profile *p, const char *name)
{
	_cleanup_strv_free_ char **parts = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < p->n_rules; i++) {
		_cleanup_free_ char *d = NULL;
		if (!strv_contains(p->rules[i].names, name))
			continue;
		d = describe_rule(&p->rules[i]);
		if (!d || strv_extend_unique(&parts, d) < 0)
			return NULL;
	}
	if (!parts)
		return NULL;
	strv_sort(parts);
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	STRV_FOREACH (s, parts)
		fprintf(f, "%s%s", s == parts ? "" : " | ", *s);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static int push(struct rf_diff *d, const char *arch, const char *name, char kind, char *detail)
{
	struct rf_diff_entry *n = reallocarray(d->items, d->n + 1, sizeof(*n));

	if (!n) {
		free(detail);
		return -ENOMEM;
	}
	d->items = n;
	n[d->n] = (struct rf_diff_entry){ .arch = strdup(arch), .name = strdup(name),
					  .kind = kind, .detail = detail };
	if (!n[d->n].arch || !n[d->n].name) {
		free(n[d->n].arch);
		free(n[d->n].name);
		free(detail);
		return -ENOMEM;
	}
	d->n++;
	return 0;
}

static int all_names(const struct rf_profile *a, const struct rf_profile *b, char ***ret)
{
	_cleanup_strv_free_ char **v = NULL;
	const struct rf_profile *ps[2] = { a, b };

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < ps[k]->n_rules; i++)
			STRV_FOREACH (n, ps[k]->rules[i].names)
				if (strv_extend_unique(&v, *n) < 0)
					return -ENOMEM;
	strv_sort(v);
	*ret = TAKE_PTR(v);
	return 0;
}

static int all_arches(const struct rf_profile *a, const struct rf_profile *b, char ***ret)
{
	_cleanup_strv_free_ char **v = NULL;
	const char *native = rf_arch_oci_name(rf_arch_native());

	if (native && strv_extend(&v, native) < 0)
		return -ENOMEM;
	STRV_FOREACH (x, a->architectures)
		if (strv_extend_unique(&v, *x) < 0)
			return -ENOMEM;
	STRV_FOREACH (x, b->architectures)
		if (strv_extend_unique(&v, *x) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

static bool arch_listed(const struct rf_profile *p, const char *arch)
{
	const char *native = rf_arch_oci_name(rf_arch_native());

	return strv_contains(p->architectures, arch) || (native && streq(native, arch));
}

static int diff_resolved(const struct rf_profile *a, const struct rf_profile *b, struct rf_diff *d)
{
	_cleanup_strv_free_ char **names = NULL, **arches = NULL;
	int r;

	if ((r = all_names(a, b, &names)) < 0 || (r = all_arches(a, b, &arches)) < 0)
		return r;
	STRV_FOREACH (arch, arches) {
		uint32_t tok = rf_arch_from_name(*arch);
		bool in_a = arch_listed(a, *arch), in_b = arch_listed(b, *arch);

		STRV_FOREACH (n, names) {
			_cleanup_free_ char *da = NULL, *db = NULL;

			/* Names that do not exist on this arch cannot differ there. */
			if (tok && seccomp_syscall_resolve_name_arch(tok, *n) < 0)
				continue;
			da = in_a ? describe_name(a, *n) : NULL;
			db = in_b ? describe_name(b, *n) : NULL;
			if (!da && db)
				r = push(d, *arch, *n, '+', TAKE_PTR(db));
			else if (da && !db)
				r = push(d, *arch, *n, '-', TAKE_PTR(da));
			else if (da && db && !streq(da, db)) {
				char *detail = NULL;
				if (asprintf(&detail, "%s -> %s", da, db) < 0)
					return -ENOMEM;
				r = push(d, *arch, *n, '~', detail);
			}
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static char *describe_default(const struct rf_profile *p)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s%.0u%s", rf_action_to_string(p->default_action),
		     p->has_default_errno_ret ? "(" : "", p->default_errno_ret,
		     p->has_default_errno_ret ? ")" : "") < 0)
		return NULL;
	return s;
}

int rf_profile_diff(const struct rf_profile *a, const struct rf_profile *b,
		    const struct rf_resolve_env *env, struct rf_diff *ret, struct rf_error *reterr)
{
	_cleanup_(rf_profile_freep) struct rf_profile *ra = NULL, *rb = NULL;
	_cleanup_free_ char *defa = NULL, *defb = NULL;
	struct rf_diff d = { 0 };
	int r;

	r = rf_profile_resolve(a, env, &ra, reterr);
	if (r >= 0)
		r = rf_profile_resolve(b, env, &rb, reterr);
	if (r < 0)
		return r;
	r = diff_resolved(ra, rb, &d);
	defa = describe_default(ra);
	defb = describe_default(rb);
	if (r >= 0 && (!defa || !defb))
		r = -ENOMEM;
	if (r >= 0 && !streq(defa, defb) && asprintf(&d.default_change, "%s -> %s", defa, defb) < 0)
		r = -ENOMEM;
	if (r < 0) {
		rf_diff_done(&d);
		return r;
	}
	*ret = d;
	return 0;
}

void rf_diff_done(struct rf_diff *d)
{
	for (size_t i = 0; d && i < d->n; i++) {
		free(d->items[i].arch);
		free(d->items[i].name);
		free(d->items[i].detail);
	}
	if (d) {
		free(d->items);
		free(d->default_change);
		*d = (struct rf_diff){ 0 };
	}
}
