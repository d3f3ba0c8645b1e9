/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TOML subset reader of toml.h: a cursor over the text with line and column, one function
 * per production, every error located. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "core/macro.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "toml.h"

#define MAX_ARRAY_ITEMS 4096
#define MAX_STRING	8192

struct cur {
	const char *s;
	size_t n, i;
	unsigned line;
	size_t line_start;
	const char *source;
	struct rf_error *err;
};

static unsigned col(const struct cur *c)
{
	return (unsigned)(c->i - c->line_start) + 1;
}

static int fail(struct cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct cur *c, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return rf_error_set_at_col(c->err, -EINVAL, c->source, c->line, col(c), "%s", msg);
}

static char peek(const struct cur *c)
{
	return c->i < c->n ? c->s[c->i] : '\0';
}

static bool at_end(const struct cur *c)
{
	return c->i >= c->n;
}

static void skip_ws(struct cur *c)
{
	while (peek(c) == ' ' || peek(c) == '\t')
		c->i++;
}

/* A comment runs to the end of the line; TOML allows no control characters but tab in it. */
static int skip_comment(struct cur *c)
{
	if (peek(c) != '#')
		return 0;
	while (!at_end(c) && peek(c) != '\n') {
		unsigned char ch = (unsigned char)peek(c);

		if ((ch < 0x20 && ch != '\t' &&
		     !(ch == '\r' && c->i + 1 < c->n && c->s[c->i + 1] == '\n')) ||
		    ch == 0x7f)
			return fail(c, "control character 0x%02x in a comment", ch);
		c->i++;
	}
	return 0;
}

/* At a newline (or the end): consume it. */
static int newline(struct cur *c)
{
	if (at_end(c))
		return 0;
	if (peek(c) == '\r' && c->i + 1 < c->n && c->s[c->i + 1] == '\n')
		c->i++;
	if (peek(c) != '\n')
		return fail(c, "expected the end of the line");
	c->i++;
	c->line++;
	c->line_start = c->i;
	return 0;
}

/* Whitespace, comments and newlines between array items. */
static int skip_ws_nl(struct cur *c)
{
	for (;;) {
		int r;

		skip_ws(c);
		if ((r = skip_comment(c)) < 0)
			return r;
		if (peek(c) != '\n' && peek(c) != '\r')
			return 0;
		if ((r = newline(c)) < 0)
			return r;
	}
}

static int put_utf8(FILE *f, uint32_t cp)
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -EINVAL;
	if (cp < 0x80) {
		fputc((int)cp, f);
	} else if (cp < 0x800) {
		fputc((int)(0xC0 | cp >> 6), f);
		fputc((int)(0x80 | (cp & 0x3F)), f);
	} else if (cp < 0x10000) {
		fputc((int)(0xE0 | cp >> 12), f);
		fputc((int)(0x80 | ((cp >> 6) & 0x3F)), f);
		fputc((int)(0x80 | (cp & 0x3F)), f);
	} else {
		fputc((int)(0xF0 | cp >> 18), f);
		fputc((int)(0x80 | ((cp >> 12) & 0x3F)), f);
		fputc((int)(0x80 | ((cp >> 6) & 0x3F)), f);
		fputc((int)(0x80 | (cp & 0x3F)), f);
	}
	return 0;
}

static int escape(struct cur *c, FILE *f)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	char e = peek(c);
	const char *k = e ? strchr(from, e) : NULL;
	unsigned digits = e == 'u' ? 4 : e == 'U' ? 8 : 0;
	uint32_t cp = 0;

	if (k) {
		fputc(to[k - from], f);
		c->i++;
		return 0;
	}
	if (!digits)
		return fail(c, "unknown escape '\\%c'", e >= 0x20 && e < 0x7f ? e : '?');
	c->i++;
	for (unsigned d = 0; d < digits; d++, c->i++) {
		char h = peek(c);
		int v = h >= '0' && h <= '9'   ? h - '0'
			: h >= 'a' && h <= 'f' ? h - 'a' + 10
			: h >= 'A' && h <= 'F' ? h - 'A' + 10
					       : -1;

		if (v < 0)
			return fail(c, "\\%c needs %u hex digits", e, digits);
		cp = cp << 4 | (uint32_t)v;
	}
	if (put_utf8(f, cp) < 0)
		return fail(c, "\\%c escape of U+%X is not a Unicode scalar value", e, cp);
	return 0;
}

