/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small streaming JSON writer (bpftool's json_writer shape): key order is the order of the
 * calls, escaping is done here, pretty mode is a flag. Errors are sticky and read at the end. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Deeper documents are cut off (the writer stops writing and sets `overflow`): nothing we emit
 * comes near, and a bounded stack keeps the writer allocation-free. */
#define RF_JSON_MAX_DEPTH 1024

struct rf_json {
	FILE *out; /* not owned */
	bool pretty;
	unsigned depth;
	uint64_t need_comma[RF_JSON_MAX_DEPTH / 64]; /* one bit per nesting level */
	bool after_name;
	int indent;	   /* spaces per level when pretty */
	unsigned overflow; /* levels opened beyond RF_JSON_MAX_DEPTH; output is invalid when set */
};

void rf_json_init(struct rf_json *j, FILE *out, bool pretty);
void rf_json_start_object(struct rf_json *j);
void rf_json_end_object(struct rf_json *j);
void rf_json_start_array(struct rf_json *j);
void rf_json_end_array(struct rf_json *j);
void rf_json_name(struct rf_json *j, const char *name);
void rf_json_string(struct rf_json *j, const char *s);
void rf_json_uint(struct rf_json *j, uint64_t v);
void rf_json_int(struct rf_json *j, int64_t v);
void rf_json_bool(struct rf_json *j, bool v);
void rf_json_null(struct rf_json *j);
/* 64-bit values that may pass 2^53 are written as hex strings (STYLE.md). */
void rf_json_hex(struct rf_json *j, uint64_t v);

void rf_json_string_field(struct rf_json *j, const char *name, const char *s);
void rf_json_uint_field(struct rf_json *j, const char *name, uint64_t v);
void rf_json_int_field(struct rf_json *j, const char *name, int64_t v);
void rf_json_bool_field(struct rf_json *j, const char *name, bool v);
/* Ends the document with a newline. */
void rf_json_finish(struct rf_json *j);
