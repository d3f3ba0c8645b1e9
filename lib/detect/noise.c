/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Noise control: a rate limit per (rule, container, key) — at most `burst` findings per window,
 * the rest counted and handed on (the next finding's suppressed_count, or a summary at flush) —
 * and a suppression list of glob patterns over a finding's rule, container, pod and process,
 * each with the reason an operator gave. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/doc.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "engine-internal.h"

struct rate_entry {
	const struct rf_rule *rule;
	char container[65];
	char *key;
	uint64_t window_start, held, last_ns;
	unsigned count;
};

void rate_init(struct rate *r)
{
	*r = (struct rate){ .map = RF_HMAP_INIT_U64 };
}

static void entry_free(void *v)
{
	struct rate_entry *e = v;

	free(e->key);
	free(e);
}

void rate_done(struct rate *r)
{
	rf_hmap_done(&r->map, entry_free);
	r->n = 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const unsigned char *)p)[i]) * UINT64_C(0x100000001b3);
	return h;
}

bool rate_admit(struct rate *r, const struct rf_detect_opts *o, struct rf_finding *f, uint64_t now)
{
	const char *container = f->container_id ?: "", *key = f->rate_key ?: "";
	size_t idx = rf_rule_index(f->rule);
	uint64_t h = UINT64_C(0xcbf29ce484222325), t = f->time_ns ?: now ?: rf_boottime_ns();
	struct rate_entry *e;

	h = fnv(h, &idx, sizeof(idx));
	h = fnv(h, container, strlen(container) + 1);
	h = fnv(h, key, strlen(key) + 1);
	e = rf_hmap_get_u64(&r->map, h);
	if (e && (e->rule != f->rule || strcmp(e->container, container) || strcmp(e->key, key)))
		return true; /* a hash collision: never hold back on someone else's count */
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->key = strdup(key)) || rf_hmap_put_u64(&r->map, h, e, NULL) < 0) {
			if (e)
				free(e->key);
			free(e);
			return true; /* out of memory: report rather than lose */
		}
		e->rule = f->rule;
		(void)snprintf(e->container, sizeof(e->container), "%s", container);
		e->window_start = t;
		r->n++;
	}
	e->last_ns = t;
	if (t - e->window_start >= o->rate_window_ns) {
		e->window_start = t;
		e->count = 0;
	}
	if (e->count < o->rate_burst) {
		e->count++;
		f->suppressed_count = e->held;
		e->held = 0;
		return true;
	}
	e->held++;
	return false;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct rate_pending *x = a, *y = b;
	size_t i = rf_rule_index(x->rule), j = rf_rule_index(y->rule);
	int c;

	if (i != j)
		return i < j ? -1 : 1;
	c = strcmp(x->container, y->container);
	return c ? c : strcmp(x->key, y->key);
}

int rate_take_pending(struct rate *r, struct rate_pending **ret, size_t *n)
{
	struct rate_pending *v = calloc(r->n + 1, sizeof(*v));
	struct rate_entry *e;
	size_t it = 0, k = 0;

	if (!v)
		return -ENOMEM;
	while ((e = rf_hmap_next(&r->map, &it)))
		if (e->held) {
			v[k] = (struct rate_pending){ .rule = e->rule,
						      .key = TAKE_PTR(e->key),
						      .count = e->held,
						      .last_ns = e->last_ns };
			memcpy(v[k].container, e->container, sizeof(v[k].container));
			k++;
		}
	qsort_safe(v, k, sizeof(*v), cmp_pending);
	rate_done(r);
	rate_init(r);
	*ret = v;
	*n = k;
	return 0;
}

void rate_pending_free(struct rate_pending *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

/* ---- suppressions ---- */

static const char *const sel_names[SEL_MAX] = {
	[SEL_RULE] = "rule",
	[SEL_CONTAINER_ID] = "container_id",
	[SEL_CONTAINER_NAME] = "container_name",
	[SEL_CONTAINER_IMAGE] = "container_image",
	[SEL_K8S_NAMESPACE] = "k8s_namespace",
	[SEL_K8S_POD] = "k8s_pod",
	[SEL_PROC_NAME] = "proc_name",
	[SEL_PROC_EXEPATH] = "proc_exepath",
	[SEL_PROC_CMDLINE] = "proc_cmdline",
};

void supp_done(struct supp_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (int s = 0; s < SEL_MAX; s++)
			free(l->v[i].sel[s]);
		free(l->v[i].reason);
	}
	free(l->v);
	*l = (struct supp_list){ 0 };
}

