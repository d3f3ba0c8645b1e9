/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `node agent`: keep a node's profiles equal to a watched directory (a mounted ConfigMap in the
 * DaemonSet). inotify on the directory sees a ConfigMap update as the rename of `..data`; a short
 * debounce lets the whole swap land before one sync; a periodic resync repairs drift. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/macro.h"
#include "core/strv.h"
#include "node-internal.h"

#define WATCH_MASK                                                                                 \
	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB |        \
	 IN_DELETE_SELF | IN_MOVE_SELF)
/* A file that vanished while it was read (the old `..data` target removed mid-sync) means a
 * swap is in flight: try again shortly, a bounded number of times. */
#define MAX_QUICK_RETRIES 20

/* Errors a later sync cannot cure: the node directory cannot be written. Anything that fails
 * while the input is read and checked (a bad profile, an unreadable ConfigMap file, a
 * half-swapped source), a foreign file in the way or a busy lock is logged and waits for the
 * next change. */
static bool unrecoverable(int r, bool node_side)
{
	return r == -ENOMEM || (node_side && (r == -EACCES || r == -EPERM || r == -EROFS));
}

/* One install --prune of the source. `quiet_enoent`: a vanished file is not logged (a swap in
 * flight; the caller retries). `notes` holds the previous sync's notes: only new ones are logged.
 */
static int sync_once(const struct rf_node_agent_opts *o, bool quiet_enoent, bool *ret_retry,
		     char ***notes, struct rf_error *reterr)
{
	struct rf_node_opts node = o->node;
	struct rf_node_result res = {};
	char *inputs[] = { (char *)o->source };
	struct rf_error e = {};
	bool node_side;
	int r;

	node.prune = true;
	r = node_install(&node, inputs, 1, &res, &node_side, &e);
	*ret_retry = r == -ENOENT && !node_side;
	if (r < 0) {
		if (o->log && !(quiet_enoent && *ret_retry))
			o->log(NULL, &e, NULL, o->userdata);
		if (unrecoverable(r, node_side))
			rf_error_set(reterr, r, "%s", e.message ?: strerror(-r));
		rf_error_clear(&e);
		return unrecoverable(r, node_side) ? r : 0;
	}
	for (size_t i = 0; i < res.n && o->log; i++)
		if (res.items[i].action != RF_NODE_UNCHANGED &&
		    res.items[i].action != RF_NODE_SKIPPED)
			o->log(&res.items[i], NULL, NULL, o->userdata);
	STRV_FOREACH(n, res.notes)
		if (o->log && !strv_contains(*notes, *n))
			o->log(NULL, NULL, *n, o->userdata);
	strv_free(*notes);
	*notes = TAKE_PTR(res.notes);
	rf_node_result_done(&res);
	return 0;
}

/* Reads every pending event; returns -ENOENT when the watched directory itself went away. */
static int drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
				return -ENOENT;
			p += sizeof(*ev) + ev->len;
		}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	return 0;
}

int rf_node_agent_run(const struct rf_node_agent_opts *o, struct rf_error *reterr)
{
	_cleanup_close_ int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	uint64_t debounce_ns = (uint64_t)(o->debounce_ms ?: 100) * 1000000u;
	uint64_t resync_ns = (uint64_t)o->resync_seconds * 1000000000u;
	uint64_t now, due_sync, due_resync, first_event = UINT64_MAX;
	_cleanup_strv_free_ char **notes = NULL;
	unsigned retries = 0;
	bool retry;
	int r;

	if (ifd < 0)
		return rf_error_set(reterr, -errno, "inotify_init1: %s", strerror(errno));
	/* The watch comes first: a change during the first sync must not be missed. */
	if (inotify_add_watch(ifd, o->source, WATCH_MASK | IN_ONLYDIR) < 0)
		return rf_error_set(reterr, -errno, "cannot watch '%s': %s", o->source,
				    strerror(errno));
	due_sync = rf_now_ns();
	due_resync = resync_ns ? due_sync + resync_ns : UINT64_MAX;
	for (;;) {
		struct pollfd pfd[2] = { { .fd = ifd, .events = POLLIN },
					 { .fd = o->stop_fd, .events = POLLIN } };
		uint64_t due = due_sync < due_resync ? due_sync : due_resync;
		int timeout;

		now = rf_now_ns();
		if (now >= due) {
			if ((r = sync_once(o, retries < MAX_QUICK_RETRIES, &retry, &notes,
					   reterr)) < 0)
				return r;
			now = rf_now_ns();
			retries = retry && retries < MAX_QUICK_RETRIES ? retries + 1 : 0;
			due_sync = retries ? now + debounce_ns : UINT64_MAX;
			first_event = UINT64_MAX;
			due_resync = resync_ns ? now + resync_ns : UINT64_MAX;
			continue;
		}
		/* Whole milliseconds, rounded up, at most INT_MAX (a resync period of weeks). */
		timeout = due == UINT64_MAX ? -1
			  : (due - now) / 1000000 >= INT_MAX
				  ? INT_MAX
				  : (int)((due - now + 999999) / 1000000);
		r = poll(pfd, o->stop_fd >= 0 ? 2 : 1, timeout);
		if (r < 0 && errno != EINTR)
			return rf_error_set(reterr, -errno, "poll: %s", strerror(errno));
		if (r <= 0)
			continue;
		if (o->stop_fd >= 0 && pfd[1].revents)
			return 0;
		if (pfd[0].revents) {
			if ((r = drain(ifd)) == -ENOENT)
				return rf_error_set(reterr, r,
						    "the watched directory '%s' went away",
						    o->source);
			if (r < 0)
				return rf_error_set(reterr, r, "reading inotify events: %s",
						    strerror(-r));
			/* Debounce: every event pushes the sync back, so one swap is one sync, but
			 * a directory that never stops changing is still synced every 10 periods.
			 */
			now = rf_now_ns();
			if (first_event == UINT64_MAX)
				first_event = now;
			due_sync = now + debounce_ns;
			if (due_sync > first_event + 10 * debounce_ns)
				due_sync = first_event + 10 * debounce_ns;
		}
	}
}
