/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_record(): the recording pipeline of ringfence/record.h, shared by the commands that record
 * (record, oci-hook, watch), so sources, consumers and metadata meet in the library. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "ringfence/ebpf.h"
#include "ringfence/ptrace.h"
#include "ringfence/record.h"

int rf_backend_from_string(const char *s, enum rf_backend *ret)
{
	if (streq(s, "auto"))
		*ret = RF_BACKEND_AUTO;
	else if (streq(s, "ptrace"))
		*ret = RF_BACKEND_PTRACE;
	else if (streq(s, "ebpf"))
		*ret = RF_BACKEND_EBPF;
	else
		return -EINVAL;
	return 0;
}

const char *rf_backend_name(enum rf_backend b)
{
	return b == RF_BACKEND_PTRACE ? "ptrace" : b == RF_BACKEND_EBPF ? "ebpf" : "auto";
}

const struct rf_source_info *rf_backend_source(enum rf_backend b)
{
	return b == RF_BACKEND_EBPF ? &rf_ebpf_source : &rf_ptrace_source;
}

/* Would this source serve every consumer? (The check rf_sinks_begin makes, without state.) */
static int serves(const struct rf_sinks *sinks, const struct rf_source_info *src,
		  struct rf_error *reterr)
{
	struct rf_sinks probe = *sinks;

	return rf_sinks_begin(&probe, src, reterr);
}

int rf_record_choose(const struct rf_record_opts *o, const struct rf_sinks *sinks,
		     enum rf_backend *ret, char **ret_why_not_ebpf, struct rf_error *reterr)
{
	struct rf_error why = { 0 };
	bool ebpf_only = o->cgroup || o->bootstrap_cut;
	int r;

	if (o->fast && o->backend == RF_BACKEND_EBPF)
		return rf_error_set(reterr, -EINVAL,
				    "--fast is a ptrace option (ebpf records "
				    "everything)");
	if (o->backend == RF_BACKEND_PTRACE || (o->backend == RF_BACKEND_AUTO && o->fast)) {
		if (ebpf_only)
			return rf_error_set(reterr, -EINVAL, "%s needs the ebpf backend",
					    o->cgroup ? "--cgroup" : "the bootstrap cut");
		r = serves(sinks, &rf_ptrace_source, reterr);
		if (r >= 0)
			*ret = RF_BACKEND_PTRACE;
		return r;
	}
	r = serves(sinks, &rf_ebpf_source, &why);
	if (r >= 0)
		r = rf_ebpf_probe(&why);
	if (r >= 0) {
		rf_error_clear(&why);
		*ret = RF_BACKEND_EBPF;
		return 0;
	}
	if (o->backend == RF_BACKEND_EBPF || ebpf_only) {
		r = rf_error_set(reterr, r, "%s", why.message ?: "the eBPF recorder cannot run");
		rf_error_clear(&why);
		return r;
	}
	r = serves(sinks, &rf_ptrace_source, reterr);
	if (r >= 0) {
		*ret = RF_BACKEND_PTRACE;
		if (ret_why_not_ebpf)
			*ret_why_not_ebpf = strdup(why.message ?: "unavailable");
	}
	rf_error_clear(&why);
	return r;
}

int rf_record(const struct rf_record_opts *o, struct rf_sinks *sinks, struct rf_record_result *ret,
	      struct rf_error *reterr)
{
	struct rf_record_result res = { .wait_status = -1 };
	struct rf_recording meta = { .exit_status = -1 };
	const struct rf_source_info *src;
	enum rf_backend b;
	int r, e;

	if (!o || !sinks || (!o->argv && o->pid <= 0 && !o->cgroup))
		return rf_error_set(reterr, -EINVAL, "nothing to record");
	r = rf_record_choose(o, sinks, &b, NULL, reterr);
	if (r < 0)
		return r;
	src = rf_backend_source(b);
	r = rf_sinks_begin(sinks, src, reterr);
	if (r < 0)
		return r;
	res.backend = b;
	if (b == RF_BACKEND_EBPF) {
		struct rf_ebpf_opts eo = { .argv = o->argv,
					   .pid = o->pid,
					   .cgroup = o->cgroup,
					   .bootstrap_cut = o->bootstrap_cut,
					   .ready_fd = o->ready_fd,
					   .stop_fd = o->stop_fd,
					   .procs = o->procs,
					   .child_pid = o->child_pid };
		struct rf_ebpf_result er = { 0 };

		r = rf_ebpf_record(&eo, rf_sinks_emit, sinks, &er, reterr);
		res.wait_status = er.wait_status;
		res.duration_ns = er.duration_ns;
		res.lost = er.lost;
	} else {
		struct rf_ptrace_opts po = { .argv = o->argv,
					     .pid = o->pid,
					     .fast = o->fast,
					     .no_decode = o->no_decode,
					     .stop_fd = o->stop_fd,
					     .procs = o->procs,
					     .child_pid = o->child_pid };
		struct rf_ptrace_result pr = { 0 };

		if (o->ready_fd > 0) /* ptrace is live once the command is seized */
			(void)close(o->ready_fd);
		r = rf_ptrace_record(&po, rf_sinks_emit, sinks, &pr, reterr);
		res.wait_status = pr.wait_status;
		res.duration_ns = pr.duration_ns;
		res.stops = pr.stops;
		res.no_new_privs = pr.no_new_privs;
	}
	meta = (struct rf_recording){
		.backend = src->name,
		.source_fields = src->fields,
		.command = o->argv,
		.duration_ns = res.duration_ns,
		.exit_status = res.wait_status,
		.no_new_privs = res.no_new_privs,
		.lost = res.lost,
		.events = sinks->events,
		.fast_syscalls = o->fast && b == RF_BACKEND_PTRACE
					 ? (char *const *)rf_ptrace_fast_syscalls
					 : NULL,
	};
	e = rf_sinks_end(sinks, &meta, r < 0 ? NULL : reterr);
	if (r >= 0 && e < 0)
		r = e;
	if (ret)
		*ret = res;
	return r;
}
