/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sink chain with several consumers at once, fed every source's event shapes (per-call,
 * totals, argument values, bootstrap, gap, verdicts), and real sources that need no root (a
 * strace log, the ptrace recorder) stopping when a consumer fails. */
#include <seccomp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/hashmap.h"
#include "core/macro.h"
#include "run/run-internal.h"
#include "unit.h"
#include "ringfence/observation.h"
#include "ringfence/proc.h"
#include "ringfence/ptrace.h"
#include "ringfence/sink.h"
#include "ringfence/strace_log.h"

#define X86_64 SCMP_ARCH_X86_64

struct tally {
	uint64_t by_kind[RF_EV_KIND_MAX];
	uint64_t events;
	uint64_t fail_at; /* > 0: return -ECANCELED at this event */
	bool ended;
	struct rf_recording rec;
};

static int tally_event(const struct rf_event *ev, void *self)
{
	struct tally *t = self;

	t->events++;
	if (t->fail_at && t->events == t->fail_at)
		return -ECANCELED;
	cr_assert(ev->kind > 0 && ev->kind < RF_EV_KIND_MAX);
	t->by_kind[ev->kind]++;
	return 0;
}

static int tally_end(const struct rf_recording *rec, void *self)
{
	struct tally *t = self;

	t->ended = true;
	t->rec = *rec;
	return 0;
}

static void add_tally(struct rf_sinks *s, struct tally *t)
{
	struct rf_sink k = {
		.name = "tally", .on_event = tally_event, .on_end = tally_end, .self = t
	};

	cr_assert_eq(rf_sinks_add(s, &k), 0);
}

static int nr(const char *name)
{
	return seccomp_syscall_resolve_name_arch(X86_64, name);
}

static const struct rf_obs_syscall *row(const struct rf_observation *o, const char *name)
{
	for (size_t i = 0; i < o->n_syscalls; i++)
		if (o->syscalls[i].name && streq(o->syscalls[i].name, name))
			return &o->syscalls[i];
	return NULL;
}

static const struct rf_source_info everything = {
	.name = "test",
	.kinds = ~0u,
	.fields = ~0u,
};

/* ptrace's shape: one event per call with all arguments; eBPF's: a first sighting without
 * arguments, their values as RF_EV_ARGS, the rest of the calls as a total; the runtime's
 * bootstrap; a gap. The observation and the tally both see all of it. */
Test(sinks, two_consumers_see_every_source_shape)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	struct rf_sinks s = { 0 };
	struct rf_sink obs_sink;
	struct tally t = { 0 };
	static const struct rf_proc proc = { .tgid = 10, .exe = (char *)"/usr/bin/app" };
	struct rf_event ev;

	rf_obs_sink(o, &obs_sink);
	cr_assert_eq(rf_sinks_add(&s, &obs_sink), 0);
	add_tally(&s, &t);
	cr_assert_eq(rf_sinks_begin(&s, &everything, NULL), 0);

	/* per call, with arguments (ptrace) */
	for (int i = 0; i < 3; i++) {
		ev = (struct rf_event){ .kind = RF_EV_SYSCALL,
					.tgid = 10,
					.tid = 11,
					.proc = &proc,
					.sc = { .id = { X86_64, nr("socket") },
						.count = 1,
						.args = { 2, 1, 0 },
						.args_known = 0x3f } };
		cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	}
	/* first sighting, values elsewhere, then the total (eBPF) */
	ev = (struct rf_event){
		.kind = RF_EV_SYSCALL,
		.tgid = 10,
		.tid = 10,
		.sc = { .id = { X86_64, nr("prctl") }, .count = 1, .args_elsewhere = true }
	};
	cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	ev = (struct rf_event){
		.kind = RF_EV_ARGS,
		.tgid = 10,
		.sc = { .id = { X86_64, nr("prctl") }, .args = { 38 }, .args_known = 1 }
	};
	cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	ev = (struct rf_event){
		.kind = RF_EV_SYSCALL_TOTAL,
		.sc = { .id = { X86_64, nr("prctl") }, .count = 41, .args_elsewhere = true }
	};
	cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	/* bootstrap (the runtime before the workload's filter) and a gap */
	ev = (struct rf_event){ .kind = RF_EV_SYSCALL,
				.bootstrap = true,
				.sc = { .id = { X86_64, nr("clone3") }, .count = 1 } };
	cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	ev = (struct rf_event){ .kind = RF_EV_GAP, .gap = { .lost = 7, .where = "ring buffer" } };
	cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	cr_assert_eq(rf_sinks_end(&s, &(struct rf_recording){ .backend = "test", .exit_status = 0 },
				  NULL),
		     0);

	/* The observation's view */
	expect_u(row(o, "socket")->count, 3);
	expect_u(row(o, "socket")->args[0].n, 1);
	expect_u(row(o, "socket")->args[0].values[0], 2);
	expect_str(row(o, "socket")->first_exe, "/usr/bin/app");
	expect_i(row(o, "socket")->first_pid, 10); /* the process, not the thread */
	expect_u(row(o, "prctl")->count, 42);
	cr_assert(!row(o, "prctl")->args[0].overflow, "a call without its values is not unknown");
	expect_u(row(o, "prctl")->args[0].values[0], 38);
	cr_assert_null(row(o, "clone3"), "bootstrap calls stay out of the workload's set");
	cr_assert(strv_contains(o->bootstrap, "x86_64:clone3"));
	expect_u(o->lost, 7);
	expect_str(o->backend, "test");
	/* The tally's view of the same stream */
	expect_u(t.events, 8);
	expect_u(t.by_kind[RF_EV_SYSCALL], 5);
	expect_u(t.by_kind[RF_EV_SYSCALL_TOTAL], 1);
	expect_u(t.by_kind[RF_EV_ARGS], 1);
	expect_u(t.by_kind[RF_EV_GAP], 1);
	cr_assert(t.ended);
	expect_str(t.rec.backend, "test");
	expect_u(s.events, 8);
}

