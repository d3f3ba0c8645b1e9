/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Observation: aggregation of events, merge, and the JSON writer (reader in observation-read.c). */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "arch.h"
#include "fileio.h"
#include "json-writer.h"
#include "macro.h"
#include "strv.h"
#include "ringfence/caps.h"
#include "ringfence/observation.h"

/* Multiplexing syscalls whose arguments decide what they do; builders can turn the values seen
 * into argument rules. `index` per arch family: s390's clone swaps its first two arguments. */
static const struct {
	const char *name;
	int idx[RF_OBS_MAX_ARGS];
} multiplexers[] = {
	{ "socket", { 0, 1, -1 } },      /* family, type */
	{ "socketpair", { 0, 1, -1 } },
	{ "clone", { 0, -1, -1 } },      /* flags (arg 1 on s390, handled below) */
	{ "unshare", { 0, -1, -1 } },    /* namespace flags */
	{ "personality", { 0, -1, -1 } },
	{ "prctl", { 0, -1, -1 } },      /* option */
	{ "ioctl", { 1, -1, -1 } },      /* request */
	{ "mprotect", { 2, -1, -1 } },   /* prot: PROT_EXEC matters */
	{ "pkey_mprotect", { 2, -1, -1 } },
	{ "mmap", { 2, -1, -1 } },
	{ "mmap2", { 2, -1, -1 } },
	{ "fcntl", { 1, -1, -1 } },      /* command */
	{ "setsockopt", { 1, 2, -1 } },  /* level, option */
};

int rf_obs_tracked_args(const char *name, uint32_t arch, int ret_idx[RF_OBS_MAX_ARGS])
{
	for (size_t i = 0; name && i < ELEMENTSOF(multiplexers); i++) {
		if (!streq(name, multiplexers[i].name))
			continue;
		memcpy(ret_idx, multiplexers[i].idx, sizeof(multiplexers[i].idx));
		if (streq(name, "clone") && (arch == SCMP_ARCH_S390 || arch == SCMP_ARCH_S390X))
			ret_idx[0] = 1;
		return 1;
	}
	for (int k = 0; k < RF_OBS_MAX_ARGS; k++)
		ret_idx[k] = -1;
	return 0;
}

struct rf_observation *rf_obs_new(void)
{
	struct rf_observation *o = calloc(1, sizeof(*o));
	struct utsname u;

	if (!o)
		return NULL;
	o->native_arch = rf_arch_native();
	o->exit_status = -1;
	o->observations = 1;
	if (uname(&u) == 0)
		o->kernel = strdup(u.release);
	return o;
}

static void syscall_done(struct rf_obs_syscall *s)
{
	free(s->name);
	free(s->first_comm);
	free(s->first_exe);
}

struct rf_observation *rf_obs_free(struct rf_observation *o)
{
	if (!o)
		return NULL;
	strv_free(o->command);
	free(o->backend);
	free(o->kernel);
	strv_free(o->fast_syscalls);
	for (size_t i = 0; i < o->n_syscalls; i++)
		syscall_done(&o->syscalls[i]);
	free(o->syscalls);
	strv_free(o->execs);
	strv_free(o->bootstrap);
	free(o);
	return NULL;
}

static struct rf_obs_syscall *find_or_add(struct rf_observation *o, uint32_t arch, int32_t nr,
					  bool *ret_new)
{
	struct rf_obs_syscall *n;
	int idx[RF_OBS_MAX_ARGS];

	*ret_new = false;
	for (size_t i = 0; i < o->n_syscalls; i++)
		if (o->syscalls[i].arch == arch && o->syscalls[i].nr == nr)
			return &o->syscalls[i];
	n = reallocarray(o->syscalls, o->n_syscalls + 1, sizeof(*n));
	if (!n)
		return NULL;
	o->syscalls = n;
	n = &o->syscalls[o->n_syscalls++];
	*n = (struct rf_obs_syscall){ .arch = arch, .nr = nr, .support = 1 };
	n->name = seccomp_syscall_resolve_num_arch(arch, nr);
	rf_obs_tracked_args(n->name, arch, idx);
	for (int k = 0; k < RF_OBS_MAX_ARGS; k++)
		n->args[k].index = idx[k];
	*ret_new = true;
	return n;
}

static void argset_add(struct rf_obs_argset *a, uint64_t v)
{
	if (a->index < 0 || a->overflow)
		return;
	for (unsigned i = 0; i < a->n; i++)
		if (a->values[i] == v)
			return;
	if (a->n >= RF_OBS_MAX_ARG_VALUES) {
		a->overflow = true;
		return;
	}
	a->values[a->n++] = v;
}

