/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rule language: operators and field types, macros and lists, exceptions, append and
 * override across files, located errors (file:line:column of the offending token), the index
 * by event type, what a ruleset needs from a source, output templates, path normalisation,
 * allocation-free evaluation, and the Falco-format file of tests/data/rules. */
#include <malloc.h>

#include "rules-helpers.h"

#define HEAD "- rule: R\n  desc: d\n  priority: warning\n  output: out %%proc.name\n  condition: "

static bool cond_matches(const char *cond, const struct rf_event *ev)
{
	_cleanup_free_ char *yaml = NULL;
	struct rf_ruleset *rs;
	int n;

	cr_assert(asprintf(&yaml, HEAD "%s\n", cond) > 0);
	rs = rules_ok(yaml);
	n = eval1(rs, ev, NULL);
	rf_ruleset_free(rs);
	return n > 0;
}

#define expect_match(cond, ev)	  cr_assert(cond_matches(cond, ev), "expected a match: %s", cond)
#define expect_no_match(cond, ev) cr_assert(!cond_matches(cond, ev), "expected no match: %s", cond)

Test(rules, string_operators)
{
	struct rf_proc *sh = proc_new(20, "bash", "/usr/bin/bash", "bash -c id", NULL, false);
	struct rf_proc *p = proc_new(21, "cat", "/usr/bin/cat", "cat /etc/Shadow.bak", sh, false);
	struct rf_event ev = ev_open(p, "/etc/Shadow.bak", 0, RF_ACC_READ);

	expect_match("fd.name = /etc/Shadow.bak", &ev);
	expect_match("fd.name == \"/etc/Shadow.bak\"", &ev);
	expect_no_match("fd.name = /etc/shadow.bak", &ev);
	expect_match("fd.name != /etc/shadow", &ev);
	expect_match("fd.name contains Shadow", &ev);
	expect_no_match("fd.name contains shadow", &ev);
	expect_match("fd.name icontains SHADOW", &ev);
	expect_match("fd.name startswith /etc/", &ev);
	expect_match("fd.name endswith .bak", &ev);
	expect_match("fd.name glob '/etc/*.bak'", &ev);
	expect_match("fd.name glob '/e?c/[A-Z]hadow*'", &ev);
	expect_no_match("fd.name glob '/etc/*.bck'", &ev);
	expect_match("fd.name iglob '/ETC/SHADOW*'", &ev);
	expect_match("fd.name pmatch (/usr, /etc)", &ev);
	expect_match("fd.name pmatch (/etc/Shadow.bak)", &ev);
	expect_no_match("fd.name pmatch (/et, /etc/Shad)", &ev);
	expect_match("fd.name in (/a, /etc/Shadow.bak, /b)", &ev);
	expect_no_match("fd.name in (/a, /b)", &ev);
	expect_match("fd.directory = /etc and fd.filename = Shadow.bak", &ev);
	expect_match("fd.name exists and not fd.sip exists", &ev);
	expect_match(
		"proc.name = cat and proc.pname = bash and proc.cmdline = 'cat /etc/Shadow.bak'",
		&ev);
	expect_match("proc.args = /etc/Shadow.bak and proc.exepath = /usr/bin/cat", &ev);
	expect_match("proc.aname[1] = bash and proc.aname = bash and proc.aname[0] = cat", &ev);
	expect_no_match("proc.aname = cat", &ev); /* no index: the ancestors, not itself */
	expect_match("proc.apid[1] = 20 and proc.pid = 21", &ev);
	expect_match("(proc.name = nope or fd.name startswith /etc) and not proc.name = nope", &ev);
	proc_free(p);
	proc_free(sh);
}

