/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Profile → libseccomp filter, with the decisions runc makes (see ringfence/filter.h). */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>

#include "core/arch.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/filter.h"
#include "ringfence/log.h"

static bool is_allow_type(enum rf_action a)
{
	return a == RF_ACT_ALLOW || a == RF_ACT_LOG;
}

static int to_scmp_action(const struct rf_profile *p, enum rf_action a, bool has_errno,
			  uint32_t errno_ret, enum rf_filter_mode mode, uint32_t *ret,
			  struct rf_error *reterr, unsigned line)
{
	uint32_t e = has_errno ? errno_ret : EPERM;

	if (has_errno && a != RF_ACT_ERRNO && a != RF_ACT_TRACE)
		return rf_error_set_at(
			reterr, -EINVAL, p->source ?: "profile", line,
			"errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, "
			"not %s",
			rf_action_to_string(a));
	if (e > 0xffff)
		return rf_error_set_at(reterr, -EINVAL, p->source ?: "profile", line,
				       "errnoRet %u does not fit the kernel's 16-bit errno field",
				       e);
	if (a == RF_ACT_NOTIFY)
		return rf_error_set_at(
			reterr, -EOPNOTSUPP, p->source ?: "profile", line,
			"SCMP_ACT_NOTIFY needs a seccomp agent (listenerPath); ringfence "
			"run is not one");
	if (mode == RF_FILTER_COMPLAIN && !is_allow_type(a)) {
		*ret = SCMP_ACT_NOTIFY;
		return 0;
	}
	if (mode == RF_FILTER_ENFORCE_REPORT && a == RF_ACT_ERRNO) {
		*ret = SCMP_ACT_NOTIFY;
		return 0;
	}
	switch (a) {
	case RF_ACT_KILL:
	case RF_ACT_KILL_THREAD: *ret = SCMP_ACT_KILL_THREAD; return 0;
	case RF_ACT_KILL_PROCESS: *ret = SCMP_ACT_KILL_PROCESS; return 0;
	case RF_ACT_TRAP: *ret = SCMP_ACT_TRAP; return 0;
	case RF_ACT_ERRNO: *ret = SCMP_ACT_ERRNO(e); return 0;
	case RF_ACT_TRACE: *ret = SCMP_ACT_TRACE(e); return 0;
	case RF_ACT_LOG: *ret = SCMP_ACT_LOG; return 0;
	case RF_ACT_ALLOW: *ret = SCMP_ACT_ALLOW; return 0;
	default: return rf_error_set(reterr, -EINVAL, "invalid action");
	}
}

