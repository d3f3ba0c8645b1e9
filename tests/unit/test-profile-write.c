/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_profile_write: parse → write → parse round trips for every format, byte-identical output on
 * repeated writes (determinism), and the cross-format trips OCI ↔ SPO. */
#include <unistd.h>

#include "unit.h"

/* parse(fixture) → write(fmt) → parse → semantically equal; writing the re-read profile gives
 * the same bytes again (a fixpoint). Returns the re-read profile. */
static struct rf_profile *round_trip(const char *rel, enum rf_profile_format fmt, bool docker)
{
	struct rf_profile *a = parse_fixture(rel), *b;
	_cleanup_str_ char *t1 = write_str(a, fmt), *t1b = write_str(a, fmt), *t2 = NULL;

	expect_str(t1b, t1); /* same profile, same bytes */
	b = parse_ok(t1, strlen(t1), "written");
	expect_profiles_equal(a, b, docker);
	t2 = write_str(b, fmt);
	expect_str(t2, t1);
	rf_profile_free(a);
	return b;
}

Test(profile_write, round_trips_bare_oci)
{
	struct rf_profile *b = round_trip("profiles/valid/oci-bare.json", RF_FORMAT_OCI, false);

	expect_u(b->format, RF_FORMAT_OCI);
	rf_profile_free(b);
}

Test(profile_write, round_trips_config_json_as_its_seccomp_object)
{
	struct rf_profile *b =
		round_trip("profiles/valid/oci-config.json", RF_FORMAT_OCI_CONFIG, false);

	/* OCI output is the bare linux.seccomp object (profile.h). */
	expect_u(b->format, RF_FORMAT_OCI);
	rf_profile_free(b);
}

Test(profile_write, round_trips_docker_with_archmap_conditions_and_comments)
{
	struct rf_profile *b =
		round_trip("profiles/valid/docker-moby.json", RF_FORMAT_DOCKER, true);

	expect_u(b->format, RF_FORMAT_DOCKER);
	expect_u(b->n_arch_map, 2);
	expect_str(b->rules[0].comment, "always allowed \"basics\"");
	expect_str(b->rules[7].excludes.min_kernel, "99.0");
	rf_profile_free(b);
}

/* Docker output keeps containers/common's errno names next to the numbers; OCI and SPO have no
 * such keys and keep the numbers, which carry the meaning. */
Test(profile_write, round_trips_containers_common_errno_names)
{
	struct rf_profile *p = parse_fixture("profiles/realworld/podman-shape.json"), *b;
	_cleanup_str_ char *oci = NULL;

	b = round_trip("profiles/realworld/podman-shape.json", RF_FORMAT_DOCKER, true);
	expect_str(b->default_errno_name, "ENOSYS");
	rf_profile_free(b);
	cr_assert(rf_profile_has_conditions(p));
	rf_profile_free(p);
	p = parse_str("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrno\": \"ENOSYS\", "
		      "\"syscalls\": [{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\", "
		      "\"errno\": \"EACCES\"}]}");
	oci = write_str(p, RF_FORMAT_OCI);
	expect_contains(oci, "\"defaultErrnoRet\": 38");
	expect_contains(oci, "\"errnoRet\": 13");
	cr_assert_null(strstr(oci, "\"errno\":"), "OCI has no errno key: %s", oci);
	cr_assert_null(strstr(oci, "defaultErrno\""), "OCI has no defaultErrno key: %s", oci);
	rf_profile_free(p);
}

Test(profile_write, round_trips_spo_yaml_with_metadata)
{
	struct rf_profile *b = round_trip("profiles/valid/spo-profile.yaml", RF_FORMAT_SPO, false);

	expect_u(b->format, RF_FORMAT_SPO);
	expect_str(b->spo_name, "web-server");
	expect_str(b->spo_namespace, "shop");
	rf_profile_free(b);
}

Test(profile_write, round_trips_builtin_runtime_default_as_docker)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *a = NULL, *b;
	_cleanup_str_ char *t1 = NULL, *t2 = NULL;

	expect_i(rf_profile_builtin("runtime/default", &a, &err), 0);
	t1 = write_str(a, RF_FORMAT_DOCKER);
	b = parse_ok(t1, strlen(t1), "written");
	expect_profiles_equal(a, b, true);
	t2 = write_str(b, RF_FORMAT_DOCKER);
	expect_str(t2, t1);
	rf_profile_free(a);
	rf_profile_free(b);
}

