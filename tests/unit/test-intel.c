/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Threat intel at run time: DNS answers parsed defensively (compression, aliases, cut and
 * hostile messages), the address -> name cache and its bound, the ioc.* fields through the rule
 * engine, and a reload that swaps lists between two events. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/intel/intel-internal.h"
#include "core/macro.h"
#include "ringfence/detect.h"
#include "ringfence/intel.h"
#include <seccomp.h>

#include "unit.h"

/* A response builder: header, one question, then answers (name as a pointer to the question). */
struct msg {
	uint8_t b[600];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	cr_assert(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put16(struct msg *m, unsigned v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(m, x, 2);
}

static void put_name(struct msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		uint8_t len = (uint8_t)l;

		put(m, &len, 1);
		put(m, name, l);
		name += l + (dot ? 1 : 0);
	}
	put(m, "", 1);
}

static void header(struct msg *m, const char *qname, unsigned answers)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, 0x8180); /* response, recursion available, no error */
	put16(m, 1);
	put16(m, answers);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, 1);
	put16(m, 1);
}

static void answer_a(struct msg *m, unsigned name_ptr, const char *addr)
{
	struct in_addr a;

	cr_assert_eq(inet_pton(AF_INET, addr, &a), 1);
	put16(m, 0xc000 | name_ptr);
	put16(m, 1);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, 4);
	put(m, &a, 4);
}

Test(intel, a_plain_answer_names_its_addresses)
{
	struct msg m;
	struct rf_dns_answer a;
	char text[INET_ADDRSTRLEN];

	header(&m, "Pool.Mining.TEST", 2);
	answer_a(&m, 12, "192.0.2.7");
	answer_a(&m, 12, "192.0.2.8");
	cr_assert_eq(rf_dns_parse(m.b, m.n, &a), 0);
	cr_assert_str_eq(a.qname, "pool.mining.test", "names are matched lowercase");
	cr_assert_eq(a.n_addrs, 2);
	cr_assert_str_eq(inet_ntop(AF_INET, a.addrs[1].addr, text, sizeof(text)), "192.0.2.8");
	cr_assert_eq(a.addrs[0].ttl, 300);
}

Test(intel, an_alias_chain_is_kept)
{
	struct msg m;
	struct rf_dns_answer a;
	size_t cname_at;

	header(&m, "www.shop.test", 2);
	/* www.shop.test CNAME cdn.stratum.test, then cdn.stratum.test A 192.0.2.9 */
	put16(&m, 0xc00c);
	put16(&m, 5);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 60);
	put16(&m, 18);
	cname_at = m.n;
	put_name(&m, "cdn.stratum.test");
	cr_assert_eq(m.n - cname_at, 18);
	answer_a(&m, (unsigned)cname_at, "192.0.2.9");
	cr_assert_eq(rf_dns_parse(m.b, m.n, &a), 0);
	cr_assert_eq(a.n_cnames, 1);
	cr_assert_str_eq(a.cnames[0], "cdn.stratum.test");
	cr_assert_eq(a.n_addrs, 1);
}

Test(intel, hostile_and_cut_messages_are_refused_or_trimmed)
{
	struct msg m;
	struct rf_dns_answer a;

	header(&m, "a.test", 1);
	answer_a(&m, 12, "192.0.2.1");
	/* every cut: never a read past the end (ASan), whole records only */
	for (size_t n = 0; n < m.n; n++)
		cr_assert_neq(rf_dns_parse(m.b, n, &a), 0, "a message cut at %zu has no address",
			      n);
	cr_assert_eq(rf_dns_parse(m.b, m.n, &a), 0);

	/* a query, not a response */
	m.b[2] &= 0x7f;
	cr_assert_eq(rf_dns_parse(m.b, m.n, &a), -EINVAL);
	m.b[2] |= 0x80;

	/* a pointer loop in the answer's name: a pointer to itself */
	header(&m, "a.test", 1);
	put16(&m, 0xc000 | (unsigned)m.n);
	cr_assert_eq(rf_dns_parse(m.b, m.n, &a), -ENOENT);

	/* a forward pointer in the question */
	m.n = 0;
	put16(&m, 1);
	put16(&m, 0x8180);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0xc000 | 20);
	put16(&m, 1);
	put16(&m, 1);
	cr_assert_eq(rf_dns_parse(m.b, m.n, &a), -EINVAL);

	/* a label with a control byte cannot be a host name */
	header(&m, "a\nb.test", 1);
	answer_a(&m, 12, "192.0.2.1");
	cr_assert_eq(rf_dns_parse(m.b, m.n, &a), -EINVAL);
}

