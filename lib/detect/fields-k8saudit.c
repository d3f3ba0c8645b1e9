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
	unsigned group;		  /* the next of the field's arrays to open */
	const cJSON *elem, *item; /* an element of an array; an item of the element's own list */
	const cJSON *res;	  /* ka.req.role.rules.grants: the resource of "verb resource" */
	char buf[4096];		  /* a derived value: a normalised path, "verb resource" */
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
	return a ? a->request_object : NULL;
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
	static const char *const templated[] = { "deployments",	 "replicasets",
						 "statefulsets", "daemonsets",
						 "jobs",	 "replicationcontrollers" };
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
		return child_obj(
			child_obj(child_obj(child_obj(child_obj(o, "spec"), "jobTemplate"), "spec"),
				  "template"),
			"spec");
	while (i < ELEMENTSOF(templated) && !streq(res, templated[i]))
		i++;
	if (i == ELEMENTSOF(templated))
		return NULL;
	return child_obj(child_obj(child_obj(o, "spec"), "template"), "spec");
}

/* ---- single values ---- */

static int put_str(const struct eval_ctx *c, unsigned nth, const char *s, struct rf_val *v)
{
	if (nth || !s)
		return 0;
	set_str(v, s);
	return 1;
}

/* One getter per field of struct rf_k8s_audit: the row is the dispatch, no name compared. */
#define COMMON(fn, member)                                                                         \
	static int fn(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)    \
	{                                                                                          \
		const struct rf_k8s_audit *a = audit(c);                                           \
		return a ? put_str(c, nth, a->member, v) : 0;                                      \
	}
COMMON(get_verb, verb)
COMMON(get_uri, request_uri)
COMMON(get_user, user)
COMMON(get_impuser, impersonated_user)
COMMON(get_resource, resource)
COMMON(get_subresource, subresource)
COMMON(get_ns, ns)
COMMON(get_name, name)
COMMON(get_useragent, user_agent)
COMMON(get_auditid, audit_id)
COMMON(get_stage, stage)
COMMON(get_decision, decision)
COMMON(get_origin, origin)

static int get_apigroup(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_k8s_audit *a = audit(c);

	/* "" is the core group (objectRef without apiGroup) */
	return a && a->object_ref ? put_str(c, nth, a->api_group ?: "", v) : 0;
}

/* Strings at a path of the event, or of the request object of one kind of resource. */
static int get_auth_reason(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_k8s_audit *a = audit(c);

	return a ? put_str(c, nth,
			   child_str(child_obj(a->json, "annotations"),
				     "authorization.k8s.io/reason"),
			   v)
		 : 0;
}

static int get_resp_reason(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_k8s_audit *a = audit(c);

	return a ? put_str(c, nth, child_str(child_obj(a->json, "responseStatus"), "reason"), v)
		 : 0;
}

static int get_binding_role(struct eval_ctx *c, const struct fref *r, unsigned nth,
			    struct rf_val *v)
{
	const cJSON *o = req_of(audit(c), "rolebindings", "clusterrolebindings");

	return put_str(c, nth, child_str(child_obj(o, "roleRef"), "name"), v);
}

static int get_service_type(struct eval_ctx *c, const struct fref *r, unsigned nth,
			    struct rf_val *v)
{
	return put_str(c, nth,
		       child_str(child_obj(req_of(audit(c), "services", NULL), "spec"), "type"), v);
}

