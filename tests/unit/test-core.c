/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/core: the JSON writer, string vectors, arch naming, kernel versions, rf_error and the
 * bounded/atomic file helpers. */
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arch.h"
#include "core/escape.h"
#include "core/json-writer.h"
#include "core/utf8.h"
#include "unit.h"

/* ---- json-writer ---- */

struct jbuf {
	char *text;
	size_t len;
	FILE *f;
	struct rf_json j;
};

static void jopen(struct jbuf *b, bool pretty)
{
	*b = (struct jbuf){ 0 };
	b->f = open_memstream(&b->text, &b->len);
	cr_assert_not_null(b->f);
	rf_json_init(&b->j, b->f, pretty);
}

/* Closes the stream, compares, frees. */
static void jexpect(struct jbuf *b, const char *expected)
{
	cr_assert_eq(fclose(b->f), 0);
	expect_str(b->text, expected);
	free(b->text);
}

Test(json_writer, compact_nesting_and_scalars)
{
	struct jbuf b;

	jopen(&b, false);
	rf_json_start_object(&b.j);
	rf_json_name(&b.j, "a");
	rf_json_start_array(&b.j);
	rf_json_uint(&b.j, 1);
	rf_json_int(&b.j, -2);
	rf_json_start_object(&b.j);
	rf_json_bool_field(&b.j, "b", true);
	rf_json_end_object(&b.j);
	rf_json_end_array(&b.j);
	rf_json_name(&b.j, "c");
	rf_json_null(&b.j);
	rf_json_string_field(&b.j, "d", NULL);
	rf_json_uint_field(&b.j, "e", UINT64_MAX);
	rf_json_end_object(&b.j);
	rf_json_finish(&b.j);
	jexpect(&b,
		"{\"a\":[1,-2,{\"b\":true}],\"c\":null,\"d\":null,\"e\":18446744073709551615}\n");
}

Test(json_writer, pretty_indents_two_spaces_and_keeps_empty_containers_inline)
{
	struct jbuf b;

	jopen(&b, true);
	rf_json_start_object(&b.j);
	rf_json_name(&b.j, "list");
	rf_json_start_array(&b.j);
	rf_json_uint(&b.j, 1);
	rf_json_start_object(&b.j);
	rf_json_end_object(&b.j);
	rf_json_end_array(&b.j);
	rf_json_name(&b.j, "empty");
	rf_json_start_array(&b.j);
	rf_json_end_array(&b.j);
	rf_json_int_field(&b.j, "n", -7);
	rf_json_end_object(&b.j);
	rf_json_finish(&b.j);
	jexpect(&b, "{\n  \"list\": [\n    1,\n    {}\n  ],\n  \"empty\": [],\n  \"n\": -7\n}\n");
}

Test(json_writer, escapes_quotes_backslashes_and_control_characters)
{
	struct jbuf b;

	jopen(&b, false);
	rf_json_string(&b.j, "q\"b\\s/\n\r\t\b\f\x01\x1f\x7f");
	jexpect(&b, "\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\"");
}

Test(json_writer, passes_utf8_through)
{
	struct jbuf b;

	jopen(&b, false);
	rf_json_string(&b.j, "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92");
	jexpect(&b, "\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92\"");
}

Test(json_writer, escapes_names_too)
{
	struct jbuf b;

	jopen(&b, false);
	rf_json_start_object(&b.j);
	rf_json_string_field(&b.j, "a\"b", "v");
	rf_json_end_object(&b.j);
	jexpect(&b, "{\"a\\\"b\":\"v\"}");
}

Test(json_writer, hex_for_values_past_2_pow_53)
{
	struct jbuf b;

	jopen(&b, false);
	rf_json_start_array(&b.j);
	rf_json_hex(&b.j, UINT64_C(0x20000000000001));
	rf_json_hex(&b.j, 0);
	rf_json_end_array(&b.j);
	jexpect(&b, "[\"0x20000000000001\",\"0x0\"]");
}

/* Regression test: (lib/core/json-writer.c open/close_): past 31 levels open() stops incrementing
 * depth but close_() still decrements, so separators are lost and the output is not JSON; the
 * writer has no error state to report it either. (fixed). */
