/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_profile_lint: every finding code with its severity, message and line, on fixtures in
 * tests/data/profiles/invalid/lint-*.json (the line numbers below are lines of those files). */
#include "unit.h"

static struct rf_lint lint_of(const struct rf_profile *p)
{
	struct rf_lint l = { 0 };

	expect_i(rf_profile_lint(p, &l), 0);
	return l;
}

static size_t count_code(const struct rf_lint *l, const char *code)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += strcmp(l->items[i].code, code) == 0;
	return n;
}

static void dump(const struct rf_lint *l)
{
	for (size_t i = 0; i < l->n; i++)
		cr_log_info("finding %zu: line %u %s: %s", i, l->items[i].line, l->items[i].code,
			    l->items[i].message);
}

/* The nth finding with `code`; fails the test when absent. */
static const struct rf_lint_item *finding(const struct rf_lint *l, const char *code, unsigned nth)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].code, code) == 0 && nth-- == 0)
			return &l->items[i];
	dump(l);
	cr_assert_fail("no finding '%s' among %zu findings (see log)", code, l->n);
	return NULL;
}

static void expect_finding(const struct rf_lint *l, const char *code, enum rf_lint_severity sev,
			   unsigned line, const char *fragment)
{
	const struct rf_lint_item *f = finding(l, code, 0);

	expect_u(f->severity, sev);
	expect_contains(f->message, fragment);
	expect_u(f->line, line);
}

/* Lints a fixture, checks one finding and frees everything. */
static void check_fixture(const char *rel, const char *code, enum rf_lint_severity sev,
			  unsigned line, const char *fragment)
{
	struct rf_profile *p = parse_fixture(rel);
	struct rf_lint l = lint_of(p);

	expect_finding(&l, code, sev, line, fragment);
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, valid_fixture_is_clean)
{
	struct rf_profile *p = parse_fixture("profiles/valid/oci-config.json");
	struct rf_lint l = lint_of(p);

	if (l.n_errors || l.n_warnings)
		dump(&l);
	expect_u(l.n_errors, 0);
	expect_u(l.n_warnings, 0);
	rf_lint_done(&l);
	rf_profile_free(p);
}

/* In an allow rule under a denying default, runtimes skip a name libseccomp does not know and
 * the syscall stays denied: a warning about this machine, which --strict does not count. */
Test(lint, unknown_syscall_in_allow_rule_is_a_host_warning)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-names.json");
	struct rf_lint l = lint_of(p);
	const struct rf_lint_item *f = finding(&l, "unknown-syscall", 0);

	expect_finding(&l, "unknown-syscall", RF_LINT_WARNING, 8,
		       "syscall \"foo\" is unknown for SCMP_ARCH_X86_64");
	expect_contains(f->message, "stays at the default action");
	cr_assert(f->host, "an unknown name in an allow rule is a host finding");
	expect_u(l.n_host, 1);
	rf_lint_done(&l);
	rf_profile_free(p);
}

/* Where skipping would loosen the profile (a deny rule), run refuses it: an error. */
Test(lint, unknown_syscall_in_deny_rule_is_an_error)
{
	struct rf_profile *p = parse_str("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
					 "{\"names\": [\"mseal\", \"nosuchcall\"],\n"
					 "\"action\": \"SCMP_ACT_ERRNO\"}]}");
	struct rf_lint l = lint_of(p);
	const struct rf_lint_item *f = finding(&l, "unknown-syscall", 0);

	expect_u(f->severity, RF_LINT_ERROR);
	cr_assert_not(f->host, "a refused profile is not a host finding");
	expect_contains(f->message, "ringfence run refuses the profile");
	expect_u(count_code(&l, "unknown-syscall"), 2);
	expect_u(l.n_errors, 2);
	expect_u(l.n_host, 0);
	rf_lint_done(&l);
	rf_profile_free(p);
}

/* moby's and podman's current profiles name syscalls added after libseccomp 2.5.4 (mseal,
 * listmount, lsm_*, *xattrat): warnings, never errors. */
Test(lint, builtin_source_has_no_errors)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = NULL;
	struct rf_lint l;

	expect_i(rf_profile_builtin("runtime/default", &p, &err), 0);
	l = lint_of(p);
	if (l.n_errors || l.n_warnings != l.n_host)
		dump(&l);
	expect_u(l.n_errors, 0);
	expect_u(l.n_warnings, l.n_host);
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, duplicate_name_points_at_the_repeat)
{
	check_fixture("profiles/invalid/lint-names.json", "duplicate-name", RF_LINT_WARNING, 10,
		      "'read' is listed twice in this rule");
}

Test(lint, empty_names_list_is_an_error)
{
	check_fixture("profiles/invalid/lint-names.json", "empty-names", RF_LINT_ERROR, 15,
		      "empty 'names' list");
}

