/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp user-notification listener of `run --complain` and `run --report`, an event source:
 * every call the profile would not allow arrives here; its real verdict is computed by simulating
 * the original filter, sent as an RF_EV_SYSCALL with that verdict, then answered (CONTINUE in
 * complain mode, the profile's errno otherwise). */
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/macro.h"
#include "ringfence/proc.h"
#include "ringfence/filter.h"
#include "ringfence/log.h"
#include "run-internal.h"

const struct rf_source_info rf_listener_source = {
	.name = "run-listener",
	.kinds = RF_EV_BIT(RF_EV_SYSCALL) | RF_EV_BIT(RF_EV_GAP),
	.fields = RF_FIELD_ARGS | RF_FIELD_TIME | RF_FIELD_PROC | RF_FIELD_VERDICT,
};

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

static bool is_listener_fd(pid_t pid, const char *fdname)
{
	char path[320], target[128];
	ssize_t n;

	(void)snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, fdname);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return streq(target, "anon_inode:seccomp notify");
}

static int scan_for_listener(pid_t pid, int *ret_num)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int found = -ENOENT;

	(void)snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && is_listener_fd(pid, e->d_name)) {
			*ret_num = (int)strtol(e->d_name, NULL, 10); /* /proc fd names are digits */
			found = 0;
			break;
		}
	closedir(d);
	return found;
}

int rf_listener_grab(int pidfd, pid_t pid, int *ret_fd, struct rf_error *reterr)
{
	/* The child parks right after installing the filter; poll /proc for its listener for up
	 * to 10 s, stopping early if the child dies. */
	for (int tries = 0; tries < 10000; tries++) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		int num = -1, fd;

		if (scan_for_listener(pid, &num) == 0) {
			fd = (int)syscall(SYS_pidfd_getfd, pidfd, num, 0);
			if (fd < 0)
				return rf_error_set(
					reterr, -errno,
					"cannot take the seccomp listener from the child "
					"(pidfd_getfd): %s",
					strerror(errno));
			*ret_fd = fd;
			return 0;
		}
		if (poll(&pfd, 1, 1) > 0)
			return rf_error_set(reterr, -ECHILD,
					    "the child exited before installing its filter");
	}
	return rf_error_set(reterr, -ETIMEDOUT, "the child did not install its filter in time");
}

static uint32_t respond(struct rf_listener *l, struct seccomp_notif *req,
			struct seccomp_notif_resp *resp)
{
	int64_t v = rf_bpf_sim_run(l->prog, l->prog_len, &req->data);
	uint32_t verdict = v < 0 ? SECCOMP_RET_KILL_PROCESS : (uint32_t)v;
	uint32_t action = verdict & SECCOMP_RET_ACTION_FULL;

	resp->id = req->id;
	resp->val = 0;
	resp->error = 0;
	resp->flags = 0;
	if (l->complain || action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG)
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (action == SECCOMP_RET_ERRNO)
		resp->error = -(int32_t)(verdict & SECCOMP_RET_DATA);
	else
		resp->error = -EPERM; /* not routed here in enforce mode; fail closed */
	return verdict;
}

/* Only the started process, before it execs the command, runs ringfence's code under the
 * filter; once it runs anything else, no later call can be ours. Until then the process table
 * re-reads its identity on each of its calls (a handful, before the exec). */
static bool made_by_us(struct rf_listener *l, pid_t tid, const struct rf_proc **proc)
{
	if (!l->self_exe || l->exec_seen || tid != l->pid)
		return false;
	(void)rf_proctab_exec(l->procs, l->pid, NULL, NULL);
	*proc = rf_proctab_get(l->procs, l->pid);
	if (*proc && (*proc)->exe && streq((*proc)->exe, l->self_exe))
		return true;
	l->exec_seen = true;
	return false;
}

static pid_t tgid_of(struct rf_listener *l, pid_t tid)
{
	uintptr_t v = (uintptr_t)rf_hmap_get_u64(&l->tgids, (uint64_t)tid);
	char path[64], line[128];
	pid_t tgid = tid;
	FILE *f;

	if (v)
		return (pid_t)(v - 1);
	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	if (f)
		fclose(f);
	(void)rf_hmap_put_u64(&l->tgids, (uint64_t)tid, (void *)(uintptr_t)(tgid + 1), NULL);
	return tgid;
}

