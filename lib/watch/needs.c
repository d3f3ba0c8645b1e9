/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a ruleset needs (rf_ruleset_needs) as what the eBPF watch program must attach and send
 * (rf_watch_needs): the narrowest set of tracepoints. Process life (exec, fork, exit) comes from
 * the sched tracepoints, which are always on; a syscall tracepoint is attached only when a rule
 * names a call; TCP state, signals, io_uring and capability checks only for rules reading
 * those kinds; outbound connections only to the addresses rules can match. A syscall the eBPF
 * program cannot decode is named, never silently unwatched. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../source/watch-decode.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/rules.h"
#include "ringfence/watch.h"

/* Served by tp_btf/sched_process_{exec,fork,exit} whatever the syscall tracepoints do. */
static const char *const by_sched[] = {
	"execve", "execveat", "clone", "clone3", "fork", "vfork", "exit", "exit_group",
};

static bool served_by_sched(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(by_sched); i++)
		if (streq(by_sched[i], name))
			return true;
	return false;
}

void rf_watch_needs_done(struct rf_watch_needs *n)
{
	if (!n)
		return;
	strv_free(n->syscalls);
	strv_free(n->path_prefixes);
	strv_free(n->hold_syscalls);
	strv_free(n->addr_prefixes);
	*n = (struct rf_watch_needs){ 0 };
}

int rf_watch_needs_from_rules(const struct rf_ruleset_needs *rn, struct rf_watch_needs *ret,
			      char ***ret_unserved)
{
	_cleanup_(rf_watch_needs_done) struct rf_watch_needs n = { 0 };
	_cleanup_strv_free_ char **unserved = NULL;
	uint32_t k = rn->kinds;
	int r;

	n.syscalls = calloc(1, sizeof(char *)); /* never NULL: empty is no syscall tracepoint */
	if (!n.syscalls)
		return -ENOMEM;
	STRV_FOREACH(s, rn->syscalls) {
		if (served_by_sched(*s))
			continue;
		r = rf_watch_dec_of(*s) ? strv_extend(&n.syscalls, *s) : strv_extend(&unserved, *s);
		if (r < 0)
			return r;
	}
	/* Prefixes filter in the kernel; with all_write_paths only read-only opens, which are
	 * most of a server's file events (a web server opening the page it serves). */
	if (!rn->all_paths &&
	    ((rn->path_prefixes && rn->path_prefixes[0]) || rn->all_write_paths)) {
		n.path_prefixes = strv_copy(rn->path_prefixes);
		if (!n.path_prefixes)
			return -ENOMEM;
		n.write_all = rn->all_write_paths;
	}
	/* Outbound connections only to the addresses rules can match (threat lists: the
	 * session adds their feed). */
	if ((k & RF_EV_BIT(RF_EV_NET)) && !rn->all_addrs &&
	    !(n.addr_prefixes = strv_copy(rn->addr_prefixes)))
		return -ENOMEM;
	n.tcp_state = k & RF_EV_BIT(RF_EV_NET);
	n.signals = k & RF_EV_BIT(RF_EV_SIGNAL);
	n.io_uring = k & (RF_EV_BIT(RF_EV_FILE) | RF_EV_BIT(RF_EV_NET));
	n.capabilities = k & RF_EV_BIT(RF_EV_CAPABILITY);
	*ret = n;
	n = (struct rf_watch_needs){ 0 };
	if (ret_unserved)
		*ret_unserved = TAKE_PTR(unserved);
	return 0;
}

int rf_watch_needs_hold(const struct rf_ruleset_needs *rn, struct rf_watch_needs *n)
{
	n->hold_exec = rn->kill_kinds & RF_EV_BIT(RF_EV_EXEC);
	n->hold_signals = n->signals && (rn->kill_kinds & RF_EV_BIT(RF_EV_SIGNAL));
	n->hold_caps = n->capabilities && (rn->kill_kinds & RF_EV_BIT(RF_EV_CAPABILITY));
	STRV_FOREACH(s, rn->kill_syscalls) {
		int r = strv_contains(n->syscalls, *s) ? strv_extend_unique(&n->hold_syscalls, *s)
						       : 0;

		if (r < 0)
			return r;
	}
	return 0;
}