Test(lint, counts_errors_and_warnings)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-names.json");
	struct rf_lint l = lint_of(p);
	size_t errors = 0, warnings = 0;

	for (size_t i = 0; i < l.n; i++) {
		errors += l.items[i].severity == RF_LINT_ERROR;
		warnings += l.items[i].severity == RF_LINT_WARNING;
	}
	expect_u(l.n_errors, errors);
	expect_u(l.n_warnings, warnings);
	expect_u(l.n_errors, 1); /* empty-names; the unknown name is a host warning */
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, errno_on_non_errno_action)
{
	check_fixture("profiles/invalid/lint-errno.json", "errno-on-non-errno-action",
		      RF_LINT_ERROR, 5, "errnoRet is set but the action is SCMP_ACT_KILL_PROCESS");
}

Test(lint, errno_zero_is_bad_errno)
{
	check_fixture("profiles/invalid/lint-errno.json", "bad-errno", RF_LINT_ERROR, 10,
		      "errnoRet 0 is not an errno");
}

Test(lint, errno_above_4095_is_bad_errno)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-errno.json");
	struct rf_lint l = lint_of(p);
	const struct rf_lint_item *f = finding(&l, "bad-errno", 1);

	expect_u(f->line, 15);
	expect_contains(f->message, "errnoRet 4096 is not an errno (1..4095)");
	/* SCMP_ACT_TRACE may carry errnoRet (the tracer's message). */
	expect_u(count_code(&l, "errno-on-non-errno-action"), 1);
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, bad_default_errno_points_at_defaultAction)
{
	struct rf_profile *p = parse_str("{\n\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
					 "\"defaultErrnoRet\": 0,\n\"syscalls\": [{\"names\": "
					 "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	struct rf_lint l = lint_of(p);

	expect_finding(&l, "bad-errno", RF_LINT_ERROR, 2, "defaultErrnoRet 0");
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, bad_arg_index)
{
	check_fixture("profiles/invalid/lint-args.json", "bad-arg-index", RF_LINT_ERROR, 5,
		      "argument index 6 is out of range 0..5");
}

Test(lint, same_index_conditions_warns_about_runc_or)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-args.json");
	struct rf_lint l = lint_of(p);

	expect_finding(&l, "same-index-conditions", RF_LINT_WARNING, 12,
		       "several conditions on argument 1");
	expect_contains(finding(&l, "same-index-conditions", 0)->message, "OR");
	expect_u(finding(&l, "same-index-conditions", 1)->line, 27);
	expect_u(count_code(&l, "same-index-conditions"), 2);
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, masked_eq_with_bits_outside_mask_never_matches)
{
	check_fixture("profiles/invalid/lint-args.json", "masked-eq-never-matches", RF_LINT_WARNING,
		      20, "valueTwo 0x100 has bits outside the mask 0xff");
}

Test(lint, too_many_args)
{
	check_fixture("profiles/invalid/lint-args.json", "too-many-args", RF_LINT_ERROR, 27,
		      "7 argument conditions");
}

Test(lint, value_two_without_masked_eq_is_a_note)
{
	check_fixture("profiles/invalid/lint-args.json", "unused-value-two", RF_LINT_NOTE, 40,
		      "valueTwo is only used by SCMP_CMP_MASKED_EQ");
}

Test(lint, conflicting_rules_names_both_lines)
{
	check_fixture(
		"profiles/invalid/lint-conflicts.json", "conflicting-rules", RF_LINT_ERROR, 17,
		"'read' has conflicting actions: SCMP_ACT_KILL_PROCESS here, SCMP_ACT_ALLOW at "
		"line 5");
}

Test(lint, duplicate_rule)
{
	check_fixture("profiles/invalid/lint-conflicts.json", "duplicate-rule", RF_LINT_WARNING, 11,
		      "'write' is already listed with the same action at line 5");
}

Test(lint, same_as_default_is_a_note)
{
	check_fixture("profiles/invalid/lint-conflicts.json", "same-as-default", RF_LINT_NOTE, 22,
		      "equals the default action");
}

Test(lint, same_action_other_args_is_the_usual_or_not_a_finding)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-conflicts.json");
	struct rf_lint l = lint_of(p);

	/* socket rules 5 and 6 (ALLOW, other values) are fine; rule 7 (KILL) overlaps both. */
	expect_u(count_code(&l, "overlapping-rules"), 2);
	expect_u(finding(&l, "overlapping-rules", 0)->line, 36);
	expect_u(count_code(&l, "duplicate-rule"), 1);
	expect_u(count_code(&l, "conflicting-rules"), 1);
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, unknown_capability_in_includes)
{
	check_fixture("profiles/invalid/lint-docker.json", "unknown-capability", RF_LINT_ERROR, 11,
		      "unknown capability 'CAP_SYS_WIZARD'");
}

