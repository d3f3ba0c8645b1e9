/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The baseline model: workloads by key, each with one sorted, bounded array per set; inserting
 * past a budget saturates the set (outbound destinations first collapse to /24 and /64
 * networks); lookups are bisections that never allocate. Also the statistics. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline-internal.h"
#include "core/macro.h"
#include "core/strv.h"

static const char *const set_names[RF_BL_SETS] = {
	[RF_BL_EXECUTABLES] = "executables",
	[RF_BL_EDGES] = "edges",
	[RF_BL_LISTEN] = "listen",
	[RF_BL_CONNECT] = "connect",
	[RF_BL_DIRECTORIES] = "directories",
	[RF_BL_LIBRARIES] = "libraries",
	[RF_BL_CAPABILITIES] = "capabilities",
	[RF_BL_SYSCALLS] = "syscalls",
};

const char *rf_baseline_set_name(enum rf_baseline_set s)
{
	return s < RF_BL_SETS ? set_names[s] : "?";
}

void rf_baseline_budgets_default(struct rf_baseline_budgets *ret)
{
	/* A web server learns some tens of items per set; these leave room for busy workloads
	 * while the worst case stays about 1 MiB per workload (docs/baseline.md). */
	*ret = (struct rf_baseline_budgets){ .workloads = 1024,
					     .executables = 128,
					     .edges = 256,
					     .listen = 32,
					     .connect = 64,
					     .connect_prefixes = 64,
					     .directories = 128,
					     .libraries = 256,
					     .capabilities = 64,
					     .syscalls = 512 };
}

size_t bl_budget(const struct rf_baseline_budgets *bg, enum rf_baseline_set s)
{
	switch (s) {
	case RF_BL_EXECUTABLES: return bg->executables;
	case RF_BL_EDGES: return bg->edges;
	case RF_BL_LISTEN: return bg->listen;
	case RF_BL_CONNECT: return bg->connect;
	case RF_BL_DIRECTORIES: return bg->directories;
	case RF_BL_LIBRARIES: return bg->libraries;
	case RF_BL_CAPABILITIES: return bg->capabilities;
	case RF_BL_SYSCALLS: return bg->syscalls;
	default: return 0;
	}
}

/* ---- elements ---- */

size_t bl_elem_size(enum rf_baseline_set s)
{
	switch (s) {
	case RF_BL_EXECUTABLES: return sizeof(struct bl_exe);
	case RF_BL_EDGES: return sizeof(struct bl_edge);
	case RF_BL_LISTEN: return sizeof(uint16_t);
	case RF_BL_CONNECT: return sizeof(struct bl_dest);
	case RF_BL_CAPABILITIES: return sizeof(int32_t);
	case RF_BL_SYSCALLS: return sizeof(struct bl_sys);
	default: return sizeof(char *);
	}
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a, b);
}

int bl_elem_cmp(enum rf_baseline_set s, const void *a, const void *b)
{
	switch (s) {
	case RF_BL_EXECUTABLES:
		return cmp_str(((const struct bl_exe *)a)->path, ((const struct bl_exe *)b)->path);
	case RF_BL_EDGES: {
		const struct bl_edge *x = a, *y = b;
		int c = cmp_str(x->parent, y->parent);

		return c ?: cmp_str(x->child, y->child);
	}
	case RF_BL_LISTEN: {
		uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

		return (x > y) - (x < y);
	}
	case RF_BL_CONNECT: {
		const struct bl_dest *x = a, *y = b;
		int c = memcmp(x->addr, y->addr, 16);

		if (!c)
			c = (x->len > y->len) - (x->len < y->len);
		return c ?: (x->port > y->port) - (x->port < y->port);
	}
	case RF_BL_CAPABILITIES: {
		int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

		return (x > y) - (x < y);
	}
	case RF_BL_SYSCALLS: {
		const struct bl_sys *x = a, *y = b;

		if (x->arch != y->arch)
			return (x->arch > y->arch) - (x->arch < y->arch);
		if (x->nr != y->nr)
			return (x->nr > y->nr) - (x->nr < y->nr);
		return x->nr < 0 ? cmp_str(x->name, y->name) : 0;
	}
	default: return cmp_str(*(char *const *)a, *(char *const *)b);
	}
}

void bl_elem_free(enum rf_baseline_set s, void *e)
{
	switch (s) {
	case RF_BL_EXECUTABLES: free(((struct bl_exe *)e)->path); break;
	case RF_BL_EDGES:
		free(((struct bl_edge *)e)->parent);
		free(((struct bl_edge *)e)->child);
		break;
	case RF_BL_SYSCALLS: free(((struct bl_sys *)e)->name); break;
	case RF_BL_DIRECTORIES:
	case RF_BL_LIBRARIES: free(*(char **)e); break;
	default: break;
	}
}

