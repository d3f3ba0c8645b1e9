/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User side of the security event program (bpf/watch.bpf.c): load only the programs the
 * consumers need, fill the syscall and path-prefix filters, poll the critical ring before the
 * bulk one, turn records into events (ringfence/event.h) with the process table kept current,
 * and turn every lost record into an RF_EV_GAP naming its ring. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ebpf-watch-addrs.h"
#include "ebpf-watch-guard.h"
#include "ebpf-watch-syscalls.h"
#include "watch-decode.h"
#include "watch.skel.h"
#include "ringfence/proc.h"
#include "ringfence/watch-source.h"

const struct rf_source_info rf_ebpf_watch_source = {
	.name = "ebpf-watch",
	.kinds = RF_EV_BIT(RF_EV_EXEC) | RF_EV_BIT(RF_EV_FORK) | RF_EV_BIT(RF_EV_EXIT) |
		 RF_EV_BIT(RF_EV_FILE) | RF_EV_BIT(RF_EV_NET) | RF_EV_BIT(RF_EV_SIGNAL) |
		 RF_EV_BIT(RF_EV_PTRACE) | RF_EV_BIT(RF_EV_CRED) | RF_EV_BIT(RF_EV_NAMESPACE) |
		 RF_EV_BIT(RF_EV_MODULE) | RF_EV_BIT(RF_EV_BPF) | RF_EV_BIT(RF_EV_MEMORY) |
		 RF_EV_BIT(RF_EV_FD) | RF_EV_BIT(RF_EV_CAPABILITY) | RF_EV_BIT(RF_EV_GAP),
	.fields = RF_FIELD_TIME | RF_FIELD_PROC | RF_FIELD_CGROUP | RF_FIELD_PATHS | RF_FIELD_ARGS,
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct watch *, watch__destroy)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ring_buffer *, ring_buffer__free)

/* Records handled per ring per round of the loop: a ring that the kernel refills as fast as
 * user space drains it would otherwise keep ring_buffer__consume() going forever, and neither
 * the critical ring, nor the stop request, nor the loss counters would be looked at again
 * (measured: under an 8-thread open() flood, 39k critical records lost and a watch that did not
 * stop on SIGINT for minutes). The critical ring gets the larger share. */
static const unsigned round_budget[2] = { 4096, 512 };
#define ROUND_SPENT (-ECANCELED) /* a callback's "budget spent", not an error */

struct wctx {
	rf_event_fn fn;
	void *userdata;
	int error;
	struct rf_proctab *procs;
	uint64_t events[2];
	unsigned round[2]; /* records taken from each ring this round */
	/* Critical records of this round, held until the bulk records older than them are
	 * delivered: consumers see one stream in time order (a payload's write before its
	 * exec, a process's last opens before its exit). */
	struct rf_w_rec *held;
	size_t n_held, cap_held;
	/* The critical ring, and when it was last drained (CLOCK_BOOTTIME, as records' times): a
	 * bulk record newer than that drain may have a critical record before it still in the
	 * ring (a process's exec before its first open), so the ring is drained again first. */
	struct ring_buffer *crit;
	uint64_t crit_drained_ns;
	uint64_t bulk_last_ns; /* the time of the last bulk record delivered */
	uint64_t resumed;      /* processes the program stopped at an event, resumed after it */
	const struct w_guard *guard; /* resumes them if the watcher dies first */
	struct w_addrs addrs;
};

#define MAX_HELD 4096 /* past this, critical records go out at once (the crit round budget) */

static void on_rec(struct wctx *c, const struct rf_w_rec *r, unsigned ring)
{
	struct rf_watch_decoded d;
	int ret;

	c->events[ring]++;
	if (!c->error && rf_watch_decode(c->procs, r, &d) > 0) {
		ret = c->fn(&d.ev, c->userdata);
		rf_watch_decoded_done(c->procs, r, &d);
		if (ret < 0)
			c->error = ret;
	}
	w_addrs_after(&c->addrs, r);
	/* The program stopped the process at this event: the consumers have had their say (a
	 * kill is already pending, and SIGKILL wins over SIGCONT), so it goes on. */
	if (r->held) {
		(void)kill(r->tgid, SIGCONT);
		w_guard_resumed(c->guard, r->tgid, r->time_ns);
		c->resumed++;
	}
}

