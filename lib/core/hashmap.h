/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One hash map for every per-event lookup (syscall rows, processes, file paths, rule indexes):
 * open addressing with linear probing and backward-shift deletion, so a lookup touches one or
 * two cache lines and never allocates. Keys are 64-bit integers or NUL-terminated strings (the
 * map stores the string pointer: the value must keep it alive, e.g. a struct holding its key). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rf_hmap_keys {
	RF_HMAP_U64 = 0, /* zero-initialised maps use integer keys */
	RF_HMAP_STR,
};

struct rf_hmap_slot {
	uint64_t hash; /* 0 = empty; real hashes are forced non-zero */
	union {
		uint64_t u;
		const char *s;
	} key;
	void *value;
};

struct rf_hmap {
	enum rf_hmap_keys keys;
	struct rf_hmap_slot *slots;
	size_t cap; /* power of two, 0 before the first insert */
	size_t n;
};

#define RF_HMAP_INIT_U64                                                                           \
	{                                                                                          \
		.keys = RF_HMAP_U64                                                                \
	}
#define RF_HMAP_INIT_STR                                                                           \
	{                                                                                          \
		.keys = RF_HMAP_STR                                                                \
	}

uint64_t rf_hash_u64(uint64_t x);
uint64_t rf_hash_str(const char *s);

/* Lookups: the value, or NULL when absent (store non-NULL values). */
void *rf_hmap_get_u64(const struct rf_hmap *m, uint64_t key);
void *rf_hmap_get_str(const struct rf_hmap *m, const char *key);

/* Insert or replace. Returns 1 when the key was new, 0 when replaced (the old value is given
 * back in *ret_old when ret_old is not NULL), -ENOMEM (map unchanged). */
int rf_hmap_put_u64(struct rf_hmap *m, uint64_t key, void *value, void **ret_old);
int rf_hmap_put_str(struct rf_hmap *m, const char *key, void *value, void **ret_old);

/* Removes the key; returns its value or NULL. */
void *rf_hmap_remove_u64(struct rf_hmap *m, uint64_t key);
void *rf_hmap_remove_str(struct rf_hmap *m, const char *key);

/* Removes every entry of an integer-keyed map for which pred(key, value, ctx) is true. */
void rf_hmap_remove_if_u64(struct rf_hmap *m, bool (*pred)(uint64_t key, void *value, void *ctx),
			   void *ctx);

/* Iteration in slot order (not insertion order; sort for output):
 *   size_t it = 0; void *v; while ((v = rf_hmap_next(m, &it))) ...
 * The map must not change during the walk. */
void *rf_hmap_next(const struct rf_hmap *m, size_t *it);

/* Frees the table; calls free_value(value) for each entry first when given. */
void rf_hmap_done(struct rf_hmap *m, void (*free_value)(void *value));