Test(lint, bad_min_kernel)
{
	check_fixture("profiles/invalid/lint-docker.json", "bad-min-kernel", RF_LINT_ERROR, 11,
		      "minKernel 'four.eight' is not a version");
}

Test(lint, unknown_arch_in_condition_is_a_warning)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-docker.json");
	struct rf_lint l = lint_of(p);
	const struct rf_lint_item *f = finding(&l, "unknown-arch", 1); /* 0 is the archMap one */

	expect_u(f->severity, RF_LINT_WARNING);
	expect_contains(f->message, "architecture 'pdp11' is unknown");
	expect_u(f->line, 16);
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, unknown_arch_in_archmap_is_reported)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-docker.json");
	struct rf_lint l = lint_of(p);
	bool found = false;

	for (size_t i = 0; i < l.n; i++)
		found |= strcmp(l.items[i].code, "unknown-arch") == 0 &&
			 strstr(l.items[i].message, "'SCMP_ARCH_VAX'");
	cr_assert(found, "archMap 'SCMP_ARCH_VAX' not reported");
	rf_lint_done(&l);
	rf_profile_free(p);
}

/* Regression test: (lib/seccomp/lint.c lint_header): archMap findings are added with line 0.
 * (fixed). */
Test(lint, unknown_arch_in_archmap_has_its_line)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-docker.json");
	struct rf_lint l = lint_of(p);

	for (size_t i = 0; i < l.n; i++)
		if (strstr(l.items[i].message, "'SCMP_ARCH_VAX'"))
			expect_u(l.items[i].line, 5);
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, unknown_architecture_is_an_error)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-header.json");
	struct rf_lint l = lint_of(p);
	const struct rf_lint_item *f = finding(&l, "unknown-arch", 0);

	expect_u(f->severity, RF_LINT_ERROR);
	expect_contains(f->message, "architecture 'SCMP_ARCH_VAX' is unknown");
	rf_lint_done(&l);
	rf_profile_free(p);
}

/* Regression test: (lib/seccomp/lint.c lint_header + parse.c): the model keeps no line for
 * `architectures` entries, so this finding has line 0. (fixed). */
Test(lint, unknown_architecture_has_its_line)
{
	check_fixture("profiles/invalid/lint-header.json", "unknown-arch", RF_LINT_ERROR, 5,
		      "SCMP_ARCH_VAX");
}

Test(lint, unknown_flag_is_an_error)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-header.json");
	struct rf_lint l = lint_of(p);
	const struct rf_lint_item *f = finding(&l, "unknown-flag", 0);

	expect_u(f->severity, RF_LINT_ERROR);
	expect_contains(f->message, "unknown seccomp flag 'SECCOMP_FILTER_FLAG_FAST'");
	expect_u(count_code(&l, "unknown-flag"), 1); /* TSYNC is known */
	rf_lint_done(&l);
	rf_profile_free(p);
}

/* Regression test: (lib/seccomp/lint.c lint_header): same as above for `flags` entries: line 0.
 * (fixed). */
Test(lint, unknown_flag_has_its_line)
{
	check_fixture("profiles/invalid/lint-header.json", "unknown-flag", RF_LINT_ERROR, 9,
		      "SECCOMP_FILTER_FLAG_FAST");
}

Test(lint, notify_without_listener_is_a_warning)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-header.json");
	struct rf_lint l = lint_of(p);
	const struct rf_lint_item *f = finding(&l, "notify-without-listener", 0);

	expect_u(f->severity, RF_LINT_WARNING);
	expect_contains(f->message, "listenerPath is not set");
	rf_lint_done(&l);
	rf_profile_free(p);
}

/* Regression test: (lib/seccomp/lint.c rf_profile_lint): reported with line 0 instead of the line
 * of the first SCMP_ACT_NOTIFY rule. (fixed). */
Test(lint, notify_without_listener_points_at_the_notify_rule)
{
	check_fixture("profiles/invalid/lint-header.json", "notify-without-listener",
		      RF_LINT_WARNING, 13, "SCMP_ACT_NOTIFY");
}

Test(lint, notify_with_listener_is_fine)
{
	struct rf_profile *p =
		parse_str("{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\":"
			  " \"/run/agent.sock\", \"syscalls\": [{\"names\": [\"read\"]"
			  ", \"action\": \"SCMP_ACT_ALLOW\"}]}");
	struct rf_lint l = lint_of(p);

	expect_u(count_code(&l, "notify-without-listener"), 0);
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, denies_everything)
{
	struct rf_profile *p = parse_str("{\n\n\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\"}");
	struct rf_lint l = lint_of(p);

	expect_finding(&l, "denies-everything", RF_LINT_WARNING, 3, "not even execve");
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, allow_default_without_rules_is_not_denies_everything)
{
	struct rf_profile *p = parse_str("{\"defaultAction\": \"SCMP_ACT_LOG\"}");
	struct rf_lint l = lint_of(p);

	expect_u(l.n, 0);
	rf_lint_done(&l);
	rf_profile_free(p);
}

