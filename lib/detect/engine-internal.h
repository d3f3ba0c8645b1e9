/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Noise control of the detection engine (noise.c): the per-(rule, container, key) rate limit
 * and the suppression list. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "ringfence/detect.h"
#include "ringfence/finding.h"

struct rate {
	struct rf_hmap map; /* hash of (rule, container, key) -> struct rate_entry */
	size_t n;
};

/* What a flush reports: one per key with held-back findings. */
struct rate_pending {
	const struct rf_rule *rule;
	char container[65];
	char *key;
	uint64_t count, last_ns;
};

void rate_init(struct rate *r);
void rate_done(struct rate *r);
/* true: report f (its suppressed_count set to what was held back before it); false: counted,
 * held back. `now` stands in when the finding has no time. */
bool rate_admit(struct rate *r, const struct rf_detect_opts *o, struct rf_finding *f, uint64_t now);
/* Every key with a count, sorted by rule, container and key; the table is emptied. */
int rate_take_pending(struct rate *r, struct rate_pending **ret, size_t *n);
void rate_pending_free(struct rate_pending *v, size_t n);

enum supp_sel {
	SEL_RULE,
	SEL_CONTAINER_ID,
	SEL_CONTAINER_NAME,
	SEL_CONTAINER_IMAGE,
	SEL_K8S_NAMESPACE,
	SEL_K8S_POD,
	SEL_PROC_NAME,
	SEL_PROC_EXEPATH,
	SEL_PROC_CMDLINE,
	SEL_MAX
};

struct supp {
	char *sel[SEL_MAX]; /* glob patterns; NULL: any */
	char *reason;
	uint64_t hits;
};

struct supp_list {
	struct supp *v;
	size_t n;
};

int supp_load_text(struct supp_list *l, const char *text, size_t len, const char *source,
		   struct rf_error *err);
int supp_load_file(struct supp_list *l, const char *path, struct rf_error *err);
/* The entry that suppresses f (its hits counted), or NULL. */
/* count: a hit for the entry's counter (false: a question only, as a gate asks) */
const struct supp *supp_match(struct supp_list *l, const struct rf_finding *f, bool count);
void supp_done(struct supp_list *l);
