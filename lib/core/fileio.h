/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded whole-file reads and atomic writes (temp + fsync + rename, DESIGN.md §5). */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "ringfence/error.h"

/* Read all of `path` ("-" = stdin) up to `max` bytes; the buffer is NUL-terminated. A FIFO
 * or character device is read too (opened without blocking, so a FIFO nobody writes to is an
 * error at once instead of a hang); a directory, socket or block device is refused. */
int rf_read_file(const char *path, size_t max, char **ret, size_t *ret_len,
		 struct rf_error *reterr);
/* The same, but a missing file is a plain -ENOENT that leaves `reterr` alone. */
int rf_read_file_optional(const char *path, size_t max, char **ret, size_t *ret_len,
			  struct rf_error *reterr);

/* Calls `fn(f, userdata)` to produce the content and publishes it at `path`. What happens
 * depends on what is there (docs/ARCHITECTURE.md §5, "Writers"):
 *  - "-": standard output;
 *  - nothing, or a regular file: atomically (hidden temp file next to it, fsync, rename,
 *    directory fsync); a replaced file keeps its mode and owner (or nothing is written);
 *  - a symbolic link: followed; the file it finally names is written as above, next to
 *    itself, and the link stays a link (a dangling link creates its target);
 *  - a character device or FIFO (/dev/null, a terminal, a pipe) and /proc links to open
 *    files (/dev/stdout, /proc/self/fd/N): written through, never replaced;
 *  - a directory, socket or block device: refused.
 * Every write error is returned (ENOSPC from /dev/full included). A failing fn or a short
 * write leaves a regular file untouched. */
int rf_write_file_atomic(const char *path, int (*fn)(FILE *f, void *userdata), void *userdata,
			 struct rf_error *reterr);
