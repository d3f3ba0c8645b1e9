/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User side of the eBPF recorder (bpf/record.bpf.c), libbpf-bootstrap's lifecycle: open, set
 * rodata, load, fill the maps, attach, poll the ring buffer (and the stop fd), then read the
 * per-CPU counters and the drop counter. Kernel records become events: first sightings as
 * RF_EV_SYSCALL, the rest of the counts as RF_EV_SYSCALL_TOTAL at the end, new argument values
 * as RF_EV_ARGS, execs, capability checks, and forks and exits for the process table. */
#include <asm/unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/macro.h"
#include "record.h"
#include "record.skel.h"
#include "ringfence/ebpf.h"
#include "ringfence/log.h"
#include "ringfence/observation.h"
#include "ringfence/proc.h"

const struct rf_source_info rf_ebpf_source = {
	.name = "ebpf",
	.kinds = RF_EV_BIT(RF_EV_SYSCALL) | RF_EV_BIT(RF_EV_SYSCALL_TOTAL) | RF_EV_BIT(RF_EV_ARGS) |
		 RF_EV_BIT(RF_EV_EXEC) | RF_EV_BIT(RF_EV_FORK) | RF_EV_BIT(RF_EV_EXIT) |
		 RF_EV_BIT(RF_EV_CAPABILITY) | RF_EV_BIT(RF_EV_GAP),
	.fields = RF_FIELD_ARGS | RF_FIELD_TIME | RF_FIELD_PROC | RF_FIELD_CGROUP,
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct record *, record__destroy)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ring_buffer *, ring_buffer__free)

struct ctx {
	rf_event_fn fn;
	void *userdata;
	int error;
	struct rf_proctab *procs;
	uint32_t firsts[RF_NR_INDEXES]; /* FIRST records fed per row (at most one per CPU) */
};

__attribute__((format(printf, 2, 0))) static int libbpf_to_log(enum libbpf_print_level level,
							       const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) >= 0) {
		msg[strcspn(msg, "\n")] = '\0';
		rf_log(level == LIBBPF_WARN ? RF_LOG_INFO : RF_LOG_DEBUG, "libbpf: %s", msg);
	}
	free(msg);
	return 0;
}

static uint32_t slot_arch(unsigned slot)
{
	uint32_t native = seccomp_arch_native();

	if (slot == RF_SLOT_X32)
		return SCMP_ARCH_X32;
	if (slot == RF_SLOT_COMPAT)
		return native == SCMP_ARCH_X86_64    ? SCMP_ARCH_X86
		       : native == SCMP_ARCH_AARCH64 ? SCMP_ARCH_ARM
						     : 0;
	return native;
}

/* libseccomp numbers x32 syscalls with the x32 bit set, as the kernel does. */
static int32_t slot_nr(unsigned slot, int nr)
{
	return slot == RF_SLOT_X32 ? (int32_t)(nr | 0x40000000) : nr;
}

static void fill_event(struct ctx *c, struct rf_event *ev, const struct rf_rec *r,
		       enum rf_event_kind kind)
{
	*ev = (struct rf_event){ .kind = kind,
				 .tgid = r->pid,
				 .tid = r->tid,
				 .cgroup_id = r->cgroup_id,
				 .time_ns = r->time_ns,
				 .bootstrap = r->bootstrap };
	memcpy(ev->comm, r->comm, sizeof(ev->comm));
	ev->comm[sizeof(ev->comm) - 1] = '\0';
	ev->proc = rf_proctab_get(c->procs, r->pid);
	if (ev->proc)
		ev->ppid = ev->proc->ppid;
}

