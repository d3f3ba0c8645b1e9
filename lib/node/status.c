/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `node status`: every profile file under <root>/seccomp (any owner: a pod may reference any of
 * them) with its sha256, who owns it and whether it parses, plus the kubelet's seccomp default
 * and AppArmor availability. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "core/strv.h"
#include "node-internal.h"
#include "ringfence/k8s.h"
#include "ringfence/profile.h"

/* Deeper trees are not something a kubelet directory holds; the bound keeps a symlink loop or a
 * hostile tree from recursing forever. */
#define MAX_DEPTH 8

struct walk {
	const char *seccomp_dir;
	const char *prefix;
	const struct node_state *state;
	struct rf_node_profile *v;
	size_t n;
	struct stat ancestors[MAX_DEPTH + 1]; /* the directories on the way down */
};

/* A profile the kubelet would hand to the runtime must parse and lint without errors. */
static char *profile_error(const char *path, const char *text, size_t len)
{
	_cleanup_(rf_profile_freep) struct rf_profile *p = NULL;
	struct rf_error e = {};
	struct rf_lint lint = {};
	char *msg = NULL;

	if (rf_profile_parse(text, len, path, &p, &e) < 0) {
		msg = strdup(e.message ?: "does not parse");
		rf_error_clear(&e);
		return msg;
	}
	if (rf_profile_lint(p, &lint) >= 0)
		for (size_t i = 0; i < lint.n && !msg; i++)
			if (lint.items[i].severity == RF_LINT_ERROR &&
			    asprintf(&msg, "line %u: %s", lint.items[i].line,
				     lint.items[i].message) < 0)
				msg = NULL;
	rf_lint_done(&lint);
	return msg;
}