/* A record taken from a ring is consumed whether or not it was delivered yet: stopping here
 * only ends this round of that ring. */
static int round_taken(struct wctx *c, unsigned ring)
{
	return ++c->round[ring] >= round_budget[ring] ? ROUND_SPENT : 0;
}

/* Delivers the held critical records older than `before`, oldest first (they were held in
 * ring order, which is time order up to the clock skew between CPUs). */
static void release_held(struct wctx *c, uint64_t before)
{
	size_t i = 0;

	while (i < c->n_held && c->held[i].time_ns <= before)
		on_rec(c, &c->held[i++], RF_W_RING_CRIT);
	if (i) {
		memmove(c->held, c->held + i, (c->n_held - i) * sizeof(*c->held));
		c->n_held -= i;
	}
}

/* The end of a round whose bulk share ran out: bulk records older than some held ones may still
 * be in the ring. Those held records go out now all the same (a finding on an exec, a stopped
 * process, must not wait behind a flood of opens), except exits: the process's last opens may
 * be among the waiting records, and decoded after its exit they would have lost the process
 * (measured under a 2-thread open flood: 13 of 18 findings of a short-lived `cat /etc/shadow`,
 * 7 of 7 with sanitizers, had no exe, command line or parent). An exit waits until a bulk
 * record after it is delivered, or the bulk ring is drained; it delays nothing but the
 * process table's forgetting. */
static void release_held_but_late_exits(struct wctx *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->n_held; i++) {
		struct rf_w_rec *r = &c->held[i];

		if (r->kind == RF_W_EXIT && r->time_ns > c->bulk_last_ns)
			c->held[kept++] = *r;
		else
			on_rec(c, r, RF_W_RING_CRIT);
	}
	c->n_held = kept;
}

static int on_crit(void *ctx, void *data, size_t size)
{
	struct wctx *c = ctx;

	if (size < sizeof(struct rf_w_rec))
		return 0;
	if (c->n_held == c->cap_held && c->cap_held < MAX_HELD) {
		size_t cap = c->cap_held ? 2 * c->cap_held : 64;
		struct rf_w_rec *v = reallocarray(c->held, cap, sizeof(*v));

		if (v) {
			c->held = v;
			c->cap_held = cap;
		}
	}
	if (c->n_held == c->cap_held) { /* no room: in order as far as it goes */
		release_held(c, UINT64_MAX);
		on_rec(c, data, RF_W_RING_CRIT);
	} else {
		memcpy(&c->held[c->n_held++], data, sizeof(struct rf_w_rec));
	}
	return round_taken(c, RF_W_RING_CRIT);
}

static int on_bulk(void *ctx, void *data, size_t size)
{
	struct wctx *c = ctx;

	if (size < sizeof(struct rf_w_rec))
		return 0;
	if (c->crit && ((const struct rf_w_rec *)data)->time_ns > c->crit_drained_ns) {
		c->crit_drained_ns = rf_boottime_ns();
		(void)ring_buffer__consume(c->crit);
	}
	c->bulk_last_ns = ((const struct rf_w_rec *)data)->time_ns;
	release_held(c, c->bulk_last_ns);
	on_rec(c, data, RF_W_RING_BULK);
	return round_taken(c, RF_W_RING_BULK);
}

/* One round: the critical records (up to their budget), then the bulk ones (up to theirs),
 * merged in time order. True when a ring's budget ran out: records are waiting. */
