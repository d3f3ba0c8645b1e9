/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Longest-prefix match over IPv4 and IPv6 prefixes (threat-intel lists, rule CIDR sets, baseline
 * destinations). Prefixes are added, then the set is built once into sorted disjoint ranges, each
 * carrying the value of the most specific prefix covering it; a lookup is a binary search with no
 * allocation. IPv4 lives in the IPv4-mapped IPv6 space (::ffff:a.b.c.d), so one search serves both
 * and a mapped address in a v6 socket matches a v4 entry, as the kernel would route it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"

struct rf_ip {
	uint8_t b[16]; /* network order; IPv4 as ::ffff:a.b.c.d */
};

struct rf_ipset_prefix {
	struct rf_ip addr;
	unsigned len; /* 0..128, in the v6 space (a v4 /24 is 96 + 24) */
	void *value;
	uint64_t seq; /* insertion order: the later of two identical prefixes wins */
};

struct rf_ipset_range; /* built form */

struct rf_ipset {
	struct rf_ipset_prefix *pending;
	size_t n_pending, cap_pending;
	struct rf_ipset_range *ranges;
	size_t n_ranges;
	size_t n_prefixes; /* added, duplicates included */
	bool built;
};

/* "192.0.2.1", "2001:db8::/32", "10.0.0.0/8" into addr/len (v4 lengths given as 0..32).
 * -EINVAL for anything else, host bits set included ("10.0.0.1/8"): a list entry that does not
 * say what its author meant is an error, not a guess. */
int rf_ip_parse_prefix(const char *s, struct rf_ip *ret_addr, unsigned *ret_len);
/* An address without a prefix length. */
int rf_ip_parse(const char *s, struct rf_ip *ret);
void rf_ip_from_v4(uint32_t host_order, struct rf_ip *ret);
/* A socket address's bytes (AF_INET: 4, network order; AF_INET6: 16); -EAFNOSUPPORT for any
 * other family. */
int rf_ip_from_family(int family, const uint8_t *addr, struct rf_ip *ret);
bool rf_ip_is_v4(const struct rf_ip *ip);
/* "192.0.2.1" or "2001:db8::1" into buf (INET6_ADDRSTRLEN bytes). */
const char *rf_ip_format(const struct rf_ip *ip, char *buf, size_t size);

/* Adds a prefix (value non-NULL); -EBUSY once the set is built (build a new set to reload). */
int rf_ipset_add(struct rf_ipset *s, const struct rf_ip *addr, unsigned len, void *value);
/* Sorts and flattens, O(n log n), and frees the prefixes: memory is the ranges only (at most
 * 2n + 1 of them). Lookups need a built set. */
int rf_ipset_build(struct rf_ipset *s);
/* The value of the longest prefix containing ip, or NULL. */
void *rf_ipset_lookup(const struct rf_ipset *s, const struct rf_ip *ip);
/* Every address the built set holds (any value), as the fewest prefixes covering exactly those
 * addresses: what an in-kernel LPM trie needs. fn's negative return stops the walk. */
int rf_ipset_each_prefix(const struct rf_ipset *s,
			 int (*fn)(const struct rf_ip *addr, unsigned len, void *ud), void *ud);
void rf_ipset_done(struct rf_ipset *s);
