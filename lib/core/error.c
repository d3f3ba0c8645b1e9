/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_error: a message and a location carried beside a negative errno. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "ringfence/error.h"

/* How many bytes at p make a control character: C0 and DEL, and the C1 controls U+0080..U+009F
 * in their UTF-8 form (a terminal may take U+009B as CSI); 0 for anything printable. */
static size_t control_len(const unsigned char *p)
{
	if (*p < 0x20 || *p == 0x7f)
		return 1;
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

void rf_fputs_escaped(const char *s, FILE *f)
{
	for (const unsigned char *p = (const unsigned char *)(s ?: ""); *p;) {
		size_t n = control_len(p);

		if (!n)
			fputc(*p++, f);
		for (; n > 0; n--)
			fprintf(f, "\\x%02x", *p++);
	}
}

char *rf_escape_controls(const char *s)
{
	size_t n = 0, c;
	char *out, *o;

	for (const unsigned char *p = (const unsigned char *)s; *p; p += c ? c : 1)
		n += (c = control_len(p)) ? 4 * c : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t k = control_len(p);

		if (!k)
			*o++ = (char)*p++;
		for (; k > 0; k--)
			o += snprintf(o, 5, "\\x%02x", *p++);
	}
	*o = '\0';
	return out;
}

static int verror_set(struct rf_error *err, int code, const char *file, unsigned line,
		      unsigned column, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static int verror_set(struct rf_error *err, int code, const char *file, unsigned line,
		      unsigned column, const char *fmt, va_list ap)
{
	char *msg = NULL, *full = NULL, *raw = NULL;

	if (!err || err->message)
		return code;
	if (vasprintf(&raw, fmt, ap) < 0)
		return code;
	msg = rf_escape_controls(raw);
	free(raw);
	if (!msg)
		return code;
	err->detail = strdup(msg);
	if (file) {
		if (line > 0 && column > 0
			    ? asprintf(&full, "%s:%u:%u: %s", file, line, column, msg) < 0
			: line > 0 ? asprintf(&full, "%s:%u: %s", file, line, msg) < 0
				   : asprintf(&full, "%s: %s", file, msg) < 0)
			full = NULL;
		free(msg);
		msg = full;
		if (!msg)
			return code;
		err->file = strdup(file);
	}
	err->code = code;
	err->message = msg;
	err->line = line;
	err->column = line > 0 ? column : 0;
	return code;
}

int rf_error_set(struct rf_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verror_set(err, code, NULL, 0, 0, fmt, ap);
	va_end(ap);
	return r;
}

int rf_error_set_at(struct rf_error *err, int code, const char *file, unsigned line,
		    const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verror_set(err, code, file, line, 0, fmt, ap);
	va_end(ap);
	return r;
}

int rf_error_set_at_col(struct rf_error *err, int code, const char *file, unsigned line,
			unsigned column, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verror_set(err, code, file, line, column, fmt, ap);
	va_end(ap);
	return r;
}

int rf_error_prefix(struct rf_error *err, int code, const char *fmt, ...)
{
	char *prefix = NULL, *full = NULL;
	va_list ap;

	if (!err)
		return code;
	if (!err->message)
		return rf_error_set(err, code, "%s", strerror(-code));
	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0)
		prefix = NULL;
	va_end(ap);
	if (prefix && asprintf(&full, "%s: %s", prefix, err->message) >= 0) {
		free(err->message);
		err->message = full;
	}
	free(prefix);
	return err->code ? err->code : code;
}

void rf_error_clear(struct rf_error *err)
{
	if (!err)
		return;
	free(err->message);
	free(err->detail);
	free(err->file);
	*err = (struct rf_error){ 0 };
}

bool rf_error_is_set(const struct rf_error *err)
{
	return err && err->message;
}
