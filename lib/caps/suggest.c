/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability suggestions: the capabilities an observation shows a workload needs, from eBPF
 * capability checks or, without them, inferred from syscalls by data/cap-inference.txt, and the
 * Kubernetes securityContext fragment that grants exactly those. */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/caps.h"
#include "ringfence/suggest.h"

extern const char rf_data_cap_inference[];
extern const unsigned long rf_data_cap_inference_len;

static inline void cap_free_ptr(char **p)
{
	if (*p)
		cap_free(*p);
}

/* Consistency with seccomp: the profile the builder makes from the same observation allows every
 * observed syscall unconditionally (it writes no capability conditions), so granting these
 * capabilities can never make it deny something the workload used. A profile with `caps`
 * includes (runtime/default) is resolved against the bounding set by `ringfence run`. */

struct rule {
	char syscall[64], other[64]; /* other: "socket" in "socket.arg0=2,10", else "" */
	int arg;		     /* -1: no condition */
	uint64_t mask;		     /* 0: compare whole values */
	uint64_t values[8];
	unsigned n_values;
	int cap;
	bool possible, noise;
	const char *why; /* into the parsed copy */
	size_t why_len;
};

static int cap_number(const char *name)
{
	cap_value_t v;

	return cap_from_name(name, &v) < 0 ? -EINVAL : (int)v;
}

static int parse_cond(const char *c, struct rule *r)
{
	const char *dot = strchr(c, '.'), *p;
	char *end;

	r->arg = -1;
	if (streq(c, "-"))
		return 0;
	if (dot) {
		if ((size_t)(dot - c) >= sizeof(r->other))
			return -EINVAL;
		memcpy(r->other, c, dot - c);
		c = dot + 1;
	}
	if (strncmp(c, "arg", 3) != 0 || !isdigit((unsigned char)c[3]))
		return -EINVAL;
	r->arg = c[3] - '0';
	p = c + 4;
	if (*p == '&') {
		r->mask = strtoull(p + 1, &end, 0);
		p = end;
		if (!*p)
			return 0; /* any bit of the mask */
	}
	if (*p != '=')
		return -EINVAL;
	do {
		if (r->n_values == ELEMENTSOF(r->values))
			return -E2BIG;
		r->values[r->n_values++] = strtoull(p + 1, &end, 0);
		p = end;
	} while (*p == ',');
	return *p ? -EINVAL : 0;
}

/* Parses the embedded table into rules pointing into `text` (owned by the caller). */
static int parse_rules(char *text, struct rule **ret, size_t *ret_n, struct rf_error *reterr)
{
	_cleanup_free_ struct rule *rules = NULL;
	size_t n = 0;
	unsigned line = 0;

	for (char *l = text, *next; l && *l; l = next) {
		char f[4][64];
		int used = 0;
		struct rule r = { 0 };

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		line++;
		while (isspace((unsigned char)*l))
			l++;
		if (!*l || *l == '#')
			continue;
		if (sscanf(l, "%63s %63s %63s %63s %n", f[0], f[1], f[2], f[3], &used) != 4 ||
		    !used)
			return rf_error_set_at(reterr, -EINVAL, "cap-inference.txt", line,
					       "expected SYSCALL CONDITION CAPABILITY KIND WHY");
		r.noise = streq(f[0], "noise");
		if (r.noise) {
			r.arg = -1;
			r.cap = cap_number(f[1]);
		} else {
			snprintf(r.syscall, sizeof(r.syscall), "%s", f[0]);
			r.cap = parse_cond(f[1], &r) < 0 ? -EINVAL : cap_number(f[2]);
			r.possible = streq(f[3], "possible");
			if (!r.possible && !streq(f[3], "inferred"))
				r.cap = -EINVAL;
		}
		if (r.cap < 0)
			return rf_error_set_at(reterr, -EINVAL, "cap-inference.txt", line,
					       "bad condition, capability or kind");
		r.why = l + used;
		r.why_len = strlen(r.why);
		struct rule *nr = realloc(rules, (n + 1) * sizeof(*rules));
		if (!nr)
			return -ENOMEM;
		rules = nr;
		rules[n++] = r;
	}
	*ret = TAKE_PTR(rules);
	*ret_n = n;
	return 0;
}

/* 1 = matches, 0 = does not, 2 = cannot tell (argument not tracked or its set overflowed). */
static int sc_matches(const struct rf_obs_syscall *sc, const struct rule *r)
{
	const struct rf_obs_argset *as = NULL;

	if (r->arg < 0)
		return 1;
	for (int i = 0; i < RF_OBS_MAX_ARGS; i++)
		if (sc->args[i].index == r->arg)
			as = &sc->args[i];
	if (!as || as->overflow)
		return 2;
	for (unsigned i = 0; i < as->n; i++) {
		uint64_t v = r->mask ? as->values[i] & r->mask : as->values[i];

		if (r->mask && !r->n_values && v)
			return 1;
		for (unsigned k = 0; k < r->n_values; k++)
			if (v == r->values[k])
				return 1;
	}
	return 0;
}

