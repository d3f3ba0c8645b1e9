/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Audit reports: human text (kubectl-like reasons, one line per failed check, then where and
 * what to change), JSON (schema ringfence.audit/v1) and SARIF 2.1.0. Deterministic order: input
 * order of files and documents, the reference's check order. */
#include <stdio.h>
#include <string.h>

#include "core/escape.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "k8s-internal.h"

int rf_audit_format_from_string(const char *s, enum rf_audit_format *ret)
{
	if (streq(s, "text"))
		*ret = RF_AUDIT_TEXT;
	else if (streq(s, "json"))
		*ret = RF_AUDIT_JSON;
	else if (streq(s, "sarif"))
		*ret = RF_AUDIT_SARIF;
	else
		return -EINVAL;
	return 0;
}

/* Every string below comes from the input (file names, names, namespaces, container names in
 * reasons, label values in the policy source): printed escaped, so `metadata.name:
 * "\e[2J..."` cannot drive the reader's terminal. */
static void put(FILE *f, const char *s)
{
	rf_fputs_escaped(s, f);
}

static void write_policy(FILE *f, const struct rf_audit_workload *w)
{
	if (w->version.latest)
		fprintf(f, "%s:latest", rf_pss_level_to_string(w->level));
	else
		fprintf(f, "%s:v1.%u", rf_pss_level_to_string(w->level), w->version.minor);
}

static void write_who(FILE *f, const struct rf_audit_workload *w)
{
	put(f, w->kind);
	fputc(' ', f);
	if (w->namespace) {
		put(f, w->namespace);
		fputc('/', f);
	}
	put(f, w->name);
}

static void write_site(FILE *f, const struct rf_audit_workload *w, const struct rf_pss_site *st)
{
	fputs("    ", f);
	put(f, w->file);
	fprintf(f, ":%u:%u: ", st->line, st->column);
	put(f, st->path);
	if (st->container) {
		fputs(" (container \"", f);
		put(f, st->container);
		fputs("\")", f);
	}
	fputs("\n      fix: ", f);
	put(f, st->suggestion);
	if (st->fixable) {
		fputs(" [--fix]\n", f);
	} else {
		fputs(" [manual: ", f);
		put(f, st->why_not ?: "needs a person");
		fputs("]\n", f);
	}
}

static void write_workload(FILE *f, const struct rf_audit_workload *w, size_t *fixable,
			   size_t *manual)
{
	put(f, w->file);
	fprintf(f, ":%u:%u: ", w->line, w->column);
	write_who(f, w);
	fputs(": ", f);
	write_policy(f, w);
	if (!w->n_violations)
		fputs(": ok (", f);
	else
		fprintf(f, ": %zu failed check%s (", w->n_violations,
			w->n_violations == 1 ? "" : "s");
	put(f, w->policy_source);
	fputs(")\n", f);
	for (size_t v = 0; v < w->n_violations; v++) {
		const struct rf_pss_violation *x = &w->violations[v];

		fputs("  ", f);
		put(f, x->reason);
		fputs(" (", f);
		put(f, x->detail);
		fprintf(f, ") [%s]\n", x->check);
		for (size_t s = 0; s < x->n_sites; s++) {
			write_site(f, w, &x->sites[s]);
			x->sites[s].fixable ? (*fixable)++ : (*manual)++;
		}
	}
}

static int write_text(const struct rf_audit *a, FILE *f)
{
	size_t fixable = 0, manual = 0, unchecked = rf_audit_n_unchecked(a);
	size_t checked = a->n_objs - unchecked, errors = a->n_errors + unchecked;

	for (size_t i = 0; i < a->n_objs; i++)
		if (!a->objs[i]->w.error)
			write_workload(f, &a->objs[i]->w, &fixable, &manual);
	fprintf(f, "%zu workload%s checked, %zu failed, %zu other object%s skipped, %zu error%s",
		checked, checked == 1 ? "" : "s", rf_audit_n_failed(a), a->n_skipped,
		a->n_skipped == 1 ? "" : "s", errors, errors == 1 ? "" : "s");
	if (unchecked)
		fprintf(f, " (%zu workload%s not checked)", unchecked, unchecked == 1 ? "" : "s");
	if (fixable || manual)
		fprintf(f, "; %zu change%s --fix can make, %zu to make by hand", fixable,
			fixable == 1 ? "" : "s", manual);
	fputc('\n', f);
	return 0;
}

static void json_policy(struct rf_json *j, const struct rf_audit_workload *w)
{
	char v[16];

	rf_json_name(j, "policy");
	rf_json_start_object(j);
	rf_json_string_field(j, "level", rf_pss_level_to_string(w->level));
	if (w->version.latest)
		rf_json_string_field(j, "version", "latest");
	else {
		snprintf(v, sizeof(v), "v1.%u", w->version.minor);
		rf_json_string_field(j, "version", v);
	}
	snprintf(v, sizeof(v), "v1.%u", w->version.minor);
	rf_json_string_field(j, "evaluated_as", v);
	rf_json_string_field(j, "source", w->policy_source);
	rf_json_end_object(j);
}

