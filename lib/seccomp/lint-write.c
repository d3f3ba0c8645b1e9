/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lint reports (`profile lint`): "FILE:LINE: severity: message [code]" lines, or the JSON
 * document "ringfence.lint/v1" with one entry per linted profile, written as profiles are
 * linted so a long run shows its results as it goes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "ringfence/profile.h"

struct rf_lint_writer {
	FILE *out;
	enum rf_report_format fmt;
	struct rf_json j;
};

static const char *const severity_names[] = {
	[RF_LINT_ERROR] = "error",
	[RF_LINT_WARNING] = "warning",
	[RF_LINT_NOTE] = "note",
};

int rf_lint_writer_new(FILE *out, enum rf_report_format fmt, bool pretty,
		       struct rf_lint_writer **ret)
{
	struct rf_lint_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->out = out;
	w->fmt = fmt;
	rf_json_init(&w->j, out, pretty);
	if (fmt == RF_REPORT_JSON) {
		rf_json_start_object(&w->j);
		rf_json_string_field(&w->j, "schema", "ringfence.lint/v1");
		rf_json_name(&w->j, "files");
		rf_json_start_array(&w->j);
	}
	*ret = w;
	return 0;
}

static void item_json(struct rf_json *j, const char *severity, unsigned line, const char *code,
		      const char *message, bool host)
{
	rf_json_start_object(j);
	rf_json_string_field(j, "severity", severity);
	rf_json_uint_field(j, "line", line);
	rf_json_string_field(j, "code", code);
	rf_json_string_field(j, "message", message);
	rf_json_bool_field(j, "host", host);
	rf_json_end_object(j);
}

static void add_json(struct rf_json *j, const char *file, const char *document,
		     const struct rf_profile *p, const struct rf_lint *l,
		     const struct rf_error *error)
{
	rf_json_start_object(j);
	rf_json_string_field(j, "file", file);
	rf_json_string_field(j, "document", document);
	rf_json_string_field(j, "format", p ? rf_format_to_string(p->format) : NULL);
	rf_json_uint_field(j, "errors", error ? 1 : l->n_errors);
	rf_json_uint_field(j, "warnings", l->n_warnings);
	rf_json_name(j, "findings");
	rf_json_start_array(j);
	if (error)
		item_json(j, "error", error->line, "parse-error", error->detail ?: error->message,
			  false);
	for (size_t i = 0; i < l->n; i++)
		item_json(j, severity_names[l->items[i].severity], l->items[i].line,
			  l->items[i].code, l->items[i].message, l->items[i].host);
	rf_json_end_array(j);
	rf_json_end_object(j);
}

/* In a file of several profiles a message starts with the document, as parse errors do, and
 * LINE is still a line of FILE. Messages are printable already (lint and rf_error escape what
 * they quote); the document's name is the file's metadata.name, escaped here. */
static void add_text(FILE *out, const char *file, const char *document, const struct rf_lint *l,
		     const struct rf_error *error, int code)
{
	if (error && error->file) {
		fprintf(out, "%s:%u: error: %s [parse-error]\n", error->file, error->line,
			error->detail);
		return;
	}
	if (error) {
		fprintf(out, "%s: error: %s [parse-error]\n", file,
			error->detail ?: error->message ?: strerror(-code));
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct rf_lint_item *f = &l->items[i];

		fprintf(out, "%s:", file);
		if (f->line)
			fprintf(out, "%u:", f->line);
		fprintf(out, " %s: ", severity_names[f->severity]);
		if (document) {
			fputs("SeccompProfile '", out);
			rf_fputs_escaped(document, out);
			fputs("': ", out);
		}
		fprintf(out, "%s [%s]\n", f->message, f->code);
	}
}

int rf_lint_writer_add(struct rf_lint_writer *w, const char *file, const char *document,
		       const struct rf_profile *p, const struct rf_lint *l,
		       const struct rf_error *error, int code)
{
	static const struct rf_lint none;

	if (!l)
		l = &none;
	if (w->fmt == RF_REPORT_JSON)
		add_json(&w->j, file, document, p, l, error);
	else
		add_text(w->out, file, document, l, error, code);
	return ferror(w->out) ? -EIO : 0;
}

int rf_lint_writer_finish(struct rf_lint_writer *w)
{
	int r;

	if (!w)
		return 0;
	if (w->fmt == RF_REPORT_JSON) {
		rf_json_end_array(&w->j);
		rf_json_end_object(&w->j);
		rf_json_finish(&w->j);
	}
	r = ferror(w->out) || w->j.overflow ? -EIO : 0;
	free(w);
	return r;
}
