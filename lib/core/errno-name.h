/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* errno names ("EPERM", "ENOSYS") to numbers, through libc (strerrorname_np), never a table. */
#pragma once

/* The errno glibc names `name` (exact spelling, 1..4095), or 0 when it names none. */
int rf_errno_from_name(const char *name);
