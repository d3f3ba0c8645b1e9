/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads a profile back: the subset of apparmor.d(5) that ringfence writes and that a
 * hand-written container profile uses (abi, include lines, variables, one `profile` block, rules
 * ending with ','). Hats and child profiles are skipped with their rules uncounted. What this
 * reader cannot place is an error at file:line; apparmor_parser remains the judge of validity. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aa-internal.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "core/strv.h"

#define MAX_PROFILE_BYTES (16u << 20)

struct lex {
	const char *s;
	size_t n, i;
	unsigned line;
	int paren; /* ( ) depth across words: commas inside are not rule ends */
	const char *source;
	struct rf_error *err;
};

enum tok { T_END, T_WORD, T_COMMA, T_OPEN, T_CLOSE, T_INCLUDE, T_VAR };

/* The next token: a word (quoted strings kept whole, with their quotes), ',', '{', '}', a whole
 * include line, or (var: where a variable may be defined) a whole "@{X}=..." line. Comments
 * are skipped. *ret_word is owned by the caller. */
static int next(struct lex *l, char **ret_word, unsigned *ret_line, bool var)
{
	size_t start;
	int brace = 0;

	*ret_word = NULL;
	for (;;) {
		while (l->i < l->n && isspace((unsigned char)l->s[l->i])) {
			if (l->s[l->i] == '\n')
				l->line++;
			l->i++;
		}
		if (l->i >= l->n)
			return T_END;
		if (l->s[l->i] != '#' || !strncmp(l->s + l->i, "#include", 8))
			break;
		while (l->i < l->n && l->s[l->i] != '\n')
			l->i++;
	}
	*ret_line = l->line;
	start = l->i;
	if (!strncmp(l->s + l->i, "#include", 8) ||
	    (!strncmp(l->s + l->i, "include", 7) && isspace((unsigned char)l->s[l->i + 7])) ||
	    (var && !strncmp(l->s + l->i, "@{", 2))) {
		bool is_var = l->s[l->i] == '@';

		while (l->i < l->n && l->s[l->i] != '\n')
			l->i++;
		*ret_word = strndup(l->s + start, l->i - start);
		return *ret_word ? (is_var ? T_VAR : T_INCLUDE) : -ENOMEM;
	}
	switch (l->s[l->i]) {
	case ',':
		if (l->paren)
			break;
		l->i++;
		return T_COMMA;
	case '{': l->i++; return T_OPEN;
	case '}': l->i++; return T_CLOSE;
	default: break;
	}
	while (l->i < l->n) {
		char c = l->s[l->i];

		if (c == '"') {
			const char *q = l->s + l->i + 1;

			while (q < l->s + l->n && *q != '"') {
				if (*q == '\n')
					return rf_error_set_at(
						l->err, -EINVAL, l->source, l->line,
						"a quoted string runs past the end of "
						"the line");
				q += *q == '\\' && q + 1 < l->s + l->n ? 2 : 1;
			}
			if (q >= l->s + l->n)
				return rf_error_set_at(l->err, -EINVAL, l->source, l->line,
						       "a quoted string is not closed");
			l->i = (size_t)(q - l->s) + 1;
			continue;
		}
		if (c == '\\' && l->i + 1 < l->n && l->s[l->i + 1] != '\n') {
			l->i += 2;
			continue;
		}
		if (isspace((unsigned char)c) || (c == ',' && !l->paren && !brace) ||
		    (c == '}' && !brace))
			break;
		if (c == '{')
			brace++;
		else if (c == '}')
			brace--;
		else if (c == '(')
			l->paren++;
		else if (c == ')' && l->paren > 0)
			l->paren--;
		l->i++;
	}
	*ret_word = strndup(l->s + start, l->i - start);
	return *ret_word ? T_WORD : -ENOMEM;
}

/* One statement: its words up to ',' (T_COMMA), '{' (T_OPEN) or '}' (T_CLOSE). */
struct stmt {
	char **w;
	unsigned line;
	int end;
};

static void stmt_done(struct stmt *st)
{
	strv_free(st->w);
	*st = (struct stmt){ 0 };
}

