/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict decimal parsing for option values; see number.h. */
#include <errno.h>
#include <limits.h>

#include "number.h"

int rf_parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d > 9)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int rf_parse_unsigned(const char *s, unsigned max, unsigned *ret)
{
	uint64_t v;
	int r = rf_parse_u64(s, max, &v);

	if (r < 0)
		return r;
	*ret = (unsigned)v;
	return 0;
}
