/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The detection engine of detect.h: events through the ruleset, matches into findings (the
 * process and its ancestry, container and pod, coverage against the gaps seen), then the
 * suppression list and the per-(rule, container, key) rate limit. Findings are built only for
 * matches, so their allocations stay off the per-event path. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/clock.h"
#include "core/macro.h"
#include "core/strv.h"
#include "detect-internal.h"
#include "engine-internal.h"
#include "ringfence/detect.h"
#include "ringfence/k8saudit.h"
#include "ringfence/proc.h"

#define GAP_RING 256

struct gap {
	uint64_t time_ns, lost;
};

struct rf_detect {
	const struct rf_ruleset *rs;
	struct rf_rules_eval *eval;
	struct rf_detect_opts o;
	rf_finding_fn on_finding;
	void *userdata;
	char instance[17];
	uint64_t seq;
	struct rf_detect_stats stats;
	/* coverage */
	struct gap gaps[GAP_RING];
	size_t n_gaps; /* total seen; the ring keeps the last GAP_RING */
	uint64_t last_gap_ns, first_event_ns, last_event_ns;
	/* clocks */
	uint64_t boot0;
	int64_t real0;
	/* noise control */
	struct rate rate;
	struct supp_list supp;
};

int rf_detect_new(const struct rf_ruleset *rs, const struct rf_detect_opts *o,
		  struct rf_detect **ret)
{
	struct rf_rules_eval_opts eo = { 0 };
	struct rf_detect *d = calloc(1, sizeof(*d));
	struct timespec ts;
	uint64_t rnd = 0;
	int r;

	if (!d)
		return -ENOMEM;
	if (o)
		d->o = *o;
	d->o.rate_burst = d->o.rate_burst ?: 10;
	d->o.rate_window_ns = d->o.rate_window_ns ?: UINT64_C(60000000000);
	d->o.rate_max_keys = d->o.rate_max_keys ?: 4096;
	d->rs = rs;
	eo.container_meta = d->o.container_meta;
	eo.meta_userdata = d->o.meta_userdata;
	eo.drift_max_paths = d->o.drift_max_paths;
	eo.intel = d->o.intel;
	eo.baseline = d->o.baseline;
	r = rf_rules_eval_new(rs, &eo, &d->eval);
	if (r < 0) {
		free(d);
		return r;
	}
	if (d->o.instance_id) {
		(void)snprintf(d->instance, sizeof(d->instance), "%s", d->o.instance_id);
	} else {
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = rf_now_ns() ^ (uint64_t)getpid() << 32;
		(void)snprintf(d->instance, sizeof(d->instance), "%016" PRIx64, rnd);
	}
	d->o.instance_id = NULL;
	d->boot0 = rf_boottime_ns();
	clock_gettime(CLOCK_REALTIME, &ts);
	d->real0 = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	rate_init(&d->rate);
	*ret = d;
	return 0;
}

void rf_detect_free(struct rf_detect *d)
{
	if (!d)
		return;
	rf_rules_eval_free(d->eval);
	rate_done(&d->rate);
	supp_done(&d->supp);
	free(d);
}

void rf_detect_stats(const struct rf_detect *d, struct rf_detect_stats *ret)
{
	*ret = d->stats;
}

int rf_detect_load_suppressions(struct rf_detect *d, const char *path, struct rf_error *reterr)
{
	return supp_load_file(&d->supp, path, reterr);
}

int rf_detect_load_suppressions_text(struct rf_detect *d, const char *text, size_t len,
				     const char *source, struct rf_error *reterr)
{
	return supp_load_text(&d->supp, text, len, source, reterr);
}

/* ---- findings ---- */

