/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence watch --selftest`: lib/watch/selftest.c does the work; this prints its report
 * (text, or --json) and turns it into the exit status (0 nothing missed and no near miss fired,
 * 1 otherwise, 125 when it could not run). */
#include <stdio.h>

#include "cli.h"
#include "ringfence/run.h"
#include "ringfence/selftest.h"

int watch_selftest(enum rf_watch_backend backend)
{
	struct rf_selftest_report *rep = NULL;
	struct rf_error e = { 0 };
	int r = rf_selftest_run(&(struct rf_selftest_opts){ .backend = backend,
							    .diag = global.quiet ? NULL : stderr },
				&rep, &e);

	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return RF_EXIT_FAILED;
	}
	rf_selftest_report_write(rep, stdout, global.json, global.pretty);
	r = rf_selftest_report_ok(rep) ? 0 : EXIT_FOUND;
	rf_selftest_report_free(rep);
	return finish_stdout(r);
}