Test(rules, numbers_ips_flags)
{
	struct rf_proc *p = proc_new(30, "curl", "/usr/bin/curl", "curl http://x", NULL, true);
	struct rf_event c = ev_connect4(p, "169.254.169.254", 80);
	struct rf_event o =
		ev_open(p, "/tmp/x", O_WRONLY | O_CREAT | O_TRUNC, RF_ACC_WRITE | RF_ACC_CREATE);

	expect_match("fd.sip = 169.254.169.254 and fd.sport = 80", &c);
	expect_match("fd.sip in (10.0.0.0/8, 169.254.0.0/16)", &c);
	expect_match("fd.snet = 169.254.0.0/16", &c);
	expect_no_match("fd.sip in (10.0.0.0/8, ::1)", &c);
	expect_match("fd.sip != 10.0.0.1", &c);
	expect_match("fd.sport in (80, 443) and fd.sport < 81 and fd.sport >= 80", &c);
	expect_no_match("fd.sport > 80", &c);
	expect_match("fd.l4proto = tcp and fd.typechar = 4 and fd.type = ipv4", &c);
	expect_match("net.family = inet and net.op = connect", &c);
	expect_match("container.id != host and user.uid = 0", &c);
	expect_match("evt.arg.flags contains O_TRUNC and evt.arg.flags contains O_WRONLY", &o);
	expect_match("evt.arg.flags contains O_WRONLY|O_CREAT", &o);
	expect_no_match("evt.arg.flags contains O_RDONLY", &o);
	expect_match("file.access contains write and evt.is_open_write = true", &o);
	expect_no_match("evt.is_open_read = true", &o);
	expect_match("evt.type = openat and evt.dir = '<' and evt.res = SUCCESS", &o);
	expect_match("evt.type in (open, openat) and evt.rawres = 3 and evt.failed = false", &o);
	proc_free(p);
}

Test(rules, macros_lists_and_nesting)
{
	static const char yaml[] = "- list: inner\n  items: [/etc/shadow]\n"
				   "- list: outer\n  items: [inner, /etc/gshadow, 443]\n"
				   "- macro: m2\n  condition: fd.name in (outer)\n"
				   "- macro: m1\n  condition: (evt.type = openat and m2)\n"
				   "- rule: R\n  desc: d\n  priority: info\n  output: o\n  "
				   "condition: m1 and not proc.name in (ok)\n";
	struct rf_ruleset *rs = rules_ok(yaml);
	struct rf_proc *p = proc_new(5, "cat", "/bin/cat", "cat", NULL, false);
	struct rf_event a = ev_open(p, "/etc/shadow", 0, RF_ACC_READ);
	struct rf_event b = ev_open(p, "/etc/passwd", 0, RF_ACC_READ);

	expect_i(eval1(rs, &a, NULL), 1);
	expect_i(eval1(rs, &b, NULL), 0);
	expect_i(rf_rule_priority(rf_ruleset_find(rs, "R")), RF_PRIO_INFORMATIONAL);
	rf_ruleset_free(rs);
	proc_free(p);
}

/* Every error names file:line:column of the token at fault. */
Test(rules, errors_are_located)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ HEAD "proc.name = a and fd.nmae = b\n",
		  "test.yaml:5:32: unknown field 'fd.nmae'" },
		{ HEAD "proc.name = a and\n    nosuchmacro\n",
		  "test.yaml:6:5: unknown macro 'nosuchmacro'" },
		{ HEAD ">\n    proc.name = a\n    and fd.name likes b\n",
		  "test.yaml:7:17: expected an operator, found 'likes'" },
		{ HEAD "proc.name regex 'x'\n",
		  "test.yaml:5:24: operator 'regex' is not supported" },
		{ HEAD "proc.pid = abc\n", "test.yaml:5:25: proc.pid needs an integer, not 'abc'" },
		{ HEAD "fd.sip = 10.0.0.1/8\n",
		  "test.yaml:5:23: '10.0.0.1/8' is not an IP address" },
		{ HEAD "proc.name = 'unterminated\n",
		  "test.yaml:5:26: unterminated quoted string" },
		{ HEAD "(proc.name = a\n", "expected ')'" },
		{ HEAD "proc.name in a\n",
		  "test.yaml:5:27: expected '(' and a list of values, found 'a'" },
		{ HEAD "evt.type = opne\n", "test.yaml:5:25: unknown event type 'opne'" },
		{ HEAD "proc.aname[99] = a\n",
		  "test.yaml:5:14: proc.aname needs an [index] from 0 to 31" },
		{ HEAD "evt.arg.flags contains O_BOGUS\n",
		  "'O_BOGUS' is not a flag of evt.arg.flags" },
		{ HEAD "fd.sip startswith 10\n", "operator 'startswith' does not apply to fd.sip" },
		{ HEAD "evt.type = personality and fd.name = /x\n",
		  "test.yaml:1:9: rule 'R' can never match" },
		{ "- rule: R\n  desc: d\n  priority: loud\n  output: o\n  condition: proc.name = "
		  "a\n",
		  "test.yaml:3:13: priority: 'loud' is none of" },
		{ "- rule: R\n  desc: d\n  priority: info\n  output: o\n  condition: proc.name = "
		  "a\n  colour: red\n",
		  "test.yaml:6:3: rule: unknown key 'colour'" },
		{ "- rule: R\n  desc: d\n  priority: info\n  output: o %fd.nmae x\n  condition: "
		  "proc.name = a\n",
		  "test.yaml:4:13: output: unknown field 'fd.nmae'" },
		{ "- rule: R\n  desc: d\n  priority: info\n  output: o\n",
		  "rule 'R': missing 'condition'" },
		{ "- macro: a\n  condition: b\n- macro: b\n  condition: a\n" HEAD "a\n",
		  "macro 'a' refers to itself" },
		{ "- rule: R\n  desc: d\n  priority: info\n  output: o\n  condition: proc.name = "
		  "a\n  source: aws_cloudtrail\n",
		  "test.yaml:6:11: source 'aws_cloudtrail' is not supported" },
		{ "- required_plugin_versions: []\n", "Falco plugins are not supported" },
		{ "- rule: R\n  desc: d\n  priority: info\n  output: o\n  condition: proc.name = "
		  "a\n  finding_type: Bad\n",
		  "finding_type 'Bad' is not of the form" },
		{ "- rule: R\n  desc: d\n  priority: info\n  output: o\n  condition: proc.name = "
		  "a\n  action: explode\n",
		  "action 'explode' is none of alert, kill, deny" },
		{ "- list: l\n  items: [a\n", "test.yaml:" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *msg = rules_err(cases[i].yaml);

		cr_assert(strstr(msg, cases[i].want), "case %zu: \"%s\" does not contain \"%s\"", i,
			  msg, cases[i].want);
	}
}

