/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A whole `watch` run as one library call: rules (the defaults, then the user's files, later
 * ones appending to and overriding earlier ones) compiled once; suppressions; container names;
 * the chain source -> [event dump] -> rule engine -> statistics; findings rendered once and
 * handed to every output; the needs of the rules turned into the tracepoints to attach. The
 * CLI only parses options into a struct rf_watch_config and prints the summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/event-json.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/alert.h"
#include "ringfence/baseline.h"
#include "ringfence/detect.h"
#include "ringfence/finding.h"
#include "ringfence/intel.h"
#include "ringfence/prevent.h"
#include "ringfence/rules.h"
#include "ringfence/watch.h"

int rf_watch_rules(const struct rf_watch_config *c, struct rf_ruleset **ret,
		   struct rf_error *reterr)
{
	struct rf_ruleset *rs = NULL;
	int r = rf_ruleset_new(&rs);

	if (r < 0)
		return r;
	if (!c->no_default_rules)
		r = rf_ruleset_load_default(rs, reterr);
	if (r >= 0 && c->ioc_files && c->ioc_files[0])
		r = rf_ruleset_load_builtin(rs, "ioc", reterr);
	if (r >= 0 && c->baseline && !c->learn)
		r = rf_baseline_load_rules(rs, c->protect, reterr);
	STRV_FOREACH(f, c->rule_files)
		if (r >= 0)
			r = rf_ruleset_load_file(rs, *f, reterr);
	if (r >= 0 && !c->learn &&
	    !c->no_default_rules + strv_length(c->rule_files) + strv_length(c->ioc_files) +
			    (c->baseline != NULL) ==
		    0)
		r = rf_error_set(reterr, -EINVAL,
				 "no rules: give --rules FILE (the default rules "
				 "are off)");
	if (r >= 0)
		r = rf_ruleset_compile(rs, reterr);
	if (r >= 0 && !c->learn && rf_ruleset_enabled_count(rs) == 0)
		r = rf_error_set(reterr, -EINVAL, "every rule is disabled: nothing to detect");
	if (r < 0) {
		rf_ruleset_free(rs);
		return r;
	}
	*ret = rs;
	return 0;
}

struct session {
	const struct rf_watch_config *c;
	const struct rf_watch_opts *source; /* what is watched and how, for the line once live */
	size_t rules;
	struct rf_detect *detect;
	struct rf_watch_summary *sum;
	struct rf_json dump;
	uint64_t next_stats_ns;
	int error;
};

/* "watching ..." once the source sees events: scripts (and users) act on that line, and with
 * eBPF loading and verifying the programs takes a while (a second or more on a busy node). */
static void say_live(void *self)
{
	struct session *s = self;
	const struct rf_watch_opts *w = s->source;

	if (!s->c->diag)
		return;
	fprintf(s->c->diag, "ringfence: watching %s with %s, %zu rules\n",
		w->all	    ? "the whole node"
		: w->cgroup ? w->cgroup
		: w->argv   ? w->argv[0]
			    : "a process tree",
		rf_watch_backend_name(w->backend), s->rules);
	fflush(s->c->diag);
}

static int on_finding(const struct rf_finding *f, void *userdata)
{
	struct session *s = userdata;
	int r;

	if (f->record == RF_RECORD_FINDING) {
		s->sum->findings++;
		if (s->c->fail_on >= 0 && (int)rf_rule_priority(f->rule) <= s->c->fail_on)
			s->sum->at_fail_on++;
	}
	if (s->c->on_finding && (r = s->c->on_finding(f, s->c->finding_userdata)) < 0)
		return r;
	if (!s->c->alerts)
		return 0;
	r = rf_alerts_finding(s->c->alerts, f);
	return r == -ENOMEM ? r : 0; /* an output's trouble is its own, never detection's */
}

static int dump_event(const struct rf_event *ev, void *self)
{
	struct session *s = self;

	rf_json_init(&s->dump, s->c->dump_events, false);
	rf_event_write_json(&s->dump, ev);
	rf_json_finish(&s->dump);
	fputc('\n', s->c->dump_events);
	if (ferror(s->c->dump_events))
		return -EIO; /* a dump that silently stops would mislead */
	return 0;
}

