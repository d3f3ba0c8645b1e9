/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading "ringfence.observation/v1" documents back (for generate and merge), through the
 * document layer: strict on what it uses (types, ranges, the schema; every error located), and
 * tolerant of keys it does not know, so newer writers with extra fields stay readable. */
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "doc.h"
#include "fileio.h"
#include "macro.h"
#include "netnames.h"
#include "strv.h"
#include "ringfence/caps.h"
#include "ringfence/log.h"
#include "ringfence/observation.h"

#define OBS_MAX_BYTES (256u << 20)
#define OBS_MAX_LIST  1000000u /* entries of any one list: far above RF_OBS_MAX_FILES */

static int num(struct rf_doc *d, struct fy_node *map, const char *key, int64_t min, int64_t max,
	       int64_t *ret)
{
	return rf_doc_i64(d, rf_doc_need(d, map, "observation", key), key, min, max, ret);
}

/* An optional number: left alone when absent. */
static int opt_num(struct rf_doc *d, struct fy_node *map, const char *key, int64_t min, int64_t max,
		   int64_t *ret)
{
	struct fy_node *n = rf_doc_get(d, map, key);

	return n ? rf_doc_i64(d, n, key, min, max, ret) : 0;
}

static int opt_bool(struct rf_doc *d, struct fy_node *map, const char *key, bool *ret)
{
	struct fy_node *n = rf_doc_get(d, map, key);

	return n ? rf_doc_bool(d, n, key, ret) : 0;
}

static int hex(struct rf_doc *d, struct fy_node *n, uint64_t *ret)
{
	const char *s;
	char *end = NULL;
	int r = rf_doc_str(d, n, "args.values", &s, NULL);

	if (r < 0)
		return r;
	if (strncmp(s, "0x", 2) != 0 || !s[2])
		return rf_doc_fail(d, n, "args.values: '%s' is not a 0x-hex string", s);
	errno = 0;
	*ret = strtoull(s + 2, &end, 16);
	return errno || !end || *end
		       ? rf_doc_fail(d, n, "args.values: '%s' is not a 64-bit value", s)
		       : 0;
}

static int read_args(struct rf_doc *d, struct fy_node *n, struct rf_obs_syscall *s)
{
	struct fy_node *item;
	void *it = NULL;
	int slot = 0, r;

	for (int k = 0; k < RF_OBS_MAX_ARGS; k++)
		s->args[k].index = -1;
	if (!n)
		return 0;
	if (rf_doc_expect_seq(d, n, "args") < 0)
		return -EINVAL;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct rf_obs_argset *a;
		struct fy_node *v, *vals;
		void *vit = NULL;
		int64_t idx;

		if (slot >= RF_OBS_MAX_ARGS)
			return rf_doc_fail(d, item, "args: more than %d entries", RF_OBS_MAX_ARGS);
		a = &s->args[slot++];
		if ((r = num(d, item, "index", 0, 5, &idx)) < 0 ||
		    (r = opt_bool(d, item, "overflow", &a->overflow)) < 0)
			return r;
		a->index = (int)idx;
		vals = rf_doc_need(d, item, "args", "values");
		if (rf_doc_expect_seq(d, vals, "args.values") < 0)
			return -EINVAL;
		while ((v = fy_node_sequence_iterate(vals, &vit))) {
			if (a->n >= RF_OBS_MAX_ARG_VALUES)
				return rf_doc_fail(d, v, "args.values: more than %d values",
						   RF_OBS_MAX_ARG_VALUES);
			if ((r = hex(d, v, &a->values[a->n++])) < 0)
				return r;
		}
	}
	return 0;
}