Test(rules, exceptions_and_append_across_files)
{
	static const char base[] =
		"- list: bins\n  items: [nc]\n"
		"- rule: R\n  desc: d\n  priority: warning\n  output: o\n"
		"  condition: evt.type = execve and proc.name in (bins)\n"
		"  exceptions:\n"
		"    - name: by_parent\n      fields: [proc.pname, proc.args]\n      comps: [=, "
		"startswith]\n"
		"      values:\n        - [cron, -z]\n"
		"    - name: by_exe\n      fields: proc.exepath\n      values: [/opt/ok/nc]\n";
	static const char local[] =
		"- list: bins\n  items: [socat]\n  override:\n    items: append\n"
		"- rule: R\n  exceptions:\n    - name: by_parent\n      values:\n        - [sshd, "
		"-l]\n"
		"  append: true\n";
	struct rf_ruleset *rs = rules_ok2(base, local);
	struct rf_proc *cron = proc_new(2, "cron", "/usr/sbin/cron", "cron", NULL, false);
	struct rf_proc *sshd = proc_new(3, "sshd", "/usr/sbin/sshd", "sshd", NULL, false);
	struct rf_proc *a = proc_new(10, "nc", "/usr/bin/nc", "nc -z host 80", cron, false);
	struct rf_proc *b = proc_new(11, "nc", "/usr/bin/nc", "nc -e /bin/sh host", cron, false);
	struct rf_proc *c = proc_new(12, "nc", "/opt/ok/nc", "nc x", cron, false);
	struct rf_proc *d = proc_new(13, "socat", "/usr/bin/socat", "socat -", sshd, false);
	struct rf_proc *e = proc_new(14, "nc", "/usr/bin/nc", "nc -l 80", sshd, false);
	struct rf_event ea = ev_exec(a), eb = ev_exec(b), ec = ev_exec(c), ed = ev_exec(d),
			ee = ev_exec(e);

	expect_i(eval1(rs, &ea, NULL), 0); /* excepted: cron, -z */
	expect_i(eval1(rs, &eb, NULL), 1);
	expect_i(eval1(rs, &ec, NULL), 0); /* excepted by exe */
	expect_i(eval1(rs, &ed, NULL), 1); /* socat appended to the list */
	expect_i(eval1(rs, &ee, NULL), 0); /* row appended by local.yaml */
	rf_ruleset_free(rs);
	proc_free(a), proc_free(b), proc_free(c), proc_free(d), proc_free(e);
	proc_free(cron), proc_free(sshd);
}

