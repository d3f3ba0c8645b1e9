/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NULL-terminated string vectors (systemd's strv, reduced to what we use). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *v);
void strv_free(char **v);
char **strv_copy(char *const *v);
/* Append a copy of s; returns 0 or -ENOMEM (v unchanged on failure). */
int strv_extend(char ***v, const char *s);
/* Append a copy of the first len bytes of s. */
int strv_extend_len(char ***v, const char *s, size_t len);
/* Append only when not present. */
int strv_extend_unique(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);
void strv_sort(char **v);
static inline void strv_freep(char ***v)
{
	strv_free(*v);
}
#define _cleanup_strv_free_ __attribute__((cleanup(strv_freep)))
#define STRV_FOREACH(s, l)  for (char *const *s = (l); s && *s; s++)