static int read_syscall(struct rf_doc *d, struct fy_node *n, struct rf_obs_syscall *s)
{
	_cleanup_free_ char *arch = NULL, *name = NULL;
	struct fy_node *name_node;
	int64_t v;
	int r;

	if (rf_doc_expect_map(d, n, "a syscall entry") < 0)
		return -EINVAL;
	if ((r = rf_doc_strdup(d, rf_doc_need(d, n, "syscall", "arch"), "arch", &arch)) < 0)
		return r;
	if (!(s->arch = rf_arch_from_name(arch)))
		return rf_doc_fail(d, rf_doc_get(d, n, "arch"), "arch: unknown architecture '%s'",
				   arch);
	if ((r = num(d, n, "nr", 0, INT32_MAX, &v)) < 0)
		return r;
	s->nr = (int32_t)v;
	name_node = rf_doc_get(d, n, "name");
	if ((r = rf_doc_strdup_opt(d, name_node, "name", &name)) < 0)
		return r;
	/* The name is recomputed from (arch, nr) with this libseccomp; a recorded name this
	 * libseccomp does not know is kept so nothing is lost. A name that contradicts the
	 * number is said: the number wins (it is what the kernel saw). */
	s->name = seccomp_syscall_resolve_num_arch(s->arch, s->nr);
	if (s->name && name && !streq(s->name, name)) {
		unsigned line, col;

		rf_doc_loc(name_node, &line, &col);
		rf_log(RF_LOG_WARNING,
		       "%s:%u: syscall %d is '%s' on %s, not '%s' as written: "
		       "using '%s'",
		       d->source, line, s->nr, s->name, arch, name, s->name);
	}
	if (!s->name)
		s->name = TAKE_PTR(name);
	/* Counts saturate at UINT64_MAX when merged: read back all of that range. */
	if ((r = rf_doc_u64(d, rf_doc_need(d, n, "syscall", "count"), "count", UINT64_MAX,
			    &s->count)) < 0)
		return r;
	if ((r = num(d, n, "first_seen", 0, INT64_MAX, &v)) < 0)
		return r;
	s->first_seen = (uint64_t)v;
	if ((r = num(d, n, "support", 1, INT32_MAX, &v)) < 0)
		return r;
	s->support = (unsigned)v;
	v = 0;
	if ((r = opt_num(d, n, "first_pid", 0, INT32_MAX, &v)) < 0)
		return r;
	s->first_pid = (pid_t)v;
	if ((r = rf_doc_strdup_opt(d, rf_doc_get(d, n, "first_comm"), "first_comm",
				   &s->first_comm)) < 0 ||
	    (r = rf_doc_strdup_opt(d, rf_doc_get(d, n, "first_exe"), "first_exe", &s->first_exe)) <
		    0)
		return r;
	return read_args(d, rf_doc_get(d, n, "args"), s);
}

static int opt_strv(struct rf_doc *d, struct fy_node *map, const char *key, char ***ret)
{
	_cleanup_strv_free_ char **v = NULL;
	struct fy_node *n = rf_doc_get(d, map, key);
	int r;

	if (!n)
		return 0;
	r = rf_doc_strv(d, n, key, OBS_MAX_LIST, &v);
	if (r < 0)
		return r;
	STRV_FOREACH(s, v)
		if ((r = strv_extend(ret, *s)) < 0)
			return r;
	return 0;
}