static int dup_to(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return !src || *dst ? 0 : -ENOMEM;
}

int bl_elem_copy(enum rf_baseline_set s, const void *src, void *dst)
{
	memcpy(dst, src, bl_elem_size(s));
	switch (s) {
	case RF_BL_EXECUTABLES:
		return dup_to(&((struct bl_exe *)dst)->path, ((const struct bl_exe *)src)->path);
	case RF_BL_EDGES: {
		struct bl_edge *d = dst;
		const struct bl_edge *e = src;

		if (dup_to(&d->parent, e->parent) < 0)
			return -ENOMEM;
		if (dup_to(&d->child, e->child) < 0) {
			free(d->parent);
			return -ENOMEM;
		}
		return 0;
	}
	case RF_BL_SYSCALLS:
		return dup_to(&((struct bl_sys *)dst)->name, ((const struct bl_sys *)src)->name);
	case RF_BL_DIRECTORIES:
	case RF_BL_LIBRARIES: return dup_to((char **)dst, *(char *const *)src);
	default: return 0;
	}
}

/* ---- sets ---- */

/* Index of the first element >= key; *found when equal. */
static size_t lower_bound(const struct bl_set *set, enum rf_baseline_set s, const void *key,
			  bool *found)
{
	size_t lo = 0, hi = set->n, sz = bl_elem_size(s);

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = bl_elem_cmp(s, (const char *)set->v + mid * sz, key);

		if (c < 0) {
			lo = mid + 1;
		} else {
			if (!c)
				*found = true;
			hi = mid;
		}
	}
	return lo;
}

void *bl_set_find(const struct bl_set *set, enum rf_baseline_set s, const void *key)
{
	bool found;
	size_t i = lower_bound(set, s, key, &found);

	return found ? (char *)set->v + i * bl_elem_size(s) : NULL;
}

void bl_exe_join(struct bl_exe *have, const struct bl_exe *e)
{
	if (have->id_varies || e->id_varies) {
		have->has_id = false;
		have->id_varies = true;
	} else if (e->has_id && !have->has_id) {
		have->has_id = true;
		have->dev = e->dev;
		have->ino = e->ino;
	} else if (e->has_id && (have->dev != e->dev || have->ino != e->ino)) {
		have->has_id = false;
		have->id_varies = true;
	}
}

static int insert_at(struct bl_set *set, enum rf_baseline_set s, size_t i, const void *e)
{
	size_t sz = bl_elem_size(s);
	char *v = set->v;
	int r;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 4;

		v = reallocarray(set->v, cap, sz);
		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	memmove(v + (i + 1) * sz, v + i * sz, (set->n - i) * sz);
	r = bl_elem_copy(s, e, v + i * sz);
	if (r < 0) {
		memmove(v + i * sz, v + (i + 1) * sz, (set->n - i) * sz);
		return r;
	}
	set->n++;
	return 1;
}

static int cmp_dest(const void *a, const void *b)
{
	return bl_elem_cmp(RF_BL_CONNECT, a, b);
}

/* Every exact destination becomes its network; duplicates go. */
static void collapse_all(struct bl_set *set)
{
	struct bl_dest *d = set->v;
	size_t out = 0;

	for (size_t i = 0; i < set->n; i++)
		bl_dest_collapse(&d[i]);
	qsort_safe(d, set->n, sizeof(*d), cmp_dest);
	for (size_t i = 0; i < set->n; i++)
		if (!out || bl_elem_cmp(RF_BL_CONNECT, &d[out - 1], &d[i]))
			d[out++] = d[i];
	set->n = out;
	set->collapsed = true;
}

int bl_set_add(struct bl_set *set, enum rf_baseline_set s, const struct rf_baseline_budgets *bg,
	       const void *e)
{
	struct bl_dest net;
	bool found;
	size_t i, budget = bl_budget(bg, s);

	if (s == RF_BL_CONNECT && set->collapsed) {
		net = *(const struct bl_dest *)e;
		bl_dest_collapse(&net);
		e = &net;
		budget = bg->connect_prefixes;
	}
	i = lower_bound(set, s, e, &found);
	if (found) {
		if (s == RF_BL_EXECUTABLES)
			bl_exe_join((struct bl_exe *)set->v + i, e);
		return 0;
	}
	if (set->saturated)
		return 0;
	if (set->n < budget)
		return insert_at(set, s, i, e);
	if (s == RF_BL_CONNECT && !set->collapsed) {
		collapse_all(set);
		return bl_set_add(set, s, bg, e);
	}
	set->saturated = true;
	return 0;
}

