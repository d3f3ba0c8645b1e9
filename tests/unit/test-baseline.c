/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Learned baselines, the model and its documents: workload keys, budgets and saturation (the
 * collapse of destinations to networks), merge, deterministic writing, located read errors,
 * the observation a baseline becomes. The rule fields are test-baseline-rules.c. */
#include "core/number.h"
#include "ringfence/baseline.h"
#include "ringfence/observation.h"
#include "rules-helpers.h"

static struct rf_baseline *bl_new(const struct rf_baseline_budgets *bg)
{
	struct rf_baseline *b = NULL;

	cr_assert_eq(rf_baseline_new(bg, &b), 0);
	return b;
}

static struct rf_baseline_learner *learner(struct rf_baseline *b)
{
	struct rf_baseline_learner *l = NULL;

	cr_assert_eq(
		rf_baseline_learner_new(
			b, &(struct rf_baseline_learn_opts){ .self = 99999, .no_stat = true }, &l),
		0);
	return l;
}

static void learn(struct rf_baseline_learner *l, struct rf_event ev)
{
	cr_assert_eq(rf_baseline_learn_event(l, &ev), 0);
}

static char *to_text(const struct rf_baseline *b)
{
	_cleanup_error_ struct rf_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	cr_assert_eq(rf_baseline_write(b, f, true, &err), 0);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static void text_has(const struct rf_baseline *b, const char *needle)
{
	_cleanup_str_ char *t = to_text(b);

	expect_contains(t, needle);
}

static struct rf_baseline *parse(const char *text)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_baseline *b = NULL;
	int r = rf_baseline_parse(text, strlen(text), "b.json", &b, &err);

	cr_assert(r == 0, "parse failed (%d): %s", r, err.message ?: "");
	return b;
}

static char *parse_err(const char *text)
{
	struct rf_error err = { 0 };
	struct rf_baseline *b = NULL;
	int r = rf_baseline_parse(text, strlen(text), "b.json", &b, &err);
	char *msg;

	cr_assert(r < 0, "parsed although it should not have");
	cr_assert(err.message);
	msg = strdup(err.message);
	rf_error_clear(&err);
	return msg;
}

static struct rf_baseline_stats stats(const struct rf_baseline *b)
{
	struct rf_baseline_stats st;

	rf_baseline_stats(b, &st);
	return st;
}

/* nginx (host leader below the watcher 99999) and a worker of it. */
struct tree {
	struct rf_proc *watcher, *master, *worker;
};

static struct tree tree_new(void)
{
	struct tree t;

	t.watcher =
		proc_new(99999, "ringfence", "/usr/bin/ringfence", "ringfence watch", NULL, false);
	t.master = proc_new(100, "nginx", "/usr/sbin/nginx", "nginx -g x", t.watcher, false);
	t.worker = proc_new(101, "nginx", "/usr/sbin/nginx", "nginx -g x", t.master, false);
	return t;
}

static void tree_free(struct tree *t)
{
	proc_free(t->worker);
	proc_free(t->master);
	proc_free(t->watcher);
}

Test(baseline, keys)
{
	struct tree t = tree_new();
	struct rf_proc *c = proc_new(7, "app", "/app", "app", NULL, true);
	struct rf_proc *forked =
		proc_new(102, "ringfence", "/usr/bin/ringfence", "x", t.watcher, false);
	struct rf_baseline_view v;
	struct rf_event ev = ev_exec(t.worker);

	cr_assert_eq(rf_baseline_classify(&ev, NULL, 99999, &v), 0);
	expect_str(v.key, "exe:/usr/sbin/nginx");
	/* Without the watcher as a boundary the tree goes up to it. */
	rf_baseline_classify(&ev, NULL, 1234, &v);
	expect_str(v.key, "exe:/usr/bin/ringfence");
	ev = ev_exec(c);
	rf_baseline_classify(&ev, NULL, 99999, &v);
	expect_str(v.key, "container-id:" TEST_CID);
	rf_baseline_classify(&ev, &(struct rf_container_meta){ .name = "web" }, 99999, &v);
	expect_str(v.key, "container:web");
	rf_baseline_classify(&ev, &(struct rf_container_meta){ .name = "web", .image = "nginx:1" },
			     99999, &v);
	expect_str(v.key, "image:nginx:1");
	/* The watcher's own fork, not yet the command, is no workload. */
	ev = ev_base(RF_EV_SYSCALL, forked, NULL);
	rf_baseline_classify(&ev, NULL, 99999, &v);
	cr_assert(!v.has_key);
	ev = ev_base(RF_EV_FORK, NULL, NULL);
	rf_baseline_classify(&ev, NULL, 99999, &v);
	cr_assert(!v.has_key);
	proc_free(forked);
	proc_free(c);
	tree_free(&t);
}

