/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The security event program's records (bpf/watch.h) as events (ringfence/event.h), apart from
 * the loading code so it is testable without root. */
#pragma once

#include "ringfence/event.h"
#include "watch.h"

struct rf_proctab;

struct rf_watch_decoded {
	struct rf_event ev;
	char *path, *path2; /* owned: absolute versions of relative paths */
	char *unix_path;    /* owned */
};

/* Which decoder of the program handles this syscall name (enum rf_w_dec), 0 for none. */
int rf_watch_dec_of(const char *name);

/* 1 and d->ev filled (header, payload, process table updated for exec/fork), 0 when the record
 * carries nothing to deliver. Call rf_watch_decoded_done after dispatching. */
int rf_watch_decode(struct rf_proctab *procs, const struct rf_w_rec *r, struct rf_watch_decoded *d);
/* Frees d; for an exit, the process leaves the table now that consumers saw it. */
void rf_watch_decoded_done(struct rf_proctab *procs, const struct rf_w_rec *r,
			   struct rf_watch_decoded *d);
