/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The two renderings of a finding: JSON Lines (ringfence.finding/v1, keys snake_case in the
 * fixed order docs/findings.md lists, absent values as null so every record has every key) and
 * one line of text for terminals, control bytes escaped so a crafted path or argv cannot send
 * escape sequences to the reader's terminal. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/escape.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "ringfence/finding.h"

static void str_or_null(struct rf_json *j, const char *name, const char *s)
{
	rf_json_name(j, name);
	if (s)
		rf_json_string(j, s);
	else
		rf_json_null(j);
}

/* RFC 3339 UTC with nanoseconds; "" when unknown. */
static void format_time(int64_t wall_ns, char *buf, size_t size)
{
	time_t secs = (time_t)(wall_ns / 1000000000);
	struct tm tm;

	buf[0] = '\0';
	if (wall_ns <= 0 || !gmtime_r(&secs, &tm))
		return;
	(void)snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRId64 "Z", tm.tm_year + 1900,
		       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		       wall_ns % 1000000000);
}

static void write_strv(struct rf_json *j, const char *name, char *const *v)
{
	rf_json_name(j, name);
	rf_json_start_array(j);
	for (; v && *v; v++)
		rf_json_string(j, *v);
	rf_json_end_array(j);
}

static void write_proc(struct rf_json *j, const struct rf_finding_proc *p)
{
	rf_json_start_object(j);
	rf_json_int_field(j, "pid", p->pid);
	str_or_null(j, "name", p->name);
	str_or_null(j, "exe", p->exe);
	str_or_null(j, "cmdline", p->cmdline);
	rf_json_name(j, "uid");
	if (p->has_uid)
		rf_json_uint(j, p->uid);
	else
		rf_json_null(j);
	rf_json_end_object(j);
}

int rf_finding_write_json(const struct rf_finding *f, FILE *out)
{
	const struct rf_rule *r = f->rule;
	struct rf_json j;
	char buf[64];

	rf_json_init(&j, out, false);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", RF_FINDING_SCHEMA);
	rf_json_string_field(&j, "record", f->record == RF_RECORD_SUMMARY ? "summary" : "finding");
	rf_json_string_field(&j, "id", f->id);
	format_time(f->wall_ns, buf, sizeof(buf));
	str_or_null(&j, "time", buf[0] ? buf : NULL);
	(void)snprintf(buf, sizeof(buf), "%" PRIu64, f->time_ns);
	rf_json_string_field(&j, "time_ns", buf);
	rf_json_string_field(&j, "rule", rf_rule_name(r));
	rf_json_string_field(&j, "priority", rf_priority_name(rf_rule_priority(r)));
	rf_json_string_field(&j, "finding_type", rf_rule_finding_type(r));
	write_strv(&j, "mitre", rf_rule_mitre(r));
	write_strv(&j, "tags", rf_rule_tags(r));
	rf_json_string_field(&j, "action", rf_rule_action_name(rf_rule_action(r)));
	str_or_null(&j, "message", f->message);
	rf_json_name(&j, "event");
	if (f->record == RF_RECORD_FINDING) {
		rf_json_start_object(&j);
		str_or_null(&j, "type", f->event_type);
		str_or_null(&j, "kind", f->event_kind);
		rf_json_end_object(&j);
	} else {
		rf_json_null(&j);
	}
	rf_json_name(&j, "fields");
	rf_json_start_object(&j);
	for (char *const *p = f->fields; p && p[0] && p[1]; p += 2)
		rf_json_string_field(&j, p[0], p[1]);
	rf_json_end_object(&j);
	rf_json_name(&j, "process");
	if (f->n_procs) {
		rf_json_start_object(&j);
		rf_json_int_field(&j, "pid", f->procs[0].pid);
		str_or_null(&j, "name", f->procs[0].name);
		str_or_null(&j, "exe", f->procs[0].exe);
		str_or_null(&j, "cmdline", f->procs[0].cmdline);
		rf_json_name(&j, "uid");
		if (f->procs[0].has_uid)
			rf_json_uint(&j, f->procs[0].uid);
		else
			rf_json_null(&j);
		rf_json_name(&j, "ancestry");
		rf_json_start_array(&j);
		for (size_t i = 1; i < f->n_procs; i++)
			write_proc(&j, &f->procs[i]);
		rf_json_end_array(&j);
		rf_json_end_object(&j);
	} else {
		rf_json_null(&j);
	}
	rf_json_name(&j, "container");
	if (f->container_id) {
		rf_json_start_object(&j);
		rf_json_string_field(&j, "id", f->container_id);
		str_or_null(&j, "name", f->container_name);
		str_or_null(&j, "image", f->container_image);
		rf_json_end_object(&j);
	} else {
		rf_json_null(&j);
	}
	rf_json_name(&j, "kubernetes");
	if (f->k8s_ns || f->k8s_pod || f->k8s_pod_uid || f->k8s_container) {
		rf_json_start_object(&j);
		str_or_null(&j, "namespace", f->k8s_ns);
		str_or_null(&j, "pod", f->k8s_pod);
		str_or_null(&j, "pod_uid", f->k8s_pod_uid);
		str_or_null(&j, "container", f->k8s_container);
		rf_json_end_object(&j);
	} else {
		rf_json_null(&j);
	}
	rf_json_string_field(&j, "coverage",
			     f->coverage == RF_COVERAGE_PARTIAL ? "partial" : "full");
	rf_json_uint_field(&j, "events_lost", f->events_lost);
	rf_json_bool_field(&j, "drift_evicted", f->drift_evicted);
	rf_json_uint_field(&j, "suppressed_count", f->suppressed_count);
	str_or_null(&j, "rate_key", f->rate_key);
	if (f->action_taken) {
		rf_json_name(&j, "action_taken");
		rf_json_start_object(&j);
		rf_json_string_field(&j, "result", f->action_taken);
		rf_json_uint_field(&j, "latency_us", f->action_latency_ns / 1000);
		rf_json_string_field(&j, "when",
				     f->action_after ? "after the operation"
						     : "before the operation");
		rf_json_end_object(&j);
	}
	rf_json_end_object(&j);
	rf_json_finish(&j);
	return ferror(out) || j.overflow ? -EIO : 0;
}