static int read_stmt(struct lex *l, struct stmt *st, bool var)
{
	for (;;) {
		_cleanup_free_ char *word = NULL;
		unsigned line = l->line;
		int t = next(l, &word, &line, var && !st->w);

		if (t < 0)
			return t;
		if (!st->w)
			st->line = line;
		if (t == T_WORD) {
			if (strv_extend(&st->w, word) < 0)
				return -ENOMEM;
			continue;
		}
		if (t == T_INCLUDE || t == T_VAR) {
			if (st->w)
				return rf_error_set_at(l->err, -EINVAL, l->source, line,
						       "an include inside a rule");
			st->end = t;
			return strv_extend(&st->w, word);
		}
		st->end = t;
		return 0;
	}
}

static bool perm_word(const char *w, uint32_t *ret, char xmode[4])
{
	uint32_t p = 0;
	size_t xn = 0;

	xmode[0] = '\0';
	for (const char *c = w; *c; c++) {
		switch (*c) {
		case 'm': p |= RF_AA_PERM_M; break;
		case 'r': p |= RF_AA_PERM_R; break;
		case 'w': p |= RF_AA_PERM_W; break;
		case 'a': p |= RF_AA_PERM_A; break;
		case 'l': p |= RF_AA_PERM_L; break;
		case 'k': p |= RF_AA_PERM_K; break;
		case 'i':
		case 'p':
		case 'P':
		case 'u':
		case 'U':
		case 'c':
		case 'C':
		case 'x':
			if (xn >= 3)
				return false;
			xmode[xn++] = *c;
			xmode[xn] = '\0';
			if (*c == 'x')
				p |= RF_AA_PERM_X;
			break;
		default: return false;
		}
	}
	*ret = p;
	return *w && (xn == 0 || (p & RF_AA_PERM_X));
}

static bool path_word(const char *w)
{
	return w[0] == '/' || w[0] == '@' || (w[0] == '"' && (w[1] == '/' || w[1] == '@'));
}

static int classify(struct lex *l, struct rf_aa_profile *p, struct stmt *st)
{
	char **w = st->w;
	size_t n = strv_length(w), i = 0;
	bool deny = false, audit = false, owner = false;
	struct rf_aa_rule *r;
	static const struct {
		const char *kw;
		enum rf_aa_rule_kind kind;
	} kinds[] = {
		{ "network", RF_AA_RULE_NETWORK }, { "capability", RF_AA_RULE_CAPABILITY },
		{ "signal", RF_AA_RULE_SIGNAL },   { "ptrace", RF_AA_RULE_PTRACE },
		{ "mount", RF_AA_RULE_MOUNT },	   { "remount", RF_AA_RULE_MOUNT },
		{ "umount", RF_AA_RULE_MOUNT },	   { "pivot_root", RF_AA_RULE_MOUNT },
	};

	for (; i < n; i++) {
		if (streq(w[i], "audit"))
			audit = true;
		else if (streq(w[i], "deny"))
			deny = true;
		else if (streq(w[i], "allow") || streq(w[i], "quiet"))
			continue;
		else if (streq(w[i], "owner") || streq(w[i], "other"))
			owner = true;
		else
			break;
	}
	if (i == n)
		return rf_error_set_at(l->err, -EINVAL, l->source, st->line, "an empty rule");
	if (streq(w[i], "file") && i + 1 == n) {
		r = aa_add_rule(p, RF_AA_RULE_FILE); /* no path: every file, every permission */
		if (!r)
			return -ENOMEM;
		goto quals;
	}
	if (streq(w[i], "file"))
		i++;
	/* PATH PERMS [-> target]  or  PERMS PATH [-> target] */
	if (i + 1 < n && (path_word(w[i]) || path_word(w[i + 1]))) {
		bool path_first = path_word(w[i]);
		const char *path = w[path_first ? i : i + 1], *perms = w[path_first ? i + 1 : i];
		char xmode[4];
		uint32_t pm;

		if (!perm_word(perms, &pm, xmode))
			return rf_error_set_at(l->err, -EINVAL, l->source, st->line,
					       "'%s' is not a set of file permissions", perms);
		if (i + 2 != n && !(i + 4 == n && streq(w[i + 2], "->")))
			return rf_error_set_at(l->err, -EINVAL, l->source, st->line,
					       "a file rule is PATH PERMISSIONS [-> PROFILE]");
		if (aa_add_file(p, deny, audit, path, pm, xmode, NULL) < 0)
			return -ENOMEM;
		r = &p->rules[p->n_rules - 1];
		goto quals;
	}
	r = NULL;
	for (size_t k = 0; k < ELEMENTSOF(kinds) && !r; k++)
		if (streq(w[i], kinds[k].kw) && !(r = aa_add_rule(p, kinds[k].kind)))
			return -ENOMEM;
	if (!r && !(r = aa_add_rule(p, RF_AA_RULE_OTHER)))
		return -ENOMEM;
	{
		size_t len = 0;
		FILE *f = open_memstream(&r->text, &len);

		if (!f)
			return -ENOMEM;
		for (size_t k = i; k < n; k++)
			fprintf(f, "%s%s", k == i ? "" : " ", w[k]);
		if (fclose(f) != 0)
			return -ENOMEM;
	}
quals:
	r->deny = deny;
	r->audit = audit;
	r->owner = owner;
	r->line = st->line;
	return 0;
}

