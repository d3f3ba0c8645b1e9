/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AppArmor profiles are compiled by apparmor_parser, never by us: `-Q -K -N` checks a file's
 * syntax and names its profiles without touching the kernel, `-r` loads (replaces) them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/strv.h"
#include "node-internal.h"

extern char **environ;

/* Everything a short-lived child wrote to an fd, read back from the start. */
static char *slurp(int fd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char chunk[4096];
	ssize_t n;

	if (!f)
		return NULL;
	(void)lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && len < (1u << 20))
		fwrite(chunk, 1, (size_t)n, f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Runs argv with stdout and stderr captured (memfds: no pipe to deadlock on). */
static int run_parser(const char *const argv[], char **ret_out, char **ret_err,
		      struct rf_error *reterr)
{
	_cleanup_close_ int out = memfd_create("rf-aa-out", MFD_CLOEXEC);
	_cleanup_close_ int err = memfd_create("rf-aa-err", MFD_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	pid_t pid;
	int r, status;

	if (out < 0 || err < 0)
		return rf_error_set(reterr, -errno, "memfd_create: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
	/* The agent blocks SIGTERM/SIGINT for its signalfd: the parser must not inherit that. */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	r = posix_spawn(&pid, argv[0], &fa, &attr, (char *const *)argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return rf_error_set(reterr, -r, "cannot run %s: %s", argv[0], strerror(r));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return rf_error_set(reterr, -errno, "waitpid: %s", strerror(errno));
	*ret_out = slurp(out);
	*ret_err = slurp(err);
	if (!*ret_out || !*ret_err)
		return -ENOMEM;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The parser's complaint without its "Cache read/write disabled" chatter, on one line. */
static const char *first_real_line(char *text)
{
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (!strstr(line, "Cache read/write disabled"))
			return line;
	return "no message";
}

int node_apparmor_check(const char *parser, const char *path, char ***ret_names,
			struct rf_error *reterr)
{
	const char *const argv[] = { parser, "-Q", "-K", "-N", path, NULL };
	_cleanup_free_ char *out = NULL, *err = NULL;
	_cleanup_strv_free_ char **names = NULL;
	int r = run_parser(argv, &out, &err, reterr);

	if (r < 0)
		return r;
	if (r != 0)
		return rf_error_set(reterr, -EINVAL, "%s: not a valid AppArmor profile: %s", path,
				    first_real_line(err));
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		if (*line && (r = strv_extend_unique(&names, line)) < 0)
			return r;
	if (!names)
		return rf_error_set(reterr, -EINVAL, "%s: defines no AppArmor profile", path);
	strv_sort(names);
	*ret_names = TAKE_PTR(names);
	return 0;
}

int rf_apparmor_parser_check(const char *parser, const char *path, char ***ret_names,
			     struct rf_error *reterr)
{
	return node_apparmor_check(parser, path, ret_names, reterr);
}

int node_apparmor_load(const char *parser, const char *path, struct rf_error *reterr)
{
	const char *const argv[] = { parser, "-r", path, NULL };
	_cleanup_free_ char *out = NULL, *err = NULL;
	int r = run_parser(argv, &out, &err, reterr);

	if (r < 0)
		return r;
	if (r != 0)
		return rf_error_set(reterr, -EIO, "apparmor_parser -r %s failed: %s", path,
				    first_real_line(err));
	return 0;
}

/* Unloading needs no profile text: the kernel takes the name on its .remove file. */
static int unload(const char *fs, const char *name, struct rf_error *reterr)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t n = strlen(name);

	if (asprintf(&path, "%s/.remove", fs) < 0)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, name, n) != (ssize_t)n)
		return rf_error_set(reterr, -errno ?: -EIO,
				    "cannot unload AppArmor profile '%s' (%s): %s", name, path,
				    strerror(errno ?: EIO));
	return 0;
}

int node_apparmor_plan(struct plan *pl, const char *sys, struct rf_apparmor_info *aa,
		       struct rf_error *reterr)
{
	bool any = false;
	int r;

	for (size_t i = 0; i < pl->n; i++)
		any |= pl->items[i].kind == RF_NODE_APPARMOR;
	/* Probed even without AppArmor items: --prune may have owned profiles to unload. */
	if ((r = rf_apparmor_probe(sys, aa)) < 0)
		return r;
	if (!any)
		return 0;
	if (!aa->enabled)
		return node_note(pl, "AppArmor profiles not loaded: %s",
				 aa->why_not ?: "AppArmor is off");
	if (!aa->parser)
		return rf_error_set(reterr, -ENOENT,
				    "the kernel has AppArmor but apparmor_parser is not installed: "
				    "nothing was installed");
	return 0;
}

static bool in_set(const struct plan *pl, const char *name)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->items[i].kind == RF_NODE_APPARMOR &&
		    strv_contains(pl->items[i].apparmor_names, name))
			return true;
	return false;
}

