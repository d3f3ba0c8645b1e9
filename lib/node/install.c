/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `node install`: validate a whole set of profiles, decide what changes against the ownership
 * state, and only then write — each seccomp profile as plain OCI JSON, atomically, into
 * <root>/seccomp/<prefix>/<name>.json; AppArmor profiles through apparmor_parser. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "core/strv.h"
#include "node-internal.h"
#include "ringfence/log.h"
#include "ringfence/profile.h"

/* What a pod gets from containerd and CRI-O when it adds no capabilities: Docker conditions
 * are decided against it (a pod that adds capabilities gets no extra rules: fail closed). */
static const char *const default_container_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_CHOWN",	  "CAP_DAC_OVERRIDE",	  "CAP_FOWNER",	    "CAP_FSETID",
	"CAP_KILL",	   "CAP_MKNOD",	  "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",    "CAP_SETFCAP",
	"CAP_SETGID",	   "CAP_SETPCAP", "CAP_SETUID",		  "CAP_SYS_CHROOT", NULL,
};

static void plan_done(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].source);
		free(p->items[i].name);
		free(p->items[i].file);
		free(p->items[i].bytes);
		strv_free(p->items[i].apparmor_names);
	}
	free(p->items);
	strv_free(p->notes);
	strv_free(p->forget);
	strv_free(p->apparmor_unload);
	free(p->apparmor_parser);
}

static struct item *plan_add(struct plan *p, enum rf_node_kind kind, const char *source)
{
	struct item *nv = realloc(p->items, (p->n + 1) * sizeof(*nv));

	if (!nv)
		return NULL;
	p->items = nv;
	nv[p->n] = (struct item){ .kind = kind, .source = strdup(source) };
	if (!nv[p->n].source)
		return NULL;
	return &nv[p->n++];
}

int node_note(struct plan *p, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return strv_extend(&p->notes, s);
}

static const char *extension(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return dot && dot != base ? dot : "";
}

int node_file_stem(const char *path, char **ret)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base) - strlen(extension(base));
	*ret = strndup(base, n);
	return *ret ? 0 : -ENOMEM;
}

static int serialize(const struct rf_profile *p, struct item *it, struct rf_error *reterr)
{
	FILE *f = open_memstream(&it->bytes, &it->len);
	int r;

	if (!f)
		return -ENOMEM;
	r = rf_profile_write(p, RF_FORMAT_OCI, f, reterr);
	if (fclose(f) != 0 && r >= 0)
		r = -ENOMEM;
	if (r < 0)
		return r;
	node_sha256_hex(it->bytes, it->len, it->sha256);
	return 0;
}

/* Parse, lint (errors refuse), resolve Docker conditions, and keep the OCI bytes. */
static int add_seccomp(struct plan *pl, const char *path, struct rf_error *reterr)
{
	_cleanup_(rf_profile_freep) struct rf_profile *p = NULL, *res = NULL;
	struct rf_lint lint = {};
	struct item *it;
	int r;

	if (!(it = plan_add(pl, RF_NODE_SECCOMP, path)))
		return -ENOMEM;
	r = rf_profile_load(path, &p, reterr);
	if (r < 0)
		return r;
	r = rf_profile_lint(p, &lint);
	if (r < 0)
		return r;
	for (size_t i = 0; i < lint.n && r >= 0; i++)
		if (lint.items[i].severity == RF_LINT_ERROR)
			r = rf_error_set_at(reterr, -EINVAL, path, lint.items[i].line, "%s [%s]",
					    lint.items[i].message, lint.items[i].code);
	rf_lint_done(&lint);
	if (r < 0)
		return r;
	/* An SPO object names itself; any other file is named by its file name. */
	r = p->spo_name ? ((it->name = strdup(p->spo_name)) ? 0 : -ENOMEM)
			: node_file_stem(path, &it->name);
	if (r < 0)
		return r;
	if (!node_name_valid(it->name))
		return rf_error_set(
			reterr, -EINVAL,
			"%s: profile name '%s' must be letters, digits, '_', '.' and '-', "
			"not starting with '.' (at most 200)",
			path, it->name);
	if (asprintf(&it->file, "%s.json", it->name) < 0)
		return -ENOMEM;
	if (rf_profile_has_conditions(p)) {
		struct rf_resolve_env env = { .caps = default_container_caps };

		r = rf_profile_resolve(p, &env, &res, reterr);
		if (r < 0)
			return r;
		if ((r = node_note(
			     pl,
			     "%s: Docker conditions resolved for the default container "
			     "capabilities on this node's architecture and kernel; a pod that adds "
			     "capabilities gets no extra rules",
			     path)) < 0)
			return r;
	} else if (p->format != RF_FORMAT_OCI &&
		   (r = node_note(pl, "%s: converted from %s to plain OCI JSON", path,
				  rf_format_to_string(p->format))) < 0)
		return r;
	return serialize(res ?: p, it, reterr);
}

