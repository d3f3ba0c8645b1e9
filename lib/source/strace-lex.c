/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lexer for the pieces of one strace line (its pid/timestamp leader, numbers, errno and signal
 * names, a call's argument list, the "= ret" tail, escaped strings); holds no parser state. */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/errno-name.h"
#include "core/macro.h"
#include "strace-internal.h"

/* Unsigned decimal or 0x hex; stops at the first other byte. Returns the end, or NULL. */
const char *strace_parse_u64(const char *p, const char *e, uint64_t *ret)
{
	uint64_t v = 0;
	bool hex = pfx(p, e, "0x") || pfx(p, e, "0X");
	const char *s;

	if (hex)
		p += 2;
	for (s = p; p < e && (hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p));
	     p++) {
		unsigned d = isdigit((unsigned char)*p)
				     ? (unsigned)(*p - '0')
				     : (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		unsigned base = hex ? 16 : 10;

		if (v > (UINT64_MAX - d) / base)
			return NULL;
		v = v * base + d;
	}
	if (p == s)
		return NULL;
	*ret = v;
	return p;
}

/* A decimal pid in 1..INT32_MAX; returns the end, or NULL. */
const char *strace_parse_pid(const char *p, const char *e, int32_t *ret)
{
	int64_t v = 0;
	const char *s = p;

	for (; p < e && isdigit((unsigned char)*p) && v <= INT32_MAX; p++)
		v = v * 10 + (*p - '0');
	if (p == s || v == 0 || v > INT32_MAX)
		return NULL;
	*ret = (int32_t)v;
	return p;
}

/* Name → errno through libc (strerrorname_np), never a hand table. 0 when unknown. */
int strace_signal_from_name(const char *p, const char *e)
{
	if (pfx(p, e, "SIG"))
		p += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *n = sigabbrev_np(i);

		if (n && strlen(n) == (size_t)(e - p) && memcmp(n, p, (size_t)(e - p)) == 0)
			return i;
	}
	return 0;
}

/* "= 3</etc/passwd> <0.000012>", "= -1 ENOENT (...)", "= 0x55d0...", "= ? ERESTARTSYS" */
void strace_parse_ret(const char *p, const char *e, struct call *c)
{
	bool neg;
	uint64_t v;
	const char *q;

	p = skip_sp(p, e);
	if (p >= e || *p != '=')
		return;
	p = skip_sp(p + 1, e);
	neg = p < e && *p == '-';
	q = strace_parse_u64(p + neg, e, &v);
	if (!q || (neg && v > (uint64_t)INT64_MAX))
		return;
	c->has_ret = true;
	c->ret = neg ? -(int64_t)v : (int64_t)v;
	if (!neg && q < e && *q == '<') { /* -y: the returned fd's path */
		const char *end = memchr(q + 1, '>', (size_t)(e - q - 1));

		if (end) {
			c->ret_path = q + 1;
			c->ret_path_end = end;
		}
	}
	if (neg && v == 1) { /* the kernel's view: -errno, as the recorders see it */
		const char *n = skip_sp(q, e), *ne = n;
		int er;

		while (ne < e && (isupper((unsigned char)*ne) || isdigit((unsigned char)*ne)))
			ne++;
		er = ne > n ? rf_errno_from_name_len(n, (size_t)(ne - n), false) : 0;
		if (er > 0)
			c->ret = -er;
	}
}

/* Best-effort numeric value of one top-level argument: "123", "-100", "0x1f", "NULL", a number
 * followed by a -y "<...>" decoration or a -X verbose comment. Symbolic values stay 0. */
static bool decode_arg(const char *p, const char *e, uint64_t *ret)
{
	bool neg;
	uint64_t v;

	p = skip_sp(p, e);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (pfx(p, e, "NULL") && e - p == 4) {
		*ret = 0;
		return true;
	}
	neg = p < e && *p == '-';
	p = strace_parse_u64(p + neg, e, &v);
	if (!p || (p < e && *p != '<' && *p != ' '))
		return false;
	p = skip_sp(p, e);
	if (p < e && *p != '<' && !pfx(p, e, "/*"))
		return false;
	*ret = neg ? (uint64_t)-v : v;
	return true;
}

