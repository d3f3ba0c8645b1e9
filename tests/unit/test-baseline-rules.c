/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The baseline rules (data/rules/baseline.yaml) over the baseline.* fields: deviations fire,
 * what was learned does not, a workload without a baseline and a saturated set are quiet, drift
 * still fires on a known path, protect mode asks for kill; and the recorded nginx stream learned
 * and replayed gives no finding, while redis in the same container gives some. */
#include "ringfence/baseline.h"
#include "rules-helpers.h"

#define SELF 99999

static struct rf_ruleset *baseline_rules(bool with_default, bool protect)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_ruleset *rs = NULL;
	int r;

	cr_assert_eq(rf_ruleset_new(&rs), 0);
	r = with_default ? rf_ruleset_load_default(rs, &err) : 0;
	if (r >= 0)
		r = rf_baseline_load_rules(rs, protect, &err);
	if (r >= 0)
		r = rf_ruleset_compile(rs, &err);
	cr_assert(r >= 0, "baseline rules: %s", err.message ?: "");
	return rs;
}

static struct rf_rules_eval *ctx(const struct rf_ruleset *rs, const struct rf_baseline *b)
{
	struct rf_rules_eval *e = NULL;

	cr_assert_eq(rf_rules_eval_new(
			     rs,
			     &(struct rf_rules_eval_opts){ .baseline = b, .baseline_self = SELF },
			     &e),
		     0);
	return e;
}

/* Rules matched by one event in the context; names in *m (reset first). */
static int run(struct rf_rules_eval *e, struct rf_event ev, struct match_log *m)
{
	int r;

	*m = (struct match_log){ 0 };
	r = rf_rules_eval(e, &ev, log_match, m);
	cr_assert(r >= 0);
	return r;
}

#define NEWBIN	"Executable not in the workload baseline"
#define CHILD	"Child process not in the workload baseline"
#define LIB	"Library not in the workload baseline"
#define LISTEN	"Listener not in the workload baseline"
#define CONNECT "Outbound connection not in the workload baseline"

struct world {
	struct rf_proc *watcher, *master, *worker, *sh, *other;
	struct rf_baseline *b;
};

static struct rf_event bind_ev(const struct rf_proc *p, uint16_t port)
{
	struct rf_event ev = ev_base(RF_EV_NET, p, "bind");

	ev.net = (struct rf_ev_net){ .op = RF_NET_BIND,
				     .fd = 3,
				     .family = AF_INET,
				     .local = { .family = AF_INET, .port = port },
				     .has_ret = true };
	return ev;
}

/* nginx learned: it runs, a worker starts a shell once, writes its log, loads libpcre,
 * listens on 8080 and asks 192.0.2.1:53. */
static struct world world_new(void)
{
	struct rf_baseline_learner *l = NULL;
	struct world w = { 0 };
	struct rf_event evs[6];

	w.watcher = proc_new(SELF, "ringfence", "/usr/bin/ringfence", "ringfence", NULL, false);
	w.master = proc_new(100, "nginx", "/usr/sbin/nginx", "nginx", w.watcher, false);
	w.worker = proc_new(101, "nginx", "/usr/sbin/nginx", "nginx", w.master, false);
	w.sh = proc_new(102, "sh", "/usr/bin/dash", "sh -c logrotate", w.worker, false);
	w.other = proc_new(300, "redis", "/usr/bin/redis-server", "redis-server", w.watcher, false);
	cr_assert_eq(rf_baseline_new(NULL, &w.b), 0);
	cr_assert_eq(
		rf_baseline_learner_new(
			w.b, &(struct rf_baseline_learn_opts){ .self = SELF, .no_stat = true }, &l),
		0);
	evs[0] = ev_exec(w.master);
	evs[1] = ev_exec(w.sh);
	evs[2] = ev_open(w.worker, "/var/log/nginx/access.log", O_WRONLY, RF_ACC_WRITE);
	evs[3] = ev_open(w.worker, "/usr/lib/libpcre2-8.so.0", O_RDONLY, RF_ACC_READ);
	evs[4] = bind_ev(w.master, 8080);
	evs[5] = ev_connect4(w.worker, "192.0.2.1", 53);
	for (size_t i = 0; i < ELEMENTSOF(evs); i++)
		cr_assert_eq(rf_baseline_learn_event(l, &evs[i]), 0);
	rf_baseline_learner_free(l);
	return w;
}

static void world_free(struct world *w)
{
	proc_free(w->other);
	proc_free(w->sh);
	proc_free(w->worker);
	proc_free(w->master);
	proc_free(w->watcher);
	rf_baseline_free(w->b);
}

