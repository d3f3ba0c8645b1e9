/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* errno names to numbers, asking glibc's strerrorname_np for each number (a name it does not
 * return, such as an alias like EWOULDBLOCK, is unknown). */
#include <string.h>
#include <strings.h>

#include "errno-name.h"

#define MAX_ERRNO 4095 /* the kernel's range; larger values are not errors */

int rf_errno_from_name_len(const char *name, size_t len, bool ignore_case)
{
	for (int e = 1; name && e <= MAX_ERRNO; e++) {
		const char *n = strerrorname_np(e);

		if (n && strlen(n) == len &&
		    (ignore_case ? strncasecmp(n, name, len) : strncmp(n, name, len)) == 0)
			return e;
	}
	return 0;
}

int rf_errno_from_name(const char *name)
{
	return name ? rf_errno_from_name_len(name, strlen(name), false) : 0;
}