static int find_apparmor_parser(struct plan *pl)
{
	struct rf_apparmor_info aa = {};
	int r = rf_apparmor_probe(NULL, &aa);

	if (r >= 0 && aa.parser && !(pl->apparmor_parser = strdup(aa.parser)))
		r = -ENOMEM;
	rf_apparmor_info_done(&aa);
	return r;
}

static int add_apparmor(struct plan *pl, const char *path, struct rf_error *reterr)
{
	struct item *it = plan_add(pl, RF_NODE_APPARMOR, path);
	int r;

	_cleanup_free_ char *text = NULL;
	size_t len;

	if (!it)
		return -ENOMEM;
	/* Its hash tells an unchanged profile from a new one (no reload every resync). */
	if ((r = rf_read_file(path, NODE_MAX_FILE_BYTES, &text, &len, reterr)) < 0)
		return r;
	node_sha256_hex(text, len, it->sha256);
	if (!pl->apparmor_parser && (r = find_apparmor_parser(pl)) < 0)
		return r;
	if (!pl->apparmor_parser)
		return node_note(pl, "%s: not checked: apparmor_parser is not installed", path);
	return node_apparmor_check(pl->apparmor_parser, path, &it->apparmor_names, reterr);
}

static int add_file(struct plan *pl, const char *path, bool from_dir, struct rf_error *reterr)
{
	const char *ext = extension(path);

	if (streq(ext, ".apparmor"))
		return add_apparmor(pl, path, reterr);
	if (streq(ext, ".json") || streq(ext, ".yaml") || streq(ext, ".yml") || !from_dir)
		return add_seccomp(pl, path, reterr);
	return node_note(pl, "%s: skipped: not *.json, *.yaml, *.yml or *.apparmor", path);
}

/* A directory's entries in sorted order; dot files (a ConfigMap's ..data and timestamped
 * directories) are skipped, symlinks are followed (a ConfigMap's keys are symlinks). */
static int add_dir(struct plan *pl, const char *dir, struct rf_error *reterr)
{
	_cleanup_strv_free_ char **names = NULL;
	int r = node_list_visible(dir, &names);

	if (r < 0)
		return r == -ENOMEM ? r
				    : rf_error_set(reterr, r, "cannot read directory '%s': %s", dir,
						   strerror(-r));
	size_t dlen = strlen(dir);

	/* "profiles/" gives "profiles/x", not "profiles//x". */
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	STRV_FOREACH(name, names) {
		_cleanup_free_ char *path = NULL;
		struct stat st;

		if (asprintf(&path, "%.*s/%s", dir[0] == '/' && dlen == 1 ? 0 : (int)dlen, dir,
			     *name) < 0)
			return -ENOMEM;
		if (stat(path, &st) < 0)
			return rf_error_set(reterr, -errno, "cannot stat '%s': %s", path,
					    strerror(errno));
		if (!S_ISREG(st.st_mode)) {
			if ((r = node_note(pl, "%s: skipped: not a regular file", path)) < 0)
				return r;
			continue;
		}
		if ((r = add_file(pl, path, true, reterr)) < 0)
			return r;
	}
	return 0;
}

static int collect(struct plan *pl, char *const *inputs, size_t n, struct rf_error *reterr)
{
	int r;

	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (stat(inputs[i], &st) < 0)
			return rf_error_set(reterr, -errno, "cannot read '%s': %s", inputs[i],
					    strerror(errno));
		r = S_ISDIR(st.st_mode) ? add_dir(pl, inputs[i], reterr)
					: add_file(pl, inputs[i], false, reterr);
		if (r < 0)
			return r;
	}
	/* One name, one file: two inputs for the same name would make the result depend on order.
	 */
	for (size_t i = 0; i < pl->n; i++)
		for (size_t k = 0; k < i; k++)
			if (pl->items[i].file && pl->items[k].file &&
			    streq(pl->items[i].file, pl->items[k].file))
				return rf_error_set(reterr, -EINVAL,
						    "two profiles are named '%s': %s and %s",
						    pl->items[i].name, pl->items[k].source,
						    pl->items[i].source);
	return 0;
}

/* --prune of an empty set would remove every profile ringfence installed, silently: a source
 * directory that is empty by mistake must not empty the node. */
static int check_empty_prune(const struct rf_node_opts *o, struct plan *pl, size_t n_inputs,
			     char *const *inputs, struct rf_error *reterr)
{
	bool one = n_inputs == 1;

	if (!o->prune || pl->n > 0)
		return 0;
	if (!o->allow_empty)
		return rf_error_set(reterr, -ENODATA,
				    "%s%s%s has no profile: refusing to prune with an empty set, "
				    "which would remove every profile ringfence installed (pass "
				    "--allow-empty if that is what you want)",
				    one ? "'" : "", one ? inputs[0] : "the input", one ? "'" : "");
	return node_note(pl, "the set is empty: every profile ringfence installed is pruned "
			     "(--allow-empty)");
}

