/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simple outputs of ringfence/alert.h: standard output, a rotating file, syslog datagrams.
 * Each write is one write(2) of a whole line, so concurrent readers never see half a record. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "alert-internal.h"
#include "core/macro.h"
#include "ringfence/log.h"

int rf_alert_alloc(const struct rf_alert_ops *ops, const char *name, enum rf_alert_format fmt,
		   void *impl, struct rf_alert_out **ret)
{
	struct rf_alert_out *o = calloc(1, sizeof(*o));

	if (!o || !(o->name = strdup(name))) {
		free(o);
		return -ENOMEM;
	}
	o->ops = ops;
	o->fmt = fmt;
	o->impl = impl;
	pthread_mutex_init(&o->lock, NULL);
	*ret = o;
	return 0;
}

void rf_alert_count(struct rf_alert_out *o, uint64_t *counter)
{
	pthread_mutex_lock(&o->lock);
	(*counter)++;
	pthread_mutex_unlock(&o->lock);
}

void rf_alert_failed(struct rf_alert_out *o, const char *why)
{
	uint64_t n;

	pthread_mutex_lock(&o->lock);
	n = o->failures_logged++;
	pthread_mutex_unlock(&o->lock);
	if (n % 100 == 0)
		rf_log(RF_LOG_WARNING, "output %s: %s (failure %llu; detection goes on)", o->name,
		       why, (unsigned long long)n + 1);
}

void rf_alert_emit(struct rf_alert_out *o, const char *json, const char *text,
		   enum rf_alert_severity severity)
{
	if (o->closed) {
		rf_alert_count(o, &o->stats.dropped);
		return;
	}
	o->ops->emit(o, json, text, severity);
}

void rf_alert_stats(const struct rf_alert_out *o, struct rf_alert_stats *ret)
{
	pthread_mutex_lock((pthread_mutex_t *)&o->lock);
	*ret = o->stats;
	pthread_mutex_unlock((pthread_mutex_t *)&o->lock);
}

const char *rf_alert_name(const struct rf_alert_out *o)
{
	return o->name;
}

void rf_alert_close(struct rf_alert_out *o)
{
	if (!o || o->closed)
		return;
	if (o->ops->close)
		o->ops->close(o);
	o->closed = true;
}

void rf_alert_free(struct rf_alert_out *o)
{
	if (!o)
		return;
	rf_alert_close(o);
	pthread_mutex_destroy(&o->lock);
	free(o->name);
	free(o);
}

/* One line, written in one call: O_APPEND makes each write land whole at the end. */
static int write_line(int fd, const char *s)
{
	size_t len = strlen(s);
	_cleanup_free_ char *line = malloc(len + 2);
	ssize_t n;

	if (!line)
		return -ENOMEM;
	memcpy(line, s, len);
	line[len] = '\n';
	do
		n = write(fd, line, len + 1);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len + 1 ? 0 : n < 0 ? -errno : -EIO;
}

/* ---- stdout ---- */

static void stdout_emit(struct rf_alert_out *o, const char *json, const char *text,
			enum rf_alert_severity sev)
{
	int r = write_line(STDOUT_FILENO, o->fmt == RF_ALERT_JSON ? json : text);

	if (r < 0) {
		rf_alert_count(o, &o->stats.failed);
		rf_alert_failed(o, strerror(-r));
	} else {
		rf_alert_count(o, &o->stats.delivered);
	}
}

static const struct rf_alert_ops stdout_ops = { .emit = stdout_emit };

int rf_alert_stdout_new(enum rf_alert_format fmt, struct rf_alert_out **ret)
{
	return rf_alert_alloc(&stdout_ops, "stdout", fmt, NULL, ret);
}

/* ---- a rotating file ---- */

struct file_out {
	char *path;
	int fd;
	uint64_t size, max;
	unsigned keep;
};

static int file_open(struct file_out *f)
{
	struct stat st;

	f->fd = open(f->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(f->fd);
		f->fd = -1;
		return -EINVAL;
	}
	f->size = (uint64_t)st.st_size;
	return 0;
}

/* path -> path.1 -> path.2 ...; the one past `keep` is removed. Renames never lose a reader's
 * place (tail -F follows the name). */
static int file_rotate(struct file_out *f)
{
	unsigned last = f->keep;
	char from[4096], to[4096];

	if (!f->keep)
		for (last = 1;; last++) {
			(void)snprintf(to, sizeof(to), "%s.%u", f->path, last);
			if (access(to, F_OK) < 0)
				break;
		}
	(void)snprintf(to, sizeof(to), "%s.%u", f->path, last);
	if (f->keep)
		(void)unlink(to);
	for (unsigned i = last; i > 1; i--) {
		(void)snprintf(from, sizeof(from), "%s.%u", f->path, i - 1);
		(void)snprintf(to, sizeof(to), "%s.%u", f->path, i);
		(void)rename(from, to);
	}
	(void)snprintf(to, sizeof(to), "%s.1", f->path);
	close(f->fd);
	f->fd = -1;
	if (rename(f->path, to) < 0)
		return -errno;
	return file_open(f);
}