/* run's listener shapes: a call with the profile's verdict reaches the report; the same
 * stream feeds an observation beside it. */
Test(sinks, verdict_events_reach_the_report_and_the_observation)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	struct rf_report rep = { .mode = "enforce", .index = RF_HMAP_INIT_STR };
	struct rf_sinks s = { 0 };
	struct rf_sink a, b;
	struct rf_event ev;

	rf_report_sink(&rep, &a);
	rf_obs_sink(o, &b);
	cr_assert_eq(rf_sinks_add(&s, &a), 0);
	cr_assert_eq(rf_sinks_add(&s, &b), 0);
	cr_assert_eq(rf_sinks_begin(&s, &rf_listener_source, NULL), 0);
	for (int i = 0; i < 4; i++) {
		ev = (struct rf_event){ .kind = RF_EV_SYSCALL,
					.tgid = 5,
					.tid = 5,
					.bootstrap = i == 0,
					.sc = { .id = { X86_64, nr("uname") },
						.count = 1,
						.has_verdict = true,
						.verdict = SECCOMP_RET_ERRNO | EPERM } };
		cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	}
	ev = (struct rf_event){ .kind = RF_EV_GAP, .gap = { .lost = 1 } };
	cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	cr_assert_eq(rf_sinks_end(&s, &(struct rf_recording){ .exit_status = 0 }, NULL), 0);
	expect_u(rep.n, 2); /* the pre-exec call is its own entry */
	expect_u(rep.items[0]->count + rep.items[1]->count, 4);
	expect_u(rep.lost, 1);
	cr_assert(rep.exited);
	expect_u(row(o, "uname")->count, 3);
	rf_report_done(&rep);
}

Test(sinks, a_consumer_that_fails_stops_the_chain)
{
	struct rf_sinks s = { 0 };
	struct tally first = { 0 }, failing = { .fail_at = 3 }, last = { 0 };
	struct rf_error e = { 0 };
	struct rf_event ev = { .kind = RF_EV_EXEC };

	add_tally(&s, &first);
	add_tally(&s, &failing);
	s.v[1].name = "failing consumer";
	add_tally(&s, &last);
	cr_assert_eq(rf_sinks_begin(&s, &everything, NULL), 0);
	cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	cr_assert_eq(rf_sinks_emit(&ev, &s), 0);
	cr_assert_eq(rf_sinks_emit(&ev, &s), -ECANCELED);
	cr_assert_eq(rf_sinks_emit(&ev, &s), -ECANCELED, "latched: no more dispatch");
	expect_u(first.events, 3);
	expect_u(failing.events, 3);
	expect_u(last.events, 2); /* the consumer after the failing one never saw event 3 */
	cr_assert_eq(rf_sinks_end(&s, &(struct rf_recording){ 0 }, &e), -ECANCELED);
	expect_contains(e.message, "failing consumer");
	cr_assert(first.ended && last.ended, "every consumer still gets on_end to clean up");
	rf_error_clear(&e);
}

Test(sinks, a_consumer_the_source_cannot_serve_is_refused)
{
	struct rf_sinks s = { 0 };
	struct rf_sink k = { .name = "rule engine",
			     .need_fields = RF_FIELD_PER_CALL,
			     .on_event = tally_event,
			     .self = &(struct tally){ .events = 0 } };
	static const struct rf_source_info counting = { .name = "ebpf",
							.kinds = RF_EV_BIT(RF_EV_SYSCALL_TOTAL),
							.fields = RF_FIELD_ARGS };
	struct rf_error e = { 0 };

	cr_assert_eq(rf_sinks_add(&s, &k), 0);
	cr_assert_eq(rf_sinks_begin(&s, &counting, &e), -ENOTSUP);
	expect_contains(e.message, "rule engine needs one event per syscall");
	expect_contains(e.message, "ebpf");
	rf_error_clear(&e);
	k.need_fields = 0;
	k.need_kinds = RF_EV_BIT(RF_EV_FILE);
	s.n = 0;
	cr_assert_eq(rf_sinks_add(&s, &k), 0);
	cr_assert_eq(rf_sinks_begin(&s, &counting, &e), -ENOTSUP);
	expect_contains(e.message, "needs file events");
	rf_error_clear(&e);
}

