/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared inside lib/source/ between the strace log parser (strace_log.c) and the lexer of one
 * line's pieces (strace-lex.c); not part of the public API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* One parsed syscall line (or resumed tail). */
struct call {
	const char *name;
	size_t name_len;
	uint64_t args[6];
	uint8_t args_known;	   /* bit i: args[i] was a number in the log, not a symbol */
	const char *str, *str_end; /* first top-level string argument, without quotes */
	bool str_truncated;	   /* followed by strace's "..." */
	bool unfinished, closed, has_ret, thread;
	int64_t ret;
	const char *ret_path, *ret_path_end; /* -y: "= 3</etc/passwd>", the fd's path */
	const char *text, *text_end;	     /* the argument text, for symbolic flags */
};

static inline bool pfx(const char *p, const char *e, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(e - p) >= n && memcmp(p, s, n) == 0;
}

static inline const char *skip_sp(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Unsigned decimal or 0x hex; stops at the first other byte. Returns the end, or NULL. */
const char *strace_parse_u64(const char *p, const char *e, uint64_t *ret);
/* A decimal pid in 1..INT32_MAX; returns the end, or NULL. */
const char *strace_parse_pid(const char *p, const char *e, int32_t *ret);
/* "SIGKILL" or "KILL" → its number through libc (sigabbrev_np), 0 when unknown. */
int strace_signal_from_name(const char *p, const char *e);
/* "= 3</etc/passwd> <0.000012>", "= -1 ENOENT (...)", "= 0x55d0...", "= ? ERESTARTSYS": sets
 * c->ret/has_ret when the result is a number. */
void strace_parse_ret(const char *p, const char *e, struct call *c);
/* Scans an argument list from just inside '(' (or a resumed tail) to the matching ')', filling
 * c's args, first string and flags. Returns the byte after ')' or after "<unfinished ...>", or
 * NULL when the line ends first. */
const char *strace_scan_args(const char *p, const char *e, struct call *c);
/* C-unescapes strace's quoted string into *ret (caller frees; NULL when it holds a NUL byte).
 * 0 or -ENOMEM. */
int strace_unescape(const char *p, const char *e, char **ret);
/* The line's leader: "[pid  N] " or "N  " (with -Y "<comm>"), timestamps, "[ nr]", "[ip]".
 * Sets *tid (0 = no pid column), *comm (NULL = none) and the timestamp (*stamp_kind: 0 none,
 * 1 absolute ns, 2 a -r delta) and returns the start of the record. */
const char *strace_leader(const char *p, const char *e, int32_t *tid, const char **comm,
			  size_t *comm_len, uint64_t *stamp, int *stamp_kind);
/* Where a spliced "strace: Process N attached|detached" notice starts in [p, e), or NULL. */
const char *strace_spliced_notice(const char *p, const char *e);
/* "trace.1234" → 1234 (strace -ff -o trace); 0 when the name has no such suffix. */
int32_t strace_pid_from_name(const char *path);

/* A file open (open, openat, openat2, creat) as an RF_EV_FILE: the first string argument (or the
 * -y path of the returned fd, which is the kernel's resolution), access from the symbolic flags.
 * 1 and *ev's payload filled (its path owned by *ret_path), 0 when the call is not one. */
struct rf_event;
int strace_decode_file(const struct call *c, struct rf_event *ev, char **ret_path);
