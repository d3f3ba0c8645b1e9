/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The API server's log backend: JSON Lines files read through zlib (gzip'd rotated files and
 * plain ones alike), followed like tail -F (growth; a rotation or truncation reopens the name),
 * and the run loop that also serves the webhook backend's queue (listen.c). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/macro.h"
#include "k8saudit-internal.h"
#include "ringfence/log.h"

#define MAX_LINE (16u << 20) /* an audit event larger than this is skipped, and said */

const struct rf_source_info rf_k8s_audit_source = {
	.name = "k8s-audit",
	.kinds = RF_EV_BIT(RF_EV_K8S_AUDIT),
	.fields = RF_FIELD_LOG_TIME,
};

struct reader {
	gzFile gz;
	const char *path;
	dev_t dev;
	ino_t ino;
	char *buf;
	size_t len, cap;
	unsigned line;
	bool skipping; /* inside an over-long line */
};

static int reader_open(struct reader *r, const char *path, struct rf_error *reterr)
{
	struct stat st;
	int fd = streq(path, "-") ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
				  : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return rf_error_set(reterr, -errno, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || (!streq(path, "-") && !S_ISREG(st.st_mode))) {
		close(fd);
		return rf_error_set(reterr, -EINVAL, "'%s' is not a regular file", path);
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	r->gz = gzdopen(fd, "rb");
	if (!r->gz) {
		close(fd);
		return -ENOMEM;
	}
	(void)gzbuffer(r->gz, 256 * 1024);
	r->path = path;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->line = 0;
	r->len = 0;
	r->skipping = false;
	return 0;
}

static void reader_close(struct reader *r)
{
	if (r->gz)
		gzclose(r->gz);
	r->gz = NULL;
}

/* tail -F: the name now points at another file, or ours shrank below what we read. */
static bool reader_rotated(struct reader *r)
{
	struct stat st;

	if (streq(r->path, "-") || stat(r->path, &st) < 0)
		return false;
	return st.st_ino != r->ino || st.st_dev != r->dev || (off_t)gzoffset(r->gz) > st.st_size;
}

int k8s_audit_deliver(struct k8s_run *run, const cJSON *e, const char *origin)
{
	struct rf_k8s_audit a;
	struct rf_event ev = { .kind = RF_EV_K8S_AUDIT };
	const char *why;
	int r;

	if (rf_k8s_audit_from_json(e, origin, &a, &why) < 0) {
		run->res.bad++;
		if (run->res.bad <= 10 || run->res.bad % 1000 == 0)
			rf_log(RF_LOG_WARNING, "%s: %s, skipped (%llu so far)", origin, why,
			       (unsigned long long)run->res.bad);
		return 0;
	}
	ev.time_ns = a.time_ns;
	ev.audit = &a;
	r = run->fn(&ev, run->userdata);
	if (r >= 0)
		run->res.events++;
	return r;
}

static int one_line(struct k8s_run *run, struct reader *rd, const char *p, size_t n)
{
	char origin[512];
	cJSON *e;
	int r;

	while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
		n--;
	if (!n)
		return 0;
	(void)snprintf(origin, sizeof(origin), "%s:%u", rd->path, rd->line);
	e = cJSON_ParseWithLength(p, n);
	if (!e) {
		run->res.bad++;
		if (run->res.bad <= 10 || run->res.bad % 1000 == 0)
			rf_log(RF_LOG_WARNING, "%s: not JSON, skipped", origin);
		return 0;
	}
	r = k8s_audit_deliver(run, e, origin);
	cJSON_Delete(e);
	return r;
}

static void too_long(struct k8s_run *run, struct reader *rd, unsigned line)
{
	run->res.bad++;
	if (run->res.bad <= 10 || run->res.bad % 1000 == 0)
		rf_log(RF_LOG_WARNING, "%s:%u: a line over %u bytes, skipped", rd->path, line,
		       MAX_LINE);
}

/* Reads what is there now: 1 when something was read, 0 at the end, < 0 on error. Complete
 * lines are delivered; a last line without newline waits for more unless `final`. A line
 * longer than MAX_LINE is reported and skipped to its end, never held whole: the buffer
 * keeps at most MAX_LINE bytes of a line and one read. */
static int reader_pump(struct k8s_run *run, struct reader *rd, bool final)
{
	bool got = false;

	for (;;) {
		size_t start = 0;
		int n;

		if (rd->cap - rd->len < 65536) {
			size_t ncap = rd->cap ? rd->cap * 2 : 1u << 20;
			char *nb = ncap > MAX_LINE * 2 ? NULL : realloc(rd->buf, ncap);

			if (!nb && rd->cap - rd->len < 4096) { /* out of memory: drop the line */
				if (!rd->skipping)
					too_long(run, rd, rd->line + 1);
				rd->skipping = true;
				rd->len = 0;
			} else if (nb) {
				rd->buf = nb;
				rd->cap = ncap;
			}
		}
		n = gzread(rd->gz, rd->buf + rd->len, (unsigned)(rd->cap - rd->len));
		if (n < 0) {
			int e;
			const char *msg = gzerror(rd->gz, &e);

			return rf_error_set(run->err, -EIO, "'%s': %s", rd->path, msg);
		}
		if (n == 0)
			break;
		got = true;
		run->res.bytes += (uint64_t)n;
		rd->len += (size_t)n;
		for (;;) {
			char *nl = memchr(rd->buf + start, '\n', rd->len - start);
			size_t len;
			int r = 0;

			if (!nl)
				break;
			rd->line++;
			len = (size_t)(nl - rd->buf) - start;
			if (!rd->skipping && len > MAX_LINE)
				too_long(run, rd, rd->line);
			else if (!rd->skipping)
				r = one_line(run, rd, rd->buf + start, len);
			rd->skipping = false;
			start = (size_t)(nl - rd->buf) + 1;
			if (r < 0)
				return r;
		}
		if (!rd->skipping && rd->len - start > MAX_LINE) { /* too long already: skip on */
			too_long(run, rd, rd->line + 1);
			rd->skipping = true;
		}
		if (rd->skipping)
			start = rd->len;
		memmove(rd->buf, rd->buf + start, rd->len - start);
		rd->len -= start;
	}
	gzclearerr(rd->gz); /* a growing file: read on past this end next time */
	if (final && rd->len && !rd->skipping) {
		int r;

		rd->line++;
		r = one_line(run, rd, rd->buf, rd->len);
		rd->len = 0;
		if (r < 0)
			return r;
	}
	return got;
}

static bool stopped(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (fd < 0) {
		if (timeout_ms > 0)
			(void)poll(NULL, 0, timeout_ms);
		return false;
	}
	return poll(&p, 1, timeout_ms) > 0;
}

int rf_k8s_audit_run(const struct rf_k8s_audit_opts *o, rf_event_fn fn, void *userdata,
		     struct rf_k8s_audit_result *ret, struct rf_error *reterr)
{
	struct k8s_run run = { .fn = fn, .userdata = userdata, .err = reterr, .o = o };
	struct reader rd = { 0 };
	size_t n_paths = 0;
	int r = 0;

	for (char *const *p = o->paths; p && *p; p++)
		n_paths++;
	if (!n_paths && !o->listen)
		return rf_error_set(reterr, -EINVAL, "no audit log and no --listen");
	if (o->listen && (r = k8s_listen_start(&run)) < 0) {
		k8s_listen_stop(&run, false);
		return r;
	}
	if (o->ready_fd > 0) {
		(void)!write(o->ready_fd, "r", 1);
		close(o->ready_fd);
	}
	for (size_t i = 0; r >= 0 && i < n_paths; i++) {
		bool last = i + 1 == n_paths;

		r = reader_open(&rd, o->paths[i], reterr);
		while (r >= 0) {
			r = reader_pump(&run, &rd, !(o->follow && last));
			if (r < 0 || !(o->follow && last))
				break;
			if (o->listen && (r = k8s_listen_drain(&run)) < 0)
				break;
			if (reader_rotated(&rd)) {
				/* the rest of the old file first, then the new one from its start
				 */
				if ((r = reader_pump(&run, &rd, true)) < 0)
					break;
				reader_close(&rd);
				r = reader_open(&rd, o->paths[i], NULL);
				if (r < 0) /* renamed away, not yet recreated */
					while (!stopped(o->stop_fd, 100) &&
					       (r = reader_open(&rd, o->paths[i], NULL)) < 0)
						;
				if (r < 0)
					r = 0;
				if (!rd.gz)
					break;
				continue;
			}
			if (r == 0 && stopped(o->stop_fd, 100))
				break;
			r = 0;
		}
		reader_close(&rd);
		if (stopped(o->stop_fd, 0))
			break;
	}
	free(rd.buf);
	if (r >= 0 && o->listen)
		r = k8s_listen_serve(&run);
	if (o->listen)
		k8s_listen_stop(&run, r >= 0);
	if (ret)
		*ret = run.res;
	return r < 0 ? r : 0;
}
