/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Docker/moby semantics: turn archMap and includes/excludes (caps, arches, minKernel) into a
 * plain OCI profile for one machine — the same decisions moby makes when it builds a container's
 * linux.seccomp from its default profile. Also the built-in profiles and rf_profile_load(). */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arch.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "core/strv.h"
#include "profile-internal.h"

/* Generated at build time from data/runtime-default.json (scripts/embed.py). */
extern const char rf_data_runtime_default[];
extern const unsigned long rf_data_runtime_default_len;

static bool cap_in(const struct rf_resolve_env *env, const char *cap)
{
	for (const char *const *c = env->caps; c && *c; c++)
		if (strcasecmp(*c, cap) == 0)
			return true;
	return false;
}

static bool arch_in(char *const *arches, uint32_t native)
{
	STRV_FOREACH(a, arches)
		if (rf_arch_from_name(*a) == native)
			return true;
	return false;
}

static int kernel_at_least(const struct rf_resolve_env *env, const char *min, bool *ret,
			   struct rf_error *reterr, const char *source, unsigned line)
{
	unsigned ma, mi;

	if (rf_parse_kernel_version(min, &ma, &mi) < 0)
		return rf_error_set_at(reterr, -EINVAL, source ?: "<profile>", line,
				       "minKernel '%s' is not a kernel version", min);
	*ret = env->kernel_major > ma || (env->kernel_major == ma && env->kernel_minor >= mi);
	return 0;
}

/* Moby's order: arches, then caps, then minKernel; excludes before includes. */
static int rule_applies(const struct rf_seccomp_rule *r, const struct rf_resolve_env *env,
			uint32_t native, const char *source, struct rf_error *reterr)
{
	bool ok;
	int k;

	if (r->excludes.arches && arch_in(r->excludes.arches, native))
		return 0;
	if (r->includes.arches && r->includes.arches[0] && !arch_in(r->includes.arches, native))
		return 0;
	STRV_FOREACH(c, r->excludes.caps)
		if (cap_in(env, *c))
			return 0;
	STRV_FOREACH(c, r->includes.caps)
		if (!cap_in(env, *c))
			return 0;
	if (r->excludes.min_kernel) {
		k = kernel_at_least(env, r->excludes.min_kernel, &ok, reterr, source, r->line);
		if (k < 0 || ok)
			return k;
	}
	if (r->includes.min_kernel) {
		k = kernel_at_least(env, r->includes.min_kernel, &ok, reterr, source, r->line);
		if (k < 0 || !ok)
			return k;
	}
	return 1;
}

static int resolve_arches(const struct rf_profile *p, uint32_t native, struct rf_profile *out)
{
	int r;

	if (p->architectures) {
		out->architectures = strv_copy(p->architectures);
		return out->architectures ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < p->n_arch_map; i++) {
		if (rf_arch_from_name(p->arch_map[i].arch) != native)
			continue;
		r = strv_extend(&out->architectures, p->arch_map[i].arch);
		STRV_FOREACH(s, p->arch_map[i].sub_arches)
			if (r >= 0)
				r = strv_extend(&out->architectures, *s);
		return r;
	}
	return 0;
}

static int copy_header(const struct rf_profile *p, struct rf_profile *out)
{
	out->format = RF_FORMAT_OCI;
	out->default_action = p->default_action;
	out->has_default_errno_ret = p->has_default_errno_ret;
	out->default_errno_ret = p->default_errno_ret;
	out->line_default_action = p->line_default_action;
	if ((p->source && !(out->source = strdup(p->source))) ||
	    (p->spo_name && !(out->spo_name = strdup(p->spo_name))) ||
	    (p->spo_namespace && !(out->spo_namespace = strdup(p->spo_namespace))) ||
	    (p->default_errno_name && !(out->default_errno_name = strdup(p->default_errno_name))) ||
	    (p->flags && !(out->flags = strv_copy(p->flags))) ||
	    (p->listener_path && !(out->listener_path = strdup(p->listener_path))) ||
	    (p->listener_metadata && !(out->listener_metadata = strdup(p->listener_metadata))))
		return -ENOMEM;
	return 0;
}

