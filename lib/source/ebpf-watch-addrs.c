/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The outbound address filter of the eBPF watch program (bpf/watch.bpf.c, `addrs`): an LPM trie
 * of the addresses the rules can match (rf_watch_needs.addr_prefixes) and of what the threat
 * lists give (rf_addr_feed). Connections and datagrams to any other IP address are dropped in
 * the kernel, before a record is reserved.
 *
 * Nothing a rule could match is lost:
 *   - a list swapped in (a reload) makes the trie refilled, with the filter off meanwhile
 *     (everything passes while the trie changes);
 *   - the addresses a DNS answer gives for a listed domain enter the trie before the answer is
 *     counted as learnt (dns_done); until then the program filters nothing, so a connect right
 *     after the answer passes even if user space has not read the answer yet;
 *   - a trie that cannot hold everything (RF_W_ADDRS_MAX, memory) leaves the filter off. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>

#include "core/ipset.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ebpf-watch-addrs.h"
#include "ringfence/log.h"

static int put(const uint8_t addr[16], unsigned len, void *ud)
{
	struct w_addrs *a = ud;
	struct rf_w_addr_key k = { .prefixlen = len };
	unsigned char one = 1;

	memcpy(k.addr, addr, 16);
	if (bpf_map_update_elem(bpf_map__fd(a->skel->maps.addrs), &k, &one, BPF_ANY) < 0)
		return -errno;
	a->prefixes++;
	return 0;
}

static void clear(struct w_addrs *a)
{
	int fd = bpf_map__fd(a->skel->maps.addrs);
	struct rf_w_addr_key k;

	while (bpf_map_get_next_key(fd, NULL, &k) == 0)
		if (bpf_map_delete_elem(fd, &k) < 0)
			break;
	a->prefixes = 0;
}

/* After a failure: every outbound connection goes to user space until a refill works. */
static void turn_off(struct w_addrs *a, int error)
{
	__atomic_store_n(&a->skel->bss->addr_filter, 0, __ATOMIC_SEQ_CST);
	a->error = error;
	rf_log(RF_LOG_WARNING,
	       "the in-kernel address filter is off (%s after %llu prefixes): every outbound "
	       "connection goes to user space",
	       strerror(-error), (unsigned long long)a->prefixes);
	clear(a);
}

/* The rules' prefixes and the feed's whole set, then the filter on; off when it fails. */
static int fill(struct w_addrs *a)
{
	int r = 0;

	__atomic_store_n(&a->skel->bss->addr_filter, 0, __ATOMIC_SEQ_CST);
	if (a->prefixes)
		clear(a);
	STRV_FOREACH(p, a->rule_prefixes) {
		struct rf_ip ip;
		unsigned len;

		if (rf_ip_parse_prefix(*p, &ip, &len) < 0)
			return -EBADMSG; /* rf_ruleset_needs formats them: cannot happen */
		if ((r = put(ip.b, len, a)) < 0)
			break;
	}
	if (r >= 0 && a->feed) {
		a->gen = a->feed->generation(a->feed->self);
		r = a->feed->each(a->feed->self, put, a);
	}
	if (r < 0) {
		turn_off(a, r);
		return r;
	}
	a->error = 0;
	__atomic_store_n(&a->skel->bss->addr_filter, 1, __ATOMIC_SEQ_CST);
	return 0;
}

int w_addrs_start(struct w_addrs *a, struct watch *skel, const struct rf_watch_needs *n)
{
	*a = (struct w_addrs){ .skel = skel };
	if (!n || !n->addr_prefixes)
		return 0;
	a->rule_prefixes = n->addr_prefixes;
	a->feed = n->addr_feed;
	a->wanted = true;
	return fill(a) == -EBADMSG ? -EBADMSG : 0;
}

void w_addrs_after(struct w_addrs *a, const struct rf_w_rec *rec)
{
	bool dns = rec->kind == RF_W_SYSCALL &&
		   (rec->dec == RF_W_D_RECVFROM || rec->dec == RF_W_D_RECVMSG);
	int r;

	if (a->wanted && a->feed) {
		if (a->feed->generation(a->feed->self) != a->gen) {
			a->refills++;
			(void)fill(a);
		} else if (dns && (r = a->feed->take_new(a->feed->self, put, a)) < 0) {
			turn_off(a, r); /* no room for what an answer named: never lose it */
		}
	}
	/* Counted after its addresses are in the trie: the program may filter again. */
	if (dns)
		__atomic_add_fetch(&a->skel->bss->dns_done, 1, __ATOMIC_SEQ_CST);
}

void w_addrs_result(const struct w_addrs *a, struct rf_ebpf_watch_result *res)
{
	res->addr_filter = !a->wanted ? 0 : a->error < 0 ? a->error : 1;
	res->addr_dropped = __atomic_load_n(&a->skel->bss->addr_dropped, __ATOMIC_RELAXED);
	res->addr_prefixes = a->prefixes;
	res->addr_refills = a->refills;
}