static char *join_argv(char *const *argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!argv)
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; argv[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void finding_done(struct rf_finding *f)
{
	for (size_t i = 0; i < f->n_procs; i++)
		free(f->procs[i].cmdline);
	free((char *)f->message);
	strv_free((char **)f->fields);
}

static int64_t wall_of(const struct rf_detect *d, uint64_t t)
{
	if (d->o.event_clock_realtime)
		return (int64_t)t;
	return t ? d->real0 + ((int64_t)t - (int64_t)d->boot0) : 0;
}

static void ancestry(const struct rf_event *ev, struct rf_finding *f)
{
	const struct rf_proc *p = ev->proc;

	if (!p) {
		f->procs[0] = (struct rf_finding_proc){ .pid = ev->tgid,
							.name = ev->comm[0] ? ev->comm : NULL };
		f->n_procs = 1;
		return;
	}
	for (; p && f->n_procs < RF_FINDING_MAX_ANCESTRY; p = p->parent) {
		struct rf_finding_proc *x = &f->procs[f->n_procs++];

		x->pid = p->tgid;
		x->name = p->comm[0] ? p->comm : NULL;
		x->exe = p->exe;
		x->cmdline = join_argv(p->argv);
		x->has_uid = p->ids_known;
		x->uid = p->uid;
		x->start_ns = p->start_ns;
	}
}

/* An audit event has no process: its object (the namespace, and the pod when the request was
 * about one) and its event type, the verb; the rate limit is kept per user. */
static void k8s_audit_subject(const struct rf_k8s_audit *a, struct rf_finding *f)
{
	f->event_type = a->verb;
	f->k8s_ns = a->ns;
	if (a->resource && streq(a->resource, "pods"))
		f->k8s_pod = a->name;
	f->rate_key = a->user ?: "";
}

/* Every audit finding names its event: the auditID, and where it was read (file:line or the
 * webhook batch item), whether or not the rule read them. */
static int k8s_audit_fields(const struct rf_k8s_audit *a, char ***fields)
{
	const char *add[][2] = { { "ka.auditid", a->audit_id }, { "ka.origin", a->origin } };
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(add); i++) {
		bool have = !add[i][1];

		for (char **p = *fields; !have && p && p[0] && p[1]; p += 2)
			have = streq(p[0], add[i][0]);
		if (!have && (r = strv_extend(fields, add[i][0])) >= 0)
			r = strv_extend(fields, add[i][1]);
	}
	return r;
}

/* Where the finding's inputs begin (detect.h): the start of the oldest process whose identity
 * the condition read, the engine's start for rules reading the drift set. */
static uint64_t window_of(const struct rf_detect *d, const struct rf_rule *rule,
			  const struct rf_event *ev)
{
	size_t depth = rf_rule_ancestry_depth(rule);
	const struct rf_proc *p = ev->proc;
	uint64_t w;

	for (size_t i = 0; p && p->parent && i < depth; i++)
		p = p->parent;
	w = p ? p->start_ns : 0;
	if (rf_rule_reads_state(rule) && d->first_event_ns < w)
		w = d->first_event_ns;
	return w;
}

static void coverage(const struct rf_detect *d, const struct rf_rule *rule,
		     const struct rf_event *ev, struct rf_finding *f)
{
	size_t kept = d->n_gaps < GAP_RING ? d->n_gaps : GAP_RING;

	f->window_ns = window_of(d, rule, ev);
	f->drift_evicted = rf_rule_reads_state(rule) && rf_rules_eval_drift_evicted(d->eval) > 0;
	for (size_t i = 0; i < kept; i++)
		if (d->gaps[i].time_ns >= f->window_ns)
			f->events_lost += d->gaps[i].lost;
	if ((d->n_gaps && d->last_gap_ns >= f->window_ns) || f->drift_evicted)
		f->coverage = RF_COVERAGE_PARTIAL;
}

static int report(struct rf_detect *d, struct rf_finding *f)
{
	(void)snprintf(f->id, sizeof(f->id), "%s-%" PRIu64, d->instance, ++d->seq);
	d->stats.reported++;
	return d->on_finding ? d->on_finding(f, d->userdata) : 0;
}

