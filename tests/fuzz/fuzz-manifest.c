/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the Kubernetes manifest reader: any byte string is read as a manifest
 * stream, evaluated at both levels and at an old and the newest policy version, reported in
 * every format and patched with --fix, so the whole path a hostile file takes is covered. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ringfence/k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void to_memory(struct rf_audit *a, enum rf_audit_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	(void)rf_audit_write(a, fmt, false, f);
	fclose(f);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rf_audit_opts opts[] = {
		{ .level = RF_PSS_BASELINE,
		  .level_set = true,
		  .version = { 18, false },
		  .version_set = true },
		{ .level = RF_PSS_RESTRICTED,
		  .level_set = true,
		  .version = { 37, true },
		  .version_set = true },
		{ 0 }, /* namespace labels from the input */
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		struct rf_audit *a = NULL;
		struct rf_error e = { 0 };
		char *buf = NULL;
		size_t len = 0, manual = 0;
		FILE *f;

		if (rf_audit_new(&a) < 0)
			return 0;
		/* Reports from the replay (trees dropped while reading) on the first policy; the
		 * kept trees, which --fix patches, on the others. */
		rf_audit_set_keep_documents(a, i > 0);
		if (rf_audit_add_text(a, "fuzz", (const char *)data, size, &e) >= 0 &&
		    rf_audit_run(a, &opts[i]) >= 0) {
			to_memory(a, RF_AUDIT_TEXT);
			to_memory(a, RF_AUDIT_JSON);
			to_memory(a, RF_AUDIT_SARIF);
			if (i > 0 && (f = open_memstream(&buf, &len))) {
				(void)rf_audit_fix(a, f, false, &manual, &e);
				fclose(f);
				free(buf);
			}
		}
		rf_error_clear(&e);
		rf_audit_free(a);
	}
	return 0;
}
