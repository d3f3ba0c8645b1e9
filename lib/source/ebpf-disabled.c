/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Built instead of ebpf.c when the eBPF recorder cannot be built (-Dbpf=disabled, no bpftool,
 * libbpf or kernel BTF at build time): every entry point says so. */
#include <errno.h>

#include "ringfence/ebpf.h"
#include "ringfence/watch-source.h"

bool rf_ebpf_built(void)
{
	return false;
}

int rf_ebpf_probe(struct rf_error *reterr)
{
	return rf_error_set(reterr, -ENOTSUP, "this ringfence was built without the eBPF recorder");
}

const struct rf_source_info rf_ebpf_source = { .name = "ebpf" };

int rf_ebpf_record(const struct rf_ebpf_opts *o, rf_event_fn fn, void *userdata,
		   struct rf_ebpf_result *ret, struct rf_error *reterr)
{
	return rf_ebpf_probe(reterr);
}

const struct rf_source_info rf_ebpf_watch_source = { .name = "ebpf-watch" };

int rf_ebpf_watch_probe(struct rf_error *reterr)
{
	return rf_error_set(reterr, -ENOTSUP, "this ringfence was built without eBPF");
}

int rf_ebpf_watch(const struct rf_ebpf_watch_opts *o, rf_event_fn fn, void *userdata,
		  struct rf_ebpf_watch_result *ret, struct rf_error *reterr)
{
	return rf_ebpf_watch_probe(reterr);
}
