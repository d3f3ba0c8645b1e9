/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Threat intelligence for `watch --ioc`: the indicator lists of ringfence/ioc.h, kept current
 * (reloaded on request or when a file changes, in a thread of its own, swapped in between two
 * events: nothing is lost while a list of a million entries loads), plus what lets them match
 * live events:
 *   - addresses: the remote address of a connection or datagram;
 *   - domains: ringfence never resolves names; it learns address -> name from the DNS answers
 *     the workloads receive (RF_NET_DNS_ANSWER events) and matches later connections to those
 *     addresses, citing the answer;
 *   - files: the SHA-256 of an executed file, computed once per (device, inode, size, mtime).
 * The rule engine reads them as fields (ioc.*, docs/rules.md); data/rules/ioc.yaml turns
 * matches into findings. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/addr-feed.h"
#include "ringfence/error.h"
#include "ringfence/event.h"
#include "ringfence/ioc.h"
#include "ringfence/sink.h"

#define RF_DNS_NAME_MAX	  256
#define RF_DNS_MAX_ADDRS  16
#define RF_DNS_MAX_CNAMES 4

struct rf_dns_addr {
	int family; /* AF_INET, AF_INET6 */
	uint8_t addr[16];
	uint32_t ttl;
};

/* What a DNS response says: the question and its A/AAAA/CNAME answers. */
struct rf_dns_answer {
	char qname[RF_DNS_NAME_MAX];
	char cnames[RF_DNS_MAX_CNAMES][RF_DNS_NAME_MAX];
	size_t n_cnames;
	struct rf_dns_addr addrs[RF_DNS_MAX_ADDRS];
	size_t n_addrs;
};

/* Parses a response (cut messages yield their complete records); -EINVAL when it is not one,
 * -ENOENT when it has no address. */
int rf_dns_parse(const uint8_t *msg, size_t len, struct rf_dns_answer *ret);

/* The answer that named an address. */
struct rf_dns_learned {
	char qname[RF_DNS_NAME_MAX]; /* the name the workload asked for */
	size_t qname_len;
	char cnames[RF_DNS_MAX_CNAMES][RF_DNS_NAME_MAX]; /* aliases on the way */
	size_t n_cnames;
	char answer[3 * RF_DNS_NAME_MAX /
		    2]; /* "pool.example.test A 192.0.2.7 (from 10.0.0.2:53)" */
	uint64_t time_ns;
};

struct rf_intel;

struct rf_intel_opts {
	char *const *ioc_files;	 /* loaded in order; reloaded together */
	size_t dns_max;		 /* addresses remembered (0: 65536) */
	uint64_t hash_max_bytes; /* larger executables are not hashed (0: 512 MiB) */
	unsigned watch_files_ms; /* how often file changes are looked for (0: 2000; -1u: never) */
	int reload_fd; /* > 0: readable (a byte from a SIGHUP handler) asks for a reload */
};

int rf_intel_new(const struct rf_intel_opts *o, struct rf_intel **ret, struct rf_error *reterr);
void rf_intel_free(struct rf_intel *in);
static inline void rf_intel_freep(struct rf_intel **in)
{
	if (*in)
		rf_intel_free(*in);
}

/* The consumer that learns from DNS answers and swaps in reloaded lists; it must come before
 * the rule engine in the chain. */
void rf_intel_sink(struct rf_intel *in, struct rf_sink *ret);
/* The addresses the lists and the DNS answers for listed domains give, for a source that
 * filters outbound connections in the kernel (valid as long as the intel). */
void rf_intel_addr_feed(struct rf_intel *in, struct rf_addr_feed *ret);
/* Asks for a reload of every list (async-signal-safe: a SIGHUP handler may call it). A list
 * that fails to load keeps the previous set in use and is reported. */
void rf_intel_request_reload(struct rf_intel *in);
/* Whether the lists hold domains (then DNS answers must be collected). */
bool rf_intel_has_domains(const struct rf_intel *in);
bool rf_intel_has_hashes(const struct rf_intel *in);

/* ---- lookups (the event thread only) ---- */
const struct rf_ioc *rf_intel_match_addr(struct rf_intel *in, const struct rf_sockaddr *sa);
/* The listed domain (the name asked, or one of its aliases) an address was learned for. */
const struct rf_ioc *rf_intel_match_domain(struct rf_intel *in, const struct rf_sockaddr *sa,
					   const struct rf_dns_learned **ret_how);
const struct rf_dns_learned *rf_intel_dns_name(struct rf_intel *in, const struct rf_sockaddr *sa);
/* The SHA-256 (hex) of a process's executable, by /proc/pid/exe (else path); NULL when it
 * cannot be read or is too large. Valid until the next call. */
/* The executed file when /proc/PID/exe is gone (a short-lived process): a path, and when
 * has_id the identity the file there must have (else it is another file: not hashed). */
struct rf_exe_ref {
	const char *path;
	bool has_id;
	uint64_t dev, ino;
};
const char *rf_intel_exe_sha256(struct rf_intel *in, pid_t tgid, const struct rf_exe_ref *ref);
const struct rf_ioc *rf_intel_match_sha256(struct rf_intel *in, const char *hex);

struct rf_intel_stats {
	struct rf_ioc_counts counts;
	uint64_t reloads, reload_failures;
	uint64_t dns_answers, dns_learned, dns_forgotten;
	uint64_t hashed, hash_cache_hits, hash_skipped;
};
void rf_intel_stats(const struct rf_intel *in, struct rf_intel_stats *ret);
