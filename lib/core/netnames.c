/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The name tables of netnames.h. Address families are the kernel's AF_* numbering, in the
 * spelling of AppArmor's policy language (apparmor.d(5), "network" rules). */
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "netnames.h"
#include "ringfence/event.h"

static const char *const families[] = {
	[AF_UNIX] = "unix",
	[AF_INET] = "inet",
	[AF_AX25] = "ax25",
	[AF_IPX] = "ipx",
	[AF_APPLETALK] = "appletalk",
	[AF_NETROM] = "netrom",
	[AF_BRIDGE] = "bridge",
	[AF_ATMPVC] = "atmpvc",
	[AF_X25] = "x25",
	[AF_INET6] = "inet6",
	[AF_ROSE] = "rose",
	[AF_DECnet] = "decnet",
	[AF_NETBEUI] = "netbeui",
	[AF_SECURITY] = "security",
	[AF_KEY] = "key",
	[AF_NETLINK] = "netlink",
	[AF_PACKET] = "packet",
	[AF_ASH] = "ash",
	[AF_ECONET] = "econet",
	[AF_ATMSVC] = "atmsvc",
	[AF_RDS] = "rds",
	[AF_SNA] = "sna",
	[AF_IRDA] = "irda",
	[AF_PPPOX] = "pppox",
	[AF_WANPIPE] = "wanpipe",
	[AF_LLC] = "llc",
	[AF_IB] = "ib",
	[AF_MPLS] = "mpls",
	[AF_CAN] = "can",
	[AF_TIPC] = "tipc",
	[AF_BLUETOOTH] = "bluetooth",
	[AF_IUCV] = "iucv",
	[AF_RXRPC] = "rxrpc",
	[AF_ISDN] = "isdn",
	[AF_PHONET] = "phonet",
	[AF_IEEE802154] = "ieee802154",
	[AF_CAIF] = "caif",
	[AF_ALG] = "alg",
	[AF_NFC] = "nfc",
	[AF_VSOCK] = "vsock",
	[AF_KCM] = "kcm",
	[AF_QIPCRTR] = "qipcrtr",
	[AF_SMC] = "smc",
	[AF_XDP] = "xdp",
	[45] = "mctp",
};

static const char *const types[] = {
	[SOCK_STREAM] = "stream", [SOCK_DGRAM] = "dgram",	  [SOCK_RAW] = "raw",
	[SOCK_RDM] = "rdm",	  [SOCK_SEQPACKET] = "seqpacket", [SOCK_DCCP] = "dccp",
	[SOCK_PACKET] = "packet",
};

static const char *const net_ops[] = {
	[RF_NET_SOCKET] = "socket", [RF_NET_CONNECT] = "connect",	[RF_NET_BIND] = "bind",
	[RF_NET_LISTEN] = "listen", [RF_NET_ACCEPT] = "accept",		[RF_NET_SEND] = "send",
	[RF_NET_STATE] = "state",   [RF_NET_DNS_ANSWER] = "dns_answer",
};

static const char *const accesses[] = {
	"read", "write", "append", "create", "exec",   "mmap-exec", "delete",
	"link", "lock",	 "chmod",  "chown",  "rename", "dir",
};

static const char *lookup(const char *const *v, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? v[i] : NULL;
}

static int rlookup(const char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (v[i] && streq(v[i], name))
			return (int)i;
	return -1;
}

const char *rf_af_name(int family)
{
	return lookup(families, ELEMENTSOF(families), family);
}

int rf_af_from_name(const char *name)
{
	return rlookup(families, ELEMENTSOF(families), name);
}

const char *rf_socktype_name(int type)
{
	return lookup(types, ELEMENTSOF(types), type);
}

int rf_socktype_from_name(const char *name)
{
	return rlookup(types, ELEMENTSOF(types), name);
}

const char *rf_net_op_name(int op)
{
	return lookup(net_ops, ELEMENTSOF(net_ops), op);
}

int rf_net_op_from_name(const char *name)
{
	return rlookup(net_ops, ELEMENTSOF(net_ops), name);
}

const char *rf_file_access_name(uint32_t bit)
{
	return bit ? lookup(accesses, ELEMENTSOF(accesses), __builtin_ctz(bit)) : NULL;
}

uint32_t rf_file_access_from_name(const char *name)
{
	int i = rlookup(accesses, ELEMENTSOF(accesses), name);

	return i < 0 ? 0 : UINT32_C(1) << i;
}
