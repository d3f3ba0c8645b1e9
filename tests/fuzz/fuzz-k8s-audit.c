/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the Kubernetes audit log reader and the ka.* fields: the input is an
 * audit log (JSON Lines, or gzip'd: zlib decides), read through rf_k8s_audit_run from a memfd;
 * every event is evaluated with the default Kubernetes audit rules at the restricted PSS level
 * (so the request object also goes through lib/k8s), and the outputs and fields of each match
 * are rendered. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/strv.h"
#include "ringfence/k8saudit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rf_ruleset *rs;
static struct rf_rules_eval *eval;

static int on_match(const struct rf_rule *rule, const struct rf_event *ev, struct rf_rules_eval *e,
		    void *userdata)
{
	char *out = NULL, **fields = NULL;

	if (rf_rules_eval_output(e, rule, &out) == 0)
		free(out);
	if (rf_rules_eval_fields(e, rule, &fields) == 0)
		strv_free(fields);
	return 0;
}

static int on_event(const struct rf_event *ev, void *userdata)
{
	(void)rf_rules_eval(eval, ev, on_match, NULL);
	return 0;
}

static int setup(void)
{
	struct rf_k8s_audit_rules_opts o = { .pss_level = RF_PSS_RESTRICTED,
					     .pss_level_set = true };
	struct rf_error err = { 0 };

	if (rf_ruleset_new(&rs) < 0 || rf_k8s_audit_rules(rs, &o, &err) < 0 ||
	    rf_rules_eval_new(rs, NULL, &eval) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once = -1;
	struct rf_error err = { 0 };
	char path[64], *paths[] = { path, NULL };
	struct rf_k8s_audit_opts o = { .paths = paths, .stop_fd = -1 };
	int fd;

	if (once < 0)
		once = setup();
	fd = memfd_create("audit.log", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		(void)rf_k8s_audit_run(&o, on_event, NULL, NULL, &err);
	}
	close(fd);
	rf_error_clear(&err);
	return 0;
}
