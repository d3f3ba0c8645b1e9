/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Compiling a resolved profile into a kernel filter with libseccomp, with runc's semantics, and
 * the user-space evaluation of that filter used by complain mode and reports. */
#pragma once

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>

#include "ringfence/profile.h"

enum rf_filter_mode {
	RF_FILTER_ENFORCE,	  /* exactly the profile */
	RF_FILTER_ENFORCE_REPORT, /* ERRNO verdicts go through the listener, which answers with
				   * the same errno, so each denial is observed */
	RF_FILTER_COMPLAIN, /* every non-allow verdict goes to the listener and is let through */
};

/* Build a libseccomp context from a profile without Docker conditions (resolve first).
 * Follows runc: native arch always present; rules whose action equals the default are skipped;
 * several conditions on the same argument index become separate rules (OR); a name unknown to
 * libseccomp is an error unless the rule is an allow-type rule under a deny-type default, where
 * skipping it keeps the syscall denied (one notice through the logger lists them). This is the
 * only place a name is ever left out: parsing, resolving, writing and diffing keep them all. */
int rf_filter_build(const struct rf_profile *p, enum rf_filter_mode mode, scmp_filter_ctx *ret,
		    struct rf_error *reterr);

/* Same, with the notice about skipped names only when `warn` (a second build of the same
 * profile in another mode should not repeat it). */
int rf_filter_build_ex(const struct rf_profile *p, enum rf_filter_mode mode, bool warn,
		       scmp_filter_ctx *ret, struct rf_error *reterr);

/* The classic-BPF program of a context (seccomp_export_bpf through a memfd). */
int rf_filter_export(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_n,
		     struct rf_error *reterr);

/* The program to load: libseccomp's, preceded by runc's -ENOSYS stub when the default action
 * denies (a syscall numbered above every syscall the profile names fails with ENOSYS, or, in
 * the listener modes, is notified). Use the RF_FILTER_ENFORCE program for simulation. */
int rf_filter_program(const struct rf_profile *p, scmp_filter_ctx ctx, enum rf_filter_mode mode,
		      struct sock_filter **ret, size_t *ret_n, struct rf_error *reterr);

/* Installs a program in the calling thread with seccomp(2) and the profile's flags; with
 * `want_listener`, returns the user-notification fd in *ret_listener. No no_new_privs here. */
int rf_filter_load(const struct sock_filter *prog, size_t n, const struct rf_profile *p,
		   bool want_listener, int *ret_listener, struct rf_error *reterr);

/* Runs a seccomp BPF program over seccomp_data in user space (the kernel's semantics for the
 * instructions libseccomp emits). Returns the SECCOMP_RET_* value, or a negative errno if the
 * program is malformed. */
struct seccomp_data;
int64_t rf_bpf_sim_run(const struct sock_filter *prog, size_t n, const struct seccomp_data *d);

static inline void rf_seccomp_releasep(scmp_filter_ctx *c)
{
	if (*c)
		seccomp_release(*c);
}
