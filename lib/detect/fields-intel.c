/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The field table, part three: threat intelligence (ioc.*, net.dns.*, proc.exe_sha256), read
 * through the evaluation context's rf_intel (ringfence/intel.h). Without lists (no --ioc) the
 * fields have no value, so a rule on them never matches. A field that names a list entry has
 * a value only when the event matches one: `ioc.ip.category = CryptoCurrency` is the whole
 * condition of a rule. */
#include <stdio.h>
#include <string.h>

#include "core/macro.h"
#include "detect-internal.h"
#include "ringfence/intel.h"
#include "ringfence/proc.h"

#define K(kind) RF_EV_BIT(RF_EV_##kind)

static void set_str(struct rf_val *v, const char *s)
{
	v->s = s;
	v->len = strlen(s);
	v->nul = true;
}

/* The remote end of a connection, datagram or accepted socket. */
static const struct rf_sockaddr *remote(const struct eval_ctx *c)
{
	const struct rf_ev_net *n = &c->ev->net;

	if (c->ev->kind != RF_EV_NET || n->op == RF_NET_DNS_ANSWER)
		return NULL;
	return n->remote.family ? &n->remote : NULL;
}

static const char *ioc_part(const struct rf_ioc *m, const char *which, char *buf, size_t size)
{
	if (streq(which, "category"))
		return m->category;
	if (streq(which, "source")) {
		(void)snprintf(buf, size, "%s:%u", m->file ?: "?", m->line);
		return buf;
	}
	if (streq(which, "description"))
		return m->description;
	return m->value;
}

/* ioc.ip, ioc.ip.category, ioc.ip.source, ioc.ip.description */
static int get_ioc_ip(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_sockaddr *sa = remote(c);
	const struct rf_ioc *m;
	const char *s;

	if (nth || !c->intel || !sa || !(m = rf_intel_match_addr(c->intel, sa)))
		return 0;
	s = ioc_part(m, r->f->name[6] ? r->f->name + 7 : "", c->tmp, sizeof(c->tmp));
	if (!s)
		return 0;
	set_str(v, s);
	return 1;
}

/* ioc.domain (the listed entry), ioc.domain.name (the name asked), ioc.domain.category,
 * ioc.domain.source, ioc.dns.answer (the answer that named the address) */
static int get_ioc_domain(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_sockaddr *sa = remote(c);
	const struct rf_dns_learned *how = NULL;
	const char *which = r->f->name + 4, *s;
	const struct rf_ioc *m;

	if (nth || !c->intel || !sa || !(m = rf_intel_match_domain(c->intel, sa, &how)))
		return 0;
	if (streq(which, "dns.answer"))
		s = how->answer;
	else if (streq(which, "domain.name"))
		s = how->qname;
	else
		s = ioc_part(m, which[6] ? which + 7 : "", c->tmp, sizeof(c->tmp));
	if (!s)
		return 0;
	set_str(v, s);
	return 1;
}

/* net.dns.name: the name a DNS answer gave this address, listed or not */
static int get_dns_name(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_sockaddr *sa = remote(c);
	const struct rf_dns_learned *l;

	(void)r;
	if (nth || !c->intel || !sa || !(l = rf_intel_dns_name(c->intel, sa)))
		return 0;
	set_str(v, l->qname);
	return 1;
}

static const char *exe_hash(struct eval_ctx *c)
{
	const struct rf_ev_exec *x = &c->ev->exec;
	struct rf_exe_ref ref = { .path = c->ev->proc ? c->ev->proc->exe : NULL };

	if (c->ev->kind == RF_EV_EXEC)
		ref = (struct rf_exe_ref){ .path = x->file ?: x->path,
					   .has_id = x->has_id,
					   .dev = x->dev,
					   .ino = x->ino };
	return rf_intel_exe_sha256(c->intel, c->ev->tgid, &ref);
}

/* proc.exe_sha256; ioc.sha256, ioc.sha256.category, ioc.sha256.source (at exec) */
static int get_sha256(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_ioc *m;
	const char *hex, *s;

	if (nth || !c->intel || c->ev->kind != RF_EV_EXEC)
		return 0;
	/* Only worth a file read when a list has hashes, or the rule prints the hash. */
	if (r->f->name[0] == 'i' && !rf_intel_has_hashes(c->intel))
		return 0;
	if (!(hex = exe_hash(c)))
		return 0;
	if (r->f->name[0] == 'p') {
		set_str(v, hex);
		return 1;
	}
	if (!(m = rf_intel_match_sha256(c->intel, hex)))
		return 0;
	s = ioc_part(m, r->f->name[10] ? r->f->name + 11 : "", c->tmp, sizeof(c->tmp));
	if (!s)
		return 0;
	set_str(v, s);
	return 1;
}

#define NET_ K(NET)
const struct field rf_fields_intel[] = {
	{ "ioc.ip", FT_STR, NET_, 0, 0, 0, get_ioc_ip, NULL,
	  "the listed address or CIDR the remote address is in (--ioc)" },
	{ "ioc.ip.category", FT_STR, NET_, 0, 0, 0, get_ioc_ip, NULL,
	  "its category: CryptoCurrency, Backdoor, Tor, C&C or the list's own" },
	{ "ioc.ip.source", FT_STR, NET_, 0, 0, 0, get_ioc_ip, NULL, "file:line of the entry" },
	{ "ioc.ip.description", FT_STR, NET_, 0, 0, 0, get_ioc_ip, NULL, "" },
	{ "ioc.domain", FT_STR, NET_, 0, 0, 0, get_ioc_domain, NULL,
	  "the listed domain or zone a DNS answer named the remote address for" },
	{ "ioc.domain.name", FT_STR, NET_, 0, 0, 0, get_ioc_domain, NULL,
	  "the name the workload asked for" },
	{ "ioc.domain.category", FT_STR, NET_, 0, 0, 0, get_ioc_domain, NULL, "" },
	{ "ioc.domain.source", FT_STR, NET_, 0, 0, 0, get_ioc_domain, NULL, "" },
	{ "ioc.domain.description", FT_STR, NET_, 0, 0, 0, get_ioc_domain, NULL, "" },
	{ "ioc.dns.answer", FT_STR, NET_, 0, 0, 0, get_ioc_domain, NULL,
	  "the DNS answer that gave the address: name, type, address, server" },
	{ "net.dns.name", FT_STR, NET_, 0, 0, 0, get_dns_name, NULL,
	  "the name a DNS answer the workload received gave the remote address" },
	{ "ioc.sha256", FT_STR, K(EXEC), 0, 0, 0, get_sha256, NULL,
	  "the listed SHA-256 of the executed file" },
	{ "ioc.sha256.category", FT_STR, K(EXEC), 0, 0, 0, get_sha256, NULL, "" },
	{ "ioc.sha256.source", FT_STR, K(EXEC), 0, 0, 0, get_sha256, NULL, "" },
	{ "ioc.sha256.description", FT_STR, K(EXEC), 0, 0, 0, get_sha256, NULL, "" },
	{ "proc.exe_sha256", FT_STR, K(EXEC), 0, 0, 0, get_sha256, NULL,
	  "SHA-256 of the executed file (hashed once per file; with --ioc)" },
};
const size_t rf_fields_intel_n = ELEMENTSOF(rf_fields_intel);