Test(profile_write, oci_to_spo_to_oci_is_identity)
{
	struct rf_profile *a = parse_fixture("profiles/valid/oci-bare.json"), *s, *o;
	_cleanup_str_ char *oci1 = write_str(a, RF_FORMAT_OCI), *spo = write_str(a, RF_FORMAT_SPO);
	_cleanup_str_ char *oci2 = NULL;

	s = parse_ok(spo, strlen(spo), "as-spo");
	expect_u(s->format, RF_FORMAT_SPO);
	expect_profiles_equal(a, s, false);
	oci2 = write_str(s, RF_FORMAT_OCI);
	o = parse_ok(oci2, strlen(oci2), "back-to-oci");
	expect_profiles_equal(a, o, false);
	expect_str(oci2, oci1);
	rf_profile_free(a);
	rf_profile_free(s);
	rf_profile_free(o);
}

Test(profile_write, spo_to_oci_to_spo_is_identity)
{
	struct rf_profile *a = parse_fixture("profiles/valid/spo-profile.yaml"), *o, *s;
	_cleanup_str_ char *spo1 = write_str(a, RF_FORMAT_SPO), *oci = write_str(a, RF_FORMAT_OCI);
	_cleanup_str_ char *spo2 = NULL;

	o = parse_ok(oci, strlen(oci), "as-oci");
	expect_profiles_equal(a, o, false);
	/* OCI has no metadata; carry the name over to compare the YAML byte for byte. */
	o->spo_name = strdup(a->spo_name);
	o->spo_namespace = strdup(a->spo_namespace);
	spo2 = write_str(o, RF_FORMAT_SPO);
	s = parse_ok(spo2, strlen(spo2), "back-to-spo");
	expect_profiles_equal(a, s, false);
	expect_str(spo2, spo1);
	rf_profile_free(a);
	rf_profile_free(o);
	rf_profile_free(s);
}

Test(profile_write, config_json_to_spo_keeps_the_profile)
{
	struct rf_profile *a = parse_fixture("profiles/valid/oci-config.json"), *s;
	_cleanup_str_ char *spo = write_str(a, RF_FORMAT_SPO);

	s = parse_ok(spo, strlen(spo), "as-spo");
	expect_profiles_equal(a, s, false);
	rf_profile_free(a);
	rf_profile_free(s);
}

Test(profile_write, spo_output_has_kubernetes_header)
{
	static const char head[] = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n";
	struct rf_profile *a = parse_fixture("profiles/valid/oci-bare.json");
	_cleanup_str_ char *spo = write_str(a, RF_FORMAT_SPO);

	cr_assert(strncmp(spo, head, strlen(head)) == 0, "%s", spo);
	expect_contains(spo, "\nkind: SeccompProfile\n");
	expect_contains(spo, "\nmetadata:\n  name: ");
	expect_contains(spo, "\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n");
	rf_profile_free(a);
}

/* Regression test: (lib/seccomp/write.c json_strv/yaml_strv): `sort` makes a copy of the names but
 * never calls strv_sort() on it, so names come out in source order, not sorted (DESIGN §5).
 * (fixed). */
Test(profile_write, names_are_sorted_in_every_format)
{
	struct rf_profile *a = parse_fixture("profiles/valid/oci-bare.json");
	enum rf_profile_format fmts[] = { RF_FORMAT_OCI, RF_FORMAT_DOCKER, RF_FORMAT_SPO };

	for (size_t f = 0; f < 3; f++) {
		_cleanup_str_ char *t = write_str(a, fmts[f]);
		struct rf_profile *b = parse_ok(t, strlen(t), rf_format_to_string(fmts[f]));
		char *const *n = b->rules[0].names;

		for (size_t i = 1; i < b->rules[0].n_names; i++)
			cr_assert_lt(strcmp(n[i - 1], n[i]), 0, "%s: '%s' before '%s'",
				     rf_format_to_string(fmts[f]), n[i - 1], n[i]);
		rf_profile_free(b);
	}
	rf_profile_free(a);
}

Test(profile_write, oci_output_drops_docker_comments)
{
	struct rf_profile *a = parse_str("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
					 "[{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", "
					 "\"comment\": \"no signals\"}]}");
	_cleanup_str_ char *oci = write_str(a, RF_FORMAT_OCI),
			   *docker = write_str(a, RF_FORMAT_DOCKER);

	cr_assert_null(strstr(oci, "comment"), "OCI output has a Docker key:\n%s", oci);
	expect_contains(docker, "\"comment\": \"no signals\"");
	rf_profile_free(a);
}

