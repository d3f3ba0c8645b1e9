/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_watch(): the watch pipeline of ringfence/watch.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/ptrace.h"
#include "ringfence/watch.h"

int rf_watch_backend_from_string(const char *s, enum rf_watch_backend *ret)
{
	if (streq(s, "auto"))
		*ret = RF_WATCH_AUTO;
	else if (streq(s, "ebpf"))
		*ret = RF_WATCH_EBPF;
	else if (streq(s, "ptrace"))
		*ret = RF_WATCH_PTRACE;
	else
		return -EINVAL;
	return 0;
}

const char *rf_watch_backend_name(enum rf_watch_backend b)
{
	return b == RF_WATCH_EBPF ? "ebpf" : b == RF_WATCH_PTRACE ? "ptrace" : "auto";
}

static const struct rf_source_info *source_of(enum rf_watch_backend b)
{
	return b == RF_WATCH_PTRACE ? &rf_ptrace_source : &rf_ebpf_watch_source;
}

static int serves(const struct rf_sinks *sinks, enum rf_watch_backend b, struct rf_error *reterr)
{
	struct rf_sinks probe = *sinks;

	return rf_sinks_begin(&probe, source_of(b), reterr);
}

int rf_watch_choose(const struct rf_watch_opts *o, const struct rf_sinks *sinks,
		    enum rf_watch_backend *ret, char **ret_why_not_ebpf, struct rf_error *reterr)
{
	struct rf_error why = { 0 };
	bool ptrace_can = o->argv || o->pid > 0;
	int r;

	if (o->backend == RF_WATCH_PTRACE) {
		if (!ptrace_can)
			return rf_error_set(reterr, -EINVAL,
					    "the ptrace backend watches a command or a process "
					    "tree (-- CMD or --pid), not %s",
					    o->all ? "--all" : "a cgroup");
		r = serves(sinks, RF_WATCH_PTRACE, reterr);
		if (r >= 0)
			*ret = RF_WATCH_PTRACE;
		return r;
	}
	r = serves(sinks, RF_WATCH_EBPF, &why);
	if (r >= 0)
		r = rf_ebpf_watch_probe(&why);
	if (r >= 0) {
		*ret = RF_WATCH_EBPF;
		return 0;
	}
	if (o->backend == RF_WATCH_EBPF || !ptrace_can) {
		r = rf_error_set(reterr, r, "%s",
				 why.message ?: "the eBPF watch program cannot run");
		rf_error_clear(&why);
		return r;
	}
	r = serves(sinks, RF_WATCH_PTRACE, reterr);
	if (r >= 0) {
		*ret = RF_WATCH_PTRACE;
		if (ret_why_not_ebpf)
			*ret_why_not_ebpf = strdup(why.message ?: "unavailable");
	}
	rf_error_clear(&why);
	return r;
}

int rf_watch(const struct rf_watch_opts *o, struct rf_sinks *sinks, struct rf_watch_result *ret,
	     struct rf_error *reterr)
{
	struct rf_watch_result res = { .wait_status = -1 };
	struct rf_recording meta = { .exit_status = -1 };
	enum rf_watch_backend b;
	int r, e;

	if (!o || !sinks || (!o->all && !o->cgroup && o->pid <= 0 && !o->argv))
		return rf_error_set(reterr, -EINVAL, "nothing to watch");
	r = rf_watch_choose(o, sinks, &b, NULL, reterr);
	if (r < 0)
		return r;
	r = rf_sinks_begin(sinks, source_of(b), reterr);
	if (r < 0)
		return r;
	res.backend = b;
	if (b == RF_WATCH_EBPF) {
		struct rf_ebpf_watch_opts wo = { .all = o->all,
						 .cgroup = o->cgroup,
						 .pid = o->pid,
						 .argv = o->argv,
						 .needs = o->needs,
						 .stop_fd = o->stop_fd,
						 .ready_fd = o->ready_fd,
						 .on_live = o->on_live,
						 .live_userdata = o->live_userdata,
						 .procs = o->procs,
						 .child_pid = o->child_pid };
		struct rf_ebpf_watch_result wr = { 0 };

		r = rf_ebpf_watch(&wo, rf_sinks_emit, sinks, &wr, reterr);
		res.wait_status = wr.wait_status;
		res.duration_ns = wr.duration_ns;
		memcpy(res.events, wr.events, sizeof(res.events));
		memcpy(res.lost, wr.lost, sizeof(res.lost));
		res.tracepoints = wr.tracepoints;
		res.held = wr.held;
		res.addr_filter = wr.addr_filter;
		res.addr_dropped = wr.addr_dropped;
		res.addr_prefixes = wr.addr_prefixes;
		res.addr_refills = wr.addr_refills;
		res.syscall_events = wr.syscall_events;
		memcpy(res.syscalls_raw, wr.syscalls_raw, sizeof(res.syscalls_raw));
		memcpy(res.syscalls_absent, wr.syscalls_absent, sizeof(res.syscalls_absent));
	} else {
		struct rf_ptrace_opts po = {
			.argv = o->argv,
			.pid = o->pid,
			.stop_fd = o->stop_fd,
			.procs = o->procs,
			.child_pid = o->child_pid,
			.learn_dns = o->needs && strv_contains(o->needs->syscalls, "recvfrom"),
			.gate = rf_sinks_has_gate(sinks) ? rf_sinks_gate : NULL
		};
		struct rf_ptrace_result pr = { 0 };

		if (o->ready_fd > 0)
			(void)close(o->ready_fd);
		if (o->on_live)
			o->on_live(o->live_userdata);
		r = rf_ptrace_record(&po, rf_sinks_emit, sinks, &pr, reterr);
		res.wait_status = pr.wait_status;
		res.duration_ns = pr.duration_ns;
		res.stops = pr.stops;
		res.refused = pr.refused;
		res.events[0] = sinks->events;
	}
	meta = (struct rf_recording){ .backend = source_of(b)->name,
				      .source_fields = source_of(b)->fields,
				      .command = o->argv,
				      .duration_ns = res.duration_ns,
				      .exit_status = res.wait_status,
				      .lost = res.lost[0] + res.lost[1],
				      .events = sinks->events };
	e = rf_sinks_end(sinks, &meta, r < 0 ? NULL : reterr);
	if (r >= 0 && e < 0)
		r = e;
	if (ret)
		*ret = res;
	return r;
}
