/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict UTF-8 checks (no overlong forms, no surrogates, nothing above U+10FFFF): libfyaml is
 * only ever handed valid UTF-8 (a stray byte in a directive made it spin), and JSON output
 * must be UTF-8. */
#pragma once

#include <stddef.h>

/* Length (1..4) of the valid sequence at p, which has `avail` bytes; 0 when it is invalid. */
size_t rf_utf8_seq_len(const unsigned char *p, size_t avail);
/* The 1-based line of the first invalid sequence in s, or 0 when all of it is valid. */
unsigned rf_utf8_invalid_line(const void *s, size_t len);
