/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_profile_parse: format detection, the fields each format carries, and every parse-level
 * error with its message and line (fixtures in tests/data/profiles/{valid,invalid}/). */
#include "unit.h"

/* Parses an invalid fixture and checks code, message fragment and reported line. */
static void expect_fixture_error(const char *rel, const char *fragment, unsigned line)
{
	_cleanup_error_ struct rf_error err = { 0 };
	_cleanup_str_ char *text = NULL;
	struct rf_profile *p = NULL;
	size_t len = 0;
	int r;

	text = read_fixture(rel, &len);
	r = rf_profile_parse(text, len, rel, &p, &err);
	rf_profile_free(p);
	expect_i(r, -EINVAL);
	cr_assert_null(p, "no profile may be returned on error");
	expect_contains(err.message, fragment);
	expect_u(err.line, line);
	expect_i(err.code, -EINVAL);
	/* The message carries the location the way the CLI prints it. */
	expect_contains(err.message, rel);
}

static void expect_inline_error(const char *text, const char *fragment, unsigned line)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = NULL;
	int r = rf_profile_parse(text, strlen(text), "inline.json", &p, &err);

	rf_profile_free(p);
	expect_i(r, -EINVAL);
	expect_contains(err.message, fragment);
	expect_u(err.line, line);
}

/* ---- format detection and fields ---- */

Test(profile_parse, detects_bare_oci_object)
{
	struct rf_profile *p = parse_fixture("profiles/valid/oci-bare.json");

	expect_u(p->format, RF_FORMAT_OCI);
	expect_u(p->default_action, RF_ACT_ERRNO);
	cr_assert(p->has_default_errno_ret);
	expect_u(p->default_errno_ret, 1);
	expect_u(strv_length(p->architectures), 3);
	expect_str(p->architectures[1], "SCMP_ARCH_X86");
	expect_str(p->flags[0], "SECCOMP_FILTER_FLAG_LOG");
	expect_u(p->n_rules, 7);
	expect_str(p->source, "profiles/valid/oci-bare.json");
	rf_profile_free(p);
}

Test(profile_parse, reads_rule_fields_and_argument_conditions)
{
	struct rf_profile *p = parse_fixture("profiles/valid/oci-bare.json");
	const struct rf_seccomp_rule *clone = &p->rules[2], *pers = &p->rules[3];

	expect_u(p->rules[0].n_names, 4);
	expect_str(p->rules[0].names[0], "write"); /* source order is kept in the model */
	expect_u(p->rules[1].action, RF_ACT_ERRNO);
	cr_assert(p->rules[1].has_errno_ret);
	expect_u(p->rules[1].errno_ret, 13);
	cr_assert_not(p->rules[0].has_errno_ret);
	expect_u(clone->n_args, 1);
	expect_u(clone->args[0].op, RF_CMP_MASKED_EQ);
	expect_u(clone->args[0].value, 0x7E020000);
	expect_u(pers->args[0].value, 0xffffffffu);
	expect_u(pers->args[0].value_two, 0); /* valueTwo omitted */
	expect_u(p->rules[4].n_args, 2);
	expect_u(p->rules[4].args[1].op, RF_CMP_GT);
	expect_u(p->rules[6].action, RF_ACT_TRACE);
	expect_u(p->rules[6].errno_ret, 1234);
	rf_profile_free(p);
}

Test(profile_parse, records_rule_and_name_lines)
{
	struct rf_profile *p = parse_fixture("profiles/valid/oci-bare.json");

	/* Rule 2 ("getcwd") opens on line 22 with "names" on line 23, the name itself on 24. */
	expect_u(p->rules[1].line, 23);
	cr_assert_not_null(p->rules[1].name_lines);
	expect_u(p->rules[1].name_lines[0], 24);
	expect_u(p->rules[0].name_lines[1], 16); /* "read" */
	expect_u(p->line_default_action, 2);
	rf_profile_free(p);
}

