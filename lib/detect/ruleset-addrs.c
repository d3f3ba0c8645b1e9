/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which remote addresses an outbound connection must have for a rule to match it. The eBPF
 * watch program filters connect, sendto, sendmsg and TCP SYN_SENT events to IP addresses in
 * the kernel (an LPM trie): only those to an address some rule can match reach user space, so
 * a server's ordinary outbound traffic costs one trie lookup, not a trip to user space.
 *
 * Conservative, like the path prefixes of ruleset.c: a condition is "constrained" only when it
 * provably cannot hold for an outbound IP event whose remote address is outside its set; every
 * comparison on an absent value is false (eval.c), which is what makes a comparison of an
 * ioc.* field a constraint. Anything else is "any address", and then nothing is filtered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strv.h"
#include "detect-internal.h"

/* What a condition allows of an outbound IP event's remote address: any, or the union of the
 * listed sets (none at all: the condition cannot hold for such an event). */
struct addrs {
	bool any;
	bool ioc;		  /* an address on the threat lists */
	bool dns_listed;	  /* an address a DNS answer gave for a listed domain */
	const struct node **sets; /* comparisons whose ips are the addresses */
	size_t n;
};

static void addrs_done(struct addrs *a)
{
	free(a->sets);
	*a = (struct addrs){ 0 };
}

/* The event types the kernel filters: a rule naming only other types is never affected. */
static bool filtered_type(const char *name)
{
	return streq(name, "connect") || streq(name, "sendto") || streq(name, "sendmsg") ||
	       streq(name, "tcp_state");
}

/* The remote end of an outbound event (endpoint() in fields-args.c: the server is remote). */
static bool remote_address_field(const char *name)
{
	return streq(name, "fd.sip") || streq(name, "fd.rip") || streq(name, "fd.snet") ||
	       streq(name, "fd.rnet");
}

static int addrs_of_cmp(const struct rf_ruleset *rs, const struct node *n, struct addrs *ret)
{
	const struct field *f = n->ref.f;

	*ret = (struct addrs){ .any = true };
	if (n->evtype_ids) {
		if (n->op != OP_EQ && n->op != OP_IN)
			return 0;
		for (uint32_t i = 0; i < n->evtype_ids_n; i++)
			if (filtered_type(rs->types.names[n->evtype_ids[i]]))
				return 0;
		ret->any = false; /* none of the filtered types */
		return 0;
	}
	if (!(f->kinds & RF_EV_BIT(RF_EV_NET)) || (f->flags & FF_NO_IP_VALUE)) {
		ret->any = false; /* no value on such an event: the comparison is false */
		return 0;
	}
	if (!strncmp(f->name, "ioc.ip", 6)) {
		*ret = (struct addrs){ .ioc = true };
	} else if (!strncmp(f->name, "ioc.domain", 10) || streq(f->name, "ioc.dns.answer")) {
		*ret = (struct addrs){ .dns_listed = true };
	} else if (remote_address_field(f->name) && f->type == FT_IP &&
		   (n->op == OP_EQ || n->op == OP_IN)) {
		*ret = (struct addrs){ .n = 1 };
		ret->sets = malloc(sizeof(*ret->sets));
		if (!ret->sets)
			return -ENOMEM;
		ret->sets[0] = n;
	}
	return 0;
}

static int addrs_union(struct addrs *into, struct addrs *add)
{
	const struct node **v;

	if (into->any || add->any) {
		addrs_done(into);
		into->any = true;
		return 0;
	}
	into->ioc |= add->ioc;
	into->dns_listed |= add->dns_listed;
	if (!add->n)
		return 0;
	v = reallocarray(into->sets, into->n + add->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v + into->n, add->sets, add->n * sizeof(*v));
	into->sets = v;
	into->n += add->n;
	return 0;
}

static int addrs_of(const struct rf_ruleset *rs, const struct node *n, struct addrs *ret)
{
	int r = 0;

	*ret = (struct addrs){ .any = true };
	switch (n->kind) {
	case N_CMP: return addrs_of_cmp(rs, n, ret);
	case N_AND:
		/* Every conjunct must hold: the narrowest one decides (none at all wins). */
		for (size_t i = 0; i < n->n_kids && r >= 0; i++) {
			struct addrs k;

			r = addrs_of(rs, n->kids[i], &k);
			if (r >= 0 && !k.any &&
			    (ret->any || (!k.n && !k.ioc && !k.dns_listed) || k.n < ret->n)) {
				addrs_done(ret);
				*ret = k;
			} else {
				addrs_done(&k);
			}
		}
		break;
	case N_OR:
		/* One disjunct is enough: the union. */
		ret->any = false;
		for (size_t i = 0; i < n->n_kids && r >= 0 && !ret->any; i++) {
			struct addrs k;

			r = addrs_of(rs, n->kids[i], &k);
			if (r >= 0)
				r = addrs_union(ret, &k);
			addrs_done(&k);
		}
		break;
	default: break; /* not, true: any address */
	}
	if (r < 0)
		addrs_done(ret);
	return r;
}

static int add_prefix(const struct rf_ip *addr, unsigned len, void *ud)
{
	char buf[64], text[80];

	(void)rf_ip_format(addr, buf, sizeof(buf));
	(void)snprintf(text, sizeof(text), "%s/%u", buf, rf_ip_is_v4(addr) ? len - 96 : len);
	return strv_extend_unique(ud, text);
}

int ruleset_add_addrs_of_rule(struct rf_ruleset *rs, const struct rf_rule *rule)
{
	struct addrs a;
	int r = addrs_of(rs, rule->root, &a);

	if (r < 0)
		return r;
	if (a.any) {
		rs->all_addrs = true;
		return 0;
	}
	rs->addrs_ioc |= a.ioc;
	rs->addrs_dns_listed |= a.dns_listed;
	for (size_t i = 0; i < a.n && r >= 0; i++)
		r = rf_ipset_each_prefix(&a.sets[i]->ips, add_prefix, &rs->addr_prefixes);
	if (r >= 0 && !rs->addr_prefixes)
		r = (rs->addr_prefixes = calloc(1, sizeof(char *))) ? 0 : -ENOMEM;
	addrs_done(&a);
	return r;
}
