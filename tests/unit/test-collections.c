/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/core's hash map and prefix set, against brute-force references on random operations. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/ipset.h"
#include "core/path.h"
#include "unit.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

Test(hashmap, random_ops_match_a_reference_array)
{
	enum { KEYS = 2048, OPS = 200000 };
	static void *ref[KEYS];
	struct rf_hmap m = RF_HMAP_INIT_U64;
	size_t live = 0;

	for (int op = 0; op < OPS; op++) {
		uint64_t k = next_rand() % KEYS;
		/* Keys far apart and clustered both: multiples of 2^32 collide in the low bits
		 * without a good hash. */
		uint64_t key = (k << 32) | (k & 7);
		void *v = (void *)(uintptr_t)(op + 1);

		switch (next_rand() % 3) {
		case 0: {
			void *old = NULL;
			int r = rf_hmap_put_u64(&m, key, v, &old);
			expect_i(r, ref[k] ? 0 : 1);
			if (!r)
				cr_assert_eq(old, ref[k]);
			live += !ref[k];
			ref[k] = v;
			break;
		}
		case 1:
			cr_assert_eq(rf_hmap_remove_u64(&m, key), ref[k]);
			live -= ref[k] != NULL;
			ref[k] = NULL;
			break;
		default:
			cr_assert_eq(rf_hmap_get_u64(&m, key), ref[k], "op %d key %llu", op,
				     (unsigned long long)k);
		}
		expect_u(m.n, live);
	}
	for (uint64_t k = 0; k < KEYS; k++)
		cr_assert_eq(rf_hmap_get_u64(&m, (k << 32) | (k & 7)), ref[k]);
	/* Iteration sees every live value once. */
	size_t it = 0, seen = 0;
	while (rf_hmap_next(&m, &it))
		seen++;
	expect_u(seen, live);
	rf_hmap_done(&m, NULL);
}

Test(hashmap, string_keys_compare_by_content)
{
	struct rf_hmap m = RF_HMAP_INIT_STR;
	char a[] = "/etc/shadow", b[] = "/etc/shadow", c[] = "/etc/passwd";

	expect_i(rf_hmap_put_str(&m, a, a, NULL), 1);
	expect_i(rf_hmap_put_str(&m, c, c, NULL), 1);
	cr_assert_eq(rf_hmap_get_str(&m, b), a, "a different pointer with the same text finds it");
	expect_i(rf_hmap_put_str(&m, b, b, NULL), 0);
	cr_assert_eq(rf_hmap_get_str(&m, "/etc/shadow"), b);
	cr_assert_eq(rf_hmap_remove_str(&m, "/etc/passwd"), c);
	cr_assert_null(rf_hmap_get_str(&m, "/etc/passwd"));
	cr_assert_null(rf_hmap_get_str(&m, ""));
	expect_u(m.n, 1);
	rf_hmap_done(&m, NULL);
}

Test(hashmap, values_are_freed_by_done)
{
	struct rf_hmap m = RF_HMAP_INIT_U64;

	for (int i = 0; i < 100; i++)
		cr_assert_geq(rf_hmap_put_u64(&m, (uint64_t)i, strdup("x"), NULL), 0);
	rf_hmap_done(&m, free); /* the sanitizer lane fails on a leak here */
	expect_u(m.n, 0);
}

static void add(struct rf_ipset *s, const char *cidr, const char *v)
{
	struct rf_ip ip;
	unsigned len;

	cr_assert_eq(rf_ip_parse_prefix(cidr, &ip, &len), 0, "%s parses", cidr);
	cr_assert_eq(rf_ipset_add(s, &ip, len, (void *)v), 0);
}

static const char *look(const struct rf_ipset *s, const char *addr)
{
	struct rf_ip ip;

	cr_assert_eq(rf_ip_parse(addr, &ip), 0, "%s parses", addr);
	return rf_ipset_lookup(s, &ip);
}

Test(ipset, longest_prefix_wins_v4_and_v6)
{
	struct rf_ipset s = { 0 };

	add(&s, "10.0.0.0/8", "ten");
	add(&s, "10.1.0.0/16", "ten-one");
	add(&s, "10.1.2.3", "host");
	add(&s, "192.0.2.0/24", "doc");
	add(&s, "2001:db8::/32", "v6doc");
	add(&s, "2001:db8:1::/48", "v6doc1");
	cr_assert_eq(rf_ipset_build(&s), 0);
	expect_str(look(&s, "10.9.9.9"), "ten");
	expect_str(look(&s, "10.1.9.9"), "ten-one");
	expect_str(look(&s, "10.1.2.3"), "host");
	expect_str(look(&s, "10.1.2.4"), "ten-one");
	expect_str(look(&s, "10.2.0.0"), "ten");
	expect_str(look(&s, "10.255.255.255"), "ten");
	cr_assert_null(look(&s, "11.0.0.0"));
	cr_assert_null(look(&s, "9.255.255.255"));
	expect_str(look(&s, "::ffff:192.0.2.77"), "doc"); /* a v4-mapped v6 address */
	expect_str(look(&s, "2001:db8:1:ffff::1"), "v6doc1");
	expect_str(look(&s, "2001:db8:2::1"), "v6doc");
	cr_assert_null(look(&s, "2001:db9::1"));
	cr_assert_null(look(&s, "::1"));
	rf_ipset_done(&s);
}

