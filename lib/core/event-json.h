/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Events and process table entries as JSON objects (inside a document the caller writes). */
#pragma once

#include "json-writer.h"
#include "ringfence/event.h"

struct rf_proc;

void rf_event_write_json(struct rf_json *j, const struct rf_event *ev);
/* {"pid", "ppid", "comm", "exe", "argv", "uid", "euid", "container_id", "pod_uid"} */
void rf_proc_write_json(struct rf_json *j, const struct rf_proc *p);
