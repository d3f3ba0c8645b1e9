/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The detection engine: findings as JSON Lines (every key, in order, values from the event and
 * its ancestry) and as escaped text; the rate limit with suppressed counts and summaries; the
 * suppression file; coverage against gap events; the engine inside a sink chain, refused by a
 * source that cannot serve its rules. */
#include "rules-helpers.h"
#include "ringfence/sink.h"

static const char rules_yaml[] =
	"- rule: Shadow\n  desc: d\n  priority: critical\n  finding_type: "
	"CredentialAccess:Runtime/X\n"
	"  output: \"%proc.name read %fd.name\"\n  tags: [T1003.008, fs]\n"
	"  condition: evt.type = openat and fd.name = /etc/shadow\n"
	"- rule: Grandparent\n  desc: d\n  priority: warning\n  output: o\n"
	"  condition: evt.type = openat and fd.name = /etc/gshadow and proc.aname[2] = init\n";

struct sink_log {
	char *lines; /* JSON lines */
	size_t len;
	FILE *f;
	struct rf_finding last;
	char last_msg[512];
	unsigned n, summaries;
	uint64_t summary_count;
};

static int collect(const struct rf_finding *f, void *userdata)
{
	struct sink_log *l = userdata;

	cr_assert_eq(rf_finding_write_json(f, l->f), 0);
	if (f->record == RF_RECORD_SUMMARY) {
		l->summaries++;
		l->summary_count += f->suppressed_count;
	} else {
		l->n++;
		l->last = *f;
		(void)snprintf(l->last_msg, sizeof(l->last_msg), "%s", f->message);
	}
	return 0;
}

static struct rf_detect *engine(struct rf_ruleset *rs, const struct rf_detect_opts *o,
				struct sink_log *l, struct rf_sink *k)
{
	struct rf_detect *d = NULL;
	struct rf_detect_opts opts = o ? *o : (struct rf_detect_opts){ 0 };

	opts.instance_id = "test";
	cr_assert_eq(rf_detect_new(rs, &opts, &d), 0);
	l->f = open_memstream(&l->lines, &l->len);
	cr_assert(l->f);
	cr_assert_eq(rf_detect_sink(d, collect, l, k), 0);
	return d;
}

static struct rf_proc *chain[7];

static void make_chain(bool container)
{
	static const char *const names[] = { "init", "containerd-shim", "runc", "sh",
					     "bash", "python3",		"cat" };

	for (int i = 0; i < 7; i++) {
		char cmd[64];

		(void)snprintf(cmd, sizeof(cmd), "%s --level %d", names[i], i);
		chain[i] = proc_new(10 + i, names[i], names[i], cmd, i ? chain[i - 1] : NULL,
				    container && i >= 3);
		chain[i]->start_ns = 1000 * (uint64_t)(i + 1);
		chain[i]->uid = (uint32_t)i;
	}
}

static void free_chain(void)
{
	for (int i = 6; i >= 0; i--)
		proc_free(chain[i]);
}