int node_result_add(struct rf_node_result *res, enum rf_node_kind kind, enum rf_node_action action,
		    const char *name, const char *source, const char *path, const char *localhost,
		    const char *sha256)
{
	struct rf_node_change *nv = realloc(res->items, (res->n + 1) * sizeof(*nv)), *c;

	if (!nv)
		return -ENOMEM;
	res->items = nv;
	c = &nv[res->n++];
	*c = (struct rf_node_change){ .kind = kind, .action = action };
	snprintf(c->sha256, sizeof(c->sha256), "%s", sha256 ?: "");
	c->name = strdup(name);
	c->source = source ? strdup(source) : NULL;
	c->path = path ? strdup(path) : NULL;
	c->localhost_profile = localhost ? strdup(localhost) : NULL;
	if (!c->name || (source && !c->source) || (path && !c->path) ||
	    (localhost && !c->localhost_profile))
		return -ENOMEM;
	return 0;
}

int node_install(const struct rf_node_opts *o, char *const *inputs, size_t n_inputs,
		 struct rf_node_result *ret, bool *ret_node_side, struct rf_error *reterr)
{
	_cleanup_free_ char *seccomp_dir = NULL, *dir = NULL;
	const char *prefix = o->prefix ?: RF_NODE_DEFAULT_PREFIX;
	struct plan pl = {};
	struct node_state st = {};
	struct rf_node_result res = {};
	struct rf_apparmor_info aa = {};
	_cleanup_close_ int dfd = -EBADF;
	bool node_side = false;
	int r;

	*ret = (struct rf_node_result){};
	if ((r = node_dirs(o, &seccomp_dir, &dir, reterr)) < 0)
		goto out;
	/* Everything is read and checked before the node is touched. */
	if ((r = collect(&pl, inputs, n_inputs, reterr)) < 0 ||
	    (r = check_empty_prune(o, &pl, n_inputs, inputs, reterr)) < 0 ||
	    (r = node_apparmor_plan(&pl, o->sys, &aa, reterr)) < 0)
		goto out;
	node_side = true;
	if (!o->dry_run)
		dfd = node_open_locked(o->root ?: RF_NODE_DEFAULT_ROOT, seccomp_dir, dir, reterr);
	else
		dfd = node_open_prefix(dir, reterr);
	if (dfd < 0 && !(o->dry_run && dfd == -ENOENT)) {
		r = dfd;
		goto out;
	}
	if ((r = node_state_read(dfd, dir, &st, reterr)) < 0 ||
	    (r = node_decide(&pl, dfd, dir, &st, reterr)) < 0 ||
	    (r = node_apparmor_decide(&pl, &aa, &st, o->prune, reterr)) < 0)
		goto out;
	for (size_t i = 0; i < pl.n; i++) {
		struct item *it = &pl.items[i];
		_cleanup_free_ char *path = NULL, *localhost = NULL;

		if (it->kind != RF_NODE_SECCOMP)
			continue;
		if (asprintf(&path, "%s/%s", dir, it->file) < 0 ||
		    asprintf(&localhost, "%s/%s", prefix, it->file) < 0) {
			r = -ENOMEM;
			goto out;
		}
		if ((r = node_result_add(&res, RF_NODE_SECCOMP, it->action, it->name, it->source,
					 path, localhost, it->sha256)) < 0)
			goto out;
	}
	if (o->prune && (r = node_plan_prunes(&pl, dfd, dir, &st, &res, prefix, reterr)) < 0)
		goto out;
	if (!o->dry_run && (r = node_apply(&pl, dfd, &st, &res, reterr)) < 0)
		goto out;
	r = node_apparmor_apply(&pl, &aa, dfd, &st, o->dry_run, &res, reterr);
out:
	if (r >= 0) {
		res.notes = TAKE_PTR(pl.notes);
		*ret = res;
	} else
		rf_node_result_done(&res);
	if (ret_node_side)
		*ret_node_side = r < 0 && node_side;
	rf_apparmor_info_done(&aa);
	node_state_done(&st);
	plan_done(&pl);
	return r;
}

int rf_node_install(const struct rf_node_opts *o, char *const *inputs, size_t n_inputs,
		    struct rf_node_result *ret, struct rf_error *reterr)
{
	return node_install(o, inputs, n_inputs, ret, NULL, reterr);
}

void rf_node_result_done(struct rf_node_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].name);
		free(r->items[i].source);
		free(r->items[i].path);
		free(r->items[i].localhost_profile);
	}
	free(r->items);
	strv_free(r->notes);
	*r = (struct rf_node_result){};
}

const char *rf_node_action_to_string(enum rf_node_action a)
{
	static const char *const names[] = {
		[RF_NODE_CREATED] = "created",	   [RF_NODE_UPDATED] = "updated",
		[RF_NODE_UNCHANGED] = "unchanged", [RF_NODE_PRUNED] = "pruned",
		[RF_NODE_LOADED] = "loaded",	   [RF_NODE_SKIPPED] = "skipped",
	};

	return (unsigned)a < ELEMENTSOF(names) ? names[a] : "?";
}
