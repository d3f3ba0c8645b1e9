/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sink chain: an ordered list of consumers one source feeds at once (observation + AppArmor
 * builder + rule engine + baseline learner ...). Every event goes to each consumer in order; the
 * first negative return is latched and returned to the source, which stops (sources honour it:
 * see each source's header). Recording metadata arrives once, through on_end.
 *
 * Before a source starts, rf_sinks_begin() checks every consumer's needs against what the source
 * declares (ringfence/event.h), so a consumer that cannot be served is refused with a message
 * instead of silently seeing nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"
#include "ringfence/event.h"

#define RF_SINKS_MAX 16

/* What a recording was, for consumers that write documents (observation, reports). */
struct rf_recording {
	const char *backend;	/* source name: "ptrace", "ebpf", "strace-log" ... */
	uint32_t source_fields; /* RF_FIELD_* the source filled */
	uint32_t source_kinds;	/* RF_EV_BIT() of the kinds it could produce (rf_sinks_end
				 * fills it from the source rf_sinks_begin checked) */
	char *const *command;	/* argv of a started command, NULL otherwise */
	uint64_t duration_ns;
	int exit_status;	    /* wait status of the command, -1 unknown */
	bool no_new_privs;	    /* the source set no_new_privs on the command */
	char *const *fast_syscalls; /* let through unrecorded (ptrace --fast); NULL otherwise */
	uint64_t lost;		    /* events lost in total (each loss also came as RF_EV_GAP) */
	uint64_t events;	    /* events dispatched */
};

struct rf_sink {
	const char *name;     /* for messages: "observation", "rule engine" ... */
	uint32_t want_kinds;  /* RF_EV_BIT() of the kinds it is called for (0: all) */
	uint32_t need_kinds;  /* kinds it cannot work without */
	uint32_t need_fields; /* RF_FIELD_* it cannot work without */
	int (*on_event)(const struct rf_event *ev, void *self);
	int (*on_end)(const struct rf_recording *rec, void *self); /* may be NULL */
	/* May be NULL. A verdict on a call before it runs (ev->gate): a positive errno refuses
	 * it (the source makes the call fail with it, then reports the call with ev->denied),
	 * 0 lets it run. Only sources that can hold a call ask (ptrace); no state is kept. */
	int (*on_gate)(const struct rf_event *ev, void *self);
	void *self;
};

struct rf_sinks {
	struct rf_sink v[RF_SINKS_MAX];
	size_t n;
	const struct rf_source_info *source; /* set by rf_sinks_begin */
	int error;			     /* first negative return of a consumer */
	const char *failed;		     /* its name */
	uint64_t events;
};

/* Appends a consumer; -E2BIG beyond RF_SINKS_MAX. */
int rf_sinks_add(struct rf_sinks *s, const struct rf_sink *sink);
/* Checks every consumer against the source; "<consumer> needs <what>, which the <source>
 * source does not provide" in reterr (-ENOTSUP) when one cannot be served. */
int rf_sinks_begin(struct rf_sinks *s, const struct rf_source_info *src, struct rf_error *reterr);
/* Dispatches one event (an rf_event_fn: userdata is the struct rf_sinks). After a consumer
 * failed, every later call returns that error without dispatching. */
int rf_sinks_emit(const struct rf_event *ev, void *sinks);
/* A gate (an rf_gate_fn: userdata is the struct rf_sinks): the first consumer's positive
 * errno refuses the call, 0 lets it run. */
int rf_sinks_gate(const struct rf_event *ev, void *sinks);
/* Whether some consumer answers gates (a source then asks before the calls it decodes). */
bool rf_sinks_has_gate(const struct rf_sinks *s);
/* Calls every on_end in order; the first failure is returned (the others still run, so each
 * consumer can release what it holds). A latched dispatch error is returned first. */
int rf_sinks_end(struct rf_sinks *s, const struct rf_recording *rec, struct rf_error *reterr);
/* "events, args, per-call syscalls" for messages: the RF_FIELD_* bits in words. */
const char *rf_event_field_name(uint32_t field_bit);
