/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded reads and atomic writes; see fileio.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <linux/magic.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

/* Opens an input without blocking: a FIFO nobody writes to would otherwise hang open(2). A
 * regular file, a FIFO or pipe, a character device or "-" can be read; a directory, a socket
 * or a block device cannot. */
static int open_input(const char *path, struct stat *ret_st, struct rf_error *reterr)
{
	_cleanup_close_ int fd = -EBADF;

	if (streq(path, "-"))
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return rf_error_set(reterr, -errno, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, ret_st) < 0)
		return rf_error_set(reterr, -errno, "cannot stat '%s': %s", path, strerror(errno));
	if (S_ISDIR(ret_st->st_mode))
		return rf_error_set(reterr, -EISDIR, "cannot read '%s': it is a directory", path);
	if (S_ISSOCK(ret_st->st_mode) || S_ISBLK(ret_st->st_mode))
		return rf_error_set(reterr, -EINVAL, "cannot read '%s': it is %s, not a file", path,
				    S_ISSOCK(ret_st->st_mode) ? "a socket" : "a block device");
	return TAKE_FD(fd);
}

/* read(2) that waits for data on a non-blocking FIFO or terminal that has a writer. */
static ssize_t read_waiting(int fd, void *buf, size_t len)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n = read(fd, buf, len);

		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return n;
		if (errno == EAGAIN && poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -1;
	}
}

int rf_read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct rf_error *reterr)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;

	fd = open_input(path, &st, reterr);
	if (fd < 0)
		return fd;
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
		n = read_waiting(fd, buf + len, cap - len - 1);
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
	/* Opened without blocking, a FIFO with no writer reads as empty at once: say why. */
	if (len == 0 && S_ISFIFO(st.st_mode) && !streq(path, "-"))
		return rf_error_set(reterr, -ENODATA,
				    "'%s' is a FIFO and nothing was written to it (no writer had "
				    "it open); give a regular file, or '-' for standard input",
				    path);
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

/* Runs the producer, then makes sure every byte reached the kernel: a full disk (or /dev/full)
 * must be an error, not a silently short file. */
static int produce(FILE *f, const char *shown, int (*fn)(FILE *f, void *userdata), void *userdata,
		   struct rf_error *reterr)
{
	int r = fn(f, userdata);

	/* A producer that failed because its stream did is reported as the write error. */
	if (r < 0 && !ferror(f))
		return r;
	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		return rf_error_set(reterr, -(errno ?: EIO), "writing %s failed: %s", shown,
				    strerror(errno ?: EIO));
	return r;
}

static int write_stdout(int (*fn)(FILE *f, void *userdata), void *userdata, struct rf_error *reterr)
{
	int r = produce(stdout, "to standard output", fn, userdata, reterr);

	/* Reported here, once: what could not be written is dropped, so the exit-time check of
	 * stdout does not report the same failure again. */
	if (r < 0 && ferror(stdout)) {
		__fpurge(stdout);
		clearerr(stdout);
	}
	return r;
}

/* A character device (/dev/null, a terminal), a FIFO or a file named by a /proc magic link
 * (/dev/stdout, /proc/self/fd/N) is written through an ordinary open: renaming over it would
 * replace the device node or the link instead of writing to what it stands for. */
static int write_through(const char *path, int flags, int (*fn)(FILE *f, void *userdata),
			 void *userdata, struct rf_error *reterr)
{
	_cleanup_free_ char *shown = NULL;
	FILE *f;
	int fd, r;

	fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | flags);
	if (fd < 0)
		return rf_error_set(reterr, -errno, "cannot open '%s' for writing: %s", path,
				    strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		(void)close(fd);
		return rf_error_set(reterr, r, "fdopen: %s", strerror(-r));
	}
	if (asprintf(&shown, "'%s'", path) < 0)
		shown = NULL;
	r = produce(f, shown ?: path, fn, userdata, reterr);
	if (fclose(f) != 0 && r >= 0)
		r = rf_error_set(reterr, -errno, "writing '%s' failed: %s", path, strerror(errno));
	return r;
}

/* Follows `path` through symbolic links, one at a time (the way the kernel would, at most 40),
 * to the name that is finally written: a regular file, or a missing one for a dangling link.
 * *ret_magic is set when a link lives in procfs (/proc/self/fd/1, /dev/stdout's target): its
 * target text is not a path to rename next to. */
