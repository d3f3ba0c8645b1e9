/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DNS answers a traced process receives (decode.h: rf_decoder_learn_dns): a recvfrom or recvmsg
 * that returned a message from port 53 becomes an RF_NET_DNS_ANSWER event with the message's
 * first bytes, as the eBPF program sends them, so `watch --ioc` learns the names of addresses
 * under ptrace too. The sender is the address the call filled in, or, for a socket that
 * connect()ed to its server and receives without asking who sent (recv, read), the server it
 * connected to, which this file remembers per (process, fd) until the fd is another socket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"

#define DNS_BYTES 511 /* as the eBPF program keeps (RF_W_ARGV - 1) */

int rf_decode_recv_entry(struct rf_decoder *d, const struct rf_decode_io *io, pid_t tid, pid_t tgid,
			 bool msg, const uint64_t *a, struct rf_pending *p)
{
	p->kind = RF_EV_NET;
	p->net.op = RF_NET_DNS_ANSWER;
	p->net.fd = (int)a[0];
	if (!msg) {
		p->recv.buf = a[1];
		p->recv.cap = a[2];
		p->recv.addr = a[4];
		p->recv.addrlen = a[4] ? a[5] : 0;
	} else {
		struct msghdr m;
		struct iovec iov;

		if (!a[1] || io->read_mem(tid, a[1], &m, sizeof(m)) < 0 || !m.msg_iov ||
		    !m.msg_iovlen ||
		    io->read_mem(tid, (uint64_t)(uintptr_t)m.msg_iov, &iov, sizeof(iov)) < 0)
			return 0;
		p->recv.buf = (uint64_t)(uintptr_t)iov.iov_base;
		p->recv.cap = iov.iov_len;
		p->recv.addr = (uint64_t)(uintptr_t)m.msg_name;
		p->recv.addrlen = m.msg_name ? a[1] + offsetof(struct msghdr, msg_namelen) : 0;
	}
	/* No sender asked for and no server connected to on that fd: not an answer. */
	if (!p->recv.addr && !rf_hmap_get_u64(&d->dns_servers, rf_decode_fd_key(tgid, p->net.fd)))
		return 0;
	return p->recv.buf && p->recv.cap ? 1 : 0;
}

bool rf_decode_recv_exit(struct rf_decoder *d, const struct rf_decode_io *io, pid_t tid, pid_t tgid,
			 struct rf_pending *p, bool has_ret, int64_t ret)
{
	struct rf_ev_net *n = &p->net;
	uint64_t len = (uint64_t)ret;
	uint8_t *data;

	if (!has_ret || ret <= 0)
		return false;
	if (p->recv.addr) {
		uint32_t addrlen = 0;

		if (io->read_mem(tid, p->recv.addrlen, &addrlen, sizeof(addrlen)) < 0)
			return false;
		rf_decode_sockaddr(io, tid, p->recv.addr, addrlen, &n->remote, &p->s1);
	} else {
		const struct rf_sockaddr *server =
			rf_hmap_get_u64(&d->dns_servers, rf_decode_fd_key(tgid, n->fd));

		if (server)
			n->remote = *server;
	}
	if ((n->remote.family != AF_INET && n->remote.family != AF_INET6) || n->remote.port != 53)
		return false;
	if (len > p->recv.cap)
		len = p->recv.cap;
	if (len > DNS_BYTES)
		len = DNS_BYTES;
	data = malloc(len);
	if (!data || io->read_mem(tid, p->recv.buf, data, len) < 0) {
		free(data);
		return false;
	}
	free(p->s2);
	p->s2 = (char *)data;
	n->family = n->remote.family;
	n->data = data;
	n->data_len = len;
	return true;
}

void rf_decoder_note_dns_server(struct rf_decoder *d, pid_t tgid, const struct rf_pending *p,
				bool has_ret, int64_t ret)
{
	const struct rf_sockaddr *sa = &p->net.remote;
	struct rf_sockaddr *copy;
	void *old = NULL;

	if (!d->learn_dns)
		return;
	/* The fd connects elsewhere now (or anew): what it receives is not from that server. */
	free(rf_hmap_remove_u64(&d->dns_servers, rf_decode_fd_key(tgid, p->net.fd)));
	if (!has_ret || (ret < 0 && ret != -EINPROGRESS) || sa->port != 53 ||
	    (sa->family != AF_INET && sa->family != AF_INET6))
		return;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return; /* its answers go unlearned, as when the cache is full */
	*copy = (struct rf_sockaddr){ .family = sa->family, .port = sa->port };
	memcpy(copy->addr, sa->addr, sizeof(copy->addr));
	if (rf_hmap_put_u64(&d->dns_servers, rf_decode_fd_key(tgid, p->net.fd), copy, &old) < 0)
		free(copy);
	free(old);
}

static bool of_process(uint64_t key, void *value, void *ctx)
{
	if ((pid_t)(key >> 32) != *(const pid_t *)ctx)
		return false;
	free(value);
	return true;
}

void rf_decoder_new_socket(struct rf_decoder *d, pid_t tgid, int64_t fd)
{
	if (d->learn_dns)
		free(rf_hmap_remove_u64(&d->dns_servers, rf_decode_fd_key(tgid, fd)));
}

void rf_decoder_forget_dns(struct rf_decoder *d, pid_t tgid)
{
	rf_hmap_remove_if_u64(&d->dns_servers, of_process, &tgid);
}
