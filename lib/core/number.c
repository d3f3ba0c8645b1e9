/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict decimal parsing for option values; see number.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

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

int rf_parse_duration_s(const char *s, uint64_t max, uint64_t *ret)
{
	static const struct {
		char unit;
		uint64_t s;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	size_t n = s ? strlen(s) : 0;
	uint64_t mul = 1, v;
	char digits[24];
	int r;

	if (!n || n >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, s, n + 1);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (digits[n - 1] == units[i].unit) {
			mul = units[i].s;
			digits[--n] = '\0';
			break;
		}
	r = rf_parse_u64(digits, max / mul, &v);
	if (r < 0)
		return r;
	*ret = v * mul;
	return 0;
}