Test(baseline, items_of_events)
{
	struct tree t = tree_new();
	struct rf_baseline_view v;
	struct rf_event ev = ev_exec(t.worker);

	/* An exec: the executable and, its parent being in the workload, the edge. */
	rf_baseline_classify(&ev, NULL, 99999, &v);
	expect_u(v.n_items, 2);
	expect_u(v.items[0].set, RF_BL_EXECUTABLES);
	expect_u(v.items[1].set, RF_BL_EDGES);
	/* The leader's exec: its parent is the watcher, no edge. */
	ev = ev_exec(t.master);
	rf_baseline_classify(&ev, NULL, 99999, &v);
	expect_u(v.n_items, 1);
	/* Writes give their directory; devices and /proc none; an inherited fd (no syscall)
	 * none; a shared object opened for reading is a library, ld.so.cache is not. */
	ev = ev_open(t.worker, "/var/log/nginx/../nginx/access.log", O_WRONLY | O_APPEND,
		     RF_ACC_WRITE | RF_ACC_APPEND);
	rf_baseline_classify(&ev, NULL, 99999, &v);
	expect_u(v.n_items, 1);
	expect_str(v.items[0].s, "/var/log/nginx");
	ev = ev_open(t.worker, "/dev/null", O_WRONLY, RF_ACC_WRITE);
	rf_baseline_classify(&ev, NULL, 99999, &v);
	expect_u(v.n_items, 0);
	ev = ev_open(t.worker, "/tmp/x", O_WRONLY, RF_ACC_WRITE);
	ev.origin = (struct rf_syscall_id){ 0 };
	rf_baseline_classify(&ev, NULL, 99999, &v);
	expect_u(v.n_items, 0);
	ev = ev_open(t.worker, "/lib/libssl.so.3", O_RDONLY, RF_ACC_READ);
	rf_baseline_classify(&ev, NULL, 99999, &v);
	expect_u(v.items[0].set, RF_BL_LIBRARIES);
	ev = ev_open(t.worker, "/etc/ld.so.cache", O_RDONLY, RF_ACC_READ);
	rf_baseline_classify(&ev, NULL, 99999, &v);
	expect_u(v.n_items, 0);
	ev = ev_connect4(t.worker, "192.0.2.7", 443);
	rf_baseline_classify(&ev, NULL, 99999, &v);
	expect_u(v.items[0].set, RF_BL_CONNECT);
	expect_u(v.items[0].port, 443);
	expect_u(v.items[0].addr[10], 0xff);
	expect_u(v.items[0].addr[15], 7);
	tree_free(&t);
}

static void learn_exes(struct rf_baseline_learner *l, struct rf_proc *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char path[64];
		struct rf_event ev = ev_exec(p);

		(void)snprintf(path, sizeof(path), "/usr/bin/tool%03u", i);
		ev.exec.path = path;
		learn(l, ev);
	}
}

Test(baseline, budgets_saturate)
{
	struct rf_baseline_budgets bg;
	struct tree t = tree_new();
	struct rf_baseline *b;
	struct rf_baseline_learner *l;
	struct rf_baseline_stats st;

	rf_baseline_budgets_default(&bg);
	bg.executables = 5;
	bg.edges = 100;
	b = bl_new(&bg);
	l = learner(b);
	learn_exes(l, t.worker, 5);
	st = stats(b);
	expect_u(st.items[RF_BL_EXECUTABLES], 5);
	expect_u(st.saturated[RF_BL_EXECUTABLES], 0);
	cr_assert(rf_baseline_complete(rf_baseline_find(b, "exe:/usr/sbin/nginx"),
				       RF_BL_EXECUTABLES));
	learn_exes(l, t.worker, 5); /* the same again: nothing new */
	expect_u(stats(b).saturated[RF_BL_EXECUTABLES], 0);
	learn_exes(l, t.worker, 8);
	st = stats(b);
	expect_u(st.items[RF_BL_EXECUTABLES], 5);
	expect_u(st.saturated[RF_BL_EXECUTABLES], 1);
	expect_u(st.items[RF_BL_EDGES], 8);
	cr_assert(!rf_baseline_complete(rf_baseline_find(b, "exe:/usr/sbin/nginx"),
					RF_BL_EXECUTABLES));
	text_has(b, "\"saturated\": true");
	rf_baseline_learner_free(l);
	rf_baseline_free(b);
	tree_free(&t);
}