static bool consume(struct wctx *c, struct ring_buffer *crit, struct ring_buffer *bulk)
{
	bool more_crit, more_bulk;

	c->round[0] = c->round[1] = 0;
	c->crit = crit;
	c->crit_drained_ns = rf_boottime_ns();
	more_crit = ring_buffer__consume(crit) == ROUND_SPENT;
	more_bulk = ring_buffer__consume(bulk) == ROUND_SPENT;
	if (more_bulk)
		release_held_but_late_exits(c);
	else
		release_held(c, UINT64_MAX);
	return more_crit || more_bulk;
}

static void read_drops(struct watch *skel, uint64_t ret[2])
{
	int ncpu = libbpf_num_possible_cpus();
	_cleanup_free_ unsigned long long *v = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(*v));

	for (unsigned ring = 0; ring < 2; ring++) {
		ret[ring] = 0;
		if (!v || bpf_map_lookup_elem(bpf_map__fd(skel->maps.wdrops), &ring, v) < 0)
			continue;
		for (int i = 0; i < ncpu; i++)
			ret[ring] += v[i];
	}
}

/* New losses since the last look become gap events, one per ring. */
static int emit_gaps(struct watch *skel, struct wctx *c, uint64_t seen[2])
{
	static const char *const where[] = { "critical ring", "bulk ring" };
	uint64_t now[2];

	read_drops(skel, now);
	for (unsigned ring = 0; ring < 2; ring++) {
		struct rf_event gap = { .kind = RF_EV_GAP,
					.time_ns = rf_boottime_ns(),
					.gap = { .lost = now[ring] - seen[ring],
						 .where = where[ring] } };
		int r;

		if (now[ring] <= seen[ring])
			continue;
		seen[ring] = now[ring];
		if (c->error)
			continue;
		r = c->fn(&gap, c->userdata);
		if (r < 0)
			c->error = r;
	}
	return 0;
}

/* Only what the consumers need is loaded and attached. */
static void choose_programs(struct watch *skel, const struct rf_watch_needs *n, bool syscalls,
			    const struct w_sysexits *sx)
{
	bool per_call = syscalls && !sx->raw_why[0];

	bpf_program__set_autoload(skel->progs.w_sys_exit, syscalls && !per_call);
	bpf_program__set_autoload(skel->progs.w_sys_exit_one, per_call && sx->n_ids > 0);
	bpf_program__set_autoload(skel->progs.w_tcp_state, n && n->tcp_state);
	bpf_program__set_autoload(skel->progs.w_signal, n && n->signals);
	bpf_program__set_autoload(skel->progs.w_io_uring, n && n->io_uring);
	bpf_program__set_autoload(skel->progs.w_cap, n && n->capabilities);
}

static int fill_syscalls(struct watch *skel, char *const *names, char *const *hold,
			 struct rf_error *reterr)
{
	int fd = bpf_map__fd(skel->maps.want_nr);
	uint32_t arch = seccomp_arch_native();

	STRV_FOREACH(n, names) {
		int nr = seccomp_syscall_resolve_name_arch(arch, *n);
		unsigned char dec = (unsigned char)rf_watch_dec_of(*n);
		unsigned key;

		/* A name this architecture lacks (open on arm64) is simply not there to watch. */
		if (nr < 0 || nr >= RF_W_MAX_NR)
			continue;
		if (!dec)
			return rf_error_set(reterr, -EINVAL,
					    "the eBPF watch source cannot decode syscall '%s'", *n);
		key = (unsigned)nr;
		if (strv_contains(hold, *n))
			dec |= RF_W_HOLD;
		if (bpf_map_update_elem(fd, &key, &dec, BPF_ANY) < 0)
			return rf_error_set(reterr, -errno, "want_nr: %s", strerror(errno));
	}
	return 0;
}