static int add_file(struct walk *w, const char *path, const char *rel)
{
	_cleanup_free_ char *text = NULL;
	struct rf_node_profile *nv, *p;
	size_t plen = strlen(w->prefix);
	const char *file = rel + (strlen(rel) > plen ? plen + 1 : 0);
	struct rf_error e = {};
	size_t len;
	int r;

	nv = realloc(w->v, (w->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	w->v = nv;
	p = &nv[w->n++];
	*p = (struct rf_node_profile){ .owner = RF_NODE_OWNER_FOREIGN };
	if (!(p->localhost_profile = strdup(rel)))
		return -ENOMEM;
	r = rf_read_file(path, NODE_MAX_FILE_BYTES, &text, &len, &e);
	if (r < 0) {
		p->error = strdup(e.message ?: strerror(-r));
		rf_error_clear(&e);
		return p->error ? 0 : -ENOMEM;
	}
	node_sha256_hex(text, len, p->sha256);
	/* Only <prefix>/<file> can be ringfence's: the state describes that one directory. */
	if (!strncmp(rel, w->prefix, plen) && rel[plen] == '/' && !strchr(file, '/') &&
	    node_owned_find(&w->state->files, file))
		p->owner = node_owned_has(&w->state->files, file, p->sha256)
				   ? RF_NODE_OWNER_RINGFENCE
				   : RF_NODE_OWNER_MODIFIED;
	p->error = profile_error(path, text, len);
	return 0;
}

/* Symlinks are followed as the kubelet follows them (every name listed is one a pod can
 * use), but a directory that is its own ancestor (`ln -s . x`) is not entered again: three
 * such loops made the bounded walk list each profile 3^8 times. */
static int walk_dir(struct walk *w, const char *dir, const char *rel, unsigned depth,
		    struct rf_error *reterr)
{
	_cleanup_strv_free_ char **names = NULL;
	struct stat self;
	int r;

	if (depth > MAX_DEPTH)
		return 0;
	if (stat(dir, &self) == 0) {
		for (unsigned i = 0; i < depth; i++)
			if (w->ancestors[i].st_dev == self.st_dev &&
			    w->ancestors[i].st_ino == self.st_ino)
				return 0;
		w->ancestors[depth] = self;
	}
	/* Hidden files are ringfence's state and temporary files, never profiles. */
	r = node_list_visible(dir, &names);
	if (r == -ENOENT && depth == 0)
		return 0;
	if (r < 0)
		return r == -ENOMEM
			       ? r
			       : rf_error_set(reterr, r, "cannot read '%s': %s", dir, strerror(-r));
	STRV_FOREACH(name, names) {
		_cleanup_free_ char *path = NULL, *sub = NULL;
		struct stat st;

		if (asprintf(&path, "%s/%s", dir, *name) < 0 ||
		    asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "", *name) < 0)
			return -ENOMEM;
		if (stat(path, &st) < 0)
			continue; /* vanished, or a dangling symlink: nothing a pod can use */
		if (S_ISDIR(st.st_mode))
			r = walk_dir(w, path, sub, depth + 1, reterr);
		else if (S_ISREG(st.st_mode))
			r = add_file(w, path, sub);
		if (r < 0)
			return r;
	}
	return 0;
}

int rf_node_status(const struct rf_node_opts *o, const char *kubelet_config,
		   struct rf_node_status *ret, struct rf_error *reterr)
{
	_cleanup_free_ char *seccomp_dir = NULL, *dir = NULL;
	struct node_state st = {};
	struct walk w = { .prefix = o->prefix ?: RF_NODE_DEFAULT_PREFIX };
	struct rf_node_status s = {};
	int r, dfd;

	*ret = (struct rf_node_status){};
	if ((r = node_dirs(o, &seccomp_dir, &dir, reterr)) < 0)
		return r;
	dfd = node_open_prefix(dir, reterr);
	if (dfd < 0 && dfd != -ENOENT)
		return dfd;
	r = node_state_read(dfd, dir, &st, reterr);
	if (dfd >= 0)
		close(dfd);
	if (r < 0)
		return r;
	w.seccomp_dir = seccomp_dir;
	w.state = &st;
	r = walk_dir(&w, seccomp_dir, "", 0, reterr);
	node_state_done(&st);
	s.profiles = w.v;
	s.n_profiles = w.n;
	s.seccomp_dir = TAKE_PTR(seccomp_dir);
	if (r >= 0)
		r = rf_kubelet_probe(o->proc ?: "/proc", o->root, kubelet_config, &s.kubelet);
	if (r >= 0)
		r = rf_apparmor_probe(o->sys, &s.apparmor);
	if (r < 0) {
		rf_node_status_done(&s);
		return r;
	}
	*ret = s;
	return 0;
}

void rf_node_status_done(struct rf_node_status *s)
{
	for (size_t i = 0; i < s->n_profiles; i++) {
		free(s->profiles[i].localhost_profile);
		free(s->profiles[i].error);
	}
	free(s->profiles);
	free(s->seccomp_dir);
	rf_kubelet_info_done(&s->kubelet);
	rf_apparmor_info_done(&s->apparmor);
	*s = (struct rf_node_status){};
}

const char *rf_node_owner_to_string(enum rf_node_owner o)
{
	switch (o) {
	case RF_NODE_OWNER_RINGFENCE: return "ringfence";
	case RF_NODE_OWNER_MODIFIED: return "ringfence-modified";
	case RF_NODE_OWNER_FOREIGN: return "foreign";
	}
	return "?";
}

/* Shared by `node status --check-manifests` and `audit --check-node`. */
char *rf_node_ref_problem(const struct rf_node_status *s, const struct rf_profile_ref *ref)
{
	char *msg = NULL;

	if (ref->apparmor) {
		if (!*ref->profile)
			return strdup("type Localhost without localhostProfile");
		if (!s->apparmor.enabled)
			return asprintf(
				       &msg,
				       "AppArmor profile '%s': this node has no AppArmor (%s); the "
				       "kubelet rejects the pod",
				       ref->profile, s->apparmor.why_not ?: "off") < 0
				       ? NULL
				       : msg;
		for (char **p = s->apparmor.profiles; p && *p; p++)
			if (streq(*p, ref->profile))
				return NULL;
		return asprintf(&msg, "AppArmor profile '%s' is not loaded on this node",
				ref->profile) < 0
			       ? NULL
			       : msg;
	}
	if (!*ref->profile)
		return strdup("type Localhost without localhostProfile");
	if (ref->profile[0] == '/' || !strcmp(ref->profile, "..") ||
	    !strncmp(ref->profile, "../", 3) || strstr(ref->profile, "/../") ||
	    (strlen(ref->profile) >= 3 && streq(ref->profile + strlen(ref->profile) - 3, "/..")))
		return asprintf(&msg,
				"seccomp profile '%s' must be a relative path inside %s without "
				"'..'",
				ref->profile, s->seccomp_dir) < 0
			       ? NULL
			       : msg;
	for (size_t i = 0; i < s->n_profiles; i++)
		if (streq(s->profiles[i].localhost_profile, ref->profile))
			return s->profiles[i].error
				       ? (asprintf(&msg,
						   "seccomp profile '%s' is on this node but "
						   "invalid: %s",
						   ref->profile, s->profiles[i].error) < 0
						  ? NULL
						  : msg)
				       : NULL;
	return asprintf(&msg, "seccomp profile '%s' is not on this node (%s/%s)", ref->profile,
			s->seccomp_dir, ref->profile) < 0
		       ? NULL
		       : msg;
}