static int write_json(const struct rf_audit *a, bool pretty, FILE *f)
{
	struct rf_json j;

	rf_json_init(&j, f, pretty);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", "ringfence.audit/v1");
	rf_json_name(&j, "workloads");
	rf_json_start_array(&j);
	for (size_t i = 0; i < a->n_objs; i++) {
		const struct rf_audit_workload *w = &a->objs[i]->w;

		rf_json_start_object(&j);
		rf_json_string_field(&j, "file", w->file);
		rf_json_uint_field(&j, "line", w->line);
		rf_json_uint_field(&j, "column", w->column);
		rf_json_string_field(&j, "kind", w->kind);
		rf_json_name(&j, "namespace");
		w->namespace ? rf_json_string(&j, w->namespace) : rf_json_null(&j);
		rf_json_string_field(&j, "name", w->name);
		json_policy(&j, w);
		if (w->error) {
			rf_json_string_field(&j, "error", w->error);
			rf_json_end_object(&j);
			continue;
		}
		rf_json_bool_field(&j, "pass", w->n_violations == 0);
		rf_json_name(&j, "violations");
		rf_json_start_array(&j);
		for (size_t v = 0; v < w->n_violations; v++) {
			const struct rf_pss_violation *x = &w->violations[v];

			rf_json_start_object(&j);
			rf_json_string_field(&j, "check", x->check);
			rf_json_string_field(&j, "reason", x->reason);
			rf_json_string_field(&j, "detail", x->detail);
			rf_json_name(&j, "sites");
			rf_json_start_array(&j);
			for (size_t s = 0; s < x->n_sites; s++) {
				const struct rf_pss_site *st = &x->sites[s];

				rf_json_start_object(&j);
				rf_json_name(&j, "container");
				st->container ? rf_json_string(&j, st->container)
					      : rf_json_null(&j);
				rf_json_string_field(&j, "path", st->path);
				rf_json_uint_field(&j, "line", st->line);
				rf_json_uint_field(&j, "column", st->column);
				rf_json_string_field(&j, "suggestion", st->suggestion);
				rf_json_bool_field(&j, "fixable", st->fixable);
				if (!st->fixable && st->why_not)
					rf_json_string_field(&j, "why_not_fixable", st->why_not);
				rf_json_end_object(&j);
			}
			rf_json_end_array(&j);
			rf_json_end_object(&j);
		}
		rf_json_end_array(&j);
		rf_json_end_object(&j);
	}
	rf_json_end_array(&j);
	/* Every input error: documents that could not be read, then workloads that were read
	 * but could not be evaluated (each also carries its own "error"). */
	rf_json_name(&j, "errors");
	rf_json_start_array(&j);
	for (size_t i = 0; i < a->n_errors; i++)
		rf_json_string(&j, a->errors[i].text);
	for (size_t i = 0; i < a->n_objs; i++)
		if (a->objs[i]->w.error)
			rf_json_string(&j, a->objs[i]->w.error);
	rf_json_end_array(&j);
	rf_json_name(&j, "summary");
	rf_json_start_object(&j);
	rf_json_uint_field(&j, "workloads", a->n_objs);
	rf_json_uint_field(&j, "checked", a->n_objs - rf_audit_n_unchecked(a));
	rf_json_uint_field(&j, "failed", rf_audit_n_failed(a));
	rf_json_uint_field(&j, "skipped", a->n_skipped);
	rf_json_uint_field(&j, "errors", a->n_errors + rf_audit_n_unchecked(a));
	rf_json_end_object(&j);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	return j.overflow ? -EOVERFLOW : 0;
}

static void sarif_location(struct rf_json *j, const char *file, unsigned line, unsigned column)
{
	rf_json_name(j, "physicalLocation");
	rf_json_start_object(j);
	rf_json_name(j, "artifactLocation");
	rf_json_start_object(j);
	rf_json_string_field(j, "uri", file);
	rf_json_end_object(j);
	if (line) {
		rf_json_name(j, "region");
		rf_json_start_object(j);
		rf_json_uint_field(j, "startLine", line);
		rf_json_uint_field(j, "startColumn", column ?: 1);
		rf_json_end_object(j);
	}
	rf_json_end_object(j);
}

static void sarif_notification(struct rf_json *j, const char *text, const char *file, unsigned line,
			       unsigned column)
{
	rf_json_start_object(j);
	rf_json_string_field(j, "level", "error");
	rf_json_name(j, "message");
	rf_json_start_object(j);
	rf_json_string_field(j, "text", text);
	rf_json_end_object(j);
	if (file) {
		rf_json_name(j, "locations");
		rf_json_start_array(j);
		rf_json_start_object(j);
		sarif_location(j, file, line, column);
		rf_json_end_object(j);
		rf_json_end_array(j);
	}
	rf_json_end_object(j);
}

/* Input errors are not findings about the workloads: SARIF's place for them is the run's
 * invocation, as tool execution notifications; the run did not fully succeed. */
