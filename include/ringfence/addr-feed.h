/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Addresses a consumer learns while it runs, for a source that filters outbound connections in
 * the kernel (the eBPF watch program's address trie): the threat lists (reloaded at any time) and
 * the addresses DNS answers gave for listed domains. Addresses are in the IPv4-mapped IPv6 space
 * (::ffff:a.b.c.d), prefix lengths 0..128 there. Called from the event thread only. */
#pragma once

#include <stdint.h>

typedef int (*rf_addr_fn)(const uint8_t addr[16], unsigned len, void *ud);

struct rf_addr_feed {
	/* Changes whenever `each` would give another set (a list was swapped in). */
	uint64_t (*generation)(void *self);
	/* Every prefix now; fn's negative return stops the walk and is returned. */
	int (*each)(void *self, rf_addr_fn fn, void *ud);
	/* The prefixes added since the last call of each or take_new (what a DNS answer just
	 * named), once. */
	int (*take_new)(void *self, rf_addr_fn fn, void *ud);
	void *self;
};