Test(baseline_rules, deviations_fire_and_the_learned_is_quiet)
{
	struct world w = world_new();
	struct rf_ruleset *rs = baseline_rules(false, false);
	struct rf_rules_eval *e = ctx(rs, w.b);
	struct rf_proc *id = proc_new(103, "id", "/usr/bin/id", "id", w.worker, false);
	struct rf_proc *ng2 = proc_new(104, "nginx", "/usr/sbin/nginx", "nginx", w.sh, false);
	struct match_log m;

	/* What was learned. */
	expect_i(run(e, ev_exec(w.master), &m), 0);
	expect_i(run(e, ev_exec(w.sh), &m), 0);
	expect_i(run(e, ev_open(w.worker, "/var/log/nginx/error.log", O_WRONLY, RF_ACC_WRITE), &m),
		 0);
	expect_i(run(e, ev_open(w.worker, "/usr/lib/libpcre2-8.so.0", O_RDONLY, RF_ACC_READ), &m),
		 0);
	expect_i(run(e, bind_ev(w.master, 8080), &m), 0);
	expect_i(run(e, ev_connect4(w.worker, "192.0.2.1", 53), &m), 0);
	/* Deviations. */
	expect_i(run(e, ev_exec(id), &m), 2);
	cr_assert(matched(&m, NEWBIN) && matched(&m, CHILD));
	expect_contains(m.output, "/usr/sbin/nginx started /usr/bin/id");
	expect_i(run(e, ev_exec(ng2), &m), 1); /* a known program from another parent */
	cr_assert(matched(&m, CHILD));
	expect_i(run(e, ev_open(w.worker, "/tmp/evil.so", O_RDONLY, RF_ACC_READ), &m), 1);
	cr_assert(matched(&m, LIB));
	expect_i(run(e, bind_ev(w.worker, 4444), &m), 1);
	cr_assert(matched(&m, LISTEN));
	expect_contains(m.output, "Port 4444 (bind)");
	expect_i(run(e, ev_connect4(w.worker, "198.51.100.9", 443), &m), 1);
	cr_assert(matched(&m, CONNECT));
	expect_contains(m.output, "198.51.100.9:443");
	/* A workload with no baseline is quiet. */
	expect_i(run(e, ev_exec(w.other), &m), 0);
	expect_i(run(e, bind_ev(w.other, 4444), &m), 0);
	rf_rules_eval_free(e);
	/* Without a baseline the fields are absent: nothing fires. */
	e = ctx(rs, NULL);
	expect_i(run(e, ev_exec(id), &m), 0);
	rf_rules_eval_free(e);
	proc_free(ng2);
	proc_free(id);
	rf_ruleset_free(rs);
	world_free(&w);
}

Test(baseline_rules, saturated_and_unrecorded_sets_are_quiet)
{
	struct world w = world_new();
	struct rf_ruleset *rs = baseline_rules(false, false);
	struct rf_proc *id = proc_new(103, "id", "/usr/bin/id", "id", w.worker, false);
	struct rf_baseline *b = NULL;
	struct rf_rules_eval *e;
	struct match_log m;
	_cleanup_error_ struct rf_error err = { 0 };
	static const char doc[] =
		"{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{\"key\": "
		"\"exe:/usr/sbin/nginx\", \"executables\": {\"saturated\": true, \"items\": "
		"[{\"path\": \"/usr/sbin/nginx\"}]}, \"edges\": {\"items\": []}}]}";

	cr_assert_eq(rf_baseline_parse(doc, strlen(doc), "b.json", &b, &err), 0);
	e = ctx(rs, b);
	/* The executables are saturated: no NewBinary; the edges are complete (and empty). */
	expect_i(run(e, ev_exec(id), &m), 1);
	cr_assert(matched(&m, CHILD));
	/* Sets the document leaves out were not recorded. */
	expect_i(run(e, bind_ev(w.worker, 4444), &m), 0);
	expect_i(run(e, ev_open(w.worker, "/tmp/evil.so", O_RDONLY, RF_ACC_READ), &m), 0);
	rf_rules_eval_free(e);
	rf_baseline_free(b);
	proc_free(id);
	rf_ruleset_free(rs);
	world_free(&w);
}

Test(baseline_rules, drift_on_a_known_path)
{
	struct world w = world_new();
	struct rf_ruleset *rs = baseline_rules(true, false);
	struct rf_rules_eval *e = ctx(rs, w.b);
	struct match_log m;

	run(e, ev_exec(w.sh), &m);
	cr_assert(!matched(&m, NEWBIN)); /* (the default rules see a shell from a server) */
	/* /usr/bin/dash is replaced, then run: known path, written since watching began. */
	run(e, ev_open(w.worker, "/usr/bin/dash", O_WRONLY | O_TRUNC, RF_ACC_WRITE), &m);
	run(e, ev_exec(w.sh), &m);
	cr_assert(matched(&m, NEWBIN), "drift of a known executable must fire");
	expect_contains(m.output, "written_since_start=true");
	rf_rules_eval_free(e);
	rf_ruleset_free(rs);
	world_free(&w);
}

