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
#include <sys/file.h>
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
	"CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP",
	"CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
};

struct item {
	enum rf_node_kind kind;
	char *source;
	char *name;           /* seccomp: profile name; AppArmor: unused */
	char *file;           /* seccomp: "<name>.json" */
	char *bytes;          /* seccomp: the OCI JSON to install */
	size_t len;
	char sha256[65];
	char **apparmor_names; /* AppArmor: profiles the file defines */
	enum rf_node_action action;
};

struct plan {
	struct item *items;
	size_t n;
	char **notes;
	char **forget; /* state entries whose file is gone or is no longer ours */
	char *apparmor_parser;
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

static int note(struct plan *p, const char *fmt, ...) _printf_(2, 3);
static int note(struct plan *p, const char *fmt, ...)
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

static int file_stem(const char *path, char **ret)
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
		if (lint.items[i].severity == RF_SEV_ERROR)
			r = rf_error_set_at(reterr, -EINVAL, path, lint.items[i].line, "%s [%s]",
					    lint.items[i].message, lint.items[i].code);
	rf_lint_done(&lint);
	if (r < 0)
		return r;
	/* An SPO object names itself; any other file is named by its file name. */
	r = p->spo_name ? ((it->name = strdup(p->spo_name)) ? 0 : -ENOMEM) : file_stem(path, &it->name);
	if (r < 0)
		return r;
	if (!node_name_valid(it->name))
		return rf_error_set(reterr, -EINVAL,
				    "%s: profile name '%s' must be letters, digits, '_', '.' and '-', "
				    "not starting with '.' (at most 200)",
				    path, it->name);
	if (asprintf(&it->file, "%s.json", it->name) < 0)
		return -ENOMEM;
	if (rf_profile_has_conditions(p)) {
		struct rf_resolve_env env = { .caps = default_container_caps };

		r = rf_profile_resolve(p, &env, false, &res, reterr);
		if (r < 0)
			return r;
		if ((r = note(pl, "%s: Docker conditions resolved for the default container "
				  "capabilities on this node's architecture and kernel; a pod that adds "
				  "capabilities gets no extra rules", path)) < 0)
			return r;
	} else if (p->format != RF_FORMAT_OCI &&
		   (r = note(pl, "%s: converted from %s to plain OCI JSON", path,
			     rf_format_to_string(p->format))) < 0)
		return r;
	return serialize(res ?: p, it, reterr);
}

static int find_apparmor_parser(struct plan *pl)
{
	struct rf_apparmor_info aa = {};
	int r = rf_apparmor_probe(&aa);

	if (r >= 0 && aa.parser && !(pl->apparmor_parser = strdup(aa.parser)))
		r = -ENOMEM;
	rf_apparmor_info_done(&aa);
	return r;
}

static int add_apparmor(struct plan *pl, const char *path, struct rf_error *reterr)
{
	struct item *it = plan_add(pl, RF_NODE_APPARMOR, path);
	int r;

	if (!it)
		return -ENOMEM;
	if (!pl->apparmor_parser && (r = find_apparmor_parser(pl)) < 0)
		return r;
	if (!pl->apparmor_parser)
		return note(pl, "%s: not checked: apparmor_parser is not installed", path);
	return node_apparmor_check(pl->apparmor_parser, path, &it->apparmor_names, reterr);
}