static int entry_key(struct rf_doc *d, const char *key, struct fy_node *key_node,
		     struct fy_node *value, void *userdata)
{
	struct supp *s = userdata;

	if (streq(key, "reason"))
		return rf_doc_strdup(d, value, "reason", &s->reason);
	for (int i = 0; i < SEL_MAX; i++)
		if (streq(key, sel_names[i]))
			return rf_doc_strdup(d, value, key, &s->sel[i]);
	return rf_doc_unknown_key(d, key_node, "suppression", key);
}

static int entry(struct rf_doc *d, size_t index, struct fy_node *item, void *userdata)
{
	struct supp_list *l = userdata;
	struct supp s = { 0 }, *v;
	bool any = false;
	int r = rf_doc_each_key(d, item, "suppression", entry_key, &s);

	for (int i = 0; r >= 0 && i < SEL_MAX; i++)
		any |= s.sel[i] != NULL;
	if (r >= 0 && !s.reason)
		r = rf_doc_fail(d, item, "suppression: missing 'reason' (say why it is safe)");
	else if (r >= 0 && !any)
		r = rf_doc_fail(d, item,
				"suppression: no selector (rule, container_image, "
				"k8s_namespace, proc_exepath ...): it would hide every finding");
	if (r >= 0 && !(v = realloc(l->v, (l->n + 1) * sizeof(*v))))
		r = -ENOMEM;
	if (r < 0) {
		for (int i = 0; i < SEL_MAX; i++)
			free(s.sel[i]);
		free(s.reason);
		return r;
	}
	l->v = v;
	l->v[l->n++] = s;
	return 0;
}

static int top_key(struct rf_doc *d, const char *key, struct fy_node *key_node,
		   struct fy_node *value, void *userdata)
{
	if (streq(key, "suppressions"))
		return rf_doc_each_item(d, value, "suppressions", 100000, entry, userdata);
	return rf_doc_unknown_key(d, key_node, "suppression file", key);
}

int supp_load_text(struct supp_list *l, const char *text, size_t len, const char *source,
		   struct rf_error *err)
{
	struct rf_doc d = { 0 };
	int r = rf_doc_load(text, len, source, RF_DOC_YAML, RF_DOC_AUTO_JSON, &d, err);

	if (r < 0)
		return r;
	r = rf_doc_each_key(&d, rf_doc_root(&d), "suppression file", top_key, l);
	rf_doc_done(&d);
	return r;
}

int supp_load_file(struct supp_list *l, const char *path, struct rf_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = rf_read_file(path, 16u << 20, &text, &len, err);

	return r < 0 ? r : supp_load_text(l, text, len, path, err);
}

const struct supp *supp_match(struct supp_list *l, const struct rf_finding *f, bool count)
{
	const char *val[SEL_MAX] = {
		[SEL_RULE] = rf_rule_name(f->rule),
		[SEL_CONTAINER_ID] = f->container_id,
		[SEL_CONTAINER_NAME] = f->container_name,
		[SEL_CONTAINER_IMAGE] = f->container_image,
		[SEL_K8S_NAMESPACE] = f->k8s_ns,
		[SEL_K8S_POD] = f->k8s_pod,
		[SEL_PROC_NAME] = f->n_procs ? f->procs[0].name : NULL,
		[SEL_PROC_EXEPATH] = f->n_procs ? f->procs[0].exe : NULL,
		[SEL_PROC_CMDLINE] = f->n_procs ? f->procs[0].cmdline : NULL,
	};

	for (size_t i = 0; i < l->n; i++) {
		bool all = true;

		for (int s = 0; all && s < SEL_MAX; s++)
			all = !l->v[i].sel[s] ||
			      (val[s] && fnmatch(l->v[i].sel[s], val[s], 0) == 0);
		if (all) {
			if (count)
				l->v[i].hits++;
			return &l->v[i];
		}
	}
	return NULL;
}
