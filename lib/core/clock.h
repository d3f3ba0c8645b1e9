/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Monotonic time for durations (recordings, benchmarks); CLOCK_BOOTTIME for event times, the
 * clock the kernel's own event timestamps (bpf_ktime_get_boot_ns, /proc start times) use. */
#pragma once

#include <stdint.h>
#include <time.h>

static inline uint64_t rf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t rf_boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
