/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A strict reader for the subset of TOML 1.0 that bane's profile files use: [table] headers,
 * key = value with bare or quoted keys, basic and literal strings, booleans, arrays of those
 * (over several lines, with comments and a trailing comma), comments. Everything else TOML has
 * (numbers, dates, inline tables, dotted keys, arrays of tables, multi-line strings) is refused
 * with file:line:column, never guessed at.
 *
 * Why our own: Debian 12 packages no C TOML library (libtoml11 and toml++ are C++, tomlc99 is not
 * packaged), and bane's schema needs about a tenth of the language. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ringfence/error.h"

enum toml_type { TOML_STRING = 1, TOML_BOOL, TOML_ARRAY };

struct toml_value {
	enum toml_type type;
	char *s;		  /* STRING, unescaped (may hold any byte the escapes made) */
	size_t len;		  /* STRING: bytes in s */
	bool b;			  /* BOOL */
	struct toml_value *items; /* ARRAY */
	size_t n;
	unsigned line, col;
};

struct toml_entry {
	char *table; /* "" for the root table */
	char *key;
	unsigned line, col; /* of the key */
	struct toml_value v;
};

struct toml_doc {
	struct toml_entry *v;
	size_t n;
	char **tables; /* headers seen, in order */
	unsigned *table_lines;
};

int toml_parse(const char *text, size_t len, const char *source, struct toml_doc *ret,
	       struct rf_error *reterr);
void toml_done(struct toml_doc *d);
