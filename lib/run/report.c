/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `run --report` document, as a consumer of the listener's events: each distinct (arch,
 * syscall, verdict) the profile did not allow, with a count and the first caller. Schema
 * "ringfence.run-report/v1", sorted, deterministic. */
#include <linux/audit.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/arch.h"
#include "core/fileio.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "ringfence/proc.h"
#include "run-internal.h"

#define REPORT_MAX_ENTRIES                                                                         \
	65536 /* distinct (arch, nr, verdict) triples; far above any real use                      \
	       */

/* One notification's event: counted under its (arch, nr, verdict, pre_exec). */
static int report_event(const struct rf_event *ev, void *self)
{
	struct rf_report *rep = self;
	struct rf_denial *d, **items;
	char key[sizeof(d->key)];

	if (ev->kind == RF_EV_GAP) {
		rep->lost += ev->gap.lost;
		return 0;
	}
	if (ev->kind != RF_EV_SYSCALL || !ev->sc.has_verdict)
		return 0;
	(void)snprintf(key, sizeof(key), "%x:%d:%x:%d", ev->sc.id.arch, ev->sc.id.nr,
		       ev->sc.verdict, ev->bootstrap);
	d = rf_hmap_get_str(&rep->index, key);
	if (d) {
		d->count++;
		return 0;
	}
	if (rep->n >= REPORT_MAX_ENTRIES) {
		rep->lost++;
		return 0;
	}
	items = reallocarray(rep->items, rep->n + 1, sizeof(*items));
	d = calloc(1, sizeof(*d));
	if (items)
		rep->items = items;
	if (!items || !d) {
		free(d);
		rep->lost++; /* counted, never silent; the run itself goes on */
		return 0;
	}
	*d = (struct rf_denial){ .arch = ev->sc.id.arch,
				 .nr = ev->sc.id.nr,
				 .verdict = ev->sc.verdict,
				 .count = 1,
				 .first_pid = ev->tgid,
				 .pre_exec = ev->bootstrap };
	memcpy(d->key, key, sizeof(key));
	memcpy(d->first_args, ev->sc.args, sizeof(d->first_args));
	d->first_comm = ev->comm[0] ? strndup(ev->comm, sizeof(ev->comm)) : NULL;
	d->first_exe = ev->proc && ev->proc->exe ? strdup(ev->proc->exe) : NULL;
	if (rf_hmap_put_str(&rep->index, d->key, d, NULL) < 0) {
		free(d->first_comm);
		free(d->first_exe);
		free(d);
		rep->lost++;
		return 0;
	}
	rep->items[rep->n++] = d;
	return 0;
}

static int report_end(const struct rf_recording *rec, void *self)
{
	struct rf_report *rep = self;

	rep->exited = rec->exit_status >= 0;
	rep->wait_status = rec->exit_status;
	return 0;
}

void rf_report_sink(struct rf_report *rep, struct rf_sink *ret)
{
	if (!rep->index.keys)
		rep->index = (struct rf_hmap)RF_HMAP_INIT_STR;
	*ret = (struct rf_sink){ .name = "run report",
				 .want_kinds = RF_EV_BIT(RF_EV_SYSCALL) | RF_EV_BIT(RF_EV_GAP),
				 .need_fields = RF_FIELD_VERDICT,
				 .on_event = report_event,
				 .on_end = report_end,
				 .self = rep };
}

static char *syscall_name(uint32_t arch, int nr)
{
	char *s = seccomp_syscall_resolve_num_arch(arch, nr);
	char *out = NULL;

	if (s)
		return s;
	if (asprintf(&out, "unknown(%d)", nr) < 0)
		return NULL;
	return out;
}

static const char *verdict_action(uint32_t v)
{
	switch (v & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS: return "SCMP_ACT_KILL_PROCESS";
	case SECCOMP_RET_KILL_THREAD: return "SCMP_ACT_KILL_THREAD";
	case SECCOMP_RET_TRAP: return "SCMP_ACT_TRAP";
	case SECCOMP_RET_ERRNO: return "SCMP_ACT_ERRNO";
	case SECCOMP_RET_TRACE: return "SCMP_ACT_TRACE";
	case SECCOMP_RET_LOG: return "SCMP_ACT_LOG";
	case SECCOMP_RET_ALLOW: return "SCMP_ACT_ALLOW";
	default: return "SCMP_ACT_UNKNOWN";
	}
}