/* One (name, rule) pair of a resolved profile, sorted by name and then by what the rule does. */
struct name_ref {
	const char *name;
	const struct rf_seccomp_rule *rule;
	size_t slot; /* position in the profile, and in the flat `drop` array */
};

/* Same action, errno and argument conditions: two such rules for one name are one rule. */
static int rule_cmp(const struct rf_seccomp_rule *a, const struct rf_seccomp_rule *b)
{
	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	if (a->has_errno_ret != b->has_errno_ret)
		return a->has_errno_ret ? 1 : -1;
	if (a->has_errno_ret && a->errno_ret != b->errno_ret)
		return a->errno_ret < b->errno_ret ? -1 : 1;
	if (a->n_args != b->n_args)
		return a->n_args < b->n_args ? -1 : 1;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct rf_seccomp_arg *x = &a->args[i], *y = &b->args[i];
		if (x->index != y->index)
			return x->index < y->index ? -1 : 1;
		if (x->op != y->op)
			return x->op < y->op ? -1 : 1;
		if (x->value != y->value)
			return x->value < y->value ? -1 : 1;
		if (x->value_two != y->value_two)
			return x->value_two < y->value_two ? -1 : 1;
	}
	return 0;
}

static int name_ref_cmp(const void *x, const void *y)
{
	const struct name_ref *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c == 0)
		c = rule_cmp(a->rule, b->rule);
	if (c == 0)
		c = a->slot < b->slot ? -1 : a->slot > b->slot;
	return c;
}

static void drop_marked(struct rf_profile *p, const bool *drop)
{
	size_t slot = 0, w_rule = 0;

	for (size_t i = 0; i < p->n_rules; i++) {
		struct rf_seccomp_rule *r = &p->rules[i];
		size_t w = 0;

		for (size_t k = 0; k < r->n_names; k++, slot++) {
			if (drop[slot]) {
				free(r->names[k]);
				continue;
			}
			r->names[w] = r->names[k];
			if (r->name_lines)
				r->name_lines[w] = r->name_lines[k];
			w++;
		}
		r->names[w] = NULL;
		r->n_names = w;
		if (w == 0) {
			rf_seccomp_rule_done(r);
			continue;
		}
		p->rules[w_rule++] = *r;
	}
	p->n_rules = w_rule;
}

/* A resolved profile lists each (name, action, errno, arguments) once: Docker profiles name a
 * syscall in several blocks (ptrace under minKernel 4.8 and under CAP_SYS_PTRACE), and with both
 * conditions met the copies would be duplicate rules. The first one stays; the verdicts do not
 * change. Sorting keeps this O(n log n) for hostile inputs. */
static int dedupe_names(struct rf_profile *p)
{
	_cleanup_free_ struct name_ref *refs = NULL;
	_cleanup_free_ bool *drop = NULL;
	size_t n = 0;

	for (size_t i = 0; i < p->n_rules; i++)
		n += p->rules[i].n_names;
	if (n < 2)
		return 0;
	refs = calloc(n, sizeof(*refs));
	drop = calloc(n, sizeof(*drop));
	if (!refs || !drop)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < p->n_rules; i++)
		for (size_t k = 0; k < p->rules[i].n_names; k++, n++)
			refs[n] = (struct name_ref){ p->rules[i].names[k], &p->rules[i], n };
	qsort_safe(refs, n, sizeof(*refs), name_ref_cmp);
	for (size_t i = 1; i < n; i++)
		drop[refs[i].slot] = streq(refs[i].name, refs[i - 1].name) &&
				     rule_cmp(refs[i].rule, refs[i - 1].rule) == 0;
	drop_marked(p, drop);
	return 0;
}

int rf_profile_resolve(const struct rf_profile *p, const struct rf_resolve_env *env_in,
		       struct rf_profile **ret, struct rf_error *reterr)
{
	_cleanup_(rf_profile_freep) struct rf_profile *out = rf_profile_new();
	struct rf_resolve_env env = env_in ? *env_in : (struct rf_resolve_env){ 0 };
	uint32_t native;
	int r;

