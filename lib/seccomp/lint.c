/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Profile validation: everything a runtime would reject, and everything it would accept but
 * interpret differently from what the author probably meant, with the line to look at. */
#include <seccomp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "core/arch.h"
#include "core/escape.h"
#include "core/macro.h"
#include "core/strv.h"
#include "profile-internal.h"

#define MAX_ERRNO 4095 /* the kernel treats larger values as a valid return, not an error */

/* A hostile profile can have millions of findings (4096 identical rules of 30 names): only the
 * first RF_LINT_MAX_ITEMS are kept, the rest are counted, so memory stays bounded. */
#define RF_LINT_MAX_ITEMS 1000

struct lint_ctx {
	struct rf_lint *l;
	size_t dropped;
};

static void vadd(struct lint_ctx *c, enum rf_lint_severity sev, bool host, unsigned line,
		 const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

/* Appends a finding, whatever the cap; false when out of memory. */
static bool push_item(struct rf_lint *l, enum rf_lint_severity sev, bool host, unsigned line,
		      const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));
static bool push_item(struct rf_lint *l, enum rf_lint_severity sev, bool host, unsigned line,
		      const char *code, const char *fmt, va_list ap)
{
	struct rf_lint_item *n;
	char *msg = NULL, *raw = NULL, *code_copy = strdup(code);

	if (vasprintf(&raw, fmt, ap) < 0)
		raw = NULL;
	msg = raw ? rf_escape_controls(raw) : NULL;
	free(raw);
	n = reallocarray(l->items, l->n + 1, sizeof(*n));
	if (n)
		l->items = n;
	if (!msg || !n || !code_copy) {
		free(msg);
		free(code_copy);
		return false;
	}
	l->items[l->n++] = (struct rf_lint_item){
		.severity = sev, .line = line, .host = host, .code = code_copy, .message = msg
	};
	return true;
}

/* `host`: about this machine's libseccomp rather than the profile; the same file is clean where
 * libseccomp is newer, so --strict does not fail on it. */
static void vadd(struct lint_ctx *c, enum rf_lint_severity sev, bool host, unsigned line,
		 const char *code, const char *fmt, va_list ap)
{
	struct rf_lint *l = c->l;

	if (sev == RF_LINT_ERROR)
		l->n_errors++;
	else if (sev == RF_LINT_WARNING)
		l->n_warnings++;
	l->n_host += host;
	if (l->n >= RF_LINT_MAX_ITEMS)
		c->dropped++;
	else if (!push_item(l, sev, host, line, code, fmt, ap))
		l->n_errors += sev != RF_LINT_ERROR; /* an unrecordable finding still fails */
}

/* The last finding says how many were not listed. */
static void add_dropped_note(struct lint_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_dropped_note(struct lint_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)push_item(c->l, RF_LINT_NOTE, false, 0, "too-many-findings", fmt, ap);
	va_end(ap);
}