int node_apparmor_decide(struct plan *pl, const struct rf_apparmor_info *aa,
			 const struct node_state *st, bool prune, struct rf_error *reterr)
{
	int r;

	for (size_t i = 0; i < pl->n; i++) {
		struct item *it = &pl->items[i];
		bool unchanged = true;

		if (it->kind != RF_NODE_APPARMOR)
			continue;
		it->action = aa->enabled ? RF_NODE_LOADED : RF_NODE_SKIPPED;
		if (!aa->enabled)
			continue;
		STRV_FOREACH(name, it->apparmor_names) {
			bool loaded = strv_contains(aa->profiles, *name);

			/* The runtime's own profile (docker-default, cri-containerd.apparmor.d) or
			 * anyone else's is never replaced by a file that happens to share its name.
			 */
			if (loaded && !node_owned_find(&st->apparmor, *name))
				return rf_error_set(
					reterr, -EEXIST,
					"AppArmor profile '%s' (%s) is loaded and was not "
					"loaded by ringfence: nothing was installed",
					*name, it->source);
			unchanged &= loaded && node_owned_has(&st->apparmor, *name, it->sha256);
		}
		if (unchanged && it->apparmor_names)
			it->action = RF_NODE_UNCHANGED;
	}
	for (size_t i = 0; prune && aa->enabled && i < st->apparmor.n; i++)
		if (!in_set(pl, st->apparmor.v[i].file) &&
		    (r = strv_extend(&pl->apparmor_unload, st->apparmor.v[i].file)) < 0)
			return r;
	return 0;
}

int node_apparmor_apply(struct plan *pl, const struct rf_apparmor_info *aa, int dfd,
			struct node_state *st, bool dry_run, struct rf_node_result *res,
			struct rf_error *reterr)
{
	bool changed = false;
	int r = 0;

	for (size_t i = 0; i < pl->n; i++) {
		struct item *it = &pl->items[i];

		if (it->kind != RF_NODE_APPARMOR)
			continue;
		if (!dry_run && it->action == RF_NODE_LOADED) {
			if ((r = node_apparmor_load(aa->parser, it->source, reterr)) < 0)
				break;
			STRV_FOREACH(name, it->apparmor_names)
				if ((r = node_owned_set(&st->apparmor, *name, it->sha256, true)) <
				    0)
					return r;
			changed = true;
		}
		STRV_FOREACH(name, it->apparmor_names)
			if ((r = node_result_add(res, RF_NODE_APPARMOR, it->action, *name,
						 it->source, NULL, *name, NULL)) < 0)
				return r;
		if (!it->apparmor_names &&
		    (r = node_result_add(res, RF_NODE_APPARMOR, RF_NODE_SKIPPED, it->source,
					 it->source, NULL, NULL, NULL)) < 0)
			return r;
	}
	STRV_FOREACH(name, pl->apparmor_unload) {
		if (r < 0)
			break;
		/* A profile someone already unloaded is simply forgotten. */
		if (!dry_run && strv_contains(aa->profiles, *name) &&
		    (r = unload(aa->fs, *name, reterr)) < 0)
			break;
		if (!dry_run) {
			node_owned_remove(&st->apparmor, *name);
			changed = true;
		}
		r = node_result_add(res, RF_NODE_APPARMOR, RF_NODE_PRUNED, *name, NULL, NULL, *name,
				    NULL);
	}
	/* What was loaded is recorded even when a later load failed. */
	if (changed && dfd >= 0) {
		int k = node_state_write(dfd, st, r < 0 ? NULL : reterr);

		if (r >= 0)
			r = k;
	}
	return r;
}
