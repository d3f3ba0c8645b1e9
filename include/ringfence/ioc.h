/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Threat intelligence lists: IP addresses and CIDRs (IPv4 and IPv6), domains (exact, or a whole
 * zone written "*.zone" or ".zone"), and SHA-256 hashes of files, each with a category
 * (CryptoCurrency, Backdoor, Tor, C&C, or a list's own). Three formats:
 *
 *   plain text  one indicator per line; '#' starts a comment; a line "# category: NAME" sets the
 *               category of the lines after it (default "Custom")
 *   CSV         a header naming the columns "indicator" (or "value"), and optionally "category"
 *               and "description"; RFC 4180 quoting
 *   STIX-lite   JSON: {"objects": [{"type": "indicator", "pattern": "[ipv4-addr:value = 'x']",
 *               "labels"|"indicator_types": [...], "x_category": "...", "name": "..."}]} with
 *               ipv4-addr, ipv6-addr, domain-name and file:hashes.'SHA-256' patterns
 *
 * Every indicator is validated: a line that is none of these is an error naming file:line, so
 * a feed with a typo never silently protects against less than its author meant. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"

enum rf_ioc_kind { RF_IOC_IP = 1, RF_IOC_DOMAIN, RF_IOC_ZONE, RF_IOC_SHA256 };

struct rf_ioc {
	enum rf_ioc_kind kind;
	const char *value; /* normalised: "203.0.113.0/24", "pool.example.test", hex */
	const char *category;
	const char *description; /* may be NULL */
	const char *file;	 /* where it was listed: file and line (STIX: object number) */
	unsigned line;
};

struct rf_ioc_set;

struct rf_ioc_counts {
	size_t ips, domains, zones, hashes;
};

int rf_ioc_set_new(struct rf_ioc_set **ret);
void rf_ioc_set_free(struct rf_ioc_set *s);
static inline void rf_ioc_set_freep(struct rf_ioc_set **s)
{
	if (*s)
		rf_ioc_set_free(*s);
}

/* Adds a file's indicators (format from the content: JSON, a CSV header, else plain text). */
int rf_ioc_load(struct rf_ioc_set *s, const char *path, struct rf_error *reterr);
/* Freezes the set for lookups (builds the prefix set). Lookups before this find nothing. */
int rf_ioc_build(struct rf_ioc_set *s);
void rf_ioc_counts(const struct rf_ioc_set *s, struct rf_ioc_counts *ret);

/* Longest prefix containing the address (16 bytes, IPv4 as ::ffff:a.b.c.d). */
const struct rf_ioc *rf_ioc_match_ip(const struct rf_ioc_set *s, const uint8_t addr[16]);
/* An exact domain, or the innermost listed zone containing it (case-insensitive, a trailing
 * dot ignored). */
const struct rf_ioc *rf_ioc_match_domain(const struct rf_ioc_set *s, const char *name);
/* A SHA-256 as 64 hex digits (either case). */
const struct rf_ioc *rf_ioc_match_sha256(const struct rf_ioc_set *s, const char *hex);
/* Every IP prefix of the set, for an in-kernel filter: fn(addr, prefix_len_in_v6_space). */
int rf_ioc_each_prefix(const struct rf_ioc_set *s,
		       int (*fn)(const uint8_t addr[16], unsigned len, void *ud), void *ud);