Test(baseline, workload_budget)
{
	struct rf_baseline_budgets bg;
	struct rf_baseline *b;
	struct rf_baseline_learner *l;
	struct rf_proc *p[3];

	rf_baseline_budgets_default(&bg);
	bg.workloads = 2;
	b = bl_new(&bg);
	l = learner(b);
	for (int i = 0; i < 3; i++) {
		char exe[32];

		(void)snprintf(exe, sizeof(exe), "/srv/app%d", i);
		p[i] = proc_new(200 + i, "app", exe, "app", NULL, false);
		learn(l, ev_exec(p[i]));
	}
	expect_u(stats(b).workloads, 2);
	cr_assert(stats(b).workloads_saturated);
	cr_assert_null(rf_baseline_find(b, "exe:/srv/app2"));
	for (int i = 0; i < 3; i++)
		proc_free(p[i]);
	rf_baseline_learner_free(l);
	rf_baseline_free(b);
}

static bool knows_dest(const struct rf_baseline *b, const char *ip, uint16_t port)
{
	struct tree t = tree_new();
	struct rf_event ev = ev_connect4(t.worker, ip, port);
	struct rf_baseline_view v;
	bool known;

	rf_baseline_classify(&ev, NULL, 99999, &v);
	known = rf_baseline_has(rf_baseline_find(b, v.key), &v.items[0]);
	tree_free(&t);
	return known;
}

Test(baseline, destinations_collapse_then_saturate)
{
	struct rf_baseline_budgets bg;
	struct tree t = tree_new();
	struct rf_baseline *b;
	struct rf_baseline_learner *l;
	const struct rf_baseline_workload *w;

	rf_baseline_budgets_default(&bg);
	bg.connect = 2;
	bg.connect_prefixes = 2;
	b = bl_new(&bg);
	l = learner(b);
	learn(l, ev_connect4(t.worker, "10.0.0.1", 443));
	learn(l, ev_connect4(t.worker, "10.0.0.2", 443));
	cr_assert(knows_dest(b, "10.0.0.1", 443));
	cr_assert(!knows_dest(b, "10.0.0.9", 443));
	cr_assert(!knows_dest(b, "10.0.0.1", 80));
	/* A third destination: the two become their /24 (one item), the third joins it. */
	learn(l, ev_connect4(t.worker, "10.0.0.3", 443));
	expect_u(stats(b).items[RF_BL_CONNECT], 1);
	text_has(b, "\"10.0.0.0/24:443\"");
	text_has(b, "\"collapsed\": true");
	cr_assert(knows_dest(b, "10.0.0.200", 443));
	cr_assert(!knows_dest(b, "10.0.1.1", 443));
	learn(l, ev_connect4(t.worker, "10.0.1.1", 443));
	w = rf_baseline_find(b, "exe:/usr/sbin/nginx");
	cr_assert(rf_baseline_complete(w, RF_BL_CONNECT));
	learn(l, ev_connect4(t.worker, "10.0.2.1", 443));
	cr_assert(!rf_baseline_complete(w, RF_BL_CONNECT));
	expect_u(stats(b).items[RF_BL_CONNECT], 2);
	rf_baseline_learner_free(l);
	rf_baseline_free(b);
	tree_free(&t);
}

Test(baseline, overlong_path_saturates)
{
	struct tree t = tree_new();
	struct rf_baseline *b = bl_new(NULL);
	struct rf_baseline_learner *l = learner(b);
	char path[RF_BASELINE_MAX_ITEM + 20];
	struct rf_event ev = ev_exec(t.worker);

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ev.exec.path = path;
	learn(l, ev);
	expect_u(stats(b).items[RF_BL_EXECUTABLES], 0);
	expect_u(stats(b).saturated[RF_BL_EXECUTABLES], 1);
	rf_baseline_learner_free(l);
	rf_baseline_free(b);
	tree_free(&t);
}

