/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The node side of an install: open and lock the prefix directory, decide each file's action
 * against the ownership state, and write. Every file operation is relative to the locked
 * directory and never follows a symlink; each replacement re-checks ownership atomically
 * (renameat2 NOREPLACE / EXCHANGE), so a file someone writes between the decision and the
 * rename is not lost. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/strv.h"
#include "node-internal.h"

/* How long an install waits for another one (the agent, a person) to finish. */
#define LOCK_WAIT_MS 30000

static int make_dir(const char *path, struct rf_error *reterr)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return rf_error_set(reterr, -errno, "cannot create '%s': %s", path,
				    strerror(errno));
	return 0;
}

/* Temporary files of an install that was killed: nobody else writes ".*.rf-tmp-*" here. */
static void remove_stale_temps(int dfd)
{
	_cleanup_close_ int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d)
		return;
	TAKE_FD(fd);
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strstr(de->d_name, ".rf-tmp-"))
			(void)unlinkat(dfd, de->d_name, 0);
	closedir(d);
}

int node_open_locked(const char *root, const char *seccomp_dir, const char *dir,
		     struct rf_error *reterr)
{
	_cleanup_close_ int dfd = -EBADF;
	struct stat st;
	int r;

	/* The kubelet root is the kubelet's: a mistyped --root must not quietly create a tree
	 * the kubelet never reads. */
	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return rf_error_set(reterr, -ENOENT,
				    "the kubelet root '%s' is not a directory (is --root right?)",
				    root);
	if ((r = make_dir(seccomp_dir, reterr)) < 0 || (r = make_dir(dir, reterr)) < 0)
		return r;
	dfd = node_open_prefix(dir, reterr);
	if (dfd < 0)
		return dfd == -ENOENT ? rf_error_set(reterr, dfd, "'%s' vanished", dir) : dfd;
	for (unsigned waited = 0; flock(dfd, LOCK_EX | LOCK_NB) < 0; waited += 50) {
		if (errno != EWOULDBLOCK)
			return rf_error_set(reterr, -errno, "cannot lock '%s': %s", dir,
					    strerror(errno));
		if (waited >= LOCK_WAIT_MS)
			return rf_error_set(
				reterr, -EBUSY,
				"'%s' is locked by another ringfence install (waited %u s)", dir,
				LOCK_WAIT_MS / 1000);
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000 }, NULL);
	}
	remove_stale_temps(dfd);
	return TAKE_FD(dfd);
}

