/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_path_normalize(): one pass over the components, writing back over the input. */
#include <string.h>

#include "path.h"

void rf_path_normalize(char *path)
{
	char *out = path, *in = path;

	if (!path || path[0] != '/')
		return;
	while (*in) {
		char *end;
		size_t n;

		while (*in == '/')
			in++;
		if (!*in)
			break;
		end = strchrnul(in, '/');
		n = (size_t)(end - in);
		if (n == 1 && in[0] == '.') {
			/* nothing */
		} else if (n == 2 && in[0] == '.' && in[1] == '.') {
			while (out > path && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, in, n);
			out += n;
		}
		in = end;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}
