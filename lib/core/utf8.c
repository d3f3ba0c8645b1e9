/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict UTF-8 validation; see utf8.h. */
#include "utf8.h"

size_t rf_utf8_seq_len(const unsigned char *p, size_t avail)
{
	size_t n = p[0] < 0x80		   ? 1
		   : (p[0] & 0xe0) == 0xc0 ? 2
		   : (p[0] & 0xf0) == 0xe0 ? 3
		   : (p[0] & 0xf8) == 0xf0 ? 4
					   : 0;

	if (n == 0 || n > avail || (n == 2 && p[0] < 0xc2) || (n == 4 && p[0] > 0xf4))
		return 0;
	for (size_t k = 1; k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
		return 0; /* overlong, or a UTF-16 surrogate */
	if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
		return 0; /* overlong, or above U+10FFFF */
	return n;
}

unsigned rf_utf8_invalid_line(const void *s, size_t len)
{
	const unsigned char *p = s;
	unsigned line = 1;

	for (size_t i = 0; i < len;) {
		size_t n = rf_utf8_seq_len(p + i, len - i);

		if (n == 0)
			return line;
		if (p[i] == '\n')
			line++;
		i += n;
	}
	return 0;
}
