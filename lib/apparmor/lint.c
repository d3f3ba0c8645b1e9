/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks of an AppArmor profile that the parser does not make (it compiles what it is given):
 * deny rules in a complain profile, unconfined execution, write+execute on one path, paths that
 * can never match, variables nobody defines, no abi; and, with an observation, a replay of every
 * file access and socket the recording made against the rules ("would-deny"). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "aa-internal.h"
#include "core/escape.h"
#include "core/macro.h"
#include "core/netnames.h"
#include "core/strv.h"

void rf_aa_lint_done(struct rf_aa_lint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].code);
		free(l->items[i].message);
	}
	free(l->items);
	*l = (struct rf_aa_lint){ 0 };
}

static int item(struct rf_aa_lint *l, enum rf_aa_lint_severity sev, unsigned line, const char *code,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int item(struct rf_aa_lint *l, enum rf_aa_lint_severity sev, unsigned line, const char *code,
		const char *fmt, ...)
{
	struct rf_aa_lint_item *v = reallocarray(l->items, l->n + 1, sizeof(*v));
	_cleanup_free_ char *raw = NULL;
	char *msg;
	va_list ap;
	int r;

	if (!v)
		return -ENOMEM;
	l->items = v;
	va_start(ap, fmt);
	r = vasprintf(&raw, fmt, ap);
	va_end(ap);
	/* Paths come from the profile and the recording: never raw control bytes to a terminal. */
	if (r < 0 || !(msg = rf_escape_controls(raw)))
		return -ENOMEM;
	v[l->n] = (struct rf_aa_lint_item){
		.severity = sev, .line = line, .code = strdup(code), .message = msg
	};
	if (!v[l->n].code) {
		free(msg);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static bool defined(const struct rf_aa_profile *p, const char *var, size_t len)
{
	STRV_FOREACH(v, p->variables)
		if (!strncmp(*v, var, len) && (*v)[len] == '=')
			return true;
	return false;
}

static int check_rule(const struct rf_aa_profile *p, const struct rf_aa_rule *r, bool complain,
		      struct rf_aa_lint *l)
{
	int e = 0;

	if (r->deny && complain)
		e = item(l, RF_AA_LINT_ERROR, r->line, "deny-in-complain",
			 "a deny rule blocks even in complain mode: write 'audit' to log only");
	if (e >= 0 && r->kind == RF_AA_RULE_FILE && !r->deny && strpbrk(r->xmode, "uU"))
		e = item(l, RF_AA_LINT_WARNING, r->line, "unconfined-exec",
			 "%s runs unconfined (%s): the program it starts has no profile",
			 r->path ?: "file", r->xmode);
	if (e >= 0 && r->kind == RF_AA_RULE_FILE && !r->deny && r->path &&
	    (r->perms & RF_AA_PERM_W) && (r->perms & (RF_AA_PERM_X | RF_AA_PERM_M)))
		e = item(l, RF_AA_LINT_WARNING, r->line, "write-exec",
			 "%s is writable and executable: a written file can be run", r->path);
	if (e >= 0 && r->kind == RF_AA_RULE_FILE && r->path &&
	    (strstr(r->path, "/../") || strstr(r->path, "/./")))
		e = item(l, RF_AA_LINT_WARNING, r->line, "never-matches",
			 "%s never matches: the kernel checks resolved paths", r->path);
	for (const char *v = r->path; e >= 0 && v && (v = strstr(v, "@{")); v++) {
		size_t len = strcspn(v, "}") + 1;

		if (!defined(p, v, len) && !p->includes)
			e = item(l, RF_AA_LINT_ERROR, r->line, "undefined-variable",
				 "%.*s is not defined and nothing is included", (int)len, v);
		else if (!defined(p, v, len))
			e = item(l, RF_AA_LINT_NOTE, r->line, "variable-from-include",
				 "%.*s comes from an include: the rule is not replayed", (int)len,
				 v);
	}
	if (e >= 0 && !r->deny && !r->path && r->kind == RF_AA_RULE_FILE)
		e = item(l, RF_AA_LINT_NOTE, r->line, "all-files", "'file,' allows every file");
	if (e >= 0 && !r->deny && r->text &&
	    (streq(r->text, "capability") || streq(r->text, "network")))
		e = item(l, RF_AA_LINT_NOTE, r->line, "all-of-a-class", "'%s,' allows every %s",
			 r->text, streq(r->text, "network") ? "socket" : "capability");
	return e;
}

/* Whether a `network [family] [type]` rule's text covers (family, type). */
static bool net_covers(const char *text, const char *fam, const char *type)
{
	_cleanup_strv_free_ char **w = NULL;
	_cleanup_free_ char *copy = strdup(text);
	size_t n;

	if (!copy)
		return false;
	for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (strv_extend(&w, t) < 0)
			return false;
	n = strv_length(w);
	if (n <= 1)
		return true;
	if (rf_af_from_name(w[1]) >= 0) {
		if (!streq(w[1], fam))
			return false;
		return n == 2 || (type && streq(w[2], type));
	}
	return type && streq(w[1], type); /* a type alone: every family */
}

static int replay_net(const struct rf_aa_profile *p, const struct rf_observation *obs,
		      struct rf_aa_lint *l)
{
	for (size_t i = 0; i < obs->n_net; i++) {
		const char *fam = rf_af_name(obs->net[i].family);
		const char *type = obs->net[i].type ? rf_socktype_name(obs->net[i].type) : NULL;
		bool allowed = false, denied = false;
		int e;

		for (size_t k = 0; k < p->n_rules; k++) {
			const struct rf_aa_rule *r = &p->rules[k];

			if (r->kind != RF_AA_RULE_NETWORK || !fam ||
			    !net_covers(r->text, fam, type))
				continue;
			*(r->deny ? &denied : &allowed) = true;
		}
		if (allowed && !denied)
			continue;
		e = item(l, RF_AA_LINT_ERROR, 0, "would-deny", "socket %s %s: %s", fam ?: "?",
			 type ?: "", denied ? "denied by a rule" : "no network rule allows it");
		if (e < 0)
			return e;
	}
	return 0;
}

static int replay(const struct rf_aa_profile *p, const struct rf_observation *obs,
		  struct rf_aa_lint *l)
{
	int e = 0;

	if (!obs->decoded)
		return item(l, RF_AA_LINT_WARNING, 0, "no-replay",
			    "the observation has no file or socket events (%s): nothing to replay",
			    obs->backend ?: "?");
	for (size_t i = 0; e >= 0 && i < obs->n_files + strv_length(obs->execs); i++) {
		bool exec = i >= obs->n_files;
		const char *path = exec ? obs->execs[i - obs->n_files] : obs->files[i].path;
		uint32_t access = exec ? RF_ACC_EXEC : obs->files[i].access;
		uint32_t need = rf_aa_perms_from_access(access), missing, denied;
		_cleanup_free_ char *copy = NULL;
		char a[16], b[16];
		size_t n;

		if (!path || path[0] != '/' || !strncmp(path, "/memfd:", 7) || !need)
			continue;
		if (!(copy = strdup(path)))
			return -ENOMEM;
		n = strlen(copy);
		if (n > 10 && streq(copy + n - 10, " (deleted)"))
			copy[n - 10] = '\0';
		e = rf_aa_check_access(p, copy, access & RF_ACC_DIR, need, &missing, &denied);
		if (e < 0)
			return e;
		if (e > 0) {
			e = 0;
			continue;
		}
		e = item(l, RF_AA_LINT_ERROR, 0, "would-deny", "%s%s: needs %s%s%s", path,
			 access & RF_ACC_DIR ? "/" : "", rf_aa_perms_string(need, "x", a),
			 missing ? ", no rule allows " : ", denied: ",
			 rf_aa_perms_string(missing ?: denied, "x", b));
	}
	return e < 0 ? e : replay_net(p, obs, l);
}

int rf_aa_lint(const struct rf_aa_profile *p, const struct rf_observation *obs,
	       struct rf_aa_lint *ret)
{
	struct rf_aa_lint l = { 0 };
	bool complain = strv_contains(p->flags, "complain");
	int e = 0;

	if (!p->abi)
		e = item(&l, RF_AA_LINT_WARNING, p->line, "no-abi",
			 "no 'abi <abi/3.0>,': the parser assumes an ABI that depends on its "
			 "version");
	STRV_FOREACH(inc, p->includes)
		if (e >= 0)
			e = item(
				&l, RF_AA_LINT_NOTE, 0, "include-not-followed",
				"'%s' is not read here: its rules are neither checked nor replayed",
				*inc);
	if (e >= 0 && !rf_aa_name_valid(p->name))
		e = item(&l, RF_AA_LINT_NOTE, p->line, "name",
			 "profile name '%s' cannot be a Kubernetes localhostProfile file name "
			 "(NAME.apparmor)",
			 p->name);
	for (size_t i = 0; e >= 0 && i < p->n_rules; i++)
		e = check_rule(p, &p->rules[i], complain, &l);
	if (e >= 0 && obs)
		e = replay(p, obs, &l);
	if (e < 0) {
		rf_aa_lint_done(&l);
		return e;
	}
	*ret = l;
	return 0;
}
