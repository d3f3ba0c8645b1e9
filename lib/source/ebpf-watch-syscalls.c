/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The syscall exits of the watch program. The raw sys_exit tracepoint runs the program on every
 * syscall of the node, and the program then throws away all but the few the rules need
 * (measured here: +70-110 ns on a getppid() of about 1 us). The kernel's per-call exit events
 * (syscalls:sys_exit_<name>, tracefs) run it only for those: a call nobody asked for costs a test
 * of the kernel's bitmap of enabled calls (+0-20 ns). So the per-call events are used when the
 * kernel has one for every needed syscall it implements; otherwise the raw exit, which sees
 * everything. A needed syscall this kernel does not implement (init_module without
 * CONFIG_MODULES) has no event and nothing to see but -ENOSYS: it is named in the statistics.
 * Not seen either way: compat (32-bit) calls. x86 keeps them out of the per-call events, and the
 * raw exit would read their numbers against the native table (ia32 open is x86_64 fstat); a
 * compat table in the program is still to be done. */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/strv.h"
#include "core/thread.h"
#include "ebpf-watch-syscalls.h"
#include "watch.h"

/* Where the kernel's name for a syscall's entry point (SYSCALL_DEFINE, which names the event)
 * is not the name in the syscall table. Only the syscalls the watch program decodes matter. */
static const char *event_name(const char *name)
{
	static const char *const alias[][2] = { { "umount2", "umount" } };

	for (size_t i = 0; i < ELEMENTSOF(alias); i++)
		if (streq(alias[i][0], name))
			return alias[i][1];
	return name;
}

/* Where tracefs has the syscall events (where libbpf looks too), or NULL. */
static const char *events_root(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events/syscalls",
					     "/sys/kernel/debug/tracing/events/syscalls" };

	for (size_t i = 0; i < ELEMENTSOF(roots); i++)
		if (access(roots[i], R_OK | X_OK) == 0)
			return roots[i];
	return NULL;
}

/* The event's id (-ENOENT: the kernel has no such event). */
static int event_id(const char *root, const char *name)
{
	char path[256], buf[32];
	int fd, id;
	ssize_t n;

	(void)snprintf(path, sizeof(path), "%s/sys_exit_%s/id", root, event_name(name));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = 0;
	id = atoi(buf);
	return id > 0 ? id : -ENOENT;
}

/* Which of the syscalls `names` (n of them) the kernel does not implement, in one pass over
 * /proc/kallsyms: COND_SYSCALL leaves a weak stub (type W) returning -ENOSYS where it does not
 * (init_module without CONFIG_MODULES), and a call newer than the kernel has no entry point at
 * all. Where that cannot be told (no kallsyms, another architecture), none. */
