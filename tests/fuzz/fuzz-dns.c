/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the DNS answer parser (lib/intel/dns.c): the bytes a workload received
 * from port 53 are attacker-controlled. Parsed answers are learned into a small cache and looked
 * up again, so the cache's eviction runs too. */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../../lib/intel/intel-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rf_dns_cache cache;
	static int ready;
	struct rf_sockaddr server = { .family = AF_INET, .port = 53 };
	struct rf_dns_answer a;

	if (!ready)
		ready = rf_dns_cache_init(&cache, 8) == 0;
	if (rf_dns_parse(data, size, &a) == 0 && ready) {
		(void)rf_dns_cache_learn(&cache, &a, &server, 1);
		for (size_t i = 0; i < a.n_addrs; i++) {
			struct rf_sockaddr q = { .family = a.addrs[i].family };

			for (size_t k = 0; k < 16; k++)
				q.addr[k] = a.addrs[i].addr[k];
			(void)rf_dns_cache_lookup(&cache, &q);
		}
	}
	return 0;
}