Test(rules, override_replace_and_disable)
{
	static const char base[] = "- macro: m\n  condition: proc.name = a\n"
				   "- rule: R1\n  desc: d\n  priority: warning\n  output: o\n  "
				   "condition: evt.type = execve and m\n"
				   "- rule: R2\n  desc: d\n  priority: warning\n  output: o\n  "
				   "condition: evt.type = execve and m\n"
				   "- rule: R3\n  desc: d\n  priority: warning\n  output: o\n  "
				   "condition: evt.type = execve and m\n";
	static const char local[] =
		"- macro: m\n  condition: or proc.name = b\n  override:\n    condition: append\n"
		"- rule: R1\n  priority: critical\n  condition: and proc.exepath = /bin/b\n"
		"  override:\n    priority: replace\n    condition: append\n"
		"- rule: R2\n  enabled: false\n"
		"- rule: R3\n  enabled: false\n  override:\n    enabled: replace\n";
	struct rf_ruleset *rs = rules_ok2(base, local);
	struct rf_proc *b = proc_new(9, "b", "/bin/b", "b", NULL, false);
	struct rf_event ev = ev_exec(b);
	struct match_log m = { 0 };

	expect_i(eval1(rs, &ev, &m), 1);
	cr_assert(matched(&m, "R1"));
	expect_i(rf_rule_priority(rf_ruleset_find(rs, "R1")), RF_PRIO_CRITICAL);
	cr_assert(!rf_rule_enabled(rf_ruleset_find(rs, "R2")));
	cr_assert(!rf_rule_enabled(rf_ruleset_find(rs, "R3")));
	expect_u(rf_ruleset_enabled_count(rs), 1);
	rf_ruleset_free(rs);
	proc_free(b);
}

Test(rules, override_refusals)
{
	_cleanup_free_ char *a =
		rules_err2(HEAD "proc.name = a\n",
			   "- rule: R\n  priority: info\n  override:\n    priority: append\n");
	_cleanup_free_ char *b = rules_err2(HEAD "proc.name = a\n",
					    "- rule: Nope\n  condition: and x\n  append: true\n");
	_cleanup_free_ char *c = rules_err2(HEAD "proc.name = a\n",
					    "- rule: R\n  desc: x\n  condition: and proc.pid = 1\n"
					    "  override:\n    condition: append\n");

	expect_contains(a, "local.yaml:4:15: override: 'priority: append' is not possible");
	expect_contains(b, "rule 'Nope' does not exist");
	expect_contains(c, "local.yaml:2:3: rule 'R': 'desc' needs an entry in 'override'");
}

/* An appended condition's error points into the file that appended it. */
Test(rules, appended_condition_error_points_at_its_file)
{
	_cleanup_free_ char *msg =
		rules_err2(HEAD "proc.name = a\n",
			   "- rule: R\n  condition: and fd.bogus = 1\n  append: true\n");

	expect_contains(msg, "local.yaml:2:18: unknown field 'fd.bogus'");
}

Test(rules, index_by_event_type)
{
	struct rf_ruleset *rs = rules_ok("- rule: Exec\n  desc: d\n  priority: info\n  output: o\n "
					 " condition: evt.type = execve and proc.name = x\n"
					 "- rule: Raw\n  desc: d\n  priority: info\n  output: o\n  "
					 "condition: evt.type = personality\n"
					 "- rule: Any\n  desc: d\n  priority: info\n  output: o\n  "
					 "condition: proc.name = x\n");
	struct rf_proc *p = proc_new(4, "x", "/bin/x", "x", NULL, false);
	struct rf_event ex = ev_exec(p), raw = ev_base(RF_EV_SYSCALL, p, NULL),
			raw_open = ev_base(RF_EV_SYSCALL, p, NULL);
	struct match_log m1 = { 0 }, m2 = { 0 }, m3 = { 0 };

	raw.sc.id = sc_id("personality");
	raw_open.sc.id = sc_id("openat");
	eval1(rs, &ex, &m1);
	expect_u(m1.n, 2);
	cr_assert(matched(&m1, "Exec") && matched(&m1, "Any"));
	/* A raw call matches only rules that name it; never rules with no event type. */
	eval1(rs, &raw, &m2);
	expect_u(m2.n, 1);
	cr_assert(matched(&m2, "Raw"));
	expect_i(eval1(rs, &raw_open, &m3), 0);
	rf_ruleset_free(rs);
	proc_free(p);
}