Test(profile_write, refuses_oci_and_spo_for_unresolved_docker_profile)
{
	struct rf_profile *a = parse_fixture("profiles/valid/docker-moby.json");
	enum rf_profile_format fmts[] = { RF_FORMAT_OCI, RF_FORMAT_OCI_CONFIG, RF_FORMAT_SPO };

	for (size_t f = 0; f < 3; f++) {
		_cleanup_error_ struct rf_error err = { 0 };
		FILE *out = fopen("/dev/null", "w");

		expect_i(rf_profile_write(a, fmts[f], out, &err), -EINVAL);
		expect_contains(err.message, "resolve it first");
		fclose(out);
	}
	rf_profile_free(a);
}

Test(profile_write, rejects_unknown_format)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *a = parse_str("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
	FILE *out = fopen("/dev/null", "w");

	expect_i(rf_profile_write(a, RF_FORMAT_UNKNOWN, out, &err), -EINVAL);
	expect_contains(err.message, "unknown output format");
	fclose(out);
	rf_profile_free(a);
}

Test(profile_write, escapes_strings_and_keeps_utf8)
{
	static const char doc[] =
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/a "
		"\\\"b\\\".sock\","
		" \"listenerMetadata\": \"tab\\there\\nnew\\\\line \\u0001 caf\xc3\xa9\","
		" \"syscalls\": []}";
	struct rf_profile *a = parse_str(doc);
	enum rf_profile_format fmts[] = { RF_FORMAT_OCI, RF_FORMAT_SPO };

	expect_str(a->listener_metadata, "tab\there\nnew\\line \x01 caf\xc3\xa9");
	for (size_t f = 0; f < 2; f++) {
		_cleanup_str_ char *t = write_str(a, fmts[f]);
		struct rf_profile *b = parse_ok(t, strlen(t), rf_format_to_string(fmts[f]));

		expect_str(b->listener_path, a->listener_path);
		expect_str(b->listener_metadata, a->listener_metadata);
		expect_contains(t, "caf\xc3\xa9"); /* UTF-8 passes through unescaped */
		rf_profile_free(b);
	}
	rf_profile_free(a);
}

Test(profile_write, full_64bit_argument_values_survive)
{
	struct rf_profile *a = parse_str(
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ioctl\"], "
		"\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": "
		"18446744073709551615, \"valueTwo\": 9223372036854775808, \"op\": "
		"\"SCMP_CMP_MASKED_EQ\"}]}]}");
	enum rf_profile_format fmts[] = { RF_FORMAT_OCI, RF_FORMAT_SPO };

	for (size_t f = 0; f < 2; f++) {
		_cleanup_str_ char *t = write_str(a, fmts[f]);
		struct rf_profile *b = parse_ok(t, strlen(t), rf_format_to_string(fmts[f]));

		expect_u(b->rules[0].args[0].value, UINT64_MAX);
		expect_u(b->rules[0].args[0].value_two, UINT64_C(1) << 63);
		rf_profile_free(b);
	}
	rf_profile_free(a);
}

Test(profile_write, empty_rule_list_round_trips)
{
	struct rf_profile *a = parse_str("{\"defaultAction\": \"SCMP_ACT_LOG\"}");
	enum rf_profile_format fmts[] = { RF_FORMAT_OCI, RF_FORMAT_DOCKER, RF_FORMAT_SPO };

	for (size_t f = 0; f < 3; f++) {
		_cleanup_str_ char *t = write_str(a, fmts[f]);
		struct rf_profile *b = parse_ok(t, strlen(t), rf_format_to_string(fmts[f]));

		expect_profiles_equal(a, b, true);
		rf_profile_free(b);
	}
	rf_profile_free(a);
}

Test(profile_write, write_file_publishes_a_loadable_profile)
{
	_cleanup_error_ struct rf_error err = { 0 };
	char dir[] = "/tmp/rf-unit-XXXXXX";
	_cleanup_str_ char *path = NULL;
	struct rf_profile *a = parse_fixture("profiles/valid/spo-profile.yaml"), *b = NULL;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert(asprintf(&path, "%s/out.yaml", dir) > 0);
	expect_i(rf_profile_write_file(a, RF_FORMAT_SPO, path, &err), 0);
	expect_i(rf_profile_load(path, &b, &err), 0);
	expect_profiles_equal(a, b, false);
	expect_str(b->spo_name, "web-server");
	unlink(path);
	rmdir(dir);
	rf_profile_free(a);
	rf_profile_free(b);
}
