/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bane's TOML schema into struct rf_aa_config, strictly: every key known, every type right, and
 * every value checked to be exactly one thing (a path glob, a profile name, a protocol, a
 * capability), so a value can never add a rule to the profile. */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "aa-internal.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "core/strv.h"
#include "toml.h"

#define MAX_TOML_BYTES (4u << 20)

struct rf_aa_config *rf_aa_config_free(struct rf_aa_config *c)
{
	if (!c)
		return NULL;
	free(c->source);
	free(c->name);
	strv_free(c->read_only);
	strv_free(c->log_on_write);
	strv_free(c->writable);
	strv_free(c->allow_exec);
	strv_free(c->deny_exec);
	strv_free(c->protocols);
	strv_free(c->cap_allow);
	strv_free(c->cap_deny);
	free(c);
	return NULL;
}

struct ctx {
	const char *source;
	struct rf_error *err;
};

static int bad(struct ctx *x, const struct toml_value *v, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(struct ctx *x, const struct toml_value *v, size_t offset, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	/* The column of a problem inside a string: its quote, plus the offset (exact for strings
	 * without escapes, which are the ones a path can be); SIZE_MAX: the value as a whole. */
	return rf_error_set_at_col(
		x->err, -EINVAL, x->source, v->line,
		v->col + (v->type == TOML_STRING && offset != SIZE_MAX ? 1 + (unsigned)offset : 0),
		"%s", msg);
}

/* The string's text, refused when an escape put a NUL byte in it. */
static const char *str_of(struct ctx *x, const struct toml_value *v, const char *what, int *r)
{
	if (v->type != TOML_STRING) {
		*r = bad(x, v, SIZE_MAX, "%s must be a string", what);
		return NULL;
	}
	if (strlen(v->s) != v->len) {
		*r = bad(x, v, SIZE_MAX, "%s holds a NUL byte", what);
		return NULL;
	}
	return v->s;
}

static int path_list(struct ctx *x, const struct toml_entry *e, const char *what, char ***ret)
{
	int r = 0;

	if (e->v.type != TOML_ARRAY)
		return bad(x, &e->v, SIZE_MAX, "%s must be an array of path strings", what);
	for (size_t i = 0; i < e->v.n; i++) {
		const struct toml_value *v = &e->v.items[i];
		const char *s = str_of(x, v, what, &r), *why;
		size_t at;

		if (!s)
			return r;
		if ((why = aa_glob_problem(s, &at)))
			return bad(x, v, at, "%s: refused: %s", what, why);
		if ((r = strv_extend_unique(ret, s)) < 0)
			return r;
	}
	return 0;
}

static int boolean(struct ctx *x, const struct toml_entry *e, const char *what, bool *ret)
{
	if (e->v.type != TOML_BOOL)
		return bad(x, &e->v, SIZE_MAX, "%s must be true or false", what);
	*ret = e->v.b;
	return 0;
}

static int protocols(struct ctx *x, const struct toml_entry *e, char ***ret)
{
	int r = 0;

	if (e->v.type != TOML_ARRAY)
		return bad(x, &e->v, SIZE_MAX, "Network.Protocols must be an array of strings");
	for (size_t i = 0; i < e->v.n; i++) {
		const char *s = str_of(x, &e->v.items[i], "Network.Protocols", &r);

		if (!s)
			return r;
		if (!streq(s, "tcp") && !streq(s, "udp") && !streq(s, "icmp"))
			return bad(x, &e->v.items[i], SIZE_MAX,
				   "Network.Protocols: '%s' is not tcp, udp or icmp", s);
		if ((r = strv_extend_unique(ret, s)) < 0)
			return r;
	}
	return 0;
}

/* "chown", "CAP_CHOWN", "cap_chown" -> "chown", known to libcap and to AppArmor. */
static int capabilities(struct ctx *x, const struct toml_entry *e, const char *what, char ***ret)
{
	int r = 0;

	if (e->v.type != TOML_ARRAY)
		return bad(x, &e->v, SIZE_MAX, "%s must be an array of capability names", what);
	for (size_t i = 0; i < e->v.n; i++) {
		const struct toml_value *v = &e->v.items[i];
		const char *s = str_of(x, v, what, &r);
		_cleanup_free_ char *lower = NULL;
		cap_value_t cap;
		const char *name;

		if (!s)
			return r;
		if (asprintf(&lower, "%s%s", strncasecmp(s, "cap_", 4) ? "cap_" : "", s) < 0)
			return -ENOMEM;
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		for (const char *p = lower + 4; *p; p++)
			if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
				return bad(x, v, SIZE_MAX, "%s: '%s' is not a capability name",
					   what, s);
		if (cap_from_name(lower, &cap) < 0 || !(name = aa_cap_name(cap)))
			return bad(x, v, SIZE_MAX, "%s: unknown capability '%s'", what, s);
		if ((r = strv_extend_unique(ret, name)) < 0)
			return r;
	}
	return 0;
}

static int entry(struct ctx *x, struct rf_aa_config *c, const struct toml_entry *e)
{
	const char *t = e->table, *k = e->key;
	int r = 0;

	if (!*t && streq(k, "Name")) {
		const char *s = str_of(x, &e->v, "Name", &r);

		if (!s)
			return r;
		if (!rf_aa_name_valid(s))
			return bad(x, &e->v, SIZE_MAX,
				   "Name '%s' must be letters, digits, '_', '.' and '-', starting "
				   "with a letter or digit (at most 200)",
				   s);
		c->name_line = e->v.line;
		return (c->name = strdup(s)) ? 0 : -ENOMEM;
	}
	if (!*t && (streq(k, "Imports") || streq(k, "InnerImports")))
		return rf_error_set_at_col(
			x->err, -EINVAL, x->source, e->line, e->col,
			"%s: refused: ringfence writes no includes, so a profile "
			"does not depend on the host's /etc/apparmor.d",
			k);
	if (streq(t, "Filesystem")) {
		static const struct {
			const char *key;
			size_t off;
		} lists[] = {
			{ "ReadOnlyPaths", offsetof(struct rf_aa_config, read_only) },
			{ "LogOnWritePaths", offsetof(struct rf_aa_config, log_on_write) },
			{ "WritablePaths", offsetof(struct rf_aa_config, writable) },
			{ "AllowExec", offsetof(struct rf_aa_config, allow_exec) },
			{ "DenyExec", offsetof(struct rf_aa_config, deny_exec) },
		};

		for (size_t i = 0; i < ELEMENTSOF(lists); i++)
			if (streq(k, lists[i].key)) {
				_cleanup_free_ char *what = NULL;

				if (asprintf(&what, "Filesystem.%s", k) < 0)
					return -ENOMEM;
				return path_list(x, e, what, (char ***)((char *)c + lists[i].off));
			}
	} else if (streq(t, "Network")) {
		if (streq(k, "Raw"))
			return boolean(x, e, "Network.Raw", &c->raw);
		if (streq(k, "Packet"))
			return boolean(x, e, "Network.Packet", &c->packet);
		if (streq(k, "Protocols"))
			return protocols(x, e, &c->protocols);
	} else if (streq(t, "Capabilities")) {
		if (streq(k, "Allow"))
			return capabilities(x, e, "Capabilities.Allow", &c->cap_allow);
		if (streq(k, "Deny"))
			return capabilities(x, e, "Capabilities.Deny", &c->cap_deny);
	}
	return rf_error_set_at_col(
		x->err, -EINVAL, x->source, e->line, e->col,
		"unknown key '%s%s%s' (bane's schema: Name; [Filesystem] "
		"ReadOnlyPaths, LogOnWritePaths, WritablePaths, AllowExec, DenyExec; "
		"[Network] Raw, Packet, Protocols; [Capabilities] Allow, Deny)",
		t, *t ? "." : "", k);
}

int rf_aa_config_parse(const char *text, size_t len, const char *source, struct rf_aa_config **ret,
		       struct rf_error *reterr)
{
	_cleanup_(rf_aa_config_freep) struct rf_aa_config *c = calloc(1, sizeof(*c));
	struct toml_doc d = { 0 };
	struct ctx x = { .source = source ?: "<input>", .err = reterr };
	int r;

	if (!c || !(c->source = strdup(x.source)))
		return -ENOMEM;
	if ((r = toml_parse(text, len, x.source, &d, reterr)) < 0)
		return r;
	for (size_t i = 0; d.tables && d.tables[i]; i++)
		if (!streq(d.tables[i], "Filesystem") && !streq(d.tables[i], "Network") &&
		    !streq(d.tables[i], "Capabilities")) {
			r = rf_error_set_at(reterr, -EINVAL, x.source, d.table_lines[i],
					    "unknown table [%s] (bane's schema has [Filesystem], "
					    "[Network] and [Capabilities])",
					    d.tables[i]);
			break;
		}
	for (size_t i = 0; r >= 0 && i < d.n; i++)
		r = entry(&x, c, &d.v[i]);
	toml_done(&d);
	if (r < 0)
		return r;
	STRV_FOREACH(a, c->cap_allow)
		if (strv_contains(c->cap_deny, *a))
			return rf_error_set(reterr, -EINVAL,
					    "%s: capability '%s' is both in Capabilities.Allow and "
					    "Capabilities.Deny",
					    x.source, *a);
	*ret = TAKE_PTR(c);
	return 0;
}

int rf_aa_config_load(const char *path, struct rf_aa_config **ret, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = rf_read_file(path, MAX_TOML_BYTES, &text, &len, reterr);

	if (r < 0)
		return r;
	return rf_aa_config_parse(text, len, streq(path, "-") ? "<stdin>" : path, ret, reterr);
}