static int resolve_links(const char *path, char **ret, bool *ret_magic, struct rf_error *reterr)
{
	_cleanup_free_ char *p = strdup(path);

	*ret_magic = false;
	if (!p)
		return -ENOMEM;
	for (int hops = 0;; hops++) {
		_cleanup_free_ char *target = NULL, *next = NULL;
		_cleanup_close_ int lfd = -EBADF;
		struct statfs sfs;
		struct stat st;
		const char *slash;
		ssize_t n;

		if (lstat(p, &st) < 0) {
			if (errno == ENOENT)
				break;
			return rf_error_set(reterr, -errno, "cannot look up '%s': %s", p,
					    strerror(errno));
		}
		if (!S_ISLNK(st.st_mode))
			break;
		if (hops == 40)
			return rf_error_set(reterr, -ELOOP,
					    "'%s': too many levels of symbolic links", path);
		lfd = open(p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (lfd >= 0 && fstatfs(lfd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC) {
			*ret_magic = true;
			break;
		}
		target = malloc((size_t)st.st_size + PATH_MAX + 1);
		if (!target)
			return -ENOMEM;
		n = readlink(p, target, (size_t)st.st_size + PATH_MAX);
		if (n < 0)
			return rf_error_set(reterr, -errno, "cannot read the link '%s': %s", p,
					    strerror(errno));
		target[n] = '\0';
		slash = strrchr(p, '/');
		if (target[0] == '/' || !slash)
			next = TAKE_PTR(target);
		else if (asprintf(&next, "%.*s/%s", (int)(slash - p), p, target) < 0)
			return -ENOMEM;
		free(p);
		p = TAKE_PTR(next);
	}
	*ret = TAKE_PTR(p);
	return 0;
}

static const char *file_type(mode_t m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
			     : "not a regular file";
}

/* Temp file next to `path`, fsync, rename. `old` (the file being replaced, or NULL) gives the
 * mode and owner the new file keeps: rewriting a 0600 file must not publish it as 0644. */
static int write_atomic(const char *path, const struct stat *old,
			int (*fn)(FILE *f, void *userdata), void *userdata, struct rf_error *reterr)
{
	_cleanup_free_ char *tmp = NULL, *shown = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	const char *slash = strrchr(path, '/');
	struct stat now;
	int fd, r;

	/* A hidden name next to the target: directory readers (the kubelet's seccomp directory,
	 * `node status`) skip dot files, so a half-written profile is never listed. */
	if (asprintf(&tmp, "%.*s.%s.rf-tmp-XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
		     slash ? slash + 1 : path) < 0 ||
	    asprintf(&shown, "'%s'", path) < 0)
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
	r = produce(f, shown, fn, userdata, reterr);
	if (r >= 0 && fsync(fileno(f)) < 0)
		r = rf_error_set(reterr, -errno, "writing '%s' failed: %s", path, strerror(errno));
	/* chown first: it clears the set-id bits fchmod then restores. */
	if (r >= 0 && old && (old->st_uid != geteuid() || old->st_gid != getegid()) &&
	    fchown(fileno(f), old->st_uid, old->st_gid) < 0)
		r = rf_error_set(reterr, -errno,
				 "cannot keep the owner of '%s' (%u:%u) on its new content: %s; "
				 "it was left unchanged",
				 path, (unsigned)old->st_uid, (unsigned)old->st_gid,
				 strerror(errno));
	if (r >= 0 && fchmod(fileno(f), old ? old->st_mode & 07777 : 0644) < 0)
		r = rf_error_set(reterr, -errno, "chmod '%s': %s", tmp, strerror(errno));
	/* Whatever appeared at the name meanwhile must still be a plain file to replace. */
	if (r >= 0 && lstat(path, &now) == 0 && !S_ISREG(now.st_mode))
		r = rf_error_set(reterr, -EEXIST,
				 "'%s' changed into %s while it was written; "
				 "it was left alone",
				 path, file_type(now.st_mode));
	if (r >= 0 && rename(tmp, path) < 0)
		r = rf_error_set(reterr, -errno, "cannot rename to '%s': %s", path,
				 strerror(errno));
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	return fsync_parent_dir(path, reterr);
}

int rf_write_file_atomic(const char *path, int (*fn)(FILE *f, void *userdata), void *userdata,
			 struct rf_error *reterr)
{
	_cleanup_free_ char *real = NULL;
	struct stat st, rst;
	bool magic = false;
	int r;

	if (streq(path, "-"))
		return write_stdout(fn, userdata, reterr);
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return rf_error_set(reterr, -errno, "cannot write '%s': %s", path,
					    strerror(errno));
		/* Missing, or a dangling link: create what the link names, never replace it. */
		if ((r = resolve_links(path, &real, &magic, reterr)) < 0)
			return r;
		if (magic)
			return rf_error_set(reterr, -ENOENT, "cannot write '%s': %s", path,
					    strerror(ENOENT));
		return write_atomic(real, NULL, fn, userdata, reterr);
	}
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		return write_through(path, 0, fn, userdata, reterr);
	if (!S_ISREG(st.st_mode))
		return rf_error_set(reterr, S_ISDIR(st.st_mode) ? -EISDIR : -EEXIST,
				    "'%s' is %s; refusing to write there", path,
				    file_type(st.st_mode));
	if ((r = resolve_links(path, &real, &magic, reterr)) < 0)
		return r;
	/* A /proc link to an open file (`-o /dev/stdout` redirected to a file) appends to that
	 * open file, as a shell's `>` and `>>` both expect; so does a name that changed under us.
	 */
	if (magic || stat(real, &rst) < 0 || rst.st_dev != st.st_dev || rst.st_ino != st.st_ino)
		return write_through(path, O_APPEND, fn, userdata, reterr);
	return write_atomic(real, &st, fn, userdata, reterr);
}