Test(rules, needs)
{
	struct rf_ruleset *rs = rules_ok("- rule: A\n  desc: d\n  priority: info\n  output: o\n"
					 "  condition: evt.type in (open, openat) and (fd.name "
					 "startswith /etc/ or fd.name pmatch (/root, /etc/ssh))\n"
					 "- rule: B\n  desc: d\n  priority: info\n  output: o\n  "
					 "condition: evt.type = connect and fd.sport = 443\n"
					 "- rule: C\n  desc: d\n  priority: info\n  output: o\n  "
					 "condition: evt.type = personality\n");
	struct rf_ruleset_needs n;

	cr_assert_eq(rf_ruleset_needs(rs, &n), 0);
	cr_assert(n.kinds & RF_EV_BIT(RF_EV_FILE) && n.kinds & RF_EV_BIT(RF_EV_NET) &&
		  n.kinds & RF_EV_BIT(RF_EV_SYSCALL));
	cr_assert(!(n.kinds & RF_EV_BIT(RF_EV_EXEC)));
	cr_assert(n.fields & RF_FIELD_PER_CALL && n.fields & RF_FIELD_PATHS);
	cr_assert(strv_contains(n.syscalls, "openat") && strv_contains(n.syscalls, "open") &&
		  strv_contains(n.syscalls, "connect") && strv_contains(n.syscalls, "personality"));
	cr_assert(!strv_contains(n.syscalls, "execve"));
	cr_assert(!n.all_paths);
	expect_u(strv_length(n.path_prefixes), 2);
	expect_str(n.path_prefixes[0], "/etc/");
	expect_str(n.path_prefixes[1], "/root");
	cr_assert(!n.proc_table);
	rf_ruleset_needs_done(&n);
	rf_ruleset_free(rs);
}

/* What the kill rules alone can match (what the eBPF source holds at until the verdict): their
 * syscalls and kinds, not the alert rules'; none without a kill rule. */
Test(rules, needs_of_kill_rules)
{
	struct rf_ruleset *rs =
		rules_ok("- rule: A\n  desc: d\n  priority: info\n  output: o\n"
			 "  action: kill\n"
			 "  condition: evt.type = openat and fd.name = /etc/shadow\n"
			 "- rule: B\n  desc: d\n  priority: info\n  output: o\n  "
			 "condition: evt.type = connect and fd.sport = 443\n"
			 "- rule: C\n  desc: d\n  priority: info\n  output: o\n"
			 "  action: kill\n  condition: evt.type = execve and proc.name = nc\n"
			 "- rule: D\n  desc: d\n  priority: info\n  output: o\n"
			 "  action: deny\n  condition: evt.type = unlink\n");
	struct rf_ruleset *quiet = rules_ok("- rule: B\n  desc: d\n  priority: info\n  output: o\n"
					    "  condition: evt.type = connect\n");
	struct rf_ruleset_needs n, q;

	cr_assert_eq(rf_ruleset_needs(rs, &n), 0);
	cr_assert(strv_contains(n.kill_syscalls, "openat"));
	cr_assert(!strv_contains(n.kill_syscalls, "connect"), "an alert rule's call is not held");
	cr_assert(!strv_contains(n.kill_syscalls, "unlink"), "a deny rule's call is not held");
	cr_assert(n.kill_kinds & RF_EV_BIT(RF_EV_FILE) && n.kill_kinds & RF_EV_BIT(RF_EV_EXEC));
	cr_assert(!(n.kill_kinds & RF_EV_BIT(RF_EV_NET)));
	cr_assert_eq(rf_ruleset_needs(quiet, &q), 0);
	cr_assert(q.kill_syscalls && !q.kill_syscalls[0] && !q.kill_kinds);
	rf_ruleset_needs_done(&n);
	rf_ruleset_needs_done(&q);
	rf_ruleset_free(rs);
	rf_ruleset_free(quiet);
}

/* Rules that read any path, but only of writes, unlinks and the like: read-only opens stay
 * filtered by the prefixes (issue 12's nginx overhead: a server's page opens); a rule that may
 * match a read-only open at any path widens everything. */