Test(profile_parse, detects_whole_config_json)
{
	struct rf_profile *p = parse_fixture("profiles/valid/oci-config.json");

	expect_u(p->format, RF_FORMAT_OCI_CONFIG);
	expect_u(p->default_errno_ret, 38);
	expect_u(p->n_rules, 3);
	expect_str(p->rules[1].names[0], "socket");
	expect_u(p->rules[1].args[0].value, 1);
	rf_profile_free(p);
}

Test(profile_parse, detects_docker_archmap_and_conditions)
{
	struct rf_profile *p = parse_fixture("profiles/valid/docker-moby.json");
	const struct rf_seccomp_rule *bpf = &p->rules[7];

	expect_u(p->format, RF_FORMAT_DOCKER);
	expect_u(p->n_arch_map, 2);
	expect_str(p->arch_map[1].arch, "SCMP_ARCH_AARCH64");
	expect_str(p->arch_map[0].sub_arches[1], "SCMP_ARCH_X32");
	expect_str(p->rules[0].comment, "always allowed \"basics\"");
	expect_str(p->rules[1].includes.min_kernel, "4.8");
	expect_str(p->rules[3].excludes.arches[1], "s390x");
	expect_u(strv_length(bpf->includes.caps), 2);
	expect_str(bpf->excludes.min_kernel, "99.0");
	cr_assert(rf_profile_has_conditions(p));
	rf_profile_free(p);
}

Test(profile_parse, comment_alone_makes_a_bare_object_docker)
{
	struct rf_profile *p = parse_str("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
					 "[{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", "
					 "\"comment\": \"no signals\"}]}");

	expect_u(p->format, RF_FORMAT_DOCKER);
	cr_assert_not(rf_profile_has_conditions(p));
	rf_profile_free(p);
}

Test(profile_parse, detects_spo_yaml_with_metadata)
{
	struct rf_profile *p = parse_fixture("profiles/valid/spo-profile.yaml");

	expect_u(p->format, RF_FORMAT_SPO);
	expect_str(p->spo_name, "web-server");
	expect_str(p->spo_namespace, "shop");
	expect_u(p->default_action, RF_ACT_ERRNO);
	expect_u(strv_length(p->architectures), 2);
	expect_u(p->n_rules, 4);
	expect_u(p->rules[1].errno_ret, 38);
	/* YAML hex numbers are accepted. */
	expect_u(p->rules[2].args[1].value, 0x80000);
	expect_u(p->rules[2].args[1].value_two, 0x80000);
	expect_u(p->rules[3].action, RF_ACT_LOG);
	rf_profile_free(p);
}

Test(profile_parse, accepts_legacy_single_name_key)
{
	struct rf_profile *p =
		parse_str("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
			  "[{\"name\": \"getpid\", \"action\": \"SCMP_ACT_ALLOW\"}]}");

	expect_u(p->rules[0].n_names, 1);
	expect_str(p->rules[0].names[0], "getpid");
	rf_profile_free(p);
}

Test(profile_parse, json_null_lists_are_empty)
{
	struct rf_profile *p =
		parse_str("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": null}");

	expect_u(p->n_rules, 0);
	rf_profile_free(p);
	p = parse_str("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": null, "
		      "\"action\": \"SCMP_ACT_ERRNO\", \"args\": null}]}");
	expect_u(p->n_rules, 1);
	expect_u(p->rules[0].n_names, 0);
	expect_u(p->rules[0].n_args, 0);
	rf_profile_free(p);
}