static void add(struct lint_ctx *c, enum rf_lint_severity sev, unsigned line, const char *code,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add(struct lint_ctx *c, enum rf_lint_severity sev, unsigned line, const char *code,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(c, sev, false, line, code, fmt, ap);
	va_end(ap);
}

/* A warning about this machine's libseccomp (see vadd). */
static void add_host(struct lint_ctx *c, unsigned line, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_host(struct lint_ctx *c, unsigned line, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(c, RF_LINT_WARNING, true, line, code, fmt, ap);
	va_end(ap);
}

static const char *first_arch_name(const struct rf_profile *p)
{
	if (p->architectures && p->architectures[0])
		return p->architectures[0];
	if (p->n_arch_map)
		return p->arch_map[0].arch;
	return rf_arch_oci_name(rf_arch_native()) ?: "native";
}

static void lint_errno(struct lint_ctx *l, enum rf_action a, bool has, uint32_t e, unsigned line,
		       const char *what)
{
	if (has && a != RF_ACT_ERRNO && a != RF_ACT_TRACE)
		add(l, RF_LINT_ERROR, line, "errno-on-non-errno-action",
		    "%s is set but the action is %s (only SCMP_ACT_ERRNO/SCMP_ACT_TRACE use it)",
		    what, rf_action_to_string(a));
	else if (has && a == RF_ACT_ERRNO && (e == 0 || e > MAX_ERRNO))
		add(l, RF_LINT_ERROR, line, "bad-errno",
		    "%s %u is not an errno (1..%d): the syscall would appear to succeed", what, e,
		    MAX_ERRNO);
}

static void lint_cond(struct lint_ctx *l, const struct rf_seccomp_rule_cond *c, unsigned line)
{
	cap_value_t cv;
	unsigned ma, mi;

	STRV_FOREACH(cap, c->caps)
		if (cap_from_name(*cap, &cv) < 0)
			add(l, RF_LINT_ERROR, line, "unknown-capability", "unknown capability '%s'",
			    *cap);
	STRV_FOREACH(a, c->arches)
		if (!rf_arch_from_name(*a))
			add_host(l, line, "unknown-arch",
				 "architecture '%s' is unknown to libseccomp here; the block never "
				 "applies",
				 *a);
	if (c->min_kernel && rf_parse_kernel_version(c->min_kernel, &ma, &mi) < 0)
		add(l, RF_LINT_ERROR, line, "bad-min-kernel", "minKernel '%s' is not a version",
		    c->min_kernel);
}

static bool conds_equal(const struct rf_seccomp_rule_cond *a, const struct rf_seccomp_rule_cond *b)
{
	size_t na = strv_length(a->caps), nb = strv_length(b->caps);
	size_t xa = strv_length(a->arches), xb = strv_length(b->arches);

	if (na != nb || xa != xb || !!a->min_kernel != !!b->min_kernel)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!streq(a->caps[i], b->caps[i]))
			return false;
	for (size_t i = 0; i < xa; i++)
		if (!streq(a->arches[i], b->arches[i]))
			return false;
	return !a->min_kernel || streq(a->min_kernel, b->min_kernel);
}

static uint32_t verdict(enum rf_action a, bool has, uint32_t e)
{
	return (uint32_t)a << 16 | (has ? e : (a == RF_ACT_ERRNO ? EPERM : 0));
}

/* One (name, rule, position) of the profile; sorted by name, then rule, then position, so each
 * name's rules are compared as a group: O(n log n) plus the pairs of distinct rules per name,
 * instead of every name against every earlier rule. */
struct name_ref {
	const char *name;
	size_t rule, k;
};

static int name_ref_cmp(const void *x, const void *y)
{
	const struct name_ref *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return (a->k > b->k) - (a->k < b->k);
}

/* Rule r (at `line`, for `name`) against an earlier rule o that names it too. Returns whether r
 * is a copy of o, which then stands for both. */
static bool compare_rules(struct lint_ctx *l, const struct rf_seccomp_rule *r,
			  const struct rf_seccomp_rule *o, const char *name, unsigned line)
{
	bool same, args_equal;

	if (!conds_equal(&r->includes, &o->includes) || !conds_equal(&r->excludes, &o->excludes))
		return false;
	same = verdict(r->action, r->has_errno_ret, r->errno_ret) ==
	       verdict(o->action, o->has_errno_ret, o->errno_ret);
	args_equal = rf_seccomp_rule_args_equal(r, o);
	if (!args_equal && !same)
		add(l, RF_LINT_WARNING, line, "overlapping-rules",
		    "'%s' also has a rule at line %u with other argument conditions and another "
		    "action; where both match, libseccomp picks one verdict, check the combination",
		    name, o->line);
	else if (!args_equal)
		return false; /* same action, other arguments: the usual way to OR */
	else if (same)
		add(l, RF_LINT_WARNING, line, "duplicate-rule",
		    "'%s' is already listed with the same action at line %u", name, o->line);
	else
		add(l, RF_LINT_ERROR, line, "conflicting-rules",
		    "'%s' has conflicting actions: %s here, %s at line %u", name,
		    rf_action_to_string(r->action), rf_action_to_string(o->action), o->line);
	return args_equal && same;
}

/* The rules of one name, in file order: a name repeated in a rule, a rule repeating an earlier
 * one, and rules that conflict or overlap. `seen` holds the distinct earlier rules. */
static void lint_name_group(struct lint_ctx *l, const struct rf_profile *p,
			    const struct name_ref *g, size_t n, size_t *seen)
{
	size_t n_seen = 0;

	for (size_t i = 0; i < n; i++) {
		const struct rf_seccomp_rule *r = &p->rules[g[i].rule];
		unsigned line = r->name_lines ? r->name_lines[g[i].k] : r->line;
		bool copy = false;

		if (i > 0 && g[i].rule == g[i - 1].rule) {
			add(l, RF_LINT_WARNING, line, "duplicate-name",
			    "'%s' is listed twice in this rule", g[i].name);
			continue;
		}
		for (size_t j = 0; j < n_seen && !copy; j++)
			copy = compare_rules(l, r, &p->rules[seen[j]], g[i].name, line);
		if (!copy)
			seen[n_seen++] = g[i].rule;
	}
}

static void lint_conflicts(struct lint_ctx *l, const struct rf_profile *p)
{
	_cleanup_free_ struct name_ref *v = NULL;
	_cleanup_free_ size_t *seen = NULL;
	size_t n = 0;

	for (size_t i = 0; i < p->n_rules; i++)
		n += p->rules[i].n_names;
	v = calloc(n ?: 1, sizeof(*v));
	seen = calloc(p->n_rules ?: 1, sizeof(*seen));
	if (!v || !seen) {
		add(l, RF_LINT_ERROR, 0, "out-of-memory", "out of memory checking rule conflicts");
		return;
	}
	n = 0;
	for (size_t i = 0; i < p->n_rules; i++)
		for (size_t k = 0; k < p->rules[i].n_names; k++)
			v[n++] = (struct name_ref){ p->rules[i].names[k], i, k };
	qsort_safe(v, n, sizeof(*v), name_ref_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && streq(v[j].name, v[i].name); j++)
			;
		lint_name_group(l, p, v + i, j - i, seen);
	}
}

