/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lexical path clean-up for paths a process passed to the kernel: "//", "/./" and "x/../"
 * removed, as the kernel would walk them when no symlink intervenes. Detection compares these
 * with rule paths, so "/etc/../etc/./shadow" is /etc/shadow to a rule. */
#pragma once

/* Cleans an absolute path in place ("/.." stays "/"); a relative one is left alone. */
void rf_path_normalize(char *path);