static int get_secret_type(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	return put_str(c, nth, child_str(req_of(audit(c), "secrets", NULL), "type"), v);
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
static int host_ns(struct eval_ctx *c, unsigned nth, const char *key, struct rf_val *v)
{
	const cJSON *spec = nth ? NULL : pod_spec(audit(c));

	if (!spec)
		return 0;
	v->i = cJSON_IsTrue(child(spec, key));
	return 1;
}

static int get_host_network(struct eval_ctx *c, const struct fref *r, unsigned nth,
			    struct rf_val *v)
{
	return host_ns(c, nth, "hostNetwork", v);
}

static int get_host_pid(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	return host_ns(c, nth, "hostPID", v);
}

static int get_host_ipc(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	return host_ns(c, nth, "hostIPC", v);
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
	enum base base;
	const char *groups[3];
	const char *inner[3];
	bool each;
	enum leaf leaf;
};

#define CONTAINERS                                                                                 \
	{                                                                                          \
		"initContainers", "containers", "ephemeralContainers"                              \
	}

enum {
	W_GROUPS,
	W_SOURCEIPS,
	W_IMAGE,
	W_IMAGE_REPO,
	W_CTR_NAME,
	W_PRIVILEGED,
	W_APE,
	W_CAPS,
	W_HOSTPATH,
	W_VERBS,
	W_RESOURCES,
	W_APIGROUPS,
	W_SUBJECTS,
	W_CM_KEYS,
	W_CM_VALUES,
};

static const struct walk walks[] = {
	[W_GROUPS] = { BASE_USER, { "groups" }, { NULL }, false, LEAF_STR },
	[W_SOURCEIPS] = { BASE_EVENT, { "sourceIPs" }, { NULL }, false, LEAF_IP },
	[W_IMAGE] = { BASE_POD, CONTAINERS, { "image" }, false, LEAF_STR },
	[W_IMAGE_REPO] = { BASE_POD, CONTAINERS, { "image" }, false, LEAF_REPO },
	[W_CTR_NAME] = { BASE_POD, CONTAINERS, { "name" }, false, LEAF_STR },
	[W_PRIVILEGED] = { BASE_POD,
			   CONTAINERS,
			   { "securityContext", "privileged" },
			   false,
			   LEAF_BOOL },
	[W_APE] = { BASE_POD,
		    CONTAINERS,
		    { "securityContext", "allowPrivilegeEscalation" },
		    false,
		    LEAF_BOOL },
	[W_CAPS] = { BASE_POD,
		     CONTAINERS,
		     { "securityContext", "capabilities", "add" },
		     true,
		     LEAF_STR },
	[W_HOSTPATH] = { BASE_POD, { "volumes" }, { "hostPath", "path" }, false, LEAF_PATH },
	[W_VERBS] = { BASE_ROLE, { "rules" }, { "verbs" }, true, LEAF_STR },
	[W_RESOURCES] = { BASE_ROLE, { "rules" }, { "resources" }, true, LEAF_STR },
	[W_APIGROUPS] = { BASE_ROLE, { "rules" }, { "apiGroups" }, true, LEAF_STR },
	[W_SUBJECTS] = { BASE_BINDING, { "subjects" }, { "name" }, false, LEAF_STR },
	[W_CM_KEYS] = { BASE_CONFIGMAP, { "data", "binaryData" }, { NULL }, false, LEAF_KEY },
	[W_CM_VALUES] = { BASE_CONFIGMAP, { "data" }, { NULL }, false, LEAF_STR },
};

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
	case LEAF_IP: return rf_ip_parse(str, &v->ip) >= 0;
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
	default: set_str(v, str); return true;
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

static int get_list(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v,
		    const struct walk *w)
{
	const struct rf_k8s_audit *a = audit(c);
	const cJSON *base = a ? base_of(w, a) : NULL, *n;
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

/* One getter per list field: its walk. */
#define LIST(fn, w)                                                                                \
	static int fn(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)    \
	{                                                                                          \
		return get_list(c, r, nth, v, &walks[w]);                                          \
	}
LIST(get_groups, W_GROUPS)
LIST(get_sourceips, W_SOURCEIPS)
LIST(get_image, W_IMAGE)
LIST(get_image_repo, W_IMAGE_REPO)
LIST(get_ctr_name, W_CTR_NAME)
LIST(get_privileged, W_PRIVILEGED)
LIST(get_ape, W_APE)
LIST(get_caps, W_CAPS)
LIST(get_hostpath, W_HOSTPATH)
LIST(get_verbs, W_VERBS)
LIST(get_resources, W_RESOURCES)
LIST(get_apigroups, W_APIGROUPS)
LIST(get_subjects, W_SUBJECTS)
LIST(get_cm_keys, W_CM_KEYS)
LIST(get_cm_values, W_CM_VALUES)

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
	{ "ka.auditid", FT_STR, K, 0, 0, 0, get_auditid, NULL, "auditID" },
	{ "ka.stage", FT_STR, K, 0, 0, 0, get_stage, NULL,
	  "RequestReceived, ResponseStarted, ResponseComplete, Panic" },
	{ "ka.verb", FT_STR, K, 0, 0, 0, get_verb, NULL, "get, list, create, patch ..." },
	{ "ka.uri", FT_STR, K, 0, 0, 0, get_uri, NULL, "requestURI, query included" },
	{ "ka.uri.path", FT_STR, K, 0, 0, 0, get_uri_path, NULL, "requestURI without the query" },
	{ "ka.useragent", FT_STR, K, 0, 0, 0, get_useragent, NULL, "userAgent" },
	{ "ka.user.name", FT_STR, K, 0, 0, 0, get_user, NULL, "user.username" },
	{ "ka.user.groups", FT_STR, K, L, 0, 0, get_groups, NULL, "user.groups" },
	{ "ka.impuser.name", FT_STR, K, 0, 0, 0, get_impuser, NULL, "impersonatedUser.username" },
	{ "ka.sourceips", FT_IP, K, L, 0, 0, get_sourceips, NULL, "sourceIPs" },
	{ "ka.target.resource", FT_STR, K, 0, 0, 0, get_resource, NULL, "objectRef.resource" },
	{ "ka.target.subresource", FT_STR, K, 0, 0, 0, get_subresource, NULL,
	  "objectRef.subresource" },
	{ "ka.target.namespace", FT_STR, K, 0, 0, 0, get_ns, NULL, "objectRef.namespace" },
	{ "ka.target.name", FT_STR, K, 0, 0, 0, get_name, NULL, "objectRef.name" },
	{ "ka.target.apigroup", FT_STR, K, 0, 0, 0, get_apigroup, NULL,
	  "objectRef.apiGroup, \"\" for the core group" },
	{ "ka.response.code", FT_INT, K, 0, 0, 0, get_code, NULL, "responseStatus.code" },
	{ "ka.response.reason", FT_STR, K, 0, 0, 0, get_resp_reason, NULL,
	  "responseStatus.reason" },
	{ "ka.auth.decision", FT_STR, K, 0, 0, 0, get_decision, NULL,
	  "annotation authorization.k8s.io/decision: allow, forbid" },
	{ "ka.auth.reason", FT_STR, K, 0, 0, 0, get_auth_reason, NULL,
	  "annotation authorization.k8s.io/reason" },
	{ "ka.origin", FT_STR, K, 0, 0, 0, get_origin, NULL, "file:line or webhook batch item" },
	{ "ka.req.pod.containers.image", FT_STR, K, L, 0, 0, get_image, NULL,
	  "images of init, regular and ephemeral containers" },
	{ "ka.req.pod.containers.image.repository", FT_STR, K, L, 0, 0, get_image_repo, NULL,
	  "the images without tag or digest" },
	{ "ka.req.pod.containers.name", FT_STR, K, L, 0, 0, get_ctr_name, NULL, "container names" },
	{ "ka.req.pod.containers.privileged", FT_BOOL, K, L, 0, 0, get_privileged, NULL,
	  "securityContext.privileged per container (false when unset)" },
	{ "ka.req.pod.containers.allow_privilege_escalation", FT_BOOL, K, L, 0, 0, get_ape, NULL,
	  "securityContext.allowPrivilegeEscalation per container (false when unset)" },
	{ "ka.req.pod.containers.add_capabilities", FT_STR, K, L, 0, 0, get_caps, NULL,
	  "securityContext.capabilities.add of every container" },
	{ "ka.req.pod.host_network", FT_BOOL, K, 0, 0, 0, get_host_network, NULL,
	  "spec.hostNetwork" },
	{ "ka.req.pod.host_pid", FT_BOOL, K, 0, 0, 0, get_host_pid, NULL, "spec.hostPID" },
	{ "ka.req.pod.host_ipc", FT_BOOL, K, 0, 0, 0, get_host_ipc, NULL, "spec.hostIPC" },
	{ "ka.req.pod.volumes.hostpath", FT_STR, K, L, 0, 0, get_hostpath, NULL,
	  "hostPath volume paths, normalised" },
	{ "ka.req.pss.baseline", FT_STR, K, L | FF_SLOW, 0, 0, get_pss, NULL,
	  "Pod Security Standards baseline checks the workload fails (latest)" },
	{ "ka.req.pss.restricted", FT_STR, K, L | FF_SLOW, 0, 0, get_pss, NULL,
	  "Pod Security Standards restricted checks the workload fails (latest)" },
	{ "ka.req.role.rules.verbs", FT_STR, K, L, 0, 0, get_verbs, NULL, "verbs of every rule" },
	{ "ka.req.role.rules.resources", FT_STR, K, L, 0, 0, get_resources, NULL,
	  "resources of every rule" },
	{ "ka.req.role.rules.apiGroups", FT_STR, K, L, 0, 0, get_apigroups, NULL,
	  "API groups of every rule" },
	{ "ka.req.role.rules.grants", FT_STR, K, L, 0, 0, get_grants, NULL,
	  "\"verb resource\" for each verb and resource of the same rule" },
	{ "ka.req.binding.subjects", FT_STR, K, L, 0, 0, get_subjects, NULL, "subjects[].name" },
	{ "ka.req.binding.role", FT_STR, K, 0, 0, 0, get_binding_role, NULL, "roleRef.name" },
	{ "ka.req.configmap.keys", FT_STR, K, L, 0, 0, get_cm_keys, NULL,
	  "keys of data and binaryData" },
	{ "ka.req.configmap.values", FT_STR, K, L, 0, 0, get_cm_values, NULL, "values of data" },
	{ "ka.req.service.type", FT_STR, K, 0, 0, 0, get_service_type, NULL,
	  "spec.type of a Service" },
	{ "ka.req.secret.type", FT_STR, K, 0, 0, 0, get_secret_type, NULL, "type of a Secret" },
};

const size_t rf_fields_k8saudit_n = ELEMENTSOF(rf_fields_k8saudit);
