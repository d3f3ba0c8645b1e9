/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* errno names ("EPERM", "ENOSYS") to numbers, through libc (strerrorname_np), never a table. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The errno glibc names `name` (exact spelling, 1..4095), or 0 when it names none. */
int rf_errno_from_name(const char *name);
/* The same for the first len bytes of name, optionally ignoring case ("eperm"). */
int rf_errno_from_name_len(const char *name, size_t len, bool ignore_case);