static void file_emit(struct rf_alert_out *o, const char *json, const char *text,
		      enum rf_alert_severity sev)
{
	struct file_out *f = o->impl;
	const char *line = o->fmt == RF_ALERT_JSON ? json : text;
	int r = 0;

	if (f->max && f->size > 0 && f->size + strlen(line) + 1 > f->max)
		r = file_rotate(f);
	if (r >= 0 && f->fd < 0)
		r = file_open(f);
	if (r >= 0)
		r = write_line(f->fd, line);
	if (r < 0) {
		rf_alert_count(o, &o->stats.failed);
		rf_alert_failed(o, strerror(-r));
		return;
	}
	f->size += strlen(line) + 1;
	rf_alert_count(o, &o->stats.delivered);
}

static void file_close(struct rf_alert_out *o)
{
	struct file_out *f = o->impl;

	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f);
}

static const struct rf_alert_ops file_ops = { .emit = file_emit, .close = file_close };

int rf_alert_file_new(const char *path, enum rf_alert_format fmt, uint64_t max_bytes, unsigned keep,
		      struct rf_alert_out **ret, struct rf_error *reterr)
{
	struct file_out *f = calloc(1, sizeof(*f));
	_cleanup_free_ char *name = NULL;
	int r;

	if (!f || !(f->path = strdup(path)) || asprintf(&name, "file:%s", path) < 0) {
		free(f ? f->path : NULL);
		free(f);
		return -ENOMEM;
	}
	f->max = max_bytes;
	f->keep = keep;
	r = file_open(f);
	if (r < 0) {
		free(f->path);
		free(f);
		return rf_error_set(reterr, r, "--output '%s': %s", path,
				    r == -EINVAL ? "not a regular file" : strerror(-r));
	}
	r = rf_alert_alloc(&file_ops, name, fmt, f, ret);
	if (r < 0) {
		close(f->fd);
		free(f->path);
		free(f);
	}
	return r;
}

/* ---- syslog ---- */

struct syslog_out {
	struct sockaddr_un addr;
	int fd;
};

static void syslog_emit(struct rf_alert_out *o, const char *json, const char *text,
			enum rf_alert_severity sev)
{
	struct syslog_out *s = o->impl;
	char stamp[32], host[64] = "-", *msg = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int len;

	(void)gethostname(host, sizeof(host) - 1);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", localtime_r(&now, &tm));
	/* facility auth (4) */
	len = asprintf(&msg, "<%d>%s %s ringfence[%d]: %s", 4 * 8 + (int)sev, stamp, host,
		       (int)getpid(), o->fmt == RF_ALERT_JSON ? json : text);
	if (len < 0) {
		rf_alert_count(o, &o->stats.failed);
		return;
	}
	if (s->fd < 0) {
		s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s->fd >= 0 &&
		    connect(s->fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) < 0) {
			close(s->fd);
			s->fd = -1;
		}
	}
	if (s->fd < 0 || send(s->fd, msg, (size_t)len, MSG_NOSIGNAL) != len) {
		rf_alert_count(o, &o->stats.failed);
		rf_alert_failed(o, strerror(errno));
		if (s->fd >= 0) { /* the daemon may have restarted: reconnect next time */
			close(s->fd);
			s->fd = -1;
		}
	} else {
		rf_alert_count(o, &o->stats.delivered);
	}
	free(msg);
}

static void syslog_close(struct rf_alert_out *o)
{
	struct syslog_out *s = o->impl;

	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

static const struct rf_alert_ops syslog_ops = { .emit = syslog_emit, .close = syslog_close };

int rf_alert_syslog_new(const char *socket_path, enum rf_alert_format fmt,
			struct rf_alert_out **ret, struct rf_error *reterr)
{
	struct syslog_out *s = calloc(1, sizeof(*s));
	const char *path = socket_path ?: "/dev/log";
	_cleanup_free_ char *name = NULL;
	int r;

	if (!s)
		return -ENOMEM;
	if (strlen(path) >= sizeof(s->addr.sun_path)) {
		free(s);
		return rf_error_set(reterr, -ENAMETOOLONG, "syslog socket '%s': path too long",
				    path);
	}
	s->addr.sun_family = AF_UNIX;
	memcpy(s->addr.sun_path, path, strlen(path) + 1);
	s->fd = -1;
	if (asprintf(&name, "syslog:%s", path) < 0) {
		free(s);
		return -ENOMEM;
	}
	r = rf_alert_alloc(&syslog_ops, name, fmt, s, ret);
	if (r < 0)
		free(s);
	return r;
}

int rf_alert_webhook_new(const struct rf_webhook_opts *o, struct rf_alert_out **ret,
			 struct rf_error *reterr)
{
	return rf_alert_webhook_new_impl(o, ret, reterr);
}
