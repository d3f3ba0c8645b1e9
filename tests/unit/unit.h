/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers for the Criterion unit tests: assertions that print what they saw, fixture
 * loading from $RF_SRC/tests/data, and profile parse/write/compare shortcuts. Header-only and
 * static so every test binary stays one .c file. */
#pragma once

#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/strv.h"
#include "ringfence/error.h"
#include "ringfence/profile.h"

/* Assertions that always print actual and expected. */
#define expect_u(actual, expected)                                                                 \
	do {                                                                                       \
		unsigned long long _a = (unsigned long long)(actual);                              \
		unsigned long long _e = (unsigned long long)(expected);                            \
		cr_assert_eq(_a, _e, "%s: got %llu (0x%llx), expected %llu (0x%llx)", #actual, _a, \
			     _a, _e, _e);                                                          \
	} while (0)

#define expect_i(actual, expected)                                                                 \
	do {                                                                                       \
		long long _a = (long long)(actual);                                                \
		long long _e = (long long)(expected);                                              \
		cr_assert_eq(_a, _e, "%s: got %lld, expected %lld", #actual, _a, _e);              \
	} while (0)

#define expect_str(actual, expected)                                                               \
	do {                                                                                       \
		const char *_a = (actual);                                                         \
		const char *_e = (expected);                                                       \
		cr_assert(_a &&_e &&strcmp(_a, _e) == 0, "%s: got \"%s\", expected \"%s\"",        \
			  #actual, _a ? _a : "(null)", _e ? _e : "(null)");                        \
	} while (0)

#define expect_contains(actual, needle)                                                            \
	do {                                                                                       \
		const char *_a = (actual);                                                         \
		const char *_n = (needle);                                                         \
		cr_assert(_a &&strstr(_a, _n), "%s: \"%s\" does not contain \"%s\"", #actual,      \
			  _a ? _a : "(null)", _n);                                                 \
	} while (0)

#define expect_true(cond, ...) cr_assert((cond), __VA_ARGS__)

static inline void rf_error_clearp(struct rf_error *e)
{
	rf_error_clear(e);
}
#define _cleanup_error_ __attribute__((cleanup(rf_error_clearp)))

static inline void freestrp(char **p)
{
	free(*p);
}
#define _cleanup_str_ __attribute__((cleanup(freestrp)))

/* Absolute path of a file under tests/data (caller frees). */
static inline char *fixture_path(const char *rel)
{
	const char *src = getenv("RF_SRC");
	char *path = NULL;

	cr_assert(src && *src, "RF_SRC is not set: run the unit tests through meson test");
	cr_assert(asprintf(&path, "%s/tests/data/%s", src, rel) >= 0);
	return path;
}

static inline char *read_fixture(const char *rel, size_t *ret_len)
{
	_cleanup_str_ char *path = fixture_path(rel);
	_cleanup_error_ struct rf_error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	int r = rf_read_file(path, RF_PROFILE_MAX_BYTES, &text, &len, &err);

	cr_assert(r >= 0, "cannot read %s: %s", path, err.message ? err.message : strerror(-r));
	if (ret_len)
		*ret_len = len;
	return text;
}

/* Parses text that must be valid; the test fails with the parser's message otherwise. */
static inline struct rf_profile *parse_ok(const char *text, size_t len, const char *source)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_profile *p = NULL;
	int r = rf_profile_parse(text, len, source, &p, &err);

	cr_assert(r == 0 && p, "parsing %s failed (%d): %s", source, r,
		  err.message ? err.message : "(no message)");
	return p;
}

static inline struct rf_profile *parse_str(const char *text)
{
	return parse_ok(text, strlen(text), "inline.json");
}

static inline struct rf_profile *parse_fixture(const char *rel)
{
	size_t len = 0;
	_cleanup_str_ char *text = read_fixture(rel, &len);

	return parse_ok(text, len, rel);
}

/* rf_profile_write into a string (caller frees); the write must succeed. */
static inline char *write_str(const struct rf_profile *p, enum rf_profile_format fmt)
{
	_cleanup_error_ struct rf_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	cr_assert(f, "open_memstream");
	r = rf_profile_write(p, fmt, f, &err);
	cr_assert(fclose(f) == 0);
	if (r < 0)
		free(buf);
	cr_assert(r == 0, "rf_profile_write(%s) failed (%d): %s", rf_format_to_string(fmt), r,
		  err.message ? err.message : "(no message)");
	return buf;
}

/* Index of the n-th rule (0-based) whose names contain `name`, or -1. */
static inline long rule_with(const struct rf_profile *p, const char *name, unsigned nth)
{
	for (size_t i = 0; i < p->n_rules; i++)
		if (strv_contains(p->rules[i].names, name) && nth-- == 0)
			return (long)i;
	return -1;
}

static inline size_t count_rules_with(const struct rf_profile *p, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_rules; i++)
		n += strv_contains(p->rules[i].names, name);
	return n;
}