/* containers/common (podman's seccomp.json) writes each errno as a number and a name. */
Test(profile_parse, reads_containers_common_errno_names)
{
	struct rf_profile *p = parse_fixture("profiles/realworld/podman-shape.json");
	long chroot_deny = rule_with(p, "chroot", 1), sock = rule_with(p, "socket", 0);

	expect_u(p->format, RF_FORMAT_DOCKER);
	cr_assert(p->has_default_errno_ret);
	expect_u(p->default_errno_ret, ENOSYS);
	expect_str(p->default_errno_name, "ENOSYS");
	expect_u(p->rules[0].errno_ret, EPERM);
	expect_str(p->rules[0].errno_name, "EPERM");
	/* A name alone gives the number. */
	cr_assert_geq(chroot_deny, 0);
	cr_assert(p->rules[chroot_deny].has_errno_ret);
	expect_u(p->rules[chroot_deny].errno_ret, EPERM);
	expect_u(p->rules[sock].errno_ret, EINVAL);
	cr_assert_null(p->rules[1].errno_name);
	rf_profile_free(p);
}

Test(profile_parse, errno_name_alone_makes_a_bare_object_docker)
{
	struct rf_profile *p = parse_str("{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
					 "\"defaultErrno\": \"EACCES\", \"syscalls\": []}");

	expect_u(p->format, RF_FORMAT_DOCKER);
	expect_u(p->default_errno_ret, EACCES);
	rf_profile_free(p);
}

Test(profile_parse, rejects_errno_name_and_number_that_disagree)
{
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\"defaultErrnoRet\": 1,\n"
			    "\"defaultErrno\": \"ENOSYS\"}",
			    "defaultErrno 'ENOSYS' disagrees with the number given for it", 3);
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
			    "{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
			    "\"errno\": \"EPERM\",\n\"errnoRet\": 13}]}",
			    "errnoRet disagrees with the errno name 'EPERM'", 4);
}

Test(profile_parse, rejects_unknown_errno_name)
{
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
			    "{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
			    "\"errno\": \"EBOGUS\"}]}",
			    "errno: 'EBOGUS' is not an errno name", 3);
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrno\": 1}",
			    "defaultErrno must be a string", 1);
}

/* ---- files of several SPO SeccompProfiles ---- */

static size_t parse_all_fixture(const char *rel, struct rf_profile ***ret)
{
	_cleanup_error_ struct rf_error err = { 0 };
	_cleanup_str_ char *text = NULL;
	size_t len = 0, n = 0;
	int r;

	text = read_fixture(rel, &len);
	r = rf_profile_parse_all(text, len, rel, ret, &n, &err);
	cr_assert(r == 0, "rf_profile_parse_all: %d %s", r, err.message ? err.message : "");
	return n;
}

/* SPO ships its examples as several SeccompProfiles in one file; each is a profile, in file
 * order, addressed by its metadata.name; the empty document after the last "---" is none. */
Test(profile_parse, reads_every_seccompprofile_of_a_stream)
{
	struct rf_profile **v = NULL;
	size_t n = parse_all_fixture("profiles/realworld/spo-multi.yaml", &v);

	expect_u(n, 3);
	expect_str(v[0]->spo_name, "deny-by-default");
	expect_str(v[1]->spo_name, "log-everything");
	expect_str(v[2]->spo_name, "allow-with-dup");
	expect_str(v[2]->spo_namespace, "apps");
	for (size_t i = 0; i < n; i++) {
		expect_u(v[i]->format, RF_FORMAT_SPO);
		expect_u(v[i]->document, i + 1);
	}
	expect_u(v[1]->default_action, RF_ACT_LOG);
	/* Lines are lines of the file, not of the document. */
	expect_u(v[0]->rules[0].name_lines[3], 18);
	expect_u(v[2]->line_default_action, 33);
	rf_profile_free_all(v, n);
}

Test(profile_parse, picks_a_seccompprofile_by_name)
{
	_cleanup_error_ struct rf_error err = { 0 };
	_cleanup_str_ char *text = NULL;
	struct rf_profile *p = NULL;
	size_t len = 0;

	text = read_fixture("profiles/realworld/spo-multi.yaml", &len);
	expect_i(rf_profile_parse_named(text, len, "m.yaml", "log-everything", &p, &err), 0);
	expect_str(p->spo_name, "log-everything");
	rf_profile_free(p);
	p = NULL;
	expect_i(rf_profile_parse_named(text, len, "m.yaml", "nope", &p, &err), -ENOENT);
	expect_contains(err.message, "no SeccompProfile named 'nope' here (it holds: "
				     "deny-by-default, log-everything, allow-with-dup)");
	rf_error_clear(&err);
	/* Without a name a file of several is an error that says how to name one. */
	expect_i(rf_profile_parse(text, len, "m.yaml", &p, &err), -EINVAL);
	expect_contains(err.message, "m.yaml: the file holds 3 SeccompProfiles");
	expect_contains(err.message, "name one as m.yaml#NAME");
	cr_assert_null(p);
}