/* Best match of a rule over the observation: 1, 2 (possible) or 0. */
static int rule_matches(const struct rf_observation *o, const struct rule *r)
{
	bool seen = false;
	int best = 0;

	for (size_t i = 0; i < o->n_syscalls; i++)
		seen |= o->syscalls[i].name && streq(o->syscalls[i].name, r->syscall);
	if (!seen)
		return 0;
	for (size_t i = 0; i < o->n_syscalls; i++) {
		const struct rf_obs_syscall *sc = &o->syscalls[i];
		int m;

		if (!sc->name || !streq(sc->name, r->other[0] ? r->other : r->syscall))
			continue;
		m = sc_matches(sc, r);
		if (m == 1)
			return 1;
		best = best ?: m;
	}
	return best;
}

static int add_reason(struct rf_caps_suggestion *s, int cap, bool possible, const char *fmt, ...)
	_printf_(4, 5);
static int add_reason(struct rf_caps_suggestion *s, int cap, bool possible, const char *fmt, ...)
{
	struct rf_cap_reason *n = realloc(s->reasons, (s->n_reasons + 1) * sizeof(*n));
	va_list ap;
	int r;

	if (!n)
		return -ENOMEM;
	s->reasons = n;
	n[s->n_reasons] = (struct rf_cap_reason){ .cap = cap, .possible = possible };
	va_start(ap, fmt);
	r = vasprintf(&n[s->n_reasons].why, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	s->n_reasons++;
	return 0;
}

static int note(struct rf_caps_suggestion *s, const char *fmt, ...) _printf_(2, 3);
static int note(struct rf_caps_suggestion *s, const char *fmt, ...)
{
	_cleanup_free_ char *t = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&t, fmt, ap);
	va_end(ap);
	return r < 0 ? -ENOMEM : strv_extend(&s->notes, t);
}

/* Executed files that raise privileges on exec: set-user/group-ID bits or file capabilities. */
static int check_execs(const struct rf_observation *o, struct rf_caps_suggestion *s)
{
	STRV_FOREACH(e, o->execs) {
		struct stat st;
		ssize_t x;

		if (stat(*e, &st) < 0) {
			if (note(s, "could not check %s for set-ID bits: %s", *e,
				 strerrorname_np(errno) ?: "error") < 0)
				return -ENOMEM;
			continue;
		}
		x = getxattr(*e, "security.capability", NULL, 0);
		if (!(st.st_mode & (S_ISUID | S_ISGID)) && x <= 0)
			continue;
		s->escalation = true;
		free(s->escalation_why);
		if (asprintf(&s->escalation_why, "%s %s", *e,
			     st.st_mode & S_ISUID   ? "is set-user-ID"
			     : st.st_mode & S_ISGID ? "is set-group-ID"
						    : "has file capabilities") < 0) {
			s->escalation_why = NULL;
			return -ENOMEM;
		}
		return 0;
	}
	return 0;
}

static int build(const struct rf_observation *o, const struct rule *rules, size_t n,
		 struct rf_caps_suggestion *s)
{
	uint64_t inferred = 0, noise = 0, possible = 0, bit;
	int r;

	for (size_t i = 0; i < n; i++) {
		if (rules[i].noise)
			noise |= UINT64_C(1) << rules[i].cap;
		else if ((r = rule_matches(o, &rules[i])) == 1 && !rules[i].possible)
			inferred |= UINT64_C(1) << rules[i].cap;
		else if (r)
			possible |= UINT64_C(1) << rules[i].cap;
	}
	if (s->from_events) {
		/* A refusal later followed by a grant is not a need left unmet. */
		s->refused = o->caps_refused & ~o->caps_used;
		s->ignored = o->caps_used & noise & ~inferred;
		s->add = o->caps_used & ~s->ignored;
	} else {
		s->add = inferred;
	}
	s->possible = possible & ~s->add;
	for (int c = 0; c < 64; c++) {
		bool explained = false;

		bit = UINT64_C(1) << c;
		if (!((s->add | s->possible | s->refused | s->ignored) & bit))
			continue;
		for (size_t i = 0; i < n; i++) {
			const struct rule *ru = &rules[i];
			const char *how = !s->from_events    ? "inferred"
					  : s->add & bit     ? "eBPF: capability check granted"
					  : s->refused & bit ? "eBPF: checked and refused"
							     : "eBPF: checked";

			if (ru->noise || ru->cap != c || !(r = rule_matches(o, ru)))
				continue;
			if ((s->possible & bit) && !(s->add & bit) && !s->from_events)
				how = "possible";
			explained = true;
			if (add_reason(s, c, !(s->add & bit), "%.*s (%s%s)", (int)ru->why_len,
				       ru->why, how, r == 2 ? "; argument values unknown" : "") < 0)
				return -ENOMEM;
		}
		for (size_t i = 0; i < n && (s->ignored & bit); i++)
			if (rules[i].noise && rules[i].cap == c &&
			    add_reason(s, c, true, "checked and granted but not added: %.*s",
				       (int)rules[i].why_len, rules[i].why) < 0)
				return -ENOMEM;
		if (s->ignored & bit)
			continue;
		if (!explained &&
		    add_reason(s, c, !(s->add & bit), "%s",
			       s->add & bit ? "eBPF: capability check granted "
					      "(no syscall rule names it)"
					    : "eBPF: checked and refused, never granted: "
					      "the workload did without it") < 0)
			return -ENOMEM;
	}
	r = check_execs(o, s);
	if (r < 0)
		return r;
	if (!s->add && note(s, "no capability needed: if it runs as root, runAsNonRoot: true (with "
			       "runAsUser) should work too") < 0)
		return -ENOMEM;
	if (!s->from_events &&
	    note(s,
		 "recorded without capability events (%s backend): capabilities are inferred "
		 "from syscalls (data/cap-inference.txt); record with --backend ebpf for checks",
		 o->backend ?: "unknown") < 0)
		return -ENOMEM;
	return 0;
}

