/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence oci-hook`: read the container state from stdin and let the library record the
 * container (ringfence/oci.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "ringfence/oci.h"

int cmd_oci_hook(int argc, char **argv)
{
	_cleanup_free_ char *state = NULL;
	struct rf_error e = { 0 };
	size_t len = 0;
	int r;

	if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
		printf("Usage: ringfence oci-hook   (as an OCI prestart hook; state on stdin)\n\n"
		       "Records the container when its annotation " RF_OCI_TRACE_ANNOTATION " is\n"
		       "\"[if:/abs/in.json;]of:/abs/out.json\"; writes a plain OCI linux.seccomp\n"
		       "object to out.json when the container exits (merged with in.json).\n");
		return 0;
	}
	r = rf_read_file("-", 1 << 20, &state, &len, &e);
	if (r >= 0)
		r = rf_oci_hook_run(state, len, &e);
	if (r < 0) {
		fprintf(stderr, "ringfence: oci-hook: %s\n", e.message ?: strerror(-r));
		rf_error_clear(&e);
		return 1;
	}
	return 0;
}
