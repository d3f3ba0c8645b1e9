/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Monotonic time for durations (recordings, benchmarks). */
#pragma once

#include <stdint.h>
#include <time.h>

static inline uint64_t rf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
