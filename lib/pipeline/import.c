/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Imports as recordings: strace logs into a sink chain, with the same begin / events / end
 * sequence a live recording has, so every consumer works the same on both. */
#include "ringfence/strace_log.h"

int rf_strace_import(char *const *paths, size_t n, const struct rf_strace_opts *opts,
		     struct rf_sinks *sinks, struct rf_error *reterr)
{
	struct rf_recording meta = { .backend = rf_strace_source.name,
				     .source_fields = rf_strace_source.fields,
				     .exit_status = -1 };
	int r = rf_sinks_begin(sinks, &rf_strace_source, reterr), e;

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = rf_strace_parse_file(paths[i], opts, rf_sinks_emit, sinks, reterr);
	if (r < 0 && sinks->error < 0 && r == sinks->error)
		rf_error_clear(reterr); /* rf_sinks_end names the consumer that failed */
	meta.events = sinks->events;
	e = rf_sinks_end(sinks, &meta, reterr);
	return r < 0 ? r : e;
}