Test(intel, the_cache_is_bounded_and_answers_from_the_latest)
{
	struct rf_dns_cache c;
	struct rf_dns_answer a = { .n_addrs = 1 };
	struct rf_sockaddr server = { .family = AF_INET, .port = 53 }, q = { .family = AF_INET };
	const struct rf_dns_learned *l;

	inet_pton(AF_INET, "127.0.0.53", server.addr);
	cr_assert_eq(rf_dns_cache_init(&c, 4), 0);
	for (int i = 0; i < 10; i++) {
		(void)snprintf(a.qname, sizeof(a.qname), "host%d.test", i);
		a.addrs[0] = (struct rf_dns_addr){ .family = AF_INET,
						   .addr = { 192, 0, 2, (uint8_t)i } };
		cr_assert_eq(rf_dns_cache_learn(&c, &a, &server, 1), 0);
	}
	cr_assert_eq(c.by_addr.n, 4, "at most max addresses");
	cr_assert_eq(c.forgotten, 6);
	memcpy(q.addr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	cr_assert_null(rf_dns_cache_lookup(&c, &q), "the oldest are forgotten");
	memcpy(q.addr, (uint8_t[]){ 192, 0, 2, 9 }, 4);
	l = rf_dns_cache_lookup(&c, &q);
	cr_assert_not_null(l);
	cr_assert_str_eq(l->answer, "host9.test A 192.0.2.9 (from 127.0.0.53:53)");
	/* a newer answer for a known address replaces the name, without growing */
	strcpy(a.qname, "renamed.test");
	cr_assert_eq(rf_dns_cache_learn(&c, &a, &server, 2), 0);
	cr_assert_eq(c.by_addr.n, 4);
	cr_assert_str_eq(rf_dns_cache_lookup(&c, &q)->qname, "renamed.test");
	rf_dns_cache_done(&c);
}

/* ---- through the rule engine ---- */

static const char rules[] =
	"- rule: listed\n"
	"  desc: d\n"
	"  condition: evt.type = connect and ioc.ip.category exists\n"
	"  output: '%ioc.ip %ioc.ip.category'\n"
	"  priority: warning\n"
	"- rule: dns\n"
	"  desc: d\n"
	"  condition: evt.type = connect and ioc.domain.category = CryptoCurrency\n"
	"  output: '%ioc.domain.name via %ioc.dns.answer'\n"
	"  priority: warning\n";

struct seen {
	char msg[8][512];
	size_t n;
};

static int on_finding(const struct rf_finding *f, void *userdata)
{
	struct seen *s = userdata;

	if (f->record == RF_RECORD_FINDING && s->n < 8)
		(void)snprintf(s->msg[s->n++], sizeof(s->msg[0]), "%s", f->message);
	return 0;
}

static struct rf_event net_event(enum rf_net_op op, const char *addr, uint16_t port)
{
	struct rf_event ev = {
		.kind = RF_EV_NET, .tgid = 42, .tid = 42, .origin = { .arch = 0, .nr = -1 }
	};

	ev.net = (struct rf_ev_net){
		.op = op, .fd = 3, .family = AF_INET, .remote = { .family = AF_INET, .port = port }
	};
	inet_pton(AF_INET, addr, ev.net.remote.addr);
	return ev;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

Test(intel, fields_match_addresses_and_learned_names_and_a_reload_swaps_between_events)
{
	char dir[] = "/tmp/rf-intel-XXXXXX", path[64];
	char *files[] = { path, NULL };
	struct rf_intel *in = NULL;
	struct rf_ruleset *rs = NULL;
	struct rf_detect *d = NULL;
	struct rf_error e = { 0 };
	struct rf_sink sink, isink;
	struct seen seen = { 0 };
	struct rf_event ev;
	struct msg m;

	cr_assert_not_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/list.txt", dir);
	write_file(path,
		   "# category: C&C\n192.0.2.66\n# category: CryptoCurrency\npool.mining.test\n");
	cr_assert_eq(
		rf_intel_new(&(struct rf_intel_opts){ .ioc_files = files, .watch_files_ms = -1u },
			     &in, &e),
		0, "%s", e.message ?: "");
	cr_assert_eq(rf_ruleset_new(&rs), 0);
	cr_assert_eq(rf_ruleset_load_text(rs, rules, sizeof(rules) - 1, "t.yaml", &e), 0, "%s",
		     e.message ?: "");
	cr_assert_eq(rf_ruleset_compile(rs, &e), 0, "%s", e.message ?: "");
	cr_assert_eq(
		rf_detect_new(rs, &(struct rf_detect_opts){ .intel = in, .instance_id = "t" }, &d),
		0);
	cr_assert_eq(rf_detect_sink(d, on_finding, &seen, &sink), 0);
	rf_intel_sink(in, &isink);

	/* connect events need their syscall: the engine names event types by origin */
	ev = net_event(RF_NET_CONNECT, "192.0.2.66", 443);
	ev.origin = (struct rf_syscall_id){ .arch = seccomp_arch_native(),
					    .nr = seccomp_syscall_resolve_name("connect") };
	cr_assert_eq(isink.on_event(&ev, isink.self), 0);
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	cr_assert_eq(seen.n, 1);
	cr_assert_str_eq(seen.msg[0], "192.0.2.66 C&C");

	/* the near miss: a neighbour address */
	inet_pton(AF_INET, "192.0.2.67", ev.net.remote.addr);
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	cr_assert_eq(seen.n, 1, "192.0.2.67 is not listed");

	/* a DNS answer names 192.0.2.67 pool.mining.test: now a connection to it matches */
	header(&m, "pool.mining.test", 1);
	answer_a(&m, 12, "192.0.2.67");
	{
		struct rf_event dns = net_event(RF_NET_DNS_ANSWER, "127.0.0.53", 53);

		dns.net.data = m.b;
		dns.net.data_len = m.n;
		cr_assert_eq(isink.on_event(&dns, isink.self), 0);
	}
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	cr_assert_eq(seen.n, 2);
	cr_assert_str_eq(seen.msg[1], "pool.mining.test via pool.mining.test A 192.0.2.67 (from "
				      "127.0.0.53:53)");

	/* a reload: 192.0.2.66 is gone, 192.0.2.99 listed; taken at the next event */
	write_file(path, "# category: C&C\n192.0.2.99\n");
	rf_intel_request_reload(in);
	for (int i = 0; i < 500; i++) {
		struct rf_intel_stats st;

		rf_intel_stats(in, &st);
		if (st.reloads)
			break;
		usleep(10000);
	}
	inet_pton(AF_INET, "192.0.2.66", ev.net.remote.addr);
	cr_assert_eq(isink.on_event(&ev, isink.self), 0); /* the swap happens here */
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	cr_assert_eq(seen.n, 2, "the old list is no longer in use");
	inet_pton(AF_INET, "192.0.2.99", ev.net.remote.addr);
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	cr_assert_eq(seen.n, 3);

	/* a reload that fails keeps the lists in use */
	write_file(path, "not an indicator\n");
	rf_intel_request_reload(in);
	for (int i = 0; i < 500; i++) {
		struct rf_intel_stats st;

		rf_intel_stats(in, &st);
		if (st.reload_failures)
			break;
		usleep(10000);
	}
	cr_assert_eq(isink.on_event(&ev, isink.self), 0);
	cr_assert_eq(rf_detect_event(d, &ev), 0);
	cr_assert_eq(seen.n, 4, "192.0.2.99 still matches after a failed reload");

	rf_detect_free(d);
	rf_ruleset_free(rs);
	rf_intel_free(in);
	unlink(path);
	rmdir(dir);
}

/* A process gone before its exec is evaluated: the file is found by the kernel-resolved path,
 * and hashed only when it still is the file that ran (the identity from the exec event). */
Test(intel, the_exe_of_a_gone_process_is_hashed_from_its_path_when_it_is_the_same_file)
{
	char dir[] = "/tmp/rf-intel-XXXXXX", list[64], exe[64], hex[65];
	char *files[] = { list, NULL };
	struct rf_intel *in = NULL;
	struct rf_error e = { 0 };
	struct stat st;
	const char *h;
	FILE *p;
	pid_t gone = 0x3ffffff; /* above every pid_max: no /proc entry */

	cr_assert_not_null(mkdtemp(dir));
	(void)snprintf(list, sizeof(list), "%s/list.txt", dir);
	(void)snprintf(exe, sizeof(exe), "%s/prog", dir);
	write_file(list, "203.0.113.9\n");
	write_file(exe, "#!/bin/sh\necho listed\n");
	cr_assert_eq(
		rf_intel_new(&(struct rf_intel_opts){ .ioc_files = files, .watch_files_ms = -1u },
			     &in, &e),
		0, "%s", e.message ?: "");
	cr_assert_eq(stat(exe, &st), 0);
	{
		char cmd[128];

		(void)snprintf(cmd, sizeof(cmd), "sha256sum %s", exe);
		p = popen(cmd, "r");
		cr_assert(p && fscanf(p, "%64s", hex) == 1);
		pclose(p);
	}
	h = rf_intel_exe_sha256(
		in, gone,
		&(struct rf_exe_ref){
			.path = exe, .has_id = true, .dev = st.st_dev, .ino = st.st_ino });
	cr_assert(h && streq(h, hex), "hashed from the path: %s, want %s", h ?: "(null)", hex);
	/* The file at that path is not the one the event names: not hashed. */
	h = rf_intel_exe_sha256(
		in, gone,
		&(struct rf_exe_ref){
			.path = exe, .has_id = true, .dev = st.st_dev, .ino = st.st_ino + 12345 });
	cr_assert_null(h, "a file that is not the one executed is not hashed");
	/* No identity known, no absolute path: nothing to hash. */
	h = rf_intel_exe_sha256(in, gone, &(struct rf_exe_ref){ .path = "prog" });
	cr_assert_null(h);
	rf_intel_free(in);
	unlink(exe);
	unlink(list);
	rmdir(dir);
}