static void note_arg(struct call *c, unsigned idx, const char *a, const char *e)
{
	const char *eq = NULL;
	uint64_t v;

	for (const char *q = a; q < e && (isalnum((unsigned char)*q) || *q == '_' || *q == '=');
	     q++)
		if (*q == '=') {
			eq = q;
			break;
		}
	if (eq) { /* named (clone's "flags=..."): strace's display order is not the ABI's */
		bool is_clone = c->name_len == 5 && memcmp(c->name, "clone", 5) == 0;

		if (is_clone && eq - a == 5 && memcmp(a, "flags", 5) == 0 &&
		    decode_arg(eq + 1, e, &v) && (v & CLONE_THREAD))
			c->thread = true;
		return;
	}
	if (idx < ELEMENTSOF(c->args) && decode_arg(a, e, &v)) {
		c->args[idx] = v;
		c->args_known |= (uint8_t)(1u << idx);
	}
}

/* Scans an argument list from just inside '(' (or a resumed tail) to the matching ')'. Returns
 * the byte after ')' or after "<unfinished ...>", or NULL when the line ends first. Explicit
 * depth counters, no recursion: "{[(" nest, strings and -y "<...>" decorations are opaque. */
const char *strace_scan_args(const char *p, const char *e, struct call *c)
{
	long depth = 0;
	unsigned idx = 0;
	const char *arg = p;

	c->text = p;
	c->text_end = e;
	while (p < e) {
		char ch = *p;

		if (ch == '"') {
			const char *s = ++p;

			while (p < e && *p != '"')
				p += (*p == '\\' && p + 1 < e) ? 2 : 1;
			if (p >= e)
				return NULL;
			if (depth == 0 && !c->str) {
				c->str = s;
				c->str_end = p;
				c->str_truncated = pfx(p + 1, e, "...");
			}
			p++;
		} else if (ch == '/' && pfx(p, e, "/*")) {
			const char *q = memmem(p + 2, (size_t)(e - p - 2), "*/", 2);

			p = q ? q + 2 : e;
		} else if (ch == '<' && pfx(p, e, "<unfinished ...>")) {
			if (depth == 0 && skip_sp(arg, p) < p)
				note_arg(c, idx, arg, p);
			c->unfinished = true;
			return p + 16;
		} else if (ch ==
			   '<') { /* -y decoration: "3</x>", "<TCP:[a->b]>", "<... resuming ...>" */
			const char *q = p + 1;
			long d = 0;

			while (q < e && (*q != '>' || d > 0)) {
				d += (*q == '[') - (*q == ']');
				q += (*q == '\\' && q + 1 < e) ? 2 : 1;
			}
			p = q < e ? q + 1 : p + 1;
		} else {
			if (ch == '(' || ch == '[' || ch == '{')
				depth++;
			else if ((ch == ')' || ch == ']' || ch == '}') && --depth < 0) {
				if (p > arg || idx > 0)
					note_arg(c, idx, arg, p);
				c->closed = true;
				c->text_end = p;
				return p + 1;
			} else if (ch == ',' && depth == 0) {
				note_arg(c, idx++, arg, p);
				arg = p + 1;
			}
			p++;
		}
	}
	return NULL;
}

/* C-unescapes strace's quoted string (\n, \t, \", \\, \ooo, \xhh) into *ret (caller frees);
 * *ret is NULL when it holds a NUL byte, which no path can. */
int strace_unescape(const char *p, const char *e, char **ret)
{
	char *s = malloc((size_t)(e - p) + 1), *o = s;

	*ret = NULL;
	if (!s)
		return -ENOMEM;
	while (p < e) {
		if (*p != '\\' || p + 1 >= e) {
			*o++ = *p++;
			continue;
		}
		p++;
		if (*p == 'x') {
			unsigned v = 0, n = 0;

			for (p++; n < 2 && p < e && isxdigit((unsigned char)*p); n++, p++)
				v = v * 16 +
				    (unsigned)(isdigit((unsigned char)*p)
						       ? *p - '0'
						       : tolower((unsigned char)*p) - 'a' + 10);
			*o++ = (char)v;
		} else if (*p >= '0' && *p <= '7') {
			unsigned v = 0, n = 0;

			for (; n < 3 && p < e && *p >= '0' && *p <= '7'; n++, p++)
				v = v * 8 + (unsigned)(*p - '0');
			*o++ = (char)v;
		} else {
			const char *from = "ntrvfab", *to = "\n\t\r\v\f\a\b", *k = strchr(from, *p);

			*o++ = (k && *p) ? to[k - from] : *p;
			p++;
		}
	}
	*o = '\0';
	if (memchr(s, '\0', (size_t)(o - s)))
		free(s);
	else
		*ret = s;
	return 0;
}