Test(findings, json_document)
{
	struct rf_ruleset *rs = rules_ok(rules_yaml);
	struct sink_log l = { 0 };
	struct rf_sink k;
	struct rf_detect *d;
	struct rf_event ev;
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_doc doc = { 0 };
	struct fy_node *root, *proc, *anc;
	const char *s;
	static const char *const keys[] = {
		"schema",      "record",	"id",
		"time",	       "time_ns",	"rule",
		"priority",    "finding_type",	"mitre",
		"tags",	       "action",	"message",
		"event",       "fields",	"process",
		"container",   "kubernetes",	"coverage",
		"events_lost", "drift_evicted", "suppressed_count",
		"rate_key",
	};
	struct fy_node_pair *p;
	void *it = NULL;
	size_t i = 0;

	make_chain(true);
	d = engine(rs, NULL, &l, &k);
	ev = ev_open(chain[6], "/etc/shadow", 0, RF_ACC_READ);
	cr_assert_eq(k.on_event(&ev, k.self), 0);
	fclose(l.f);
	expect_u(l.n, 1);
	cr_assert(l.len && l.lines[l.len - 1] == '\n' && !memchr(l.lines, '\n', l.len - 1),
		  "one line: %s", l.lines);
	cr_assert_eq(rf_doc_load(l.lines, l.len, "finding", RF_DOC_JSON, 0, &doc, &err), 0, "%s",
		     err.message);
	root = rf_doc_root(&doc);
	while ((p = fy_node_mapping_iterate(root, &it))) {
		cr_assert(i < ELEMENTSOF(keys));
		expect_str(fy_node_get_scalar0(fy_node_pair_key(p)), keys[i]);
		i++;
	}
	expect_u(i, ELEMENTSOF(keys));
	cr_assert_eq(rf_doc_str(&doc, rf_doc_get(&doc, root, "schema"), "s", &s, NULL), 0);
	expect_str(s, "ringfence.finding/v1");
	cr_assert_eq(rf_doc_str(&doc, rf_doc_get(&doc, root, "id"), "s", &s, NULL), 0);
	expect_str(s, "test-1");
	cr_assert_eq(rf_doc_str(&doc, rf_doc_get(&doc, root, "message"), "s", &s, NULL), 0);
	expect_str(s, "cat read /etc/shadow");
	cr_assert_eq(rf_doc_str(&doc, rf_doc_get(&doc, root, "finding_type"), "s", &s, NULL), 0);
	expect_str(s, "CredentialAccess:Runtime/X");
	cr_assert_eq(rf_doc_str(&doc,
				fy_node_sequence_get_by_index(rf_doc_get(&doc, root, "mitre"), 0),
				"s", &s, NULL),
		     0);
	expect_str(s, "T1003.008");
	cr_assert_eq(rf_doc_str(&doc, rf_doc_get(&doc, rf_doc_get(&doc, root, "fields"), "fd.name"),
				"s", &s, NULL),
		     0);
	expect_str(s, "/etc/shadow");
	cr_assert_eq(rf_doc_str(&doc, rf_doc_get(&doc, root, "coverage"), "s", &s, NULL), 0);
	expect_str(s, "full");
	cr_assert_eq(rf_doc_str(&doc, rf_doc_get(&doc, rf_doc_get(&doc, root, "container"), "id"),
				"s", &s, NULL),
		     0);
	expect_str(s, TEST_CID);
	proc = rf_doc_get(&doc, root, "process");
	cr_assert_eq(rf_doc_str(&doc, rf_doc_get(&doc, proc, "cmdline"), "s", &s, NULL), 0);
	expect_str(s, "cat --level 6");
	anc = rf_doc_get(&doc, proc, "ancestry");
	/* The process and 6 ancestors (>= 5 levels), each with pid, exe, cmdline, uid. */
	expect_i(fy_node_sequence_item_count(anc), 6);
	{
		struct fy_node *a4 = fy_node_sequence_get_by_index(anc, 4);
		int64_t v;

		cr_assert_eq(rf_doc_str(&doc, rf_doc_get(&doc, a4, "exe"), "s", &s, NULL), 0);
		expect_str(s, "containerd-shim");
		cr_assert_eq(rf_doc_i64(&doc, rf_doc_get(&doc, a4, "uid"), "u", 0, 99, &v), 0);
		expect_i(v, 1);
		cr_assert_eq(rf_doc_i64(&doc, rf_doc_get(&doc, a4, "pid"), "p", 0, 99, &v), 0);
		expect_i(v, 11);
	}
	rf_doc_done(&doc);
	free(l.lines);
	rf_detect_free(d);
	rf_ruleset_free(rs);
	free_chain();
}

