/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File opens of a strace log as RF_EV_FILE events (see strace_log.c's contract). strace prints
 * flags symbolically ("O_WRONLY|O_CREAT|O_CLOEXEC"), so access is read from those words; with
 * -y the returned descriptor's path is the kernel's resolution and is preferred. */
#include <fcntl.h>
#include <string.h>

#include "core/macro.h"
#include "ringfence/event.h"
#include "strace-internal.h"

static bool word(const struct call *c, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = c->text; p && p + n <= c->text_end; p++) {
		p = memmem(p, (size_t)(c->text_end - p), w, n);
		if (!p)
			return false;
		/* a whole word: not O_RDWR inside O_RDWRX */
		if (p + n == c->text_end || !(p[n] == '_' || (p[n] >= 'A' && p[n] <= 'Z')))
			return true;
	}
	return false;
}

static bool named(const struct call *c, const char *n)
{
	return c->name_len == strlen(n) && !memcmp(c->name, n, c->name_len);
}

int strace_decode_file(const struct call *c, struct rf_event *ev, char **ret_path)
{
	bool creat = named(c, "creat");
	uint32_t access = 0;
	int flags = 0;

	*ret_path = NULL;
	if (!creat && !named(c, "open") && !named(c, "openat") && !named(c, "openat2"))
		return 0;
	if (c->ret_path && c->ret_path_end > c->ret_path && c->ret_path[0] == '/')
		*ret_path = strndup(c->ret_path, (size_t)(c->ret_path_end - c->ret_path));
	else if (c->str && !c->str_truncated && strace_unescape(c->str, c->str_end, ret_path) < 0)
		return -ENOMEM;
	if (!*ret_path)
		return 0;
	if (creat || word(c, "O_CREAT"))
		flags |= O_CREAT;
	if (creat || word(c, "O_WRONLY"))
		flags |= O_WRONLY;
	else if (word(c, "O_RDWR"))
		flags |= O_RDWR;
	if (creat || word(c, "O_TRUNC"))
		flags |= O_TRUNC;
	if (word(c, "O_APPEND"))
		flags |= O_APPEND;
	if (word(c, "O_DIRECTORY"))
		flags |= O_DIRECTORY;
	if (word(c, "O_PATH"))
		flags |= O_PATH;
	switch (flags & O_ACCMODE) {
	case O_RDONLY: access = RF_ACC_READ; break;
	case O_WRONLY: access = RF_ACC_WRITE; break;
	default: access = RF_ACC_READ | RF_ACC_WRITE; break;
	}
	if (flags & O_PATH)
		access = 0;
	access |= (flags & O_APPEND ? RF_ACC_APPEND : 0) | (flags & O_CREAT ? RF_ACC_CREATE : 0) |
		  (flags & O_TRUNC ? RF_ACC_WRITE : 0) | (flags & O_DIRECTORY ? RF_ACC_DIR : 0);
	ev->kind = RF_EV_FILE;
	ev->file = (struct rf_ev_file){ .op = RF_FILE_OPEN,
					.path = *ret_path,
					.access = access,
					.flags = flags,
					.has_ret = c->has_ret,
					.ret = c->ret };
	return 1;
}