Test(sinks, want_kinds_skip_what_a_consumer_did_not_ask_for)
{
	struct rf_sinks s = { 0 };
	struct tally t = { 0 };
	struct rf_sink k = { .name = "execs only",
			     .want_kinds = RF_EV_BIT(RF_EV_EXEC),
			     .on_event = tally_event,
			     .self = &t };
	struct rf_event exec = { .kind = RF_EV_EXEC }, sc = { .kind = RF_EV_SYSCALL };

	cr_assert_eq(rf_sinks_add(&s, &k), 0);
	cr_assert_eq(rf_sinks_begin(&s, &everything, NULL), 0);
	cr_assert_eq(rf_sinks_emit(&sc, &s), 0);
	cr_assert_eq(rf_sinks_emit(&exec, &s), 0);
	expect_u(t.events, 1);
}

/* A real log through the import pipeline into two consumers. */
Test(sinks, strace_import_feeds_two_consumers)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	_cleanup_str_ char *path = fixture_path("strace/follow-o.log");
	char *paths[] = { path };
	struct rf_strace_opts so = { .native_arch = X86_64 };
	struct rf_sinks s = { 0 };
	struct rf_sink obs_sink;
	struct tally t = { 0 };

	rf_obs_sink(o, &obs_sink);
	cr_assert_eq(rf_sinks_add(&s, &obs_sink), 0);
	add_tally(&s, &t);
	cr_assert_eq(rf_strace_import(paths, 1, &so, &s, NULL), 0);
	expect_str(o->backend, "strace-log");
	cr_assert(o->n_syscalls > 0);
	expect_u(t.by_kind[RF_EV_FORK], 3);
	expect_u(t.by_kind[RF_EV_EXIT], 4);
	cr_assert(t.ended);
	cr_assert(t.rec.source_fields & RF_FIELD_PER_CALL);
}

/* The ptrace recorder (no root needed) with a consumer that fails early: no more events, the
 * command still runs to its end with its own status, the consumer's error comes back. */
Test(sinks, ptrace_stops_delivering_when_a_consumer_fails)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c",
			 (char *)"for i in 1 2 3 4 5; do /bin/true; done; exit 3", NULL };
	struct rf_ptrace_opts po = { .argv = argv, .stop_fd = -1 };
	struct rf_ptrace_result res = { 0 };
	struct tally t = { .fail_at = 20 };
	struct rf_error e = { 0 };
	int r = rf_ptrace_record(&po, tally_event, &t, &res, &e);

	if (r == -EPERM)
		cr_skip_test("ptrace is not permitted here: %s", e.message ?: "");
	cr_assert_eq(r, -ECANCELED, "got %d: %s", r, e.message ?: "");
	expect_u(t.events, 20); /* not one event after the failure */
	cr_assert(WIFEXITED(res.wait_status) && WEXITSTATUS(res.wait_status) == 3,
		  "the command ran to its end: status 0x%x", res.wait_status);
	rf_error_clear(&e);
}

/* The same recorder into an observation: processes are named by tgid, files are decoded. */
Test(sinks, ptrace_fills_the_contract)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	char *argv[] = { (char *)"/bin/sh", (char *)"-c",
			 (char *)"cat /etc/hostname >/dev/null; kill -0 $$", NULL };
	struct rf_ptrace_opts po = { .argv = argv, .stop_fd = -1 };
	struct rf_ptrace_result res = { 0 };
	struct tally t = { 0 };
	struct rf_sinks s = { 0 };
	struct rf_sink obs_sink;
	bool hostname = false;
	int r;

	rf_obs_sink(o, &obs_sink);
	cr_assert_eq(rf_sinks_add(&s, &obs_sink), 0);
	add_tally(&s, &t);
	cr_assert_eq(rf_sinks_begin(&s, &rf_ptrace_source, NULL), 0);
	r = rf_ptrace_record(&po, rf_sinks_emit, &s, &res, NULL);
	if (r == -EPERM)
		cr_skip_test("ptrace is not permitted here");
	cr_assert_eq(r, 0);
	cr_assert_eq(
		rf_sinks_end(&s,
			     &(struct rf_recording){ .backend = "ptrace",
						     .source_fields = rf_ptrace_source.fields },
			     NULL),
		0);
	cr_assert(o->decoded);
	for (size_t i = 0; i < o->n_files; i++)
		hostname |= streq(o->files[i].path, "/etc/hostname") &&
			    (o->files[i].access & RF_ACC_READ);
	cr_assert(hostname, "cat's open of /etc/hostname is a read of that file");
	expect_u(t.by_kind[RF_EV_EXEC], 2);
	cr_assert(t.by_kind[RF_EV_FORK] >= 1);
	cr_assert(t.by_kind[RF_EV_EXIT] >= 2);
}
