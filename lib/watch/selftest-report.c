/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The selftest's report: a line per behaviour (what happened, how fast, the near miss) and a
 * summary as text, or one JSON document (ringfence.selftest/v1, keys in a fixed order). */
#include <stdlib.h>

#include "core/json-writer.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/selftest.h"

const char *rf_selftest_status_name(enum rf_selftest_status s)
{
	static const char *const names[] = { "detected", "missed", "skipped", "failed",
					     "quiet",	 "fired",  "none" };

	return (size_t)s < ELEMENTSOF(names) ? names[s] : "?";
}

bool rf_selftest_report_ok(const struct rf_selftest_report *r)
{
	return r && !r->missed && !r->failed && !r->near_fired && !strv_length(r->unexpected);
}

void rf_selftest_report_free(struct rf_selftest_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].finding_type);
		free(r->v[i].reason);
		free(r->v[i].near_reason);
		strv_free(r->v[i].also);
		strv_free(r->v[i].near_fired);
	}
	free(r->v);
	strv_free(r->unexpected);
	free(r);
}

static void strv_json(struct rf_json *j, const char *name, char *const *v)
{
	rf_json_name(j, name);
	rf_json_start_array(j);
	STRV_FOREACH(s, v)
		rf_json_string(j, *s);
	rf_json_end_array(j);
}

static void write_json(const struct rf_selftest_report *r, FILE *out, bool pretty)
{
	struct rf_json j;

	rf_json_init(&j, out, pretty);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", RF_SELFTEST_SCHEMA);
	rf_json_string_field(&j, "backend", rf_watch_backend_name(r->backend));
	rf_json_bool_field(&j, "ok", rf_selftest_report_ok(r));
	rf_json_name(&j, "summary");
	rf_json_start_object(&j);
	rf_json_uint_field(&j, "behaviours", r->n);
	rf_json_uint_field(&j, "detected", r->detected);
	rf_json_uint_field(&j, "missed", r->missed);
	rf_json_uint_field(&j, "skipped", r->skipped);
	rf_json_uint_field(&j, "failed", r->failed);
	rf_json_uint_field(&j, "near_quiet", r->near_quiet);
	rf_json_uint_field(&j, "near_fired", r->near_fired);
	rf_json_uint_field(&j, "unexpected", strv_length(r->unexpected));
	rf_json_uint_field(&j, "events", r->events);
	rf_json_uint_field(&j, "lost", r->lost);
	rf_json_uint_field(&j, "duration_ms", r->duration_ns / 1000000);
	rf_json_end_object(&j);
	rf_json_name(&j, "results");
	rf_json_start_array(&j);
	for (size_t i = 0; i < r->n; i++) {
		const struct rf_selftest_result *x = &r->v[i];

		rf_json_start_object(&j);
		rf_json_string_field(&j, "rule", x->rule);
		rf_json_string_field(&j, "finding_type", x->finding_type);
		rf_json_string_field(&j, "behaviour", x->what);
		rf_json_string_field(&j, "status", rf_selftest_status_name(x->status));
		rf_json_name(&j, "latency_us");
		if (x->latency_ns >= 0)
			rf_json_uint(&j, (uint64_t)x->latency_ns / 1000);
		else
			rf_json_null(&j);
		rf_json_string_field(&j, "reason", x->reason);
		strv_json(&j, "also", x->also);
		rf_json_name(&j, "near_miss");
		if (x->near_what) {
			rf_json_start_object(&j);
			rf_json_string_field(&j, "behaviour", x->near_what);
			rf_json_string_field(&j, "status", rf_selftest_status_name(x->near_status));
			rf_json_string_field(&j, "reason", x->near_reason);
			strv_json(&j, "fired", x->near_fired);
			rf_json_end_object(&j);
		} else {
			rf_json_null(&j);
		}
		rf_json_end_object(&j);
	}
	rf_json_end_array(&j);
	strv_json(&j, "unexpected", r->unexpected);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	fputc('\n', out);
}

static void write_list(FILE *out, const char *label, char *const *v)
{
	if (!v || !v[0])
		return;
	fprintf(out, "      %s", label);
	STRV_FOREACH(s, v)
		fprintf(out, "%s%s", s == v ? " " : ", ", *s);
	fputc('\n', out);
}

void rf_selftest_report_write(const struct rf_selftest_report *r, FILE *out, bool json, bool pretty)
{
	if (json) {
		write_json(r, out, pretty);
		return;
	}
	fprintf(out, "%-9s %9s  %-8s %s\n", "RESULT", "LATENCY", "NEAR", "RULE / BEHAVIOUR");
	for (size_t i = 0; i < r->n; i++) {
		const struct rf_selftest_result *x = &r->v[i];
		char lat[32] = "-";

		if (x->latency_ns >= 0)
			(void)snprintf(lat, sizeof(lat), "%.1f ms", (double)x->latency_ns / 1e6);
		fprintf(out, "%-9s %9s  %-8s %s\n", rf_selftest_status_name(x->status), lat,
			x->near_what ? rf_selftest_status_name(x->near_status) : "-", x->rule);
		fprintf(out, "      did: %s\n", x->what);
		if (x->reason)
			fprintf(out, "      %s: %s\n",
				x->status == RF_ST_SKIPPED  ? "skipped"
				: x->status == RF_ST_FAILED ? "failed"
							    : "note",
				x->reason);
		write_list(out, "also fired:", x->also);
		if (x->near_what)
			fprintf(out, "      near miss: %s%s%s\n", x->near_what,
				x->near_reason ? " -- " : "", x->near_reason ?: "");
		write_list(out, "FALSE POSITIVE on the near miss:", x->near_fired);
	}
	write_list(out, "UNEXPECTED findings (outside every behaviour):", r->unexpected);
	fprintf(out,
		"ringfence: selftest (%s): %zu behaviours: %zu detected, %zu missed, %zu "
		"skipped, %zu failed; near misses: %zu quiet, %zu fired; %zu unexpected; "
		"%llu events, %llu lost, %.1f s: %s\n",
		rf_watch_backend_name(r->backend), r->n, r->detected, r->missed, r->skipped,
		r->failed, r->near_quiet, r->near_fired, strv_length(r->unexpected),
		(unsigned long long)r->events, (unsigned long long)r->lost, r->duration_ns / 1e9,
		rf_selftest_report_ok(r) ? "PASS" : "FAIL");
}