int node_decide(struct plan *pl, int dfd, const char *dir, const struct node_state *st,
		struct rf_error *reterr)
{
	for (size_t i = 0; i < pl->n; i++) {
		struct item *it = &pl->items[i];
		char have[65];
		int r;

		if (it->kind != RF_NODE_SECCOMP)
			continue;
		r = dfd < 0 ? -ENOENT : node_sha256_at(dfd, it->file, have, NULL);
		if (r == -ENOENT) {
			it->action = RF_NODE_CREATED;
			continue;
		}
		if (r == -EMEDIUMTYPE)
			return rf_error_set(
				reterr, -EEXIST,
				"'%s/%s' is not a regular file (a symlink, FIFO or device): "
				"ringfence did not write it; nothing was installed",
				dir, it->file);
		if (r < 0)
			return node_sha256_at(dfd, it->file, have, reterr);
		if (!node_owned_find(&st->files, it->file))
			return rf_error_set(
				reterr, -EEXIST,
				"'%s/%s' exists and was not written by ringfence: nothing "
				"was installed (remove it, or rename the profile)",
				dir, it->file);
		if (!node_owned_has(&st->files, it->file, have))
			return rf_error_set(
				reterr, -EEXIST,
				"'%s/%s' was changed by someone else since ringfence wrote "
				"it: nothing was installed (restore or remove it)",
				dir, it->file);
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

int node_plan_prunes(struct plan *pl, int dfd, const char *dir, const struct node_state *st,
		     struct rf_node_result *res, const char *prefix, struct rf_error *reterr)
{
	for (size_t i = 0; dfd >= 0 && i < st->files.n; i++) {
		const char *file = st->files.v[i].file;
		_cleanup_free_ char *path = NULL, *localhost = NULL, *stem = NULL;
		char have[65];
		int r;

		if (in_plan(pl, file))
			continue;
		if (asprintf(&path, "%s/%s", dir, file) < 0 ||
		    asprintf(&localhost, "%s/%s", prefix, file) < 0 ||
		    node_file_stem(file, &stem) < 0)
			return -ENOMEM;
		r = node_sha256_at(dfd, file, have, NULL);
		if (r == -ENOENT) {
			if ((r = strv_extend(&pl->forget, file)) < 0)
				return r;
			continue;
		}
		if (r < 0 && r != -EMEDIUMTYPE)
			return node_sha256_at(dfd, file, have, reterr);
		/* A file changed by someone else is left alone and forgotten: it is theirs now. */
		if (r < 0 || !node_owned_has(&st->files, file, have)) {
			if ((r = node_note(pl,
					   "%s: changed by someone else since ringfence wrote it; "
					   "not pruned, no longer owned",
					   path)) < 0 ||
			    (r = strv_extend(&pl->forget, file)) < 0)
				return r;
			continue;
		}
		if ((r = node_result_add(res, RF_NODE_SECCOMP, RF_NODE_PRUNED, stem, NULL, path,
					 localhost, have)) < 0)
			return r;
	}
	return 0;
}

/* Moves `file` aside, checks the displaced content is still ours, and removes it; otherwise
 * puts it back. `aside` is where it is (a hidden name) when `file` itself was already moved. */
static int remove_if_owned(int dfd, const char *file, const char *aside,
			   const struct node_state *st, struct rf_error *reterr)
{
	_cleanup_free_ char *tmp = NULL;
	char have[65];
	int r;

	if (!aside) {
		if (asprintf(&tmp, ".%s.rf-aside-%d", file, (int)getpid()) < 0)
			return -ENOMEM;
		if (renameat(dfd, file, dfd, tmp) < 0)
			return errno == ENOENT
				       ? 0
				       : rf_error_set(reterr, -errno, "cannot remove '%s': %s",
						      file, strerror(errno));
		aside = tmp;
	}
	r = node_sha256_at(dfd, aside, have, NULL);
	if (r >= 0 && node_owned_has(&st->files, file, have)) {
		(void)unlinkat(dfd, aside, 0);
		return 0;
	}
	/* Someone else's file took its place in between: give it back, untouched. */
	if (renameat2(dfd, aside, dfd, file, tmp ? RENAME_NOREPLACE : RENAME_EXCHANGE) < 0)
		return rf_error_set(reterr, -errno,
				    "'%s' was changed by someone else while ringfence "
				    "was replacing it; it is kept as '%s'",
				    file, aside);
	if (!tmp)
		(void)unlinkat(dfd, aside, 0); /* after the swap back, `aside` holds our new file */
	return rf_error_set(reterr, -EEXIST,
			    "'%s' was changed by someone else while ringfence was installing; it "
			    "was left as it is",
			    file);
}

int node_apply(struct plan *pl, int dfd, struct node_state *st, const struct rf_node_result *res,
	       struct rf_error *reterr)
{
	bool writes = false, dirty = pl->forget;
	int r;

	for (size_t i = 0; i < pl->n; i++)
		if (pl->items[i].kind == RF_NODE_SECCOMP &&
		    pl->items[i].action != RF_NODE_UNCHANGED) {
			r = node_owned_set(&st->files, pl->items[i].file, pl->items[i].sha256,
					   false);
			if (r < 0)
				return r;
			writes = true;
		}
	for (size_t i = 0; i < res->n; i++)
		dirty |= res->items[i].action == RF_NODE_PRUNED;
	if (!writes && !dirty)
		return 0;
	/* Ownership first (old and new hashes both accepted), then the files, then the final
	 * state: a crash at any point leaves only files the state still recognises. */
	if (writes && (r = node_state_write(dfd, st, reterr)) < 0)
		return r;
	for (size_t i = 0; i < pl->n; i++) {
		struct item *it = &pl->items[i];
		_cleanup_free_ char *old = NULL;

		if (it->kind != RF_NODE_SECCOMP || it->action == RF_NODE_UNCHANGED)
			continue;
		r = node_publish(dfd, it->file, it->bytes, it->len,
				 it->action == RF_NODE_CREATED ? NODE_NOREPLACE : NODE_EXCHANGE,
				 &old, reterr);
		if (r == -EINVAL && it->action == RF_NODE_UPDATED) /* no RENAME_EXCHANGE here */
			r = node_publish(dfd, it->file, it->bytes, it->len, NODE_REPLACE, NULL,
					 reterr);
		if (r < 0)
			return r;
		if (old && (r = remove_if_owned(dfd, it->file, old, st, reterr)) < 0)
			return r;
		if ((r = node_owned_set(&st->files, it->file, it->sha256, true)) < 0)
			return r;
	}
	for (size_t i = 0; i < res->n; i++) {
		const char *base;

		if (res->items[i].action != RF_NODE_PRUNED)
			continue;
		base = strrchr(res->items[i].path, '/');
		base = base ? base + 1 : res->items[i].path;
		if ((r = remove_if_owned(dfd, base, NULL, st, reterr)) < 0)
			return r;
		node_owned_remove(&st->files, base);
	}
	STRV_FOREACH(file, pl->forget)
		node_owned_remove(&st->files, *file);
	return node_state_write(dfd, st, reterr);
}