void rf_watch_summary_write(const struct rf_watch_summary *sum, const struct rf_alerts *alerts,
			    FILE *out)
{
	const struct rf_detect_stats *d = &sum->detect;

	if (sum->watch.backend == RF_WATCH_EBPF)
		fprintf(out,
			"ringfence: watch: ebpf, %.1f s: %llu events (kernel records: %llu "
			"critical, %llu bulk; lost %llu critical, %llu bulk); ",
			sum->watch.duration_ns / 1e9, (unsigned long long)d->events,
			(unsigned long long)sum->watch.events[0],
			(unsigned long long)sum->watch.events[1],
			(unsigned long long)sum->watch.lost[0],
			(unsigned long long)sum->watch.lost[1]);
	else
		fprintf(out,
			"ringfence: watch: ptrace, %.1f s: %llu events (%llu stops, none lost); ",
			sum->watch.duration_ns / 1e9, (unsigned long long)d->events,
			(unsigned long long)sum->watch.stops);
	fprintf(out,
		"%llu rule matches, %llu findings reported, %llu suppressed, %llu "
		"rate-limited\n",
		(unsigned long long)d->matches, (unsigned long long)d->reported,
		(unsigned long long)d->suppressed, (unsigned long long)d->rate_limited);
	if (sum->killed + sum->kill_refused + sum->kill_failed + sum->would_kill)
		fprintf(out,
			"ringfence: prevention: %llu killed, %llu refused, %llu failed, %llu "
			"dry-run\n",
			(unsigned long long)sum->killed, (unsigned long long)sum->kill_refused,
			(unsigned long long)sum->kill_failed, (unsigned long long)sum->would_kill);
	if (sum->watch.addr_filter)
		fprintf(out,
			"ringfence: address filter: %llu outbound connections to addresses no "
			"rule reads dropped in the kernel (%llu prefixes, %llu refills%s%s)\n",
			(unsigned long long)sum->watch.addr_dropped,
			(unsigned long long)sum->watch.addr_prefixes,
			(unsigned long long)sum->watch.addr_refills,
			sum->watch.addr_filter < 0 ? "; off at the end: " : "",
			sum->watch.addr_filter < 0 ? strerror(-sum->watch.addr_filter) : "");
	if (sum->watch.syscall_events)
		fprintf(out,
			"ringfence: syscalls: the exit tracepoints of the %u calls the rules need "
			"(syscalls:sys_exit_*)%s%s\n",
			sum->watch.syscall_events,
			sum->watch.syscalls_absent[0] ? "; not in this kernel: " : "",
			sum->watch.syscalls_absent);
	if (sum->watch.syscalls_raw[0])
		fprintf(out,
			"ringfence: syscalls: the raw exit tracepoint, run on every syscall of the "
			"node: %s\n",
			sum->watch.syscalls_raw);
	if (sum->watch.held)
		fprintf(out,
			"ringfence: prevention: %llu events held (the process stopped at the "
			"tracepoint until the verdict)\n",
			(unsigned long long)sum->watch.held);
	if (sum->watch.refused + sum->would_deny)
		fprintf(out,
			"ringfence: prevention: %llu calls denied before they ran, %llu "
			"dry-run\n",
			(unsigned long long)sum->watch.refused,
			(unsigned long long)sum->would_deny);
	for (size_t i = 0; alerts && i < alerts->n; i++) {
		struct rf_alert_stats st;

		rf_alert_stats(alerts->v[i], &st);
		fprintf(out,
			"ringfence: output %s: %llu delivered, %llu failed, %llu dropped, "
			"%llu retries\n",
			rf_alert_name(alerts->v[i]), (unsigned long long)st.delivered,
			(unsigned long long)st.failed, (unsigned long long)st.dropped,
			(unsigned long long)st.retries);
	}
}

/* Periodic statistics ride on the event stream: a node always has events. */
static int stats_event(const struct rf_event *ev, void *self)
{
	struct session *s = self;
	uint64_t now;

	(void)ev;
	if (!s->c->stats_interval_ns)
		return 0;
	now = rf_now_ns();
	if (now < s->next_stats_ns)
		return 0;
	if (s->next_stats_ns) {
		rf_detect_stats(s->detect, &s->sum->detect);
		rf_watch_summary_write(s->sum, s->c->alerts, s->c->diag ?: stderr);
	}
	s->next_stats_ns = now + s->c->stats_interval_ns;
	return 0;
}