static int read_recording(struct rf_doc *d, struct fy_node *rec, struct rf_observation *o)
{
	_cleanup_free_ char *native = NULL;
	int64_t v;
	int r;

	rec = rf_doc_need(d, rec, "observation", "recording");
	if (rf_doc_expect_map(d, rec, "recording") < 0)
		return -EINVAL;
	free(o->kernel);
	o->kernel = NULL;
	if ((r = opt_strv(d, rec, "command", &o->command)) < 0 ||
	    (r = rf_doc_strdup_opt(d, rf_doc_get(d, rec, "backend"), "backend", &o->backend)) < 0 ||
	    (r = rf_doc_strdup_opt(d, rf_doc_get(d, rec, "kernel"), "kernel", &o->kernel)) < 0 ||
	    (r = rf_doc_strdup_opt(d, rf_doc_get(d, rec, "native_arch"), "native_arch", &native)) <
		    0 ||
	    (r = opt_strv(d, rec, "fast_syscalls", &o->fast_syscalls)) < 0 ||
	    (r = opt_strv(d, rec, "bootstrap_syscalls", &o->bootstrap)) < 0 ||
	    (r = opt_bool(d, rec, "no_new_privs", &o->no_new_privs)) < 0 ||
	    (r = opt_bool(d, rec, "fast", &o->fast)) < 0)
		return r;
	if (native && !(o->native_arch = rf_arch_from_name(native)))
		return rf_doc_fail(d, rf_doc_get(d, rec, "native_arch"),
				   "native_arch: unknown architecture '%s'", native);
	v = 0;
	if ((r = opt_num(d, rec, "duration_ns", 0, INT64_MAX, &v)) < 0)
		return r;
	o->duration_ns = (uint64_t)v;
	if (rf_doc_get(d, rec, "lost") &&
	    (r = rf_doc_u64(d, rf_doc_get(d, rec, "lost"), "lost", UINT64_MAX, &o->lost)) < 0)
		return r;
	v = -1;
	if ((r = opt_num(d, rec, "exit_status", -1, INT32_MAX, &v)) < 0)
		return r;
	o->exit_status = (int)v;
	return 0;
}

/* A list of names, each turned into one bit by `from_name` (0: unknown). */
static int read_bits(struct rf_doc *d, struct fy_node *n, const char *what,
		     uint32_t (*from_name)(const char *), uint32_t *ret)
{
	_cleanup_strv_free_ char **names = NULL;
	int r = rf_doc_strv(d, n, what, 64, &names);

	if (r < 0)
		return r;
	STRV_FOREACH(s, names) {
		uint32_t bit = from_name(*s);

		if (!bit)
			return rf_doc_fail(d, n, "%s: unknown value '%s'", what, *s);
		*ret |= bit;
	}
	return 0;
}

static uint32_t net_op_from(const char *s)
{
	int op = rf_net_op_from_name(s);

	return op > 0 ? UINT32_C(1) << op : 0;
}

static uint32_t ptrace_op_from(const char *s)
{
	int op = streq(s, "trace")	      ? RF_PTRACE_REQUEST
		 : streq(s, "read")	      ? RF_PTRACE_VM_READ
		 : streq(s, "write")	      ? RF_PTRACE_VM_WRITE
		 : streq(s, "proc-mem-write") ? RF_PTRACE_PROC_MEM_WRITE
					      : 0;

	return op ? UINT32_C(1) << op : 0;
}

static int read_file_entry(struct rf_doc *d, size_t i, struct fy_node *item, void *userdata)
{
	struct rf_observation *o = userdata;
	struct rf_obs_file *f = &o->files[o->n_files];
	int r;

	if (rf_doc_expect_map(d, item, "a file entry") < 0)
		return -EINVAL;
	if ((r = rf_doc_strdup(d, rf_doc_need(d, item, "file", "path"), "path", &f->path)) < 0)
		return r;
	o->n_files++; /* owned from here on */
	if ((r = read_bits(d, rf_doc_get(d, item, "access"), "access", rf_file_access_from_name,
			   &f->access)) < 0 ||
	    (r = rf_doc_u64(d, rf_doc_need(d, item, "file", "count"), "count", UINT64_MAX,
			    &f->count)) < 0)
		return r;
	return 0;
}

