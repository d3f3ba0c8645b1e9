/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A set of files by identity (device, inode): directory walks use it so that a symlink or
 * bind-mount loop is walked once and a file reached by two names is read once. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct rf_seen {
	struct rf_seen_slot {
		uint64_t dev, ino; /* ino 0 = empty slot: no file system hands out inode 0 */
	} * slots;
	size_t n, cap; /* cap is 0 or a power of two */
};

/* 1 when st's file was not in the set (it is now), 0 when it was, -ENOMEM. */
int rf_seen_add(struct rf_seen *s, const struct stat *st);
void rf_seen_done(struct rf_seen *s);
