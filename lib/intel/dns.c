/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names of addresses, learned from the DNS answers workloads receive (RFC 1035 messages, as
 * the sources cut them: the first 511 bytes). ringfence never resolves a name itself: a
 * connection to an address is matched against the domain lists through the answer that gave
 * the workload that address, which is what the finding cites.
 *
 * The parser trusts nothing: every length is checked against the bytes present, compression
 * pointers may only point backwards and are followed a bounded number of times, and a message
 * cut short yields the records that were complete. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/hashmap.h"
#include "core/macro.h"
#include "intel-internal.h"
#include "ringfence/intel.h"

#define DNS_HEADER 12
#define MAX_HOPS   16
#define TYPE_A	   1
#define TYPE_CNAME 5
#define TYPE_AAAA  28
#define CLASS_IN   1

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Reads the name at *off into out (dotted, lowercase, no trailing dot); *off moves past it in
 * the message (not past what a pointer pointed at). -1 when malformed or cut. */
static int read_name(const uint8_t *m, size_t len, size_t *off, char out[RF_DNS_NAME_MAX])
{
	size_t p = *off, o = 0, end = 0;
	unsigned hops = 0;

	for (;;) {
		uint8_t l;

		if (p >= len)
			return -1;
		l = m[p];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (p + 1 >= len || ++hops > MAX_HOPS)
				return -1;
			to = (size_t)(l & 0x3f) << 8 | m[p + 1];
			if (to >= p) /* only backwards: no loops */
				return -1;
			if (!end)
				end = p + 2;
			p = to;
			continue;
		}
		if (l & 0xc0)
			return -1; /* extended label types: not in answers we read */
		if (l == 0) {
			p++;
			break;
		}
		if (p + 1 + l > len || o + l + 2 > RF_DNS_NAME_MAX)
			return -1;
		if (o)
			out[o++] = '.';
		for (size_t i = 0; i < l; i++) {
			char c = (char)m[p + 1 + i];

			/* A byte that cannot be in a host name makes the name useless to match. */
			if (c <= ' ' || c == 0x7f || c == '.' || (unsigned char)c >= 0x80)
				return -1;
			out[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
		p += 1 + (size_t)l;
	}
	out[o] = '\0';
	*off = end ? end : p;
	return 0;
}

int rf_dns_parse(const uint8_t *m, size_t len, struct rf_dns_answer *ret)
{
	size_t off = DNS_HEADER;
	unsigned qd, an;
	char name[RF_DNS_NAME_MAX];

	*ret = (struct rf_dns_answer){ 0 };
	if (len < DNS_HEADER || !(m[2] & 0x80) || ((m[2] >> 3) & 0xf) != 0)
		return -EINVAL; /* not a response, or not a standard query's */
	qd = be16(m + 4);
	an = be16(m + 6);
	if (qd != 1)
		return -EINVAL; /* what every resolver sends; anything else is not for us */
	if (read_name(m, len, &off, ret->qname) < 0 || off + 4 > len)
		return -EINVAL;
	off += 4; /* qtype, qclass */
	for (unsigned i = 0; i < an; i++) {
		uint16_t type, class, rdlen;

		if (read_name(m, len, &off, name) < 0 || off + 10 > len)
			break; /* cut short: keep what was complete */
		type = be16(m + off);
		class = be16(m + off + 2);
		rdlen = be16(m + off + 8);
		off += 10;
		if (off + rdlen > len)
			break;
		if (class == CLASS_IN && type == TYPE_CNAME && ret->n_cnames < RF_DNS_MAX_CNAMES) {
			size_t p = off;

			if (read_name(m, len, &p, ret->cnames[ret->n_cnames]) == 0 &&
			    p == off + rdlen)
				ret->n_cnames++;
		} else if (class == CLASS_IN && (type == TYPE_A || type == TYPE_AAAA) &&
			   rdlen == (type == TYPE_A ? 4 : 16) && ret->n_addrs < RF_DNS_MAX_ADDRS) {
			struct rf_dns_addr *a = &ret->addrs[ret->n_addrs++];

			a->family = type == TYPE_A ? AF_INET : AF_INET6;
			memset(a->addr, 0, sizeof(a->addr));
			memcpy(a->addr, m + off, rdlen);
			a->ttl = (uint32_t)be16(m + off - 6) << 16 | be16(m + off - 4);
		}
		off += rdlen;
	}
	return ret->n_addrs ? 0 : -ENOENT;
}

/* ---- the cache: address -> the answer that named it ---- */

struct learned {
	char key[INET6_ADDRSTRLEN]; /* the address as text */
	struct rf_dns_learned v;
};

static void learned_free(void *p)
{
	free(p);
}

int rf_dns_cache_init(struct rf_dns_cache *c, size_t max)
{
	*c = (struct rf_dns_cache){ .by_addr = RF_HMAP_INIT_STR, .max = max ?: 65536 };
	c->ring = calloc(c->max, sizeof(*c->ring));
	return c->ring ? 0 : -ENOMEM;
}

void rf_dns_cache_done(struct rf_dns_cache *c)
{
	rf_hmap_done(&c->by_addr, learned_free);
	free(c->ring);
	*c = (struct rf_dns_cache){ 0 };
}

static void addr_text(int family, const uint8_t *addr, char out[INET6_ADDRSTRLEN])
{
	if (!inet_ntop(family, addr, out, INET6_ADDRSTRLEN))
		out[0] = '\0';
}

int rf_dns_cache_learn(struct rf_dns_cache *c, const struct rf_dns_answer *a,
		       const struct rf_sockaddr *server, uint64_t time_ns)
{
	char server_text[INET6_ADDRSTRLEN];

	addr_text(server->family, server->addr, server_text);
	for (size_t i = 0; i < a->n_addrs; i++) {
		char key[INET6_ADDRSTRLEN];
		struct learned *l;
		int r;

		addr_text(a->addrs[i].family, a->addrs[i].addr, key);
		if (!key[0])
			continue;
		l = rf_hmap_get_str(&c->by_addr, key);
		if (!l) {
			/* Bounded: past max, the oldest address learned is forgotten. */
			if (c->by_addr.n >= c->max) {
				struct learned *victim = c->ring[c->next % c->max];

				if (victim) {
					rf_hmap_remove_str(&c->by_addr, victim->key);
					free(victim);
					c->forgotten++;
				}
			}
			l = calloc(1, sizeof(*l));
			if (!l)
				return -ENOMEM;
			memcpy(l->key, key, sizeof(key));
			r = rf_hmap_put_str(&c->by_addr, l->key, l, NULL);
			if (r < 0) {
				free(l);
				return r;
			}
			c->ring[c->next++ % c->max] = l;
		}
		/* A newer answer for the same address replaces what it said (in place: the
		 * address keeps its age in the eviction order). */
		l->v = (struct rf_dns_learned){ .time_ns = time_ns, .n_cnames = a->n_cnames };
		l->v.qname_len = strlen(a->qname);
		memcpy(l->v.qname, a->qname, l->v.qname_len + 1);
		for (size_t k = 0; k < a->n_cnames; k++)
			memcpy(l->v.cnames[k], a->cnames[k], sizeof(l->v.cnames[k]));
		(void)snprintf(l->v.answer, sizeof(l->v.answer), "%s %s %s (from %s:%u)", a->qname,
			       a->addrs[i].family == AF_INET ? "A" : "AAAA", key, server_text,
			       server->port);
		c->learned++;
	}
	return 0;
}

const struct rf_dns_learned *rf_dns_cache_lookup(const struct rf_dns_cache *c,
						 const struct rf_sockaddr *sa)
{
	char key[INET6_ADDRSTRLEN];
	const struct learned *l;

	if (!c->by_addr.n || (sa->family != AF_INET && sa->family != AF_INET6))
		return NULL;
	addr_text(sa->family, sa->addr, key);
	l = rf_hmap_get_str(&c->by_addr, key);
	return l ? &l->v : NULL;
}

int rf_dns_cache_each(const struct rf_dns_cache *c,
		      int (*fn)(const char *addr, const struct rf_dns_learned *l, void *ud),
		      void *ud)
{
	for (size_t i = 0; c->ring && i < c->max; i++) {
		const struct learned *l = c->ring[i];
		int r = l ? fn(l->key, &l->v, ud) : 0;

		if (r < 0)
			return r;
	}
	return 0;
}