/* Who: the process and its ancestry (an audit event's user and object), its container and
 * pod; what the suppression list and the rate limit key on. */
static void subject(struct rf_detect *d, const struct rf_event *ev, struct rf_finding *f)
{
	const struct rf_container_meta *m = NULL;

	if (ev->kind == RF_EV_K8S_AUDIT)
		k8s_audit_subject(ev->audit, f);
	else
		ancestry(ev, f);
	if (ev->proc && ev->proc->container_id[0]) {
		f->container_id = ev->proc->container_id;
		if (d->o.container_meta)
			m = d->o.container_meta(f->container_id, d->o.meta_userdata);
	}
	if (m) {
		f->container_name = m->name;
		f->container_image = m->image;
		f->k8s_ns = m->k8s_ns;
		f->k8s_pod = m->k8s_pod;
		f->k8s_container = m->k8s_container;
	}
	if (ev->proc && ev->proc->pod_uid[0])
		f->k8s_pod_uid = ev->proc->pod_uid;
	if (ev->kind != RF_EV_K8S_AUDIT)
		f->rate_key = f->procs[0].exe ?: f->procs[0].name;
}

static int on_match(const struct rf_rule *rule, const struct rf_event *ev, struct rf_rules_eval *e,
		    void *userdata)
{
	struct rf_detect *d = userdata;
	struct rf_finding f = { .record = RF_RECORD_FINDING, .rule = rule };
	char type[64], *msg = NULL;
	char **fields = NULL;
	int r;

	d->stats.matches++;
	f.time_ns = ev->time_ns;
	f.wall_ns = wall_of(d, ev->time_ns);
	f.event_type = evtype_name(&d->rs->types, ev, type, sizeof(type));
	f.event_kind = rf_event_kind_name(ev->kind);
	r = rf_rules_eval_output(e, rule, &msg);
	if (r < 0)
		return r;
	for (size_t n = strlen(msg); n && strchr(" \t\r\n", msg[n - 1]); n--)
		msg[n - 1] = '\0';
	f.message = msg;
	r = rf_rules_eval_fields(e, rule, &fields);
	if (r >= 0 && ev->kind == RF_EV_K8S_AUDIT)
		r = k8s_audit_fields(ev->audit, &fields);
	f.fields = fields;
	if (r < 0)
		goto out;
	subject(d, ev, &f);
	coverage(d, rule, ev, &f);
	if (supp_match(&d->supp, &f, true)) {
		d->stats.suppressed++;
		goto out;
	}
	if (d->o.act && rf_rule_action(rule) != RF_ACTION_ALERT) {
		r = d->o.act(&f, ev, d->o.act_userdata);
		if (r < 0)
			goto out;
	}
	if (d->rate.n >= d->o.rate_max_keys) /* bounded: report what is held, start over */
		r = rf_detect_flush(d);
	if (r >= 0 && !rate_admit(&d->rate, &d->o, &f, d->last_event_ns)) {
		d->stats.rate_limited++;
		goto out;
	}
	if (r < 0)
		goto out;
	r = report(d, &f);
out:
	finding_done(&f);
	return r < 0 ? r : 0;
}

int rf_detect_event(struct rf_detect *d, const struct rf_event *ev)
{
	int r;

	d->stats.events++;
	if (ev->time_ns) {
		if (!d->first_event_ns)
			d->first_event_ns = ev->time_ns;
		d->last_event_ns = ev->time_ns;
	}
	if (ev->kind == RF_EV_GAP) {
		/* A loss without a time happened no later than now. */
		uint64_t t = ev->time_ns ?: d->last_event_ns ?: 1;

		d->gaps[d->n_gaps % GAP_RING] = (struct gap){ t, ev->gap.lost };
		d->n_gaps++;
		if (t > d->last_gap_ns)
			d->last_gap_ns = t;
		d->stats.gaps++;
		d->stats.lost += ev->gap.lost;
	}
	r = rf_rules_eval(d->eval, ev, on_match, d);
	return r < 0 ? r : 0;
}

