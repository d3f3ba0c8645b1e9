/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helper threads that never take a process-directed signal. The sources wait for SIGCHLD (ptrace)
 * and the CLI's handlers through signalfd or flags in the main thread; a signal the kernel may
 * deliver to any thread that does not block it would otherwise land in a worker, where its
 * default action (ignore, for SIGCHLD) loses it: measured, a ptrace watch hung forever because
 * the child's stop notification went to the threat-list reloader. */
#pragma once

#include <pthread.h>

/* pthread_create with every signal blocked in the new thread; returns 0 or a negative errno. */
int rf_thread_create(pthread_t *ret, void *(*fn)(void *), void *arg);