/* `profile NAME [ATTACH] [flags=(...)] {` or `ATTACH [flags=(...)] {` */
static int header(struct lex *l, struct rf_aa_profile *p, struct stmt *st)
{
	char **w = st->w;
	size_t n = strv_length(w), i = 0;

	if (n && streq(w[0], "profile"))
		i = 1;
	if (i >= n)
		return rf_error_set_at(l->err, -EINVAL, l->source, st->line,
				       "a profile without a name");
	if (!(p->name = strdup(w[i][0] == '"' ? w[i] + 1 : w[i])))
		return -ENOMEM;
	p->name[strcspn(p->name, "\"")] = '\0';
	p->line = st->line;
	for (i++; i < n; i++) {
		const char *f = w[i];
		_cleanup_free_ char *list = NULL;

		if (strncmp(f, "flags=", 6) && strncmp(f, "(", 1))
			continue; /* the attachment path */
		f += f[0] == '(' ? 0 : 6;
		if (f[0] != '(' || f[strlen(f) - 1] != ')')
			return rf_error_set_at(l->err, -EINVAL, l->source, st->line,
					       "flags must be written flags=(a,b)");
		if (!(list = strndup(f + 1, strlen(f) - 2)))
			return -ENOMEM;
		for (char *save = NULL, *t = strtok_r(list, ", ", &save); t;
		     t = strtok_r(NULL, ", ", &save))
			if (strv_extend_unique(&p->flags, t) < 0)
				return -ENOMEM;
	}
	strv_sort(p->flags);
	return 0;
}

static int preamble(struct lex *l, struct rf_aa_profile *p, struct stmt *st)
{
	const char *w0 = st->w ? st->w[0] : NULL;

	if (st->end == T_INCLUDE)
		return strv_extend(&p->includes, w0);
	if (st->end == T_COMMA && w0 && streq(w0, "abi") && strv_length(st->w) == 2) {
		const char *a = st->w[1];
		size_t k = strlen(a);

		if (k < 3 || !strchr("<\"", a[0]))
			return rf_error_set_at(l->err, -EINVAL, l->source, st->line,
					       "abi takes <path> or \"path\"");
		free(p->abi);
		return (p->abi = strndup(a + 1, k - 2)) ? 0 : -ENOMEM;
	}
	if (st->end == T_VAR) {
		/* "@{VAR} = a b", "@{VAR}+=c": kept as "@{VAR}=a b" (a += adds a definition). */
		_cleanup_free_ char *def = NULL;
		const char *eq = strchr(w0, '='), *close = strchr(w0, '}');
		const char *v = eq ? eq + 1 : NULL;

		if (!eq || !close || close > eq)
			return rf_error_set_at(l->err, -EINVAL, l->source, st->line,
					       "a variable is defined as @{NAME}=value");
		v += strspn(v, " \t");
		if (asprintf(&def, "%.*s=%.*s", (int)(close - w0) + 1, w0, (int)strcspn(v, "#"),
			     v) < 0)
			return -ENOMEM;
		while (*def && isspace((unsigned char)def[strlen(def) - 1]))
			def[strlen(def) - 1] = '\0';
		return strv_extend(&p->variables, def);
	}
	return rf_error_set_at(l->err, -EINVAL, l->source, st->line,
			       "expected abi, include, a variable or a profile here");
}

