/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the AppArmor builders, writer, reader and matcher: rule construction and the small
 * pieces of apparmor.d(5) syntax they all need. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ringfence/apparmor.h"

/* Appends a rule; takes nothing (copies strings). NULL on OOM. */
struct rf_aa_rule *aa_add_rule(struct rf_aa_profile *p, enum rf_aa_rule_kind kind);
/* A rule of any non-file kind from printf-style text ("network %s %s"). -ENOMEM or 0. */
int aa_add_text(struct rf_aa_profile *p, enum rf_aa_rule_kind kind, bool deny, bool audit,
		const char *comment, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int aa_add_note(struct rf_aa_profile *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A file rule for an already escaped path token. */
int aa_add_file(struct rf_aa_profile *p, bool deny, bool audit, const char *path, uint32_t perms,
		const char *xmode, const char *comment);
void aa_rule_done(struct rf_aa_rule *r);

/* Why `glob` (a path pattern given by a user) cannot be one path token, or NULL when it can;
 * *ret_at is the byte offset of the problem. Accepted: absolute, printable UTF-8, spaces,
 * `*`, `**`, `?`, balanced `{a,b}` (commas only inside), closed `[...]`; refused: quotes, '#',
 * backslashes, `@{` variables, control bytes, `..` components. */
const char *aa_glob_problem(const char *glob, size_t *ret_at);
/* A user glob (checked with aa_glob_problem) as a token: quoted when it has a space. */
int aa_glob_token(const char *glob, char **ret);

/* Characters that are syntax inside a path token and need a backslash to be literal. */
static inline bool aa_is_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}' || c == '\\' ||
	       c == ',' || c == '#' || c == '"' || c == '^';
}

/* Unquotes and unescapes a path token into a pattern where every literal special character is
 * preceded by '\' and nothing else is (quotes and octal escapes gone): the matcher's input. */
int aa_token_pattern(const char *token, char **ret);

/* from-toml.c: the container default's signal rules from the host and the runtimes, and its
 * denials (/proc, /sys, mount), shared with the observation builder. */
int aa_add_signals_from_runtime(struct rf_aa_profile *p);
int aa_add_container_denials(struct rf_aa_profile *p);

/* The capability name AppArmor uses for CAP_* number cap ("sys_admin"); NULL if unknown. */
const char *aa_cap_name(int cap);
