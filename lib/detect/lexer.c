/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tokens of Falco's condition language, each located in its rules file when it is read, so an
 * error found later (an unknown field in a macro used by a rule in another file) still points
 * at the exact line and column. Bare words run until a blank, a parenthesis, a comma or an
 * operator character; values holding those are quoted ('...' or "...", backslash escapes). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/doc.h"
#include "core/macro.h"
#include "detect-internal.h"

void scalar_loc(const struct scalar_src *src, size_t offset, struct rloc *ret)
{
	ret->file = src->file;
	ret->line = 1;
	ret->col = (unsigned)offset + 1;
	if (src->node)
		rf_doc_loc_in(src->node, src->text, src->text_len, offset, &ret->line, &ret->col);
}

static int push(struct toks *t, enum tok_kind kind, char *text, const struct rloc *loc)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct tok *v = realloc(t->v, cap * sizeof(*v));

		if (!v) {
			free(text);
			return -ENOMEM;
		}
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = (struct tok){ .kind = kind, .text = text, .loc = *loc };
	return 0;
}

static bool stops_word(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' ||
	       c == ',' || c == '=' || c == '<' || c == '>' || c == '"' || c == '\'';
}

static int quoted(const char *s, size_t *i, char **ret)
{
	char q = s[*i], *out = malloc(strlen(s + *i) + 1), *o = out;
	size_t j = *i + 1;

	if (!out)
		return -ENOMEM;
	for (; s[j] && s[j] != q; j++) {
		if (s[j] == '\\' && (s[j + 1] == q || s[j + 1] == '\\'))
			j++;
		*o++ = s[j];
	}
	if (!s[j]) {
		free(out);
		return -EINVAL;
	}
	*o = '\0';
	*i = j + 1;
	*ret = out;
	return 0;
}

int toks_lex(struct toks *t, const char *s, const struct scalar_src *src, struct rf_error *err)
{
	size_t i = 0;

	while (s[i]) {
		struct rloc loc;
		char c = s[i], *text = NULL;
		enum tok_kind kind;
		size_t start = i;
		int r;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		scalar_loc(src, start, &loc);
		if (c == '(' || c == ')' || c == ',') {
			kind = c == '(' ? TK_LPAREN : c == ')' ? TK_RPAREN : TK_COMMA;
			i++;
		} else if (c == '=' || c == '<' || c == '>' || (c == '!' && s[i + 1] == '=')) {
			kind = TK_OP;
			i += (s[i + 1] == '=') ? 2 : 1;
		} else if (c == '"' || c == '\'') {
			kind = TK_STRING;
			r = quoted(s, &i, &text);
			if (r == -EINVAL)
				return rf_error_set_at_col(err, -EINVAL, loc.file, loc.line,
							   loc.col, "unterminated quoted string");
			if (r < 0)
				return r;
		} else {
			kind = TK_WORD;
			while (s[i] && !stops_word(s[i]) && !(s[i] == '!' && s[i + 1] == '='))
				i++;
		}
		if (kind != TK_STRING) {
			text = strndup(s + start, i - start);
			if (!text)
				return -ENOMEM;
		}
		r = push(t, kind, text, &loc);
		if (r < 0)
			return r;
	}
	return 0;
}

int toks_append(struct toks *dst, const struct toks *src)
{
	for (size_t i = 0; i < src->n; i++) {
		char *text = strdup(src->v[i].text);
		int r;

		if (!text)
			return -ENOMEM;
		r = push(dst, src->v[i].kind, text, &src->v[i].loc);
		if (r < 0)
			return r;
	}
	return 0;
}

void toks_done(struct toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	*t = (struct toks){ 0 };
}