static int add_file(struct plan *pl, const char *path, bool from_dir, struct rf_error *reterr)
{
	const char *ext = extension(path);

	if (streq(ext, ".apparmor"))
		return add_apparmor(pl, path, reterr);
	if (streq(ext, ".json") || streq(ext, ".yaml") || streq(ext, ".yml") || !from_dir)
		return add_seccomp(pl, path, reterr);
	return note(pl, "%s: skipped: not *.json, *.yaml, *.yml or *.apparmor", path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's entries in sorted order; dot files (a ConfigMap's ..data and timestamped
 * directories) are skipped, symlinks are followed (a ConfigMap's keys are symlinks). */
static int add_dir(struct plan *pl, const char *dir, struct rf_error *reterr)
{
	_cleanup_strv_free_ char **names = NULL;
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return rf_error_set(reterr, -errno, "cannot read directory '%s': %s", dir,
				    strerror(errno));
	while ((de = readdir(d)) && r >= 0)
		if (de->d_name[0] != '.')
			r = strv_extend(&names, de->d_name);
	closedir(d);
	if (r < 0)
		return r;
	if (names)
		qsort(names, strv_length(names), sizeof(char *), cmp_str);
	STRV_FOREACH(name, names) {
		_cleanup_free_ char *path = NULL;
		struct stat st;

		if (asprintf(&path, "%s/%s", dir, *name) < 0)
			return -ENOMEM;
		if (stat(path, &st) < 0)
			return rf_error_set(reterr, -errno, "cannot stat '%s': %s", path,
					    strerror(errno));
		if (!S_ISREG(st.st_mode)) {
			if ((r = note(pl, "%s: skipped: not a regular file", path)) < 0)
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
	/* One name, one file: two inputs for the same name would make the result depend on order. */
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

/* mkdir -p: the kubelet root normally exists, its seccomp directory often does not. */
static int ensure_dir(const char *path, struct rf_error *reterr)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		bool end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return rf_error_set(reterr, -errno, "cannot create '%s': %s", p, strerror(errno));
		if (end)
			return 0;
		*s = '/';
	}
}

/* Decides every seccomp item's action; a file ringfence does not own refuses the whole set. */
static int decide(struct plan *pl, const char *dir, const struct node_state *st,
		  struct rf_error *reterr)
{
	for (size_t i = 0; i < pl->n; i++) {
		struct item *it = &pl->items[i];
		_cleanup_free_ char *path = NULL;
		char have[65];
		int r;

		if (it->kind != RF_NODE_SECCOMP)
			continue;
		if (asprintf(&path, "%s/%s", dir, it->file) < 0)
			return -ENOMEM;
		r = node_sha256_file(path, have, reterr);
		if (r == -ENOENT) {
			it->action = RF_NODE_CREATED;
			continue;
		}
		if (r < 0)
			return r;
		if (!node_state_find(st, it->file))
			return rf_error_set(reterr, -EEXIST,
					    "'%s' exists and was not written by ringfence: nothing was "
					    "installed (remove it, or rename the profile)",
					    path);
		if (!node_state_owns(st, it->file, have))
			return rf_error_set(reterr, -EEXIST,
					    "'%s' was changed by someone else since ringfence wrote it: "
					    "nothing was installed (restore or remove it)",
					    path);
		it->action = streq(have, it->sha256) ? RF_NODE_UNCHANGED : RF_NODE_UPDATED;
	}
	return 0;
}

static bool in_plan(const struct plan *pl, const char *file)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->items[i].file && streq(pl->items[i].file, file))
			return true;
	return false;
}

static int result_add(struct rf_node_result *res, enum rf_node_kind kind,
		      enum rf_node_action action, const char *name, const char *source,
		      const char *path, const char *localhost, const char *sha256)
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

/* Prunes: owned files that left the set. A file changed by someone else is left alone and
 * forgotten (it is theirs now). */
static int plan_prunes(struct plan *pl, const char *dir, struct node_state *st,
		       struct rf_node_result *res, const char *prefix, struct rf_error *reterr)
{
	for (size_t i = 0; i < st->n; i++) {
		const char *file = st->v[i].file;
		_cleanup_free_ char *path = NULL, *localhost = NULL, *stem = NULL;
		char have[65];
		int r;

		if (in_plan(pl, file))
			continue;
		if (asprintf(&path, "%s/%s", dir, file) < 0 ||
		    asprintf(&localhost, "%s/%s", prefix, file) < 0 || file_stem(file, &stem) < 0)
			return -ENOMEM;
		r = node_sha256_file(path, have, reterr);
		if (r == -ENOENT) {
			if ((r = strv_extend(&pl->forget, file)) < 0)
				return r;
			continue;
		}
		if (r < 0)
			return r;
		if (!node_state_owns(st, file, have)) {
			if ((r = note(pl, "%s: changed by someone else since ringfence wrote it; not "
					  "pruned, no longer owned", path)) < 0 ||
			    (r = strv_extend(&pl->forget, file)) < 0)
				return r;
			continue;
		}
		if ((r = result_add(res, RF_NODE_SECCOMP, RF_NODE_PRUNED, stem, NULL, path,
				    localhost, have)) < 0)
			return r;
	}
	return 0;
}

static int write_bytes(FILE *f, void *userdata)
{
	const struct item *it = userdata;

	return fwrite(it->bytes, 1, it->len, f) == it->len ? 0 : -EIO;
}

/* Ownership first (old and new hashes both accepted), then the files, then the final state:
 * a crash at any point leaves only files the state still recognises. */
static int apply(struct plan *pl, const char *dir, struct node_state *st,
		 const struct rf_node_result *res, struct rf_error *reterr)
{
	bool writes = false, dirty = pl->forget;
	int r;

	for (size_t i = 0; i < pl->n; i++)
		if (pl->items[i].kind == RF_NODE_SECCOMP && pl->items[i].action != RF_NODE_UNCHANGED) {
			if ((r = node_state_set(st, pl->items[i].file, pl->items[i].sha256, false)) < 0)
				return r;
			writes = true;
		}
	for (size_t i = 0; i < res->n; i++)
		dirty |= res->items[i].action == RF_NODE_PRUNED;
	if (!writes && !dirty)
		return 0;
	if (writes && (r = node_state_write(dir, st, reterr)) < 0)
		return r;
	for (size_t i = 0; i < pl->n; i++) {
		struct item *it = &pl->items[i];
		_cleanup_free_ char *path = NULL;

		if (it->kind != RF_NODE_SECCOMP || it->action == RF_NODE_UNCHANGED)
			continue;
		if (asprintf(&path, "%s/%s", dir, it->file) < 0)
			return -ENOMEM;
		if ((r = rf_write_file_atomic(path, write_bytes, it, reterr)) < 0)
			return r;
		if ((r = node_state_set(st, it->file, it->sha256, true)) < 0)
			return r;
	}
	for (size_t i = 0; i < res->n; i++) {
		const char *base;

		if (res->items[i].action != RF_NODE_PRUNED)
			continue;
		if (unlink(res->items[i].path) < 0 && errno != ENOENT)
			return rf_error_set(reterr, -errno, "cannot remove '%s': %s",
					    res->items[i].path, strerror(errno));
		base = strrchr(res->items[i].path, '/');
		node_state_remove(st, base ? base + 1 : res->items[i].path);
	}
	STRV_FOREACH(file, pl->forget)
		node_state_remove(st, *file);
	return node_state_write(dir, st, reterr);
}

static int install_apparmor(struct plan *pl, struct rf_node_result *res, bool dry_run,
			    struct rf_error *reterr)
{
	struct rf_apparmor_info aa = {};
	bool any = false;
	int r = 0;

	for (size_t i = 0; i < pl->n; i++)
		any |= pl->items[i].kind == RF_NODE_APPARMOR;
	if (!any)
		return 0;
	if ((r = rf_apparmor_probe(&aa)) < 0)
		return r;
	if (!aa.enabled)
		r = note(pl, "AppArmor profiles not loaded: %s", aa.why_not ?: "AppArmor is off");
	else if (!aa.parser)
		r = rf_error_set(reterr, -ENOENT,
				 "the kernel has AppArmor but apparmor_parser is not installed");
	for (size_t i = 0; i < pl->n && r >= 0; i++) {
		struct item *it = &pl->items[i];
		bool load = aa.enabled && !dry_run;

		if (it->kind != RF_NODE_APPARMOR)
			continue;
		if (load && (r = node_apparmor_load(aa.parser, it->source, reterr)) < 0)
			break;
		STRV_FOREACH(name, it->apparmor_names)
			if ((r = result_add(res, RF_NODE_APPARMOR,
					    load ? RF_NODE_LOADED : RF_NODE_SKIPPED, *name,
					    it->source, NULL, *name, NULL)) < 0)
				break;
		if (!it->apparmor_names && r >= 0)
			r = result_add(res, RF_NODE_APPARMOR, RF_NODE_SKIPPED, it->source,
				       it->source, NULL, NULL, NULL);
	}
	rf_apparmor_info_done(&aa);
	return r;
}

int rf_node_install(const struct rf_node_opts *o, char *const *inputs, size_t n_inputs,
		    struct rf_node_result *ret, struct rf_error *reterr)
{
	_cleanup_free_ char *seccomp_dir = NULL, *dir = NULL;
	const char *prefix = o->prefix ?: RF_NODE_DEFAULT_PREFIX;
	struct plan pl = {};
	struct node_state st = {};
	struct rf_node_result res = {};
	_cleanup_close_ int dfd = -EBADF;
	int r;

	*ret = (struct rf_node_result){};
	if ((r = node_dirs(o, &seccomp_dir, &dir, reterr)) < 0)
		return r;
	/* Everything is read and checked before the node is touched. */
	if ((r = collect(&pl, inputs, n_inputs, reterr)) < 0)
		goto out;
	if (!o->dry_run) {
		if ((r = ensure_dir(dir, reterr)) < 0)
			goto out;
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* Two installers (the agent and a person) must not interleave their decisions. */
		if (dfd < 0 || flock(dfd, LOCK_EX) < 0) {
			r = rf_error_set(reterr, -errno, "cannot open and lock '%s': %s", dir,
					 strerror(errno));
			goto out;
		}
	}
	if ((r = node_state_read(dir, &st, reterr)) < 0 || (r = decide(&pl, dir, &st, reterr)) < 0)
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
		if ((r = result_add(&res, RF_NODE_SECCOMP, it->action, it->name, it->source, path,
				    localhost, it->sha256)) < 0)
			goto out;
	}
	if (o->prune && (r = plan_prunes(&pl, dir, &st, &res, prefix, reterr)) < 0)
		goto out;
	if (!o->dry_run && (r = apply(&pl, dir, &st, &res, reterr)) < 0)
		goto out;
	r = install_apparmor(&pl, &res, o->dry_run, reterr);
out:
	if (r >= 0) {
		res.notes = TAKE_PTR(pl.notes);
		*ret = res;
	} else
		rf_node_result_done(&res);
	node_state_done(&st);
	plan_done(&pl);
	return r;
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
		[RF_NODE_CREATED] = "created", [RF_NODE_UPDATED] = "updated",
		[RF_NODE_UNCHANGED] = "unchanged", [RF_NODE_PRUNED] = "pruned",
		[RF_NODE_LOADED] = "loaded", [RF_NODE_SKIPPED] = "skipped",
	};

	return (unsigned)a < ELEMENTSOF(names) ? names[a] : "?";
}