Test(baseline, unrecorded_sets_follow_the_source)
{
	struct tree t = tree_new();
	struct rf_baseline *b = bl_new(NULL);
	struct rf_baseline_learner *l = learner(b);
	const struct rf_baseline_workload *w;

	learn(l, ev_exec(t.master));
	cr_assert_eq(rf_baseline_learn_end(
			     l, &(struct rf_recording){ .backend = "ebpf-watch",
							.source_kinds = RF_EV_BIT(RF_EV_EXEC) |
									RF_EV_BIT(RF_EV_FILE) |
									RF_EV_BIT(RF_EV_NET) |
									RF_EV_BIT(RF_EV_CAPABILITY),
							.source_fields = RF_FIELD_PATHS }),
		     0);
	w = rf_baseline_find(b, "exe:/usr/sbin/nginx");
	cr_assert(rf_baseline_complete(w, RF_BL_EXECUTABLES));
	cr_assert(rf_baseline_complete(w, RF_BL_CAPABILITIES));
	cr_assert(!rf_baseline_complete(w, RF_BL_SYSCALLS));
	cr_assert(!rf_baseline_recorded(b, NULL, RF_BL_SYSCALLS));
	cr_assert(rf_baseline_recorded(b, NULL, RF_BL_LIBRARIES));
	text_has(b, "\"backends\": [\n      \"ebpf-watch\"");
	rf_baseline_learner_free(l);
	rf_baseline_free(b);
	tree_free(&t);
}

/* A small learning, the same events in either order. */
static struct rf_baseline *learn_some(bool reverse, const char *exe_extra)
{
	struct tree t = tree_new();
	struct rf_baseline *b = bl_new(NULL);
	struct rf_baseline_learner *l = learner(b);
	struct rf_proc *sh = proc_new(103, "sh", "/usr/bin/dash", "sh -c x", t.worker, false);
	struct rf_event evs[8];
	size_t n = 0;

	evs[n++] = ev_exec(t.master);
	evs[n++] = ev_exec(sh);
	evs[n++] = ev_open(t.worker, "/var/log/nginx/access.log", O_WRONLY, RF_ACC_WRITE);
	evs[n++] = ev_open(t.worker, "/usr/lib/libpcre2-8.so.0", O_RDONLY, RF_ACC_READ);
	evs[n++] = ev_connect4(t.worker, "192.0.2.1", 53);
	evs[n] = ev_base(RF_EV_NET, t.master, "bind");
	evs[n].net = (struct rf_ev_net){ .op = RF_NET_BIND,
					 .family = AF_INET,
					 .local = { .family = AF_INET, .port = 8080 } };
	n++;
	evs[n] = ev_base(RF_EV_SYSCALL, t.worker, NULL);
	evs[n].sc.id = sc_id("accept4");
	n++;
	evs[n] = ev_exec(sh);
	evs[n++].exec.path = exe_extra ?: "/usr/bin/dash";
	for (size_t i = 0; i < n; i++)
		learn(l, evs[reverse ? n - 1 - i : i]);
	proc_free(sh);
	tree_free(&t);
	rf_baseline_learner_free(l);
	return b;
}

Test(baseline, deterministic_and_round_trip)
{
	struct rf_baseline *a = learn_some(false, NULL), *b = learn_some(true, NULL), *c;
	_cleanup_str_ char *ta = to_text(a), *tb = to_text(b), *tc = NULL;

	expect_str(ta, tb);
	expect_contains(ta, "\"schema\": \"ringfence.baseline/v1\"");
	expect_contains(ta, "\"key\": \"exe:/usr/sbin/nginx\"");
	expect_contains(ta, "\"parent\": \"/usr/sbin/nginx\",\n");
	expect_contains(ta, "\"/var/log/nginx\"");
	expect_contains(ta, "\"192.0.2.1:53\"");
	expect_contains(ta, "8080");
	expect_contains(ta, "\"x86_64:accept4\"");
	c = parse(ta);
	tc = to_text(c);
	expect_str(tc, ta);
	rf_baseline_free(a);
	rf_baseline_free(b);
	rf_baseline_free(c);
}