static int on_record(void *data, void *rec, size_t size)
{
	struct ctx *c = data;
	const struct rf_rec *r = rec;
	struct rf_event ev;
	int ret = 0;

	if (size < sizeof(*r) || c->error)
		return 0;
	switch (r->kind) {
	case RF_REC_FIRST:
		fill_event(c, &ev, r, RF_EV_SYSCALL);
		ev.sc.id.arch = slot_arch(r->slot);
		ev.sc.id.nr = slot_nr(r->slot, r->nr);
		ev.origin = ev.sc.id;
		ev.sc.count = 1;
		ev.sc.args_elsewhere = true;
		if (r->slot < RF_NSLOTS && r->nr >= 0 && r->nr < RF_MAX_NR && !r->bootstrap)
			c->firsts[r->slot * RF_MAX_NR + (unsigned)r->nr]++;
		break;
	case RF_REC_ARG:
		fill_event(c, &ev, r, RF_EV_ARGS);
		ev.sc.id.arch = slot_arch(r->slot);
		ev.sc.id.nr = slot_nr(r->slot, r->nr);
		if (r->arg_index < 6) {
			ev.sc.args[r->arg_index] = r->arg_value;
			ev.sc.args_known = (uint8_t)(1u << r->arg_index);
		}
		break;
	case RF_REC_EXEC:
		(void)rf_proctab_exec(c->procs, r->pid, r->filename, NULL);
		fill_event(c, &ev, r, RF_EV_EXEC);
		ev.exec.path = r->filename;
		ev.exec.argv = ev.proc ? ev.proc->argv : NULL;
		ev.exec.is_memfd = !strncmp(r->filename, "/memfd:", 7);
		break;
	case RF_REC_CAP:
		fill_event(c, &ev, r, RF_EV_CAPABILITY);
		ev.cap.cap = r->cap;
		ev.cap.granted = r->ret == 0;
		break;
	case RF_REC_FORK:
		(void)rf_proctab_fork(c->procs, r->pid, r->child_pid, r->time_ns);
		fill_event(c, &ev, r, RF_EV_FORK);
		ev.fork.child_tgid = ev.fork.child_tid = r->child_pid;
		break;
	case RF_REC_EXIT:
		fill_event(c, &ev, r, RF_EV_EXIT);
		ev.exit.group_dead = true;
		break;
	default: return 0;
	}
	if ((ev.kind == RF_EV_SYSCALL || ev.kind == RF_EV_ARGS) && !ev.sc.id.arch)
		return 0;
	ret = c->fn(&ev, c->userdata);
	if (ret < 0)
		c->error = ret;
	if (r->kind == RF_REC_EXIT)
		rf_proctab_exit(c->procs, r->pid); /* after the event: consumers saw the entry */
	return 0;
}

/* Which argument values the kernel side reports, per (slot, nr): the observation's list. */
static int fill_mux(struct record *skel)
{
	int fd = bpf_map__fd(skel->maps.mux);

	for (unsigned slot = 0; slot < RF_NSLOTS; slot++) {
		uint32_t arch = slot_arch(slot);

		for (unsigned nr = 0; arch && nr < RF_MAX_NR; nr++) {
			_cleanup_free_ char *name =
				seccomp_syscall_resolve_num_arch(arch, slot_nr(slot, (int)nr));
			int idx[RF_OBS_MAX_ARGS];
			unsigned char mask = 0;
			unsigned key = slot * RF_MAX_NR + nr;

			if (!name || !rf_obs_tracked_args(name, arch, idx))
				continue;
			for (int k = 0; k < RF_OBS_MAX_ARGS; k++)
				if (idx[k] >= 0 && idx[k] < 6)
					mask |= (unsigned char)(1u << idx[k]);
			if (bpf_map_update_elem(fd, &key, &mask, BPF_ANY) < 0)
				return -errno;
		}
	}
	return 0;
}

static int track(struct record *skel, pid_t pid, unsigned char extra)
{
	unsigned char v = RF_TARGET_TRACKED | extra;
	int key = pid;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.targets), &key, &v, BPF_ANY) < 0 ? -errno
											   : 0;
}