Test(lint, done_resets_and_tolerates_empty)
{
	struct rf_lint l = { 0 };
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-args.json");

	rf_lint_done(&l);
	rf_lint_done(NULL);
	l = lint_of(p);
	cr_assert_gt(l.n, 0);
	rf_lint_done(&l);
	expect_u(l.n, 0);
	cr_assert_null(l.items);
	rf_profile_free(p);
}

/* 300 copies of one rule of 10 names: each later copy is one duplicate per name (against the
 * first), not one per earlier copy (that was 448500 findings, and 24 GB for 3900 copies of 28
 * names); the list stops at 1000 findings and says how many it left out, the counts do not. */
Test(lint, repeated_rules_are_compared_once_and_findings_are_capped)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);
	struct rf_profile *p;
	struct rf_lint l;

	cr_assert(f);
	fputs("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [", f);
	for (int i = 0; i < 300; i++)
		fprintf(f,
			"%s{\"names\": [\"read\", \"write\", \"close\", \"openat\", \"fstat\", "
			"\"mmap\", \"brk\", \"getpid\", \"futex\", \"exit_group\"], "
			"\"action\": \"SCMP_ACT_ALLOW\"}",
			i ? "," : "");
	fputs("]}", f);
	cr_assert(fclose(f) == 0);
	p = parse_str(doc);
	l = lint_of(p);
	expect_u(l.n_warnings, 299 * 10);
	expect_u(l.n_errors, 0);
	expect_u(l.n, 1001);
	expect_str(l.items[1000].code, "too-many-findings");
	expect_contains(l.items[1000].message,
			"1990 more findings are not listed (the limit is 1000)");
	rf_lint_done(&l);
	rf_profile_free(p);
	free(doc);
}

/* Findings come in file order, whatever check found them. */
Test(lint, findings_are_in_line_order)
{
	struct rf_profile *p = parse_fixture("profiles/invalid/lint-conflicts.json");
	struct rf_lint l = lint_of(p);

	for (size_t i = 1; i < l.n; i++)
		cr_assert_leq(l.items[i - 1].line, l.items[i].line, "finding %zu before %zu", i - 1,
			      i);
	rf_lint_done(&l);
	rf_profile_free(p);
}

/* rf_lint_writer: the text lines of a finding and of a profile that could not be read, and the
 * lint/v1 document holding both. */
static char *lint_written(enum rf_report_format fmt)
{
	struct rf_profile *p =
		parse_str("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
			  "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	char code[] = "some-code", message[] = "something to say";
	struct rf_lint_item item = { RF_LINT_WARNING, 3, code, message, false };
	struct rf_lint l = { .items = &item, .n = 1, .n_warnings = 1 };
	struct rf_error e = { 0 };
	struct rf_lint_writer *w = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	expect_i(rf_lint_writer_new(f, fmt, false, &w), 0);
	expect_i(rf_lint_writer_add(w, "a.yaml", "web", p, &l, NULL, 0), 0);
	rf_error_set(&e, -ENOENT, "cannot open 'b.json': No such file or directory");
	expect_i(rf_lint_writer_add(w, "b.json", NULL, NULL, NULL, &e, -ENOENT), 0);
	expect_i(rf_lint_writer_finish(w), 0);
	fclose(f);
	rf_error_clear(&e);
	rf_profile_free(p);
	return buf;
}

Test(lint, written_as_text_and_json)
{
	_cleanup_str_ char *text = lint_written(RF_REPORT_TEXT);
	_cleanup_str_ char *json = lint_written(RF_REPORT_JSON);

	expect_str(text, "a.yaml:3: warning: SeccompProfile 'web': something to say [some-code]\n"
			 "b.json: error: cannot open 'b.json': No such file or directory "
			 "[parse-error]\n");
	expect_str(json,
		   "{\"schema\":\"ringfence.lint/v1\",\"files\":[{\"file\":\"a.yaml\","
		   "\"document\":\"web\",\"format\":\"oci\",\"errors\":0,\"warnings\":1,"
		   "\"findings\":[{\"severity\":\"warning\",\"line\":3,\"code\":\"some-code\","
		   "\"message\":\"something to say\",\"host\":false}]},{\"file\":\"b.json\","
		   "\"document\":null,\"format\":null,\"errors\":1,\"warnings\":0,"
		   "\"findings\":[{\"severity\":\"error\",\"line\":0,\"code\":\"parse-error\","
		   "\"message\":\"cannot open 'b.json': No such file or directory\","
		   "\"host\":false}]}]}\n");
}
