/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User-facing error details that travel next to a negative-errno return (crun's error object,
 * with systemd's integer discipline). The CLI prints them once, as "ringfence: <message>". */
#pragma once

#include <stdbool.h>

struct rf_error {
	int code;      /* negative errno, 0 when unset */
	char *message; /* owned; "file:line: what" for parse errors */
	char *detail;  /* owned: the message without its "file:line: " prefix */
	char *file;    /* owned, may be NULL */
	unsigned line; /* 1-based, 0 when unknown */
	unsigned column;
};

/* Record an error and return `code` (a negative errno) so call sites read `return
 * rf_error_set(...)`. A NULL `err` is allowed: the code is still returned. The first error wins;
 * later ones are dropped so the root cause is what the user sees. */
int rf_error_set(struct rf_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, with a source location prefixed as "file:line: ". */
int rf_error_set_at(struct rf_error *err, int code, const char *file, unsigned line,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Same, "file:line:column: " (column 0: as rf_error_set_at). */
int rf_error_set_at_col(struct rf_error *err, int code, const char *file, unsigned line,
			unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Prepend context ("reading 'x': ") to an already-set message; returns err->code (or `code`). */
int rf_error_prefix(struct rf_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rf_error_clear(struct rf_error *err);
bool rf_error_is_set(const struct rf_error *err);
