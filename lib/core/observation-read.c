/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading "ringfence.observation/v1" documents back (for generate and merge). Strict on what it
 * uses (types, ranges, the schema) and tolerant of keys it does not know, so newer writers with
 * extra fields stay readable. */
#include <libfyaml.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"
#include "ringfence/caps.h"
#include "ringfence/observation.h"

#define OBS_MAX_BYTES (256u << 20)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct fy_document *, fy_document_destroy)

struct octx {
	const char *source;
	struct rf_error *err;
};

static struct fy_node *get(struct fy_node *map, const char *key)
{
	return map && fy_node_is_mapping(map) ? fy_node_mapping_lookup_by_string(map, key, FY_NT)
					      : NULL;
}

static int bad(struct octx *c, const char *what)
{
	return rf_error_set_at(c->err, -EINVAL, c->source, 0, "observation: bad or missing '%s'",
			       what);
}

static int str(struct octx *c, struct fy_node *n, const char *what, char **ret)
{
	const char *s;

	if (!n || (fy_node_is_scalar(n) && fy_node_get_style(n) == FYNS_PLAIN &&
		   streq(fy_node_get_scalar0(n) ?: "", "null"))) {
		*ret = NULL;
		return 0;
	}
	if (!fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_DOUBLE_QUOTED ||
	    !(s = fy_node_get_scalar0(n)))
		return bad(c, what);
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

static int num(struct octx *c, struct fy_node *n, const char *what, int64_t min, int64_t max,
	       int64_t *ret)
{
	const char *s = n && fy_node_is_scalar(n) && fy_node_get_style(n) == FYNS_PLAIN
				? fy_node_get_scalar0(n)
				: NULL;
	char *end = NULL;
	long long v;

	if (!s)
		return bad(c, what);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || !end || *end || end == s || v < min || v > max)
		return bad(c, what);
	*ret = v;
	return 0;
}

static int hex(struct octx *c, struct fy_node *n, uint64_t *ret)
{
	const char *s = n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
	char *end = NULL;

	if (!s || strncmp(s, "0x", 2) != 0)
		return bad(c, "args.values");
	errno = 0;
	*ret = strtoull(s + 2, &end, 16);
	return errno || !end || *end || end == s + 2 ? bad(c, "args.values") : 0;
}

static bool boolean(struct fy_node *n)
{
	return n && fy_node_is_scalar(n) && streq(fy_node_get_scalar0(n) ?: "", "true");
}

static int strv(struct octx *c, struct fy_node *n, const char *what, char ***ret)
{
	struct fy_node *item;
	void *it = NULL;
	int r;

	if (!n)
		return 0;
	if (!fy_node_is_sequence(n))
		return bad(c, what);
	while ((item = fy_node_sequence_iterate(n, &it))) {
		_cleanup_free_ char *s = NULL;
		if ((r = str(c, item, what, &s)) < 0 || !s)
			return r < 0 ? r : bad(c, what);
		if ((r = strv_extend(ret, s)) < 0)
			return r;
	}
	return 0;
}

static int read_args(struct octx *c, struct fy_node *n, struct rf_obs_syscall *s)
{
	struct fy_node *item;
	void *it = NULL;
	int slot = 0, r;

	for (int k = 0; k < RF_OBS_MAX_ARGS; k++)
		s->args[k].index = -1;
	if (!n)
		return 0;
	if (!fy_node_is_sequence(n))
		return bad(c, "args");
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct rf_obs_argset *a;
		struct fy_node *v, *vals = get(item, "values");
		void *vit = NULL;
		int64_t idx;

		if (slot >= RF_OBS_MAX_ARGS)
			return bad(c, "args (too many)");
		a = &s->args[slot++];
		if ((r = num(c, get(item, "index"), "args.index", 0, 5, &idx)) < 0)
			return r;
		a->index = (int)idx;
		a->overflow = boolean(get(item, "overflow"));
		if (!vals || !fy_node_is_sequence(vals))
			return bad(c, "args.values");
		while ((v = fy_node_sequence_iterate(vals, &vit))) {
			if (a->n >= RF_OBS_MAX_ARG_VALUES)
				return bad(c, "args.values (too many)");
			if ((r = hex(c, v, &a->values[a->n++])) < 0)
				return r;
		}
	}
	return 0;
}

static int read_syscall(struct octx *c, struct fy_node *n, struct rf_obs_syscall *s)
{
	_cleanup_free_ char *arch = NULL, *name = NULL;
	int64_t v;
	int r;

	if ((r = str(c, get(n, "arch"), "arch", &arch)) < 0 || !arch ||
	    !(s->arch = rf_arch_from_name(arch)))
		return r < 0 ? r : bad(c, "arch");
	if ((r = num(c, get(n, "nr"), "nr", 0, INT32_MAX, &v)) < 0)
		return r;
	s->nr = (int32_t)v;
	if ((r = str(c, get(n, "name"), "name", &name)) < 0)
		return r;
	/* The name is recomputed from (arch, nr) with this libseccomp; a recorded name this
	 * libseccomp does not know is kept so nothing is lost. */
	s->name = seccomp_syscall_resolve_num_arch(s->arch, s->nr) ?: TAKE_PTR(name);
	if ((r = num(c, get(n, "count"), "count", 0, INT64_MAX, &v)) < 0)
		return r;
	s->count = (uint64_t)v;
	if ((r = num(c, get(n, "first_seen"), "first_seen", 0, INT64_MAX, &v)) < 0)
		return r;
	s->first_seen = (uint64_t)v;
	if ((r = num(c, get(n, "support"), "support", 1, INT32_MAX, &v)) < 0)
		return r;
	s->support = (unsigned)v;
	if (get(n, "first_pid") && (r = num(c, get(n, "first_pid"), "first_pid", 0, INT32_MAX, &v)) >= 0)
		s->first_pid = (pid_t)v;
	if ((r = str(c, get(n, "first_comm"), "first_comm", &s->first_comm)) < 0 ||
	    (r = str(c, get(n, "first_exe"), "first_exe", &s->first_exe)) < 0)
		return r;
	return read_args(c, get(n, "args"), s);
}

