/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the eBPF watch program meets syscalls (ebpf-watch-syscalls.c): at the exit tracepoint of
 * each syscall the rules need, or at the raw exit of every syscall where those are not to be
 * had. */
#pragma once

#include <bpf/libbpf.h>
#include <stddef.h>

struct w_sysexits {
	int *ids; /* tracefs event ids of syscalls:sys_exit_<name>, one per needed syscall */
	size_t n_ids;
	struct bpf_link **links;
	size_t n_links;
	size_t attached;   /* events the program was attached to (kept after the detach) */
	char absent[256];  /* needed syscalls this kernel does not have (no event, a stub) */
	char raw_why[256]; /* non-empty: the raw exit, and why */
};

/* Before the program loads: per call (s->raw_why empty) or the raw exit, for the syscalls
 * `names` (this architecture's; names it lacks are skipped). -ENOMEM only. */
int w_sysexits_plan(struct w_sysexits *s, char *const *names);
/* After the other programs are attached: `prog` at each planned event. */
int w_sysexits_attach(struct w_sysexits *s, const struct bpf_program *prog);
void w_sysexits_detach(struct w_sysexits *s);
void w_sysexits_done(struct w_sysexits *s);