Test(findings, text_line_escapes_control_bytes)
{
	struct rf_ruleset *rs = rules_ok(rules_yaml);
	struct rf_finding f = { .rule = rf_ruleset_find(rs, "Shadow"),
				.message = "cat read /etc/shadow\x1b[2J\nfake line",
				.coverage = RF_COVERAGE_PARTIAL,
				.events_lost = 7,
				.suppressed_count = 2 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	cr_assert_eq(rf_finding_write_text(&f, out), 0);
	fclose(out);
	expect_str(buf, "- critical CredentialAccess:Runtime/X [Shadow] cat read "
			"/etc/shadow\\x1b[2J\\x0afake line (T1003.008) coverage=partial "
			"events_lost=7 suppressed=2\n");
	free(buf);
	rf_ruleset_free(rs);
}

Test(findings, rate_limit_counts_and_summarises)
{
	struct rf_ruleset *rs = rules_ok(rules_yaml);
	struct rf_detect_opts o = { .rate_burst = 2, .rate_window_ns = 1000000 };
	struct sink_log l = { 0 };
	struct rf_sink k;
	struct rf_detect *d;
	struct rf_detect_stats st;
	struct rf_event ev;

	make_chain(true);
	d = engine(rs, &o, &l, &k);
	ev = ev_open(chain[6], "/etc/shadow", 0, RF_ACC_READ);
	for (int i = 0; i < 5; i++) {
		ev.time_ns = 10 + (uint64_t)i;
		cr_assert_eq(rf_detect_event(d, &ev), 0);
	}
	expect_u(l.n, 2);
	/* A new window: the next finding carries the 3 held back. */
	ev.time_ns = 10 + 2000000;
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	expect_u(l.n, 3);
	expect_u(l.last.suppressed_count, 3);
	/* Held back again, then reported by the end of the recording as a summary. */
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	expect_u(l.n, 4);
	cr_assert_eq(k.on_end(&(struct rf_recording){ 0 }, k.self), 0);
	expect_u(l.summaries, 1);
	expect_u(l.summary_count, 1);
	rf_detect_stats(d, &st);
	expect_u(st.matches, 8);
	expect_u(st.reported, 5);
	expect_u(st.rate_limited, 4);
	fclose(l.f);
	expect_contains(l.lines, "\"record\":\"summary\"");
	expect_contains(l.lines, "1 more findings of 'Shadow' held back by the rate limit");
	free(l.lines);
	rf_detect_free(d);
	rf_ruleset_free(rs);
	free_chain();
}

Test(findings, suppression_file)
{
	struct rf_ruleset *rs = rules_ok(rules_yaml);
	struct sink_log l = { 0 };
	struct rf_sink k;
	struct rf_detect *d;
	struct rf_detect_stats st;
	struct rf_event ev;
	_cleanup_error_ struct rf_error err = { 0 };
	static const char supp[] = "suppressions:\n"
				   "  - rule: Shad*\n    proc_name: cat\n    reason: audit job\n"
				   "  - rule: Other\n    reason: x\n";

	make_chain(true);
	d = engine(rs, NULL, &l, &k);
	cr_assert_eq(rf_detect_load_suppressions_text(d, supp, strlen(supp), "s.yaml", &err), 0,
		     "%s", err.message);
	ev = ev_open(chain[6], "/etc/shadow", 0, RF_ACC_READ);
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	ev.proc = chain[5]; /* python3: not suppressed */
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	rf_detect_stats(d, &st);
	expect_u(st.suppressed, 1);
	expect_u(l.n, 1);
	fclose(l.f);
	free(l.lines);
	rf_detect_free(d);
	rf_ruleset_free(rs);
	free_chain();
}

Test(findings, suppression_file_errors)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "suppressions:\n  - rule: x\n", "s.yaml:2:5: suppression: missing 'reason'" },
		{ "suppressions:\n  - reason: x\n", "s.yaml:2:5: suppression: no selector" },
		{ "suppressions:\n  - rule: x\n    reason: y\n    pid: 3\n",
		  "s.yaml:4:5: suppression: unknown key 'pid'" },
		{ "supressions: []\n", "s.yaml:1:1: suppression file: unknown key 'supressions'" },
	};
	struct rf_ruleset *rs = rules_ok(rules_yaml);

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct rf_detect *d = NULL;
		struct rf_error err = { 0 };

		cr_assert_eq(rf_detect_new(rs, NULL, &d), 0);
		cr_assert(rf_detect_load_suppressions_text(d, cases[i].text, strlen(cases[i].text),
							   "s.yaml", &err) < 0);
		cr_assert(err.message && strstr(err.message, cases[i].want), "case %zu: %s", i,
			  err.message ?: "(none)");
		rf_error_clear(&err);
		rf_detect_free(d);
	}
	rf_ruleset_free(rs);
}