static void not_implemented(char *const *names, size_t n, bool *ret)
{
#if defined(__x86_64__)
	static const char pfx[] = "__x64_sys_";
#elif defined(__aarch64__)
	static const char pfx[] = "__arm64_sys_";
#else
	static const char pfx[] = "";
#endif
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *seen = calloc(n ? n : 1, 1); /* 1 strong, 2 weak */
	size_t plen = strlen(pfx);
	bool any = false;
	char line[512];

	for (size_t i = 0; i < n; i++)
		ret[i] = false;
	if (!seen || !plen || !(f = fopen("/proc/kallsyms", "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char type, sym[256];

		if (sscanf(line, "%*s %c %255s", &type, sym) != 2 || strncmp(sym, pfx, plen) != 0)
			continue;
		any = true;
		for (size_t i = 0; i < n; i++)
			if (streq(sym + plen, event_name(names[i])))
				seen[i] = type == 'W' || type == 'w' ? 2 : 1;
	}
	for (size_t i = 0; i < n; i++)
		ret[i] = any && seen[i] != 1;
}

static void append(char *dst, size_t size, const char *name)
{
	size_t len = strlen(dst);

	(void)snprintf(dst + len, size - len, "%s%s", len ? ", " : "", name);
}

/* The event ids of `names` (n) into ids (-ENOENT for a missing one), from tracefs as mounted
 * here; where it is not (a container's mount namespace, usually), from a private mount: a child
 * in a mount namespace of its own mounts tracefs, reads the ids (they are the kernel's, valid
 * in any namespace), and exits, leaving nothing mounted. 0, or -errno: no ids at all. */
static int read_ids(char *const *names, size_t n, int *ids, const char **ret_root)
{
	const char *root = events_root();
	int p[2], status;
	ssize_t got = 0;
	pid_t pid;

	*ret_root = root;
	if (root) {
		for (size_t i = 0; i < n; i++)
			ids[i] = event_id(root, names[i]);
		return 0;
	}
	*ret_root = "a private tracefs mount";
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) < 0)
			_exit(1);
		for (size_t i = 0; i < n; i++)
			ids[i] = event_id("/sys/kernel/tracing/events/syscalls", names[i]);
		_exit(write(p[1], ids, n * sizeof(*ids)) == (ssize_t)(n * sizeof(*ids)) ? 0 : 1);
	}
	close(p[1]);
	while (got < (ssize_t)(n * sizeof(*ids))) {
		ssize_t k = read(p[0], (char *)ids + got, n * sizeof(*ids) - (size_t)got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += k;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return got == (ssize_t)(n * sizeof(*ids)) ? 0 : -ENOENT;
}

int w_sysexits_plan(struct w_sysexits *s, char *const *names)
{
	uint32_t arch = seccomp_arch_native();
	size_t n = strv_length(names), n_valid = 0, n_missing = 0;
	_cleanup_free_ char **valid = calloc(n ? n : 1, sizeof(*valid));
	_cleanup_free_ char **missing = calloc(n ? n : 1, sizeof(*missing));
	_cleanup_free_ int *ids = calloc(n ? n : 1, sizeof(*ids));
	_cleanup_free_ bool *absent = calloc(n ? n : 1, sizeof(*absent));
	const char *root = NULL;

	*s = (struct w_sysexits){ 0 };
	s->ids = calloc(n ? n : 1, sizeof(*s->ids));
	if (!s->ids || !valid || !missing || !ids || !absent)
		return -ENOMEM;
	STRV_FOREACH(name, names) {
		int nr = seccomp_syscall_resolve_name_arch(arch, *name);

		if (nr >= 0 && nr < RF_W_MAX_NR) /* else a name this architecture lacks */
			valid[n_valid++] = *name;
	}
	if (read_ids(valid, n_valid, ids, &root) < 0) {
		(void)snprintf(
			s->raw_why, sizeof(s->raw_why),
			"no syscall events in tracefs (not mounted at /sys/kernel/tracing and "
			"no private mount of it, or no CONFIG_FTRACE_SYSCALLS)");
		return 0;
	}
	for (size_t v = 0; v < n_valid; v++) {
		bool dup = false;

		if (ids[v] < 0) {
			missing[n_missing++] = valid[v];
			continue;
		}
		for (size_t i = 0; i < s->n_ids; i++)
			dup |= s->ids[i] == ids[v];
		if (!dup)
			s->ids[s->n_ids++] = ids[v];
	}
	if (!n_missing)
		return 0;
	not_implemented(missing, n_missing, absent);
	for (size_t i = 0; i < n_missing; i++)
		if (absent[i])
			append(s->absent, sizeof(s->absent), missing[i]);
		else if (!s->raw_why[0])
			(void)snprintf(s->raw_why, sizeof(s->raw_why),
				       "no syscalls:sys_exit_%s event in %s",
				       event_name(missing[i]), root);
	return 0;
}

int w_sysexits_attach(struct w_sysexits *s, const struct bpf_program *prog)
{
	s->links = calloc(s->n_ids ? s->n_ids : 1, sizeof(*s->links));
	if (!s->links)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_ids; i++) {
		struct perf_event_attr a = { .type = PERF_TYPE_TRACEPOINT,
					     .size = sizeof(a),
					     .config = (uint64_t)s->ids[i],
					     .sample_period = 1,
					     .wakeup_events = 1 };
		/* One event serves every CPU for a tracepoint program (as libbpf opens it). */
		int pfd = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
		struct bpf_link *l;
		int r;

		if (pfd < 0)
			return -errno;
		l = bpf_program__attach_perf_event(prog, pfd);
		if (!l) {
			r = -errno;
			close(pfd);
			return r;
		}
		s->links[s->n_links++] = l;
		s->attached++;
	}
	return 0;
}

struct detach_share {
	struct bpf_link **links;
	size_t n;
};

static void *detach_some(void *arg)
{
	struct detach_share *d = arg;

	for (size_t i = 0; i < d->n; i++)
		bpf_link__destroy(d->links[i]); /* closes the perf event too */
	return NULL;
}

/* Each perf event's release waits for an RCU grace period (the tracepoint's unregistration):
 * one after the other, 41 events took 2.3 s here. Released from several threads at once, part
 * of the waits share grace periods: 1.1 s with 4 threads, no less with 16 or 64. */
#define DETACH_THREADS 4

void w_sysexits_detach(struct w_sysexits *s)
{
	struct detach_share share[DETACH_THREADS];
	pthread_t t[DETACH_THREADS];
	bool started[DETACH_THREADS] = { false };
	size_t per = (s->n_links + DETACH_THREADS - 1) / DETACH_THREADS, off = 0;

	for (size_t i = 0; i < DETACH_THREADS && off < s->n_links; i++) {
		share[i] = (struct detach_share){ s->links + off,
						  per < s->n_links - off ? per : s->n_links - off };
		off += share[i].n;
		started[i] = rf_thread_create(&t[i], detach_some, &share[i]) == 0;
		if (!started[i])
			detach_some(&share[i]);
	}
	for (size_t i = 0; i < DETACH_THREADS; i++)
		if (started[i])
			(void)pthread_join(t[i], NULL);
	s->n_links = 0;
}

void w_sysexits_done(struct w_sysexits *s)
{
	w_sysexits_detach(s);
	free(s->links);
	free(s->ids);
	*s = (struct w_sysexits){ 0 };
}
