/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths in AppArmor rules: the check that a user's glob is exactly one path token (nothing in
 * it can end the rule or start another), the escaping of observed paths, and the globbing rules
 * for recordings (ringfence-apparmor(1), GLOBBING). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aa-internal.h"
#include "core/macro.h"
#include "core/utf8.h"

const char *aa_glob_problem(const char *glob, size_t *ret_at)
{
	size_t n = strlen(glob), i = 0;
	int braces = 0;

	*ret_at = 0;
	if (n == 0)
		return "an empty path";
	if (n > 4096)
		return "longer than 4096 bytes";
	if (!strncmp(glob, "@{", 2))
		return "variables (@{...}) are not defined: generated profiles include no "
		       "tunables from the host";
	if (glob[0] != '/')
		return "not an absolute path (must start with '/')";
	while (i < n) {
		unsigned char c = (unsigned char)glob[i];
		size_t len;

		*ret_at = i;
		if (c >= 0x80) {
			if (!(len = rf_utf8_seq_len((const unsigned char *)glob + i, n - i)))
				return "not valid UTF-8";
			i += len;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return "a control character would end the rule or the line";
		switch (c) {
		case '"': return "a quote would end the path and start another rule";
		case '#': return "'#' would start a comment";
		case '\\':
			return "backslash escapes are not accepted (use '?' for an odd character)";
		case '@':
			if (glob[i + 1] == '{')
				return "variables (@{...}) are not defined: generated profiles "
				       "include "
				       "no tunables from the host";
			break;
		case '{': braces++; break;
		case '}':
			if (--braces < 0)
				return "'}' without '{'";
			break;
		case ',':
			if (braces == 0)
				return "',' outside {a,b} would end the rule";
			break;
		case '[': {
			size_t k = i + 1;

			if (glob[k] == '^')
				k++;
			if (glob[k] == ']')
				k++; /* a leading ']' is a member */
			while (k < n && glob[k] != ']') {
				if (strchr("/[{}\\\"#,", glob[k]) || (unsigned char)glob[k] < 0x20)
					return "a character class [...] may hold only plain "
					       "characters";
				k++;
			}
			if (k >= n)
				return "'[' without ']'";
			i = k + 1;
			continue;
		}
		case ']': return "']' without '['";
		case '/':
			if (!strncmp(glob + i, "/../", 4) || streq(glob + i, "/.."))
				return "a '..' component never matches (the kernel resolves paths)";
			break;
		default: break;
		}
		i++;
	}
	*ret_at = n;
	return braces ? "'{' without '}'" : NULL;
}

int aa_glob_token(const char *glob, char **ret)
{
	*ret = strchr(glob, ' ') ? NULL : strdup(glob);
	if (!*ret && asprintf(ret, "\"%s\"", glob) < 0)
		*ret = NULL;
	return *ret ? 0 : -ENOMEM;
}

/* Appends a literal piece of a path: specials escaped, odd bytes as octal (which then needs
 * quotes, as do spaces). */
static void put_literal(FILE *f, const char *s, size_t n, bool *quote)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c >= 0x80 ? rf_utf8_seq_len((const unsigned char *)s + i, n - i) : 1;

		if (c < 0x20 || c == 0x7f || len == 0) {
			fprintf(f, "\\%03o", c);
			*quote = true;
		} else if (c >= 0x80) {
			fwrite(s + i, 1, len, f);
			i += len - 1;
		} else {
			if (aa_is_special((char)c))
				fputc('\\', f);
			fputc(c, f);
			*quote |= c == ' ';
		}
	}
}

static int finish_token(char *buf, bool quote, char **ret)
{
	if (!buf)
		return -ENOMEM;
	if (!quote) {
		*ret = buf;
		return 0;
	}
	*ret = NULL;
	if (asprintf(ret, "\"%s\"", buf) < 0)
		*ret = NULL;
	free(buf);
	return *ret ? 0 : -ENOMEM;
}

int rf_aa_quote_path(const char *path, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	bool quote = false;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	put_literal(f, path, strlen(path), &quote);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	return finish_token(buf, quote, ret);
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Python's tempfile name, "tmp" and 8 of [a-z0-9_]: about one in 12 has no digit (27/37 to
 * the 8th), and its profile must still allow the next run's name. */