int rf_caps_suggest(const struct rf_observation *obs, struct rf_caps_suggestion **ret,
		    struct rf_error *reterr)
{
	_cleanup_(rf_caps_suggestion_freep) struct rf_caps_suggestion *s = calloc(1, sizeof(*s));
	_cleanup_free_ char *text = strndup(rf_data_cap_inference, rf_data_cap_inference_len);
	_cleanup_free_ struct rule *rules = NULL;
	size_t n = 0;
	int r;

	if (!s || !text)
		return -ENOMEM;
	r = parse_rules(text, &rules, &n, reterr);
	if (r < 0)
		return r;
	s->from_events = obs->backend && streq(obs->backend, "ebpf");
	r = build(obs, rules, n, s);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(s);
	return 0;
}

struct rf_caps_suggestion *rf_caps_suggestion_free(struct rf_caps_suggestion *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_reasons; i++)
		free(s->reasons[i].why);
	free(s->reasons);
	free(s->escalation_why);
	strv_free(s->notes);
	free(s);
	return NULL;
}

/* "CAP_NET_RAW" -> "NET_RAW", as Kubernetes spells it. */
static const char *k8s_name(const char *n)
{
	return strncmp(n, "CAP_", 4) == 0 ? n + 4 : n;
}

int rf_caps_suggestion_add_list(const struct rf_caps_suggestion *s, char **ret)
{
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (rf_caps_to_names(s->add, &names) < 0)
		return -ENOMEM;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	STRV_FOREACH(n, names)
		fprintf(f, "%s%s", n == names ? "" : ",", k8s_name(*n));
	if (fclose(f) < 0)
		return -ENOMEM;
	*ret = TAKE_PTR(out);
	return 0;
}

static void write_reasons(const struct rf_caps_suggestion *s, FILE *out, const char *prefix)
{
	for (size_t i = 0; i < s->n_reasons; i++) {
		_cleanup_(cap_free_ptr) char *n = cap_to_name(s->reasons[i].cap);

		for (char *p = n; p && *p; p++)
			*p = (char)toupper((unsigned char)*p);
		fprintf(out, "%s%s%s: %s\n", prefix, n ? k8s_name(n) : "?",
			s->reasons[i].possible ? " (not added)" : "", s->reasons[i].why);
	}
}

int rf_caps_suggestion_write_text(const struct rf_caps_suggestion *s, FILE *out)
{
	write_reasons(s, out, "");
	if (s->escalation)
		fprintf(out, "allowPrivilegeEscalation: true because %s\n", s->escalation_why);
	STRV_FOREACH(n, s->notes)
		fprintf(out, "note: %s\n", *n);
	return ferror(out) ? -EIO : 0;
}

int rf_caps_suggestion_write_yaml(const struct rf_caps_suggestion *s, FILE *out)
{
	_cleanup_strv_free_ char **names = NULL;

	if (rf_caps_to_names(s->add, &names) < 0)
		return -ENOMEM;
	fprintf(out, "# Capabilities suggested by ringfence (%s).\n",
		s->from_events ? "eBPF capability checks" : "inferred from syscalls");
	write_reasons(s, out, "# ");
	STRV_FOREACH(n, s->notes)
		fprintf(out, "# note: %s\n", *n);
	fputs("securityContext:\n", out);
	if (s->escalation)
		fprintf(out, "  # %s\n  allowPrivilegeEscalation: true\n", s->escalation_why);
	else
		fputs("  allowPrivilegeEscalation: false\n", out);
	fputs("  capabilities:\n    drop:\n    - ALL\n", out);
	if (!names[0])
		fputs("    add: []\n", out);
	else
		fputs("    add:\n", out);
	STRV_FOREACH(n, names)
		fprintf(out, "    - %s\n", k8s_name(*n));
	return ferror(out) ? -EIO : 0;
}

static int write_cb(FILE *f, void *userdata)
{
	return rf_caps_suggestion_write_yaml(userdata, f);
}

int rf_caps_suggestion_write_file(const struct rf_caps_suggestion *s, const char *path,
				  struct rf_error *reterr)
{
	return rf_write_file_atomic(path, write_cb, (void *)s, reterr);
}
