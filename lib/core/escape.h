/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages quote user input (syscall names, keys, paths, Kubernetes names). Control characters
 * in them would reach the user's terminal as escape sequences, so every message is made
 * printable once, where it is created, and every text report escapes what it prints from the
 * input: bytes below 0x20 and 0x7f become \xNN. JSON output escapes them its own way. */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* A new string, or NULL on OOM. */
char *rf_escape_controls(const char *s);
/* The same rule while writing: every text output (audit's report, node status, error lines)
 * prints strings that came from input through this, never with a bare %s. NULL prints "". */
void rf_fputs_escaped(const char *s, FILE *f);

/* Escaped copies for a printf that pads ("%-40s" pads the escaped text): up to 8 per line, in a
 * pool that rf_esc_done empties after the line. rf_esc returns "" for NULL, "?" when the pool
 * is full or memory runs out. */
struct rf_esc_pool {
	char *v[8];
	size_t n;
};
const char *rf_esc(struct rf_esc_pool *p, const char *s);
void rf_esc_done(struct rf_esc_pool *p);
