/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Observation -> seccomp profile (see ringfence/builder.h). */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/arch.h"
#include "core/macro.h"
#include "core/strv.h"
#include "profile-internal.h"
#include "ringfence/builder.h"
#include "ringfence/log.h"

static int add_arch(struct rf_profile *p, uint32_t arch)
{
	const char *name = rf_arch_oci_name(arch);

	return name ? strv_extend_unique(&p->architectures, name) : 0;
}

/* The argument (of up to RF_OBS_MAX_ARGS tracked) that the rules are written on: the first. */
static const struct rf_obs_argset *rule_arg(const struct rf_obs_syscall *s)
{
	return s->args[0].index >= 0 ? &s->args[0] : NULL;
}

/* All observations of `name` across arches must agree to be argument-filtered: the values are
 * merged, and any overflow or too many values means name-only. */
static int collect_values(const struct rf_observation *o, const char *name, uint64_t *vals,
			  unsigned *n, int *index, bool *ok)
{
	*n = 0;
	*ok = true;
	*index = -1;
	for (size_t i = 0; i < o->n_syscalls; i++) {
		const struct rf_obs_syscall *s = &o->syscalls[i];
		const struct rf_obs_argset *a;

		if (!s->name || !streq(s->name, name))
			continue;
		a = rule_arg(s);
		if (!a || a->overflow || (*index >= 0 && *index != a->index)) {
			*ok = false;
			return 0;
		}
		*index = a->index;
		for (unsigned k = 0; k < a->n; k++) {
			bool seen = false;
			for (unsigned m = 0; m < *n; m++)
				seen |= vals[m] == a->values[k];
			if (seen)
				continue;
			if (*n >= RF_BUILD_MAX_ARG_RULES) {
				*ok = false;
				return 0;
			}
			vals[(*n)++] = a->values[k];
		}
	}
	return 0;
}

static int add_arg_rule(struct rf_profile *p, const char *name, unsigned index, uint64_t value,
			uint64_t value_two, enum rf_cmp_op op)
{
	struct rf_seccomp_rule *r = rf_profile_add_rule(p);

	if (!r)
		return -ENOMEM;
	r->action = RF_ACT_ALLOW;
	r->args = calloc(1, sizeof(*r->args));
	if (!r->args || strv_extend(&r->names, name) < 0)
		return -ENOMEM;
	r->n_names = 1;
	r->n_args = 1;
	r->args[0] = (struct rf_seccomp_arg){
		.index = index, .value = value, .value_two = value_two, .op = op
	};
	return 0;
}

static bool is_prot_syscall(const char *name)
{
	return streq(name, "mprotect") || streq(name, "pkey_mprotect") || streq(name, "mmap") ||
	       streq(name, "mmap2");
}

/* Returns 1 when `name` got argument rules, 0 when it stays in the plain allow-list. */
static int arg_rules(const struct rf_observation *o, struct rf_profile *p, const char *name,
		     char ***notes)
{
	uint64_t vals[RF_BUILD_MAX_ARG_RULES];
	bool ok, exec = false;
	unsigned n;
	int index, r;
	char *note = NULL;

	collect_values(o, name, vals, &n, &index, &ok);
	if (index < 0)
		return 0;
	if (is_prot_syscall(name)) {
		/* Only PROT_EXEC matters for these: W^X when no executable mapping was seen. */
		for (unsigned k = 0; k < n; k++)
			exec |= vals[k] & PROT_EXEC;
		if (!ok || exec)
			return 0;
		r = add_arg_rule(p, name, (unsigned)index, PROT_EXEC, 0, RF_CMP_MASKED_EQ);
		return r < 0 ? r : 1;
	}
	if (!ok || n == 0) {
		if (asprintf(&note,
			     "%s: more than %d distinct values of argument %d, kept name-only",
			     name, RF_BUILD_MAX_ARG_RULES, index) >= 0) {
			(void)strv_extend(notes, note);
			free(note);
		}
		return 0;
	}
	for (unsigned k = 0; k < n; k++)
		if ((r = add_arg_rule(p, name, (unsigned)index, vals[k], 0, RF_CMP_EQ)) < 0)
			return r;
	return 1;
}

extern const char rf_data_runc_tail[];
extern const unsigned long rf_data_runc_tail_len;

int rf_runtime_base_from_string(const char *s, enum rf_runtime_base *ret)
{
	static const char *const names[] = { [RF_RUNTIME_BASE_AUTO] = "auto",
					     [RF_RUNTIME_BASE_NONE] = "none",
					     [RF_RUNTIME_BASE_RUNC] = "runc" };

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (streq(s, names[i])) {
			*ret = (enum rf_runtime_base)i;
			return 0;
		}
	return -EINVAL;
}

/* runc init names itself "runc:[2:INIT]": a syscall it made first after the cut is its tail. */
static bool wants_runc_tail(const struct rf_observation *o, enum rf_runtime_base base)
{
	if (base != RF_RUNTIME_BASE_AUTO)
		return base == RF_RUNTIME_BASE_RUNC;
	if (!o->bootstrap)
		return false;
	for (size_t i = 0; i < o->n_syscalls; i++)
		if (o->syscalls[i].first_comm && !strncmp(o->syscalls[i].first_comm, "runc:", 5))
			return true;
	return false;
}