/* An error inside one document names it and points at the file's line. */
Test(profile_parse, errors_in_a_stream_name_the_document)
{
	expect_inline_error("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
			    "kind: SeccompProfile\nmetadata: {name: a}\n"
			    "spec: {defaultAction: SCMP_ACT_LOG}\n---\n"
			    "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
			    "kind: SeccompProfile\nmetadata: {name: b}\nspec:\n"
			    "  defaultAction: SCMP_ACT_BOGUS\n",
			    "inline.json:10:18: SeccompProfile 'b': defaultAction: unknown action",
			    10);
	expect_inline_error("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
			    "kind: SeccompProfile\nmetadata: {name: a}\n"
			    "spec: {defaultAction: SCMP_ACT_LOG}\n---\n"
			    "defaultAction: SCMP_ACT_ALLOW\n",
			    "document 2: a file of several documents may hold Security Profiles "
			    "Operator SeccompProfiles only",
			    6);
	expect_inline_error("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
			    "kind: SeccompProfile\nmetadata: {name: a}\n"
			    "spec: {defaultAction: SCMP_ACT_LOG}\n---\n"
			    "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
			    "kind: SeccompProfile\nmetadata: {name: a}\n"
			    "spec: {defaultAction: SCMP_ACT_ERRNO}\n",
			    "SeccompProfile 'a': document 1 has the same name", 9);
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_LOG\"}\n{\"defaultAction\": "
			    "\"SCMP_ACT_LOG\"}\n",
			    "more than one document; a JSON profile holds exactly one", 2);
}

Test(profile_parse, one_seccompprofile_with_a_trailing_separator_is_one_profile)
{
	struct rf_profile *p = parse_str("---\napiVersion: security-profiles-operator.x-k8s.io/v1\n"
					 "kind: SeccompProfile\nmetadata: {name: a}\n"
					 "spec: {defaultAction: SCMP_ACT_LOG}\n---\n");

	expect_u(p->document, 0);
	expect_str(p->spo_name, "a");
	rf_profile_free(p);
}

/* ---- limits, stated in the message ---- */

/* Over RF_PROFILE_MAX_RULES: refused by the event pass, before a tree is built, at the line of
 * the first rule past the limit. */
Test(profile_parse, too_many_rules_names_the_limit_and_the_line)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);

	cr_assert(f);
	fputs("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n", f);
	for (int i = 0; i <= RF_PROFILE_MAX_RULES; i++)
		fprintf(f, "%s{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}\n",
			i ? "," : "");
	fputs("]}\n", f);
	cr_assert(fclose(f) == 0);
	expect_inline_error(doc, "too many syscall rules in one profile: the limit is 4096",
			    RF_PROFILE_MAX_RULES + 2);
	free(doc);
}

Test(profile_parse, too_many_values_names_the_limit)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);

	cr_assert(f);
	fputs("defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n- action: SCMP_ACT_ALLOW\n  names:\n", f);
	for (int i = 0; i < RF_PROFILE_MAX_VALUES; i++)
		fputs("  - read\n", f);
	cr_assert(fclose(f) == 0);
	/* Ten values before the first item (the root mapping, its keys and values, the rule,
	 * the list); item i is value 10 + i, on line 4 + i. */
	expect_inline_error(doc,
			    "too many values (keys, items, lists and objects) in one file: "
			    "the limit is 131072",
			    RF_PROFILE_MAX_VALUES + 1 - 10 + 4);
	free(doc);
}

