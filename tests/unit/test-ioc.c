/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Threat-intelligence lists: the three formats of data/ioc/, matching rules for addresses,
 * domains, zones and hashes, and refusal of what is not an indicator. */
#include <arpa/inet.h>
#include <unistd.h>

#include "core/ipset.h"
#include "core/macro.h"
#include "unit.h"
#include "ringfence/ioc.h"

static struct rf_ioc_set *load(const char *const *files)
{
	struct rf_ioc_set *s = NULL;
	struct rf_error e = { 0 };

	cr_assert_eq(rf_ioc_set_new(&s), 0);
	for (; *files; files++) {
		_cleanup_str_ char *path = NULL;

		cr_assert(asprintf(&path, "%s/data/ioc/%s", getenv("RF_SRC"), *files) > 0);
		cr_assert_eq(rf_ioc_load(s, path, &e), 0, "%s: %s", *files, e.message ?: "");
	}
	cr_assert_eq(rf_ioc_build(s), 0);
	return s;
}

static const struct rf_ioc *ip(const struct rf_ioc_set *s, const char *a)
{
	struct rf_ip x;

	cr_assert_eq(rf_ip_parse(a, &x), 0);
	return rf_ioc_match_ip(s, x.b);
}

Test(ioc, the_sample_lists_load_and_match)
{
	static const char *const files[] = { "sample.txt", "sample.csv", "sample-stix.json", NULL };
	_cleanup_(rf_ioc_set_freep) struct rf_ioc_set *s = load(files);
	struct rf_ioc_counts c;
	const struct rf_ioc *m;

	rf_ioc_counts(s, &c);
	expect_u(c.ips, 7);
	expect_u(c.domains, 4);
	expect_u(c.zones, 1);
	expect_u(c.hashes, 2);
	m = ip(s, "203.0.113.66");
	cr_assert(m);
	expect_str(m->category, "CryptoCurrency");
	expect_contains(m->file, "sample.txt");
	expect_u(m->line, 3);
	expect_str(ip(s, "198.51.100.9")->value, "198.51.100.0/28");
	expect_str(ip(s, "198.51.100.200")->category, "C&C"); /* the CSV's /25 */
	expect_str(ip(s, "2001:db8:bad:1::5")->category, "C&C");
	expect_str(ip(s, "203.0.113.7")->description, "exit node, sample");
	expect_str(ip(s, "192.0.2.99")->category, "C&C"); /* STIX x_category */
	cr_assert_null(ip(s, "192.0.2.1"));
	cr_assert_null(ip(s, "2001:db8::1"));
	expect_str(rf_ioc_match_domain(s, "POOL.Mining.test.")->category, "CryptoCurrency");
	cr_assert_null(rf_ioc_match_domain(s, "x.pool.mining.test"), "an exact entry is exact");
	expect_str(rf_ioc_match_domain(s, "eu1.stratum.test")->value, "stratum.test");
	expect_str(rf_ioc_match_domain(s, "stratum.test")->value, "stratum.test");
	cr_assert_null(rf_ioc_match_domain(s, "notstratum.test"), "a zone ends at a dot");
	expect_str(rf_ioc_match_domain(s, "xmr.pool.test")->category, "CryptoCurrency");
	cr_assert(rf_ioc_match_sha256(
		s, "F79F8FC3660A356BFBF666A35F1E9D514EC58816822817AE7A84C77E1BF75780"));
	expect_str(rf_ioc_match_sha256(s, "7dc8c4378034963d1d3046d523b1da73c42fd0ff29a31874cbc62d51"
					  "a1ef495c")
			   ->category,
		   "Backdoor");
}

static int load_text(const char *text, struct rf_error *e)
{
	_cleanup_(rf_ioc_set_freep) struct rf_ioc_set *s = NULL;
	char path[] = "/tmp/rf-ioc-XXXXXX";
	int fd = mkstemp(path), r;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(rf_ioc_set_new(&s), 0);
	r = rf_ioc_load(s, path, e);
	unlink(path);
	return r;
}

Test(ioc, what_is_not_an_indicator_is_an_error_with_its_line)
{
	static const char *const bad[] = {
		"203.0.113.5\n10.0.0.1/8\n",	/* host bits */
		"example.test\nnot-a-domain\n", /* a bare word */
		"203.0.113.5\n999.1.1.1\n",
		"*.\n",
		"deadbeef\n",		      /* a short hash is a bare word */
		"indicator,category\n,C&C\n", /* CSV: an empty indicator */
		"value;category\nx;y\n",      /* not CSV, and not plain either */
		"{\"objects\": [{\"type\": \"indicator\", \"pattern\": \"[url:value = 'x']\"}]}",
		"{\"objects\": 5}",
		NULL,
	};

	for (const char *const *b = bad; *b; b++) {
		struct rf_error e = { 0 };

		cr_assert_eq(load_text(*b, &e), -EINVAL, "refused: %s", *b);
		cr_assert_not_null(e.message);
		rf_error_clear(&e);
	}
	{
		struct rf_error e = { 0 };

		cr_assert_eq(load_text("203.0.113.5\n\n# c\n10.0.0.1/8\n", &e), -EINVAL);
		expect_u(e.line, 4);
		rf_error_clear(&e);
	}
}

/* 500k entries load; the time is printed (bench/ measures it; no timing assertion here). */
Test(ioc, half_a_million_entries)
{
	_cleanup_(rf_ioc_set_freep) struct rf_ioc_set *s = NULL;
	char path[] = "/tmp/rf-ioc-big-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct rf_ioc_counts c;

	for (unsigned i = 0; i < 250000; i++)
		fprintf(f, "%u.%u.%u.%u\nhost%u.bad.test\n", 10 + i % 200, (i >> 16) & 255,
			(i >> 8) & 255, i & 255, i);
	fclose(f);
	cr_assert_eq(rf_ioc_set_new(&s), 0);
	cr_assert_eq(rf_ioc_load(s, path, NULL), 0);
	cr_assert_eq(rf_ioc_build(s), 0);
	unlink(path);
	rf_ioc_counts(s, &c);
	expect_u(c.ips, 250000);
	expect_u(c.domains, 250000);
	cr_assert(ip(s, "10.0.0.0"));
	cr_assert(rf_ioc_match_domain(s, "host249999.bad.test"));
	cr_assert_null(rf_ioc_match_domain(s, "host250000.bad.test"));
}
