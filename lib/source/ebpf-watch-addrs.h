/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The eBPF watch source's outbound address filter (ebpf-watch-addrs.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "watch.h"
#include "watch.skel.h"
#include "ringfence/watch-source.h"

struct w_addrs {
	struct watch *skel;
	char *const *rule_prefixes;
	const struct rf_addr_feed *feed;
	bool wanted;	   /* the consumers asked for the filter */
	uint64_t gen;	   /* of the feed when the trie was filled */
	uint64_t prefixes; /* in the trie */
	uint64_t refills;
	int error; /* < 0: the filter is off since this failure (until a refill works) */
};

/* Fills the trie and turns the filter on (after load, before attach); 0 also when it stays
 * off (too many prefixes: logged), -EBADMSG for a prefix that does not parse. */
int w_addrs_start(struct w_addrs *a, struct watch *skel, const struct rf_watch_needs *n);
/* After the consumers saw a record: a swapped-in list refills the trie; a DNS answer's listed
 * addresses enter it, and the answer is counted as learnt. */
void w_addrs_after(struct w_addrs *a, const struct rf_w_rec *r);
void w_addrs_result(const struct w_addrs *a, struct rf_ebpf_watch_result *res);
