/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DNS answers the ptrace decoder sees (lib/source/decode-dns.c), against argument shapes of
 * the real calls: the "caller's memory" is this process's own, so the pointers are real. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "source/decode.h"
#include "unit.h"

static int read_mem(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return 0;
}

static ssize_t read_str(pid_t tid, uint64_t addr, char *buf, size_t size)
{
	size_t n = strnlen((const char *)(uintptr_t)addr, size - 1);

	memcpy(buf, (const void *)(uintptr_t)addr, n);
	buf[n] = '\0';
	return (ssize_t)n;
}

static const struct rf_decode_io io = { .read_mem = read_mem, .read_str = read_str };
static struct rf_decoder d;

static void setup(void)
{
	cr_assert_eq(rf_decoder_init(&d, seccomp_arch_native()), 0);
	rf_decoder_learn_dns(&d);
}

static void teardown(void)
{
	rf_decoder_done(&d);
}

TestSuite(decode_dns, .init = setup, .fini = teardown);

static int32_t nr_of(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	cr_assert_geq(nr, 0, "%s", name);
	return nr;
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static struct sockaddr_in in4(const char *addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	cr_assert_eq(inet_pton(AF_INET, addr, &sa.sin_addr), 1);
	return sa;
}

/* One call: its entry (1 when its exit is wanted), then, when wanted, its exit with ret. The
 * event's kind is 0 when the call is no event. */
static int call(const char *name, const uint64_t a[6], int64_t ret, struct rf_event *ev,
		struct rf_pending *p)
{
	int want = rf_decode_entry(&d, &io, 100, 100, nr_of(name), a, p);

	*ev = (struct rf_event){ 0 };
	if (want > 0)
		rf_decode_exit(&d, &io, 100, 100, p, true, ret, ev);
	return want;
}

static const uint8_t answer[] = "\xab\xcd\x81\x80 a DNS answer's bytes";

Test(decode_dns, a_datagram_from_port_53_is_an_answer_with_its_bytes)
{
	struct sockaddr_in from = in4("192.0.2.53", 53);
	socklen_t len = sizeof(from);
	uint8_t buf[64];
	struct rf_pending p = { 0 };
	struct rf_event ev;

	memcpy(buf, answer, sizeof(answer));
	cr_assert_eq(call("recvfrom",
			  (uint64_t[6]){ 3, ptr(buf), sizeof(buf), 0, ptr(&from), ptr(&len) },
			  (int64_t)sizeof(answer), &ev, &p),
		     1);
	expect_i(ev.kind, RF_EV_NET);
	expect_i(ev.net.op, RF_NET_DNS_ANSWER);
	expect_i(ev.net.remote.port, 53);
	expect_u(ev.net.data_len, sizeof(answer));
	cr_assert(ev.net.data && !memcmp(ev.net.data, answer, sizeof(answer)));
	rf_pending_done(&p);
}

Test(decode_dns, other_ports_errors_and_empty_reads_are_no_event)
{
	struct sockaddr_in from = in4("192.0.2.53", 5353);
	socklen_t len = sizeof(from);
	uint8_t buf[64] = { 0 };
	struct rf_pending p = { 0 };
	struct rf_event ev;

	call("recvfrom", (uint64_t[6]){ 3, ptr(buf), sizeof(buf), 0, ptr(&from), ptr(&len) }, 10,
	     &ev, &p);
	expect_i(ev.kind, 0);
	rf_pending_done(&p);
	from = in4("192.0.2.53", 53);
	call("recvfrom", (uint64_t[6]){ 3, ptr(buf), sizeof(buf), 0, ptr(&from), ptr(&len) },
	     -EAGAIN, &ev, &p);
	expect_i(ev.kind, 0);
	rf_pending_done(&p);
	call("recvfrom", (uint64_t[6]){ 3, ptr(buf), sizeof(buf), 0, ptr(&from), ptr(&len) }, 0,
	     &ev, &p);
	expect_i(ev.kind, 0);
	rf_pending_done(&p);
	/* No sender asked for, no server connected to: not even looked at on exit. */
	expect_i(call("recvfrom", (uint64_t[6]){ 3, ptr(buf), sizeof(buf), 0, 0, 0 }, 10, &ev, &p),
		 0);
	rf_pending_done(&p);
}

/* glibc's resolver: connect() the socket to the server, then send/recv without addresses. */
Test(decode_dns, a_connected_socket_answers_from_its_server_until_the_fd_is_another_socket)
{
	struct sockaddr_in server = in4("198.51.100.1", 53);
	uint8_t buf[64];
	struct rf_pending p = { 0 };
	struct rf_event ev;
	char text[INET_ADDRSTRLEN];

	memcpy(buf, answer, sizeof(answer));
	call("connect", (uint64_t[6]){ 7, ptr(&server), sizeof(server) }, 0, &ev, &p);
	expect_i(ev.kind, RF_EV_NET);
	rf_pending_done(&p);
	cr_assert_eq(call("recvfrom", (uint64_t[6]){ 7, ptr(buf), sizeof(buf), 0, 0, 0 },
			  (int64_t)sizeof(answer), &ev, &p),
		     1);
	expect_i(ev.net.op, RF_NET_DNS_ANSWER);
	expect_str(inet_ntop(AF_INET, ev.net.remote.addr, text, sizeof(text)), "198.51.100.1");
	expect_i(ev.net.remote.port, 53);
	rf_pending_done(&p);
	/* fd 7 is closed and reused by a new socket: what it receives is not the server's. */
	call("socket", (uint64_t[6]){ AF_INET, SOCK_STREAM, 0 }, 7, &ev, &p);
	rf_pending_done(&p);
	expect_i(call("recvfrom", (uint64_t[6]){ 7, ptr(buf), sizeof(buf), 0, 0, 0 }, 10, &ev, &p),
		 0);
	rf_pending_done(&p);
	/* Connected elsewhere: forgotten too. */
	call("connect", (uint64_t[6]){ 8, ptr(&server), sizeof(server) }, 0, &ev, &p);
	rf_pending_done(&p);
	server = in4("198.51.100.1", 443);
	call("connect", (uint64_t[6]){ 8, ptr(&server), sizeof(server) }, 0, &ev, &p);
	rf_pending_done(&p);
	expect_i(call("recvfrom", (uint64_t[6]){ 8, ptr(buf), sizeof(buf), 0, 0, 0 }, 10, &ev, &p),
		 0);
	rf_pending_done(&p);
}

Test(decode_dns, recvmsg_reads_its_name_and_first_buffer_and_long_answers_are_cut)
{
	struct sockaddr_in6 from = { .sin6_family = AF_INET6, .sin6_port = htons(53) };
	static uint8_t big[2048];
	struct iovec iov = { .iov_base = big, .iov_len = sizeof(big) };
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1
	};
	struct rf_pending p = { 0 };
	struct rf_event ev;

	cr_assert_eq(inet_pton(AF_INET6, "2001:db8::53", &from.sin6_addr), 1);
	memset(big, 'x', sizeof(big));
	cr_assert_eq(call("recvmsg", (uint64_t[6]){ 4, ptr(&m), 0 }, 1500, &ev, &p), 1);
	expect_i(ev.net.op, RF_NET_DNS_ANSWER);
	expect_i(ev.net.remote.family, AF_INET6);
	expect_u(ev.net.data_len, 511); /* what the eBPF program keeps too */
	rf_pending_done(&p);
}

Test(decode_dns, receives_are_not_decoded_unless_asked)
{
	struct rf_decoder plain;

	cr_assert_eq(rf_decoder_init(&plain, seccomp_arch_native()), 0);
	cr_assert(!rf_decoder_wants(&plain, seccomp_arch_native(), nr_of("recvfrom")));
	cr_assert(!rf_decoder_wants(&plain, seccomp_arch_native(), nr_of("recvmsg")));
	cr_assert(rf_decoder_wants(&d, seccomp_arch_native(), nr_of("recvfrom")));
	rf_decoder_done(&plain);
}
