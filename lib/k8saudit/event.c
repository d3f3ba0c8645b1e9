/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One audit.k8s.io Event object into struct rf_k8s_audit: the fields every rule reads, taken
 * once; the rest stays in the tree. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/macro.h"
#include "ringfence/k8saudit.h"

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *obj(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsObject(v) ? v : NULL;
}

/* RFC 3339 with fractional seconds, UTC ("2026-12-05T07:00:00.123456Z"), to epoch ns. */
static uint64_t rfc3339_ns(const char *s)
{
	struct tm tm = { 0 };
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	uint64_t ns = 0, scale = 100000000;
	time_t t;

	if (!p)
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ns += (uint64_t)(*p - '0') * scale;
	t = timegm(&tm);
	return t < 0 ? 0 : (uint64_t)t * 1000000000u + ns;
}

int rf_k8s_audit_from_json(const void *cjson, const char *origin, struct rf_k8s_audit *ret,
			   const char **ret_why)
{
	const cJSON *e = cjson, *user, *ref, *status, *ann, *code;
	const char *kind, *api;

	*ret_why = NULL;
	if (!cJSON_IsObject(e)) {
		*ret_why = "not a JSON object";
		return -EINVAL;
	}
	kind = str(e, "kind");
	api = str(e, "apiVersion");
	if (!kind || !streq(kind, "Event") || !api || strncmp(api, "audit.k8s.io/", 13) != 0) {
		*ret_why = "not an audit.k8s.io Event (kind/apiVersion)";
		return -EINVAL;
	}
	*ret = (struct rf_k8s_audit){ .json = e, .origin = origin };
	ret->audit_id = str(e, "auditID");
	ret->stage = str(e, "stage");
	ret->level = str(e, "level");
	ret->verb = str(e, "verb");
	ret->request_uri = str(e, "requestURI");
	ret->user_agent = str(e, "userAgent");
	if (!ret->verb || !ret->request_uri) {
		*ret_why = "an audit Event without verb or requestURI";
		return -EINVAL;
	}
	user = obj(e, "user");
	ret->user = str(user, "username");
	ret->impersonated_user = str(obj(e, "impersonatedUser"), "username");
	ref = obj(e, "objectRef");
	ret->resource = str(ref, "resource");
	ret->subresource = str(ref, "subresource");
	ret->ns = str(ref, "namespace");
	ret->name = str(ref, "name");
	ret->api_group = str(ref, "apiGroup");
	ret->api_version = str(ref, "apiVersion");
	status = obj(e, "responseStatus");
	code = cJSON_GetObjectItemCaseSensitive(status, "code");
	ret->code = cJSON_IsNumber(code) ? code->valueint : 0;
	ann = obj(e, "annotations");
	ret->decision = str(ann, "authorization.k8s.io/decision");
	ret->time_ns = rfc3339_ns(str(e, "stageTimestamp") ?: str(e, "requestReceivedTimestamp"));
	return 0;
}
