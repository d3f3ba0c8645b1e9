/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An open-addressing hash set of (dev, ino); see seen.h. */
#include <errno.h>
#include <stdlib.h>

#include "seen.h"

static size_t hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ (dev * 0x9e3779b97f4a7c15u)) * 0xff51afd7ed558ccdu;

	return (size_t)(h ^ (h >> 32));
}

/* Returns the slot holding (dev, ino), or the empty slot where it belongs. */
static struct rf_seen_slot *find(struct rf_seen_slot *slots, size_t cap, uint64_t dev, uint64_t ino)
{
	for (size_t i = hash(dev, ino) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!slots[i].ino || (slots[i].ino == ino && slots[i].dev == dev))
			return &slots[i];
}

static int grow(struct rf_seen *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	struct rf_seen_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].ino)
			*find(slots, cap, s->slots[i].dev, s->slots[i].ino) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int rf_seen_add(struct rf_seen *s, const struct stat *st)
{
	uint64_t dev = (uint64_t)st->st_dev, ino = (uint64_t)st->st_ino ?: UINT64_MAX;
	struct rf_seen_slot *slot;

	/* At most half full, so a probe always ends at an empty slot. */
	if ((s->n + 1) * 2 > s->cap && grow(s) < 0)
		return -ENOMEM;
	slot = find(s->slots, s->cap, dev, ino);
	if (slot->ino)
		return 0;
	*slot = (struct rf_seen_slot){ dev, ino };
	s->n++;
	return 1;
}

void rf_seen_done(struct rf_seen *s)
{
	free(s->slots);
	*s = (struct rf_seen){ 0 };
}