Test(baseline, merge_is_a_union_and_saturation_propagates)
{
	struct rf_baseline *a = learn_some(false, NULL), *b = learn_some(false, "/usr/bin/id");
	struct rf_baseline *ab = learn_some(false, NULL), *ba = learn_some(false, "/usr/bin/id");
	struct rf_baseline_workload *w;
	_cleanup_str_ char *t1 = NULL, *t2 = NULL;

	cr_assert_eq(rf_baseline_merge(ab, b), 0);
	cr_assert_eq(rf_baseline_merge(ba, a), 0);
	t1 = to_text(ab);
	t2 = to_text(ba);
	expect_str(t1, t2); /* commutative within the budgets */
	expect_contains(t1, "\"/usr/bin/id\"");
	expect_contains(t1, "\"documents\": 2");
	/* One side saturated or unrecorded: the union is too. */
	w = (struct rf_baseline_workload *)rf_baseline_find(b, "exe:/usr/sbin/nginx");
	cr_assert(w);
	rf_baseline_free(b);
	b = parse("{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{\"key\": "
		  "\"exe:/usr/sbin/nginx\", \"executables\": {\"saturated\": true, \"items\": "
		  "[{\"path\": \"/x\"}]}, \"listen\": {\"items\": [9090]}}]}");
	cr_assert_eq(rf_baseline_merge(a, b), 0);
	w = (struct rf_baseline_workload *)rf_baseline_find(a, "exe:/usr/sbin/nginx");
	cr_assert(!rf_baseline_complete(w, RF_BL_EXECUTABLES));
	cr_assert(rf_baseline_complete(w, RF_BL_LISTEN));
	cr_assert(!rf_baseline_complete(w, RF_BL_EDGES)); /* b never recorded edges */
	cr_assert(!rf_baseline_complete(w, RF_BL_SYSCALLS));
	text_has(a, "9090");
	rf_baseline_free(a);
	rf_baseline_free(b);
	rf_baseline_free(ab);
	rf_baseline_free(ba);
}

Test(baseline, merge_identities)
{
	struct rf_baseline *a =
		parse("{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{"
		      "\"key\": \"exe:/a\", \"executables\": {\"items\": ["
		      "{\"path\": \"/a\", \"dev\": \"0x1\", \"ino\": \"0x2\"},"
		      "{\"path\": \"/b\", \"dev\": \"0x1\", \"ino\": \"0x3\"}]}}]}");
	struct rf_baseline *b =
		parse("{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{"
		      "\"key\": \"exe:/a\", \"executables\": {\"items\": ["
		      "{\"path\": \"/a\", \"dev\": \"0x1\", \"ino\": \"0x2\"},"
		      "{\"path\": \"/b\", \"dev\": \"0x1\", \"ino\": \"0x9\"}]}}]}");
	_cleanup_str_ char *t = NULL;

	cr_assert_eq(rf_baseline_merge(a, b), 0);
	t = to_text(a);
	expect_contains(t, "\"path\": \"/a\",\n            \"dev\": \"0x1\"");
	expect_contains(t, "\"path\": \"/b\",\n            \"id_varies\": true");
	rf_baseline_free(a);
	rf_baseline_free(b);
}

Test(baseline, read_errors_are_located)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "{\"schema\": \"ringfence.observation/v1\", \"workloads\": []}",
		  "b.json:1:13: not a ringfence.baseline/v1 document" },
		{ "{\"schema\": \"ringfence.baseline/v1\",\n \"workload\": []}",
		  "b.json:2:3: a baseline: unknown key 'workload'" },
		{ "{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [\n {\"key\": "
		  "\"nginx\"}]}",
		  "b.json:2:11: key: 'nginx' is not image:, container:" },
		{ "{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{\"key\": \"exe:/a\",\n"
		  "  \"directories\": {\"items\": [\"/ok\", \"var/log\"]}}]}",
		  "b.json:2:37: directories: 'var/log' is not an absolute path" },
		{ "{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{\"key\": \"exe:/a\",\n"
		  "  \"connect\": {\"items\": [\"10.0.0.0/16:443\"]}}]}",
		  "b.json:2:26: connect: '10.0.0.0/16': only single addresses" },
		{ "{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{\"key\": \"exe:/a\",\n"
		  "  \"listen\": {\"items\": [80, 70000]}}]}",
		  "b.json:2:28: listen: 70000 is out of range" },
		{ "{\"schema\": \"ringfence.baseline/v1\", \"budgets\": {\"listen\": 1},\n"
		  " \"workloads\": [{\"key\": \"exe:/a\", \"listen\": {\"items\": [80, 81]}}]}",
		  "b.json:2:55: listen: 2 items, more than its budget (1)" },
		{ "{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{\"key\": \"exe:/a\"},\n"
		  " {\"key\": \"exe:/a\"}]}",
		  "b.json:2:11: key: workload 'exe:/a' is listed twice" },
		{ "{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{\"key\": \"exe:/a\",\n"
		  "  \"capabilities\": {\"items\": [\"CAP_NOPE\"]}}]}",
		  "b.json:2:31: capabilities: 'CAP_NOPE' is not one capability" },
		{ "{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{\"key\": \"exe:/a\",\n"
		  "  \"syscalls\": {\"items\": [\"nosucharch:read\"]}}]}",
		  "b.json:2:27: syscalls: unknown architecture 'nosucharch'" },
		{ "{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [}",
		  "b.json:1:51: syntax error" },
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_str_ char *m = parse_err(bad[i].text);

		cr_assert(!strncmp(m, bad[i].msg, strlen(bad[i].msg)),
			  "case %zu: got \"%s\", "
			  "expected \"%s...\"",
			  i, m, bad[i].msg);
	}
}