/* "basic" or 'literal', on one line. */
static int string(struct cur *c, struct toml_value *v)
{
	char q = peek(c);
	size_t start = c->i;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	if (c->i + 2 < c->n && c->s[c->i + 1] == q && c->s[c->i + 2] == q)
		return fail(c, "multi-line strings are not supported here");
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	c->i++;
	while (r >= 0) {
		unsigned char ch = (unsigned char)peek(c);
		size_t seq;

		if (at_end(c) || ch == '\n' || ch == '\r') {
			r = fail(c, "string without its closing %c", q);
			break;
		}
		if (ch == (unsigned char)q) {
			c->i++;
			break;
		}
		if (ch < 0x20 && ch != '\t') {
			r = fail(c, "control character 0x%02x in a string (write it as an escape)",
				 ch);
			break;
		}
		if (ch == 0x7f) {
			r = fail(c, "control character 0x7f in a string");
			break;
		}
		if (ch == '\\' && q == '"') {
			c->i++;
			r = escape(c, f);
			continue;
		}
		seq = ch < 0x80 ? 1
				: rf_utf8_seq_len((const unsigned char *)c->s + c->i, c->n - c->i);
		if (!seq) {
			r = fail(c, "invalid UTF-8");
			break;
		}
		fwrite(c->s + c->i, 1, seq, f);
		c->i += seq;
		if (c->i - start > MAX_STRING)
			r = fail(c, "string longer than %d bytes", MAX_STRING);
	}
	if (fclose(f) != 0 && r >= 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	v->type = TOML_STRING;
	v->s = buf;
	v->len = len;
	return 0;
}

static void value_done(struct toml_value *v)
{
	free(v->s);
	for (size_t i = 0; i < v->n; i++)
		value_done(&v->items[i]);
	free(v->items);
	*v = (struct toml_value){ 0 };
}

static int value(struct cur *c, struct toml_value *v, bool in_array);

static int array(struct cur *c, struct toml_value *v)
{
	int r;

	v->type = TOML_ARRAY;
	c->i++;
	for (;;) {
		struct toml_value *nv;

		if ((r = skip_ws_nl(c)) < 0)
			return r;
		if (peek(c) == ']') {
			c->i++;
			return 0;
		}
		if (v->n >= MAX_ARRAY_ITEMS)
			return fail(c, "more than %d items in an array", MAX_ARRAY_ITEMS);
		nv = reallocarray(v->items, v->n + 1, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		v->items = nv;
		nv = &v->items[v->n];
		*nv = (struct toml_value){ 0 };
		r = value(c, nv, true);
		if (r < 0) {
			value_done(nv);
			return r;
		}
		v->n++;
		if ((r = skip_ws_nl(c)) < 0)
			return r;
		if (peek(c) == ',') {
			c->i++;
			continue;
		}
		if (peek(c) != ']')
			return fail(c, "expected ',' or ']' in an array");
	}
}

static int value(struct cur *c, struct toml_value *v, bool in_array)
{
	char ch = peek(c);

	v->line = c->line;
	v->col = col(c);
	if (ch == '"' || ch == '\'')
		return string(c, v);
	if (ch == '[') {
		if (in_array)
			return fail(c, "nested arrays are not part of this schema");
		return array(c, v);
	}
	if (c->n - c->i >= 4 && !strncmp(c->s + c->i, "true", 4)) {
		c->i += 4;
		*v = (struct toml_value){
			.type = TOML_BOOL, .b = true, .line = v->line, .col = v->col
		};
	} else if (c->n - c->i >= 5 && !strncmp(c->s + c->i, "false", 5)) {
		c->i += 5;
		*v = (struct toml_value){ .type = TOML_BOOL, .line = v->line, .col = v->col };
	} else if (ch == '{') {
		return fail(c, "inline tables are not part of this schema");
	} else if (ch == '\n' || ch == '\r' || ch == '\0' || ch == '#') {
		return fail(c, "a value is missing");
	} else {
		return fail(c,
			    "unsupported value (this reader takes strings, true/false and arrays "
			    "of them)");
	}
	/* "trueish" is not true */
	if (peek(c) && !strchr(" \t\r\n#,]", peek(c)))
		return fail(c, "unsupported value");
	return 0;
}

static bool bare_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

/* A bare or quoted key; dotted keys are refused. */
static int key(struct cur *c, char **ret)
{
	size_t start = c->i;

	if (peek(c) == '"' || peek(c) == '\'') {
		struct toml_value v = { 0 };
		int r = string(c, &v);

		if (r < 0)
			return r;
		if (strlen(v.s) != v.len) {
			free(v.s);
			return fail(c, "a key with a NUL byte");
		}
		*ret = v.s;
	} else {
		while (bare_char(peek(c)))
			c->i++;
		if (c->i == start)
			return fail(c, "expected a key");
		if (!(*ret = strndup(c->s + start, c->i - start)))
			return -ENOMEM;
	}
	skip_ws(c);
	if (peek(c) == '.') {
		free(*ret);
		*ret = NULL;
		return fail(c, "dotted keys are not part of this schema (use a [Table] header)");
	}
	return 0;
}

static int table_header(struct cur *c, struct toml_doc *d, char **table)
{
	_cleanup_free_ char *name = NULL;
	unsigned line = c->line;
	unsigned *nl;
	int r;

	c->i++;
	if (peek(c) == '[')
		return fail(c, "arrays of tables ([[...]]) are not part of this schema");
	skip_ws(c);
	if ((r = key(c, &name)) < 0)
		return r;
	if (peek(c) != ']')
		return fail(c, "expected ']' after the table name");
	c->i++;
	if (strv_contains(d->tables, name))
		return fail(c, "table [%s] is defined twice", name);
	nl = reallocarray(d->table_lines, strv_length(d->tables) + 1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	d->table_lines = nl;
	nl[strv_length(d->tables)] = line;
	if ((r = strv_extend(&d->tables, name)) < 0)
		return r;
	free(*table);
	*table = TAKE_PTR(name);
	return 0;
}

static int key_value(struct cur *c, struct toml_doc *d, const char *table)
{
	_cleanup_free_ char *k = NULL;
	unsigned line = c->line, kcol = col(c);
	struct toml_entry *e;
	int r;

	if ((r = key(c, &k)) < 0)
		return r;
	if (peek(c) != '=')
		return fail(c, "expected '=' after the key");
	c->i++;
	skip_ws(c);
	for (size_t i = 0; i < d->n; i++)
		if (streq(d->v[i].table, table) && streq(d->v[i].key, k))
			return rf_error_set_at_col(c->err, -EINVAL, c->source, line, kcol,
						   "key '%s' is set twice (first on line %u)", k,
						   d->v[i].line);
	e = reallocarray(d->v, d->n + 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	d->v = e;
	e = &d->v[d->n];
	*e = (struct toml_entry){ .line = line, .col = kcol };
	if ((r = value(c, &e->v, false)) < 0) {
		value_done(&e->v);
		return r;
	}
	if (!(e->table = strdup(table)))
		return value_done(&e->v), -ENOMEM;
	e->key = TAKE_PTR(k);
	d->n++;
	return 0;
}

void toml_done(struct toml_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].table);
		free(d->v[i].key);
		value_done(&d->v[i].v);
	}
	free(d->v);
	strv_free(d->tables);
	free(d->table_lines);
	*d = (struct toml_doc){ 0 };
}

int toml_parse(const char *text, size_t len, const char *source, struct toml_doc *ret,
	       struct rf_error *reterr)
{
	struct cur c = { .s = text, .n = len, .line = 1, .source = source, .err = reterr };
	struct toml_doc d = { 0 };
	_cleanup_free_ char *table = strdup("");
	int r = table ? 0 : -ENOMEM;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		c.i = c.line_start = 3; /* a UTF-8 byte order mark */
	if (r >= 0 && memchr(text, '\0', len)) {
		c.i = (size_t)((const char *)memchr(text, '\0', len) - text);
		for (size_t k = 0; k < c.i; k++)
			if (text[k] == '\n')
				c.line++, c.line_start = k + 1;
		r = fail(&c, "a NUL byte");
	}
	while (r >= 0 && !at_end(&c)) {
		skip_ws(&c);
		if (peek(&c) == '[')
			r = table_header(&c, &d, &table);
		else if (peek(&c) != '#' && peek(&c) != '\n' && peek(&c) != '\r' && !at_end(&c))
			r = key_value(&c, &d, table);
		if (r < 0)
			break;
		skip_ws(&c);
		if ((r = skip_comment(&c)) < 0)
			break;
		r = newline(&c);
	}
	if (r < 0) {
		toml_done(&d);
		return r;
	}
	*ret = d;
	return 0;
}
