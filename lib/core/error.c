/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_error: a message and a location carried beside a negative errno. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "ringfence/error.h"

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