Test(ipset, the_later_of_two_identical_prefixes_wins_and_extremes_work)
{
	struct rf_ipset s = { 0 };

	add(&s, "0.0.0.0/0", "any4");
	add(&s, "198.51.100.0/24", "first");
	add(&s, "198.51.100.0/24", "second");
	add(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "top");
	add(&s, "::/0", "any6");
	add(&s, "::", "zero");
	cr_assert_eq(rf_ipset_build(&s), 0);
	expect_str(look(&s, "198.51.100.1"), "second");
	expect_str(look(&s, "8.8.8.8"), "any4");
	expect_str(look(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "top");
	expect_str(look(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), "any6");
	expect_str(look(&s, "::"), "zero");
	expect_str(look(&s, "::2"), "any6");
	rf_ipset_done(&s);
}

Test(ipset, refuses_what_its_author_did_not_mean)
{
	struct rf_ip ip;
	unsigned len;
	static const char *const bad[] = { "10.0.0.1/8", "10.0.0.0/33",	 "::/129",
					   "10.0.0.0/",	 "10.0.0.0/08",	 "10.0.0.0/-1",
					   "1.2.3",	 "example.test", "",
					   "/8",	 "10.0.0.0/8/8", "2001:db8::/32 ",
					   NULL };

	for (const char *const *b = bad; *b; b++)
		cr_assert_eq(rf_ip_parse_prefix(*b, &ip, &len), -EINVAL, "'%s' is refused", *b);
	cr_assert_eq(rf_ip_parse_prefix("10.0.0.0/8", &ip, &len), 0);
	expect_u(len, 104);
}

/* Random nested prefixes against a brute-force longest match. */
Test(ipset, random_prefixes_match_brute_force)
{
	enum { N = 3000, PROBES = 20000 };
	static struct rf_ip addrs[N];
	static unsigned lens[N];
	struct rf_ipset s = { 0 };

	for (int i = 0; i < N; i++) {
		/* v4 inside 10.0.0.0/8, lengths 8..32, so prefixes nest often. */
		unsigned len = 8 + (unsigned)(next_rand() % 25);
		uint32_t a = (10u << 24) | (uint32_t)(next_rand() & 0xffffff);

		a &= len == 0 ? 0 : ~0u << (32 - len);
		rf_ip_from_v4(a, &addrs[i]);
		lens[i] = 96 + len;
		cr_assert_eq(rf_ipset_add(&s, &addrs[i], lens[i], (void *)(uintptr_t)(i + 1)), 0);
	}
	cr_assert_eq(rf_ipset_build(&s), 0);
	cr_assert_leq(s.n_ranges, 2 * N + 1);
	for (int p = 0; p < PROBES; p++) {
		struct rf_ip ip;
		uint32_t a = (10u << 24) | (uint32_t)(next_rand() & 0xffffff);
		uintptr_t want = 0;
		unsigned best = 0;

		if (p % 4 == 0) /* half the probes land on an entry's own start */
			memcpy(&ip, &addrs[next_rand() % N], sizeof(ip));
		else
			rf_ip_from_v4(a, &ip);
		uint32_t v = ((uint32_t)ip.b[12] << 24) | ((uint32_t)ip.b[13] << 16) |
			     ((uint32_t)ip.b[14] << 8) | ip.b[15];
		for (int i = 0; i < N; i++) {
			unsigned l4 = lens[i] - 96;
			uint32_t e = ((uint32_t)addrs[i].b[12] << 24) |
				     ((uint32_t)addrs[i].b[13] << 16) |
				     ((uint32_t)addrs[i].b[14] << 8) | addrs[i].b[15];
			uint32_t mask = l4 == 0 ? 0 : ~0u << (32 - l4);

			/* Longest wins; among equals the later one. */
			if ((v & mask) == e && l4 >= best) {
				best = l4;
				want = (uintptr_t)(i + 1);
			}
		}
		cr_assert_eq((uintptr_t)rf_ipset_lookup(&s, &ip), want, "probe %d", p);
	}
	rf_ipset_done(&s);
}

/* Lists repeat entries (two feeds, one address): the open-prefix stack must not grow with them. */
Test(ipset, many_duplicates_keep_the_stack_bounded)
{
	struct rf_ipset s = { 0 };

	for (int i = 0; i < 1000; i++)
		add(&s, i % 2 ? "203.0.113.0/24" : "203.0.113.7", i % 2 ? "net" : "host");
	cr_assert_eq(rf_ipset_build(&s), 0);
	expect_str(look(&s, "203.0.113.7"), "host");
	expect_str(look(&s, "203.0.113.8"), "net");
	rf_ipset_done(&s);
}

static bool odd_key(uint64_t key, void *value, void *ctx)
{
	(*(int *)ctx)++;
	return key & 1;
}

Test(hashmap, remove_if_removes_exactly_the_matches)
{
	struct rf_hmap m = RF_HMAP_INIT_U64;
	int calls = 0;

	for (uint64_t k = 1; k <= 5000; k++)
		cr_assert_eq(rf_hmap_put_u64(&m, k, (void *)(uintptr_t)k, NULL), 1);
	rf_hmap_remove_if_u64(&m, odd_key, &calls);
	expect_u(m.n, 2500);
	for (uint64_t k = 1; k <= 5000; k++)
		cr_assert_eq(rf_hmap_get_u64(&m, k), k & 1 ? NULL : (void *)(uintptr_t)k,
			     "key %llu", (unsigned long long)k);
	cr_assert_geq(calls, 5000);
	rf_hmap_done(&m, NULL);
}

Test(path, lexical_normalisation)
{
	static const char *const cases[][2] = {
		{ "/etc/../etc/./shadow", "/etc/shadow" },
		{ "//etc///passwd", "/etc/passwd" },
		{ "/..", "/" },
		{ "/../../etc", "/etc" },
		{ "/a/b/c/../../d", "/a/d" },
		{ "/tmp/", "/tmp" },
		{ "/", "/" },
		{ "/.", "/" },
		{ "/a/./b/.", "/a/b" },
		{ "/a/..b/c", "/a/..b/c" },
		{ "/a/.b", "/a/.b" },
		{ "rel/../x", "rel/../x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s", cases[i][0]);
		rf_path_normalize(buf);
		expect_str(buf, cases[i][1]);
	}
}

static int collect(const struct rf_ip *addr, unsigned len, void *ud)
{
	char buf[64], text[80];
	char **out = ud;
	size_t used = strlen(*out);

	rf_ip_format(addr, buf, sizeof(buf));
	(void)snprintf(text, sizeof(text), "%s%s/%u", used ? " " : "", buf,
		       rf_ip_is_v4(addr) ? len - 96 : len);
	*out = realloc(*out, used + strlen(text) + 1);
	cr_assert_not_null(*out);
	strcpy(*out + used, text);
	return 0;
}

/* The prefixes an in-kernel LPM trie is filled with: exactly the addresses the set holds,
 * nested prefixes flattened (10.1.0.0/16 inside 10.0.0.0/8 adds nothing), and a range that is
 * no single prefix split into the fewest that cover it. */
Test(ipset, each_prefix_covers_exactly_the_set)
{
	struct rf_ipset s = { 0 };
	char *out = calloc(1, 1);

	cr_assert_eq(rf_ipset_each_prefix(&s, collect, &out), -EINVAL, "a set not built yet");
	add(&s, "10.0.0.0/8", "ten");
	add(&s, "10.1.0.0/16", "ten-one");
	add(&s, "11.0.0.0/8", "eleven"); /* adjacent, another value: stays its own range */
	add(&s, "192.0.2.7", "host");
	add(&s, "2001:db8::/32", "v6doc");
	cr_assert_eq(rf_ipset_build(&s), 0);
	cr_assert_eq(rf_ipset_each_prefix(&s, collect, &out), 0);
	/* 10.0.0.0/8 is three ranges (below, inside and above 10.1.0.0/16), re-cut into
	 * prefixes: 10.0.0.0/16, 10.1.0.0/16, then 10.2.0.0/15, 10.4.0.0/14 ... 10.128.0.0/9. */
	expect_str(out, "10.0.0.0/16 10.1.0.0/16 10.2.0.0/15 10.4.0.0/14 10.8.0.0/13 10.16.0.0/12 "
			"10.32.0.0/11 10.64.0.0/10 10.128.0.0/9 11.0.0.0/8 192.0.2.7/32 "
			"2001:db8::/32");
	free(out);
	rf_ipset_done(&s);

	s = (struct rf_ipset){ 0 };
	out = calloc(1, 1);
	add(&s, "::/0", "any");
	cr_assert_eq(rf_ipset_build(&s), 0);
	cr_assert_eq(rf_ipset_each_prefix(&s, collect, &out), 0);
	expect_str(out, "::/0");
	free(out);
	rf_ipset_done(&s);
}