/* Coverage: partial only when a gap falls at or after the start of the oldest process the
 * rule reads (the process itself for "Shadow", its grandparent for "Grandparent"). */
Test(findings, coverage_from_gaps)
{
	struct rf_ruleset *rs = rules_ok(rules_yaml);
	struct sink_log l = { 0 };
	struct rf_sink k;
	struct rf_detect *d;
	struct rf_event ev, gap = { .kind = RF_EV_GAP, .gap = { .lost = 42, .where = "ring" } };

	make_chain(false); /* start times 1000 (init) .. 7000 (cat) */
	d = engine(rs, NULL, &l, &k);
	gap.time_ns = 5500; /* after bash (5000) started, before python3 (6000) and cat (7000) */
	cr_assert_eq(rf_detect_event(d, &gap), 0);
	ev = ev_open(chain[6], "/etc/shadow", 0, RF_ACC_READ);
	ev.time_ns = 8000;
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	expect_u(l.n, 1);
	expect_i(l.last.coverage, RF_COVERAGE_FULL);
	/* Grandparent reads proc.aname[2] (bash, started 5000 < gap): partial. */
	chain[4]->comm[0] = 'i', chain[4]->comm[1] = 'n', chain[4]->comm[2] = 'i',
	chain[4]->comm[3] = 't', chain[4]->comm[4] = '\0';
	ev = ev_open(chain[6], "/etc/gshadow", 0, RF_ACC_READ);
	ev.time_ns = 8000;
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	expect_u(l.n, 2);
	expect_i(l.last.coverage, RF_COVERAGE_PARTIAL);
	expect_u(l.last.events_lost, 42);
	/* A later gap makes the first rule partial too. */
	gap.time_ns = 9000;
	cr_assert_eq(rf_detect_event(d, &gap), 0);
	ev = ev_open(chain[6], "/etc/shadow", 0, RF_ACC_READ);
	ev.time_ns = 9500;
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	expect_i(l.last.coverage, RF_COVERAGE_PARTIAL);
	expect_u(l.last.events_lost, 42);
	fclose(l.f);
	free(l.lines);
	rf_detect_free(d);
	rf_ruleset_free(rs);
	free_chain();
}

/* In a sink chain: a source that cannot give the rules their events is refused, by name. */
Test(findings, sink_chain_needs)
{
	struct rf_ruleset *rs = rules_ok(rules_yaml);
	struct sink_log l = { 0 };
	struct rf_sink k;
	struct rf_detect *d = engine(rs, NULL, &l, &k);
	struct rf_sinks sinks = { 0 };
	static const struct rf_source_info counting = { .name = "counting",
							.kinds = RF_EV_BIT(RF_EV_SYSCALL),
							.fields = RF_FIELD_PER_CALL };
	_cleanup_error_ struct rf_error err = { 0 };

	cr_assert(k.need_kinds & RF_EV_BIT(RF_EV_FILE));
	cr_assert(k.want_kinds & RF_EV_BIT(RF_EV_GAP));
	cr_assert_eq(rf_sinks_add(&sinks, &k), 0);
	cr_assert(rf_sinks_begin(&sinks, &counting, &err) < 0);
	expect_contains(err.message, "rule engine");
	fclose(l.f);
	free(l.lines);
	rf_detect_free(d);
	rf_ruleset_free(rs);
}