Test(json_writer, deep_nesting_keeps_separators_right)
{
	enum { DEPTH = 40 };
	char expected[DEPTH * 12 + 16] = "", *e = expected;
	struct jbuf b;

	/* [0,[1,[2,...[39],"x"],"x"]...,"x"] */
	jopen(&b, false);
	for (int i = 0; i < DEPTH; i++) {
		rf_json_start_array(&b.j);
		rf_json_uint(&b.j, (uint64_t)i);
		e += sprintf(e, "%s[%d", i ? "," : "", i);
	}
	for (int i = 0; i < DEPTH; i++) {
		rf_json_end_array(&b.j);
		if (i < DEPTH - 1)
			rf_json_string(&b.j, "x");
		e += sprintf(e, i < DEPTH - 1 ? "],\"x\"" : "]");
	}
	jexpect(&b, expected);
}

/* ---- strv ---- */

Test(strv, extend_length_contains)
{
	char **v = NULL;

	expect_u(strv_length(v), 0);
	cr_assert_not(strv_contains(v, "a"));
	expect_i(strv_extend(&v, "b"), 0);
	expect_i(strv_extend(&v, "a"), 0);
	expect_i(strv_extend(&v, "b"), 0);
	expect_u(strv_length(v), 3);
	cr_assert(strv_contains(v, "a"));
	cr_assert_null(v[3]);
	strv_free(v);
}

Test(strv, extend_unique_skips_present)
{
	char **v = NULL;

	expect_i(strv_extend_unique(&v, "x"), 0);
	expect_i(strv_extend_unique(&v, "x"), 0);
	expect_i(strv_extend_unique(&v, "y"), 0);
	expect_u(strv_length(v), 2);
	strv_free(v);
}

Test(strv, copy_is_deep_and_null_stays_null)
{
	char **v = NULL, **c;

	cr_assert_null(strv_copy(NULL));
	strv_extend(&v, "one");
	strv_extend(&v, "two");
	c = strv_copy(v);
	expect_u(strv_length(c), 2);
	cr_assert_neq(c[0], v[0], "copy shares strings");
	expect_str(c[1], "two");
	strv_free(v);
	strv_free(c);
	strv_free(NULL);
}

Test(strv, sort_is_bytewise)
{
	char **v = NULL;
	const char *in[] = { "write", "Read", "read", "_llseek", "accept4", "accept" };

	for (size_t i = 0; i < 6; i++)
		strv_extend(&v, in[i]);
	strv_sort(v);
	for (size_t i = 1; i < 6; i++)
		cr_assert_lt(strcmp(v[i - 1], v[i]), 0, "'%s' before '%s'", v[i - 1], v[i]);
	expect_str(v[0], "Read");
	strv_sort(NULL);
	strv_free(v);
}

/* ---- arch naming ---- */

Test(arch, oci_seccomp_and_go_spellings_map_to_one_token)
{
	expect_u(rf_arch_from_name("SCMP_ARCH_X86_64"), SCMP_ARCH_X86_64);
	expect_u(rf_arch_from_name("x86_64"), SCMP_ARCH_X86_64);
	expect_u(rf_arch_from_name("amd64"), SCMP_ARCH_X86_64);
	expect_u(rf_arch_from_name("386"), SCMP_ARCH_X86);
	expect_u(rf_arch_from_name("SCMP_ARCH_X86"), SCMP_ARCH_X86);
	expect_u(rf_arch_from_name("arm64"), SCMP_ARCH_AARCH64);
	expect_u(rf_arch_from_name("aarch64"), SCMP_ARCH_AARCH64);
	expect_u(rf_arch_from_name("SCMP_ARCH_S390X"), SCMP_ARCH_S390X);
	expect_u(rf_arch_from_name("ppc64le"), SCMP_ARCH_PPC64LE);
}

Test(arch, unknown_names_are_zero)
{
	expect_u(rf_arch_from_name("vax"), 0);
	expect_u(rf_arch_from_name("SCMP_ARCH_VAX"), 0);
	expect_u(rf_arch_from_name("AMD64"), 0); /* spellings are exact */
	expect_u(rf_arch_from_name(""), 0);
	expect_u(rf_arch_from_name(NULL), 0);
}

