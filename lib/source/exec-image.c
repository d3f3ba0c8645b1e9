/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a process holds right after execve, read from /proc while it is stopped at the exec:
 * the files the kernel mapped executable for it (the ELF interpreter, which no syscall of the
 * process opens) and the open files it inherited (which AppArmor checks again when an exec
 * enters a profile). Both are file accesses a profile must allow for the same run to pass. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/strv.h"
#include "decode.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

static int mapped(pid_t tid, const char *exe, rf_exec_file_fn fn, void *userdata)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_strv_free_ char **seen = NULL;
	_cleanup_free_ char *line = NULL;
	char path[64];
	size_t cap = 0;

	(void)snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	if (!(f = fopen(path, "re")))
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char perms[8] = "";
		int off = 0;
		const char *name;

		/* "start-end perms offset dev inode   pathname" */
		if (sscanf(line, "%*s %7s %*s %*s %*s %n", perms, &off) < 1 || !off ||
		    perms[2] != 'x')
			continue;
		name = line + off;
		line[strcspn(line, "\n")] = '\0';
		if (name[0] != '/' || (exe && streq(name, exe)) || strv_contains(seen, name))
			continue;
		if (strv_extend(&seen, name) < 0)
			return -ENOMEM;
		fn(&(struct rf_ev_file){ .op = RF_FILE_MMAP,
					 .path = name,
					 .access = RF_ACC_READ | RF_ACC_MMAP_EXEC,
					 .flags = -1 },
		   userdata);
	}
	return 0;
}

static int fd_flags(pid_t tid, const char *fd)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	char path[320];
	size_t cap = 0;
	unsigned flags;

	(void)snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)tid, fd);
	if (!(f = fopen(path, "re")))
		return -1;
	while (getline(&line, &cap, f) > 0)
		if (sscanf(line, "flags: %o", &flags) == 1)
			return (int)flags;
	return -1;
}

static int inherited(pid_t tid, rf_exec_file_fn fn, void *userdata)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char dir[64];
	struct dirent *de;

	(void)snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)tid);
	if (!(d = opendir(dir)))
		return -errno;
	while ((de = readdir(d))) {
		char link[320], target[PATH_MAX];
		ssize_t n;
		int flags;
		uint32_t access;

		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0 || target[0] != '/')
			continue; /* pipes, sockets, anonymous inodes */
		target[n] = '\0';
		if ((flags = fd_flags(tid, de->d_name)) < 0)
			continue;
		access = (flags & O_ACCMODE) == O_WRONLY ? 0 : RF_ACC_READ;
		if ((flags & O_ACCMODE) != O_RDONLY)
			access |= flags & O_APPEND ? RF_ACC_APPEND : RF_ACC_WRITE;
		if (flags & O_DIRECTORY)
			access |= RF_ACC_DIR;
		fn(&(struct rf_ev_file){ .op = RF_FILE_OPEN,
					 .path = target,
					 .access = access,
					 .flags = flags,
					 .has_ret = true,
					 .ret = atoi(de->d_name) },
		   userdata);
	}
	return 0;
}

int rf_exec_image_files(pid_t tid, const char *exe, bool with_inherited, rf_exec_file_fn fn,
			void *userdata)
{
	int r = mapped(tid, exe, fn, userdata);

	if (r >= 0 && with_inherited)
		r = inherited(tid, fn, userdata);
	return r;
}
