/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AppArmor's path globs, matched the way apparmor_parser compiles them (apparmor.d(5),
 * "Globbing"): `*` any characters but '/', `**` any characters, `?` one character but '/',
 * `{a,b}` alternatives (nested, possibly empty), `[abc]`, `[a-z]`, `[^...]` one character of
 * a class (which may be '/': moby's rules add '/' to their negated classes for that reason),
 * backslash for a literal. Used to replay recordings against a profile and by lint. */
#include <stdlib.h>
#include <string.h>

#include "aa-internal.h"
#include "core/macro.h"
#include "core/strv.h"

/* Backtracking is bounded: a pattern that needs more steps than this counts as no match
 * (a hand-written profile with many `**` against a long path). */
#define MAX_STEPS 2000000

struct m {
	long steps;
};

/* The end of the {...} group starting at p (on '{'), or NULL. */
static const char *group_end(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '{')
			depth++;
		else if (*p == '}' && --depth == 0)
			return p;
	}
	return NULL;
}

/* One character class at p (on '['): whether c is in it; *ret_end points past ']'. -1 when
 * the class is not closed. */
static int class_match(const char *p, unsigned char c, const char **ret_end)
{
	bool neg = false, in = false;

	p++;
	if (*p == '^') {
		neg = true;
		p++;
	}
	for (bool first = true; *p && (*p != ']' || first); first = false) {
		unsigned char lo = (unsigned char)*p, hi;

		if (lo == '\\' && p[1])
			lo = (unsigned char)*++p;
		p++;
		hi = lo;
		if (*p == '-' && p[1] && p[1] != ']') {
			hi = (unsigned char)p[1];
			if (hi == '\\' && p[2])
				hi = (unsigned char)*(++p + 1);
			p += 2;
		}
		in |= c >= lo && c <= hi;
	}
	if (*p != ']')
		return -1;
	*ret_end = p + 1;
	return in != neg;
}

static int match(struct m *m, const char *pat, const char *s);

/* pat is on '{': try each alternative followed by what comes after the group. */
static int alternatives(struct m *m, const char *pat, const char *s)
{
	const char *end = group_end(pat), *alt = pat + 1;
	size_t rest = end ? strlen(end + 1) : 0;
	int depth = 0;

	if (!end)
		return -EINVAL;
	for (const char *p = alt; p <= end; p++) {
		_cleanup_free_ char *try = NULL;
		int r;

		if (*p == '\\' && p[1] && p < end) {
			p++;
			continue;
		}
		if (*p == '{')
			depth++;
		else if (*p == '}' && p != end)
			depth--;
		if (!((*p == ',' && depth == 0) || p == end))
			continue;
		try = malloc((size_t)(p - alt) + rest + 1);
		if (!try)
			return -ENOMEM;
		memcpy(try, alt, (size_t)(p - alt));
		memcpy(try + (p - alt), end + 1, rest + 1);
		if ((r = match(m, try, s)) != 0)
			return r;
		alt = p + 1;
	}
	return 0;
}

static int match(struct m *m, const char *pat, const char *s)
{
	for (;;) {
		const char *end;
		int r;

		if (++m->steps > MAX_STEPS)
			return 0;
		switch (*pat) {
		case '\0': return *s == '\0';
		case '*':
			if (pat[1] == '*') {
				while (*pat == '*')
					pat++;
				for (const char *t = s;; t++) {
					if ((r = match(m, pat, t)) != 0)
						return r;
					if (!*t)
						return 0;
				}
			}
			pat++;
			for (const char *t = s;; t++) {
				if ((r = match(m, pat, t)) != 0)
					return r;
				if (!*t || *t == '/')
					return 0;
			}
		case '?':
			if (!*s || *s == '/')
				return 0;
			pat++;
			s++;
			break;
		case '{': return alternatives(m, pat, s);
		case '[':
			if (!*s)
				return 0;
			r = class_match(pat, (unsigned char)*s, &end);
			if (r <= 0)
				return r;
			pat = end;
			s++;
			break;
		case '\\':
			if (pat[1])
				pat++;
			__attribute__((fallthrough));
		default:
			if (*pat != *s)
				return 0;
			pat++;
			s++;
			break;
		}
	}
}

int rf_aa_glob_match(const char *token, const char *path)
{
	_cleanup_free_ char *pat = NULL;
	struct m m = { 0 };
	int r = aa_token_pattern(token, &pat);

	if (r < 0)
		return r;
	if (strstr(pat, "@{"))
		return -EINVAL;
	return match(&m, pat, path);
}

/* A rule's token with the profile's own variables written as alternatives; -ENOENT when it
 * uses one the profile does not define (an include's). */
static int expand(const struct rf_aa_profile *p, const char *tok, char **ret, int depth)
{
	const char *at = strstr(tok, "@{"), *close;
	_cleanup_free_ char *name = NULL, *alts = NULL, *out = NULL;
	bool found = false, first = true;
	size_t n = 0;
	FILE *f;

	if (!at) {
		*ret = strdup(tok);
		return *ret ? 0 : -ENOMEM;
	}
	if (depth > 8 || !(close = strchr(at, '}')))
		return -EINVAL;
	if (!(name = strndup(at, (size_t)(close - at) + 1)))
		return -ENOMEM;
	if (!(f = open_memstream(&alts, &n)))
		return -ENOMEM;
	fputc('{', f);
	STRV_FOREACH(v, p->variables) {
		size_t k = strlen(name);
		const char *val;

		if (strncmp(*v, name, k) || (*v)[k] != '=')
			continue;
		found = true;
		/* Values are separated by spaces; each may be a glob itself. */
		for (val = *v + k + 1; *val;) {
			size_t len = strcspn(val, " \t");

			if (len) {
				fprintf(f, "%s%.*s", first ? "" : ",", (int)len, val);
				first = false;
			}
			val += len + strspn(val + len, " \t");
		}
	}
	fputc('}', f);
	if (fclose(f) != 0)
		return -ENOMEM;
	if (!found)
		return -ENOENT;
	if (asprintf(&out, "%.*s%s%s", (int)(at - tok), tok, alts, close + 1) < 0)
		return -ENOMEM;
	return expand(p, out, ret, depth + 1);
}

int rf_aa_check_access(const struct rf_aa_profile *p, const char *path, bool dir, uint32_t perms,
		       uint32_t *ret_missing, uint32_t *ret_denied)
{
	_cleanup_free_ char *full = NULL;
	uint32_t allowed = 0, denied = 0, missing;

	if (asprintf(&full, "%s%s", path, dir && path[strlen(path) - 1] != '/' ? "/" : "") < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rf_aa_rule *r = &p->rules[i];
		_cleanup_free_ char *tok = NULL;
		int k = 1;

		if (r->kind != RF_AA_RULE_FILE)
			continue;
		if (r->path) {
			k = expand(p, r->path, &tok, 0);
			if (k == -ENOMEM)
				return k;
			k = k < 0 ? 0 : rf_aa_glob_match(tok, full);
			if (k == -ENOMEM)
				return k;
		}
		if (k <= 0)
			continue;
		if (r->deny)
			denied |= r->path ? r->perms : UINT32_MAX;
		else
			allowed |= r->path ? r->perms : UINT32_MAX;
	}
	if (allowed & RF_AA_PERM_W)
		allowed |= RF_AA_PERM_A;
	missing = perms & ~allowed;
	if (denied & RF_AA_PERM_W)
		denied |= RF_AA_PERM_A;
	*ret_missing = missing;
	*ret_denied = perms & denied;
	return (missing | (perms & denied)) ? 0 : 1;
}