static void put_escaped(FILE *out, const char *s)
{
	_cleanup_free_ char *safe = rf_escape_controls(s ?: "");

	fputs(safe ?: "?", out);
}

int rf_finding_write_text(const struct rf_finding *f, FILE *out)
{
	const struct rf_rule *r = f->rule;
	char when[64];

	format_time(f->wall_ns, when, sizeof(when));
	fprintf(out, "%s %s %s [", when[0] ? when : "-", rf_priority_name(rf_rule_priority(r)),
		rf_rule_finding_type(r));
	put_escaped(out, rf_rule_name(r));
	fputs("] ", out);
	if (f->record == RF_RECORD_SUMMARY)
		fprintf(out, "%" PRIu64 " findings held back by the rate limit",
			f->suppressed_count);
	else
		put_escaped(out, f->message);
	if (rf_rule_mitre(r)[0]) {
		fputs(" (", out);
		for (char *const *m = rf_rule_mitre(r); *m; m++)
			fprintf(out, "%s%s", m == rf_rule_mitre(r) ? "" : ", ", *m);
		fputs(")", out);
	}
	if (f->record == RF_RECORD_SUMMARY && f->container_id) {
		fputs(" container=", out);
		put_escaped(out, f->container_id);
	}
	if (f->coverage == RF_COVERAGE_PARTIAL)
		fprintf(out, " coverage=partial events_lost=%" PRIu64, f->events_lost);
	if (f->record == RF_RECORD_FINDING && f->suppressed_count)
		fprintf(out, " suppressed=%" PRIu64, f->suppressed_count);
	if (f->action_taken)
		fprintf(out, " action=[%s, %" PRIu64 " us]", f->action_taken,
			f->action_latency_ns / 1000);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

int rf_finding_format_from_string(const char *s, enum rf_finding_format *ret)
{
	if (streq(s, "text"))
		*ret = RF_FINDING_TEXT;
	else if (streq(s, "json"))
		*ret = RF_FINDING_JSON;
	else
		return -EINVAL;
	return 0;
}

int rf_finding_write(const struct rf_finding *f, enum rf_finding_format fmt, FILE *out)
{
	return fmt == RF_FINDING_JSON ? rf_finding_write_json(f, out)
				      : rf_finding_write_text(f, out);
}