static int read_recording(struct octx *c, struct fy_node *rec, struct rf_observation *o)
{
	_cleanup_free_ char *native = NULL;
	int64_t v;
	int r;

	if (!rec || !fy_node_is_mapping(rec))
		return bad(c, "recording");
	free(o->kernel);
	o->kernel = NULL;
	if ((r = strv(c, get(rec, "command"), "command", &o->command)) < 0 ||
	    (r = str(c, get(rec, "backend"), "backend", &o->backend)) < 0 ||
	    (r = str(c, get(rec, "kernel"), "kernel", &o->kernel)) < 0 ||
	    (r = str(c, get(rec, "native_arch"), "native_arch", &native)) < 0 ||
	    (r = strv(c, get(rec, "fast_syscalls"), "fast_syscalls", &o->fast_syscalls)) < 0 ||
	    (r = strv(c, get(rec, "bootstrap_syscalls"), "bootstrap_syscalls", &o->bootstrap)) < 0)
		return r;
	if (native && !(o->native_arch = rf_arch_from_name(native)))
		return bad(c, "native_arch");
	o->no_new_privs = boolean(get(rec, "no_new_privs"));
	o->fast = boolean(get(rec, "fast"));
	if (get(rec, "duration_ns") &&
	    (r = num(c, get(rec, "duration_ns"), "duration_ns", 0, INT64_MAX, &v)) >= 0)
		o->duration_ns = (uint64_t)v;
	if (get(rec, "lost") && (r = num(c, get(rec, "lost"), "lost", 0, INT64_MAX, &v)) >= 0)
		o->lost = (uint64_t)v;
	if (get(rec, "exit_status") &&
	    (r = num(c, get(rec, "exit_status"), "exit_status", -1, INT32_MAX, &v)) >= 0)
		o->exit_status = (int)v;
	return r < 0 ? r : 0;
}

int rf_obs_parse(const char *text, size_t len, const char *source, struct rf_observation **ret,
		 struct rf_error *reterr)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	_cleanup_(fy_document_destroyp) struct fy_document *doc = NULL;
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_FORCE };
	struct octx c = { .source = source ?: "<observation>", .err = reterr };
	struct fy_node *root, *list, *item;
	_cleanup_free_ char *schema = NULL;
	void *it = NULL;
	int64_t v;
	int r;

	if (!o)
		return -ENOMEM;
	doc = fy_document_build_from_string(&cfg, text, len);
	if (!doc)
		return rf_error_set_at(reterr, -EINVAL, c.source, 0, "not a JSON document");
	root = fy_document_root(doc);
	if ((r = str(&c, get(root, "schema"), "schema", &schema)) < 0 || !schema ||
	    !streq(schema, "ringfence.observation/v1"))
		return r < 0 ? r : rf_error_set_at(reterr, -EINVAL, c.source, 0,
						   "not a ringfence.observation/v1 document");
	if ((r = num(&c, get(root, "observations"), "observations", 1, INT32_MAX, &v)) < 0)
		return r;
	o->observations = (unsigned)v;
	if ((r = read_recording(&c, get(root, "recording"), o)) < 0)
		return r;
	list = get(root, "syscalls");
	if (!list || !fy_node_is_sequence(list))
		return bad(&c, "syscalls");
	o->syscalls = calloc((size_t)fy_node_sequence_item_count(list) + 1, sizeof(*o->syscalls));
	if (!o->syscalls)
		return -ENOMEM;
	while ((item = fy_node_sequence_iterate(list, &it))) {
		struct rf_obs_syscall *s = &o->syscalls[o->n_syscalls++];

		if ((r = read_syscall(&c, item, s)) < 0)
			return r;
		if (s->first_seen > o->seq)
			o->seq = s->first_seen;
	}
	if ((r = strv(&c, get(root, "execs"), "execs", &o->execs)) < 0)
		return r;
	for (int k = 0; k < 2; k++) {
		_cleanup_strv_free_ char **names = NULL;
		uint64_t *dst = k ? &o->caps_refused : &o->caps_used;

		if ((r = strv(&c, get(get(root, "capabilities"), k ? "refused" : "used"),
			      "capabilities", &names)) < 0)
			return r;
		STRV_FOREACH (n, names) {
			uint64_t bit = 0;
			if (rf_caps_parse_list(*n, &bit, NULL) < 0)
				return bad(&c, "capabilities");
			*dst |= bit;
		}
	}
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
