/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded reads and atomic writes; see fileio.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

int rf_read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct rf_error *reterr)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (streq(path, "-"))
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return rf_error_set(reterr, -errno, "cannot open '%s': %s", path, strerror(errno));
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;

			if (cap > max + 1)
				return rf_error_set(reterr, -EFBIG, "'%s' is larger than %zu bytes",
						    path, max);
			nb = realloc(buf, ncap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rf_error_set(reterr, -errno, "cannot read '%s': %s", path,
					    strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return rf_error_set(reterr, -EFBIG, "'%s' is larger than %zu bytes", path,
					    max);
	}
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int rf_read_file_optional(const char *path, size_t max, char **ret, size_t *ret_len,
			  struct rf_error *reterr)
{
	struct rf_error e = {};
	int r = rf_read_file(path, max, ret, ret_len, &e);

	if (r < 0 && r != -ENOENT)
		rf_error_set(reterr, r, "%s", e.message ?: strerror(-r));
	rf_error_clear(&e);
	return r;
}

/* The rename itself is durable only once the directory is synced (a crash could otherwise
 * bring back the old file, or no file, after the caller was told it is written). */
static int fsync_parent_dir(const char *path, struct rf_error *reterr)
{
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_close_ int dfd = -EBADF;

	if (!copy)
		return -ENOMEM;
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Best effort where it cannot be done (a write-only directory, a file system without
	 * directory fsync): the file itself is written and synced. */
	if (dfd < 0 && (errno == EACCES || errno == EPERM))
		return 0;
	if (dfd < 0 || (fsync(dfd) < 0 && errno != EINVAL))
		return rf_error_set(reterr, -errno, "cannot sync the directory of '%s': %s", path,
				    strerror(errno));
	return 0;
}

int rf_write_file_atomic(const char *path, int (*fn)(FILE *f, void *userdata), void *userdata,
			 struct rf_error *reterr)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	const char *slash;
	int fd, r;

	if (streq(path, "-")) {
		r = fn(stdout, userdata);
		if (r < 0)
			return r;
		if (fflush(stdout) != 0 || ferror(stdout))
			return rf_error_set(reterr, -EIO, "writing to stdout failed");
		return 0;
	}
	/* A hidden name next to the target: directory readers (the kubelet's seccomp directory,
	 * `node status`) skip dot files, so a half-written profile is never listed. */
	slash = strrchr(path, '/');
	if (asprintf(&tmp, "%.*s.%s.rf-tmp-XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
		     slash ? slash + 1 : path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return rf_error_set(reterr, -errno, "cannot create a file next to '%s': %s", path,
				    strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		(void)close(fd);
		(void)unlink(tmp);
		return rf_error_set(reterr, r, "fdopen: %s", strerror(-r));
	}
	r = fn(f, userdata);
	if (r >= 0 && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0))
		r = rf_error_set(reterr, -errno ?: -EIO, "writing '%s' failed: %s", path,
				 strerror(errno ?: EIO));
	if (r >= 0 && fchmod(fileno(f), 0644) < 0)
		r = rf_error_set(reterr, -errno, "chmod '%s': %s", tmp, strerror(errno));
	if (r >= 0 && rename(tmp, path) < 0)
		r = rf_error_set(reterr, -errno, "cannot rename to '%s': %s", path,
				 strerror(errno));
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	return fsync_parent_dir(path, reterr);
}
