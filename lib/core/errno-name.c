/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* errno names to numbers, asking glibc's strerrorname_np for each number (a name it does not
 * return, such as an alias like EWOULDBLOCK, is unknown). */
#include <string.h>

#include "errno-name.h"

#define MAX_ERRNO 4095 /* the kernel's range; larger values are not errors */

int rf_errno_from_name(const char *name)
{
	for (int e = 1; name && e <= MAX_ERRNO; e++) {
		const char *n = strerrorname_np(e);

		if (n && strcmp(n, name) == 0)
			return e;
	}
	return 0;
}
