/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library never prints: it hands messages to one handler the program installs
 * (libbpf_set_print style). Without a handler, messages are dropped. */
#pragma once

enum rf_log_level { RF_LOG_ERROR, RF_LOG_WARNING, RF_LOG_NOTICE, RF_LOG_INFO, RF_LOG_DEBUG };

typedef void (*rf_log_fn)(enum rf_log_level level, const char *msg, void *userdata);

void rf_log_set_handler(rf_log_fn fn, void *userdata);
void rf_log(enum rf_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