static int read_net_entry(struct rf_doc *d, size_t i, struct fy_node *item, void *userdata)
{
	struct rf_observation *o = userdata;
	struct rf_obs_net *n = &o->net[o->n_net];
	struct fy_node *fam, *typ, *ports, *p;
	const char *s;
	void *it = NULL;
	int r;

	if (rf_doc_expect_map(d, item, "a network entry") < 0)
		return -EINVAL;
	fam = rf_doc_need(d, item, "network", "family");
	if ((r = rf_doc_str(d, fam, "family", &s, NULL)) < 0)
		return r;
	n->family = rf_af_from_name(s);
	if (n->family < 0) {
		char *end = NULL;
		long v = strtol(s, &end, 10);

		if (!*s || *end || v <= 0 || v > 255)
			return rf_doc_fail(d, fam, "family: unknown address family '%s'", s);
		n->family = (int)v;
	}
	typ = rf_doc_get(d, item, "type");
	if (typ) {
		if ((r = rf_doc_str(d, typ, "type", &s, NULL)) < 0)
			return r;
		n->type = rf_socktype_from_name(s);
		if (n->type <= 0)
			return rf_doc_fail(d, typ, "type: unknown socket type '%s'", s);
	}
	if ((r = read_bits(d, rf_doc_get(d, item, "ops"), "ops", net_op_from, &n->ops)) < 0 ||
	    (r = opt_bool(d, item, "ports_overflow", &n->ports_overflow)) < 0)
		return r;
	ports = rf_doc_get(d, item, "bound_ports");
	if (ports && rf_doc_expect_seq(d, ports, "bound_ports") < 0)
		return -EINVAL;
	while (ports && (p = fy_node_sequence_iterate(ports, &it))) {
		uint64_t port;

		if (n->n_bound_ports >= RF_OBS_MAX_PORTS)
			return rf_doc_fail(d, p, "bound_ports: more than %d", RF_OBS_MAX_PORTS);
		if ((r = rf_doc_u64(d, p, "bound_ports", UINT16_MAX, &port)) < 0)
			return r;
		n->bound_ports[n->n_bound_ports++] = (uint16_t)port;
	}
	o->n_net++;
	return 0;
}

static int read_signal(struct rf_doc *d, size_t i, struct fy_node *item, void *userdata)
{
	struct rf_observation *o = userdata;
	const char *s;
	int r = rf_doc_str(d, item, "signals", &s, NULL), sig = 0;

	if (r < 0)
		return r;
	for (int k = 1; k <= 64 && !sig; k++)
		if (!strncmp(s, "SIG", 3) && sigabbrev_np(k) && streq(s + 3, sigabbrev_np(k)))
			sig = k;
	if (!sig) {
		char *end = NULL;
		long v = strtol(s, &end, 10);

		if (!*s || *end || v < 1 || v > 64)
			return rf_doc_fail(d, item, "signals: unknown signal '%s'", s);
		sig = (int)v;
	}
	o->signals |= UINT64_C(1) << (sig - 1);
	return 0;
}

/* The four sections of a decoding source; absent in observations of other sources. */
static int read_decoded(struct rf_doc *d, struct fy_node *root, struct rf_observation *o)
{
	struct fy_node *files = rf_doc_get(d, root, "files"), *net = rf_doc_get(d, root, "network");
	struct fy_node *sig = rf_doc_get(d, root, "signals");
	int r;

	if (!files && !net && !sig && !rf_doc_get(d, root, "ptrace"))
		return 0;
	o->decoded = true;
	if ((r = opt_bool(d, root, "files_overflow", &o->files_overflow)) < 0)
		return r;
	if (files) {
		if (rf_doc_expect_seq(d, files, "files") < 0)
			return -EINVAL;
		o->files =
			calloc((size_t)fy_node_sequence_item_count(files) + 1, sizeof(*o->files));
		if (!o->files)
			return -ENOMEM;
		if ((r = rf_doc_each_item(d, files, "files", RF_OBS_MAX_FILES, read_file_entry,
					  o)) < 0)
			return r;
	}
	if (net) {
		if (rf_doc_expect_seq(d, net, "network") < 0)
			return -EINVAL;
		o->net = calloc((size_t)fy_node_sequence_item_count(net) + 1, sizeof(*o->net));
		if (!o->net)
			return -ENOMEM;
		if ((r = rf_doc_each_item(d, net, "network", 4096, read_net_entry, o)) < 0)
			return r;
	}
	if (sig && (r = rf_doc_each_item(d, sig, "signals", 64, read_signal, o)) < 0)
		return r;
	return read_bits(d, rf_doc_get(d, root, "ptrace"), "ptrace", ptrace_op_from,
			 &o->ptrace_ops);
}

