/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages quote user input (syscall names, keys, paths). Control characters in them would
 * reach the user's terminal as escape sequences, so every message is made printable once, where
 * it is created: bytes below 0x20 and 0x7f become \xNN. */
#pragma once

/* A new string, or NULL on OOM. */
char *rf_escape_controls(const char *s);
