/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the baseline reader: an input that reads must write back and read again
 * to the same bytes (the writer is deterministic and the reader takes everything it writes);
 * then it is merged into a copy of itself, turned into an observation, learnt into and used
 * by the baseline rules on a few events. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/baseline.h"
#include "ringfence/observation.h"
#include "ringfence/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *text_of(const struct rf_baseline *b, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	if (rf_baseline_write(b, f, false, NULL) < 0) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void use(struct rf_baseline *b, struct rf_baseline *again)
{
	static struct rf_proc lead = { .tgid = 10, .exe = (char *)"/usr/sbin/nginx" };
	static struct rf_proc child = { .tgid = 11, .exe = (char *)"/bin/sh", .parent = &lead };
	struct rf_event evs[] = {
		{ .kind = RF_EV_EXEC, .tgid = 11, .proc = &child, .exec = { .path = "/bin/sh" } },
		{ .kind = RF_EV_FILE,
		  .tgid = 11,
		  .proc = &child,
		  .origin = { 1, 2 },
		  .file = { .op = RF_FILE_OPEN, .path = "/tmp/x.so.1", .access = 1 } },
		{ .kind = RF_EV_NET,
		  .tgid = 11,
		  .proc = &child,
		  .net = { .op = RF_NET_CONNECT,
			   .remote = { .family = 2, .addr = { 10, 0, 0, 1 }, .port = 443 } } },
	};
	struct rf_baseline_learner *l = NULL;
	struct rf_observation *o = NULL;
	struct rf_baseline_view v;

	(void)rf_baseline_merge(again, b);
	if (rf_baseline_to_observation(again, NULL, &o, NULL) == 0)
		rf_obs_free(o);
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		rf_baseline_classify(&evs[i], NULL, 1, &v);
		for (size_t k = 0; v.has_key && k < v.n_items; k++)
			(void)rf_baseline_has(rf_baseline_find(b, v.key), &v.items[k]);
	}
	if (rf_baseline_learner_new(
		    b, &(struct rf_baseline_learn_opts){ .self = 1, .no_stat = true }, &l) == 0) {
		for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
			(void)rf_baseline_learn_event(l, &evs[i]);
		rf_baseline_learner_free(l);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rf_baseline *b = NULL, *again = NULL;
	struct rf_error err = { 0 };
	char *t1 = NULL, *t2 = NULL;
	size_t n1 = 0, n2 = 0;

	if (rf_baseline_parse((const char *)data, size, "fuzz.json", &b, &err) < 0)
		goto out;
	t1 = text_of(b, &n1);
	if (!t1)
		goto out;
	if (rf_baseline_parse(t1, n1, "again.json", &again, NULL) < 0)
		abort(); /* what the writer wrote, the reader must take */
	t2 = text_of(again, &n2);
	if (!t2 || n1 != n2 || memcmp(t1, t2, n1))
		abort(); /* and the same document must come out */
	use(b, again);
out:
	free(t1);
	free(t2);
	rf_baseline_free(again);
	rf_baseline_free(b);
	rf_error_clear(&err);
	return 0;
}