/* Gates: with opts.deny, a deny rule's match on a call about to run refuses it (EPERM) and
 * reports nothing yet (the finding comes with the call's denied report); a near miss, an alert
 * rule, a suppressed match and an engine without opts.deny refuse nothing; the sink chain asks
 * the engine, and only when some consumer answers gates. */
Test(findings, deny_gate)
{
	static const char deny_yaml[] =
		"- rule: Deny shadow\n  desc: d\n  priority: critical\n  output: o\n  action: "
		"deny\n"
		"  condition: evt.type = openat and fd.name = /etc/shadow\n"
		"- rule: Alert gshadow\n  desc: d\n  priority: warning\n  output: o\n"
		"  condition: evt.type = openat and fd.name = /etc/gshadow\n";
	struct rf_ruleset *rs = rules_ok(deny_yaml);
	struct sink_log l = { 0 }, l2 = { 0 };
	struct rf_sink k, k2;
	struct rf_detect *d, *d2;
	struct rf_detect_stats st;
	struct rf_sinks sinks = { 0 };
	struct rf_event ev;
	_cleanup_error_ struct rf_error err = { 0 };
	static const char supp[] = "suppressions:\n"
				   "  - rule: Deny shadow\n    proc_name: python3\n    reason: r\n";

	make_chain(false);
	d = engine(rs, &(struct rf_detect_opts){ .deny = true }, &l, &k);
	cr_assert(k.on_gate, "an engine with deny rules and opts.deny answers gates");
	ev = ev_open(chain[6], "/etc/shadow", 0, RF_ACC_READ);
	ev.gate = true;
	expect_i(k.on_gate(&ev, k.self), EPERM);
	expect_u(l.n, 0); /* no finding from the question itself */
	ev.file.path = "/etc/shadow-";
	expect_i(k.on_gate(&ev, k.self), 0); /* near miss */
	ev.file.path = "/etc/gshadow";
	expect_i(k.on_gate(&ev, k.self), 0); /* an alert rule refuses nothing */
	cr_assert_eq(rf_detect_load_suppressions_text(d, supp, strlen(supp), "s.yaml", &err), 0,
		     "%s", err.message);
	ev = ev_open(chain[5], "/etc/shadow", 0, RF_ACC_READ);
	ev.gate = true;
	expect_i(k.on_gate(&ev, k.self), 0); /* suppressed for python3 */
	/* Through the chain: a consumer without a gate is skipped. */
	d2 = engine(rs, NULL, &l2, &k2);
	cr_assert(!k2.on_gate, "without opts.deny the engine answers no gate");
	cr_assert_eq(rf_sinks_add(&sinks, &k2), 0);
	cr_assert(!rf_sinks_has_gate(&sinks));
	cr_assert_eq(rf_sinks_add(&sinks, &k), 0);
	cr_assert(rf_sinks_has_gate(&sinks));
	ev = ev_open(chain[6], "/etc/shadow", 0, RF_ACC_READ);
	ev.gate = true;
	expect_i(rf_sinks_gate(&ev, &sinks), EPERM);
	/* The denied report is the finding. */
	ev.gate = false;
	ev.denied = true;
	ev.file.has_ret = true;
	ev.file.ret = -EPERM;
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	expect_u(l.n, 1);
	expect_str(rf_rule_name(l.last.rule), "Deny shadow");
	rf_detect_stats(d, &st);
	expect_u(st.gates, 5);
	expect_u(st.denied, 2);
	fclose(l.f);
	fclose(l2.f);
	free(l.lines);
	free(l2.lines);
	rf_detect_free(d);
	rf_detect_free(d2);
	rf_ruleset_free(rs);
	free_chain();
}
