/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The field table, part three: ka.*, the Kubernetes audit event (RF_EV_K8S_AUDIT), under the
 * names of Falco's k8saudit plugin where it has them. The common fields come from struct
 * rf_k8s_audit; request-object fields read the event's cJSON tree in place. A list field keeps
 * its cursor in the evaluation context, so a comparison walking N values takes N steps, and
 * nothing allocates except the Pod Security Standards fields (ka.req.pss.*), which check the
 * request object with lib/k8s once per event, and only when a rule gets that far. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strv.h"
#include "detect-internal.h"
#include "ringfence/k8s.h"
#include "ringfence/k8saudit.h"

#define K RF_EV_BIT(RF_EV_K8S_AUDIT)

struct ka_state {
	/* the list value the cursor is on: field, event, value number, position */
	const struct field *f;
	uint64_t gen;
	unsigned nth;
	bool live;
	unsigned group;           /* the next of the field's arrays to open */
	const cJSON *elem, *item; /* an element of an array; an item of the element's own list */
	const cJSON *res;         /* ka.req.role.rules.grants: the resource of "verb resource" */
	char buf[4096];           /* a derived value: a normalised path, "verb resource" */
	/* ka.req.pss.baseline, .restricted */
	uint64_t pss_gen[2];
	char **pss[2];
};

void ka_state_free(struct ka_state *s)
{
	if (!s)
		return;
	strv_free(s->pss[0]);
	strv_free(s->pss[1]);
	free(s);
}

static struct ka_state *state(struct eval_ctx *c)
{
	if (!c->ka)
		c->ka = calloc(1, sizeof(*c->ka)); /* once per context */
	return c->ka;
}

static const struct rf_k8s_audit *audit(const struct eval_ctx *c)
{
	return c->ev->kind == RF_EV_K8S_AUDIT ? c->ev->audit : NULL;
}

static void set_str(struct rf_val *v, const char *s)
{
	v->s = s;
	v->len = strlen(s);
	v->nul = true;
}