static int read_caps(struct rf_doc *d, struct fy_node *root, struct rf_observation *o)
{
	struct fy_node *caps = rf_doc_get(d, root, "capabilities");

	for (int k = 0; k < 2; k++) {
		_cleanup_strv_free_ char **names = NULL;
		struct fy_node *n = rf_doc_get(d, caps, k ? "refused" : "used");
		uint64_t *dst = k ? &o->caps_refused : &o->caps_used;
		int r;

		if (!n)
			continue;
		if ((r = rf_doc_strv(d, n, "capabilities", 64, &names)) < 0)
			return r;
		STRV_FOREACH(s, names) {
			uint64_t bit = 0;
			if (rf_caps_parse_list(*s, &bit, NULL) < 0)
				return rf_doc_fail(d, n, "capabilities: unknown capability '%s'",
						   *s);
			*dst |= bit;
		}
	}
	return 0;
}

static int read_observation(struct rf_doc *d, struct rf_observation *o)
{
	struct fy_node *root = rf_doc_root(d), *list, *item;
	const char *schema;
	void *it = NULL;
	int64_t v;
	int r;

	if (rf_doc_expect_map(d, root, "an observation") < 0)
		return -EINVAL;
	if ((r = rf_doc_str(d, rf_doc_need(d, root, "observation", "schema"), "schema", &schema,
			    NULL)) < 0)
		return r;
	if (!streq(schema, "ringfence.observation/v1"))
		return rf_doc_fail(d, rf_doc_get(d, root, "schema"),
				   "not a ringfence.observation/v1 document (schema '%s')", schema);
	if ((r = num(d, root, "observations", 1, INT32_MAX, &v)) < 0)
		return r;
	o->observations = (unsigned)v;
	if ((r = read_recording(d, root, o)) < 0)
		return r;
	list = rf_doc_need(d, root, "observation", "syscalls");
	if (rf_doc_expect_seq(d, list, "syscalls") < 0)
		return -EINVAL;
	o->syscalls = calloc((size_t)fy_node_sequence_item_count(list) + 1, sizeof(*o->syscalls));
	if (!o->syscalls)
		return -ENOMEM;
	while ((item = fy_node_sequence_iterate(list, &it))) {
		struct rf_obs_syscall *s = &o->syscalls[o->n_syscalls++];

		if ((r = read_syscall(d, item, s)) < 0)
			return r;
		if (s->first_seen > o->seq)
			o->seq = s->first_seen;
	}
	if ((r = opt_strv(d, root, "execs", &o->execs)) < 0 || (r = read_caps(d, root, o)) < 0)
		return r;
	return read_decoded(d, root, o);
}

int rf_obs_parse(const char *text, size_t len, const char *source, struct rf_observation **ret,
		 struct rf_error *reterr)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	struct rf_doc d = { 0 };
	int r;

	if (!o)
		return -ENOMEM;
	r = rf_doc_load(text, len, source ?: "<observation>", RF_DOC_JSON, 0, &d, reterr);
	if (r < 0)
		return r;
	r = read_observation(&d, o);
	rf_doc_done(&d);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(o);
	return 0;
}

int rf_obs_load(const char *path, struct rf_observation **ret, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = rf_read_file(path, OBS_MAX_BYTES, &text, &len, reterr);

	if (r < 0)
		return r;
	return rf_obs_parse(text, len, path, ret, reterr);
}