Test(rules, needs_write_paths)
{
	static const char head[] = "- rule: R\n  desc: d\n  priority: info\n  output: o\n";
	static const struct {
		const char *cond;
		bool all, write_all;
	} rows[] = {
		{ "evt.type in (open, openat) and fd.name startswith /etc/", false, false },
		{ "evt.type in (open, openat) and evt.is_open_write = true", false, true },
		{ "(evt.type in (open, openat) and evt.is_open_write = true) or evt.type = unlink",
		  false, true },
		{ "evt.type = unlink and fd.name endswith .bash_history", false, true },
		{ "evt.type = creat", false, true },
		{ "evt.type in (open, openat) and fd.name glob \"*/.ssh/id_*\"", false, false },
		{ "evt.type in (open, openat) and fd.name glob \"*/ssh/id_*\"", true, true },
		{ "evt.type in (open, openat) and fd.name endswith .log", true, true },
		{ "evt.type in (open, openat) and evt.is_open_write = false", true, true },
		{ "evt.type in (open, openat) and not evt.is_open_write = true", true, true },
		{ "(evt.type = openat and evt.is_open_write = true) or (evt.type = open and "
		  "proc.name = x)",
		  true, true },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[512];
		struct rf_ruleset_needs n;
		struct rf_ruleset *rs;

		snprintf(text, sizeof(text), "%s  condition: %s\n", head, rows[i].cond);
		rs = rules_ok(text);
		cr_assert_eq(rf_ruleset_needs(rs, &n), 0);
		cr_assert_eq(n.all_paths, rows[i].all, "%s: all_paths %d", rows[i].cond,
			     n.all_paths);
		cr_assert_eq(n.all_write_paths, rows[i].write_all, "%s: all_write_paths %d",
			     rows[i].cond, n.all_write_paths);
		rf_ruleset_needs_done(&n);
		rf_ruleset_free(rs);
	}
}

Test(rules, paths_are_normalised)
{
	struct rf_proc *p = proc_new(6, "cat", "/bin/cat", "cat", NULL, false);
	struct rf_event trav = ev_open(p, "/tmp/../etc/./shadow", 0, RF_ACC_READ);
	struct rf_event dbl = ev_open(p, "//etc//shadow", 0, RF_ACC_READ);
	struct rf_event sym =
		ev_file2(p, RF_FILE_SYMLINK, "symlinkat", "../../etc/shadow", "/tmp/x/link");
	struct rf_event hard = ev_file2(p, RF_FILE_LINK, "linkat", "/etc/shadow", "/tmp/h");

	expect_match("fd.name = /etc/shadow", &trav);
	expect_match("fd.name = /etc/shadow", &dbl);
	expect_match("fs.path.source = /etc/shadow and fs.path.target = /tmp/x/link", &sym);
	expect_match("evt.arg.target = ../../etc/shadow and fd.name = /tmp/x/link", &sym);
	expect_match("fs.path.source = /etc/shadow and evt.arg.newpath = /tmp/h", &hard);
	proc_free(p);
}

Test(rules, output_templates)
{
	struct rf_ruleset *rs = rules_ok("- rule: R\n  desc: d\n  priority: info\n"
					 "  output: \"%proc.name read %fd.name (sip=%fd.sip "
					 "%container.info) at %proc.aname[1].\"\n"
					 "  condition: fd.name = /etc/shadow\n");
	struct rf_proc *p = proc_new(6, "cat", "/bin/cat", "cat", NULL, true);
	struct rf_event ev = ev_open(p, "/etc/shadow", 0, RF_ACC_READ);
	struct match_log m = { 0 };

	expect_i(eval1(rs, &ev, &m), 1);
	expect_str(m.output, "cat read /etc/shadow (sip=<NA> " TEST_CID ") at <NA>.");
	rf_ruleset_free(rs);
	proc_free(p);
}

/* The evaluation of an event allocates nothing (counted by wrapping malloc; not under ASan,
 * which owns malloc). */
#if !defined(__SANITIZE_ADDRESS__)
#include "alloc-count.h"