static int add_syscall(struct rf_observation *o, const struct rf_event *ev)
{
	bool is_new;
	struct rf_obs_syscall *s = find_or_add(o, ev->sc.arch, ev->sc.nr, &is_new);

	if (!s)
		return -ENOMEM;
	if (ev->kind == RF_EV_SYSCALL)
		s->count += ev->count ? ev->count : 1;
	if (is_new) {
		/* An RF_EV_ARGS may come first: it still creates the entry, in arrival order. */
		s->first_seen = ++o->seq;
		s->first_pid = ev->pid;
		s->first_comm = ev->comm[0] ? strndup(ev->comm, sizeof(ev->comm)) : NULL;
		s->first_exe = ev->exe ? strdup(ev->exe) : NULL;
		if (!s->name)
			o->unknown++;
	}
	for (int k = 0; k < RF_OBS_MAX_ARGS; k++) {
		int i = s->args[k].index;

		if (i < 0 || i >= 6 || (ev->kind == RF_EV_SYSCALL && ev->args_elsewhere))
			continue;
		if (ev->kind == RF_EV_ARGS && !(ev->args_known & (1u << i)))
			continue;
		if (ev->args_known & (1u << i))
			argset_add(&s->args[k], ev->args[i]);
		else
			s->args[k].overflow = true; /* unknown value: no rule can be built on it */
	}
	return 0;
}

int rf_obs_add_event(const struct rf_event *ev, void *userdata)
{
	struct rf_observation *o = userdata;

	if (ev->bootstrap) {
		_cleanup_free_ char *name = NULL, *entry = NULL;

		if (ev->kind != RF_EV_SYSCALL)
			return 0;
		name = seccomp_syscall_resolve_num_arch(ev->sc.arch, ev->sc.nr);
		if (asprintf(&entry, "%s:%s", rf_arch_seccomp_name(ev->sc.arch) ?: "unknown",
			     name ?: "unknown") < 0)
			return -ENOMEM;
		return strv_extend_unique(&o->bootstrap, entry);
	}
	switch (ev->kind) {
	case RF_EV_SYSCALL:
	case RF_EV_ARGS:
		return add_syscall(o, ev);
	case RF_EV_CAPABILITY:
		if (ev->cap >= 0 && ev->cap < 64)
			*(ev->cap_granted ? &o->caps_used : &o->caps_refused) |= UINT64_C(1) << ev->cap;
		return 0;
	case RF_EV_EXEC:
		return ev->path ? strv_extend_unique(&o->execs, ev->path) : 0;
	case RF_EV_GAP:
		o->lost += ev->lost;
		return 0;
	default:
		return 0;
	}
}

static void join_args(struct rf_obs_argset *dst, const struct rf_obs_argset *src)
{
	if (src->overflow)
		dst->overflow = true;
	for (unsigned i = 0; i < src->n; i++)
		argset_add(dst, src->values[i]);
}

int rf_obs_merge(struct rf_observation *dst, const struct rf_observation *src)
{
	for (size_t i = 0; i < src->n_syscalls; i++) {
		const struct rf_obs_syscall *s = &src->syscalls[i];
		bool is_new;
		struct rf_obs_syscall *d = find_or_add(dst, s->arch, s->nr, &is_new);

		if (!d)
			return -ENOMEM;
		if (is_new) {
			d->support = 0;
			d->first_seen = ++dst->seq;
			d->first_pid = s->first_pid;
			d->first_comm = s->first_comm ? strdup(s->first_comm) : NULL;
			d->first_exe = s->first_exe ? strdup(s->first_exe) : NULL;
		}
		d->count += s->count;
		d->support += s->support;
		for (int k = 0; k < RF_OBS_MAX_ARGS; k++)
			if (d->args[k].index == s->args[k].index)
				join_args(&d->args[k], &s->args[k]);
	}
	STRV_FOREACH (e, src->execs)
		if (strv_extend_unique(&dst->execs, *e) < 0)
			return -ENOMEM;
	STRV_FOREACH (b, src->bootstrap)
		if (strv_extend_unique(&dst->bootstrap, *b) < 0)
			return -ENOMEM;
	STRV_FOREACH (f, src->fast_syscalls)
		if (strv_extend_unique(&dst->fast_syscalls, *f) < 0)
			return -ENOMEM;
	dst->fast |= src->fast;
	dst->no_new_privs |= src->no_new_privs;
	dst->lost += src->lost;
	dst->unknown += src->unknown;
	dst->caps_used |= src->caps_used;
	dst->caps_refused |= src->caps_refused;
	dst->observations += src->observations;
	dst->duration_ns += src->duration_ns;
	return 0;
}

