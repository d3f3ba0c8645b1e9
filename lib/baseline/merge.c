/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Merging baselines of replicas and nodes: the union of every workload's sets. A set saturated
 * in either document, or not recorded by either source, stays so: the union of a complete set
 * and an incomplete one is incomplete. Budgets are the larger of the two. */
#include <errno.h>
#include <string.h>

#include "baseline-internal.h"
#include "core/macro.h"
#include "core/strv.h"

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void max_budgets(struct rf_baseline_budgets *d, const struct rf_baseline_budgets *s)
{
	d->workloads = max_size(d->workloads, s->workloads);
	d->executables = max_size(d->executables, s->executables);
	d->edges = max_size(d->edges, s->edges);
	d->listen = max_size(d->listen, s->listen);
	d->connect = max_size(d->connect, s->connect);
	d->connect_prefixes = max_size(d->connect_prefixes, s->connect_prefixes);
	d->directories = max_size(d->directories, s->directories);
	d->libraries = max_size(d->libraries, s->libraries);
	d->capabilities = max_size(d->capabilities, s->capabilities);
	d->syscalls = max_size(d->syscalls, s->syscalls);
}

static int merge_workload(struct rf_baseline *dst, const struct rf_baseline_workload *sw)
{
	bool is_new = !rf_baseline_find(dst, sw->key);
	struct rf_baseline_workload *dw;
	int r;

	dw = bl_workload_get(dst, sw->key, &r);
	if (!dw)
		return r; /* past the workload budget: dst->workloads_saturated says so */
	dw->events = add_sat(dw->events, sw->events);
	for (int s = 0; s < RF_BL_SETS; s++) {
		struct bl_set *d = &dw->sets[s];
		const struct bl_set *x = &sw->sets[s];
		size_t sz = bl_elem_size((enum rf_baseline_set)s);

		for (size_t i = 0; i < x->n; i++)
			if ((r = bl_set_add(d, (enum rf_baseline_set)s, &dst->budgets,
					    (const char *)x->v + i * sz)) < 0)
				return r;
		d->recorded = (is_new || d->recorded) && x->recorded;
		d->saturated |= x->saturated;
		d->collapsed |= x->collapsed;
	}
	return 0;
}

int rf_baseline_merge(struct rf_baseline *dst, const struct rf_baseline *src)
{
	int r;

	max_budgets(&dst->budgets, &src->budgets);
	STRV_FOREACH(s, src->backends)
		if ((r = strv_extend_unique(&dst->backends, *s)) < 0)
			return r;
	strv_sort(dst->backends);
	dst->documents += src->documents;
	dst->duration_ns =
		dst->duration_ns > src->duration_ns ? dst->duration_ns : src->duration_ns;
	dst->events = add_sat(dst->events, src->events);
	dst->lost = add_sat(dst->lost, src->lost);
	dst->workloads_saturated |= src->workloads_saturated;
	for (size_t i = 0; i < src->n; i++)
		if ((r = merge_workload(dst, src->v[i])) < 0)
			return r;
	return 0;
}
