/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hash map of hashmap.h: linear probing at most 3/4 full, backward-shift deletion (no
 * tombstones, so a long-running watcher's table never degrades). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

/* splitmix64's finaliser: every input bit reaches every output bit. */
uint64_t rf_hash_u64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* FNV-1a, then the finaliser above: FNV alone clusters in the low bits we index with. */
uint64_t rf_hash_str(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return rf_hash_u64(h);
}

static uint64_t slot_hash(uint64_t h)
{
	return h ? h : 1;
}

static bool same_key(const struct rf_hmap *m, const struct rf_hmap_slot *s, uint64_t h,
		     uint64_t ukey, const char *skey)
{
	if (s->hash != h)
		return false;
	return m->keys == RF_HMAP_STR ? strcmp(s->key.s, skey) == 0 : s->key.u == ukey;
}

static struct rf_hmap_slot *find(const struct rf_hmap *m, uint64_t h, uint64_t ukey,
				 const char *skey)
{
	size_t mask, i;

	if (!m->cap)
		return NULL;
	mask = m->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		struct rf_hmap_slot *s = &m->slots[i];

		if (!s->hash)
			return NULL;
		if (same_key(m, s, h, ukey, skey))
			return s;
	}
}

static void place(struct rf_hmap_slot *slots, size_t cap, const struct rf_hmap_slot *e)
{
	size_t mask = cap - 1, i;

	for (i = e->hash & mask; slots[i].hash; i = (i + 1) & mask)
		;
	slots[i] = *e;
}

static int grow(struct rf_hmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	struct rf_hmap_slot *n;

	if (ncap < m->cap || ncap > SIZE_MAX / sizeof(*n))
		return -ENOMEM;
	n = calloc(ncap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].hash)
			place(n, ncap, &m->slots[i]);
	free(m->slots);
	m->slots = n;
	m->cap = ncap;
	return 0;
}

static int put(struct rf_hmap *m, uint64_t h, uint64_t ukey, const char *skey, void *value,
	       void **ret_old)
{
	struct rf_hmap_slot *s = find(m, h, ukey, skey), e = { .hash = h, .value = value };

	if (s) {
		if (ret_old)
			*ret_old = s->value;
		s->value = value;
		if (m->keys == RF_HMAP_STR)
			s->key.s = skey; /* the new value owns the key now */
		return 0;
	}
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -ENOMEM;
	if (m->keys == RF_HMAP_STR)
		e.key.s = skey;
	else
		e.key.u = ukey;
	place(m->slots, m->cap, &e);
	m->n++;
	return 1;
}

/* Backward-shift deletion: entries after the hole move back while that brings them no further
 * from their home slot, so every probe sequence stays unbroken. */
static void *remove_slot(struct rf_hmap *m, struct rf_hmap_slot *s)
{
	size_t mask = m->cap - 1, hole = (size_t)(s - m->slots), i = hole;
	void *value = s->value;

	for (;;) {
		size_t home;

		i = (i + 1) & mask;
		if (!m->slots[i].hash)
			break;
		home = m->slots[i].hash & mask;
		/* Move i into the hole unless its home lies cyclically in (hole, i]. */
		if (hole <= i ? (home > hole && home <= i) : (home > hole || home <= i))
			continue;
		m->slots[hole] = m->slots[i];
		hole = i;
	}
	m->slots[hole] = (struct rf_hmap_slot){ 0 };
	m->n--;
	return value;
}

void *rf_hmap_get_u64(const struct rf_hmap *m, uint64_t key)
{
	struct rf_hmap_slot *s = find(m, slot_hash(rf_hash_u64(key)), key, NULL);

	return s ? s->value : NULL;
}

void *rf_hmap_get_str(const struct rf_hmap *m, const char *key)
{
	struct rf_hmap_slot *s = find(m, slot_hash(rf_hash_str(key)), 0, key);

	return s ? s->value : NULL;
}

int rf_hmap_put_u64(struct rf_hmap *m, uint64_t key, void *value, void **ret_old)
{
	return put(m, slot_hash(rf_hash_u64(key)), key, NULL, value, ret_old);
}

int rf_hmap_put_str(struct rf_hmap *m, const char *key, void *value, void **ret_old)
{
	return put(m, slot_hash(rf_hash_str(key)), 0, key, value, ret_old);
}

void *rf_hmap_remove_u64(struct rf_hmap *m, uint64_t key)
{
	struct rf_hmap_slot *s = find(m, slot_hash(rf_hash_u64(key)), key, NULL);

	return s ? remove_slot(m, s) : NULL;
}

void *rf_hmap_remove_str(struct rf_hmap *m, const char *key)
{
	struct rf_hmap_slot *s = find(m, slot_hash(rf_hash_str(key)), 0, key);

	return s ? remove_slot(m, s) : NULL;
}

void rf_hmap_remove_if_u64(struct rf_hmap *m, bool (*pred)(uint64_t key, void *value, void *ctx),
			   void *ctx)
{
	/* A removal shifts a later entry into this slot: look at it again before moving on.
	 * Entries wrapping from the table's start may move to its end and be seen twice, which
	 * the predicate answers the same way. */
	for (size_t i = 0; i < m->cap;) {
		struct rf_hmap_slot *s = &m->slots[i];

		if (s->hash && pred(s->key.u, s->value, ctx))
			(void)remove_slot(m, s);
		else
			i++;
	}
}

void *rf_hmap_next(const struct rf_hmap *m, size_t *it)
{
	for (; *it < m->cap; (*it)++)
		if (m->slots[*it].hash)
			return m->slots[(*it)++].value;
	return NULL;
}

void rf_hmap_done(struct rf_hmap *m, void (*free_value)(void *value))
{
	for (size_t i = 0; free_value && i < m->cap; i++)
		if (m->slots[i].hash)
			free_value(m->slots[i].value);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