static int fill_prefixes(struct watch *skel, char *const *prefixes, struct rf_error *reterr)
{
	int fd = bpf_map__fd(skel->maps.prefixes);

	STRV_FOREACH(p, prefixes) {
		struct rf_w_prefix_key k = { 0 };
		size_t len = strlen(*p);
		unsigned char one = 1;

		/* Longer prefixes are cut to what the kernel compares: a superset still passes. */
		if (len > RF_W_PREFIX)
			len = RF_W_PREFIX;
		k.prefixlen = (unsigned)len * 8;
		memcpy(k.data, *p, len);
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY) < 0)
			return rf_error_set(reterr, -errno, "path prefix '%s': %s", *p,
					    strerror(errno));
	}
	return 0;
}

static int open_and_load(const struct rf_ebpf_watch_opts *o, struct watch **ret,
			 struct w_sysexits *sx, struct rf_error *reterr)
{
	_cleanup_(watch__destroyp) struct watch *skel = NULL;
	const struct rf_watch_needs *n = o ? o->needs : NULL;
	bool syscalls = n && n->syscalls && n->syscalls[0];
	int r;

	skel = watch__open();
	if (!skel)
		return rf_error_set(reterr, -errno, "cannot open the eBPF watch program: %s",
				    strerror(errno));
	skel->rodata->mode = !o || o->all ? RF_W_MODE_ALL
			     : o->cgroup  ? RF_W_MODE_CGROUP
					  : RF_W_MODE_PIDS;
	skel->rodata->self_tgid = getpid();
	skel->rodata->prefix_filter = n && n->path_prefixes;
	skel->rodata->write_all = n && n->path_prefixes && n->write_all;
	skel->rodata->o_accmode = O_ACCMODE;
	skel->rodata->o_creat = O_CREAT;
	skel->rodata->o_trunc = O_TRUNC;
	skel->rodata->prot_write = PROT_WRITE;
	skel->rodata->prot_exec = PROT_EXEC;
	skel->rodata->s_ifmt = S_IFMT;
	skel->rodata->s_ifsock = S_IFSOCK;
	skel->rodata->bpf_prog_load_cmd = 5; /* BPF_PROG_LOAD in <linux/bpf.h> */
	skel->rodata->hold_exec = n && n->hold_exec;
	skel->rodata->hold_signals = n && n->hold_signals;
	skel->rodata->hold_caps = n && n->hold_caps;
	skel->rodata->sig_stop = SIGSTOP;
	if (syscalls && (r = w_sysexits_plan(sx, n->syscalls)) < 0)
		return rf_error_set(reterr, r, "%s", strerror(-r));
	choose_programs(skel, n, syscalls, sx);
	r = watch__load(skel);
	if (r < 0)
		return rf_error_set(reterr, r, "cannot load the eBPF watch program: %s%s",
				    strerror(-r),
				    r == -EPERM ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
	if (syscalls && (r = fill_syscalls(skel, n->syscalls, n->hold_syscalls, reterr)) < 0)
		return r;
	if (n && n->path_prefixes && (r = fill_prefixes(skel, n->path_prefixes, reterr)) < 0)
		return r;
	*ret = TAKE_PTR(skel);
	return 0;
}

int rf_ebpf_watch_probe(struct rf_error *reterr)
{
	struct watch *skel = NULL;
	struct w_sysexits sx = { 0 };
	int r;

	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		return rf_error_set(reterr, -ENOTSUP, "no kernel BTF (/sys/kernel/btf/vmlinux)");
	r = open_and_load(NULL, &skel, &sx, reterr);
	if (r >= 0 && (r = watch__attach(skel)) < 0)
		r = rf_error_set(reterr, r, "cannot attach the eBPF watch program: %s",
				 strerror(-r));
	watch__destroy(skel);
	return r;
}

static int setup_targets(const struct rf_ebpf_watch_opts *o, struct watch *skel,
			 struct rf_error *reterr)
{
	unsigned char one = 1;
	int key;

