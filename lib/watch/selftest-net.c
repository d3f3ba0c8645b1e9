/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Selftest behaviours of the network rules. Nothing leaves the machine: the reverse shell's
 * socket is a loopback connection the performer makes to itself; the metadata and API server
 * addresses are contacted from a network namespace of the run's own, where they are loopback
 * aliases, with a UDP connect() that sends nothing; the raw socket is closed unread. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/macro.h"
#include "selftest-internal.h"

/* A connected loopback TCP socket (the performer is both ends), or -1. */
static int loopback_pair(int *ret_other)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), s = -1;

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) < 0)
		goto out;
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(s);
		s = -1;
	}
	if (s >= 0)
		*ret_other = accept4(l, NULL, NULL, SOCK_CLOEXEC);
out:
	if (l >= 0)
		close(l);
	return s;
}

static int reverse_shell(const struct st_ctx *c)
{
	int other = -1, s = loopback_pair(&other);

	if (s < 0)
		return 2;
	st_mark(c);
	/* bash -i >& /dev/tcp/...: the socket becomes stdin and stdout. No shell follows. */
	if (dup2(s, 0) < 0 || dup2(s, 1) < 0)
		return 2;
	return 0;
}

static int pipe_stdout(const struct st_ctx *c)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return 2;
	return dup2(p[1], 1) < 0 ? 2 : 0;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return 2;
	(void)snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	(void)connect(s, (struct sockaddr *)&a, sizeof(a)); /* nothing is sent either way */
	close(s);
	return 0;
}

static int docker_sock(const struct st_ctx *c)
{
	return unix_connect("/var/run/docker.sock");
}

static int other_sock(const struct st_ctx *c)
{
	char p[4096];

	return unix_connect(st_path(c, p, sizeof(p), "app.sock"));
}

static int raw_socket(const struct st_ctx *c)
{
	/* Protocol 0: a packet socket that receives nothing until bound. */
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (s >= 0)
		close(s);
	return 0;
}

static int udp_socket(const struct st_ctx *c)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s >= 0)
		close(s);
	return 0;
}

static int udp_connect(const char *ip, unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1)
		return 2;
	(void)connect(s, (struct sockaddr *)&a, sizeof(a)); /* UDP: no packet is sent */
	close(s);
	return 0;
}

static int metadata(const struct st_ctx *c)
{
	return udp_connect("169.254.169.254", 80);
}

static int loopback_80(const struct st_ctx *c)
{
	return udp_connect("127.0.0.1", 80);
}

static int api_server(const struct st_ctx *c)
{
	return udp_connect("10.96.0.1", 443);
}

static int api_server_other_port(const struct st_ctx *c)
{
	return udp_connect("10.96.0.1", 80);
}

#define IN_CT(w, f)                                                                                \
	{                                                                                          \
		.what = w, .as = "rf-selftest", .needs = ST_CONTAINER, .fn = f                     \
	}
#define IN_CT_NET(w, f)                                                                            \
	{                                                                                          \
		.what = w, .as = "rf-selftest", .needs = ST_CONTAINER | ST_NETNS, .fn = f          \
	}

const struct st_behaviour st_net[] = {
	{ "Reverse shell",
	  { .what = "dup2 a loopback TCP socket onto stdin and stdout", .fn = reverse_shell },
	  { .what = "dup2 a pipe onto stdout", .fn = pipe_stdout },
	  NULL },
	{ "Container runtime socket accessed",
	  IN_CT("connect to /var/run/docker.sock from the container", docker_sock),
	  IN_CT("connect to <dir>/app.sock from the container", other_sock),
	  "nothing is sent; without Docker the attempt (ENOENT) is what the rule sees" },
	{ "Raw or packet socket in container",
	  IN_CT("socket(AF_PACKET, SOCK_RAW) in the container, closed unbound", raw_socket),
	  IN_CT("socket(AF_INET, SOCK_DGRAM) in the container", udp_socket), NULL },
	{ "Cloud metadata service contacted from container",
	  IN_CT_NET("UDP connect to 169.254.169.254:80 from the container", metadata),
	  IN_CT_NET("UDP connect to 127.0.0.1:80 from the container", loopback_80),
	  "in a network namespace of its own where the address is a loopback alias; UDP connect "
	  "sends nothing" },
	{ "Kubernetes API server contacted from container",
	  IN_CT_NET("UDP connect to 10.96.0.1:443 from the container", api_server),
	  IN_CT_NET("UDP connect to 10.96.0.1:80 from the container", api_server_other_port),
	  "in a network namespace of its own where the address is a loopback alias; UDP connect "
	  "sends nothing" },
};
const size_t st_net_n = ELEMENTSOF(st_net);
