/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cleanup attributes, ownership helpers and small macros shared by every module (systemd style). */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _unused_       __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_  __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hand ownership out: return the value and reset the variable. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		typeof(p) _p_ = (p);                                                               \
		(p) = NULL;                                                                        \
		_p_;                                                                               \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd_ = (fd);                                                                   \
		(fd) = -EBADF;                                                                     \
		_fd_;                                                                              \
	})

/* libc's "-1 and errno" convention converted once into a negative errno. */
#define RF_NERRNO(expr)                                                                            \
	({                                                                                         \
		typeof(expr) _r_ = (expr);                                                         \
		_r_ < 0 ? -errno : _r_;                                                            \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f)
{
	if (*f)
		(void)fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Generates `funcp(type *p)` that calls func(*p) when *p is non-NULL. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
	static inline void func##p(type *p)                                                        \
	{                                                                                          \
		if (*p)                                                                            \
			func(*p);                                                                  \
	}

static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

#define streq(a, b) (strcmp((a), (b)) == 0)

/* qsort that accepts an empty or one-element array with a NULL base (as systemd's qsort_safe):
 * qsort(NULL, 0, ...) is undefined behaviour (its base is declared nonnull; UBSan reports it),
 * and an empty list is often a NULL array here. */
static inline void qsort_safe(void *base, size_t n, size_t size,
			      int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}