	if (o->cgroup) {
		_cleanup_close_ int fd = open(o->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		unsigned zero = 0;

		if (fd < 0)
			return rf_error_set(reterr, -errno, "cannot open cgroup '%s': %s",
					    o->cgroup, strerror(errno));
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.wcgroup), &zero, &fd, BPF_ANY) < 0)
			return rf_error_set(reterr, -errno, "'%s' is not a cgroup v2 directory: %s",
					    o->cgroup, strerror(errno));
		return 0;
	}
	if (o->pid > 0) {
		if (kill(o->pid, 0) < 0 && errno == ESRCH)
			return rf_error_set(reterr, -ESRCH, "no process %d", (int)o->pid);
		key = o->pid;
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.wtargets), &key, &one, BPF_ANY) < 0)
			return rf_error_set(reterr, -errno, "wtargets: %s", strerror(errno));
	}
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
		if (read(p[0], &c, 1) != 1) /* until the programs are attached */
			_exit(125);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(p[0]);
	*ret_go = p[1];
	return pid;
}

static bool stop_requested(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&p, 1, 0) > 0;
}

static bool holds_any(const struct rf_watch_needs *n)
{
	return n && (n->hold_exec || n->hold_signals || n->hold_caps ||
		     (n->hold_syscalls && n->hold_syscalls[0]));
}

int rf_ebpf_watch(const struct rf_ebpf_watch_opts *o, rf_event_fn fn, void *userdata,
		  struct rf_ebpf_watch_result *ret, struct rf_error *reterr)
{
	/* First, so it is stopped last: after the programs are detached (skel's cleanup). */
	_cleanup_(w_guard_stop) struct w_guard guard = { .wfd = -1 };
	_cleanup_(watch__destroyp) struct watch *skel = NULL;
	_cleanup_(w_sysexits_done) struct w_sysexits sx = { 0 };
	_cleanup_(ring_buffer__freep) struct ring_buffer *crit = NULL, *bulk = NULL;
	_cleanup_(rf_proctab_freep) struct rf_proctab *own = NULL;
	_cleanup_free_ struct wctx *c = calloc(1, sizeof(*c));
	_cleanup_close_ int go = -EBADF;
	struct rf_ebpf_watch_result res = { .wait_status = -1 };
	uint64_t seen[2] = { 0, 0 }, t0, last_gap;
	unsigned gap_ms = o && o->gap_poll_ms ? o->gap_poll_ms : 250;
	pid_t child = 0;
	bool reaped = false;
	int r, status = 0;