	if (!out)
		return -ENOMEM;
	if (env.kernel_major == 0 &&
	    (r = rf_kernel_version(&env.kernel_major, &env.kernel_minor)) < 0)
		return rf_error_set(reterr, r, "cannot read the kernel version");
	native = env.native_arch ?: rf_arch_native();
	r = copy_header(p, out);
	if (r >= 0)
		r = resolve_arches(p, native, out);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->n_rules; i++) {
		struct rf_seccomp_rule *dst;

		r = rule_applies(&p->rules[i], &env, native, p->source, reterr);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		dst = rf_profile_add_rule(out);
		if (!dst)
			return -ENOMEM;
		r = rf_seccomp_rule_copy(dst, &p->rules[i]);
		if (r < 0) {
			out->n_rules--;
			return r;
		}
	}
	r = dedupe_names(out);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(out);
	return 0;
}

bool rf_profile_is_builtin_name(const char *name)
{
	return name && streq(name, "runtime/default");
}

int rf_profile_builtin(const char *name, struct rf_profile **ret, struct rf_error *reterr)
{
	if (!rf_profile_is_builtin_name(name))
		return rf_error_set(reterr, -ENOENT, "no built-in profile named '%s'", name);
	return rf_profile_parse(rf_data_runtime_default, rf_data_runtime_default_len,
				"runtime/default", ret, reterr);
}

/* Reads PATH, or FILE of FILE#NAME when PATH does not exist as written (*ret_name is then NAME,
 * pointing into `path`). */
static int read_addressed(const char *path, char **ret_text, size_t *ret_len, const char **ret_file,
			  const char **ret_name, char **ret_file_buf, struct rf_error *reterr)
{
	struct rf_error first = { 0 };
	const char *hash = strrchr(path, '#');
	int r;

	*ret_file = path;
	*ret_name = NULL;
	if (!hash || hash[1] == '\0')
		return rf_read_file(path, RF_PROFILE_MAX_BYTES, ret_text, ret_len, reterr);
	r = rf_read_file(path, RF_PROFILE_MAX_BYTES, ret_text, ret_len, &first);
	if (r != -ENOENT) {
		/* The path exists as written (or fails otherwise): its error is the one to show. */
		if (r < 0 && reterr && !rf_error_is_set(reterr))
			*reterr = first; /* hands the strings over */
		else
			rf_error_clear(&first);
		return r;
	}
	rf_error_clear(&first);
	*ret_file_buf = strndup(path, (size_t)(hash - path));
	if (!*ret_file_buf)
		return -ENOMEM;
	*ret_file = *ret_file_buf;
	*ret_name = hash + 1;
	return rf_read_file(*ret_file, RF_PROFILE_MAX_BYTES, ret_text, ret_len, reterr);
}

int rf_profile_load(const char *path, struct rf_profile **ret, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL, *file_buf = NULL;
	const char *file, *name;
	size_t len = 0;
	int r;

	if (rf_profile_is_builtin_name(path))
		return rf_profile_builtin(path, ret, reterr);
	r = read_addressed(path, &text, &len, &file, &name, &file_buf, reterr);
	if (r < 0)
		return r;
	return rf_profile_parse_named(text, len, streq(file, "-") ? "<stdin>" : file, name, ret,
				      reterr);
}

int rf_profile_load_all(const char *path, struct rf_profile ***ret, size_t *ret_n,
			struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL, *file_buf = NULL;
	const char *file, *name;
	struct rf_profile *one = NULL;
	size_t len = 0;
	int r;

	if (rf_profile_is_builtin_name(path))
		r = rf_profile_builtin(path, &one, reterr);
	else {
		r = read_addressed(path, &text, &len, &file, &name, &file_buf, reterr);
		if (r < 0)
			return r;
		if (!name)
			return rf_profile_parse_all(text, len, streq(file, "-") ? "<stdin>" : file,
						    ret, ret_n, reterr);
		r = rf_profile_parse_named(text, len, streq(file, "-") ? "<stdin>" : file, name,
					   &one, reterr);
	}
	if (r < 0)
		return r;
	*ret = calloc(1, sizeof(**ret));
	if (!*ret) {
		rf_profile_free(one);
		return -ENOMEM;
	}
	(*ret)[0] = one;
	*ret_n = 1;
	return 0;
}