static void note_needs(const struct rf_watch_config *c, const struct rf_watch_needs *n,
		       char **unserved, enum rf_watch_backend b)
{
	if (!c->diag || b != RF_WATCH_EBPF)
		return;
	if (unserved && unserved[0]) {
		fprintf(c->diag, "ringfence: warning: the eBPF watch program does not decode");
		STRV_FOREACH(u, unserved)
			fprintf(c->diag, " %s", *u);
		fprintf(c->diag, "; rules reading them see them with --backend ptrace only\n");
	}
	if (c->verbose) {
		fprintf(c->diag, "ringfence: syscalls decoded in the kernel:");
		STRV_FOREACH(u, n->syscalls)
			fprintf(c->diag, " %s", *u);
		fprintf(c->diag,
			"%s\nringfence: file events: %s; tcp state %s, signals %s, "
			"io_uring %s, capabilities %s\n",
			n->syscalls[0] ? "" : " none",
			n->path_prefixes ? "below the rules' path prefixes" : "every path",
			n->tcp_state ? "on" : "off", n->signals ? "on" : "off",
			n->io_uring ? "on" : "off", n->capabilities ? "on" : "off");
		if (n->addr_prefixes)
			fprintf(c->diag,
				"ringfence: outbound connections: only to %zu prefixes of the "
				"rules%s\n",
				strv_length(n->addr_prefixes),
				n->addr_feed ? " and the threat lists' addresses" : "");
		else if (n->tcp_state)
			fprintf(c->diag, "ringfence: outbound connections: every address\n");
	}
}

int rf_watch_session(const struct rf_watch_config *c, struct rf_watch_summary *ret,
		     struct rf_error *reterr)
{
	_cleanup_(rf_detect_freep) struct rf_detect *detect = NULL;
	_cleanup_(rf_baseline_learner_freep) struct rf_baseline_learner *learner = NULL;
	struct rf_baseline *bl = NULL;
	_cleanup_(rf_watch_needs_done) struct rf_watch_needs needs = { 0 };
	_cleanup_strv_free_ char **unserved = NULL;
	struct rf_container_names *names = NULL;
	struct rf_intel *intel = NULL;
	struct rf_prevent *prevent = NULL;
	struct rf_watch_summary sum = { .watch.wait_status = -1 };
	struct rf_ruleset *rs = NULL;
	struct rf_ruleset_needs rn = { 0 };
	struct rf_watch_opts wo = c->source;
	struct rf_sinks sinks = { 0 };
	struct rf_sink detect_sink, learn_sink;
	struct rf_addr_feed feed;
	struct session s = { .c = c, .sum = &sum };
	/* Kill and deny rules act: --kill, or protect mode's kill rules; not a dry run. */
	bool enforce = (c->kill || c->protect) && !c->dry_run;
	enum rf_watch_backend b;
	int r;