static void lint_args(struct lint_ctx *l, const struct rf_seccomp_rule *r)
{
	unsigned seen[64] = { 0 };

	if (r->n_args > 6)
		add(l, RF_LINT_ERROR, r->line, "too-many-args",
		    "%zu argument conditions; a syscall has 6 arguments", r->n_args);
	for (size_t i = 0; i < r->n_args; i++) {
		const struct rf_seccomp_arg *a = &r->args[i];

		if (a->index > 5) {
			add(l, RF_LINT_ERROR, r->line, "bad-arg-index",
			    "argument index %u is out of range 0..5", a->index);
			continue;
		}
		if (seen[a->index]++ == 1)
			add(l, RF_LINT_WARNING, r->line, "same-index-conditions",
			    "several conditions on argument %u: runtimes (runc) OR them, one rule "
			    "each, instead of ANDing them",
			    a->index);
		if (a->op == RF_CMP_MASKED_EQ && (a->value_two & ~a->value) != 0)
			add(l, RF_LINT_WARNING, r->line, "masked-eq-never-matches",
			    "SCMP_CMP_MASKED_EQ: valueTwo 0x%llx has bits outside the mask 0x%llx, "
			    "so it can never match",
			    (unsigned long long)a->value_two, (unsigned long long)a->value);
		if (a->op != RF_CMP_MASKED_EQ && a->value_two != 0)
			add(l, RF_LINT_NOTE, r->line, "unused-value-two",
			    "valueTwo is only used by SCMP_CMP_MASKED_EQ");
	}
}

static bool is_allow_type(enum rf_action a)
{
	return a == RF_ACT_ALLOW || a == RF_ACT_LOG;
}

/* A name libseccomp does not know at all (not merely absent on one arch). What happens to it is
 * the filter compiler's rule (filter.c, runc's): in an allow-type rule under a denying default it
 * is skipped and the syscall stays denied, which is a property of this machine's libseccomp, not
 * of the profile (a newer one knows mseal); anywhere else `run` refuses the profile. */
static void lint_unknown_name(struct lint_ctx *l, const struct rf_profile *p,
			      const struct rf_seccomp_rule *r, const char *name, unsigned line)
{
	const struct scmp_version *v = seccomp_version();

	if (seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR)
		return;
	if (is_allow_type(r->action) && !is_allow_type(p->default_action)) {
		add_host(l, line, "unknown-syscall",
			 "syscall \"%s\" is unknown for %s (libseccomp %u.%u.%u): runtimes here "
			 "skip it, so it stays at the default action",
			 name, first_arch_name(p), v->major, v->minor, v->micro);
		return;
	}
	add(l, RF_LINT_ERROR, line, "unknown-syscall",
	    "syscall \"%s\" is unknown for %s (libseccomp %u.%u.%u): a %s rule cannot be skipped "
	    "safely, so ringfence run refuses the profile",
	    name, first_arch_name(p), v->major, v->minor, v->micro, rf_action_to_string(r->action));
}

static void lint_names(struct lint_ctx *l, const struct rf_profile *p,
		       const struct rf_seccomp_rule *r)
{
	if (r->n_names == 0)
		add(l, RF_LINT_ERROR, r->line, "empty-names", "rule has an empty 'names' list");
	for (size_t k = 0; k < r->n_names; k++) {
		unsigned line = r->name_lines ? r->name_lines[k] : r->line;

		lint_unknown_name(l, p, r, r->names[k], line);
	}
}