Test(baseline, read_keeps_unknown_syscall_names)
{
	struct rf_baseline *b = parse("{\"schema\": \"ringfence.baseline/v1\", \"workloads\": [{"
				      "\"key\": \"exe:/a\", \"syscalls\": {\"items\": ["
				      "\"x86_64:read\", \"x86_64:futex_waitv2\", \"x86_64:0\"]},"
				      "\"capabilities\": {\"items\": [\"CAP_CHOWN\", 62]}}]}");
	_cleanup_str_ char *t = to_text(b), *t2 = NULL;
	struct rf_baseline *again = parse(t);

	/* A capability libcap cannot name stays a number (found by fuzz-baseline: libcap names
	 * it "62", which is no capability name to read back). */
	expect_contains(t, "\"CAP_CHOWN\",\n");
	expect_contains(t, " 62\n");
	t2 = to_text(again);
	expect_str(t2, t);
	rf_baseline_free(again);

	/* "x86_64:0" is read: the same item as "read", written by name; a name this
	 * libseccomp does not know is kept (and sorts first). */
	expect_contains(t, "\"x86_64:futex_waitv2\"");
	expect_contains(t, "\"x86_64:read\"");
	cr_assert(strstr(t, "futex_waitv2") < strstr(t, "x86_64:read"));
	expect_u(stats(b).items[RF_BL_SYSCALLS], 2);
	rf_baseline_free(b);
}

Test(baseline, to_observation)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_baseline *b = learn_some(false, NULL);
	struct rf_observation *o = NULL;
	bool has_accept = false;

	cr_assert_eq(rf_baseline_to_observation(b, NULL, &o, &err), 0);
	for (size_t i = 0; i < o->n_syscalls; i++)
		has_accept |= o->syscalls[i].name && streq(o->syscalls[i].name, "accept4");
	cr_assert(has_accept);
	cr_assert(strv_contains(o->execs, "/usr/sbin/nginx"));
	cr_assert(!o->decoded, "files read are unknown to a baseline");
	expect_u(o->n_net, 2); /* the listener in both families (the connect is inet too) */
	rf_obs_free(o);
	o = NULL;
	cr_assert_eq(rf_baseline_to_observation(b, "exe:/nope", &o, &err), -ENOENT);
	expect_str(err.message, "the baseline has no workload 'exe:/nope'");
	rf_baseline_free(b);
}

Test(baseline, durations)
{
	uint64_t s = 0;

	cr_assert_eq(rf_parse_duration_s("30s", 1000, &s), 0);
	expect_u(s, 30);
	cr_assert_eq(rf_parse_duration_s("10m", 1000, &s), 0);
	expect_u(s, 600);
	cr_assert_eq(rf_parse_duration_s("1h", 86400, &s), 0);
	expect_u(s, 3600);
	cr_assert_eq(rf_parse_duration_s("2d", 366 * 86400, &s), 0);
	expect_u(s, 172800);
	cr_assert_eq(rf_parse_duration_s("45", 1000, &s), 0);
	expect_u(s, 45);
	cr_assert_eq(rf_parse_duration_s("2h", 3600, &s), -ERANGE);
	cr_assert_eq(rf_parse_duration_s("s", 1000, &s), -EINVAL);
	cr_assert_eq(rf_parse_duration_s("1x", 1000, &s), -EINVAL);
	cr_assert_eq(rf_parse_duration_s("-1s", 1000, &s), -EINVAL);
}