/* -Y (--decode-pids=comm): "1234<comm>" */
static const char *comm_suffix(const char *p, const char *e, const char **comm, size_t *comm_len)
{
	const char *q;

	if (!p || p >= e || *p != '<')
		return p;
	q = memchr(p, '>', (size_t)(e - p));
	if (!q)
		return NULL;
	*comm = p + 1;
	*comm_len = (size_t)(q - p - 1);
	return q + 1;
}

/* A -t/-tt/-ttt/-r stamp into nanoseconds: "12:34:56[.frac]" since midnight, a dotted number
 * above 10^8 since the epoch (-ttt), a smaller one a delta from the previous line (-r), which
 * the caller accumulates. Returns 1 for an absolute time, 2 for a delta, 0 when unparsable. */
static int parse_stamp(const char *p, const char *e, uint64_t *ret)
{
	uint64_t sec = 0, frac = 0, scale = 1000000000u, part = 0;
	bool colon = false;
	const char *q;

	for (q = p; q < e && *q != '.'; q++) {
		if (*q == ':') {
			sec = (sec + part) * 60;
			part = 0;
			colon = true;
		} else {
			part = part * 10 + (uint64_t)(*q - '0');
		}
	}
	sec += part;
	if (q < e)
		for (q++; q < e && scale > 1; q++) {
			scale /= 10;
			frac += (uint64_t)(*q - '0') * scale;
		}
	if (sec > UINT64_MAX / 1000000000u)
		return 0;
	*ret = sec * 1000000000u + frac;
	return colon || sec >= 100000000u ? 1 : 2;
}

/* Leader: "[pid  N] " or "N  " (strace -f -o), then timestamps (-t/-tt/-ttt/-r), "[ nr]" (-n),
 * "[ip]" (-i). Sets *tid (0 = no pid column), the -Y *comm (NULL = none, not NUL-terminated) and
 * the stamp (*stamp_kind 0 none, 1 absolute, 2 delta) and returns the start of the record. */
const char *strace_leader(const char *p, const char *e, int32_t *tid, const char **comm,
			  size_t *comm_len, uint64_t *stamp, int *stamp_kind)
{
	const char *q;

	*tid = 0;
	*comm = NULL;
	*comm_len = 0;
	*stamp = 0;
	*stamp_kind = 0;
	p = skip_sp(p, e);
	if (pfx(p, e, "[pid")) {
		q = comm_suffix(strace_parse_pid(skip_sp(p + 4, e), e, tid), e, comm, comm_len);
		if (q && q < e && *q == ']')
			p = q + 1;
		else
			*tid = 0;
	} else if (p < e && isdigit((unsigned char)*p)) {
		q = comm_suffix(strace_parse_pid(p, e, tid), e, comm, comm_len);
		if (q && q < e && *q == ' ')
			p = q;
		else
			*tid = 0;
	}
	for (;;) {
		bool stamp_chars = false;

		p = skip_sp(p, e);
		for (q = p; q < e && (isdigit((unsigned char)*q) || *q == '.' || *q == ':'); q++)
			stamp_chars |= *q == '.' || *q == ':';
		if (stamp_chars && q < e && *q == ' ') {
			if (!*stamp_kind)
				*stamp_kind = parse_stamp(p, q, stamp);
			p = q;
			continue;
		}
		if (p < e && *p == '[' && !pfx(p, e, "[ Process")) {
			for (q = p + 1; q < e && (isxdigit((unsigned char)*q) || *q == ' '); q++)
				;
			if (q < e && *q == ']' && q > p + 1) {
				p = q + 1;
				continue;
			}
		}
		return p;
	}
}

/* strace -f writing to stderr splices "strace: Process N attached" into the middle of the line
 * of the clone that created N, and continues that line on the next one. Returns where the
 * message starts, or NULL. */
const char *strace_spliced_notice(const char *p, const char *e)
{
	const char *m = p, *q;
	int32_t pid;

	while ((m = memmem(m, (size_t)(e - m), "strace: Process ", 16))) {
		q = strace_parse_pid(m + 16, e, &pid);
		if (m > p && q && (pfx(q, e, " attached") || pfx(q, e, " detached")) &&
		    skip_sp(q + 9, e) >= e - (e[-1] == '\r'))
			return m;
		m += 16;
	}
	return NULL;
}

/* "trace.1234" → 1234 (strace -ff -o trace); 0 when the name has no such suffix. */
int32_t strace_pid_from_name(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	int32_t pid = 0;
	const char *e;

	if (!dot || (slash && slash > dot) || dot[1] == '\0')
		return 0;
	e = strace_parse_pid(dot + 1, dot + strlen(dot), &pid);
	return e && *e == '\0' && isdigit((unsigned char)dot[1]) ? pid : 0;
}