void bl_set_done(struct bl_set *set, enum rf_baseline_set s)
{
	for (size_t i = 0; i < set->n; i++)
		bl_elem_free(s, (char *)set->v + i * bl_elem_size(s));
	free(set->v);
	*set = (struct bl_set){ 0 };
}

/* ---- destinations ---- */

bool bl_addr_is_v4(const uint8_t a[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, mapped, sizeof(mapped));
}

void bl_dest_collapse(struct bl_dest *d)
{
	unsigned len = bl_addr_is_v4(d->addr) ? 120 : 64;

	if (d->len <= len)
		return;
	for (unsigned bit = len; bit < 128; bit++)
		d->addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
	d->len = (uint8_t)len;
}

/* ---- workloads ---- */

int rf_baseline_new(const struct rf_baseline_budgets *budgets, struct rf_baseline **ret)
{
	struct rf_baseline *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	if (budgets)
		b->budgets = *budgets;
	else
		rf_baseline_budgets_default(&b->budgets);
	b->by_key = (struct rf_hmap)RF_HMAP_INIT_STR;
	b->documents = 1;
	*ret = b;
	return 0;
}

static void workload_free(struct rf_baseline_workload *w)
{
	if (!w)
		return;
	for (int s = 0; s < RF_BL_SETS; s++)
		bl_set_done(&w->sets[s], (enum rf_baseline_set)s);
	free(w->key);
	free(w);
}

void rf_baseline_free(struct rf_baseline *b)
{
	if (!b)
		return;
	rf_hmap_done(&b->by_key, NULL);
	for (size_t i = 0; i < b->n; i++)
		workload_free(b->v[i]);
	free(b->v);
	strv_free(b->backends);
	free(b);
}

struct rf_baseline_workload *bl_workload_get(struct rf_baseline *b, const char *key, int *ret_err)
{
	struct rf_baseline_workload *w = rf_hmap_get_str(&b->by_key, key), **v;

	*ret_err = 0;
	if (w)
		return w;
	if (b->n >= b->budgets.workloads) {
		b->workloads_saturated = true;
		return NULL;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;

		v = reallocarray(b->v, cap, sizeof(*v));
		if (!v)
			goto oom;
		b->v = v;
		b->cap = cap;
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->key = strdup(key)))
		goto oom;
	for (int s = 0; s < RF_BL_SETS; s++)
		w->sets[s].recorded = true;
	if (rf_hmap_put_str(&b->by_key, w->key, w, NULL) < 0)
		goto oom;
	b->v[b->n++] = w;
	return w;
oom:
	workload_free(w);
	*ret_err = -ENOMEM;
	return NULL;
}

static int cmp_workload(const void *a, const void *b)
{
	return strcmp((*(struct rf_baseline_workload *const *)a)->key,
		      (*(struct rf_baseline_workload *const *)b)->key);
}

void bl_sort_workloads(struct rf_baseline *b)
{
	if (b->n)
		qsort_safe(b->v, b->n, sizeof(*b->v), cmp_workload);
}

/* ---- lookups ---- */

const struct rf_baseline_workload *rf_baseline_find(const struct rf_baseline *b, const char *key)
{
	return b && key ? rf_hmap_get_str(&b->by_key, key) : NULL;
}

bool rf_baseline_complete(const struct rf_baseline_workload *w, enum rf_baseline_set set)
{
	return w && set < RF_BL_SETS && w->sets[set].recorded && !w->sets[set].saturated;
}

/* Bisection over strings given as (pointer, length), not NUL-terminated. */
static int cmp_slice(const char *have, const char *s, size_t len)
{
	int c = strncmp(have, s, len);

	if (c)
		return c;
	return have[len] != '\0';
}

