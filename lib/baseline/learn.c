/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The learner: a consumer of the sink chain that puts each event's items (classify.c) into its
 * workload's sets, within the budgets. At the end, sets the source could not see are marked
 * unrecorded, so they never produce deviations (an eBPF watch sees no individual syscalls, the
 * ptrace recorder no capability checks). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline-internal.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/proc.h"

struct rf_baseline_learner {
	struct rf_baseline *b;
	struct rf_baseline_learn_opts o;
	struct rf_baseline_view v;
};

int rf_baseline_learner_new(struct rf_baseline *b, const struct rf_baseline_learn_opts *o,
			    struct rf_baseline_learner **ret)
{
	struct rf_baseline_learner *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->b = b;
	if (o)
		l->o = *o;
	if (!l->o.self)
		l->o.self = getpid();
	*ret = l;
	return 0;
}

void rf_baseline_learner_free(struct rf_baseline_learner *l)
{
	free(l);
}

/* The executed file as the process sees it (its root: a container's filesystem). */
static void identify(const struct rf_event *ev, struct bl_exe *e)
{
	char path[RF_BASELINE_MAX_ITEM + 64];
	struct stat st;

	if (snprintf(path, sizeof(path), "/proc/%d/root%s", (int)ev->tgid, e->path) >=
		    (int)sizeof(path) ||
	    ev->tgid <= 0 || stat(path, &st) < 0)
		return;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->has_id = true;
}

static int add_item(struct rf_baseline_learner *l, struct rf_baseline_workload *w,
		    const struct rf_event *ev, const struct rf_baseline_item *it)
{
	struct bl_set *set = &w->sets[it->set];
	const struct rf_baseline_budgets *bg = &l->b->budgets;
	union {
		struct bl_exe exe;
		struct bl_edge edge;
		struct bl_dest dest;
		struct bl_sys sys;
		uint16_t port;
		int32_t cap;
		const char *str;
	} e;

	if (it->overlong) {
		/* Not kept: the set no longer describes everything the workload did. */
		set->saturated = true;
		return 0;
	}
	memset(&e, 0, sizeof(e));
	switch (it->set) {
	case RF_BL_EXECUTABLES:
		e.exe.path = (char *)it->s;
		/* Identify a file once per workload, not at each exec. */
		if (!l->o.no_stat && !bl_set_find(set, it->set, &e.exe))
			identify(ev, &e.exe);
		break;
	case RF_BL_EDGES:
		e.edge.parent = (char *)it->parent;
		e.edge.child = (char *)it->s;
		break;
	case RF_BL_LISTEN: e.port = it->port; break;
	case RF_BL_CONNECT:
		memcpy(e.dest.addr, it->addr, 16);
		e.dest.len = 128;
		e.dest.port = it->port;
		break;
	case RF_BL_CAPABILITIES: e.cap = it->nr; break;
	case RF_BL_SYSCALLS:
		e.sys.arch = it->arch;
		e.sys.nr = it->nr;
		break;
	default: e.str = it->s; break;
	}
	return bl_set_add(set, it->set, bg, &e);
}

int rf_baseline_learn_event(struct rf_baseline_learner *l, const struct rf_event *ev)
{
	const struct rf_container_meta *meta = NULL;
	struct rf_baseline_workload *w;
	int r;

	if (ev->kind == RF_EV_GAP) {
		l->b->lost += ev->gap.lost;
		return 0;
	}
	if (l->o.container_meta && ev->proc && ev->proc->container_id[0])
		meta = l->o.container_meta(ev->proc->container_id, l->o.meta_userdata);
	rf_baseline_classify(ev, meta, l->o.self, &l->v);
	if (!l->v.has_key)
		return 0;
	w = bl_workload_get(l->b, l->v.key, &r);
	if (!w)
		return r;
	w->events++;
	l->b->events++;
	for (size_t i = 0; i < l->v.n_items; i++)
		if ((r = add_item(l, w, ev, &l->v.items[i])) < 0)
			return r;
	return 0;
}

/* Sets a source cannot fill are unrecorded: empty because unseen, not because unused. */
static uint32_t sets_seen(uint32_t kinds, uint32_t fields)
{
	uint32_t s = 0;

	if (kinds & RF_EV_BIT(RF_EV_EXEC))
		s |= 1u << RF_BL_EXECUTABLES | 1u << RF_BL_EDGES;
	if (kinds & RF_EV_BIT(RF_EV_NET))
		s |= 1u << RF_BL_LISTEN | 1u << RF_BL_CONNECT;
	if (kinds & RF_EV_BIT(RF_EV_FILE) && fields & RF_FIELD_PATHS)
		s |= 1u << RF_BL_DIRECTORIES | 1u << RF_BL_LIBRARIES;
	if (kinds & RF_EV_BIT(RF_EV_CAPABILITY))
		s |= 1u << RF_BL_CAPABILITIES;
	if (kinds & RF_EV_BIT(RF_EV_SYSCALL) && fields & RF_FIELD_PER_CALL)
		s |= 1u << RF_BL_SYSCALLS;
	return s;
}

int rf_baseline_learn_end(struct rf_baseline_learner *l, const struct rf_recording *rec)
{
	struct rf_baseline *b = l->b;
	uint32_t seen = sets_seen(rec->source_kinds, rec->source_fields);

	if (rec->backend && strv_extend_unique(&b->backends, rec->backend) < 0)
		return -ENOMEM;
	strv_sort(b->backends);
	b->duration_ns += rec->duration_ns;
	if (rec->lost > b->lost)
		b->lost = rec->lost;
	if (!rec->source_kinds)
		return 0; /* unknown source: say nothing about what it could see */
	for (size_t i = 0; i < b->n; i++)
		for (int s = 0; s < RF_BL_SETS; s++)
			if (!(seen & 1u << s))
				b->v[i]->sets[s].recorded = false;
	return 0;
}

static int sink_event(const struct rf_event *ev, void *self)
{
	return rf_baseline_learn_event(self, ev);
}

static int sink_end(const struct rf_recording *rec, void *self)
{
	return rf_baseline_learn_end(self, rec);
}

void rf_baseline_learner_sink(struct rf_baseline_learner *l, struct rf_sink *ret)
{
	*ret = (struct rf_sink){
		.name = "baseline learner",
		.want_kinds = RF_EV_BIT(RF_EV_EXEC) | RF_EV_BIT(RF_EV_FORK) |
			      RF_EV_BIT(RF_EV_EXIT) | RF_EV_BIT(RF_EV_FILE) | RF_EV_BIT(RF_EV_NET) |
			      RF_EV_BIT(RF_EV_CAPABILITY) | RF_EV_BIT(RF_EV_SYSCALL) |
			      RF_EV_BIT(RF_EV_SYSCALL_TOTAL) | RF_EV_BIT(RF_EV_ARGS) |
			      RF_EV_BIT(RF_EV_GAP),
		.on_event = sink_event,
		.on_end = sink_end,
		.self = l,
	};
}
