/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Streaming JSON writer; see json-writer.h. */
#include <inttypes.h>
#include <string.h>

#include "json-writer.h"
#include "utf8.h"

void rf_json_init(struct rf_json *j, FILE *out, bool pretty)
{
	*j = (struct rf_json){ .out = out, .pretty = pretty, .indent = 2 };
}

static void newline_indent(struct rf_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (unsigned i = 0; i < j->depth * (unsigned)j->indent; i++)
		fputc(' ', j->out);
}

static bool get_comma(const struct rf_json *j)
{
	return (j->need_comma[j->depth / 64] >> (j->depth % 64)) & 1;
}

static void set_comma(struct rf_json *j, bool v)
{
	uint64_t bit = UINT64_C(1) << (j->depth % 64);

	if (v)
		j->need_comma[j->depth / 64] |= bit;
	else
		j->need_comma[j->depth / 64] &= ~bit;
}

/* Called before every value or name: writes the separator that belongs in front of it. */
static void before_value(struct rf_json *j)
{
	if (j->after_name) {
		j->after_name = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (get_comma(j))
		fputc(',', j->out);
	set_comma(j, true);
	newline_indent(j);
}

static void open(struct rf_json *j, char c)
{
	if (j->overflow || j->depth + 1 >= RF_JSON_MAX_DEPTH) {
		j->overflow++;
		return;
	}
	before_value(j);
	fputc(c, j->out);
	j->depth++;
	set_comma(j, false);
}

static void close_(struct rf_json *j, char c)
{
	bool had;

	if (j->overflow) {
		j->overflow--;
		return;
	}
	had = get_comma(j);
	if (j->depth > 0)
		j->depth--;
	if (had)
		newline_indent(j);
	fputc(c, j->out);
}

void rf_json_start_object(struct rf_json *j)
{
	open(j, '{');
}
void rf_json_end_object(struct rf_json *j)
{
	close_(j, '}');
}
void rf_json_start_array(struct rf_json *j)
{
	open(j, '[');
}
void rf_json_end_array(struct rf_json *j)
{
	close_(j, ']');
}

/* JSON must be UTF-8: bytes that are not (a comm set with prctl, a path) become U+FFFD. */
static void write_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t n = *p >= 0x80 ? rf_utf8_seq_len(p, strnlen((const char *)p, 4)) : 1;

		if (n == 0) {
			fputs("\\ufffd", out);
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, out);
			p += n - 1;
			continue;
		}
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void rf_json_name(struct rf_json *j, const char *name)
{
	before_value(j);
	write_escaped(j->out, name);
	fputs(j->pretty ? ": " : ":", j->out);
	j->after_name = true;
}

void rf_json_string(struct rf_json *j, const char *s)
{
	before_value(j);
	if (s)
		write_escaped(j->out, s);
	else
		fputs("null", j->out);
}

void rf_json_uint(struct rf_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRIu64, v);
}

void rf_json_int(struct rf_json *j, int64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRId64, v);
}

void rf_json_hex(struct rf_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void rf_json_bool(struct rf_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->out);
}

void rf_json_null(struct rf_json *j)
{
	before_value(j);
	fputs("null", j->out);
}

void rf_json_string_field(struct rf_json *j, const char *name, const char *s)
{
	rf_json_name(j, name);
	rf_json_string(j, s);
}

void rf_json_uint_field(struct rf_json *j, const char *name, uint64_t v)
{
	rf_json_name(j, name);
	rf_json_uint(j, v);
}

void rf_json_int_field(struct rf_json *j, const char *name, int64_t v)
{
	rf_json_name(j, name);
	rf_json_int(j, v);
}

void rf_json_bool_field(struct rf_json *j, const char *name, bool v)
{
	rf_json_name(j, name);
	rf_json_bool(j, v);
}

void rf_json_finish(struct rf_json *j)
{
	fputc('\n', j->out);
}