static bool has_string(const struct bl_set *set, enum rf_baseline_set s, const char *str,
		       size_t len, const char *child, size_t child_len)
{
	size_t lo = 0, hi = set->n;

	if (memchr(str, '\0', len) || (child && memchr(child, '\0', child_len)))
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c;

		if (s == RF_BL_EDGES) {
			const struct bl_edge *e = (const struct bl_edge *)set->v + mid;

			c = cmp_slice(e->parent, str, len) ?: cmp_slice(e->child, child, child_len);
		} else if (s == RF_BL_EXECUTABLES) {
			c = cmp_slice(((const struct bl_exe *)set->v)[mid].path, str, len);
		} else {
			c = cmp_slice(((char *const *)set->v)[mid], str, len);
		}
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool rf_baseline_has(const struct rf_baseline_workload *w, const struct rf_baseline_item *it)
{
	const struct bl_set *set;

	if (!w || it->set >= RF_BL_SETS || it->overlong)
		return false;
	set = &w->sets[it->set];
	switch (it->set) {
	case RF_BL_EXECUTABLES:
	case RF_BL_DIRECTORIES:
	case RF_BL_LIBRARIES: return has_string(set, it->set, it->s, it->len, NULL, 0);
	case RF_BL_EDGES:
		return has_string(set, it->set, it->parent, it->parent_len, it->s, it->len);
	case RF_BL_LISTEN: return bl_set_find(set, it->set, &it->port) != NULL;
	case RF_BL_CAPABILITIES: return bl_set_find(set, it->set, &it->nr) != NULL;
	case RF_BL_SYSCALLS: {
		struct bl_sys k = { .arch = it->arch, .nr = it->nr };

		return it->nr >= 0 && bl_set_find(set, it->set, &k) != NULL;
	}
	case RF_BL_CONNECT: {
		/* The exact destination, or its network once the set (or a merged one) collapsed.
		 */
		struct bl_dest k = { .len = 128, .port = it->port };

		memcpy(k.addr, it->addr, 16);
		if (bl_set_find(set, it->set, &k))
			return true;
		bl_dest_collapse(&k);
		return bl_set_find(set, it->set, &k) != NULL;
	}
	default: return false;
	}
}

/* ---- statistics ---- */

static size_t elem_bytes(enum rf_baseline_set s, const void *e)
{
	switch (s) {
	case RF_BL_EXECUTABLES: return strlen(((const struct bl_exe *)e)->path) + 1;
	case RF_BL_EDGES:
		return strlen(((const struct bl_edge *)e)->parent) + 1 +
		       strlen(((const struct bl_edge *)e)->child) + 1;
	case RF_BL_SYSCALLS: {
		const char *n = ((const struct bl_sys *)e)->name;

		return n ? strlen(n) + 1 : 0;
	}
	case RF_BL_DIRECTORIES:
	case RF_BL_LIBRARIES: return strlen(*(char *const *)e) + 1;
	default: return 0;
	}
}

void rf_baseline_stats(const struct rf_baseline *b, struct rf_baseline_stats *ret)
{
	struct rf_baseline_stats st = { .workloads = b->n,
					.workloads_saturated = b->workloads_saturated,
					.events = b->events,
					.lost = b->lost };

	st.bytes =
		sizeof(*b) + b->cap * sizeof(*b->v) + b->by_key.cap * sizeof(struct rf_hmap_slot);
	for (size_t i = 0; i < b->n; i++) {
		const struct rf_baseline_workload *w = b->v[i];

		st.bytes += sizeof(*w) + strlen(w->key) + 1;
		for (int s = 0; s < RF_BL_SETS; s++) {
			const struct bl_set *set = &w->sets[s];
			size_t sz = bl_elem_size((enum rf_baseline_set)s);

			st.items[s] += set->n;
			st.saturated[s] += set->saturated;
			st.bytes += set->cap * sz;
			for (size_t k = 0; k < set->n; k++)
				st.bytes += elem_bytes((enum rf_baseline_set)s,
						       (char *)set->v + k * sz);
		}
	}
	*ret = st;
}

int rf_baseline_workload_info(const struct rf_baseline *b, size_t i,
			      struct rf_baseline_workload_info *ret)
{
	const struct rf_baseline_workload *w;

	if (i >= b->n)
		return -ENOENT;
	w = b->v[i];
	*ret = (struct rf_baseline_workload_info){ .key = w->key, .events = w->events };
	for (int s = 0; s < RF_BL_SETS; s++) {
		ret->items[s] = w->sets[s].n;
		ret->recorded[s] = w->sets[s].recorded;
		ret->saturated[s] = w->sets[s].saturated;
	}
	return 0;
}

void rf_baseline_summary_write(const struct rf_baseline *b, FILE *out)
{
	struct rf_baseline_stats st;
	size_t items = 0, sat = 0;

	rf_baseline_stats(b, &st);
	for (int s = 0; s < RF_BL_SETS; s++) {
		items += st.items[s];
		sat += st.saturated[s];
	}
	fprintf(out,
		"ringfence: baseline: %zu workload%s%s, %zu items, %zu saturated set%s, "
		"%.1f KiB; learned from %" PRIu64 " events (%" PRIu64 " lost)\n",
		st.workloads, st.workloads == 1 ? "" : "s",
		st.workloads_saturated ? " (workload budget reached)" : "", items, sat,
		sat == 1 ? "" : "s", st.bytes / 1024.0, st.events, st.lost);
}
