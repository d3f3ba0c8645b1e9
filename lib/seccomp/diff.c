/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Semantic diff of two profiles: per architecture, which syscalls gained or lost a rule and which
 * changed action, errno or argument conditions. Docker conditions are resolved for the target
 * (this machine, or --arch/--caps/--kernel) first, so a moby-style profile and its resolved OCI
 * form compare equal. Syscalls are compared by name: a name this libseccomp does not know is
 * still a difference (marked as such), never silently equal because it has no number here. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/profile.h"

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

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
			rf_cmp_to_string(a->op) + strlen("SCMP_CMP_"),
			(unsigned long long)a->value);
		if (a->op == RF_CMP_MASKED_EQ)
			fprintf(f, "/0x%llx", (unsigned long long)a->value_two);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* (name, rule) pairs of one profile sorted by name, so each name's rules are found by binary
 * search: the diff stays O(n log n) however many names and rules a hostile profile has. */
struct name_index {
	struct name_rule {
		const char *name;
		size_t rule;
	} * v;
	size_t n;
};

static int name_rule_cmp(const void *x, const void *y)
{
	const struct name_rule *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	return c ? c : (a->rule > b->rule) - (a->rule < b->rule);
}

static int index_build(const struct rf_profile *p, struct name_index *ret)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_rules; i++)
		n += p->rules[i].n_names;
	ret->v = calloc(n ?: 1, sizeof(*ret->v));
	if (!ret->v)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_rules; i++)
		STRV_FOREACH(name, p->rules[i].names)
			ret->v[ret->n++] = (struct name_rule){ *name, i };
	qsort_safe(ret->v, ret->n, sizeof(*ret->v), name_rule_cmp);
	return 0;
}

static size_t index_first(const struct name_index *ix, const char *name)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* All rule descriptions for `name`, sorted, without repeats, joined with " | "; *ret is NULL
 * when the profile has no rule for it. */
static int describe_name(const struct rf_profile *p, const struct name_index *ix, const char *name,
			 char **ret)
{
	_cleanup_strv_free_ char **parts = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	*ret = NULL;
	for (size_t i = index_first(ix, name); i < ix->n && streq(ix->v[i].name, name); i++) {
		_cleanup_free_ char *d = describe_rule(&p->rules[ix->v[i].rule]);
		if (!d || strv_extend_unique(&parts, d) < 0)
			return -ENOMEM;
	}
	if (!parts)
		return 0;
	strv_sort(parts);
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	STRV_FOREACH(s, parts)
		fprintf(f, "%s%s", s == parts ? "" : " | ", *s);
	if (fclose(f) != 0) {
		free(out);
		return -ENOMEM;
	}
	*ret = out;
	return 0;
}

static int push(struct rf_diff *d, const char *arch, const char *name, char kind, char *detail)
{
	struct rf_diff_entry *n = reallocarray(d->items, d->n + 1, sizeof(*n));

	if (!n) {
		free(detail);
		return -ENOMEM;
	}
	d->items = n;
	n[d->n] = (struct rf_diff_entry){
		.arch = strdup(arch), .name = strdup(name), .kind = kind, .detail = detail
	};
	if (!n[d->n].arch || !n[d->n].name) {
		free(n[d->n].arch);
		free(n[d->n].name);
		free(detail);
		return -ENOMEM;
	}
	d->n++;
	return 0;
}

/* Every name of either profile, sorted, once. */
static int all_names(const struct name_index *a, const struct name_index *b, char ***ret)
{
	_cleanup_free_ const char **v = calloc(a->n + b->n + 1, sizeof(*v));
	_cleanup_strv_free_ char **out = NULL;
	size_t n = 0, w = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < a->n; i++)
		v[n++] = a->v[i].name;
	for (size_t i = 0; i < b->n; i++)
		v[n++] = b->v[i].name;
	qsort_safe(v, n, sizeof(*v), str_ptr_cmp);
	out = calloc(n + 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || !streq(v[i - 1], v[i])) && !(out[w++] = strdup(v[i])))
			return -ENOMEM;
	*ret = TAKE_PTR(out);
	return 0;
}

