/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decimal numbers typed by users (option values): digits only, range-checked. strtoul alone
 * accepts " 7", "+7" and "-1" (as ULONG_MAX), and a cast to a narrower type wraps silently:
 * `--user 4294967296` became uid 0. */
#pragma once

#include <stdint.h>

/* `s` must be 1..20 ASCII digits with a value <= max. -EINVAL when it is not a plain decimal
 * number, -ERANGE when it is larger than max; *ret is written only on success. */
int rf_parse_u64(const char *s, uint64_t max, uint64_t *ret);
int rf_parse_unsigned(const char *s, unsigned max, unsigned *ret);
/* A duration in seconds: digits with an optional unit s, m, h or d ("30s", "10m", "1h"; "90"
 * is 90 seconds), at most max seconds (-ERANGE beyond); -EINVAL for anything else. */
int rf_parse_duration_s(const char *s, uint64_t max, uint64_t *ret);