static inline void expect_strv_eq(char *const *a, char *const *b, bool as_set, const char *what)
{
	_cleanup_strv_free_ char **ca = strv_copy(a), **cb = strv_copy(b);
	size_t na = strv_length(a), nb = strv_length(b);

	cr_assert(!!a == !!b, "%s: one list is missing (%p vs %p)", what, (void *)a, (void *)b);
	cr_assert_eq(na, nb, "%s: %zu entries vs %zu", what, na, nb);
	if (as_set) {
		strv_sort(ca);
		strv_sort(cb);
	}
	for (size_t i = 0; i < na; i++)
		cr_assert_str_eq(ca[i], cb[i], "%s[%zu]: \"%s\" vs \"%s\"", what, i, ca[i], cb[i]);
}

static inline void expect_opt_str_eq(const char *a, const char *b, const char *what)
{
	cr_assert(!!a == !!b, "%s: \"%s\" vs \"%s\"", what, a ? a : "(null)", b ? b : "(null)");
	if (a)
		cr_assert_str_eq(a, b, "%s: \"%s\" vs \"%s\"", what, a, b);
}

static inline void expect_cond_eq(const struct rf_seccomp_rule_cond *a,
				  const struct rf_seccomp_rule_cond *b, const char *what)
{
	expect_strv_eq(a->caps, b->caps, false, what);
	expect_strv_eq(a->arches, b->arches, false, what);
	expect_opt_str_eq(a->min_kernel, b->min_kernel, what);
}

/* Semantic equality of two profiles: everything a runtime reads; names compared as sets
 * (writers sort them); comments and conditions only when `docker`. */
static inline void expect_profiles_equal(const struct rf_profile *a, const struct rf_profile *b,
					 bool docker)
{
	cr_assert_eq(a->default_action, b->default_action, "defaultAction: %s vs %s",
		     rf_action_to_string(a->default_action),
		     rf_action_to_string(b->default_action));
	cr_assert_eq(a->has_default_errno_ret, b->has_default_errno_ret, "has defaultErrnoRet");
	cr_assert_eq(a->default_errno_ret, b->default_errno_ret, "defaultErrnoRet: %u vs %u",
		     a->default_errno_ret, b->default_errno_ret);
	if (docker)
		expect_opt_str_eq(a->default_errno_name, b->default_errno_name, "defaultErrno");
	expect_strv_eq(a->architectures, b->architectures, false, "architectures");
	expect_strv_eq(a->flags, b->flags, false, "flags");
	expect_opt_str_eq(a->listener_path, b->listener_path, "listenerPath");
	expect_opt_str_eq(a->listener_metadata, b->listener_metadata, "listenerMetadata");
	cr_assert_eq(a->n_rules, b->n_rules, "rule count: %zu vs %zu", a->n_rules, b->n_rules);
	for (size_t i = 0; i < a->n_rules; i++) {
		const struct rf_seccomp_rule *x = &a->rules[i], *y = &b->rules[i];

		expect_strv_eq(x->names, y->names, true, "names");
		cr_assert_eq(x->n_names, y->n_names, "rule %zu: n_names %zu vs %zu", i, x->n_names,
			     y->n_names);
		cr_assert_eq(x->action, y->action, "rule %zu: action %s vs %s", i,
			     rf_action_to_string(x->action), rf_action_to_string(y->action));
		cr_assert_eq(x->has_errno_ret, y->has_errno_ret, "rule %zu: has errnoRet", i);
		cr_assert_eq(x->errno_ret, y->errno_ret, "rule %zu: errnoRet %u vs %u", i,
			     x->errno_ret, y->errno_ret);
		cr_assert_eq(x->n_args, y->n_args, "rule %zu: %zu args vs %zu", i, x->n_args,
			     y->n_args);
		for (size_t k = 0; k < x->n_args; k++) {
			const struct rf_seccomp_arg *p = &x->args[k], *q = &y->args[k];
			cr_assert(p->index == q->index && p->op == q->op && p->value == q->value &&
					  p->value_two == q->value_two,
				  "rule %zu arg %zu: {%u %s %" PRIu64 " %" PRIu64
				  "} vs {%u %s %" PRIu64 " %" PRIu64 "}",
				  i, k, p->index, rf_cmp_to_string(p->op), p->value, p->value_two,
				  q->index, rf_cmp_to_string(q->op), q->value, q->value_two);
		}
		if (docker) {
			expect_opt_str_eq(x->errno_name, y->errno_name, "errno");
			expect_opt_str_eq(x->comment, y->comment, "comment");
			expect_cond_eq(&x->includes, &y->includes, "includes");
			expect_cond_eq(&x->excludes, &y->excludes, "excludes");
		}
	}
	if (docker) {
		cr_assert_eq(a->n_arch_map, b->n_arch_map, "archMap size %zu vs %zu", a->n_arch_map,
			     b->n_arch_map);
		for (size_t i = 0; i < a->n_arch_map; i++) {
			cr_assert_str_eq(a->arch_map[i].arch, b->arch_map[i].arch);
			expect_strv_eq(a->arch_map[i].sub_arches, b->arch_map[i].sub_arches, false,
				       "subArchitectures");
		}
	}
}