static void sarif_invocation(struct rf_json *j, const struct rf_audit *a)
{
	rf_json_name(j, "invocations");
	rf_json_start_array(j);
	rf_json_start_object(j);
	rf_json_bool_field(j, "executionSuccessful",
			   a->n_errors == 0 && rf_audit_n_unchecked(a) == 0);
	rf_json_name(j, "toolExecutionNotifications");
	rf_json_start_array(j);
	for (size_t i = 0; i < a->n_errors; i++)
		sarif_notification(j, a->errors[i].text, a->errors[i].file, a->errors[i].line,
				   a->errors[i].column);
	for (size_t i = 0; i < a->n_objs; i++) {
		const struct rf_audit_workload *w = &a->objs[i]->w;

		if (w->error)
			sarif_notification(j, w->error, w->file, w->error_line, w->error_column);
	}
	rf_json_end_array(j);
	rf_json_end_object(j);
	rf_json_end_array(j);
}

/* SARIF: one rule per check id seen (in order of first use), one result per site. */
static int write_sarif(const struct rf_audit *a, bool pretty, FILE *f)
{
	struct slist rules = { 0 };
	struct rf_json j;

	for (size_t i = 0; i < a->n_objs; i++)
		for (size_t v = 0; v < a->objs[i]->w.n_violations; v++)
			if (slist_add_unique(&rules, a->objs[i]->w.violations[v].check) < 0)
				return -ENOMEM;
	rf_json_init(&j, f, pretty);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	rf_json_string_field(&j, "version", "2.1.0");
	rf_json_name(&j, "runs");
	rf_json_start_array(&j);
	rf_json_start_object(&j);
	rf_json_name(&j, "tool");
	rf_json_start_object(&j);
	rf_json_name(&j, "driver");
	rf_json_start_object(&j);
	rf_json_string_field(&j, "name", "ringfence audit");
	rf_json_string_field(
		&j, "informationUri",
		"https://kubernetes.io/docs/concepts/security/pod-security-standards/");
	rf_json_name(&j, "rules");
	rf_json_start_array(&j);
	for (size_t r = 0; r < rules.n; r++) {
		rf_json_start_object(&j);
		rf_json_string_field(&j, "id", rules.v[r]);
		rf_json_name(&j, "shortDescription");
		rf_json_start_object(&j);
		rf_json_string_field(&j, "text", rules.v[r]);
		rf_json_end_object(&j);
		rf_json_end_object(&j);
	}
	rf_json_end_array(&j);
	rf_json_end_object(&j);
	rf_json_end_object(&j);
	sarif_invocation(&j, a);
	rf_json_name(&j, "results");
	rf_json_start_array(&j);
	for (size_t i = 0; i < a->n_objs; i++) {
		const struct rf_audit_workload *w = &a->objs[i]->w;

		for (size_t v = 0; v < w->n_violations; v++) {
			const struct rf_pss_violation *x = &w->violations[v];
			size_t idx = 0;

			for (size_t r = 0; r < rules.n; r++)
				if (streq(rules.v[r], x->check))
					idx = r;
			for (size_t s = 0; s < (x->n_sites ? x->n_sites : 1); s++) {
				const struct rf_pss_site *st = x->n_sites ? &x->sites[s] : NULL;
				_cleanup_free_ char *msg = pss_printf(
					"%s %s%s%s: %s (%s)%s%s", w->kind,
					w->namespace ? w->namespace : "", w->namespace ? "/" : "",
					w->name, x->reason, x->detail, st ? "; fix: " : "",
					st ? st->suggestion : "");

				rf_json_start_object(&j);
				rf_json_string_field(&j, "ruleId", x->check);
				rf_json_uint_field(&j, "ruleIndex", idx);
				rf_json_string_field(&j, "level", "error");
				rf_json_name(&j, "message");
				rf_json_start_object(&j);
				rf_json_string_field(&j, "text", msg ? msg : x->reason);
				rf_json_end_object(&j);
				rf_json_name(&j, "locations");
				rf_json_start_array(&j);
				rf_json_start_object(&j);
				sarif_location(&j, w->file,
					       st && st->line ? st->line : w->line ?: 1,
					       st && st->line ? st->column ?: 1 : w->column ?: 1);
				if (st) {
					rf_json_name(&j, "logicalLocations");
					rf_json_start_array(&j);
					rf_json_start_object(&j);
					rf_json_string_field(&j, "fullyQualifiedName", st->path);
					rf_json_string_field(&j, "kind", "member");
					rf_json_end_object(&j);
					rf_json_end_array(&j);
				}
				rf_json_end_object(&j);
				rf_json_end_array(&j);
				rf_json_end_object(&j);
			}
		}
	}
	rf_json_end_array(&j);
	rf_json_end_object(&j);
	rf_json_end_array(&j);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	slist_done(&rules);
	return j.overflow ? -EOVERFLOW : 0;
}

int rf_audit_write(const struct rf_audit *a, enum rf_audit_format fmt, bool pretty, FILE *out)
{
	switch (fmt) {
	case RF_AUDIT_TEXT: return write_text(a, out);
	case RF_AUDIT_JSON: return write_json(a, pretty, out);
	case RF_AUDIT_SARIF: return write_sarif(a, pretty, out);
	}
	return -EINVAL;
}
