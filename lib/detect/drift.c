/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Drift: the paths written since watching began, per container, so "this executable was
 * written after the container started" (proc.is_exe_written) is one hash lookup at exec time.
 * Bounded: a ring of at most `max` entries, the oldest forgotten first (counted, so a finding
 * that relied on the set can say its coverage was partial). A key is a 64-bit hash of
 * (container id, path); the strings are not kept, so memory is 24 bytes or so per path and a
 * collision (one in 2^64 per pair) could only make a drift finding, never hide one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detect-internal.h"

struct drift {
	struct rf_hmap set; /* key -> 1 */
	uint64_t *ring;
	size_t max, head, n;
	uint64_t evicted;
};

int drift_new(size_t max, struct drift **ret)
{
	struct drift *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->ring = calloc(max, sizeof(*d->ring));
	if (!d->ring) {
		free(d);
		return -ENOMEM;
	}
	d->max = max;
	d->set = (struct rf_hmap)RF_HMAP_INIT_U64;
	*ret = d;
	return 0;
}

void drift_free(struct drift *d)
{
	if (!d)
		return;
	rf_hmap_done(&d->set, NULL);
	free(d->ring);
	free(d);
}

uint64_t drift_evicted(const struct drift *d)
{
	return d->evicted;
}

static uint64_t key_of(const struct rf_event *ev, const char *path, size_t len)
{
	uint64_t h = rf_hash_str(event_container_id(ev));

	/* FNV-1a over the path bytes (it need not be NUL-terminated), mixed with the container. */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)path[i]) * UINT64_C(0x100000001b3);
	return rf_hash_u64(h);
}

static void remember(struct drift *d, uint64_t key)
{
	if (rf_hmap_get_u64(&d->set, key))
		return;
	if (d->n == d->max) {
		(void)rf_hmap_remove_u64(&d->set, d->ring[d->head]);
		d->evicted++;
		d->n--;
	}
	if (rf_hmap_put_u64(&d->set, key, (void *)(uintptr_t)1, NULL) < 0) {
		d->evicted++; /* out of memory: as good as forgotten */
		return;
	}
	d->ring[d->head] = key;
	d->head = (d->head + 1) % d->max;
	d->n++;
}

void drift_observe(struct drift *d, struct eval_ctx *c)
{
	static const struct field *fs_path;
	const struct rf_ev_file *f = &c->ev->file;
	struct fref ref = { .index = -1 };
	struct rf_val v;

	if (f->has_ret && f->ret < 0)
		return;
	/* Where new content appears: a file opened for writing, a rename or a hard link onto
	 * a name. (A symlink only points at content that exists.) */
	if (!(f->op == RF_FILE_OPEN &&
	      f->access & (RF_ACC_WRITE | RF_ACC_APPEND | RF_ACC_CREATE)) &&
	    f->op != RF_FILE_RENAME && f->op != RF_FILE_LINK)
		return;
	if (!fs_path)
		fs_path = field_lookup("fs.path.name", strlen("fs.path.name"));
	ref.f = fs_path;
	memset(&v, 0, sizeof(v));
	if (fs_path->get(c, &ref, 0, &v) <= 0)
		return;
	remember(d, key_of(c->ev, v.s, v.len));
}

bool drift_written(struct drift *d, struct eval_ctx *c, const char *path, size_t len)
{
	return rf_hmap_get_u64(&d->set, key_of(c->ev, path, len)) != NULL;
}
