/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the strace log importer: every event goes into an observation, as
 * `generate --from-strace` does, and the observation is written out. */
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ringfence/log.h"
#include "ringfence/observation.h"
#include "ringfence/strace_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rf_strace_opts o = { .native_arch = SCMP_ARCH_X86_64, .ignore_unknown = size & 1 };
	struct rf_observation *obs = rf_obs_new();
	struct rf_error err = { 0 };
	FILE *null = fopen("/dev/null", "we");

	if (obs && null) {
		(void)rf_strace_parse((const char *)data, size, "fuzz", &o, rf_obs_add_event, obs,
				      &err);
		(void)rf_obs_write(obs, null, NULL);
	}
	if (null)
		fclose(null);
	rf_obs_free(obs);
	rf_error_clear(&err);
	return 0;
}
