/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sink chain of ringfence/sink.h and the event model's names. Dispatch is a loop over at
 * most RF_SINKS_MAX function pointers with a kind mask test: nothing allocates, nothing locks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "ringfence/sink.h"

const char *rf_event_kind_name(enum rf_event_kind kind)
{
	static const char *const names[RF_EV_KIND_MAX] = {
		[RF_EV_SYSCALL] = "syscall",
		[RF_EV_SYSCALL_TOTAL] = "syscall-total",
		[RF_EV_ARGS] = "args",
		[RF_EV_EXEC] = "exec",
		[RF_EV_FORK] = "fork",
		[RF_EV_EXIT] = "exit",
		[RF_EV_CAPABILITY] = "capability",
		[RF_EV_FILE] = "file",
		[RF_EV_NET] = "net",
		[RF_EV_SIGNAL] = "signal",
		[RF_EV_PTRACE] = "ptrace",
		[RF_EV_CRED] = "cred",
		[RF_EV_NAMESPACE] = "namespace",
		[RF_EV_MODULE] = "module",
		[RF_EV_BPF] = "bpf",
		[RF_EV_MEMORY] = "memory",
		[RF_EV_FD] = "fd",
		[RF_EV_GAP] = "gap",
		[RF_EV_K8S_AUDIT] = "k8s-audit",
	};

	return kind > 0 && kind < RF_EV_KIND_MAX && names[kind] ? names[kind] : "unknown";
}

const char *rf_event_field_name(uint32_t field_bit)
{
	switch (field_bit) {
	case RF_FIELD_PER_CALL: return "one event per syscall";
	case RF_FIELD_ARGS: return "syscall arguments";
	case RF_FIELD_RET: return "syscall results";
	case RF_FIELD_TIME: return "event times";
	case RF_FIELD_LOG_TIME: return "log times";
	case RF_FIELD_PROC: return "process identities";
	case RF_FIELD_CGROUP: return "cgroups";
	case RF_FIELD_PATHS: return "file paths";
	case RF_FIELD_VERDICT: return "profile verdicts";
	case RF_FIELD_KERNEL_PATHS: return "kernel-resolved paths";
	default: return "unknown fields";
	}
}

int rf_sinks_add(struct rf_sinks *s, const struct rf_sink *sink)
{
	if (!sink || !sink->on_event)
		return -EINVAL;
	if (s->n >= RF_SINKS_MAX)
		return -E2BIG;
	s->v[s->n++] = *sink;
	return 0;
}

int rf_sinks_begin(struct rf_sinks *s, const struct rf_source_info *src, struct rf_error *reterr)
{
	s->source = src;
	s->error = 0;
	s->failed = NULL;
	s->events = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct rf_sink *k = &s->v[i];
		uint32_t kinds = k->need_kinds & ~src->kinds,
			 fields = k->need_fields & ~src->fields;

		if (kinds) {
			int kind = __builtin_ctz(kinds);
			return rf_error_set(
				reterr, -ENOTSUP,
				"%s needs %s events, which the %s source does not produce",
				k->name ?: "a consumer", rf_event_kind_name(kind),
				src->name ?: "chosen");
		}
		if (fields)
			return rf_error_set(
				reterr, -ENOTSUP,
				"%s needs %s, which the %s source does not provide",
				k->name ?: "a consumer",
				rf_event_field_name(UINT32_C(1) << __builtin_ctz(fields)),
				src->name ?: "chosen");
	}
	return 0;
}

int rf_sinks_emit(const struct rf_event *ev, void *sinks)
{
	struct rf_sinks *s = sinks;
	uint32_t bit = RF_EV_BIT(ev->kind);

	if (s->error < 0)
		return s->error;
	s->events++;
	for (size_t i = 0; i < s->n; i++) {
		const struct rf_sink *k = &s->v[i];
		int r;

		if (k->want_kinds && !(k->want_kinds & bit))
			continue;
		r = k->on_event(ev, k->self);
		if (r < 0) {
			s->error = r;
			s->failed = k->name;
			return r;
		}
	}
	return 0;
}

int rf_sinks_gate(const struct rf_event *ev, void *sinks)
{
	struct rf_sinks *s = sinks;
	uint32_t bit = RF_EV_BIT(ev->kind);

	if (s->error < 0)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct rf_sink *k = &s->v[i];
		int r;

		if (!k->on_gate || (k->want_kinds && !(k->want_kinds & bit)))
			continue;
		r = k->on_gate(ev, k->self);
		if (r > 0)
			return r;
	}
	return 0;
}

bool rf_sinks_has_gate(const struct rf_sinks *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].on_gate)
			return true;
	return false;
}

int rf_sinks_end(struct rf_sinks *s, const struct rf_recording *rec, struct rf_error *reterr)
{
	struct rf_recording with_kinds = *rec;
	int first = 0;

	/* What the source could have produced, as rf_sinks_begin learnt it. */
	if (!with_kinds.source_kinds && s->source)
		with_kinds.source_kinds = s->source->kinds;
	rec = &with_kinds;

	if (s->error < 0)
		first = rf_error_set(reterr, s->error, "%s: %s", s->failed ?: "a consumer",
				     strerror(-s->error));
	for (size_t i = 0; i < s->n; i++) {
		int r;

		if (!s->v[i].on_end)
			continue;
		r = s->v[i].on_end(rec, s->v[i].self);
		if (r < 0 && first >= 0)
			first = rf_error_set(reterr, r, "%s: %s", s->v[i].name ?: "a consumer",
					     strerror(-r));
	}
	return first;
}