Test(arch, token_to_names)
{
	expect_str(rf_arch_oci_name(SCMP_ARCH_AARCH64), "SCMP_ARCH_AARCH64");
	expect_str(rf_arch_seccomp_name(SCMP_ARCH_AARCH64), "aarch64");
	expect_str(rf_arch_go_name(SCMP_ARCH_X86_64), "amd64");
	expect_str(rf_arch_go_name(SCMP_ARCH_MIPSEL), "mipsle");
	cr_assert_null(rf_arch_oci_name(0));
	cr_assert_null(rf_arch_go_name(0x12345678));
}

Test(arch, every_oci_name_round_trips)
{
	const char *names[] = { "x86_64",      "x86",	  "x32",    "aarch64",	"arm",
				"mips",	       "mipsel",  "mips64", "mipsel64", "mips64n32",
				"mipsel64n32", "ppc",	  "ppc64",  "ppc64le",	"s390",
				"s390x",       "riscv64", "parisc", "parisc64" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t tok = seccomp_arch_resolve_name(names[i]);

		if (!tok)
			continue; /* not in this libseccomp */
		expect_u(rf_arch_from_name(rf_arch_oci_name(tok)), tok);
		expect_str(rf_arch_seccomp_name(tok), names[i]);
	}
}

Test(arch, native_is_libseccomps_native)
{
	expect_u(rf_arch_native(), seccomp_arch_native());
	cr_assert_not_null(rf_arch_oci_name(rf_arch_native()));
}

/* ---- kernel versions ---- */

static void expect_version(const char *s, unsigned major, unsigned minor)
{
	unsigned ma = 999, mi = 999;

	expect_i(rf_parse_kernel_version(s, &ma, &mi), 0);
	expect_u(ma, major);
	expect_u(mi, minor);
}

Test(kernel_version, parses_major_minor_and_ignores_the_rest)
{
	expect_version("4.8", 4, 8);
	expect_version("5.10.3-foo", 5, 10);
	expect_version("6.18.44-fc-v782", 6, 18);
	expect_version("6", 6, 0);
}

Test(kernel_version, rejects_junk)
{
	const char *bad[] = { "", "v5.1", "four.eight", "4.", "4.x", "-4.8", "99999.1", "4.99999" };
	unsigned ma = 7, mi = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rf_parse_kernel_version(bad[i], &ma, &mi), -EINVAL, "'%s' accepted",
			     bad[i]);
	expect_i(rf_parse_kernel_version(NULL, &ma, &mi), -EINVAL);
	expect_u(ma, 7); /* untouched on failure */
}

Test(kernel_version, this_machine_parses)
{
	unsigned ma = 0, mi = 0;

	expect_i(rf_kernel_version(&ma, &mi), 0);
	cr_assert_geq(ma, 3);
}

/* ---- rf_error ---- */

Test(error, first_error_wins)
{
	struct rf_error e = { 0 };

	expect_i(rf_error_set(&e, -EINVAL, "first %d", 1), -EINVAL);
	expect_i(rf_error_set(&e, -ENOENT, "second"), -ENOENT);
	expect_str(e.message, "first 1");
	expect_i(e.code, -EINVAL);
	cr_assert(rf_error_is_set(&e));
	rf_error_clear(&e);
	cr_assert_not(rf_error_is_set(&e));
	cr_assert_null(e.message);
	expect_i(e.code, 0);
}

Test(error, set_at_prefixes_file_and_line)
{
	struct rf_error e = { 0 }, f = { 0 };

	expect_i(rf_error_set_at(&e, -EINVAL, "p.json", 12, "bad %s", "thing"), -EINVAL);
	expect_str(e.message, "p.json:12: bad thing");
	expect_str(e.file, "p.json");
	expect_u(e.line, 12);
	rf_error_set_at(&f, -EINVAL, "p.json", 0, "no line");
	expect_str(f.message, "p.json: no line");
	rf_error_clear(&e);
	rf_error_clear(&f);
}

Test(error, prefix_adds_context_and_keeps_the_code)
{
	struct rf_error e = { 0 };

	rf_error_set(&e, -EACCES, "permission denied");
	expect_i(rf_error_prefix(&e, -EIO, "reading '%s'", "x"), -EACCES);
	expect_str(e.message, "reading 'x': permission denied");
	rf_error_clear(&e);
}

Test(error, prefix_without_message_sets_one)
{
	struct rf_error e = { 0 };

	expect_i(rf_error_prefix(&e, -ENOENT, "loading"), -ENOENT);
	cr_assert(rf_error_is_set(&e));
	expect_contains(e.message, strerror(ENOENT));
	rf_error_clear(&e);
}