static void emit_gap(struct rf_listener *l)
{
	struct rf_event ev = { .kind = RF_EV_GAP,
			       .time_ns = rf_boottime_ns(),
			       .gap = { .lost = 1, .where = "notifications" } };

	(void)l->fn(&ev, l->userdata);
}

static int handle_one(struct rf_listener *l, struct seccomp_notif *req,
		      struct seccomp_notif_resp *resp)
{
	struct rf_event ev = { .kind = RF_EV_SYSCALL };
	uint32_t verdict;
	int r;

	memset(req, 0, sizeof(*req));
	r = seccomp_notify_receive(l->notify_fd, req);
	if (r < 0)
		return r == -ENOENT || r == -EINTR ? 0 : r; /* the caller died meanwhile */
	if (!l->parked && (pid_t)req->pid == l->pid && req->data.arch == seccomp_arch_native() &&
	    req->data.nr == SYS_read && req->data.args[0] == (uint64_t)l->park_fd) {
		/* ringfence's own wait for this listener, not the workload's: let it through. */
		l->parked = true;
		*resp = (struct seccomp_notif_resp){ .id = req->id,
						     .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };
		r = seccomp_notify_respond(l->notify_fd, resp);
		return r == -ENOENT ? 0 : r;
	}
	verdict = respond(l, req, resp);
	ev.time_ns = rf_boottime_ns();
	ev.tid = (pid_t)req->pid;
	ev.tgid = tgid_of(l, ev.tid);
	ev.bootstrap = made_by_us(l, ev.tid, &ev.proc);
	if (!ev.proc)
		ev.proc = rf_proctab_get(l->procs, ev.tgid);
	if (ev.proc) {
		ev.ppid = ev.proc->ppid;
		memcpy(ev.comm, ev.proc->comm, sizeof(ev.comm));
	}
	ev.sc = (struct rf_ev_syscall){ .id = { .arch = req->data.arch, .nr = req->data.nr },
					.args_known = 0x3f,
					.count = 1,
					.has_verdict = true,
					.verdict = verdict,
					.allowed = resp->flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE };
	memcpy(ev.sc.args, req->data.args, sizeof(ev.sc.args));
	ev.origin = ev.sc.id;
	/* A failing consumer must not hold the workload: the call is answered regardless. */
	(void)l->fn(&ev, l->userdata);
	r = seccomp_notify_respond(l->notify_fd, resp);
	if (r < 0 && r != -ENOENT)
		emit_gap(l);
	return 0;
}

int rf_listener_run(struct rf_listener *l, int *ret_status, struct rf_error *reterr)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	bool notify_open = true;
	int r, status = 0;

	r = seccomp_notify_alloc(&req, &resp);
	if (r < 0)
		return rf_error_set(reterr, r, "seccomp_notify_alloc: %s", strerror(-r));
	for (;;) {
		struct pollfd pfd[2] = { { .fd = notify_open ? l->notify_fd : -1,
					   .events = POLLIN },
					 { .fd = l->pidfd, .events = POLLIN } };

		r = poll(pfd, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = rf_error_set(reterr, -errno, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			r = handle_one(l, req, resp);
			if (r < 0) {
				rf_log(RF_LOG_WARNING, "seccomp notification: %s", strerror(-r));
				emit_gap(l);
			}
			continue; /* drain notifications before looking at the exit */
		}
		if (pfd[1].revents & POLLIN) {
			r = 0;
			break;
		}
		if (pfd[0].revents & (POLLHUP | POLLERR))
			notify_open = false; /* every filter user is gone; wait for the exit */
	}
	seccomp_notify_free(req, resp);
	while (waitpid(l->pid, &status, 0) < 0)
		if (errno != EINTR)
			return r < 0 ? r
				     : rf_error_set(reterr, -errno, "waitpid: %s", strerror(errno));
	*ret_status = status;
	return r;
}