int rf_detect_flush(struct rf_detect *d)
{
	struct rate_pending *v = NULL;
	size_t n = 0;
	int r = rate_take_pending(&d->rate, &v, &n), first = 0;

	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct rf_finding f = {
			.record = RF_RECORD_SUMMARY,
			.rule = v[i].rule,
			.time_ns = v[i].last_ns,
			.wall_ns = wall_of(d, v[i].last_ns),
			.container_id = v[i].container[0] ? v[i].container : NULL,
			.suppressed_count = v[i].count,
			.rate_key = v[i].key,
		};
		char *msg = NULL;

		if (asprintf(&msg,
			     "%" PRIu64 " more findings of '%s' held back by the rate limit "
			     "(%u per %" PRIu64 " s per rule, container and executable)",
			     v[i].count, rf_rule_name(v[i].rule), d->o.rate_burst,
			     d->o.rate_window_ns / 1000000000) < 0)
			msg = NULL;
		f.message = msg;
		r = report(d, &f);
		if (r < 0 && !first)
			first = r;
		free(msg);
	}
	rate_pending_free(v, n);
	return first ?: (r < 0 ? r : 0);
}

/* ---- gates: a verdict before the call runs ---- */

struct gate {
	struct rf_detect *d;
	bool deny;
};

/* A deny rule matched the call about to run: refuse it, unless a suppression entry would
 * remove the finding (what is suppressed is neither reported nor acted on). */
static int gate_match(const struct rf_rule *rule, const struct rf_event *ev,
		      struct rf_rules_eval *e, void *userdata)
{
	struct gate *g = userdata;
	struct rf_finding f = { .record = RF_RECORD_FINDING, .rule = rule };

	if (g->deny || rf_rule_action(rule) != RF_ACTION_DENY)
		return 0;
	subject(g->d, ev, &f);
	g->deny = !supp_match(&g->d->supp, &f, false);
	finding_done(&f);
	return 0;
}

/* The finding itself comes with the call's report (ev->denied), so one match is one finding. */
static int gate_event(const struct rf_event *ev, void *self)
{
	struct rf_detect *d = self;
	struct gate g = { .d = d };

	d->stats.gates++;
	if (rf_rules_eval(d->eval, ev, gate_match, &g) < 0 || !g.deny)
		return 0;
	d->stats.denied++;
	return EPERM;
}

static bool has_deny_rules(const struct rf_ruleset *rs)
{
	for (size_t i = 0; i < rs->n_rules; i++)
		if (rs->rules[i]->enabled && rs->rules[i]->action == RF_ACTION_DENY)
			return true;
	return false;
}

/* ---- the consumer ---- */

static int sink_event(const struct rf_event *ev, void *self)
{
	return rf_detect_event(self, ev);
}

static int sink_end(const struct rf_recording *rec, void *self)
{
	return rf_detect_flush(self);
}

int rf_detect_sink(struct rf_detect *d, rf_finding_fn on_finding, void *userdata,
		   struct rf_sink *ret)
{
	struct rf_ruleset_needs n;
	int r = rf_ruleset_needs(d->rs, &n);

	if (r < 0)
		return r;
	d->on_finding = on_finding;
	d->userdata = userdata;
	*ret = (struct rf_sink){
		.name = "rule engine",
		.want_kinds = n.kinds | RF_EV_BIT(RF_EV_GAP),
		.need_kinds = n.kinds,
		.need_fields = n.fields,
		.on_event = sink_event,
		.on_end = sink_end,
		.on_gate = d->o.deny && has_deny_rules(d->rs) ? gate_event : NULL,
		.self = d,
	};
	rf_ruleset_needs_done(&n);
	return 0;
}
