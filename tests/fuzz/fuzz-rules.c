/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the rules parser and compiler: the input is loaded as a rules file after
 * the default rules (so it can append to and override them), compiled, and, when it compiles,
 * a few events are evaluated and their outputs rendered. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ringfence/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_match(const struct rf_rule *rule, const struct rf_event *ev, struct rf_rules_eval *e,
		    void *userdata)
{
	char *out = NULL;

	if (rf_rules_eval_output(e, rule, &out) == 0)
		free(out);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rf_ruleset *rs = NULL;
	struct rf_rules_eval *e = NULL;
	struct rf_error err = { 0 };
	struct rf_ruleset_needs n;
	static char *argv[] = { (char *)"sh", (char *)"-c", (char *)"id", NULL };
	struct rf_event evs[] = {
		{ .kind = RF_EV_EXEC, .tgid = 7, .exec = { .path = "/bin/sh", .argv = argv } },
		{ .kind = RF_EV_FILE,
		  .tgid = 7,
		  .file = { .op = RF_FILE_OPEN, .path = "/tmp/../etc/shadow", .access = 1 } },
		{ .kind = RF_EV_FILE,
		  .tgid = 7,
		  .file = { .op = RF_FILE_SYMLINK, .path = "../x", .path2 = "/a/b" } },
		{ .kind = RF_EV_GAP, .gap = { .lost = 1 } },
	};

	if (rf_ruleset_new(&rs) < 0)
		return 0;
	if ((size & 1) && rf_ruleset_load_default(rs, &err) < 0)
		goto out;
	if (rf_ruleset_load_text(rs, (const char *)data, size, "fuzz.yaml", &err) < 0 ||
	    rf_ruleset_compile(rs, &err) < 0)
		goto out;
	if (rf_ruleset_needs(rs, &n) == 0)
		rf_ruleset_needs_done(&n);
	if (rf_rules_eval_new(rs, NULL, &e) < 0)
		goto out;
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		(void)rf_rules_eval(e, &evs[i], on_match, NULL);
out:
	rf_rules_eval_free(e);
	rf_ruleset_free(rs);
	rf_error_clear(&err);
	return 0;
}