/* The syscalls of data/runc-tail.txt that this libseccomp knows (one per line, '#' comments). */
static int add_runc_tail(char ***names)
{
	_cleanup_free_ char *text = strndup(rf_data_runc_tail, rf_data_runc_tail_len);
	size_t added = 0;
	char *save = NULL;

	if (!text)
		return -ENOMEM;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "# \t")] = '\0';
		if (!*line || seccomp_syscall_resolve_name(line) == __NR_SCMP_ERROR ||
		    strv_contains(*names, line))
			continue;
		if (strv_extend(names, line) < 0)
			return -ENOMEM;
		added++;
	}
	rf_log(RF_LOG_NOTICE,
	       "runc init's post-filter syscalls added (data/runc-tail.txt): %zu not "
	       "seen in this recording",
	       added);
	return 0;
}

static int collect_names(const struct rf_observation *o, const struct rf_build_opts *opts,
			 struct rf_profile *p, char ***ret)
{
	_cleanup_strv_free_ char **names = NULL;
	unsigned min = opts && opts->min_support ? opts->min_support : 1;
	int r = add_arch(p, rf_arch_native());

	for (size_t i = 0; r >= 0 && i < o->n_syscalls; i++) {
		const struct rf_obs_syscall *s = &o->syscalls[i];

		if (s->support < min)
			continue;
		if (!s->name) {
			/* Never invent a name: it stays denied, and the user hears about it. */
			rf_log(RF_LOG_WARNING,
			       "syscall %d on %s is unknown to this libseccomp; not in the profile",
			       s->nr, rf_arch_seccomp_name(s->arch) ?: "an unknown arch");
			continue;
		}
		r = add_arch(p, s->arch);
		if (r >= 0)
			r = strv_extend_unique(&names, s->name);
	}
	STRV_FOREACH(f, o->fast_syscalls)
		if (r >= 0 && seccomp_syscall_resolve_name(*f) != __NR_SCMP_ERROR)
			r = strv_extend_unique(&names, *f);
	if (r >= 0 && wants_runc_tail(o, opts ? opts->runtime_base : RF_RUNTIME_BASE_AUTO))
		r = add_runc_tail(&names);
	if (r < 0)
		return r;
	strv_sort(names);
	*ret = TAKE_PTR(names);
	return 0;
}

int rf_profile_from_observation(const struct rf_observation *o, const struct rf_build_opts *opts,
				struct rf_profile **ret, struct rf_error *reterr)
{
	_cleanup_(rf_profile_freep) struct rf_profile *p = rf_profile_new();
	_cleanup_strv_free_ char **names = NULL, **plain = NULL, **notes = NULL;
	struct rf_seccomp_rule *allow;
	int r;

	if (!p)
		return -ENOMEM;
	p->format = RF_FORMAT_OCI;
	p->default_action = RF_ACT_ERRNO;
	p->has_default_errno_ret = true;
	p->default_errno_ret = opts && opts->default_errno ? opts->default_errno : EPERM;
	r = collect_names(o, opts, p, &names);
	if (r < 0)
		return rf_error_set(reterr, r, "building the profile: %s", strerror(-r));
	/* The allow rule comes first so that argument rules follow it in the file. */
	allow = rf_profile_add_rule(p);
	if (!allow)
		return -ENOMEM;
	allow->action = RF_ACT_ALLOW;
	STRV_FOREACH(n, names) {
		r = opts && opts->args && !strv_contains(o->fast_syscalls, *n)
			    ? arg_rules(o, p, *n, &notes)
			    : 0;
		if (r < 0)
			return r;
		if (r == 0 && strv_extend(&plain, *n) < 0)
			return -ENOMEM;
	}
	allow = &p->rules[0];
	allow->names = plain ? TAKE_PTR(plain) : calloc(1, sizeof(char *));
	if (!allow->names)
		return -ENOMEM;
	allow->n_names = strv_length(allow->names);
	STRV_FOREACH(n, notes)
		rf_log(RF_LOG_NOTICE, "%s", *n);
	if (notes && !(allow->comment = strdup("argument rules not generated for some syscalls; "
					       "see the notes printed by generate")))
		return -ENOMEM;
	/* An empty allow rule is not a rule ("names": [] is a lint error): drop it. With nothing
	 * observed at all the profile denies everything, which is rarely what was meant. */
	if (allow->n_names == 0) {
		rf_seccomp_rule_done(&p->rules[0]);
		memmove(&p->rules[0], &p->rules[1], (p->n_rules - 1) * sizeof(p->rules[0]));
		p->n_rules--;
	}
	if (p->n_rules == 0)
		rf_log(RF_LOG_WARNING, "no syscall was observed (an empty strace log, or a cgroup "
				       "where nothing ran?): the profile denies every syscall");
	*ret = TAKE_PTR(p);
	return 0;
}
