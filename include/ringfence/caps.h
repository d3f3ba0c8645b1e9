/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability sets as 64-bit masks, named and applied with libcap. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ringfence/error.h"

/* "ALL", "SYS_ADMIN", "cap_sys_admin", "CAP_SYS_ADMIN", comma-separated (spaces and empty
 * items ignored). -EINVAL for an unknown name or a list that names nothing ("", ","). */
int rf_caps_parse_list(const char *list, uint64_t *ret, struct rf_error *reterr);
/* The calling process's bounding set. */
int rf_caps_bounding(uint64_t *ret);
/* Whether CAP_x is in the calling process's effective set. */
bool rf_caps_have_effective(int cap);
/* All capabilities this kernel knows. */
uint64_t rf_caps_all(void);
/* NULL-terminated "CAP_*" names of a set, upper case. */
int rf_caps_to_names(uint64_t set, char ***ret);

/* The largest user or group id: (uid_t)-1 = 4294967295 means "unchanged" to setresuid(2). */
#define RF_CAPS_ID_MAX 4294967294u
/* uid -1 (keep the user), or uid and gid both 0..RF_CAPS_ID_MAX; -ERANGE otherwise. */
int rf_caps_check_ids(long uid, long gid, struct rf_error *reterr);

/* Makes `keep` the bounding, permitted, effective and inheritable sets; when `uid` is not
 * (uid_t)-1 switches to uid/gid (supplementary groups cleared) keeping `keep` through the switch,
 * and raises `keep` in the ambient set so it survives execve of an unprivileged program.
 * -ERANGE (nothing changed) when the ids are out of range, see rf_caps_check_ids. */
int rf_caps_apply(uint64_t keep, long uid, long gid, struct rf_error *reterr);