/* The target's native arch first (the one every resolved profile has), then every other arch
 * either profile lists. */
static int all_arches(const struct rf_profile *a, const struct rf_profile *b, const char *native,
		      char ***ret)
{
	_cleanup_strv_free_ char **v = NULL;

	if (native && strv_extend(&v, native) < 0)
		return -ENOMEM;
	STRV_FOREACH(x, a->architectures)
		if (strv_extend_unique(&v, *x) < 0)
			return -ENOMEM;
	STRV_FOREACH(x, b->architectures)
		if (strv_extend_unique(&v, *x) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

/* A resolved profile applies to its architectures and, always, to the target's native arch. */
static bool arch_listed(const struct rf_profile *p, const char *arch, const char *native)
{
	return strv_contains(p->architectures, arch) || (native && streq(native, arch));
}

/* Whether `name` can differ on `arch`: not when libseccomp knows the name and knows it has no
 * number there (sync_file_range2 on x86_64); a name libseccomp does not know at all is compared
 * by name, wherever it is listed. */
static bool name_exists_on(const char *name, uint32_t tok, bool *ret_unknown)
{
	int nr = tok ? seccomp_syscall_resolve_name_arch(tok, name) : 0;

	*ret_unknown = tok && nr == __NR_SCMP_ERROR;
	return !tok || nr >= 0 || nr == __NR_SCMP_ERROR;
}

static int push_change(struct rf_diff *d, const char *arch, const char *name, bool unknown,
		       char *da, char *db)
{
	const struct scmp_version *v = seccomp_version();
	_cleanup_free_ char *a = da, *b = db;
	char *detail = NULL, kind = !a ? '+' : !b ? '-' : '~';
	int r;

	if ((!a && !b) || (a && b && streq(a, b)))
		return 0;
	if (a && b)
		r = asprintf(&detail, "%s -> %s", a, b);
	else
		r = asprintf(&detail, "%s", a ?: b);
	if (r >= 0 && unknown) {
		char *t = detail;
		r = asprintf(&detail, "%s (a name libseccomp %u.%u.%u does not know)", t, v->major,
			     v->minor, v->micro);
		free(t);
	}
	if (r < 0)
		return -ENOMEM;
	return push(d, arch, name, kind, detail);
}

static int diff_resolved(const struct rf_profile *a, const struct rf_profile *b, uint32_t native,
			 struct rf_diff *d)
{
	_cleanup_strv_free_ char **names = NULL, **arches = NULL;
	_cleanup_free_ struct name_rule *va = NULL, *vb = NULL;
	struct name_index ia = { 0 }, ib = { 0 };
	const char *native_name = rf_arch_oci_name(native);
	int r;

	r = index_build(a, &ia);
	va = ia.v;
	if (r >= 0)
		r = index_build(b, &ib);
	vb = ib.v;
	if (r >= 0)
		r = all_names(&ia, &ib, &names);
	if (r >= 0)
		r = all_arches(a, b, native_name, &arches);
	if (r < 0)
		return r;
	STRV_FOREACH(arch, arches) {
		uint32_t tok = rf_arch_from_name(*arch);
		bool in_a = arch_listed(a, *arch, native_name);
		bool in_b = arch_listed(b, *arch, native_name);

		STRV_FOREACH(n, names) {
			char *da = NULL, *db = NULL;
			bool unknown;

			if (!name_exists_on(*n, tok, &unknown))
				continue;
			r = in_a ? describe_name(a, &ia, *n, &da) : 0;
			if (r >= 0 && in_b)
				r = describe_name(b, &ib, *n, &db);
			if (r >= 0)
				r = push_change(d, *arch, *n, unknown, da, db);
			else
				free(da);
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
	r = diff_resolved(ra, rb, env && env->native_arch ? env->native_arch : rf_arch_native(),
			  &d);
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
