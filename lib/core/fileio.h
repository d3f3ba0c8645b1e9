/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded whole-file reads and atomic writes (temp + fsync + rename, DESIGN.md §5). */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "ringfence/error.h"

/* Read all of `path` ("-" = stdin) up to `max` bytes; the buffer is NUL-terminated. */
int rf_read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct rf_error *reterr);
/* The same, but a missing file is a plain -ENOENT that leaves `reterr` alone. */
int rf_read_file_optional(const char *path, size_t max, char **ret, size_t *ret_len,
			  struct rf_error *reterr);

/* Calls `fn(f, userdata)` to produce the content, then publishes it atomically at `path`
 * ("-" = stdout). A failing fn or a short write leaves `path` untouched. */
int rf_write_file_atomic(const char *path, int (*fn)(FILE *f, void *userdata), void *userdata,
			 struct rf_error *reterr);
