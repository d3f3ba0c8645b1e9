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
static int run_parser(const char *const argv[], char **ret_out, char **ret_err, struct rf_error *reterr)
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