struct sorted {
	struct rf_denial *d;
	char *name;
	const char *arch;
};

static int cmp_sorted(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	int c = strcmp(x->name ?: "", y->name ?: "");

	if (c)
		return c;
	c = strcmp(x->arch, y->arch);
	if (c)
		return c;
	return (x->d->verdict > y->d->verdict) - (x->d->verdict < y->d->verdict);
}

static void write_entry(struct rf_json *j, const struct sorted *s)
{
	const struct rf_denial *d = s->d;
	uint32_t act = d->verdict & SECCOMP_RET_ACTION_FULL;

	rf_json_start_object(j);
	rf_json_string_field(j, "syscall", s->name);
	rf_json_string_field(j, "arch", s->arch);
	rf_json_int_field(j, "nr", d->nr);
	rf_json_string_field(j, "action", verdict_action(d->verdict));
	if (act == SECCOMP_RET_ERRNO) {
		int e = (int)(d->verdict & SECCOMP_RET_DATA);
		rf_json_string_field(j, "errno", strerrorname_np(e) ?: "unknown");
	}
	rf_json_uint_field(j, "count", d->count);
	rf_json_bool_field(j, "pre_exec", d->pre_exec);
	rf_json_int_field(j, "first_pid", d->first_pid);
	rf_json_string_field(j, "first_comm", d->first_comm);
	rf_json_string_field(j, "first_exe", d->first_exe);
	rf_json_name(j, "first_args");
	rf_json_start_array(j);
	for (int i = 0; i < 6; i++)
		rf_json_hex(j, d->first_args[i]);
	rf_json_end_array(j);
	rf_json_end_object(j);
}

static void write_exit(struct rf_json *j, const struct rf_report *rep)
{
	rf_json_name(j, "exit");
	rf_json_start_object(j);
	if (!rep->exited) {
		rf_json_string_field(j, "state", "not-started");
	} else if (WIFSIGNALED(rep->wait_status)) {
		rf_json_string_field(j, "state", "signaled");
		rf_json_string_field(j, "signal",
				     sigabbrev_np(WTERMSIG(rep->wait_status)) ?: "unknown");
	} else {
		rf_json_string_field(j, "state", "exited");
		rf_json_int_field(j, "status", WEXITSTATUS(rep->wait_status));
	}
	rf_json_end_object(j);
}

static int write_cb(FILE *f, void *userdata)
{
	const struct rf_report *rep = userdata;
	_cleanup_free_ struct sorted *s = calloc(rep->n ?: 1, sizeof(*s));
	struct rf_json j;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < rep->n; i++) {
		s[i].d = rep->items[i];
		s[i].name = syscall_name(rep->items[i]->arch, rep->items[i]->nr);
		s[i].arch = rf_arch_seccomp_name(rep->items[i]->arch) ?: "unknown";
	}
	qsort_safe(s, rep->n, sizeof(*s), cmp_sorted);
	rf_json_init(&j, f, true);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", "ringfence.run-report/v1");
	rf_json_string_field(&j, "mode", rep->mode);
	rf_json_string_field(&j, "profile", rep->profile);
	rf_json_uint_field(&j, "lost", rep->lost);
	write_exit(&j, rep);
	rf_json_name(&j, "denials");
	rf_json_start_array(&j);
	for (size_t i = 0; i < rep->n; i++)
		write_entry(&j, &s[i]);
	rf_json_end_array(&j);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	for (size_t i = 0; i < rep->n; i++)
		free(s[i].name);
	return 0;
}

int rf_report_write(const struct rf_report *rep, const char *path, struct rf_error *reterr)
{
	return rf_write_file_atomic(path, write_cb, (void *)rep, reterr);
}

void rf_report_done(struct rf_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->items[i]->first_comm);
		free(rep->items[i]->first_exe);
		free(rep->items[i]);
	}
	free(rep->items);
	rep->items = NULL;
	rep->n = 0;
	rf_hmap_done(&rep->index, NULL);
}
