/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The single log sink of the library (set once by the program, read-only afterwards). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "escape.h"
#include "ringfence/log.h"

static rf_log_fn log_fn;
static void *log_userdata;

void rf_log_set_handler(rf_log_fn fn, void *userdata)
{
	log_fn = fn;
	log_userdata = userdata;
}

void rf_log(enum rf_log_level level, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg) {
		char *safe = rf_escape_controls(msg);
		if (safe)
			log_fn(level, safe, log_userdata);
		free(safe);
	}
	free(msg);
}
