/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Canaries for the sanitizer lane: each Criterion test here commits one sin the lane must catch.
 * They are registered with should_fail, so the lane is green only when the sin is caught: a
 * leak inside a Criterion worker (which Criterion itself reports as passed) and a UBSan report. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

Test(canary, leaks_inside_a_worker)
{
	char *p = malloc(4096);

	cr_assert_not_null(p);
	memset(p, 1, 4096);
	p = NULL; /* lost: LeakSanitizer must report it at the worker's exit */
	cr_assert_null(p);
}

Test(canary, signed_overflow)
{
	volatile int big = INT_MAX;
	int r = big + 1; /* UBSan: signed integer overflow */

	cr_assert_lt(r, 0);
}