Test(profile_parse, a_yaml_line_over_the_limit_is_refused)
{
	size_t n = RF_PROFILE_MAX_YAML_LINE + 100;
	char *doc = malloc(n + 64);

	cr_assert(doc);
	strcpy(doc, "defaultAction: SCMP_ACT_ALLOW\nsyscalls: [");
	memset(doc + strlen(doc), ' ', n);
	strcpy(doc + strlen("defaultAction: SCMP_ACT_ALLOW\nsyscalls: [") + n, "]\n");
	expect_inline_error(doc, "line longer than the limit of 65536 bytes for YAML", 2);
	free(doc);
}

Test(profile_parse, builtin_runtime_default_loads)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = NULL;

	cr_assert(rf_profile_is_builtin_name("runtime/default"));
	cr_assert_not(rf_profile_is_builtin_name("runtime/other"));
	expect_i(rf_profile_load("runtime/default", &p, &err), 0);
	expect_u(p->format, RF_FORMAT_DOCKER);
	cr_assert_gt(p->n_arch_map, 0);
	rf_profile_free(p);
}

Test(profile_parse, unknown_builtin_is_enoent)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = NULL;

	expect_i(rf_profile_builtin("runtime/nope", &p, &err), -ENOENT);
	cr_assert_null(p);
	expect_contains(err.message, "runtime/nope");
}

Test(profile_parse, load_reads_a_file_and_names_it)
{
	_cleanup_error_ struct rf_error err = { 0 };
	_cleanup_str_ char *path = fixture_path("profiles/valid/oci-config.json");
	struct rf_profile *p = NULL;

	expect_i(rf_profile_load(path, &p, &err), 0);
	expect_str(p->source, path);
	rf_profile_free(p);
}

Test(profile_parse, action_and_operator_names_round_trip)
{
	for (int a = RF_ACT_KILL; a <= RF_ACT_NOTIFY; a++)
		expect_u(rf_action_from_string(rf_action_to_string((enum rf_action)a)), a);
	for (int o = RF_CMP_NE; o <= RF_CMP_MASKED_EQ; o++)
		expect_u(rf_cmp_from_string(rf_cmp_to_string((enum rf_cmp_op)o)), o);
	for (int f = RF_FORMAT_OCI; f <= RF_FORMAT_SPO; f++)
		expect_u(rf_format_from_string(rf_format_to_string((enum rf_profile_format)f)), f);
	/* runc matches names exactly: no case folding. */
	expect_u(rf_action_from_string("scmp_act_allow"), RF_ACT_INVALID);
	expect_u(rf_cmp_from_string("SCMP_CMP_MASKED"), RF_CMP_INVALID);
	expect_u(rf_format_from_string("yaml"), RF_FORMAT_UNKNOWN);
}

/* The format table is what help texts and messages list: every row round-trips, the output
 * formats come first, and the list reads as the CLI contract says (--format oci|docker|spo). */
Test(profile_parse, format_table)
{
	const struct rf_format_info *f;
	bool reading = false;
	char *names;

	for (size_t i = 0; (f = rf_format_info(i)); i++) {
		expect_u(rf_format_from_string(f->name), f->format);
		expect_str(rf_format_to_string(f->format), f->name);
		cr_expect(f->description && *f->description, "format %s has no description",
			  f->name);
		cr_expect(!(reading && f->output), "output format %s after a read-only one",
			  f->name);
		reading |= !f->output;
	}
	names = rf_format_names("|");
	expect_str(names, "oci|docker|spo");
	free(names);
	names = rf_format_names(", ");
	expect_str(names, "oci, docker, spo");
	free(names);
}

/* ---- parse-level errors, each with message and line ---- */

Test(profile_parse, rejects_unknown_key_in_rule)
{
	expect_fixture_error("profiles/invalid/parse-unknown-key.json",
			     "unknown key 'errnoret' in syscall rule", 7);
}