/* --pid: the process and the descendants it already has (later ones follow via fork). */
static int track_tree(struct record *skel, pid_t root)
{
	bool changed = true;
	int r;

	if (kill(root, 0) < 0 && errno == ESRCH)
		return -ESRCH;
	r = track(skel, root, 0);

	for (int pass = 0; r >= 0 && changed && pass < 64; pass++) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		changed = false;
		if (!d)
			return -errno;
		while ((e = readdir(d))) {
			char path[300], line[256];
			pid_t pid = (pid_t)strtol(e->d_name, NULL, 10), ppid = 0;
			unsigned char v;
			int key;
			FILE *f;

			if (pid <= 0)
				continue;
			(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
			f = fopen(path, "re");
			while (f && fgets(line, sizeof(line), f))
				if (sscanf(line, "PPid: %d", &ppid) == 1)
					break;
			if (f)
				fclose(f);
			key = ppid;
			if (ppid <= 0 ||
			    bpf_map_lookup_elem(bpf_map__fd(skel->maps.targets), &key, &v) < 0)
				continue;
			key = pid;
			if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.targets), &key, &v) == 0)
				continue;
			r = track(skel, pid, 0);
			changed = true;
		}
		closedir(d);
	}
	return r;
}

static int set_cgroup(struct record *skel, const char *path, struct rf_error *reterr)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	unsigned key = 0;

	if (fd < 0)
		return rf_error_set(reterr, -errno, "cannot open cgroup '%s': %s", path,
				    strerror(errno));
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.cgroup_map), &key, &fd, BPF_ANY) < 0)
		return rf_error_set(reterr, -errno, "'%s' is not a cgroup v2 directory: %s", path,
				    strerror(errno));
	return 0;
}

static pid_t start_child(char *const *argv, int *ret_go, struct rf_error *reterr)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return rf_error_set(reterr, -errno, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return rf_error_set(reterr, -errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		char c;
		close(p[1]);
		/* Wait until the parent tracks us and the programs are attached. */
		if (read(p[0], &c, 1) != 1)
			_exit(125);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(p[0]);
	*ret_go = p[1];
	return pid;
}

/* Counters are per CPU and per row (workload rows first); every call the first sightings did
 * not already stand for becomes one aggregated event. */
static int flush_counts(struct record *skel, struct ctx *c)
{
	int fd = bpf_map__fd(skel->maps.counts), ncpu = libbpf_num_possible_cpus();
	_cleanup_free_ unsigned long long *v = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(*v));

	if (!v || ncpu <= 0)
		return -ENOMEM;
	for (unsigned row = 0; row < RF_NR_INDEXES; row++) {
		unsigned long long total = 0;
		unsigned slot = row / RF_MAX_NR, nr = row % RF_MAX_NR;
		uint64_t fed = c->firsts[row];
		struct rf_event ev = { .kind = RF_EV_SYSCALL_TOTAL };
		int r;

		if (bpf_map_lookup_elem(fd, &row, v) < 0)
			continue;
		for (int i = 0; i < ncpu; i++)
			total += v[i];
		if (total <= fed)
			continue;
		ev.sc.id.arch = slot_arch(slot);
		ev.sc.id.nr = slot_nr(slot, (int)nr);
		ev.sc.count = total - fed;
		ev.sc.args_elsewhere = true;
		if (ev.sc.id.arch && (r = c->fn(&ev, c->userdata)) < 0)
			return r;
	}
	return 0;
}

static uint64_t read_drops(struct record *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	_cleanup_free_ unsigned long long *v = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(*v));
	unsigned key = 0;
	uint64_t total = 0;

	if (!v || bpf_map_lookup_elem(bpf_map__fd(skel->maps.drops), &key, v) < 0)
		return 0;
	for (int i = 0; i < ncpu; i++)
		total += v[i];
	return total;
}

