/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Counting allocations in a test: wraps malloc, calloc and realloc of the whole test binary, so
 * include it from exactly one file per binary. Set `counting` around the code that must not
 * allocate and read `allocations`. Not under ASan, which owns malloc: guard the includer's test
 * with the same #if. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#if !defined(__SANITIZE_ADDRESS__)
static __thread bool counting;
static __thread unsigned long allocations;
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
void *malloc(size_t n)
{
	allocations += counting;
	return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
	allocations += counting;
	return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
	allocations += counting;
	return __libc_realloc(p, n);
}
#endif
