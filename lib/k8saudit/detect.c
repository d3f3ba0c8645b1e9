/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `k8s-audit` as two library calls: the ruleset (the built-in Kubernetes audit rules, the
 * addresses of threat-intel lists, the Pod Security Standards level, then the user's files) and
 * the run (the audit source into a sink chain whose consumer is the detection engine; findings
 * go to the caller). Threat-intel addresses become items of the rules' list k8s_malicious_ips,
 * so they are matched by the engine's own prefix sets and a rules file can tune them like any
 * list. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "ringfence/ioc.h"
#include "ringfence/k8saudit.h"
#include "ringfence/sink.h"

#define IOC_RULE	    "Request from a known-malicious IP address"
#define PSS_BASELINE_RULE   "Workload violates Pod Security Standards (baseline)"
#define PSS_RESTRICTED_RULE "Workload violates Pod Security Standards (restricted)"

extern const char rf_data_rules_k8s_audit[];
extern const unsigned long rf_data_rules_k8s_audit_len;

int rf_k8s_audit_load_default_rules(struct rf_ruleset *rs, struct rf_error *reterr)
{
	return rf_ruleset_load_text(rs, rf_data_rules_k8s_audit, rf_data_rules_k8s_audit_len,
				    "k8s-audit.yaml", reterr);
}

/* One prefix as a list item: "203.0.113.0/24", "2001:db8::/32", "192.0.2.7". */
static int put_prefix(const uint8_t addr[16], unsigned len, void *ud)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char text[INET6_ADDRSTRLEN];
	FILE *f = ud;

	if (!memcmp(addr, mapped, sizeof(mapped)) && len >= 96) {
		if (!inet_ntop(AF_INET, addr + 12, text, sizeof(text)))
			return -EINVAL;
		len -= 96;
		fprintf(f, "%s\"%s", ftell(f) ? ", " : "", text);
		if (len < 32)
			fprintf(f, "/%u", len);
	} else {
		if (!inet_ntop(AF_INET6, addr, text, sizeof(text)))
			return -EINVAL;
		fprintf(f, "%s\"%s", ftell(f) ? ", " : "", text);
		if (len < 128)
			fprintf(f, "/%u", len);
	}
	fputc('"', f);
	return 0;
}

/* The IP indicators of the lists as rules text that fills k8s_malicious_ips (and, over the
 * default rules, switches on the rule that reads it). */
static int ioc_rules(char *const *files, bool defaults, char **ret, size_t *ret_len,
		     struct rf_error *reterr)
{
	_cleanup_(rf_ioc_set_freep) struct rf_ioc_set *set = NULL;
	_cleanup_free_ char *items = NULL;
	struct rf_ioc_counts n;
	size_t items_len = 0;
	FILE *f;
	int r;

	if ((r = rf_ioc_set_new(&set)) < 0)
		return r;
	for (char *const *p = files; *p; p++)
		if ((r = rf_ioc_load(set, *p, reterr)) < 0)
			return r;
	if ((r = rf_ioc_build(set)) < 0)
		return r;
	rf_ioc_counts(set, &n);
	if (!n.ips)
		return rf_error_set(reterr, -EINVAL,
				    "--ioc: the lists hold no IP address (domains "
				    "and hashes do not appear in audit events)");
	f = open_memstream(&items, &items_len);
	if (!f)
		return -ENOMEM;
	r = rf_ioc_each_prefix(set, put_prefix, f);
	if (fclose(f) != 0 || r < 0)
		return r < 0 ? r : -ENOMEM;
	if (asprintf(ret, "- list: k8s_malicious_ips\n  items: [%s]\n%s%s", items,
		     defaults ? "  override:\n    items: append\n" : "",
		     defaults ? "- rule: " IOC_RULE "\n  enabled: true\n" : "") < 0)
		return -ENOMEM;
	*ret_len = strlen(*ret);
	return 0;
}

int rf_k8s_audit_rules(struct rf_ruleset *rs, const struct rf_k8s_audit_rules_opts *o,
		       struct rf_error *reterr)
{
	enum rf_pss_level pss = o->pss_level_set ? o->pss_level : RF_PSS_BASELINE;
	int r = 0;

	if (!o->no_default_rules) {
		char toggle[256];

		r = rf_k8s_audit_load_default_rules(rs, reterr);
		(void)snprintf(toggle, sizeof(toggle),
			       "- rule: " PSS_BASELINE_RULE "\n  enabled: %s\n"
			       "- rule: " PSS_RESTRICTED_RULE "\n  enabled: %s\n",
			       pss == RF_PSS_BASELINE ? "true" : "false",
			       pss == RF_PSS_RESTRICTED ? "true" : "false");
		if (r >= 0)
			r = rf_ruleset_load_text(rs, toggle, strlen(toggle), "--pss-level", reterr);
	}
	if (r >= 0 && o->ioc_files && o->ioc_files[0]) {
		_cleanup_free_ char *text = NULL;
		size_t len = 0;

		r = ioc_rules(o->ioc_files, !o->no_default_rules, &text, &len, reterr);
		if (r >= 0)
			r = rf_ruleset_load_text(rs, text, len, "--ioc", reterr);
	}
	for (char *const *p = o->files; r >= 0 && p && *p; p++)
		r = rf_ruleset_load_file(rs, *p, reterr);
	if (r >= 0)
		r = rf_ruleset_compile(rs, reterr);
	return r;
}

int rf_k8s_audit_detect(const struct rf_k8s_audit_opts *src, const struct rf_ruleset *rs,
			const struct rf_detect_opts *dopts, char *const *suppress_files,
			rf_finding_fn on_finding, void *userdata,
			struct rf_k8s_audit_detect_result *ret, struct rf_error *reterr)
{
	struct rf_detect_opts o = dopts ? *dopts : (struct rf_detect_opts){ 0 };
	_cleanup_(rf_detect_freep) struct rf_detect *d = NULL;
	struct rf_k8s_audit_detect_result res = { 0 };
	struct rf_sinks sinks = { 0 };
	struct rf_recording rec = { .backend = rf_k8s_audit_source.name,
				    .exit_status = -1,
				    .source_fields = rf_k8s_audit_source.fields };
	struct rf_sink sink;
	int r, r2;

	o.event_clock_realtime = true; /* stageTimestamp: the API server's wall clock */
	if ((r = rf_detect_new(rs, &o, &d)) < 0)
		return rf_error_set(reterr, r, "detection engine: %s", strerror(-r));
	for (char *const *p = suppress_files; p && *p; p++)
		if ((r = rf_detect_load_suppressions(d, *p, reterr)) < 0)
			return r;
	if ((r = rf_detect_sink(d, on_finding, userdata, &sink)) < 0 ||
	    (r = rf_sinks_add(&sinks, &sink)) < 0)
		return rf_error_set(reterr, r, "detection engine: %s", strerror(-r));
	if ((r = rf_sinks_begin(&sinks, &rf_k8s_audit_source, reterr)) < 0)
		return r;
	r = rf_k8s_audit_run(src, rf_sinks_emit, &sinks, &res.source, reterr);
	rec.events = sinks.events;
	r2 = rf_sinks_end(&sinks, &rec, r < 0 ? NULL : reterr); /* findings still held: summaries */
	rf_detect_stats(d, &res.detect);
	if (ret)
		*ret = res;
	return r < 0 ? r : r2;
}
