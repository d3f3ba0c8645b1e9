/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability lists: rf_caps_parse_list / rf_caps_to_names against libcap's own numbering, and
 * rf_caps_apply in this test's private process (root only). */
#include <sys/capability.h>
#include <unistd.h>

#include "ringfence/caps.h"
#include "unit.h"

#define BIT(c) (UINT64_C(1) << (c))

static uint64_t parse(const char *list)
{
	_cleanup_error_ struct rf_error err = { 0 };
	uint64_t set = 0xdeadbeef;
	int r = rf_caps_parse_list(list, &set, &err);

	cr_assert(r == 0, "rf_caps_parse_list(\"%s\") = %d: %s", list, r,
		  err.message ? err.message : "");
	return set;
}

Test(caps, all_is_every_capability_the_kernel_knows)
{
	uint64_t all = rf_caps_all();

	expect_u(parse("ALL"), all);
	expect_u(parse("all"), all);
	cr_assert(all & BIT(CAP_CHOWN));
	cr_assert(all & BIT(CAP_SYS_ADMIN));
	cr_assert_eq(all & (all + 1), 0, "0x%llx is not a contiguous mask",
		     (unsigned long long)all);
	expect_u(__builtin_popcountll(all), cap_max_bits());
}

Test(caps, bare_lowercase_name)
{
	expect_u(parse("sys_admin"), BIT(CAP_SYS_ADMIN));
}

Test(caps, prefixed_comma_list)
{
	expect_u(parse("CAP_NET_RAW,CHOWN"), BIT(CAP_NET_RAW) | BIT(CAP_CHOWN));
}

Test(caps, spaces_and_mixed_case)
{
	expect_u(parse(" cap_kill , SetUID,,"), BIT(CAP_KILL) | BIT(CAP_SETUID));
}

/* A list that names nothing is a mistake (`--cap-add "$UNSET"`), not "no capabilities". */
Test(caps, empty_list_is_einval)
{
	static const char *const bad[] = { "", ",", " , ", " ", "CAP_" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_error_ struct rf_error err = { 0 };
		uint64_t set = 42;

		expect_i(rf_caps_parse_list(bad[i], &set, &err), -EINVAL);
		cr_assert(err.message, "no message for '%s'", bad[i]);
		expect_u(set, 42);
	}
	expect_i(rf_caps_parse_list(NULL, &(uint64_t){ 0 }, NULL), -EINVAL);
	expect_u(parse(" CHOWN ,, SETUID,"), BIT(CAP_CHOWN) | BIT(CAP_SETUID));
}

Test(caps, unknown_name_is_einval_with_message)
{
	_cleanup_error_ struct rf_error err = { 0 };
	uint64_t set = 42;

	expect_i(rf_caps_parse_list("CHOWN,CAP_FLY", &set, &err), -EINVAL);
	expect_contains(err.message, "unknown capability 'CAP_FLY'");
	expect_u(set, 42); /* outputs are written only on success */
}

Test(caps, to_names_is_upper_case_in_bit_order)
{
	char **names = NULL;

	expect_i(rf_caps_to_names(BIT(CAP_SYS_ADMIN) | BIT(CAP_CHOWN) | BIT(CAP_NET_RAW), &names),
		 0);
	expect_u(strv_length(names), 3);
	expect_str(names[0], "CAP_CHOWN");
	expect_str(names[1], "CAP_NET_RAW");
	expect_str(names[2], "CAP_SYS_ADMIN");
	strv_free(names);
}

Test(caps, to_names_of_empty_set_is_an_empty_list)
{
	char **names = NULL;

	expect_i(rf_caps_to_names(0, &names), 0);
	cr_assert_not_null(names);
	expect_u(strv_length(names), 0);
	strv_free(names);
}

Test(caps, names_parse_back_to_the_same_set)
{
	char **names = NULL;
	char *joined = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&joined, &len);

	expect_i(rf_caps_to_names(rf_caps_all(), &names), 0);
	STRV_FOREACH(n, names)
		fprintf(f, "%s,", *n);
	fclose(f);
	expect_u(parse(joined), rf_caps_all());
	free(joined);
	strv_free(names);
}

Test(caps, bounding_set_is_within_all)
{
	uint64_t b = 0;

	expect_i(rf_caps_bounding(&b), 0);
	expect_u(b & ~rf_caps_all(), 0);
}

Test(caps, apply_leaves_exactly_the_kept_set)
{
	_cleanup_error_ struct rf_error err = { 0 };
	uint64_t keep = BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE), bound = 0;

	if (geteuid() != 0 || !rf_caps_have_effective(CAP_SETPCAP) ||
	    !rf_caps_have_effective(CAP_SYS_ADMIN))
		cr_skip_test("SKIP: needs root with CAP_SETPCAP and CAP_SYS_ADMIN");
	expect_i(rf_caps_apply(keep, -1, -1, &err), 0);
	expect_i(rf_caps_bounding(&bound), 0);
	expect_u(bound, keep);
	cr_assert(rf_caps_have_effective(CAP_CHOWN));
	cr_assert_not(rf_caps_have_effective(CAP_SYS_ADMIN));
}