	r = rf_watch_rules(c, &rs, reterr);
	if (r < 0)
		return r;
	if (c->container_names &&
	    (r = rf_container_names_load(c->container_names, &names, reterr)) < 0)
		goto out;
	if (c->ioc_files && c->ioc_files[0] &&
	    (r = rf_intel_new(&(struct rf_intel_opts){ .ioc_files = c->ioc_files,
						       .reload_fd = c->reload_fd },
			      &intel, reterr)) < 0)
		goto out;
	if (c->baseline && (r = c->learn ? rf_baseline_new(NULL, &bl)
					 : rf_baseline_load(c->baseline, &bl, reterr)) < 0)
		goto out;
	/* --mode protect: the baseline rules ask for kill, and their findings are acted on. */
	if ((r = rf_prevent_new(&(struct rf_prevent_opts){ .kill = c->kill || c->protect,
							   .dry_run = c->dry_run },
				&prevent)) < 0)
		goto out;
	r = rf_detect_new(rs,
			  &(struct rf_detect_opts){
				  .container_meta = names ? rf_container_names_lookup : NULL,
				  .meta_userdata = names,
				  .rate_burst = c->rate_burst,
				  .rate_window_ns = c->rate_window_ns,
				  .intel = intel,
				  .act = rf_prevent_act,
				  .act_userdata = prevent,
				  .baseline = c->learn ? NULL : bl,
				  .deny = enforce },
			  &detect);
	if (r < 0)
		goto out;
	s.detect = detect;
	STRV_FOREACH(f, c->suppress_files)
		if ((r = rf_detect_load_suppressions(detect, *f, reterr)) < 0)
			goto out;
	if ((r = rf_ruleset_needs(rs, &rn)) < 0 ||
	    (c->learn && (r = rf_baseline_learn_needs(&rn)) < 0) ||
	    (r = rf_watch_needs_from_rules(&rn, &needs, &unserved)) < 0 ||
	    (enforce && (r = rf_watch_needs_hold(&rn, &needs)) < 0))
		goto out;
	if (rf_intel_has_domains(intel) &&
	    ((r = strv_extend_unique(&needs.syscalls, "recvfrom")) < 0 ||
	     (r = strv_extend_unique(&needs.syscalls, "recvmsg")) < 0))
		goto out; /* DNS answers, to learn the names of addresses */
	/* Outbound connections: the threat lists' addresses join the rules' in the kernel. */
	if (intel && needs.addr_prefixes && (rn.addrs_ioc || rn.addrs_dns_listed)) {
		rf_intel_addr_feed(intel, &feed);
		needs.addr_feed = &feed;
	}
	wo.needs = &needs;
	if (intel) {
		struct rf_sink s_intel;

		rf_intel_sink(intel, &s_intel);
		(void)rf_sinks_add(&sinks, &s_intel); /* before the engine: it learns first */
	}
	if (c->dump_events)
		(void)rf_sinks_add(&sinks, &(struct rf_sink){ .name = "event dump",
							      .on_event = dump_event,
							      .self = &s });
	if ((r = rf_detect_sink(detect, on_finding, &s, &detect_sink)) < 0 ||
	    (r = rf_sinks_add(&sinks, &detect_sink)) < 0)
		goto out;
	if (c->learn) {
		if ((r = rf_baseline_learner_new(
			     bl,
			     &(struct rf_baseline_learn_opts){
				     .container_meta = names ? rf_container_names_lookup : NULL,
				     .meta_userdata = names },
			     &learner)) < 0)
			goto out;
		rf_baseline_learner_sink(learner, &learn_sink);
		if ((r = rf_sinks_add(&sinks, &learn_sink)) < 0)
			goto out;
	}
	if (c->stats_interval_ns)
		(void)rf_sinks_add(&sinks, &(struct rf_sink){ .name = "statistics",
							      .on_event = stats_event,
							      .self = &s });
	{
		_cleanup_free_ char *why = NULL;

		r = rf_watch_choose(&wo, &sinks, &b, &why, reterr);
		if (r < 0)
			goto out;
		if (c->diag && why)
			fprintf(c->diag, "ringfence: watching with ptrace (ebpf unavailable: %s)\n",
				why);
		wo.backend = b;
	}
	note_needs(c, &needs, unserved, b);
	rf_prevent_set_held(prevent, b == RF_WATCH_PTRACE);
	rf_prevent_set_tracepoint_hold(
		prevent,
		b == RF_WATCH_EBPF && (needs.hold_exec || needs.hold_signals || needs.hold_caps ||
				       (needs.hold_syscalls && needs.hold_syscalls[0])));
	if (c->diag && (c->kill || c->protect || c->dry_run))
		rf_prevent_report(prevent, c->diag);
	if (bl && !c->learn && c->diag)
		rf_baseline_note_backend(bl, rf_watch_backend_name(b), c->diag);
	s.source = &wo;
	s.rules = rf_ruleset_enabled_count(rs);
	wo.on_live = say_live;
	wo.live_userdata = &s;
	r = rf_watch(&wo, &sinks, &sum.watch, reterr);
	if (r >= 0 && learner && (r = rf_baseline_write_file(bl, c->baseline, reterr)) >= 0 &&
	    c->diag)
		rf_baseline_summary_write(bl, c->diag);
	rf_detect_stats(detect, &sum.detect);
	sum.rules_enabled = rf_ruleset_enabled_count(rs);
	{
		struct rf_prevent_stats ps;

		rf_prevent_stats(prevent, &ps);
		sum.killed = ps.killed;
		sum.kill_refused = ps.refused;
		sum.kill_failed = ps.failed;
		sum.would_kill = ps.dry_run;
		sum.denied = ps.denied;
		sum.would_deny = ps.would_deny;
	}
out:
	rf_detect_free(TAKE_PTR(detect)); /* before the ruleset, names and baseline it reads */
	rf_baseline_learner_free(TAKE_PTR(learner));
	rf_baseline_free(bl);
	rf_container_names_free(names);
	if (intel && c->diag) {
		struct rf_intel_stats st;

		rf_intel_stats(intel, &st);
		fprintf(c->diag,
			"ringfence: threat lists: %zu addresses, %zu domains, %zu zones, "
			"%zu hashes; %llu reloads (%llu failed); %llu DNS answers, %llu "
			"addresses learned; %llu files hashed\n",
			st.counts.ips, st.counts.domains, st.counts.zones, st.counts.hashes,
			(unsigned long long)st.reloads, (unsigned long long)st.reload_failures,
			(unsigned long long)st.dns_answers, (unsigned long long)st.dns_learned,
			(unsigned long long)st.hashed);
	}
	rf_intel_free(intel);
	rf_prevent_free(prevent);
	rf_ruleset_needs_done(&rn);
	rf_ruleset_free(rs);
	if (ret)
		*ret = sum;
	return r;
}
