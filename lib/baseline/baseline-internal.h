/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What lib/baseline's files share: a workload is eight sorted arrays of fixed-size elements,
 * one per set, searched by bisection (no hashing, so a lookup needs no NUL-terminated copy and
 * the order is the document's order); workloads are found by key through one hash map. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "ringfence/baseline.h"

/* Elements, one type per set. Strings are owned by the element. */
struct bl_exe {
	char *path;
	uint64_t dev, ino;
	bool has_id;	/* dev/ino known ... */
	bool id_varies; /* ... or seen different (merged nodes, a replaced file): unknown */
};
struct bl_edge {
	char *parent, *child;
};
struct bl_dest {
	uint8_t addr[16]; /* IPv6, or IPv4 as ::ffff:a.b.c.d, host bits cleared */
	uint8_t len;	  /* 128 exact; 120 (a v4 /24) or 64 (a v6 /64) collapsed */
	uint16_t port;
};
struct bl_sys {
	uint32_t arch;
	int32_t nr; /* -1: `name` is one this libseccomp does not know (kept, never matched) */
	char *name; /* only then */
};
/* listen: uint16_t ports; capabilities: int32_t; directories, libraries: char * */

struct bl_set {
	void *v;
	size_t n, cap;
	bool recorded;	/* the source could see it (else: no deviations, nothing learned) */
	bool saturated; /* a budget was reached: no deviations */
	bool collapsed; /* connect only: new destinations are /24 or /64 networks */
};

struct rf_baseline_workload {
	char *key;
	uint64_t events; /* events learned from (summed over merged documents) */
	struct bl_set sets[RF_BL_SETS];
};

struct rf_baseline {
	struct rf_baseline_budgets budgets;
	struct rf_hmap by_key; /* key -> workload */
	struct rf_baseline_workload **v;
	size_t n, cap;
	bool workloads_saturated; /* workloads were not learned for the budget */
	char **backends;	  /* sorted, unique */
	unsigned documents;	  /* documents merged into this one (1 when learned) */
	uint64_t duration_ns, events, lost;
};

/* ---- sets (baseline.c) ---- */

size_t bl_elem_size(enum rf_baseline_set s);
int bl_elem_cmp(enum rf_baseline_set s, const void *a, const void *b);
void bl_elem_free(enum rf_baseline_set s, void *e);
/* A deep copy of an element (strings duplicated). */
int bl_elem_copy(enum rf_baseline_set s, const void *src, void *dst);
/* Budget of a set under b's budgets (connect: the exact budget). */
size_t bl_budget(const struct rf_baseline_budgets *bg, enum rf_baseline_set s);

/* The element equal to `key` or NULL. */
void *bl_set_find(const struct bl_set *set, enum rf_baseline_set s, const void *key);
/* Inserts a copy of `e` unless present (1 new, 0 present, -ENOMEM). Past the budget the set is
 * marked saturated instead (connect collapses first), and 0 returned. */
int bl_set_add(struct bl_set *set, enum rf_baseline_set s, const struct rf_baseline_budgets *bg,
	       const void *e);
void bl_set_done(struct bl_set *set, enum rf_baseline_set s);
/* One executable seen twice: its dev/inode kept only while every sighting agrees. */
void bl_exe_join(struct bl_exe *have, const struct bl_exe *e);

/* The workload of a key, created (every set recorded, empty) unless the workload budget is
 * reached (NULL, b->workloads_saturated set) or on -ENOMEM (NULL, *ret_err). */
struct rf_baseline_workload *bl_workload_get(struct rf_baseline *b, const char *key, int *ret_err);
/* The workloads sorted by key (the array itself is sorted in place). */
void bl_sort_workloads(struct rf_baseline *b);

/* IPv4 /24 and IPv6 /64 of a destination, for collapsing. */
void bl_dest_collapse(struct bl_dest *d);
bool bl_addr_is_v4(const uint8_t addr[16]);