Test(profile_parse, rejects_names_as_string)
{
	expect_fixture_error("profiles/invalid/parse-names-string.json",
			     "names must be a list of strings", 5);
}

Test(profile_parse, rejects_errnoRet_string)
{
	expect_fixture_error("profiles/invalid/parse-errnoRet-string.json",
			     "errnoRet must be a number", 7);
}

Test(profile_parse, rejects_errnoRet_negative)
{
	expect_fixture_error("profiles/invalid/parse-errnoRet-negative.json",
			     "errnoRet must be a non-negative integer, not '-1'", 7);
}

Test(profile_parse, rejects_errnoRet_out_of_u32_range)
{
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\"defaultErrnoRet\": "
			    "4294967296}",
			    "defaultErrnoRet: 4294967296 is out of range (at most 4294967295)", 2);
}

Test(profile_parse, rejects_unknown_action)
{
	expect_fixture_error("profiles/invalid/parse-unknown-action.json",
			     "action: unknown action 'SCMP_ACT_DENY'", 6);
}

Test(profile_parse, rejects_unknown_operator)
{
	expect_fixture_error("profiles/invalid/parse-unknown-op.json",
			     "unknown operator 'SCMP_CMP_MATCHES'", 8);
}

Test(profile_parse, rejects_args_index_as_string)
{
	expect_fixture_error("profiles/invalid/parse-args-index-string.json",
			     "args.index must be a number", 9);
}

Test(profile_parse, rejects_argument_without_op)
{
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
			    "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [\n"
			    "{\"index\": 0, \"value\": 1}]}]}",
			    "argument condition has no 'op'", 3);
}

Test(profile_parse, rejects_rule_without_action_or_names)
{
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
			    "{\"names\": [\"kill\"]}]}",
			    "syscall rule has no 'action'", 2);
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n\n"
			    "{\"action\": \"SCMP_ACT_ERRNO\"}]}",
			    "syscall rule has no 'names'", 3);
}

Test(profile_parse, rejects_missing_defaultAction)
{
	/* There is no line to point at: the key is absent (0 = unknown location). */
	expect_fixture_error("profiles/invalid/parse-missing-default.json",
			     "profile has no defaultAction", 0);
}

Test(profile_parse, rejects_config_json_without_linux_seccomp)
{
	/* Points at the top-level object (its first key). */
	expect_fixture_error("profiles/invalid/parse-config-no-seccomp.json",
			     "config.json has no linux.seccomp object", 2);
}

Test(profile_parse, rejects_spo_wrong_apiVersion)
{
	expect_fixture_error("profiles/invalid/parse-spo-wrong-api.yaml",
			     "apiVersion 'v1' is not a Security Profiles Operator version", 2);
}

/* Regression test: (lib/seccomp/parse.c parse_spo): the kind error is reported at the line of the
 * mapping's first key (apiVersion, line 2), not at the `kind:` line (3). (fixed). */
Test(profile_parse, rejects_spo_wrong_kind_at_its_line)
{
	expect_fixture_error("profiles/invalid/parse-spo-wrong-kind.yaml",
			     "kind 'RawSelinuxProfile' is not SeccompProfile", 3);
}

Test(profile_parse, rejects_spo_baseProfileName)
{
	expect_inline_error("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
			    "kind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ALLOW\n"
			    "  baseProfileName: runc-v1.1.0\n",
			    "baseProfileName is not supported", 5);
}

Test(profile_parse, rejects_top_level_array)
{
	expect_inline_error("[\n{\"defaultAction\": \"SCMP_ACT_ALLOW\"}]",
			    "a seccomp profile must be an object", 2);
}

Test(profile_parse, rejects_too_many_argument_conditions)
{
	char *doc = NULL, *p;
	size_t cap = 64 + 80 * (RF_PROFILE_MAX_ARGS + 1);

	doc = p = calloc(1, cap + 200);
	p += sprintf(p, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			"[\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [");
	for (int i = 0; i <= RF_PROFILE_MAX_ARGS; i++)
		p += sprintf(p, "%s{\"index\": 0, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}",
			     i ? "," : "", i);
	sprintf(p, "]}]}");
	expect_inline_error(doc, "too many argument conditions in one rule", 1);
	free(doc);
}

