/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A baseline as an observation, so the profile builders (seccomp, capabilities, AppArmor) take
 * it like a recording: each item becomes the event that would have put it there, through the
 * observation's own consumer. What a baseline does not keep cannot come back: files only read
 * (the observation is marked undecoded, so an AppArmor profile from it allows files and
 * networking whole), socket types and a listener's address family (both families are given). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "baseline-internal.h"
#include "core/macro.h"
#include "ringfence/observation.h"

static int emit(struct rf_observation *o, const struct rf_event *ev)
{
	return rf_obs_add_event(ev, o);
}

static int item_events(struct rf_observation *o, enum rf_baseline_set s, const void *e)
{
	struct rf_event ev = { .tgid = 1 };
	int r;

	switch (s) {
	case RF_BL_EXECUTABLES: {
		const char *path = ((const struct bl_exe *)e)->path;

		ev.kind = RF_EV_EXEC;
		ev.exec.path = path;
		if ((r = emit(o, &ev)) < 0)
			return r;
		ev.kind = RF_EV_FILE;
		ev.file = (struct rf_ev_file){
			.op = RF_FILE_EXEC, .path = path, .access = RF_ACC_EXEC, .flags = -1
		};
		return emit(o, &ev);
	}
	case RF_BL_LIBRARIES:
		ev.kind = RF_EV_FILE;
		ev.file = (struct rf_ev_file){ .op = RF_FILE_MMAP,
					       .path = *(char *const *)e,
					       .access = RF_ACC_READ | RF_ACC_MMAP_EXEC,
					       .flags = -1 };
		return emit(o, &ev);
	case RF_BL_DIRECTORIES:
		ev.kind = RF_EV_FILE;
		ev.file = (struct rf_ev_file){ .op = RF_FILE_OPEN,
					       .path = *(char *const *)e,
					       .access = RF_ACC_DIR | RF_ACC_WRITE | RF_ACC_CREATE,
					       .flags = -1 };
		return emit(o, &ev);
	case RF_BL_LISTEN:
		/* The family a port was bound in is not kept: both. */
		ev.kind = RF_EV_NET;
		for (int i = 0, fam[] = { AF_INET, AF_INET6 }; i < 2; i++) {
			ev.net = (struct rf_ev_net){ .op = RF_NET_BIND,
						     .fd = -1,
						     .family = fam[i],
						     .local = { .family = fam[i],
								.port = *(const uint16_t *)e } };
			if ((r = emit(o, &ev)) < 0)
				return r;
		}
		return 0;
	case RF_BL_CONNECT: {
		const struct bl_dest *d = e;
		int fam = bl_addr_is_v4(d->addr) ? AF_INET : AF_INET6;

		ev.kind = RF_EV_NET;
		ev.net = (struct rf_ev_net){ .op = RF_NET_CONNECT,
					     .fd = -1,
					     .family = fam,
					     .remote = { .family = fam, .port = d->port } };
		memcpy(ev.net.remote.addr, fam == AF_INET ? d->addr + 12 : d->addr,
		       fam == AF_INET ? 4 : 16);
		return emit(o, &ev);
	}
	case RF_BL_CAPABILITIES:
		ev.kind = RF_EV_CAPABILITY;
		ev.cap = (struct rf_ev_capability){ .cap = *(const int32_t *)e, .granted = true };
		return emit(o, &ev);
	case RF_BL_SYSCALLS: {
		const struct bl_sys *x = e;

		if (x->nr < 0) /* a name this libseccomp cannot number: nothing to build on */
			return 0;
		ev.kind = RF_EV_SYSCALL;
		ev.sc = (struct rf_ev_syscall){ .id = { x->arch, x->nr }, .count = 1 };
		return emit(o, &ev);
	}
	default: return 0; /* edges: who starts whom is no profile rule */
	}
}

static int cmp_workload(const void *a, const void *b)
{
	return strcmp((*(struct rf_baseline_workload *const *)a)->key,
		      (*(struct rf_baseline_workload *const *)b)->key);
}

bool rf_baseline_recorded(const struct rf_baseline *b, const char *workload, enum rf_baseline_set s)
{
	bool any = false;

	for (size_t i = 0; i < b->n; i++) {
		if (workload && !streq(b->v[i]->key, workload))
			continue;
		if (!b->v[i]->sets[s].recorded)
			return false;
		any = true;
	}
	return any;
}

int rf_baseline_to_observation(const struct rf_baseline *b, const char *workload,
			       struct rf_observation **ret, struct rf_error *reterr)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	_cleanup_free_ struct rf_baseline_workload **sorted = calloc(b->n ?: 1, sizeof(*sorted));
	size_t n = 0;
	int r;

	if (!o || !sorted)
		return -ENOMEM;
	/* Builders read the backend to know where capabilities come from: the kernel's checks
	 * (eBPF), or inference from syscalls (ptrace). */
	o->backend = strdup(rf_baseline_recorded(b, workload, RF_BL_CAPABILITIES) ? "ebpf"
			    : rf_baseline_recorded(b, workload, RF_BL_SYSCALLS)	  ? "ptrace"
										  : "baseline");
	if (!o->backend)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++)
		if (!workload || streq(b->v[i]->key, workload))
			sorted[n++] = b->v[i];
	if (workload && !n)
		return rf_error_set(reterr, -ENOENT, "the baseline has no workload '%s'", workload);
	/* In key order, so the observation (first-seen order included) is the same each time. */
	if (n)
		qsort_safe(sorted, n, sizeof(*sorted), cmp_workload);
	for (size_t i = 0; i < n; i++)
		for (int s = 0; s < RF_BL_SETS; s++) {
			const struct bl_set *set = &sorted[i]->sets[s];
			size_t sz = bl_elem_size((enum rf_baseline_set)s);

			for (size_t k = 0; k < set->n; k++)
				if ((r = item_events(o, (enum rf_baseline_set)s,
						     (const char *)set->v + k * sz)) < 0)
					return r;
		}
	/* Files read were never kept: the file and socket sections are not the whole truth. */
	o->decoded = false;
	o->duration_ns = b->duration_ns;
	o->lost = b->lost;
	o->observations = b->documents;
	*ret = TAKE_PTR(o);
	return 0;
}