static int cmp_syscall(const void *a, const void *b)
{
	const struct rf_obs_syscall *x = *(const struct rf_obs_syscall *const *)a;
	const struct rf_obs_syscall *y = *(const struct rf_obs_syscall *const *)b;
	const char *ax = rf_arch_seccomp_name(x->arch) ?: "", *ay = rf_arch_seccomp_name(y->arch) ?: "";
	int c = strcmp(ax, ay);

	if (c)
		return c;
	if (x->name && y->name && (c = strcmp(x->name, y->name)))
		return c;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void write_syscall(struct rf_json *j, const struct rf_obs_syscall *s)
{
	rf_json_start_object(j);
	rf_json_string_field(j, "arch", rf_arch_seccomp_name(s->arch) ?: "unknown");
	rf_json_string_field(j, "name", s->name);
	rf_json_int_field(j, "nr", s->nr);
	rf_json_uint_field(j, "count", s->count);
	rf_json_uint_field(j, "first_seen", s->first_seen);
	rf_json_uint_field(j, "support", s->support);
	rf_json_int_field(j, "first_pid", s->first_pid);
	rf_json_string_field(j, "first_comm", s->first_comm);
	rf_json_string_field(j, "first_exe", s->first_exe);
	rf_json_name(j, "args");
	rf_json_start_array(j);
	for (int k = 0; k < RF_OBS_MAX_ARGS; k++) {
		uint64_t sorted[RF_OBS_MAX_ARG_VALUES];
		const struct rf_obs_argset *a = &s->args[k];

		if (a->index < 0)
			continue;
		memcpy(sorted, a->values, a->n * sizeof(uint64_t));
		qsort(sorted, a->n, sizeof(uint64_t), cmp_u64);
		rf_json_start_object(j);
		rf_json_int_field(j, "index", a->index);
		rf_json_bool_field(j, "overflow", a->overflow);
		rf_json_name(j, "values");
		rf_json_start_array(j);
		for (unsigned i = 0; i < a->n; i++)
			rf_json_hex(j, sorted[i]);
		rf_json_end_array(j);
		rf_json_end_object(j);
	}
	rf_json_end_array(j);
	rf_json_end_object(j);
}

static void write_strv(struct rf_json *j, const char *name, char *const *v)
{
	rf_json_name(j, name);
	rf_json_start_array(j);
	STRV_FOREACH (s, v)
		rf_json_string(j, *s);
	rf_json_end_array(j);
}

/* Capability checks seen (eBPF cap_capable): granted and refused, by name. */
static void write_caps(struct rf_json *j, const struct rf_observation *o)
{
	_cleanup_strv_free_ char **used = NULL, **refused = NULL;

	(void)rf_caps_to_names(o->caps_used, &used);
	(void)rf_caps_to_names(o->caps_refused, &refused);
	rf_json_name(j, "capabilities");
	rf_json_start_object(j);
	write_strv(j, "used", used);
	write_strv(j, "refused", refused);
	rf_json_end_object(j);
}

static void write_recording(struct rf_json *j, const struct rf_observation *o)
{
	rf_json_name(j, "recording");
	rf_json_start_object(j);
	write_strv(j, "command", o->command);
	rf_json_string_field(j, "backend", o->backend);
	rf_json_string_field(j, "kernel", o->kernel);
	rf_json_string_field(j, "native_arch", rf_arch_seccomp_name(o->native_arch));
	rf_json_bool_field(j, "no_new_privs", o->no_new_privs);
	rf_json_bool_field(j, "fast", o->fast);
	write_strv(j, "fast_syscalls", o->fast_syscalls);
	rf_json_uint_field(j, "duration_ns", o->duration_ns);
	rf_json_int_field(j, "exit_status", o->exit_status);
	rf_json_uint_field(j, "lost", o->lost);
	rf_json_uint_field(j, "unknown", o->unknown);
	write_strv(j, "bootstrap_syscalls", o->bootstrap);
	rf_json_end_object(j);
}

int rf_obs_write(const struct rf_observation *o, FILE *out, struct rf_error *reterr)
{
	_cleanup_free_ const struct rf_obs_syscall **sorted = calloc(o->n_syscalls ?: 1,
								      sizeof(*sorted));
	struct rf_json j;

	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_syscalls; i++)
		sorted[i] = &o->syscalls[i];
	qsort(sorted, o->n_syscalls, sizeof(*sorted), cmp_syscall);
	rf_json_init(&j, out, true);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", "ringfence.observation/v1");
	rf_json_uint_field(&j, "observations", o->observations);
	write_recording(&j, o);
	rf_json_name(&j, "syscalls");
	rf_json_start_array(&j);
	for (size_t i = 0; i < o->n_syscalls; i++)
		write_syscall(&j, sorted[i]);
	rf_json_end_array(&j);
	write_strv(&j, "execs", o->execs);
	write_caps(&j, o);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	return 0;
}

struct wargs {
	const struct rf_observation *o;
	struct rf_error *err;
};

static int write_cb(FILE *f, void *userdata)
{
	struct wargs *w = userdata;

	return rf_obs_write(w->o, f, w->err);
}

int rf_obs_write_file(const struct rf_observation *o, const char *path, struct rf_error *reterr)
{
	struct wargs w = { o, reterr };

	return rf_write_file_atomic(path, write_cb, &w, reterr);
}