Test(error, null_error_still_returns_the_code)
{
	expect_i(rf_error_set(NULL, -E2BIG, "x"), -E2BIG);
	expect_i(rf_error_set_at(NULL, -EBADF, "f", 1, "x"), -EBADF);
	expect_i(rf_error_prefix(NULL, -EPIPE, "x"), -EPIPE);
	cr_assert_not(rf_error_is_set(NULL));
	rf_error_clear(NULL);
}

/* ---- fileio ---- */

static int write_hello(FILE *f, void *userdata)
{
	return fputs("hello\n", f) < 0 ? -EIO : 0;
}

static int write_then_fail(FILE *f, void *userdata)
{
	fputs("partial", f);
	return -EPROTO;
}

Test(fileio, read_is_bounded)
{
	_cleanup_error_ struct rf_error err = { 0 };
	_cleanup_str_ char *path = fixture_path("profiles/valid/oci-bare.json");
	char *text = NULL;
	size_t len = 0;

	expect_i(rf_read_file(path, 100, &text, &len, &err), -EFBIG);
	cr_assert_null(text);
	expect_contains(err.message, "is larger than 100 bytes");
	rf_error_clear(&err);
	expect_i(rf_read_file(path, 1 << 20, &text, &len, &err), 0);
	expect_u(strlen(text), len);
	free(text);
}

Test(fileio, atomic_write_publishes_or_leaves_nothing)
{
	_cleanup_error_ struct rf_error err = { 0 };
	char dir[] = "/tmp/rf-unit-XXXXXX";
	_cleanup_str_ char *ok = NULL, *bad = NULL, *text = NULL;
	struct stat st;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert(asprintf(&ok, "%s/ok", dir) > 0 && asprintf(&bad, "%s/bad", dir) > 0);
	expect_i(rf_write_file_atomic(ok, write_hello, NULL, &err), 0);
	expect_i(rf_read_file(ok, 100, &text, NULL, &err), 0);
	expect_str(text, "hello\n");
	expect_i(rf_write_file_atomic(bad, write_then_fail, NULL, &err), -EPROTO);
	expect_i(stat(bad, &st), -1);
	unlink(ok);
	expect_i(rmdir(dir), 0); /* no temp file left behind */
}

Test(json_writer, invalid_utf8_becomes_replacement_characters)
{
	struct jbuf b;

	jopen(&b, false);
	rf_json_string(&b.j, "a\xff"
			     "b\xc3\xa9"
			     "c\xed\xa0\x80");
	jexpect(&b, "\"a\\ufffdb\xc3\xa9"
		    "c\\ufffd\\ufffd\\ufffd\"");
}

Test(utf8, strict_and_located)
{
	expect_u(rf_utf8_invalid_line("a\nb\xc3\xa9\n", 6), 0);	  /* é */
	expect_u(rf_utf8_invalid_line("a\nb\n\xc0\xaf", 6), 3);	  /* overlong '/' */
	expect_u(rf_utf8_invalid_line("\xed\xa0\x80", 3), 1);	  /* surrogate U+D800 */
	expect_u(rf_utf8_invalid_line("\xf4\x90\x80\x80", 4), 1); /* above U+10FFFF */
	expect_u(rf_utf8_invalid_line("ok\n\xe2\x82", 5), 2);	  /* cut short */
	expect_u(rf_utf8_invalid_line("\xf0\x9f\x98\x80", 4), 0); /* U+1F600 */
	expect_u(rf_utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 2), 0);
	expect_u(rf_utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
}

/* ---- escape ---- */

/* One rule for messages and text reports: C0, DEL and the UTF-8 C1 controls (U+009B is CSI to
 * some terminals) become \xNN; other UTF-8 passes through. */
Test(escape, controls_become_hex_in_strings_and_streams)
{
	static const char in[] = "a\x1b[2Jb\x7f\xc2\x9b"
				 "1m\xc3\xa9\xc2\xa0\n";
	static const char want[] = "a\\x1b[2Jb\\x7f\\xc2\\x9b1m\xc3\xa9\xc2\xa0\\x0a";
	_cleanup_str_ char *s = rf_escape_controls(in), *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	expect_str(s, want);
	rf_fputs_escaped(in, f);
	rf_fputs_escaped(NULL, f);
	fclose(f);
	expect_str(text, want);
}