static const cJSON *child(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const cJSON *child_obj(const cJSON *o, const char *key)
{
	const cJSON *v = child(o, key);

	return cJSON_IsObject(v) ? v : NULL;
}

static const char *child_str(const cJSON *o, const char *key)
{
	const cJSON *v = child(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *items_of(const cJSON *arr)
{
	return cJSON_IsArray(arr) ? arr->child : NULL;
}

static const cJSON *first_str(const cJSON *n)
{
	while (n && !cJSON_IsString(n))
		n = n->next;
	return n;
}

/* ---- where a request's object keeps what ---- */

static const cJSON *req_obj(const struct rf_k8s_audit *a)
{
	return a ? child_obj(a->json, "requestObject") : NULL;
}

/* The request object when the request is about one of these resources (no subresource). */
static const cJSON *req_of(const struct rf_k8s_audit *a, const char *res1, const char *res2)
{
	if (!a || a->subresource || !a->resource ||
	    !(streq(a->resource, res1) || (res2 && streq(a->resource, res2))))
		return NULL;
	return req_obj(a);
}

/* The pod spec a workload's request object carries: a Pod's own (also for its
 * ephemeralcontainers subresource), a template's, a CronJob's job template's. */
static const cJSON *pod_spec(const struct rf_k8s_audit *a)
{
	static const char *const templated[] = { "deployments", "replicasets", "statefulsets",
						 "daemonsets", "jobs", "replicationcontrollers" };
	const cJSON *o = req_obj(a);
	const char *res = a ? a->resource : NULL;
	size_t i = 0;

	if (!o || !res || (a->subresource && !streq(a->subresource, "ephemeralcontainers")))
		return NULL;
	if (streq(res, "pods"))
		return child_obj(o, "spec");
	if (a->subresource)
		return NULL;
	if (streq(res, "podtemplates"))
		return child_obj(child_obj(o, "template"), "spec");
	if (streq(res, "cronjobs"))
		return child_obj(child_obj(child_obj(child_obj(child_obj(o, "spec"), "jobTemplate"),
							 "spec"), "template"), "spec");
	while (i < ELEMENTSOF(templated) && !streq(res, templated[i]))
		i++;
	if (i == ELEMENTSOF(templated))
		return NULL;
	return child_obj(child_obj(child_obj(o, "spec"), "template"), "spec");
}

/* ---- single values ---- */

static int get_common(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_k8s_audit *a = audit(c);
	const char *n = r->f->name + 3, *s = NULL;

	if (nth || !a)
		return 0;
	if (streq(n, "verb"))
		s = a->verb;
	else if (streq(n, "uri"))
		s = a->request_uri;
	else if (streq(n, "user.name"))
		s = a->user;
	else if (streq(n, "impuser.name"))
		s = a->impersonated_user;
	else if (streq(n, "target.resource"))
		s = a->resource;
	else if (streq(n, "target.subresource"))
		s = a->subresource;
	else if (streq(n, "target.namespace"))
		s = a->ns;
	else if (streq(n, "target.name"))
		s = a->name;
	else if (streq(n, "useragent"))
		s = a->user_agent;
	else if (streq(n, "auditid"))
		s = a->audit_id;
	else if (streq(n, "stage"))
		s = a->stage;
	else if (streq(n, "auth.decision"))
		s = a->decision;
	else if (streq(n, "origin"))
		s = a->origin;
	else if (streq(n, "target.apigroup")) /* "" is the core group */
		s = child_obj(a->json, "objectRef") ? a->api_group ?: "" : NULL;
	if (!s)
		return 0;
	set_str(v, s);
	return 1;
}

/* A string at a path of the event, or of the request object of one kind of resource. */
static int get_path(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_k8s_audit *a = audit(c);
	const char *n = r->f->name, *s = NULL;

	if (nth || !a)
		return 0;
	if (streq(n, "ka.auth.reason"))
		s = child_str(child_obj(a->json, "annotations"), "authorization.k8s.io/reason");
	else if (streq(n, "ka.response.reason"))
		s = child_str(child_obj(a->json, "responseStatus"), "reason");
	else if (streq(n, "ka.req.binding.role"))
		s = child_str(child_obj(req_of(a, "rolebindings", "clusterrolebindings"), "roleRef"),
			      "name");
	else if (streq(n, "ka.req.service.type"))
		s = child_str(child_obj(req_of(a, "services", NULL), "spec"), "type");
	else if (streq(n, "ka.req.secret.type"))
		s = child_str(req_of(a, "secrets", NULL), "type");
	if (!s)
		return 0;
	set_str(v, s);
	return 1;
}

static int get_uri_path(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_k8s_audit *a = audit(c);

	if (nth || !a)
		return 0;
	v->s = a->request_uri;
	v->len = strcspn(a->request_uri, "?");
	v->nul = !a->request_uri[v->len];
	return 1;
}

static int get_code(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_k8s_audit *a = audit(c);

	if (nth || !a || !a->code)
		return 0;
	v->i = a->code;
	return 1;
}

/* hostNetwork, hostPID, hostIPC: false when the pod spec leaves them out. */
static int get_host_ns(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const char *n = r->f->name;
	const cJSON *spec = nth ? NULL : pod_spec(audit(c));

	if (!spec)
		return 0;
	v->i = cJSON_IsTrue(child(spec, streq(n, "ka.req.pod.host_network") ? "hostNetwork"
					: streq(n, "ka.req.pod.host_pid") ? "hostPID"
									  : "hostIPC"));
	return 1;
}

/* ---- lists ---- */

enum leaf {
	LEAF_STR = 1,
	LEAF_BOOL, /* false when absent */
	LEAF_IP,
	LEAF_PATH, /* normalised lexically */
	LEAF_KEY,  /* the member names of objects */
	LEAF_REPO, /* an image without its tag or digest */
};

enum base { BASE_EVENT = 1, BASE_USER, BASE_POD, BASE_ROLE, BASE_BINDING, BASE_CONFIGMAP };

/* Values: the arrays (or objects) `groups` of the base, concatenated; from each element, the
 * keys `inner` lead to the value, or with `each` to an array whose items are the values. */
struct walk {
	const char *name;
	enum base base;
	const char *groups[3];
	const char *inner[3];
	bool each;
	enum leaf leaf;
};

#define CONTAINERS { "initContainers", "containers", "ephemeralContainers" }

static const struct walk walks[] = {
	{ "ka.user.groups", BASE_USER, { "groups" }, { NULL }, false, LEAF_STR },
	{ "ka.sourceips", BASE_EVENT, { "sourceIPs" }, { NULL }, false, LEAF_IP },
	{ "ka.req.pod.containers.image", BASE_POD, CONTAINERS, { "image" }, false, LEAF_STR },
	{ "ka.req.pod.containers.image.repository", BASE_POD, CONTAINERS, { "image" }, false,
	  LEAF_REPO },
	{ "ka.req.pod.containers.name", BASE_POD, CONTAINERS, { "name" }, false, LEAF_STR },
	{ "ka.req.pod.containers.privileged", BASE_POD, CONTAINERS,
	  { "securityContext", "privileged" }, false, LEAF_BOOL },
	{ "ka.req.pod.containers.allow_privilege_escalation", BASE_POD, CONTAINERS,
	  { "securityContext", "allowPrivilegeEscalation" }, false, LEAF_BOOL },
	{ "ka.req.pod.containers.add_capabilities", BASE_POD, CONTAINERS,
	  { "securityContext", "capabilities", "add" }, true, LEAF_STR },
	{ "ka.req.pod.volumes.hostpath", BASE_POD, { "volumes" }, { "hostPath", "path" }, false,
	  LEAF_PATH },
	{ "ka.req.role.rules.verbs", BASE_ROLE, { "rules" }, { "verbs" }, true, LEAF_STR },
	{ "ka.req.role.rules.resources", BASE_ROLE, { "rules" }, { "resources" }, true, LEAF_STR },
	{ "ka.req.role.rules.apiGroups", BASE_ROLE, { "rules" }, { "apiGroups" }, true, LEAF_STR },
	{ "ka.req.binding.subjects", BASE_BINDING, { "subjects" }, { "name" }, false, LEAF_STR },
	{ "ka.req.configmap.keys", BASE_CONFIGMAP, { "data", "binaryData" }, { NULL }, false,
	  LEAF_KEY },
	{ "ka.req.configmap.values", BASE_CONFIGMAP, { "data" }, { NULL }, false, LEAF_STR },
};

static const struct walk *walk_of(const struct field *f)
{
	for (size_t i = 0; i < ELEMENTSOF(walks); i++)
		if (streq(walks[i].name, f->name))
			return &walks[i];
	return NULL;
}

static const cJSON *base_of(const struct walk *w, const struct rf_k8s_audit *a)
{
	switch (w->base) {
	case BASE_EVENT: return a->json;
	case BASE_USER: return child_obj(a->json, "user");
	case BASE_POD: return pod_spec(a);
	case BASE_ROLE: return req_of(a, "roles", "clusterroles");
	case BASE_BINDING: return req_of(a, "rolebindings", "clusterrolebindings");
	case BASE_CONFIGMAP: return req_of(a, "configmaps", NULL);
	}
	return NULL;
}

static const cJSON *inner_of(const struct walk *w, const cJSON *e)
{
	for (size_t i = 0; i < ELEMENTSOF(w->inner) && w->inner[i] && e; i++)
		e = child(e, w->inner[i]);
	return e;
}

/* Moves the cursor to the next candidate: an element, or (each) an item of its list. */
static const cJSON *walk_next(const struct walk *w, const cJSON *base, struct ka_state *s)
{
	for (;;) {
		if (s->item && s->item->next)
			return s->item = s->item->next;
		s->item = NULL;
		if (s->elem)
			s->elem = s->elem->next;
		while (!s->elem) {
			const cJSON *g;

			if (s->group >= ELEMENTSOF(w->groups) || !w->groups[s->group])
				return NULL;
			g = child(base, w->groups[s->group++]);
			if (cJSON_IsArray(g) || cJSON_IsObject(g))
				s->elem = g->child;
		}
		if (!w->each)
			return s->elem;
		if ((s->item = items_of(inner_of(w, s->elem))))
			return s->item;
	}
}

/* A candidate's value, when it has one of the walk's type. */
static bool value_of(const struct walk *w, const cJSON *n, struct ka_state *s, struct rf_val *v)
{
	const cJSON *leaf = w->each ? n : inner_of(w, n);
	const char *str;

	if (w->leaf == LEAF_KEY) {
		if (!n->string)
			return false;
		set_str(v, n->string);
		return true;
	}
	if (w->leaf == LEAF_BOOL) {
		v->i = cJSON_IsTrue(leaf);
		return true;
	}
	if (!cJSON_IsString(leaf))
		return false;
	str = leaf->valuestring;
	switch (w->leaf) {
	case LEAF_IP:
		return rf_ip_parse(str, &v->ip) >= 0;
	case LEAF_PATH: /* "//etc/./" is /etc; a relative (invalid) or too long path as written */
		if (str[0] != '/' || path_normalize(str, NULL, 0, s->buf, sizeof(s->buf)) < 0)
			set_str(v, str);
		else
			set_str(v, s->buf);
		return true;
	case LEAF_REPO: { /* registry:5000/team/app:1.2@sha256:... -> registry:5000/team/app */
		size_t len = strcspn(str, "@");
		const char *colon = memrchr(str, ':', len), *slash = memrchr(str, '/', len);

		if (colon && (!slash || colon > slash))
			len = (size_t)(colon - str);
		v->s = str;
		v->len = len;
		v->nul = !str[len];
		return true;
	}
	default:
		set_str(v, str);
		return true;
	}
}

/* The cursor, on value nth - 1 of this field of this event (*ret_skip 0), or started over
 * with *ret_skip values to pass (a new event, another field, values asked out of order). */
static struct ka_state *cursor(struct eval_ctx *c, const struct fref *r, unsigned nth,
			       unsigned *ret_skip)
{
	struct ka_state *s = state(c);

	if (!s)
		return NULL;
	if (s->live && s->gen == c->gen && s->f == r->f && nth == s->nth + 1) {
		*ret_skip = 0;
		return s;
	}
	s->live = false;
	s->group = 0;
	s->elem = s->item = s->res = NULL;
	*ret_skip = nth;
	return s;
}

static int cursor_on(struct eval_ctx *c, const struct fref *r, unsigned nth, struct ka_state *s)
{
	s->f = r->f;
	s->gen = c->gen;
	s->nth = nth;
	s->live = true;
	return 1;
}

static int get_list(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_k8s_audit *a = audit(c);
	const struct walk *w = walk_of(r->f);
	const cJSON *base = a && w ? base_of(w, a) : NULL, *n;
	struct ka_state *s;
	unsigned skip;

	if (!base || !(s = cursor(c, r, nth, &skip)))
		return 0;
	while ((n = walk_next(w, base, s))) {
		if (!value_of(w, n, s, v))
			continue;
		if (skip == 0)
			return cursor_on(c, r, nth, s);
		skip--;
	}
	s->live = false;
	return 0;
}

/* ka.req.role.rules.grants: "verb resource" for every verb and resource of the same rule, so a
 * condition can ask for a pairing ("create pods/exec") that the flat lists cannot tell. */
static int get_grants(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const cJSON *rules = child(req_of(audit(c), "roles", "clusterroles"), "rules");
	struct ka_state *s;
	unsigned skip;

	if (!cJSON_IsArray(rules) || !(s = cursor(c, r, nth, &skip)))
		return 0;
	for (;;) {
		/* elem: the rule, item: the verb, res: the resource */
		if (s->res)
			s->res = first_str(s->res->next);
		if (!s->res && s->item) { /* the next verb, from the rule's first resource */
			s->item = first_str(s->item->next);
			if (s->item)
				s->res = first_str(items_of(child(s->elem, "resources")));
		}
		while (!s->res) { /* the next rule with a verb and a resource */
			s->elem = s->elem ? s->elem->next : rules->child;
			if (!s->elem) {
				s->live = false;
				return 0;
			}
			s->item = first_str(items_of(child(s->elem, "verbs")));
			s->res = s->item ? first_str(items_of(child(s->elem, "resources"))) : NULL;
		}
		if (skip > 0) {
			skip--;
			continue;
		}
		(void)snprintf(s->buf, sizeof(s->buf), "%s %s", s->item->valuestring,
			       s->res->valuestring);
		set_str(v, s->buf);
		return cursor_on(c, r, nth, s);
	}
}

/* ka.req.pss.baseline / .restricted: the Pod Security Standards checks (latest version) the
 * request's workload fails, by the checker of `ringfence audit`, once per event. */
static int get_pss(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_k8s_audit *a = audit(c);
	bool restricted = streq(r->f->name, "ka.req.pss.restricted");
	struct ka_state *s;

	if (!a || !pod_spec(a) || !(s = state(c)))
		return 0;
	if (s->pss_gen[restricted] != c->gen) {
		strv_free(s->pss[restricted]);
		s->pss[restricted] = NULL;
		s->pss_gen[restricted] = c->gen;
		if (rf_k8s_audit_pss(a, restricted ? RF_PSS_RESTRICTED : RF_PSS_BASELINE,
				     &s->pss[restricted]) < 0)
			s->pss[restricted] = NULL;
	}
	if (!s->pss[restricted] || nth >= strv_length(s->pss[restricted]))
		return 0;
	set_str(v, s->pss[restricted][nth]);
	return 1;
}

#define L FF_LIST

const struct field rf_fields_k8saudit[] = {
	{ "ka.auditid", FT_STR, K, 0, 0, 0, get_common, NULL, "auditID" },
	{ "ka.stage", FT_STR, K, 0, 0, 0, get_common, NULL,
	  "RequestReceived, ResponseStarted, ResponseComplete, Panic" },
	{ "ka.verb", FT_STR, K, 0, 0, 0, get_common, NULL, "get, list, create, patch ..." },
	{ "ka.uri", FT_STR, K, 0, 0, 0, get_common, NULL, "requestURI, query included" },
	{ "ka.uri.path", FT_STR, K, 0, 0, 0, get_uri_path, NULL, "requestURI without the query" },
	{ "ka.useragent", FT_STR, K, 0, 0, 0, get_common, NULL, "userAgent" },
	{ "ka.user.name", FT_STR, K, 0, 0, 0, get_common, NULL, "user.username" },
	{ "ka.user.groups", FT_STR, K, L, 0, 0, get_list, NULL, "user.groups" },
	{ "ka.impuser.name", FT_STR, K, 0, 0, 0, get_common, NULL, "impersonatedUser.username" },
	{ "ka.sourceips", FT_IP, K, L, 0, 0, get_list, NULL, "sourceIPs" },
	{ "ka.target.resource", FT_STR, K, 0, 0, 0, get_common, NULL, "objectRef.resource" },
	{ "ka.target.subresource", FT_STR, K, 0, 0, 0, get_common, NULL, "objectRef.subresource" },
	{ "ka.target.namespace", FT_STR, K, 0, 0, 0, get_common, NULL, "objectRef.namespace" },
	{ "ka.target.name", FT_STR, K, 0, 0, 0, get_common, NULL, "objectRef.name" },
	{ "ka.target.apigroup", FT_STR, K, 0, 0, 0, get_common, NULL,
	  "objectRef.apiGroup, \"\" for the core group" },
	{ "ka.response.code", FT_INT, K, 0, 0, 0, get_code, NULL, "responseStatus.code" },
	{ "ka.response.reason", FT_STR, K, 0, 0, 0, get_path, NULL, "responseStatus.reason" },
	{ "ka.auth.decision", FT_STR, K, 0, 0, 0, get_common, NULL,
	  "annotation authorization.k8s.io/decision: allow, forbid" },
	{ "ka.auth.reason", FT_STR, K, 0, 0, 0, get_path, NULL,
	  "annotation authorization.k8s.io/reason" },
	{ "ka.origin", FT_STR, K, 0, 0, 0, get_common, NULL, "file:line or webhook batch item" },
	{ "ka.req.pod.containers.image", FT_STR, K, L, 0, 0, get_list, NULL,
	  "images of init, regular and ephemeral containers" },
	{ "ka.req.pod.containers.image.repository", FT_STR, K, L, 0, 0, get_list, NULL,
	  "the images without tag or digest" },
	{ "ka.req.pod.containers.name", FT_STR, K, L, 0, 0, get_list, NULL, "container names" },
	{ "ka.req.pod.containers.privileged", FT_BOOL, K, L, 0, 0, get_list, NULL,
	  "securityContext.privileged per container (false when unset)" },
	{ "ka.req.pod.containers.allow_privilege_escalation", FT_BOOL, K, L, 0, 0, get_list, NULL,
	  "securityContext.allowPrivilegeEscalation per container (false when unset)" },
	{ "ka.req.pod.containers.add_capabilities", FT_STR, K, L, 0, 0, get_list, NULL,
	  "securityContext.capabilities.add of every container" },
	{ "ka.req.pod.host_network", FT_BOOL, K, 0, 0, 0, get_host_ns, NULL, "spec.hostNetwork" },
	{ "ka.req.pod.host_pid", FT_BOOL, K, 0, 0, 0, get_host_ns, NULL, "spec.hostPID" },
	{ "ka.req.pod.host_ipc", FT_BOOL, K, 0, 0, 0, get_host_ns, NULL, "spec.hostIPC" },
	{ "ka.req.pod.volumes.hostpath", FT_STR, K, L, 0, 0, get_list, NULL,
	  "hostPath volume paths, normalised" },
	{ "ka.req.pss.baseline", FT_STR, K, L | FF_SLOW, 0, 0, get_pss, NULL,
	  "Pod Security Standards baseline checks the workload fails (latest)" },
	{ "ka.req.pss.restricted", FT_STR, K, L | FF_SLOW, 0, 0, get_pss, NULL,
	  "Pod Security Standards restricted checks the workload fails (latest)" },
	{ "ka.req.role.rules.verbs", FT_STR, K, L, 0, 0, get_list, NULL, "verbs of every rule" },
	{ "ka.req.role.rules.resources", FT_STR, K, L, 0, 0, get_list, NULL,
	  "resources of every rule" },
	{ "ka.req.role.rules.apiGroups", FT_STR, K, L, 0, 0, get_list, NULL,
	  "API groups of every rule" },
	{ "ka.req.role.rules.grants", FT_STR, K, L, 0, 0, get_grants, NULL,
	  "\"verb resource\" for each verb and resource of the same rule" },
	{ "ka.req.binding.subjects", FT_STR, K, L, 0, 0, get_list, NULL, "subjects[].name" },
	{ "ka.req.binding.role", FT_STR, K, 0, 0, 0, get_path, NULL, "roleRef.name" },
	{ "ka.req.configmap.keys", FT_STR, K, L, 0, 0, get_list, NULL,
	  "keys of data and binaryData" },
	{ "ka.req.configmap.values", FT_STR, K, L, 0, 0, get_list, NULL, "values of data" },
	{ "ka.req.service.type", FT_STR, K, 0, 0, 0, get_path, NULL, "spec.type of a Service" },
	{ "ka.req.secret.type", FT_STR, K, 0, 0, 0, get_path, NULL, "type of a Secret" },
};

const size_t rf_fields_k8saudit_n = ELEMENTSOF(rf_fields_k8saudit);
