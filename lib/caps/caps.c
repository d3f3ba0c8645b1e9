/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability names and the sequence that leaves a process with exactly a given set across
 * execve, for root and non-root targets (capabilities(7) transformation rules). */
#include <ctype.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/caps.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cap_t, cap_free)

static inline void cap_free_namep(char **p)
{
	if (*p)
		cap_free(*p);
}

uint64_t rf_caps_all(void)
{
	int max = cap_max_bits(); /* number of caps the running kernel knows */

	if (max <= 0 || max > 64)
		max = CAP_LAST_CAP + 1;
	return max == 64 ? UINT64_MAX : ((UINT64_C(1) << max) - 1);
}

int rf_caps_parse_list(const char *list, uint64_t *ret, struct rf_error *reterr)
{
	_cleanup_free_ char *copy = strdup(list ?: "");
	uint64_t set = 0;
	char *save = NULL;
	bool named = false;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		_cleanup_free_ char *name = NULL;
		cap_value_t v;

		named = true;
		if (strcasecmp(tok, "ALL") == 0) {
			set |= rf_caps_all();
			continue;
		}
		if (asprintf(&name, "%s%s", strncasecmp(tok, "CAP_", 4) == 0 ? "" : "cap_", tok) <
		    0)
			return -ENOMEM;
		for (char *c = name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (cap_from_name(name, &v) < 0 || v < 0 || v > 63)
			return rf_error_set(reterr, -EINVAL, "unknown capability '%s'", tok);
		set |= UINT64_C(1) << v;
	}
	/* A list that names nothing is a mistake (`--cap-add "$UNSET"`), not "no capabilities". */
	if (!named)
		return rf_error_set(reterr, -EINVAL, "no capability named in '%s'", list ?: "");
	*ret = set;
	return 0;
}

int rf_caps_bounding(uint64_t *ret)
{
	uint64_t set = 0;

	for (int c = 0; c < 64 && (rf_caps_all() >> c) & 1; c++) {
		int r = cap_get_bound(c);
		if (r < 0)
			return -errno;
		if (r)
			set |= UINT64_C(1) << c;
	}
	*ret = set;
	return 0;
}

bool rf_caps_have_effective(int cap)
{
	_cleanup_(cap_freep) cap_t c = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (!c || cap_get_flag(c, cap, CAP_EFFECTIVE, &v) < 0)
		return false;
	return v == CAP_SET;
}

int rf_caps_to_names(uint64_t set, char ***ret)
{
	_cleanup_strv_free_ char **v = calloc(1, sizeof(char *));

	if (!v)
		return -ENOMEM;
	for (int c = 0; c < 64; c++) {
		_cleanup_(cap_free_namep) char *n = NULL;

		if (!((set >> c) & 1))
			continue;
		n = cap_to_name(c);
		if (!n)
			return -ENOMEM;
		for (char *p = n; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (strv_extend(&v, n) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

static int set_proc_caps(uint64_t keep, struct rf_error *reterr)
{
	_cleanup_(cap_freep) cap_t c = cap_init();
	cap_value_t list[64];
	int n = 0;

	if (!c)
		return -ENOMEM;
	for (int i = 0; i < 64; i++)
		if ((keep >> i) & 1)
			list[n++] = i;
	if (n && (cap_set_flag(c, CAP_PERMITTED, n, list, CAP_SET) < 0 ||
		  cap_set_flag(c, CAP_EFFECTIVE, n, list, CAP_SET) < 0 ||
		  cap_set_flag(c, CAP_INHERITABLE, n, list, CAP_SET) < 0))
		return rf_error_set(reterr, -errno, "cap_set_flag: %s", strerror(errno));
	if (cap_set_proc(c) < 0)
		return rf_error_set(reterr, -errno,
				    "cannot set capabilities (do we hold them all?): %s",
				    strerror(errno));
	return 0;
}

static int drop_bounding(uint64_t keep, struct rf_error *reterr)
{
	uint64_t all = rf_caps_all();

	for (int i = 0; i < 64; i++) {
		if (!((all >> i) & 1) || ((keep >> i) & 1) || cap_get_bound(i) != 1)
			continue;
		if (cap_drop_bound(i) < 0)
			return rf_error_set(reterr, -errno,
					    "cannot drop capability %d from the bounding set "
					    "(needs CAP_SETPCAP): %s",
					    i, strerror(errno));
	}
	return 0;
}

static int switch_user(long uid, long gid, struct rf_error *reterr)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return rf_error_set(reterr, -errno, "PR_SET_KEEPCAPS: %s", strerror(errno));
	if (setgroups(0, NULL) < 0)
		return rf_error_set(reterr, -errno, "setgroups: %s", strerror(errno));
	if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0)
		return rf_error_set(reterr, -errno, "setresgid(%ld): %s", gid, strerror(errno));
	if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
		return rf_error_set(reterr, -errno, "setresuid(%ld): %s", uid, strerror(errno));
	return 0;
}

int rf_caps_check_ids(long uid, long gid, struct rf_error *reterr)
{
	if (uid == -1)
		return 0;
	/* A wrapped or "unchanged" id must never leave the process root when a user was asked
	 * for. */
	if (uid < 0 || uid > (long)RF_CAPS_ID_MAX)
		return rf_error_set(reterr, -ERANGE, "user id %ld is not 0..%u", uid,
				    RF_CAPS_ID_MAX);
	if (gid < 0 || gid > (long)RF_CAPS_ID_MAX)
		return rf_error_set(reterr, -ERANGE, "group id %ld is not 0..%u", gid,
				    RF_CAPS_ID_MAX);
	return 0;
}

int rf_caps_apply(uint64_t keep, long uid, long gid, struct rf_error *reterr)
{
	int r;

	r = rf_caps_check_ids(uid, gid, reterr);
	if (r < 0)
		return r;
	r = drop_bounding(keep, reterr);
	if (r < 0)
		return r;
	if (uid >= 0) {
		r = switch_user(uid, gid, reterr);
		if (r < 0)
			return r;
	}
	r = set_proc_caps(keep, reterr);
	if (r < 0)
		return r;
	/* Ambient capabilities: what a non-root program keeps across execve (capabilities(7)). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return rf_error_set(reterr, -errno, "clearing ambient capabilities: %s",
				    strerror(errno));
	if (uid > 0 || (uid < 0 && geteuid() != 0))
		for (int i = 0; i < 64; i++)
			if (((keep >> i) & 1) &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
				return rf_error_set(reterr, -errno,
						    "cannot raise ambient capability %d: %s", i,
						    strerror(errno));
	return 0;
}
