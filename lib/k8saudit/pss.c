/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pod Security Standards on the object of an audited request: the object goes to `ringfence
 * audit`'s checker (lib/k8s) as the JSON document it was, so the workload kinds, API groups,
 * pod templates and check versions are exactly those of `audit`. Costs a serialisation and a
 * libfyaml parse (~0.1 ms): the ka.req.pss.* fields ask only for workload writes that the rest
 * of a rule's condition let through. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/k8saudit.h"

static bool is_workload(const char *res)
{
	static const char *const v[] = { "pods",	"podtemplates", "replicationcontrollers",
					 "replicasets", "deployments",	"statefulsets",
					 "daemonsets",	"jobs",		"cronjobs" };

	for (size_t i = 0; res && i < ELEMENTSOF(v); i++)
		if (streq(res, v[i]))
			return true;
	return false;
}

int rf_k8s_audit_pss(const struct rf_k8s_audit *a, enum rf_pss_level level, char ***ret)
{
	const cJSON *obj = a->request_object;
	struct rf_audit_opts opts = {
		.level = level,
		.level_set = true,
		.version = { .minor = RF_PSS_NEWEST_MINOR, .latest = true },
		.version_set = true,
	};
	_cleanup_free_ char *text = NULL;
	_cleanup_strv_free_ char **checks = NULL;
	struct rf_audit *au = NULL;
	int r;

	*ret = NULL;
	if (!cJSON_IsObject(obj) || !is_workload(a->resource) ||
	    (a->subresource && !streq(a->subresource, "ephemeralcontainers")) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(obj, "kind")))
		return 0;
	text = cJSON_PrintUnformatted((cJSON *)obj);
	if (!text)
		return -ENOMEM;
	r = rf_audit_new(&au);
	if (r < 0)
		return r;
	rf_audit_set_keep_documents(au, true); /* checked from the tree read, not parsed twice */
	r = rf_audit_add_text(au, a->origin ?: "request", text, strlen(text), NULL);
	if (r >= 0)
		r = rf_audit_run(au, &opts);
	for (size_t i = 0; r >= 0 && i < rf_audit_n_workloads(au); i++) {
		const struct rf_audit_workload *w = rf_audit_workload(au, i);

		for (size_t k = 0; r >= 0 && k < w->n_violations; k++)
			r = strv_extend_unique(&checks, w->violations[k].check);
	}
	rf_audit_free(au);
	if (r < 0)
		return r;
	strv_sort(checks);
	*ret = TAKE_PTR(checks);
	return 0;
}
