/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "ringfence.baseline/v1" writer: workloads by key, every set in its sorted order, so the
 * same behaviour gives the same bytes whatever order the events came in (docs/baseline.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline-internal.h"
#include "core/arch.h"
#include "core/fileio.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/caps.h"

/* "192.0.2.7:443", "192.0.2.0/24:53", "[2001:db8::1]:443", "[2001:db8::/64]:443". */
static void format_dest(const struct bl_dest *d, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "";
	bool v4 = bl_addr_is_v4(d->addr);

	if (v4)
		(void)inet_ntop(AF_INET, d->addr + 12, a, sizeof(a));
	else
		(void)inet_ntop(AF_INET6, d->addr, a, sizeof(a));
	if (v4 && d->len == 128)
		(void)snprintf(buf, size, "%s:%u", a, d->port);
	else if (v4)
		(void)snprintf(buf, size, "%s/%u:%u", a, d->len - 96u, d->port);
	else if (d->len == 128)
		(void)snprintf(buf, size, "[%s]:%u", a, d->port);
	else
		(void)snprintf(buf, size, "[%s/%u]:%u", a, d->len, d->port);
}

static int write_item(struct rf_json *j, enum rf_baseline_set s, const void *e)
{
	char buf[128];

	switch (s) {
	case RF_BL_EXECUTABLES: {
		const struct bl_exe *x = e;

		rf_json_start_object(j);
		rf_json_string_field(j, "path", x->path);
		if (x->has_id) {
			rf_json_name(j, "dev");
			rf_json_hex(j, x->dev);
			rf_json_name(j, "ino");
			rf_json_hex(j, x->ino);
		} else if (x->id_varies) {
			rf_json_bool_field(j, "id_varies", true);
		}
		rf_json_end_object(j);
		return 0;
	}
	case RF_BL_EDGES:
		rf_json_start_object(j);
		rf_json_string_field(j, "parent", ((const struct bl_edge *)e)->parent);
		rf_json_string_field(j, "child", ((const struct bl_edge *)e)->child);
		rf_json_end_object(j);
		return 0;
	case RF_BL_LISTEN: rf_json_uint(j, *(const uint16_t *)e); return 0;
	case RF_BL_CONNECT:
		format_dest(e, buf, sizeof(buf));
		rf_json_string(j, buf);
		return 0;
	case RF_BL_CAPABILITIES: {
		_cleanup_strv_free_ char **names = NULL;
		int32_t cap = *(const int32_t *)e;

		/* libcap names a capability it does not know by its number ("41"). */
		if (cap < 64 && rf_caps_to_names(UINT64_C(1) << cap, &names) >= 0 && names &&
		    names[0] && !strncmp(names[0], "CAP_", 4))
			rf_json_string(j, names[0]);
		else
			rf_json_int(j, cap); /* a capability this libcap cannot name */
		return 0;
	}
	case RF_BL_SYSCALLS: {
		const struct bl_sys *x = e;
		const char *arch = rf_arch_seccomp_name(x->arch) ?: "unknown";
		_cleanup_free_ char *name =
			x->nr >= 0 ? seccomp_syscall_resolve_num_arch(x->arch, x->nr) : NULL;

		/* A number this libseccomp cannot name is written as the number. */
		if (x->nr < 0)
			(void)snprintf(buf, sizeof(buf), "%s:%s", arch, x->name);
		else if (name)
			(void)snprintf(buf, sizeof(buf), "%s:%s", arch, name);
		else
			(void)snprintf(buf, sizeof(buf), "%s:%d", arch, x->nr);
		rf_json_string(j, buf);
		return 0;
	}
	default: rf_json_string(j, *(char *const *)e); return 0;
	}
}

static void write_set(struct rf_json *j, enum rf_baseline_set s, const struct bl_set *set)
{
	rf_json_name(j, rf_baseline_set_name(s));
	rf_json_start_object(j);
	rf_json_bool_field(j, "recorded", set->recorded);
	rf_json_bool_field(j, "saturated", set->saturated);
	if (s == RF_BL_CONNECT)
		rf_json_bool_field(j, "collapsed", set->collapsed);
	rf_json_name(j, "items");
	rf_json_start_array(j);
	for (size_t i = 0; i < set->n; i++)
		write_item(j, s, (const char *)set->v + i * bl_elem_size(s));
	rf_json_end_array(j);
	rf_json_end_object(j);
}

static void write_budgets(struct rf_json *j, const struct rf_baseline_budgets *bg)
{
	rf_json_name(j, "budgets");
	rf_json_start_object(j);
	rf_json_uint_field(j, "workloads", bg->workloads);
	for (int s = 0; s < RF_BL_SETS; s++)
		rf_json_uint_field(j, rf_baseline_set_name((enum rf_baseline_set)s),
				   bl_budget(bg, (enum rf_baseline_set)s));
	rf_json_uint_field(j, "connect_prefixes", bg->connect_prefixes);
	rf_json_end_object(j);
}

static int cmp_workload(const void *a, const void *b)
{
	return strcmp((*(struct rf_baseline_workload *const *)a)->key,
		      (*(struct rf_baseline_workload *const *)b)->key);
}

int rf_baseline_write(const struct rf_baseline *b, FILE *out, bool pretty, struct rf_error *reterr)
{
	_cleanup_free_ struct rf_baseline_workload **sorted = calloc(b->n ?: 1, sizeof(*sorted));
	struct rf_json j;

	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, b->v, b->n * sizeof(*sorted));
	if (b->n)
		qsort_safe(sorted, b->n, sizeof(*sorted), cmp_workload);
	rf_json_init(&j, out, pretty);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", RF_BASELINE_SCHEMA);
	rf_json_name(&j, "learned");
	rf_json_start_object(&j);
	rf_json_name(&j, "backends");
	rf_json_start_array(&j);
	STRV_FOREACH(s, b->backends)
		rf_json_string(&j, *s);
	rf_json_end_array(&j);
	rf_json_uint_field(&j, "documents", b->documents);
	rf_json_uint_field(&j, "duration_ns", b->duration_ns);
	rf_json_uint_field(&j, "events", b->events);
	rf_json_uint_field(&j, "lost", b->lost);
	rf_json_end_object(&j);
	write_budgets(&j, &b->budgets);
	rf_json_bool_field(&j, "workloads_saturated", b->workloads_saturated);
	rf_json_name(&j, "workloads");
	rf_json_start_array(&j);
	for (size_t i = 0; i < b->n; i++) {
		const struct rf_baseline_workload *w = sorted[i];

		rf_json_start_object(&j);
		rf_json_string_field(&j, "key", w->key);
		rf_json_uint_field(&j, "events", w->events);
		for (int s = 0; s < RF_BL_SETS; s++)
			write_set(&j, (enum rf_baseline_set)s, &w->sets[s]);
		rf_json_end_object(&j);
	}
	rf_json_end_array(&j);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	if (ferror(out))
		return rf_error_set(reterr, -EIO, "writing the baseline: %s", strerror(EIO));
	return 0;
}

struct wargs {
	const struct rf_baseline *b;
	struct rf_error *err;
};

static int write_cb(FILE *f, void *userdata)
{
	struct wargs *w = userdata;

	return rf_baseline_write(w->b, f, true, w->err);
}

int rf_baseline_write_file(const struct rf_baseline *b, const char *path, struct rf_error *reterr)
{
	struct wargs w = { b, reterr };

	return rf_write_file_atomic(path, write_cb, &w, reterr);
}