/* Skips a block already opened (a hat, a child profile, a conditional). */
static int skip_block(struct lex *l)
{
	for (int depth = 1; depth > 0;) {
		_cleanup_free_ char *w = NULL;
		unsigned line;
		int t = next(l, &w, &line, false);

		if (t < 0)
			return t;
		if (t == T_END)
			return rf_error_set_at(l->err, -EINVAL, l->source, l->line,
					       "a block is not closed");
		depth += t == T_OPEN ? 1 : t == T_CLOSE ? -1 : 0;
	}
	return 0;
}

static int body(struct lex *l, struct rf_aa_profile *p)
{
	for (;;) {
		struct stmt st = { 0 };
		int r = read_stmt(l, &st, false);

		if (r >= 0 && st.end == T_CLOSE && st.w)
			r = rf_error_set_at(l->err, -EINVAL, l->source, st.line,
					    "a rule without its ',' before '}'");
		if (r >= 0 && st.end == T_CLOSE) {
			stmt_done(&st);
			return 0;
		}
		if (r >= 0 && st.end == T_END)
			r = rf_error_set_at(l->err, -EINVAL, l->source, l->line,
					    "profile '%s' is not closed with '}'", p->name);
		if (r >= 0 && st.end == T_INCLUDE)
			r = strv_extend(&p->includes, st.w[0]);
		else if (r >= 0 && st.end == T_OPEN)
			r = skip_block(l);
		else if (r >= 0 && st.end == T_COMMA)
			r = st.w ? classify(l, p, &st)
				 : rf_error_set_at(l->err, -EINVAL, l->source, st.line,
						   "a ',' without a rule");
		stmt_done(&st);
		if (r < 0)
			return r;
	}
}

int rf_aa_profile_parse(const char *text, size_t len, const char *source,
			struct rf_aa_profile **ret, struct rf_error *reterr)
{
	_cleanup_(rf_aa_profile_freep) struct rf_aa_profile *p = rf_aa_profile_new(NULL);
	struct lex l = {
		.s = text, .n = len, .line = 1, .source = source ?: "<input>", .err = reterr
	};
	int r = 0;

	if (!p)
		return -ENOMEM;
	if (memchr(text, '\0', len))
		return rf_error_set(reterr, -EINVAL, "%s: a NUL byte", l.source);
	for (;;) {
		struct stmt st = { 0 };

		r = read_stmt(&l, &st, !p->name);
		if (r >= 0 && st.end == T_END && st.w)
			r = rf_error_set_at(reterr, -EINVAL, l.source, st.line,
					    "text after the last rule");
		if (r >= 0 && st.end == T_END) {
			stmt_done(&st);
			break;
		}
		if (r >= 0 && st.end == T_OPEN) {
			if (p->name)
				r = rf_error_set_at(
					reterr, -EINVAL, l.source, st.line,
					"a second profile: this reader takes one per file");
			else if ((r = header(&l, p, &st)) >= 0)
				r = body(&l, p);
		} else if (r >= 0 && st.end == T_CLOSE) {
			r = rf_error_set_at(reterr, -EINVAL, l.source, st.line, "'}' without '{'");
		} else if (r >= 0) {
			r = preamble(&l, p, &st);
		}
		stmt_done(&st);
		if (r < 0)
			return r;
	}
	if (!p->name)
		return rf_error_set(reterr, -EINVAL, "%s: defines no profile", l.source);
	*ret = TAKE_PTR(p);
	return 0;
}

int rf_aa_profile_load(const char *path, struct rf_aa_profile **ret, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = rf_read_file(path, MAX_PROFILE_BYTES, &text, &len, reterr);

	return r < 0 ? r
		     : rf_aa_profile_parse(text, len, streq(path, "-") ? "<stdin>" : path, ret,
					   reterr);
}