static bool python_temp(const char *s, size_t n)
{
	if (n != 11 || strncmp(s, "tmp", 3))
		return false;
	for (size_t i = 3; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* The start of a random tail of a temporary file name (mkstemp's XXXXXX, Python's tmpXXXXXXXX):
 * the last run of at least 6 word characters holding a digit or an upper-case letter, or a
 * whole Python tempfile name. A leading "tmp" of that run stays literal. n when there is
 * none. */
static size_t random_tail(const char *s, size_t n)
{
	size_t start = n;
	bool odd = false;

	while (start > 0 && word_char(s[start - 1]))
		start--;
	for (size_t i = start; i < n; i++)
		odd |= isdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]);
	if (start == 0 && python_temp(s, n))
		odd = true;
	if (n - start < 6 || !odd)
		return n;
	if (n - start >= 9 && !strncmp(s + start, "tmp", 3))
		start += 3;
	return start;
}

/* A versioned shared library "libfoo.so.1.2.3": the length up to and with the major version
 * ("libfoo.so.1"), when more version parts follow; else 0. */
static size_t so_major(const char *s, size_t n)
{
	const char *so = NULL;
	size_t i;

	for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), ".so.", 4)); p++)
		so = p;
	if (!so)
		return 0;
	i = (size_t)(so - s) + 4;
	if (i >= n || !isdigit((unsigned char)s[i]))
		return 0;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i >= n || s[i] != '.')
		return 0;
	for (size_t k = i; k < n; k++)
		if (!isdigit((unsigned char)s[k]) && s[k] != '.')
			return 0;
	return i;
}

static bool has_prefix(const char *path, const char *dir)
{
	return !strncmp(path, dir, strlen(dir));
}

/* The rules, one path component at a time (see ringfence-apparmor(1), GLOBBING). */
static void put_component(FILE *f, const char *path, const char *c, size_t n, bool last,
			  bool *quote)
{
	size_t at = (size_t)(c - path), k;
	bool in_proc = has_prefix(path, "/proc/"), in_pts = has_prefix(path, "/dev/pts/");
	bool temp_top = (has_prefix(path, "/tmp/") && at == 5) ||
			(has_prefix(path, "/var/tmp/") && at == 9) ||
			(has_prefix(path, "/dev/shm/") && at == 9);

	/* 1. Process and thread ids, file descriptor numbers under /proc; pty numbers. */
	if ((in_proc || (in_pts && at == 9)) && all_digits(c, n)) {
		fputs("[0-9]*", f);
		return;
	}
	/* 2. Temporary names directly in /tmp, /var/tmp and /dev/shm: the random tail becomes
	 * one '?' per character (its length is the generator's, the same every run), or
	 * [0-9]* when it is a number (a pid's length varies). */
	if (temp_top && (k = random_tail(c, n)) < n) {
		put_literal(f, c, k, quote);
		if (all_digits(c + k, n - k))
			fputs("[0-9]*", f);
		else
			for (size_t i = k; i < n; i++)
				fputc('?', f);
		return;
	}
	/* 3. Versioned shared libraries: the major version stays. */
	if (last && (k = so_major(c, n))) {
		put_literal(f, c, k, quote);
		fputc('*', f);
		return;
	}
	put_literal(f, c, n, quote);
}

int rf_aa_glob_path(const char *path, bool dir, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	bool quote = false;
	FILE *f;

	if (!path || path[0] != '/')
		return -EINVAL;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	for (const char *c = path; *c;) {
		const char *end;

		while (*c == '/')
			c++;
		fputc('/', f);
		if (!*c)
			break;
		end = strchrnul(c, '/');
		put_component(f, path, c, (size_t)(end - c), !*end, &quote);
		c = end;
	}
	if (fflush(f) == 0 && dir && len > 0 && buf[len - 1] != '/')
		fputc('/', f);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	/* "/" alone: the loop wrote it already (a trailing '/' after the root is not doubled). */
	return finish_token(buf, quote, ret);
}

int aa_token_pattern(const char *token, char **ret)
{
	size_t n = strlen(token), o = 0;
	bool quoted = n >= 2 && token[0] == '"' && token[n - 1] == '"';
	const char *s = quoted ? token + 1 : token;
	size_t m = quoted ? n - 2 : n;
	char *out = malloc(2 * m + 1);

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < m; i++) {
		char c = s[i];

		if (c != '\\') {
			out[o++] = c;
			continue;
		}
		if (++i >= m)
			break;
		c = s[i];
		if (c >= '0' && c <= '7' && i + 2 < m && s[i + 1] >= '0' && s[i + 1] <= '7' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7') {
			c = (char)((c - '0') * 64 + (s[i + 1] - '0') * 8 + (s[i + 2] - '0'));
			i += 2;
		} else if (quoted && c == 'n') {
			c = '\n';
		} else if (quoted && c == 't') {
			c = '\t';
		}
		if (aa_is_special(c))
			out[o++] = '\\';
		out[o++] = c;
	}
	out[o] = '\0';
	*ret = out;
	return 0;
}