static int open_and_load(const struct rf_ebpf_opts *o, struct record **ret, struct rf_error *reterr)
{
	_cleanup_(record__destroyp) struct record *skel = NULL;
	int r;

	libbpf_set_print(libbpf_to_log);
	skel = record__open();
	if (!skel)
		return rf_error_set(reterr, -errno, "cannot open the eBPF recorder: %s",
				    strerror(errno));
	skel->rodata->mode = o && o->cgroup ? RF_MODE_CGROUP : RF_MODE_PIDS;
	skel->rodata->bootstrap_cut = o && o->bootstrap_cut;
	skel->rodata->seccomp_nr = seccomp_syscall_resolve_name("seccomp");
	skel->rodata->prctl_nr = seccomp_syscall_resolve_name("prctl");
	skel->rodata->execve_nr = seccomp_syscall_resolve_name("execve");
	skel->rodata->execveat_nr = seccomp_syscall_resolve_name("execveat");
	skel->rodata->seccomp_set_mode_filter = SECCOMP_SET_MODE_FILTER;
	skel->rodata->pr_set_seccomp = PR_SET_SECCOMP;
	skel->rodata->seccomp_mode_filter = SECCOMP_MODE_FILTER;
#ifdef __X32_SYSCALL_BIT
	skel->rodata->x32_syscall_bit = __X32_SYSCALL_BIT;
#endif
	r = record__load(skel);
	if (r < 0)
		return rf_error_set(reterr, r, "cannot load the eBPF recorder: %s%s", strerror(-r),
				    r == -EPERM ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
	*ret = TAKE_PTR(skel);
	return 0;
}

bool rf_ebpf_built(void)
{
	return true;
}

int rf_ebpf_probe(struct rf_error *reterr)
{
	struct record *skel = NULL;
	int r;

	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		return rf_error_set(reterr, -ENOTSUP, "no kernel BTF (/sys/kernel/btf/vmlinux)");
	r = open_and_load(NULL, &skel, reterr);
	if (r >= 0 && (r = record__attach(skel)) < 0)
		r = rf_error_set(reterr, r, "cannot attach the eBPF recorder: %s", strerror(-r));
	record__destroy(skel);
	return r;
}

/* Any process of the recorded tree still alive? The kernel side removes a process from the
 * targets map when it exits, so an empty map means the whole tree is gone. */
static bool tree_alive(struct record *skel)
{
	int key;

	return bpf_map_get_next_key(bpf_map__fd(skel->maps.targets), NULL, &key) == 0;
}

static bool stop_requested(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&p, 1, 0) > 0;
}

/* Like the ptrace recorder, a command is recorded until its whole process tree has exited
 * (daemons it started included), not just until the command itself exits. */
static bool finished(const struct rf_ebpf_opts *o, struct record *skel, pid_t child, bool *reaped,
		     int *status)
{
	if (stop_requested(o->stop_fd))
		return true;
	if (child > 0) {
		if (!*reaped)
			*reaped = waitpid(child, status, WNOHANG) == child;
		return *reaped && !tree_alive(skel);
	}
	if (o->pid > 0)
		return kill(o->pid, 0) < 0 && errno == ESRCH && !tree_alive(skel);
	return false;
}

/* Waits on the ring buffer and the stop fd at once: a stop request is seen at once, not at the
 * next poll timeout. */
