/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The field table, part three: baseline.* (docs/baseline.md). An event is classified once per
 * evaluation (rf_baseline_classify, the learner's own view of it: workload key and set items)
 * and each field looks one item up in the workload's baseline, without allocating. A field is
 * absent, so every comparison on it false, when the event has no such item, when the workload
 * has no baseline, or when the set cannot produce deviations (unrecorded by the learning
 * source, or saturated). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/macro.h"
#include "detect-internal.h"
#include "ringfence/baseline.h"

struct bl_eval {
	const struct rf_baseline *b;
	pid_t self;
	uint64_t gen;
	const struct rf_baseline_workload *w;
	struct rf_baseline_view v;
	/* the last workload looked up: consecutive events mostly share it, and comparing a key
	 * costs less than hashing it (measured: the hash was 60% of these fields' cost) */
	char last_key[RF_BASELINE_MAX_KEY];
	size_t last_len;
	const struct rf_baseline_workload *last_w;
};

int bl_eval_new(const struct rf_baseline *b, pid_t self, struct bl_eval **ret)
{
	struct bl_eval *x = calloc(1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->b = b;
	x->self = self ?: getpid();
	*ret = x;
	return 0;
}

void bl_eval_free(struct bl_eval *x)
{
	free(x);
}

static struct bl_eval *view(struct eval_ctx *c)
{
	struct bl_eval *x = c->baseline;

	if (!x)
		return NULL;
	if (x->gen != c->gen) {
		x->gen = c->gen;
		rf_baseline_classify(c->ev, eval_meta(c), x->self, &x->v);
		x->w = NULL;
		if (x->v.has_key) {
			size_t len = strlen(x->v.key);

			if (len != x->last_len || memcmp(x->v.key, x->last_key, len)) {
				x->last_w = rf_baseline_find(x->b, x->v.key);
				memcpy(x->last_key, x->v.key, len + 1);
				x->last_len = len;
			}
			x->w = x->last_w;
		}
	}
	return x->v.has_key ? x : NULL;
}

static int get_workload(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	struct bl_eval *x = nth ? NULL : view(c);

	if (!x)
		return 0;
	v->s = x->v.key;
	v->len = strlen(x->v.key);
	v->nul = true;
	return 1;
}

static int get_workload_known(struct eval_ctx *c, const struct fref *r, unsigned nth,
			      struct rf_val *v)
{
	struct bl_eval *x = nth ? NULL : view(c);

	if (!x)
		return 0;
	v->i = x->w != NULL;
	return 1;
}

extern const struct field rf_fields_baseline[];

/* The rows after the first two are the sets in enum rf_baseline_set order. */
#define FIRST_SET_ROW 2

static enum rf_baseline_set set_of(const struct field *f)
{
	return (enum rf_baseline_set)(f - rf_fields_baseline - FIRST_SET_ROW);
}

static int get_known(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	struct bl_eval *x = nth ? NULL : view(c);
	enum rf_baseline_set s = set_of(r->f);
	bool any = false, all = true;

	if (!x || !x->w || !rf_baseline_complete(x->w, s))
		return 0;
	/* A rename known in both of its directories is known. */
	for (size_t i = 0; i < x->v.n_items; i++) {
		if (x->v.items[i].set != s)
			continue;
		any = true;
		all &= rf_baseline_has(x->w, &x->v.items[i]);
	}
	if (!any)
		return 0;
	v->i = all;
	return 1;
}

#define P	RF_FIELD_PROC
#define F	(FF_PROC | FF_META)
#define K(kind) RF_EV_BIT(RF_EV_##kind)
#define ALL	DECODED_KINDS

/* In enum rf_baseline_set order from row FIRST_SET_ROW on (set_of). */
const struct field rf_fields_baseline[] = {
	{ "baseline.workload", FT_STR, ALL, F, P, 0, get_workload, NULL,
	  "the event's workload key (image:, container:, container-id:, exe:)" },
	{ "baseline.workload_known", FT_BOOL, ALL, F, P, 0, get_workload_known, NULL,
	  "the baseline has the workload" },
	{ "baseline.exe_known", FT_BOOL, K(EXEC), F, P, 0, get_known, NULL,
	  "the executable is in the workload's baseline" },
	{ "baseline.edge_known", FT_BOOL, K(EXEC), F | FF_ANCESTOR, P, 1, get_known, NULL,
	  "the parent's executable started this one in the baseline" },
	{ "baseline.listen_known", FT_BOOL, K(NET), F, P, 0, get_known, NULL,
	  "the port bound or listened on is in the baseline" },
	{ "baseline.connect_known", FT_BOOL, K(NET), F, P, 0, get_known, NULL,
	  "the destination (address or network, port) is in the baseline" },
	{ "baseline.dir_known", FT_BOOL, K(FILE), F, P, 0, get_known, NULL,
	  "the directory written is in the baseline" },
	{ "baseline.lib_known", FT_BOOL, K(FILE), F, P, 0, get_known, NULL,
	  "the library mapped or opened is in the baseline" },
	{ "baseline.cap_known", FT_BOOL, K(CAPABILITY), F, P, 0, get_known, NULL,
	  "the capability granted is in the baseline" },
};

const size_t rf_fields_baseline_n = ELEMENTSOF(rf_fields_baseline);