Test(rules, evaluation_does_not_allocate)
{
	struct rf_ruleset *rs = NULL;
	struct rf_rules_eval *e = NULL;
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_proc *sh = proc_new(40, "bash", "/bin/bash", "bash -i", NULL, true);
	struct rf_proc *p = proc_new(41, "python3", "/usr/bin/python3", "python3 app.py", sh, true);
	struct rf_event evs[] = {
		ev_exec(p),
		ev_open(p, "/tmp/../etc/shadow", 0, RF_ACC_READ),
		ev_open(p, "/usr/lib/x.so", 0, RF_ACC_READ),
		ev_open(p, "/tmp/out", O_WRONLY | O_CREAT | O_TRUNC, RF_ACC_WRITE | RF_ACC_CREATE),
		ev_connect4(p, "169.254.169.254", 80),
		ev_file2(p, RF_FILE_SYMLINK, "symlinkat", "../etc/shadow", "/tmp/l"),
	};
	unsigned long total = 0;

	cr_assert_eq(rf_ruleset_new(&rs), 0);
	cr_assert_eq(rf_ruleset_load_default(rs, &err), 0);
	cr_assert_eq(rf_ruleset_compile(rs, &err), 0);
	cr_assert_eq(
		rf_rules_eval_new(rs, &(struct rf_rules_eval_opts){ .drift_max_paths = 8 }, &e), 0);
	/* Warm-up: the drift set grows to its bound once. */
	for (int round = 0; round < 20; round++)
		for (size_t i = 0; i < ELEMENTSOF(evs); i++)
			(void)rf_rules_eval(e, &evs[i], NULL, NULL);
	counting = true;
	for (int round = 0; round < 1000; round++)
		for (size_t i = 0; i < ELEMENTSOF(evs); i++)
			total += (unsigned long)rf_rules_eval(e, &evs[i], NULL, NULL);
	counting = false;
	cr_assert(total > 0, "the events should match some default rules");
	expect_u(allocations, 0);
	rf_rules_eval_free(e);
	rf_ruleset_free(rs);
	proc_free(p);
	proc_free(sh);
}
#endif

/* tests/data/rules/falco-style.yaml: a file in Falco's syntax, loaded unchanged. */
Test(rules, falco_format_file)
{
	_cleanup_str_ char *path = fixture_path("rules/falco-style.yaml");
	_cleanup_str_ char *local = fixture_path("rules/falco-style-local.yaml");
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_ruleset *rs = NULL;
	struct rf_proc *httpd = proc_new(50, "nginx", "/usr/sbin/nginx", "nginx", NULL, true);
	struct rf_proc *sh = proc_new(51, "sh", "/bin/sh", "sh -c id", httpd, true);
	struct rf_proc *cat = proc_new(52, "cat", "/bin/cat", "cat /etc/shadow", sh, true);
	struct rf_proc *sshd = proc_new(53, "sshd", "/usr/sbin/sshd", "sshd", NULL, false);
	struct rf_event e_sh = ev_exec(sh), e_shadow = ev_open(cat, "/etc/shadow", 0, RF_ACC_READ),
			e_sshd = ev_open(sshd, "/etc/shadow", 0, RF_ACC_READ),
			e_meta = ev_connect4(cat, "169.254.169.254", 80);
	struct match_log m = { 0 };

	cr_assert_eq(rf_ruleset_new(&rs), 0);
	cr_assert_eq(rf_ruleset_load_file(rs, path, &err), 0, "%s", err.message);
	cr_assert_eq(rf_ruleset_load_file(rs, local, &err), 0, "%s", err.message);
	cr_assert_eq(rf_ruleset_compile(rs, &err), 0, "%s", err.message);
	eval1(rs, &e_sh, &m);
	cr_assert(matched(&m, "Run shell untrusted"), "got %zu matches", m.n);
	expect_contains(m.output, "Shell spawned by untrusted binary (parent_exe=nginx");
	m.n = 0;
	eval1(rs, &e_shadow, &m);
	cr_assert(matched(&m, "Read sensitive file untrusted"));
	m.n = 0;
	expect_i(eval1(rs, &e_sshd, &m), 0);
	/* Disabled by the local file. */
	expect_i(eval1(rs, &e_meta, NULL), 0);
	cr_assert(!rf_rule_enabled(rf_ruleset_find(rs, "Contact cloud metadata")));
	expect_str(rf_rule_mitre(rf_ruleset_find(rs, "Run shell untrusted"))[0], "T1059.004");
	rf_ruleset_free(rs);
	proc_free(cat), proc_free(sh), proc_free(httpd), proc_free(sshd);
}