static void lint_header(struct lint_ctx *l, const struct rf_profile *p)
{
	unsigned line = p->line_default_action;

	lint_errno(l, p->default_action, p->has_default_errno_ret, p->default_errno_ret, line,
		   p->default_errno_name ? "defaultErrno" : "defaultErrnoRet");
	for (size_t i = 0; p->architectures && p->architectures[i]; i++)
		if (!rf_arch_from_name(p->architectures[i]))
			add(l, RF_LINT_ERROR, p->arch_lines ? p->arch_lines[i] : 0, "unknown-arch",
			    "architecture '%s' is unknown", p->architectures[i]);
	for (size_t i = 0; i < p->n_arch_map; i++) {
		if (!rf_arch_from_name(p->arch_map[i].arch))
			add_host(l, p->arch_map[i].line, "unknown-arch",
				 "archMap architecture '%s' is unknown to libseccomp here",
				 p->arch_map[i].arch);
	}
	for (size_t i = 0; p->flags && p->flags[i]; i++) {
		const char *f = p->flags[i];
		if (!streq(f, "SECCOMP_FILTER_FLAG_TSYNC") &&
		    !streq(f, "SECCOMP_FILTER_FLAG_LOG") &&
		    !streq(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") &&
		    !streq(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
			add(l, RF_LINT_ERROR, p->flag_lines ? p->flag_lines[i] : 0, "unknown-flag",
			    "unknown seccomp flag '%s'", f);
	}
	if (p->n_rules == 0 && p->default_action != RF_ACT_ALLOW && p->default_action != RF_ACT_LOG)
		add(l, RF_LINT_WARNING, line, "denies-everything",
		    "no rules and a denying default: not even execve is allowed");
}

struct ordered_item {
	struct rf_lint_item item;
	size_t order;
};

static int item_cmp(const void *x, const void *y)
{
	const struct ordered_item *a = x, *b = y;

	if (a->item.line != b->item.line)
		return a->item.line < b->item.line ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

/* Findings in file order (the checks run by kind); equal lines keep the order they were found. */
static void sort_by_line(struct rf_lint *l)
{
	_cleanup_free_ struct ordered_item *v = calloc(l->n ?: 1, sizeof(*v));

	if (!v)
		return; /* unsorted is still correct */
	for (size_t i = 0; i < l->n; i++)
		v[i] = (struct ordered_item){ l->items[i], i };
	qsort_safe(v, l->n, sizeof(*v), item_cmp);
	for (size_t i = 0; i < l->n; i++)
		l->items[i] = v[i].item;
}

int rf_profile_lint(const struct rf_profile *p, struct rf_lint *ret)
{
	struct rf_lint out = { 0 };
	struct lint_ctx c = { .l = &out }, *l = &c;
	bool notify = p->default_action == RF_ACT_NOTIFY;
	unsigned notify_line = notify ? p->line_default_action : 0;

	lint_header(l, p);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rf_seccomp_rule *r = &p->rules[i];

		lint_errno(l, r->action, r->has_errno_ret, r->errno_ret, r->line,
			   r->errno_name ? "errno" : "errnoRet");
		lint_names(l, p, r);
		lint_args(l, r);
		lint_cond(l, &r->includes, r->line);
		lint_cond(l, &r->excludes, r->line);
		if (r->action == RF_ACT_NOTIFY && !notify)
			notify_line = r->line;
		notify |= r->action == RF_ACT_NOTIFY;
		if (verdict(r->action, r->has_errno_ret, r->errno_ret) ==
		    verdict(p->default_action, p->has_default_errno_ret, p->default_errno_ret))
			add(l, RF_LINT_NOTE, r->line, "same-as-default",
			    "rule action equals the default action; the rule has no effect");
	}
	lint_conflicts(l, p);
	if (notify && !p->listener_path)
		add(l, RF_LINT_WARNING, notify_line, "notify-without-listener",
		    "SCMP_ACT_NOTIFY is used but listenerPath is not set");
	sort_by_line(&out);
	if (c.dropped)
		add_dropped_note(l,
				 "%zu more findings are not listed (the limit is %d); the error "
				 "and warning counts include them",
				 c.dropped, RF_LINT_MAX_ITEMS);
	*ret = out;
	return 0;
}

void rf_lint_done(struct rf_lint *l)
{
	for (size_t i = 0; l && i < l->n; i++) {
		free(l->items[i].code);
		free(l->items[i].message);
	}
	if (l) {
		free(l->items);
		*l = (struct rf_lint){ 0 };
	}
}
