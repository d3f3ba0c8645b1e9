/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Importing strace logs into the event model: the same rf_event stream the recorders produce. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/event.h"
#include "ringfence/sink.h"

struct rf_strace_opts {
	bool ignore_unknown;  /* unknown syscall names: skip (warn through the logger) instead of
			       * failing with file:line */
	uint32_t native_arch; /* SCMP_ARCH_* token of the traced machine; 0 = this machine */
	int32_t pid;	      /* pid for lines without one (strace without -f, or a -ff file
			       * whose name does not end in .PID); 0 = unknown */
};

/* What this source produces (the event.h contract). */
extern const struct rf_source_info rf_strace_source;

/* Parses one strace log and calls `fn` for each event, in log order. Returns 0, or a negative
 * errno with "file:line: why" in reterr (a consumer's negative return stops and is returned). */
int rf_strace_parse(const char *text, size_t len, const char *source,
		    const struct rf_strace_opts *opts, rf_event_fn fn, void *userdata,
		    struct rf_error *reterr);

/* Reads a file (or "-" for stdin) and parses it; for `strace -ff -o x` files named "x.PID"
 * the pid comes from the name. */
int rf_strace_parse_file(const char *path, const struct rf_strace_opts *opts, rf_event_fn fn,
			 void *userdata, struct rf_error *reterr);

/* The import pipeline: every file, in order, as one recording into the sink chain (begin, the
 * events, then on_end with backend "strace-log"). */
int rf_strace_import(char *const *paths, size_t n, const struct rf_strace_opts *opts,
		     struct rf_sinks *sinks, struct rf_error *reterr);
