/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Observation: aggregation of events (the observation consumer), merge, and the JSON writer
 * (reader in observation-read.c). Rows are found through hash maps, never by scanning. */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>

#include "arch.h"
#include "fileio.h"
#include "hashmap.h"
#include "json-writer.h"
#include "macro.h"
#include "netnames.h"
#include "strv.h"
#include "ringfence/caps.h"
#include "ringfence/observation.h"
#include "ringfence/proc.h"

/* Multiplexing syscalls whose arguments decide what they do; builders can turn the values seen
 * into argument rules. `index` per arch family: s390's clone swaps its first two arguments. */
static const struct {
	const char *name;
	int idx[RF_OBS_MAX_ARGS];
} multiplexers[] = {
	{ "socket", { 0, 1, -1 } },					/* family, type */
	{ "socketpair", { 0, 1, -1 } },	    { "clone", { 0, -1, -1 } }, /* flags (arg 1 on s390,
									   handled below) */
	{ "unshare", { 0, -1, -1 } },					/* namespace flags */
	{ "personality", { 0, -1, -1 } },   { "prctl", { 0, -1, -1 } }, /* option */
	{ "ioctl", { 1, -1, -1 } },					/* request */
	{ "mprotect", { 2, -1, -1 } }, /* prot: PROT_EXEC matters */
	{ "pkey_mprotect", { 2, -1, -1 } }, { "mmap", { 2, -1, -1 } },	{ "mmap2", { 2, -1, -1 } },
	{ "fcntl", { 1, -1, -1 } },	/* command */
	{ "setsockopt", { 1, 2, -1 } }, /* level, option */
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

struct rf_obs_index {
	struct rf_hmap syscalls; /* (arch << 32 | nr) -> row + 1 */
	struct rf_hmap files;	 /* path -> row + 1 */
};

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t syscall_key(uint32_t arch, int32_t nr)
{
	return (uint64_t)arch << 32 | (uint32_t)nr;
}

/* Built on first use from the arrays, so readers and merges can fill those directly. */
static struct rf_obs_index *index_of(struct rf_observation *o)
{
	struct rf_obs_index *x = o->index;

	if (x)
		return x;
	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->syscalls = (struct rf_hmap)RF_HMAP_INIT_U64;
	x->files = (struct rf_hmap)RF_HMAP_INIT_STR;
	for (size_t i = 0; i < o->n_syscalls; i++)
		if (rf_hmap_put_u64(&x->syscalls,
				    syscall_key(o->syscalls[i].arch, o->syscalls[i].nr),
				    (void *)(uintptr_t)(i + 1), NULL) < 0)
			goto oom;
	for (size_t i = 0; i < o->n_files; i++)
		if (rf_hmap_put_str(&x->files, o->files[i].path, (void *)(uintptr_t)(i + 1), NULL) <
		    0)
			goto oom;
	o->index = x;
	return x;
oom:
	rf_hmap_done(&x->syscalls, NULL);
	rf_hmap_done(&x->files, NULL);
	free(x);
	return NULL;
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
	for (size_t i = 0; i < o->n_files; i++)
		free(o->files[i].path);
	free(o->files);
	free(o->net);
	if (o->index) {
		rf_hmap_done(&o->index->syscalls, NULL);
		rf_hmap_done(&o->index->files, NULL);
		free(o->index);
	}
	free(o);
	return NULL;
}

static struct rf_obs_syscall *find_or_add(struct rf_observation *o, uint32_t arch, int32_t nr,
					  bool *ret_new)
{
	struct rf_obs_index *x = index_of(o);
	struct rf_obs_syscall *n;
	uintptr_t row;
	int idx[RF_OBS_MAX_ARGS];

	*ret_new = false;
	if (!x)
		return NULL;
	row = (uintptr_t)rf_hmap_get_u64(&x->syscalls, syscall_key(arch, nr));
	if (row)
		return &o->syscalls[row - 1];
	n = reallocarray(o->syscalls, o->n_syscalls + 1, sizeof(*n));
	if (!n)
		return NULL;
	o->syscalls = n;
	if (rf_hmap_put_u64(&x->syscalls, syscall_key(arch, nr),
			    (void *)(uintptr_t)(o->n_syscalls + 1), NULL) < 0)
		return NULL;
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
	const struct rf_ev_syscall *sc = &ev->sc;
	bool is_new;
	struct rf_obs_syscall *s = find_or_add(o, sc->id.arch, sc->id.nr, &is_new);

	if (!s)
		return -ENOMEM;
	if (ev->kind == RF_EV_SYSCALL)
		s->count = add_sat(s->count, 1);
	else if (ev->kind == RF_EV_SYSCALL_TOTAL)
		s->count = add_sat(s->count, sc->count);
	if (is_new) {
		/* An RF_EV_ARGS may come first: it still creates the entry, in arrival order. */
		s->first_seen = ++o->seq;
		s->first_pid = ev->tgid;
		s->first_comm = ev->comm[0] ? strndup(ev->comm, sizeof(ev->comm)) : NULL;
		s->first_exe = ev->proc && ev->proc->exe ? strdup(ev->proc->exe) : NULL;
		if (!s->name)
			o->unknown++;
	}
	if (ev->kind == RF_EV_SYSCALL_TOTAL || (ev->kind == RF_EV_SYSCALL && sc->args_elsewhere))
		return 0;
	for (int k = 0; k < RF_OBS_MAX_ARGS; k++) {
		int i = s->args[k].index;

		if (i < 0 || i >= 6)
			continue;
		if (ev->kind == RF_EV_ARGS && !(sc->args_known & (1u << i)))
			continue;
		if (sc->args_known & (1u << i))
			argset_add(&s->args[k], sc->args[i]);
		else
			s->args[k].overflow = true; /* unknown value: no rule can be built on it */
	}
	return 0;
}

static int add_path(struct rf_observation *o, const char *path, uint32_t access, uint64_t count)
{
	struct rf_obs_index *x = index_of(o);
	struct rf_obs_file *n;
	uintptr_t row;

	if (!x)
		return -ENOMEM;
	if (!path || !path[0])
		return 0;
	row = (uintptr_t)rf_hmap_get_str(&x->files, path);
	if (row) {
		n = &o->files[row - 1];
		n->access |= access;
		n->count = add_sat(n->count, count);
		return 0;
	}
	if (o->n_files >= RF_OBS_MAX_FILES) {
		o->files_overflow = true;
		return 0;
	}
	n = reallocarray(o->files, o->n_files + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	o->files = n;
	n = &o->files[o->n_files];
	*n = (struct rf_obs_file){ .path = strdup(path), .access = access, .count = count };
	if (!n->path)
		return -ENOMEM;
	if (rf_hmap_put_str(&x->files, n->path, (void *)(uintptr_t)(o->n_files + 1), NULL) < 0) {
		free(n->path);
		return -ENOMEM;
	}
	o->n_files++;
	return 0;
}

static int add_file(struct rf_observation *o, const struct rf_ev_file *f)
{
	/* A path that does not exist (a library search, a probe for a config file) is nothing a
	 * profile must allow; every other outcome, a refusal included, is an access to keep. */
	int r;

	if (f->has_ret && (f->ret == -ENOENT || f->ret == -ENOTDIR))
		return 0;
	r = add_path(o, f->path, f->access, 1);
	/* The new name of a rename, link or symlink is created (AppArmor: w, or l for a link). */
	if (r >= 0 && f->path2 &&
	    (f->op == RF_FILE_RENAME || f->op == RF_FILE_LINK || f->op == RF_FILE_SYMLINK))
		r = add_path(o, f->path2,
			     f->op == RF_FILE_LINK ? RF_ACC_LINK | RF_ACC_CREATE
						   : RF_ACC_CREATE | RF_ACC_WRITE,
			     1);
	return r;
}

static struct rf_obs_net *find_net(struct rf_observation *o, int family, int type)
{
	struct rf_obs_net *n;

	/* A handful of (family, type) pairs per workload: a scan is the right structure here. */
	for (size_t i = 0; i < o->n_net; i++)
		if (o->net[i].family == family && o->net[i].type == type)
			return &o->net[i];
	n = reallocarray(o->net, o->n_net + 1, sizeof(*n));
	if (!n)
		return NULL;
	o->net = n;
	n = &o->net[o->n_net++];
	*n = (struct rf_obs_net){ .family = family, .type = type };
	return n;
}

static void add_port(struct rf_obs_net *n, uint16_t port)
{
	for (unsigned i = 0; i < n->n_bound_ports; i++)
		if (n->bound_ports[i] == port)
			return;
	if (n->n_bound_ports >= RF_OBS_MAX_PORTS) {
		n->ports_overflow = true;
		return;
	}
	n->bound_ports[n->n_bound_ports++] = port;
}

static int add_net(struct rf_observation *o, const struct rf_ev_net *e)
{
	int family = e->family ?: e->local.family ?: e->remote.family;
	struct rf_obs_net *n;

	if (!family)
		return 0;
	n = find_net(o, family, e->type);
	if (!n)
		return -ENOMEM;
	if (e->op > 0 && e->op < 32)
		n->ops |= UINT32_C(1) << e->op;
	if (e->op == RF_NET_BIND && (family == AF_INET || family == AF_INET6) && e->local.port)
		add_port(n, e->local.port);
	return 0;
}

int rf_obs_add_event(const struct rf_event *ev, void *userdata)
{
	struct rf_observation *o = userdata;

	if (ev->bootstrap) {
		_cleanup_free_ char *name = NULL, *entry = NULL;

		if (ev->kind != RF_EV_SYSCALL)
			return 0;
		name = seccomp_syscall_resolve_num_arch(ev->sc.id.arch, ev->sc.id.nr);
		if (asprintf(&entry, "%s:%s", rf_arch_seccomp_name(ev->sc.id.arch) ?: "unknown",
			     name ?: "unknown") < 0)
			return -ENOMEM;
		return strv_extend_unique(&o->bootstrap, entry);
	}
	switch (ev->kind) {
	case RF_EV_SYSCALL:
	case RF_EV_SYSCALL_TOTAL:
	case RF_EV_ARGS: return add_syscall(o, ev);
	case RF_EV_CAPABILITY:
		if (ev->cap.cap >= 0 && ev->cap.cap < 64)
			*(ev->cap.granted ? &o->caps_used : &o->caps_refused) |= UINT64_C(1)
										 << ev->cap.cap;
		return 0;
	case RF_EV_EXEC: return ev->exec.path ? strv_extend_unique(&o->execs, ev->exec.path) : 0;
	case RF_EV_FILE: return add_file(o, &ev->file);
	case RF_EV_NET: return add_net(o, &ev->net);
	case RF_EV_SIGNAL:
		if (ev->signal.sig > 0 && ev->signal.sig <= 64 && ev->signal.target != ev->tgid)
			o->signals |= UINT64_C(1) << (ev->signal.sig - 1);
		return 0;
	case RF_EV_PTRACE:
		if (ev->ptrace.op > 0 && ev->ptrace.op < 32)
			o->ptrace_ops |= UINT32_C(1) << ev->ptrace.op;
		return 0;
	case RF_EV_GAP: o->lost = add_sat(o->lost, ev->gap.lost); return 0;
	default: return 0;
	}
}

int rf_obs_set_recording(const struct rf_recording *rec, void *userdata)
{
	struct rf_observation *o = userdata;

	if (rec->backend) {
		free(o->backend);
		if (!(o->backend = strdup(rec->backend)))
			return -ENOMEM;
	}
	if (rec->command) {
		strv_free(o->command);
		if (!(o->command = strv_copy(rec->command)))
			return -ENOMEM;
	}
	STRV_FOREACH(f, rec->fast_syscalls)
		if (strv_extend_unique(&o->fast_syscalls, *f) < 0)
			return -ENOMEM;
	o->fast |= rec->fast_syscalls != NULL;
	o->duration_ns = rec->duration_ns;
	o->exit_status = rec->exit_status;
	o->no_new_privs |= rec->no_new_privs;
	o->decoded |= (rec->source_fields & RF_FIELD_PATHS) != 0;
	return 0;
}

void rf_obs_sink(struct rf_observation *o, struct rf_sink *ret)
{
	/* The observation works with whatever a source gives: it needs nothing in particular. */
	*ret = (struct rf_sink){ .name = "observation",
				 .on_event = rf_obs_add_event,
				 .on_end = rf_obs_set_recording,
				 .self = o };
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
		d->count = add_sat(d->count, s->count);
		d->support += s->support;
		for (int k = 0; k < RF_OBS_MAX_ARGS; k++)
			if (d->args[k].index == s->args[k].index)
				join_args(&d->args[k], &s->args[k]);
	}
	STRV_FOREACH(e, src->execs)
		if (strv_extend_unique(&dst->execs, *e) < 0)
			return -ENOMEM;
	STRV_FOREACH(b, src->bootstrap)
		if (strv_extend_unique(&dst->bootstrap, *b) < 0)
			return -ENOMEM;
	STRV_FOREACH(f, src->fast_syscalls)
		if (strv_extend_unique(&dst->fast_syscalls, *f) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < src->n_files; i++) {
		int r = add_path(dst, src->files[i].path, src->files[i].access,
				 src->files[i].count);
		if (r < 0)
			return r;
	}
	dst->decoded |= src->decoded;
	dst->files_overflow |= src->files_overflow;
	for (size_t i = 0; i < src->n_net; i++) {
		const struct rf_obs_net *sn = &src->net[i];
		struct rf_obs_net *dn = find_net(dst, sn->family, sn->type);

		if (!dn)
			return -ENOMEM;
		dn->ops |= sn->ops;
		dn->ports_overflow |= sn->ports_overflow;
		for (unsigned k = 0; k < sn->n_bound_ports; k++)
			add_port(dn, sn->bound_ports[k]);
	}
	dst->signals |= src->signals;
	dst->ptrace_ops |= src->ptrace_ops;
	dst->fast |= src->fast;
	dst->no_new_privs |= src->no_new_privs;
	dst->lost = add_sat(dst->lost, src->lost);
	dst->unknown = add_sat(dst->unknown, src->unknown);
	dst->caps_used |= src->caps_used;
	dst->caps_refused |= src->caps_refused;
	dst->observations += src->observations;
	dst->duration_ns = add_sat(dst->duration_ns, src->duration_ns);
	return 0;
}

static int cmp_syscall(const void *a, const void *b)
{
	const struct rf_obs_syscall *x = *(const struct rf_obs_syscall *const *)a;
	const struct rf_obs_syscall *y = *(const struct rf_obs_syscall *const *)b;
	const char *ax = rf_arch_seccomp_name(x->arch) ?: "",
		   *ay = rf_arch_seccomp_name(y->arch) ?: "";
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
		qsort_safe(sorted, a->n, sizeof(uint64_t), cmp_u64);
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
	STRV_FOREACH(s, v)
		rf_json_string(j, *s);
	rf_json_end_array(j);
}

static int cmp_file(const void *a, const void *b)
{
	const struct rf_obs_file *x = *(const struct rf_obs_file *const *)a;
	const struct rf_obs_file *y = *(const struct rf_obs_file *const *)b;

	return strcmp(x->path, y->path);
}

static int cmp_net(const void *a, const void *b)
{
	const struct rf_obs_net *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return (x->type > y->type) - (x->type < y->type);
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

static void write_access(struct rf_json *j, const char *name, uint32_t bits,
			 const char *(*bit_name)(uint32_t))
{
	rf_json_name(j, name);
	rf_json_start_array(j);
	for (uint32_t b = 1; b; b <<= 1)
		if ((bits & b) && bit_name(b))
			rf_json_string(j, bit_name(b));
	rf_json_end_array(j);
}

static const char *net_op_bit(uint32_t bit)
{
	return rf_net_op_name(__builtin_ctz(bit));
}

static const char *ptrace_op_bit(uint32_t bit)
{
	switch (__builtin_ctz(bit)) {
	case RF_PTRACE_REQUEST: return "trace";
	case RF_PTRACE_VM_READ: return "read";
	case RF_PTRACE_VM_WRITE: return "write";
	case RF_PTRACE_PROC_MEM_WRITE: return "proc-mem-write";
	default: return NULL;
	}
}

/* Files, sockets, signals and ptrace, when the source decodes them (else the keys are absent:
 * "unknown", never an empty "none"). */
static int write_decoded(struct rf_json *j, const struct rf_observation *o)
{
	_cleanup_free_ const struct rf_obs_file **files = NULL;
	_cleanup_free_ struct rf_obs_net *net = NULL;

	if (!o->decoded)
		return 0;
	files = calloc(o->n_files ?: 1, sizeof(*files));
	net = calloc(o->n_net ?: 1, sizeof(*net));
	if (!files || !net)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_files; i++)
		files[i] = &o->files[i];
	qsort_safe(files, o->n_files, sizeof(*files), cmp_file);
	if (o->n_net) /* o->net is NULL when nothing was seen: memcpy(NULL) is UB even for 0 */
		memcpy(net, o->net, o->n_net * sizeof(*net));
	qsort_safe(net, o->n_net, sizeof(*net), cmp_net);
	rf_json_bool_field(j, "files_overflow", o->files_overflow);
	rf_json_name(j, "files");
	rf_json_start_array(j);
	for (size_t i = 0; i < o->n_files; i++) {
		rf_json_start_object(j);
		rf_json_string_field(j, "path", files[i]->path);
		write_access(j, "access", files[i]->access, rf_file_access_name);
		rf_json_uint_field(j, "count", files[i]->count);
		rf_json_end_object(j);
	}
	rf_json_end_array(j);
	rf_json_name(j, "network");
	rf_json_start_array(j);
	for (size_t i = 0; i < o->n_net; i++) {
		char fam[16], typ[16];

		rf_json_start_object(j);
		(void)snprintf(fam, sizeof(fam), "%d", net[i].family);
		(void)snprintf(typ, sizeof(typ), "%d", net[i].type);
		rf_json_string_field(j, "family", rf_af_name(net[i].family) ?: fam);
		rf_json_string_field(j, "type",
				     net[i].type ? rf_socktype_name(net[i].type) ?: typ : NULL);
		write_access(j, "ops", net[i].ops, net_op_bit);
		qsort_safe(net[i].bound_ports, net[i].n_bound_ports, sizeof(uint16_t), cmp_u16);
		rf_json_name(j, "bound_ports");
		rf_json_start_array(j);
		for (unsigned k = 0; k < net[i].n_bound_ports; k++)
			rf_json_uint(j, net[i].bound_ports[k]);
		rf_json_end_array(j);
		rf_json_bool_field(j, "ports_overflow", net[i].ports_overflow);
		rf_json_end_object(j);
	}
	rf_json_end_array(j);
	rf_json_name(j, "signals");
	rf_json_start_array(j);
	for (int sig = 1; sig <= 64; sig++)
		if (o->signals & (UINT64_C(1) << (sig - 1))) {
			char name[16];
			const char *abbrev = sigabbrev_np(sig);

			if (abbrev)
				(void)snprintf(name, sizeof(name), "SIG%s", abbrev);
			else
				(void)snprintf(name, sizeof(name), "%d", sig);
			rf_json_string(j, name);
		}
	rf_json_end_array(j);
	write_access(j, "ptrace", o->ptrace_ops, ptrace_op_bit);
	return 0;
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
	_cleanup_free_ const struct rf_obs_syscall **sorted =
		calloc(o->n_syscalls ?: 1, sizeof(*sorted));
	struct rf_json j;

	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_syscalls; i++)
		sorted[i] = &o->syscalls[i];
	qsort_safe(sorted, o->n_syscalls, sizeof(*sorted), cmp_syscall);
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
	if (write_decoded(&j, o) < 0)
		return -ENOMEM;
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