static int wait_events(const struct rf_ebpf_opts *o, struct ring_buffer *rb, int timeout_ms)
{
	struct pollfd p[2] = { { .fd = ring_buffer__epoll_fd(rb), .events = POLLIN },
			       { .fd = o->stop_fd, .events = POLLIN } };

	if (poll(p, o->stop_fd >= 0 ? 2 : 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	return ring_buffer__consume(rb);
}

int rf_ebpf_record(const struct rf_ebpf_opts *o, rf_event_fn fn, void *userdata,
		   struct rf_ebpf_result *ret, struct rf_error *reterr)
{
	_cleanup_(record__destroyp) struct record *skel = NULL;
	_cleanup_(ring_buffer__freep) struct ring_buffer *rb = NULL;
	_cleanup_(rf_proctab_freep) struct rf_proctab *own = NULL;
	_cleanup_free_ struct ctx *c = calloc(1, sizeof(*c));
	_cleanup_close_ int go = -EBADF;
	struct rf_ebpf_result res = { .wait_status = -1 };
	uint64_t t0;
	pid_t child = 0;
	bool reaped = false;
	int r, status = 0;

	if (!o || !fn || !c || (!o->argv && o->pid <= 0 && !o->cgroup))
		return -EINVAL;
	c->fn = fn;
	c->userdata = userdata;
	c->procs = o->procs;
	if (!c->procs) {
		r = rf_proctab_new(NULL, &own);
		if (r < 0)
			return r;
		c->procs = own;
	}
	r = open_and_load(o, &skel, reterr);
	if (r >= 0 && (r = fill_mux(skel)) < 0)
		rf_error_set(reterr, r, "cannot configure the recorder: %s", strerror(-r));
	if (r >= 0 && o->cgroup)
		r = set_cgroup(skel, o->cgroup, reterr);
	if (r >= 0 && o->pid > 0 && (r = track_tree(skel, o->pid)) < 0)
		rf_error_set(reterr, r, "cannot follow process %d: %s", (int)o->pid,
			     r == -ESRCH ? "no such process" : strerror(-r));
	if (r >= 0 && o->argv && (child = start_child(o->argv, &go, reterr)) < 0)
		r = child;
	if (r >= 0 && child > 0 && o->child_pid)
		*o->child_pid = child;
	if (r >= 0 && child > 0) {
		(void)rf_proctab_fork(c->procs, getpid(), child, 0);
		if ((r = track(skel, child, RF_TARGET_WAIT_EXEC)) < 0)
			rf_error_set(reterr, r, "cannot track the command: %s", strerror(-r));
	}
	if (r >= 0 && (r = record__attach(skel)) < 0)
		rf_error_set(reterr, r, "cannot attach the eBPF recorder: %s", strerror(-r));
	if (r >= 0 && !(rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, c, NULL)))
		r = rf_error_set(reterr, -errno, "ring buffer: %s", strerror(errno));
	if (r < 0) {
		if (child > 0) {
			(void)kill(child, SIGKILL);
			(void)waitpid(child, NULL, 0);
		}
		return r;
	}
	t0 = rf_now_ns();
	if (o->ready_fd > 0) {
		(void)!write(o->ready_fd, "r", 1);
		close(o->ready_fd);
	}
	if (go >= 0) {
		(void)!write(go, "g", 1);
		close(TAKE_FD(go));
	}
	while (!c->error && !finished(o, skel, child, &reaped, &status)) {
		int n = wait_events(o, rb, 100);
		if (n < 0 && n != -EINTR) {
			r = rf_error_set(reterr, n, "ring buffer: %s", strerror(-n));
			break;
		}
	}
	if (!c->error)
		(void)ring_buffer__consume(rb);
	res.duration_ns = rf_now_ns() - t0;
	if (c->error) {
		/* A consumer failed: stop recording now; our command finishes unrecorded. */
		record__detach(skel);
		if (child > 0 && !reaped)
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
	}
	res.wait_status = child > 0 ? status : -1;
	if (r >= 0 && !c->error)
		r = flush_counts(skel, c);
	res.lost = read_drops(skel);
	if (res.lost && r >= 0 && !c->error) {
		struct rf_event gap = { .kind = RF_EV_GAP,
					.gap = { .lost = res.lost,
						 .where = "ring buffer or map" } };
		r = fn(&gap, userdata);
	}
	if (ret)
		*ret = res;
	if (r >= 0 && c->error < 0)
		r = rf_error_set(reterr, c->error, "recording stopped: %s", strerror(-c->error));
	return r;
}