static const enum scmp_compare cmp_map[] = {
	[RF_CMP_NE] = SCMP_CMP_NE,
	[RF_CMP_LT] = SCMP_CMP_LT,
	[RF_CMP_LE] = SCMP_CMP_LE,
	[RF_CMP_EQ] = SCMP_CMP_EQ,
	[RF_CMP_GE] = SCMP_CMP_GE,
	[RF_CMP_GT] = SCMP_CMP_GT,
	[RF_CMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static int add_arches(scmp_filter_ctx ctx, const struct rf_profile *p, struct rf_error *reterr)
{
	STRV_FOREACH(a, p->architectures) {
		uint32_t t = rf_arch_from_name(*a);
		int r;

		if (!t)
			return rf_error_set_at(
				reterr, -EINVAL, p->source ?: "profile", 0,
				"architecture '%s' is unknown to libseccomp %u.%u.%u", *a,
				seccomp_version()->major, seccomp_version()->minor,
				seccomp_version()->micro);
		r = seccomp_arch_add(ctx, t);
		if (r < 0 && r != -EEXIST)
			return rf_error_set(reterr, r, "cannot add architecture '%s': %s", *a,
					    strerror(-r));
	}
	return 0;
}

static int set_flags(scmp_filter_ctx ctx, const struct rf_profile *p, struct rf_error *reterr)
{
	STRV_FOREACH(f, p->flags) {
		enum scmp_filter_attr attr;
		int r;

		if (streq(*f, "SECCOMP_FILTER_FLAG_TSYNC"))
			attr = SCMP_FLTATR_CTL_TSYNC;
		else if (streq(*f, "SECCOMP_FILTER_FLAG_LOG"))
			attr = SCMP_FLTATR_CTL_LOG;
		else if (streq(*f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			attr = SCMP_FLTATR_CTL_SSB;
		else
			return rf_error_set(reterr, -EOPNOTSUPP,
					    "seccomp flag '%s' is not supported by this build", *f);
		r = seccomp_attr_set(ctx, attr, 1);
		if (r < 0)
			return rf_error_set(reterr, r, "cannot set flag '%s': %s", *f,
					    strerror(-r));
	}
	return 0;
}

static int add_rule_conditions(scmp_filter_ctx ctx, const struct rf_profile *p,
			       const struct rf_seccomp_rule *rule, uint32_t act, int nr,
			       const char *name, struct rf_error *reterr)
{
	struct scmp_arg_cmp cmps[6];
	unsigned seen[6] = { 0 };
	bool same_index = false;
	int r;

	if (rule->n_args > 6)
		return rf_error_set_at(reterr, -EINVAL, p->source ?: "profile", rule->line,
				       "more than 6 argument conditions on '%s'", name);
	for (size_t i = 0; i < rule->n_args; i++) {
		const struct rf_seccomp_arg *a = &rule->args[i];

		if (a->index > 5)
			return rf_error_set_at(reterr, -EINVAL, p->source ?: "profile", rule->line,
					       "argument index %u is out of range 0..5", a->index);
		if (seen[a->index]++)
			same_index = true;
		cmps[i] = (struct scmp_arg_cmp){ .arg = a->index,
						 .op = cmp_map[a->op],
						 .datum_a = a->value,
						 .datum_b = a->value_two };
	}
	/* runc: conditions sharing an index are ORed, one rule each. */
	if (same_index) {
		for (size_t i = 0; i < rule->n_args; i++) {
			r = seccomp_rule_add_array(ctx, act, nr, 1, &cmps[i]);
			if (r < 0)
				goto err;
		}
		return 0;
	}
	r = seccomp_rule_add_array(ctx, act, nr, (unsigned)rule->n_args, cmps);
	if (r >= 0)
		return 0;
err:
	return rf_error_set_at(reterr, r, p->source ?: "profile", rule->line,
			       "libseccomp rejected the rule for '%s': %s", name, strerror(-r));
}

/* Names libseccomp does not know, skipped where runc skips them; reported once per build. The
 * pointers borrow the profile's strings. */
struct skipped {
	const char **names;
	size_t n, cap;
	bool oom;
};

static void skipped_add(struct skipped *s, const char *name)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		const char **v = reallocarray(s->names, cap, sizeof(*v));
		if (!v) {
			s->oom = true;
			return;
		}
		s->names = v;
		s->cap = cap;
	}
	s->names[s->n++] = name;
}

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int add_rule(scmp_filter_ctx ctx, const struct rf_profile *p,
		    const struct rf_seccomp_rule *rule, uint32_t def_act, enum rf_filter_mode mode,
		    struct skipped *skipped, struct rf_error *reterr)
{
	uint32_t act;
	int r;

	r = to_scmp_action(p, rule->action, rule->has_errno_ret, rule->errno_ret, mode, &act,
			   reterr, rule->line);
	if (r < 0)
		return r;
	if (act == def_act)
		return 0; /* libseccomp refuses these, runc skips them */
	for (size_t i = 0; i < rule->n_names; i++) {
		const char *name = rule->names[i];
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR) {
			unsigned line = rule->name_lines ? rule->name_lines[i] : rule->line;
			if (is_allow_type(rule->action) && !is_allow_type(p->default_action)) {
				skipped_add(skipped, name);
				continue;
			}
			return rf_error_set_at(reterr, -EINVAL, p->source ?: "profile", line,
					       "syscall \"%s\" is unknown for %s", name,
					       rf_arch_oci_name(rf_arch_native()) ?: "native arch");
		}
		r = add_rule_conditions(ctx, p, rule, act, nr, name, reterr);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One line for the whole profile, sorted and without repeats; the first few names only. */
static void report_skipped(const struct rf_profile *p, struct skipped *s)
{
	_cleanup_free_ char *list = NULL;
	size_t len = 0, distinct = 0;
	FILE *f;

	if (s->n == 0)
		return;
	qsort_safe(s->names, s->n, sizeof(*s->names), str_ptr_cmp);
	f = open_memstream(&list, &len);
	if (!f)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (i > 0 && streq(s->names[i - 1], s->names[i]))
			continue;
		if (distinct++ < 16)
			fprintf(f, "%s%s", distinct > 1 ? ", " : "", s->names[i]);
	}
	if (distinct > 16)
		fprintf(f, ", ... (%zu more)", distinct - 16);
	if (fclose(f) != 0)
		return;
	rf_log(RF_LOG_NOTICE,
	       "%s: %zu syscall name(s) unknown to libseccomp %u.%u.%u skipped, as runc does "
	       "(they stay denied): %s",
	       p->source ?: "profile", distinct, seccomp_version()->major, seccomp_version()->minor,
	       seccomp_version()->micro, list);
}

int rf_filter_build(const struct rf_profile *p, enum rf_filter_mode mode, scmp_filter_ctx *ret,
		    struct rf_error *reterr)
{
	return rf_filter_build_ex(p, mode, true, ret, reterr);
}

int rf_filter_build_ex(const struct rf_profile *p, enum rf_filter_mode mode, bool warn,
		       scmp_filter_ctx *ret, struct rf_error *reterr)
{
	_cleanup_(rf_seccomp_releasep) scmp_filter_ctx ctx = NULL;
	struct skipped skipped = { 0 };
	uint32_t def;
	int r;

	if (rf_profile_has_conditions(p))
		return rf_error_set(reterr, -EINVAL, "profile has unresolved Docker conditions");
	r = to_scmp_action(p, p->default_action, p->has_default_errno_ret, p->default_errno_ret,
			   mode, &def, reterr, p->line_default_action);
	if (r < 0)
		return r;
	ctx = seccomp_init(def);
	if (!ctx)
		return rf_error_set(reterr, -ENOMEM, "seccomp_init failed");
	/* Binary-tree dispatch for big allow-lists; real kernel errnos from seccomp_load. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r >= 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (r >= 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); /* run decides about NNP */
	if (r < 0)
		return rf_error_set(reterr, r, "cannot configure libseccomp: %s", strerror(-r));
	r = add_arches(ctx, p, reterr);
	if (r >= 0)
		r = set_flags(ctx, p, reterr);
	for (size_t i = 0; r >= 0 && i < p->n_rules; i++)
		r = add_rule(ctx, p, &p->rules[i], def, mode, &skipped, reterr);
	if (r >= 0 && skipped.oom)
		r = -ENOMEM;
	if (r >= 0 && warn)
		report_skipped(p, &skipped);
	free(skipped.names);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(ctx);
	return 0;
}

int rf_filter_export(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_n,
		     struct rf_error *reterr)
{
	_cleanup_close_ int fd = memfd_create("rf-bpf", MFD_CLOEXEC);
	_cleanup_free_ struct sock_filter *prog = NULL;
	off_t size;
	int r;

	if (fd < 0)
		return rf_error_set(reterr, -errno, "memfd_create: %s", strerror(errno));
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return rf_error_set(reterr, r, "seccomp_export_bpf: %s", strerror(-r));
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0)
		return rf_error_set(reterr, -EIO, "exported filter has a bad size");
	prog = malloc((size_t)size);
	if (!prog)
		return -ENOMEM;
	if (pread(fd, prog, (size_t)size, 0) != size)
		return rf_error_set(reterr, -EIO, "cannot read the exported filter");
	*ret_n = (size_t)size / sizeof(struct sock_filter);
	*ret = TAKE_PTR(prog);
	return 0;
}

int rf_filter_load(const struct sock_filter *prog, size_t n, const struct rf_profile *p,
		   bool want_listener, int *ret_listener, struct rf_error *reterr)
{
	struct sock_fprog fprog = { .len = (unsigned short)n,
				    .filter = (struct sock_filter *)prog };
	unsigned long flags = want_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
	long r;

	STRV_FOREACH(f, p->flags) {
		if (streq(*f, "SECCOMP_FILTER_FLAG_TSYNC"))
			/* With a listener the kernel needs TSYNC_ESRCH to tell the two apart. */
			flags |= SECCOMP_FILTER_FLAG_TSYNC |
				 (want_listener ? SECCOMP_FILTER_FLAG_TSYNC_ESRCH : 0);
		else if (streq(*f, "SECCOMP_FILTER_FLAG_LOG"))
			flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (streq(*f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else
			return rf_error_set(reterr, -EOPNOTSUPP,
					    "seccomp flag '%s' is not supported", *f);
	}
	if (n == 0 || n > BPF_MAXINSNS)
		return rf_error_set(reterr, -EINVAL, "filter has %zu instructions", n);
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
	if (r < 0)
		return rf_error_set(
			reterr, -errno, "cannot load the seccomp filter: %s%s", strerror(errno),
			errno == EACCES ? " (needs no_new_privs or CAP_SYS_ADMIN)" : "");
	if (ret_listener)
		*ret_listener = want_listener ? (int)r : -EBADF;
	return 0;
}