	if (!o || !fn || !c || (!o->all && !o->cgroup && o->pid <= 0 && !o->argv))
		return -EINVAL;
	c->fn = fn;
	c->userdata = userdata;
	c->guard = &guard; /* started below if a kill rule needs holds */
	c->procs = o->procs;
	if (!c->procs) {
		if ((r = rf_proctab_new(NULL, &own)) < 0)
			return r;
		c->procs = own;
	}
	r = open_and_load(o, &skel, &sx, reterr);
	if (r >= 0 && (r = w_addrs_start(&c->addrs, skel, o->needs)) < 0)
		rf_error_set(reterr, r, "the address filter's prefixes do not parse");
	if (r >= 0)
		r = setup_targets(o, skel, reterr);
	/* Before anything is attached: the guard must not hold a link. */
	if (r >= 0 && holds_any(o->needs)) {
		if ((r = w_guard_start(&guard, bpf_map__fd(skel->maps.holding))) < 0)
			rf_error_set(reterr, r, "cannot start the guard of held processes: %s",
				     strerror(-r));
		else
			skel->bss->guard_tgid = guard.pid;
	}
	if (r >= 0 && o->argv && (child = start_child(o->argv, &go, reterr)) < 0)
		r = child;
	if (r >= 0 && child > 0) {
		unsigned char one = 1;
		int key = child;

		if (o->child_pid)
			*o->child_pid = child;
		(void)rf_proctab_fork(c->procs, getpid(), child, 0);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.wtargets), &key, &one, BPF_ANY) < 0)
			r = rf_error_set(reterr, -errno, "cannot watch the command: %s",
					 strerror(errno));
	}
	if (r >= 0 && (r = watch__attach(skel)) < 0)
		rf_error_set(reterr, r, "cannot attach the eBPF watch program: %s", strerror(-r));
	if (r >= 0 && sx.n_ids && bpf_program__fd(skel->progs.w_sys_exit_one) >= 0 &&
	    (r = w_sysexits_attach(&sx, skel->progs.w_sys_exit_one)) < 0)
		rf_error_set(reterr, r, "cannot attach the eBPF watch program to syscall exits: %s",
			     strerror(-r));
	if (r >= 0 && (!(crit = ring_buffer__new(bpf_map__fd(skel->maps.crit), on_crit, c, NULL)) ||
		       !(bulk = ring_buffer__new(bpf_map__fd(skel->maps.bulk), on_bulk, c, NULL))))
		r = rf_error_set(reterr, -errno, "ring buffer: %s", strerror(errno));
	if (r < 0) {
		if (child > 0) {
			(void)kill(child, SIGKILL);
			(void)waitpid(child, NULL, 0);
		}
		return r;
	}
	for (struct bpf_link **l = (struct bpf_link **)&skel->links;
	     (char *)l < (char *)&skel->links + sizeof(skel->links); l++)
		res.tracepoints += *l != NULL;
	t0 = last_gap = rf_now_ns();
	if (o->ready_fd > 0) {
		(void)!write(o->ready_fd, "r", 1);
		close(o->ready_fd);
	}
	if (o->on_live)
		o->on_live(o->live_userdata);
	if (go >= 0) {
		(void)!write(go, "g", 1);
		close(TAKE_FD(go));
	}
	for (;;) {
		struct pollfd p[3] = { { .fd = ring_buffer__epoll_fd(crit), .events = POLLIN },
				       { .fd = ring_buffer__epoll_fd(bulk), .events = POLLIN },
				       { .fd = o->stop_fd, .events = POLLIN } };

		/* The critical ring first, every time round (its records cannot be pushed out by
		 * a flood of bulk ones), each ring a bounded share, delivered merged in time
		 * order. */
		bool more = consume(c, crit, bulk);

		if (rf_now_ns() - last_gap >= gap_ms * 1000000ULL) {
			emit_gaps(skel, c, seen);
			last_gap = rf_now_ns();
		}
		if (c->error || stop_requested(o->stop_fd))
			break;
		if (child > 0 && !reaped && waitpid(child, &status, WNOHANG) == child)
			reaped = true;
		if (child > 0 && reaped)
			break;
		if (more)
			continue; /* records are waiting: no sleep */
		if (poll(p, o->stop_fd >= 0 ? 3 : 2, (int)gap_ms) < 0 && errno != EINTR) {
			r = rf_error_set(reterr, -errno, "poll: %s", strerror(errno));
			break;
		}
	}
	/* Detach first, then drain what is left: bounded, whatever the load. */
	watch__detach(skel);
	w_sysexits_detach(&sx);
	if (!c->error) {
		while (consume(c, crit, bulk))
			;
		emit_gaps(skel, c, seen);
	}
	free(c->held);
	if (child > 0 && !reaped)
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	res.wait_status = child > 0 ? status : -1;
	res.duration_ns = rf_now_ns() - t0;
	res.events[0] = c->events[0];
	res.events[1] = c->events[1];
	res.held = c->resumed;
	w_addrs_result(&c->addrs, &res);
	res.tracepoints += (unsigned)sx.attached;
	res.syscall_events = (unsigned)sx.attached;
	memcpy(res.syscalls_raw, sx.raw_why, sizeof(res.syscalls_raw));
	memcpy(res.syscalls_absent, sx.absent, sizeof(res.syscalls_absent));
	read_drops(skel, res.lost);
	if (ret)
		*ret = res;
	if (r >= 0 && c->error < 0)
		r = rf_error_set(reterr, c->error, "watching stopped: %s", strerror(-c->error));
	return r;
}