/* Falco features ringfence refuses, each with a located error (never ignored). */
Test(rules, falco_refusals)
{
	static const struct {
		const char *cond, *want;
	} cases[] = {
		{ "user.name = root", "unknown field 'user.name'" },
		{ "k8s.deployment.name = x", "unknown field 'k8s.deployment.name'" },
		{ "proc.name bcontains 414243", "operator 'bcontains' is not supported" },
		{ "tolower(proc.name) = x", "unknown macro 'tolower'" },
		{ "fd.name = val(proc.name)", "expected 'and', 'or' or the end of the condition" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *yaml = NULL, *msg = NULL;

		cr_assert(asprintf(&yaml, HEAD "%s\n", cases[i].cond) > 0);
		msg = rules_err(yaml);
		cr_assert(strstr(msg, cases[i].want) && strstr(msg, "test.yaml:5:"),
			  "case %zu: \"%s\" does not contain \"%s\"", i, msg, cases[i].want);
	}
}

Test(rules, skip_if_unknown_filter_is_a_warning)
{
	struct rf_ruleset *rs =
		rules_ok("- rule: R\n  desc: d\n  priority: info\n  output: o\n"
			 "  condition: user.name = root\n  skip-if-unknown-filter: true\n");

	cr_assert(!rf_rule_enabled(rf_ruleset_find(rs, "R")));
	cr_assert(rf_ruleset_warnings(rs) && strstr(rf_ruleset_warnings(rs)[0], "skipped"));
	rf_ruleset_free(rs);
}

/* The remote addresses outbound IP events matter at (the eBPF source's in-kernel filter):
 * address comparisons, threat-list fields, event types the filter never sees and fields an IP
 * event has no value for all narrow it; a rule that matches any outbound connection makes it
 * every address. */
static void addr_needs(const char *cond, struct rf_ruleset_needs *n)
{
	_cleanup_free_ char *text = NULL;
	struct rf_ruleset *rs;

	cr_assert(asprintf(&text,
			   "- rule: A\n  desc: d\n  priority: info\n  output: o\n"
			   "  condition: %s\n",
			   cond) > 0);
	rs = rules_ok(text);
	cr_assert_eq(rf_ruleset_needs(rs, n), 0);
	rf_ruleset_free(rs);
}

static char *joined(char **v)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	STRV_FOREACH(s, v)
		fprintf(f, "%s%s", s == v ? "" : " ", *s);
	fclose(f);
	return out;
}

Test(rules, needs_of_outbound_addresses)
{
	static const struct {
		const char *cond;
		bool any, ioc, dns;
		const char *prefixes;
	} cases[] = {
		{ "evt.type = connect and fd.sip in (169.254.169.254, 10.96.0.0/12)", false, false,
		  false, "10.96.0.0/12 169.254.169.254/32" },
		{ "evt.type = connect and (fd.rip = 2001:db8::1 or fd.snet = 192.0.2.0/24)", false,
		  false, false, "2001:db8::1/128 192.0.2.0/24" },
		{ "evt.type = connect and not fd.sip = 192.0.2.1", true, false, false, "" },
		{ "evt.type = connect and fd.sip != 192.0.2.1", true, false, false, "" },
		{ "evt.type = connect", true, false, false, "" },
		{ "evt.type in (connect, sendto) and ioc.ip.category = Tor", false, true, false,
		  "" },
		{ "evt.type = connect and ioc.domain exists", false, false, true, "" },
		{ "evt.type = connect and (ioc.ip exists or fd.sip = 192.0.2.9)", false, true,
		  false, "192.0.2.9/32" },
		{ "evt.type = connect and fd.name = /var/run/docker.sock", false, false, false,
		  "" },
		{ "evt.type in (bind, listen) and fd.sport = 22", false, false, false, "" },
		{ "fd.sport = 443", true, false, false, "" },
		{ "fd.cip = 192.0.2.1", true, false, false, "" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct rf_ruleset_needs n;
		_cleanup_free_ char *got = NULL;

		addr_needs(cases[i].cond, &n);
		got = joined(n.addr_prefixes);
		cr_assert_eq(n.all_addrs, cases[i].any, "%s: any address", cases[i].cond);
		if (!cases[i].any) {
			cr_assert_eq(n.addrs_ioc, cases[i].ioc, "%s: threat lists", cases[i].cond);
			cr_assert_eq(n.addrs_dns_listed, cases[i].dns, "%s: listed domains",
				     cases[i].cond);
			cr_assert_str_eq(got, cases[i].prefixes, "%s: prefixes: %s", cases[i].cond,
					 got);
		}
		rf_ruleset_needs_done(&n);
	}
}
