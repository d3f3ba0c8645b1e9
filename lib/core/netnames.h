/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names of socket address families and types in the words AppArmor's `network` rules use (also
 * the words of observations and findings), and of network operations and file accesses. */
#pragma once

#include <stdint.h>

/* "inet", "inet6", "unix", "netlink", "packet" ...; NULL for an unknown family. */
const char *rf_af_name(int family);
/* -1 when unknown. */
int rf_af_from_name(const char *name);
/* "stream", "dgram", "raw", "rdm", "seqpacket", "dccp", "packet"; NULL unknown. */
const char *rf_socktype_name(int type);
int rf_socktype_from_name(const char *name);
/* "socket", "connect", "bind", "listen", "accept", "send", "state" (enum rf_net_op). */
const char *rf_net_op_name(int op);
int rf_net_op_from_name(const char *name);
/* "read", "write", "append", "create", "exec", "mmap-exec", "delete", "link", "lock", "chmod",
 * "chown", "rename", "dir" for one RF_ACC_* bit. */
const char *rf_file_access_name(uint32_t bit);
uint32_t rf_file_access_from_name(const char *name);
