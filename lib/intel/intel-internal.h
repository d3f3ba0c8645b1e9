/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "core/hashmap.h"
#include "ringfence/intel.h"

/* address (text) -> the answer that named it; at most max, the oldest forgotten first */
struct rf_dns_cache {
	struct rf_hmap by_addr;
	void **ring; /* insertion order, for eviction */
	size_t max, next;
	uint64_t learned, forgotten;
};

int rf_dns_cache_init(struct rf_dns_cache *c, size_t max);
void rf_dns_cache_done(struct rf_dns_cache *c);
int rf_dns_cache_learn(struct rf_dns_cache *c, const struct rf_dns_answer *a,
		       const struct rf_sockaddr *server, uint64_t time_ns);
const struct rf_dns_learned *rf_dns_cache_lookup(const struct rf_dns_cache *c,
						 const struct rf_sockaddr *sa);
/* Every address remembered (as text) with the answer that named it. */
int rf_dns_cache_each(const struct rf_dns_cache *c,
		      int (*fn)(const char *addr, const struct rf_dns_learned *l, void *ud),
		      void *ud);

/* (dev, ino, size, mtime) -> SHA-256 */
struct rf_hash_cache {
	struct rf_hmap by_key; /* u64 hash of the identity -> struct hashed */
	uint64_t max_bytes;
	uint64_t hashed, hits, skipped;
	char last[65];
};
void rf_hash_cache_init(struct rf_hash_cache *c, uint64_t max_bytes);
void rf_hash_cache_done(struct rf_hash_cache *c);
const char *rf_hash_cache_exe(struct rf_hash_cache *c, pid_t tgid, const struct rf_exe_ref *ref);