Test(baseline_rules, protect_asks_for_kill)
{
	struct rf_ruleset *mon = baseline_rules(true, false), *pro = baseline_rules(true, true);
	static const char *const names[] = {
		NEWBIN, CHILD,	 LIB,
		LISTEN, CONNECT, "Executed file written after the container started"
	};

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		expect_u(rf_rule_action(rf_ruleset_find(mon, names[i])), RF_ACTION_ALERT);
		expect_u(rf_rule_action(rf_ruleset_find(pro, names[i])), RF_ACTION_KILL);
	}
	/* Other default rules keep their action. */
	expect_u(rf_rule_action(rf_ruleset_find(pro, "Reverse shell")), RF_ACTION_ALERT);
	rf_ruleset_free(mon);
	rf_ruleset_free(pro);
	/* Without the default rules the protect override leaves the drift rule out. */
	rf_ruleset_free(baseline_rules(false, true));
}

static struct rf_baseline *learn_stream(const struct fx_stream *s)
{
	struct rf_baseline *b = NULL;
	struct rf_baseline_learner *l = NULL;

	cr_assert_eq(rf_baseline_new(NULL, &b), 0);
	cr_assert_eq(
		rf_baseline_learner_new(
			b, &(struct rf_baseline_learn_opts){ .self = SELF, .no_stat = true }, &l),
		0);
	for (size_t i = 0; i < s->n; i++)
		cr_assert_eq(rf_baseline_learn_event(l, &s->v[i]), 0);
	rf_baseline_learner_free(l);
	return b;
}

static size_t baseline_matches(const struct rf_ruleset *rs, const struct rf_baseline *b,
			       const struct fx_stream *s, struct match_log *all)
{
	struct rf_rules_eval *e = ctx(rs, b);
	size_t n = 0;

	*all = (struct match_log){ 0 };
	for (size_t i = 0; i < s->n; i++) {
		int r = rf_rules_eval(e, &s->v[i], log_match, all);

		cr_assert(r >= 0);
		n += (size_t)r;
	}
	rf_rules_eval_free(e);
	return n;
}

Test(baseline_rules, recorded_streams)
{
	struct fx_stream nginx, redis, build;
	struct rf_ruleset *rs = baseline_rules(false, false);
	struct rf_baseline *b;
	struct rf_baseline_stats st;
	struct rf_baseline_view v;
	struct match_log m;

	fx_load(&nginx, "events/nginx.jsonl");
	fx_load(&redis, "events/redis.jsonl");
	fx_load(&build, "events/package-build.jsonl");
	b = learn_stream(&nginx);
	rf_baseline_stats(b, &st);
	expect_u(st.workloads, 1);
	rf_baseline_classify(&nginx.v[0], NULL, SELF, &v);
	cr_assert(!strncmp(v.key, "container-id:3f6a1c2b", 21), "key %s", v.key);
	cr_assert(rf_baseline_find(b, v.key));
	cr_assert(st.items[RF_BL_EXECUTABLES] >= 2 && st.items[RF_BL_LIBRARIES] >= 3,
		  "nginx learned %zu executables, %zu libraries", st.items[RF_BL_EXECUTABLES],
		  st.items[RF_BL_LIBRARIES]);
	/* The same traffic again: not one finding. */
	expect_u(baseline_matches(rs, b, &nginx, &m), 0);
	/* redis in nginx's container: a program the container never ran. */
	cr_assert(baseline_matches(rs, b, &redis, &m) > 0);
	cr_assert(matched(&m, NEWBIN));
	/* Host processes are another workload, with no baseline: quiet. */
	expect_u(baseline_matches(rs, b, &build, &m), 0);
	rf_baseline_free(b);
	fx_free(&nginx);
	fx_free(&redis);
	fx_free(&build);
	rf_ruleset_free(rs);
}

/* The baseline fields allocate nothing either (test-rules.c counts the same way; not under
 * ASan, which owns malloc). */
#if !defined(__SANITIZE_ADDRESS__)
#include "alloc-count.h"

Test(baseline_rules, evaluation_does_not_allocate)
{
	struct world w = world_new();
	struct rf_ruleset *rs = baseline_rules(true, false);
	struct rf_rules_eval *e = ctx(rs, w.b);
	struct rf_proc *id = proc_new(103, "id", "/usr/bin/id", "id", w.worker, false);
	struct rf_event evs[] = {
		ev_exec(w.sh),
		ev_exec(id),
		ev_open(w.worker, "/usr/lib/libpcre2-8.so.0", O_RDONLY, RF_ACC_READ),
		ev_open(w.worker, "/tmp/evil.so", O_RDONLY, RF_ACC_READ),
		ev_connect4(w.worker, "198.51.100.9", 443),
		bind_ev(w.worker, 4444),
		ev_exec(w.other),
	};
	unsigned long total = 0;

	for (size_t i = 0; i < ELEMENTSOF(evs); i++) /* warm-up: the drift set */
		(void)rf_rules_eval(e, &evs[i], NULL, NULL);
	counting = true;
	for (int round = 0; round < 1000; round++)
		for (size_t i = 0; i < ELEMENTSOF(evs); i++)
			total += (unsigned long)rf_rules_eval(e, &evs[i], NULL, NULL);
	counting = false;
	cr_assert(total >= 5000, "the deviations should match (%lu)", total);
	expect_u(allocations, 0);
	rf_rules_eval_free(e);
	proc_free(id);
	rf_ruleset_free(rs);
	world_free(&w);
}
#endif