Test(profile_parse, rejects_empty_document)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = NULL;

	expect_i(rf_profile_parse("", 0, "e.json", &p, &err), -EINVAL);
	expect_contains(err.message, "empty document");
}

/* Regression test: (lib/seccomp/parse.c doc_error): libfyaml's collected diagnostics already carry
 * a 1-based line; adding 1 reports every syntax error one line too late. (fixed). */
Test(profile_parse, syntax_error_on_first_line_reports_line_1)
{
	expect_inline_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\",}", "syntax error", 1);
}

/* Regression test: same off-by-one as above (the stray comma is on line 6, reported as 7). (fixed).
 */
Test(profile_parse, syntax_error_mid_document_reports_its_line)
{
	expect_fixture_error("profiles/invalid/parse-syntax-mid.json", "syntax error", 6);
}

/* Regression test: same off-by-one in doc_error (reports line 8 for a 6-line file). (fixed). */
Test(profile_parse, truncated_json_reports_a_line_inside_the_document)
{
	_cleanup_error_ struct rf_error err = { 0 };
	_cleanup_str_ char *text = NULL;
	struct rf_profile *p = NULL;
	size_t len = 0;

	text = read_fixture("profiles/invalid/parse-truncated.json", &len);
	expect_i(rf_profile_parse(text, len, "t.json", &p, &err), -EINVAL);
	expect_contains(err.message, "syntax error");
	/* The text stops after line 6; the error is there or at the end-of-input mark (7). */
	cr_assert(err.line >= 6 && err.line <= 7, "line %u is outside 6..7: %s", err.line,
		  err.message);
}

Test(profile_parse, non_utf8_bytes_fail_cleanly)
{
	_cleanup_error_ struct rf_error err = { 0 };
	_cleanup_str_ char *text = NULL;
	struct rf_profile *p = NULL;
	size_t len = 0;
	int r;

	text = read_fixture("profiles/invalid/parse-non-utf8.json", &len);
	r = rf_profile_parse(text, len, "u.json", &p, &err);
	rf_profile_free(p);
	expect_i(r, -EILSEQ); /* rejected before libfyaml sees it */
	expect_contains(err.message, "u.json");
}

Test(profile_parse, non_utf8_yaml_and_embedded_nul_do_not_crash)
{
	static const char yaml[] =
		"apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
		"kind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ALLOW\n"
		"  syscalls:\n  - action: SCMP_ACT_ERRNO\n    names: [ge\xff\xc0tpid]\n";
	static const char nul[] = "{\"defaultAction\": \"SCMP_ACT_\0ALLOW\"}";
	struct rf_error err = { 0 };
	struct rf_profile *p = NULL;
	int r;

	r = rf_profile_parse(yaml, sizeof(yaml) - 1, "y.yaml", &p, &err);
	cr_assert(r == -EILSEQ && err.message, "r=%d", r);
	p = rf_profile_free(p);
	rf_error_clear(&err);
	r = rf_profile_parse(nul, sizeof(nul) - 1, "n.json", &p, &err);
	expect_i(r, -EINVAL);
	cr_assert_not_null(err.message);
	rf_error_clear(&err);
}

Test(profile_parse, rejects_duplicate_keys)
{
	_cleanup_error_ struct rf_error err = { 0 };
	static const char doc[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
				  "\"defaultAction\": \"SCMP_ACT_KILL\"}";
	struct rf_profile *p = NULL;
	int r = rf_profile_parse(doc, sizeof(doc) - 1, "d.json", &p, &err);

	rf_profile_free(p);
	/* Last-one-wins would silently pick a different default than another reader. */
	expect_i(r, -EINVAL);
}
