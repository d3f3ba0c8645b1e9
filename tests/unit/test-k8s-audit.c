/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kubernetes audit detections: every default rule of data/rules/k8s-audit.yaml fires on its
 * positive event of tests/data/k8s-audit/rules/ with its finding type and stays quiet on its
 * benign near miss; the ka.* fields (list semantics, normalised paths, role grants, a list too
 * long to hide a wildcard in, outputs); allocation-free evaluation; the log reader over a rotated
 * and gzip'd pair; bad lines named with file:line and skipped; the pipeline's rate limit and
 * suppressions for audit findings, and its refusal of rules that need other events. */
#include <cjson/cJSON.h>
#include <dirent.h>

#include "rules-helpers.h"
#include "ringfence/k8saudit.h"
#include "ringfence/log.h"

/* ---- fixtures ---- */

struct audit_ev {
	cJSON *json;
	struct rf_k8s_audit a;
	struct rf_event ev;
};

static void audit_parse(struct audit_ev *x, const char *text, const char *origin)
{
	const char *why = NULL;

	x->json = cJSON_Parse(text);
	cr_assert(x->json, "%s: not JSON", origin);
	cr_assert_eq(rf_k8s_audit_from_json(x->json, origin, &x->a, &why), 0, "%s: %s", origin,
		     why);
	x->ev = (struct rf_event){ .kind = RF_EV_K8S_AUDIT,
				   .time_ns = x->a.time_ns,
				   .audit = &x->a };
}

static void audit_load(struct audit_ev *x, const char *rel)
{
	_cleanup_str_ char *text = read_fixture(rel, NULL);

	audit_parse(x, text, rel);
}

static void audit_done(struct audit_ev *x)
{
	cJSON_Delete(x->json);
}

static struct rf_ruleset *k8s_rules(enum rf_pss_level pss, bool ioc)
{
	_cleanup_error_ struct rf_error err = { 0 };
	_cleanup_str_ char *ioc_path = fixture_path("k8s-audit/ioc.txt");
	char *iocs[] = { ioc_path, NULL };
	struct rf_k8s_audit_rules_opts o = { .pss_level = pss,
					     .pss_level_set = true,
					     .ioc_files = ioc ? iocs : NULL };
	struct rf_ruleset *rs = NULL;

	cr_assert_eq(rf_ruleset_new(&rs), 0);
	cr_assert_eq(rf_k8s_audit_rules(rs, &o, &err), 0, "%s", err.message);
	return rs;
}

/* ---- every default rule: a positive and a benign near miss ---- */

struct rule_case {
	const char *file; /* tests/data/k8s-audit/rules/<file>.{positive,negative}.json */
	const char *rule;
	const char *type;
	enum rf_pss_level pss;	 /* the level the case runs at (baseline unless restricted) */
	const char *also[2];	 /* other rules the positive may fire (the PSS rule on workloads) */
	const char *neg_also[2]; /* and the negative */
};

#define PSS_B "Workload violates Pod Security Standards (baseline)"

static const struct rule_case cases[] = {
	{ "exec-pod", "Exec or attach into pod", "Execution:Kubernetes/ExecInPod" },
	{ "exec-kube-system", "Exec or attach into kube-system pod",
	  "Execution:Kubernetes/ExecInKubeSystemPod" },
	{ "anonymous-read", "Anonymous read request succeeded",
	  "Discovery:Kubernetes/SuccessfulAnonymousAccess" },
	{ "anonymous-write", "Anonymous write request succeeded",
	  "Persistence:Kubernetes/SuccessfulAnonymousAccess" },
	{ "anonymous-granted", "Anonymous access granted",
	  "Policy:Kubernetes/AnonymousAccessGranted" },
	{ "cluster-admin-binding", "Binding to cluster-admin",
	  "PrivilegeEscalation:Kubernetes/ClusterAdminBinding" },
	{ "default-sa-admin", "Admin access to default service account",
	  "Policy:Kubernetes/AdminAccessToDefaultServiceAccount" },
	{ "wildcard-role", "Role with wildcard created",
	  "PrivilegeEscalation:Kubernetes/WildcardRoleCreated" },
	{ "powerful-role", "Role granting exec, secrets or RBAC escalation created",
	  "PrivilegeEscalation:Kubernetes/PowerfulRoleCreated" },
	{ "privileged-container",
	  "Privileged container created",
	  "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
	  RF_PSS_BASELINE,
	  { PSS_B } },
	{ "host-namespaces",
	  "Container sharing host namespaces created",
	  "PrivilegeEscalation:Kubernetes/HostNamespaceShared",
	  RF_PSS_BASELINE,
	  { PSS_B } },
	/* the near miss mounts a harmless host path: baseline still forbids hostPath */
	{ "sensitive-mount",
	  "Container with sensitive mount created",
	  "Persistence:Kubernetes/ContainerWithSensitiveMount",
	  RF_PSS_BASELINE,
	  { PSS_B },
	  { PSS_B } },
	{ "dangerous-capability",
	  "Container with dangerous capability created",
	  "PrivilegeEscalation:Kubernetes/DangerousCapabilityAdded",
	  RF_PSS_BASELINE,
	  { PSS_B } },
	{ "pss-baseline", PSS_B, "Policy:Kubernetes/PodSecurityBaselineViolated" },
	{ "pss-restricted", "Workload violates Pod Security Standards (restricted)",
	  "Policy:Kubernetes/PodSecurityRestrictedViolated", RF_PSS_RESTRICTED },
	{ "nodeport-service", "NodePort service created",
	  "Policy:Kubernetes/NodePortServiceCreated" },
	{ "configmap-credentials", "ConfigMap with credentials created",
	  "Policy:Kubernetes/ConfigMapWithCredentials" },
	{ "secrets-listed", "Secrets listed by unexpected user",
	  "CredentialAccess:Kubernetes/SecretsListed" },
	{ "token-created", "Service account token created",
	  "CredentialAccess:Kubernetes/ServiceAccountTokenCreated" },
	{ "events-deleted", "Kubernetes events deleted",
	  "DefenseEvasion:Kubernetes/EventsDeleted" },
	{ "admission-removed", "Admission control removed",
	  "DefenseEvasion:Kubernetes/AdmissionControlRemoved" },
	{ "malicious-ip", "Request from a known-malicious IP address",
	  "UnauthorizedAccess:Kubernetes/MaliciousIPCaller" },
	{ "suspicious-user-agent", "API request from a scripting or attack tool",
	  "Discovery:Kubernetes/SuspiciousUserAgent" },
	{ "permissions-enumerated", "Permissions enumerated by a service account",
	  "Discovery:Kubernetes/PermissionChecked" },
	{ "forbidden-service-account", "Request by a service account forbidden",
	  "Discovery:Kubernetes/ForbiddenRequestByServiceAccount" },
};

static bool listed(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && streq(v[i], s))
			return true;
	return false;
}

/* The rules the event fires: exactly `rule` (when given) and nothing but `also`. */
static void expect_fires(const struct rf_ruleset *rs, const char *rel, const char *rule,
			 const char *type, const char *const *also)
{
	struct audit_ev x;
	struct match_log m = { 0 };

	audit_load(&x, rel);
	eval1(rs, &x.ev, &m);
	if (rule) {
		cr_assert(matched(&m, rule), "%s: '%s' did not fire (%zu others did: %s)", rel,
			  rule, m.n, m.n ? m.names[0] : "-");
		expect_str(rf_rule_finding_type(rf_ruleset_find(rs, rule)), type);
	}
	for (size_t i = 0; i < m.n; i++)
		cr_assert((rule && streq(m.names[i], rule)) || listed(also, 2, m.names[i]),
			  "%s: '%s' fired too", rel, m.names[i]);
	audit_done(&x);
}

Test(k8s_rules, every_rule_fires_on_its_positive_and_not_on_its_near_miss)
{
	struct rf_ruleset *baseline = k8s_rules(RF_PSS_BASELINE, true);
	struct rf_ruleset *restricted = k8s_rules(RF_PSS_RESTRICTED, true);

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct rule_case *c = &cases[i];
		struct rf_ruleset *rs = c->pss == RF_PSS_RESTRICTED ? restricted : baseline;
		char pos[256], neg[256];
		struct audit_ev x;
		struct match_log m = { 0 };

		(void)snprintf(pos, sizeof(pos), "k8s-audit/rules/%s.positive.json", c->file);
		(void)snprintf(neg, sizeof(neg), "k8s-audit/rules/%s.negative.json", c->file);
		expect_fires(rs, pos, c->rule, c->type, c->also);
		expect_fires(rs, neg, NULL, NULL, c->neg_also);
		audit_load(&x, neg);
		eval1(rs, &x.ev, &m);
		cr_assert(!matched(&m, c->rule), "%s: '%s' fired on its near miss", neg, c->rule);
		audit_done(&x);
	}
	rf_ruleset_free(baseline);
	rf_ruleset_free(restricted);
}

/* Every rule of the default set has a case, a finding type and ATT&CK ids; every fixture
 * file belongs to a case. */
Test(k8s_rules, every_rule_and_fixture_is_covered)
{
	_cleanup_str_ char *dir = fixture_path("k8s-audit/rules");
	struct rf_ruleset *rs = k8s_rules(RF_PSS_BASELINE, false);
	struct dirent *de;
	size_t files = 0;
	DIR *d;

	cr_assert_eq(rf_ruleset_count(rs), ELEMENTSOF(cases), "%zu rules, %zu cases",
		     rf_ruleset_count(rs), ELEMENTSOF(cases));
	for (size_t i = 0; i < rf_ruleset_count(rs); i++) {
		const struct rf_rule *r = rf_ruleset_rule(rs, i);
		bool found = false;

		for (size_t k = 0; k < ELEMENTSOF(cases); k++)
			found |= streq(cases[k].rule, rf_rule_name(r));
		cr_assert(found, "rule '%s' has no test case", rf_rule_name(r));
		cr_assert(strncmp(rf_rule_finding_type(r), "Unclassified", 12) != 0,
			  "rule '%s' has no finding type", rf_rule_name(r));
		cr_assert(strstr(rf_rule_finding_type(r), ":Kubernetes/"), "%s",
			  rf_rule_finding_type(r));
		cr_assert(rf_rule_mitre(r)[0], "rule '%s' has no ATT&CK id", rf_rule_name(r));
	}
	d = opendir(dir);
	cr_assert(d);
	while ((de = readdir(d))) {
		char name[256];
		bool found = false;

		if (de->d_name[0] == '.')
			continue;
		files++;
		for (size_t k = 0; k < ELEMENTSOF(cases) && !found; k++) {
			(void)snprintf(name, sizeof(name), "%s.positive.json", cases[k].file);
			found = streq(name, de->d_name);
			(void)snprintf(name, sizeof(name), "%s.negative.json", cases[k].file);
			found |= streq(name, de->d_name);
		}
		cr_assert(found, "fixture %s belongs to no case", de->d_name);
	}
	closedir(d);
	expect_u(files, 2 * ELEMENTSOF(cases));
	rf_ruleset_free(rs);
}

/* Off by default: the IOC rule and the restricted PSS rule. */
Test(k8s_rules, switched_rules)
{
	struct rf_ruleset *rs = k8s_rules(RF_PSS_BASELINE, false);
	struct rf_ruleset *none = k8s_rules(RF_PSS_PRIVILEGED, false);

	cr_assert(
		!rf_rule_enabled(rf_ruleset_find(rs, "Request from a known-malicious IP address")));
	cr_assert(!rf_rule_enabled(
		rf_ruleset_find(rs, "Workload violates Pod Security Standards (restricted)")));
	cr_assert(rf_rule_enabled(rf_ruleset_find(rs, PSS_B)));
	cr_assert(!rf_rule_enabled(rf_ruleset_find(none, PSS_B)));
	expect_fires(none, "k8s-audit/rules/pss-baseline.positive.json", NULL, NULL, NULL);
	rf_ruleset_free(rs);
	rf_ruleset_free(none);
}

Test(k8s_rules, ioc_list_without_addresses_is_an_error)
{
	_cleanup_error_ struct rf_error err = { 0 };
	char path[] = "/tmp/rf-k8s-ioc-XXXXXX";
	int fd = mkstemp(path);
	char *iocs[] = { path, NULL };
	struct rf_k8s_audit_rules_opts o = { .ioc_files = iocs };
	struct rf_ruleset *rs = NULL;

	cr_assert(fd >= 0);
	cr_assert(write(fd, "evil.example.test\n", 18) == 18);
	close(fd);
	cr_assert_eq(rf_ruleset_new(&rs), 0);
	cr_assert(rf_k8s_audit_rules(rs, &o, &err) < 0);
	expect_contains(err.message, "no IP address");
	unlink(path);
	rf_ruleset_free(rs);
}

/* ---- fields ---- */

#define EV_HEAD                                                                                    \
	"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"stage\":\"ResponseComplete\","   \
	"\"auditID\":\"x\",\"stageTimestamp\":\"2026-12-05T07:00:00.5Z\","
#define RULE_HEAD                                                                                  \
	"- rule: R\n  desc: d\n  priority: info\n"                                                 \
	"  output: \"%ka.user.groups|%ka.req.pod.volumes.hostpath\"\n  condition: "
#define RULE(cond) RULE_HEAD cond "\n"

/* Does `cond` hold for the event? */
static bool holds(const char *cond, const char *event_json)
{
	_cleanup_str_ char *yaml = NULL;
	struct rf_ruleset *rs;
	struct audit_ev x;
	int n;

	cr_assert(asprintf(&yaml, "%s%s\n", RULE_HEAD, cond) > 0);
	rs = rules_ok(yaml);
	audit_parse(&x, event_json, "inline");
	n = eval1(rs, &x.ev, NULL);
	audit_done(&x);
	rf_ruleset_free(rs);
	return n > 0;
}

static const char pod_ev[] = EV_HEAD
	"\"verb\":\"create\",\"requestURI\":\"/api/v1/namespaces/a/pods?dryRun=All\","
	"\"user\":{\"username\":\"u\",\"groups\":[\"dev\",\"system:authenticated\"]},"
	"\"sourceIPs\":[\"10.1.2.3\",\"2001:db8::7\"],"
	"\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"a\",\"name\":\"p\",\"apiVersion\":"
	"\"v1\"},"
	"\"responseStatus\":{\"code\":201},"
	"\"requestObject\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\"},"
	"\"spec\":{\"volumes\":[{\"name\":\"e\",\"emptyDir\":{}},"
	"{\"name\":\"h\",\"hostPath\":{\"path\":\"//var/run/./docker.sock\"}},"
	"{\"name\":\"r\",\"hostPath\":{\"path\":\"/\"}}],"
	"\"initContainers\":[{\"name\":\"i\",\"image\":\"registry:5000/team/init:1.2@sha256:ab\"}],"
	"\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"},"
	"{\"name\":\"d\",\"image\":\"ghcr.io/x/y:2\",\"securityContext\":{\"privileged\":true,"
	"\"capabilities\":{\"add\":[\"NET_ADMIN\",\"SYS_TIME\"]}}}]}}}";

Test(k8s_fields, common_and_lists)
{
	cr_assert(holds("ka.verb = create and ka.target.resource = pods and ka.target.name = p",
			pod_ev));
	cr_assert(holds("ka.uri.path = /api/v1/namespaces/a/pods", pod_ev));
	cr_assert(holds("ka.target.apigroup = \"\"", pod_ev), "the core group is \"\"");
	cr_assert(holds("ka.response.code = 201 and ka.response.code < 400", pod_ev));
	cr_assert(!holds("ka.target.subresource exists", pod_ev));
	/* a list: any value decides; != holds when none is equal */
	cr_assert(holds("ka.user.groups in (dev)", pod_ev));
	cr_assert(holds("ka.user.groups intersects (ops, dev)", pod_ev));
	cr_assert(holds("ka.user.groups contains authenti", pod_ev));
	cr_assert(holds("ka.user.groups != ops", pod_ev));
	cr_assert(!holds("ka.user.groups != dev", pod_ev));
	cr_assert(!holds("ka.user.groups in (ops)", pod_ev));
	cr_assert(holds("ka.sourceips in (10.0.0.0/8)", pod_ev));
	cr_assert(holds("ka.sourceips = 2001:db8::/32", pod_ev));
	cr_assert(!holds("ka.sourceips in (192.168.0.0/16)", pod_ev));
	/* images of init and regular containers; repository without tag or digest */
	cr_assert(holds("ka.req.pod.containers.image = ghcr.io/x/y:2", pod_ev));
	cr_assert(
		holds("ka.req.pod.containers.image.repository = registry:5000/team/init", pod_ev));
	cr_assert(holds("ka.req.pod.containers.image.repository = nginx", pod_ev));
	cr_assert(holds("ka.req.pod.containers.image.repository = ghcr.io/x/y", pod_ev));
	cr_assert(holds("ka.req.pod.containers.privileged intersects (true)", pod_ev));
	cr_assert(holds("ka.req.pod.containers.privileged = false", pod_ev), "unset is false");
	cr_assert(holds("ka.req.pod.containers.add_capabilities in (SYS_TIME)", pod_ev));
	cr_assert(holds("ka.req.pod.host_network = false", pod_ev));
	/* host paths, normalised */
	cr_assert(holds("ka.req.pod.volumes.hostpath = /var/run/docker.sock", pod_ev));
	cr_assert(holds("ka.req.pod.volumes.hostpath = /", pod_ev));
	cr_assert(holds("ka.req.pod.volumes.hostpath pmatch (/var/run)", pod_ev));
	/* a field of another kind of object has no value */
	cr_assert(!holds("ka.req.binding.role exists or ka.req.role.rules.verbs exists", pod_ev));
	cr_assert(!holds("ka.req.configmap.keys exists or ka.req.service.type exists", pod_ev));
}

Test(k8s_fields, output_shows_every_value_of_a_list)
{
	struct rf_ruleset *rs = rules_ok(RULE("ka.verb = create"));
	struct audit_ev x;
	struct match_log m = { 0 };

	audit_parse(&x, pod_ev, "inline");
	expect_i(eval1(rs, &x.ev, &m), 1);
	expect_str(m.output, "dev,system:authenticated|/var/run/docker.sock,/");
	audit_done(&x);
	rf_ruleset_free(rs);
}

static const char role_head[] = EV_HEAD
	"\"verb\":\"create\",\"requestURI\":\"/apis/rbac.authorization.k8s.io/v1/clusterroles\","
	"\"user\":{\"username\":\"u\"},\"objectRef\":{\"resource\":\"clusterroles\",\"name\":\"r\"}"
	","
	"\"responseStatus\":{\"code\":201},\"requestObject\":{\"kind\":\"ClusterRole\",\"rules\":[";

Test(k8s_fields, role_grants_pair_verbs_with_resources_of_the_same_rule)
{
	_cleanup_str_ char *spread = NULL, *paired = NULL;

	cr_assert(asprintf(&spread, "%s%s", role_head,
			   "{\"verbs\":[\"create\"],\"resources\":[\"configmaps\"]},"
			   "{\"verbs\":[\"get\"],\"resources\":[\"pods/exec\",\"pods\"]}]}}") > 0);
	cr_assert(asprintf(&paired, "%s%s", role_head,
			   "{\"verbs\":[\"get\",\"create\"],\"resources\":[\"pods\",\"pods/"
			   "exec\"]}]}}") > 0);
	/* the flat lists cannot tell the two apart ... */
	cr_assert(holds("ka.req.role.rules.verbs in (create) and ka.req.role.rules.resources in "
			"(pods/exec)",
			spread));
	cr_assert(holds("ka.req.role.rules.verbs in (create) and ka.req.role.rules.resources in "
			"(pods/exec)",
			paired));
	/* ... the grants can */
	cr_assert(!holds("ka.req.role.rules.grants in (\"create pods/exec\")", spread));
	cr_assert(holds("ka.req.role.rules.grants in (\"create pods/exec\")", paired));
	cr_assert(holds("ka.req.role.rules.grants in (\"get pods/exec\")", spread));
}

/* A wildcard after many harmless rules is still seen (a short walk bound would hide it). */
Test(k8s_fields, long_lists_are_walked_to_the_end)
{
	struct rf_ruleset *rs = k8s_rules(RF_PSS_BASELINE, false);
	char *ev = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&ev, &len);
	struct audit_ev x;
	struct match_log m = { 0 };

	cr_assert(f);
	fputs(role_head, f);
	for (int i = 0; i < 3000; i++)
		fprintf(f, "{\"verbs\":[\"get\"],\"resources\":[\"things%d\"]},", i);
	fputs("{\"verbs\":[\"*\"],\"resources\":[\"*\"]}]}}", f);
	cr_assert_eq(fclose(f), 0);
	audit_parse(&x, ev, "inline");
	eval1(rs, &x.ev, &m);
	cr_assert(matched(&m, "Role with wildcard created"));
	audit_done(&x);
	free(ev);
	rf_ruleset_free(rs);
}

Test(k8s_fields, configmaps_services_secrets_bindings)
{
	static const char cm[] = EV_HEAD
		"\"verb\":\"update\",\"requestURI\":\"/api/v1/namespaces/a/configmaps/c\","
		"\"objectRef\":{\"resource\":\"configmaps\",\"namespace\":\"a\",\"name\":\"c\"},"
		"\"requestObject\":{\"kind\":\"ConfigMap\",\"data\":{\"app.ini\":\"x=1\","
		"\"tls.key\":\"-----BEGIN EC PRIVATE KEY-----\\nMHc\\n\"},"
		"\"binaryData\":{\"blob\":\"AAAA\"}}}";
	static const char svc[] = EV_HEAD
		"\"verb\":\"create\",\"requestURI\":\"/api/v1/namespaces/a/services\","
		"\"objectRef\":{\"resource\":\"services\",\"namespace\":\"a\"},"
		"\"requestObject\":{\"kind\":\"Service\",\"spec\":{\"type\":\"NodePort\"}}}";
	static const char bind[] =
		EV_HEAD "\"verb\":\"create\",\"requestURI\":\"/apis/rbac.authorization.k8s.io/v1/"
			"clusterrolebindings\","
			"\"objectRef\":{\"resource\":\"clusterrolebindings\",\"name\":\"b\"},"
			"\"requestObject\":{\"roleRef\":{\"name\":\"cluster-admin\"},"
			"\"subjects\":[{\"kind\":\"User\",\"name\":\"bob\"},{\"kind\":\"Group\","
			"\"name\":\"ops\"}]}}";

	cr_assert(holds("ka.req.configmap.keys in (blob) and ka.req.configmap.keys in (tls.key)",
			cm));
	cr_assert(holds("ka.req.configmap.values contains \"PRIVATE KEY-----\"", cm));
	cr_assert(!holds("ka.req.configmap.values in (AAAA)", cm),
		  "binaryData values are not read");
	cr_assert(holds("ka.req.service.type = NodePort", svc));
	cr_assert(holds("ka.req.binding.role = cluster-admin and ka.req.binding.subjects in (ops)",
			bind));
	cr_assert(!holds("ka.req.pod.containers.image exists", bind));
}

/* Workload kinds: the pod template of each, the job template of a CronJob; a subresource
 * (other than ephemeralcontainers) carries no pod. */
Test(k8s_fields, pod_templates)
{
	static const char cron[] = EV_HEAD
		"\"verb\":\"create\",\"requestURI\":\"/apis/batch/v1/namespaces/a/cronjobs\","
		"\"objectRef\":{\"resource\":\"cronjobs\",\"namespace\":\"a\",\"apiGroup\":"
		"\"batch\"},"
		"\"requestObject\":{\"kind\":\"CronJob\",\"apiVersion\":\"batch/"
		"v1\",\"metadata\":{\"name\":\"j\"},"
		"\"spec\":{\"schedule\":\"* * * * "
		"*\",\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":"
		"{\"hostPID\":true,\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\","
		"\"image\":\"busybox\"}]}}}}}}}";
	static const char status[] =
		EV_HEAD "\"verb\":\"patch\",\"requestURI\":\"/api/v1/namespaces/a/pods/p/status\","
			"\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"a\",\"subresource\":"
			"\"status\"},"
			"\"requestObject\":{\"spec\":{\"hostPID\":true}}}";

	cr_assert(holds("ka.req.pod.host_pid = true and ka.target.apigroup = batch", cron));
	cr_assert(holds("ka.req.pss.baseline in (hostNamespaces)", cron));
	cr_assert(!holds("ka.req.pod.host_pid exists", status));
	cr_assert(!holds("ka.req.pss.baseline exists", status));
}

/* ---- evaluation allocates nothing (PSS rules off: they parse the object) ---- */
#if !defined(__SANITIZE_ADDRESS__)
#include "alloc-count.h"

Test(k8s_rules, evaluation_does_not_allocate)
{
	struct rf_ruleset *rs = k8s_rules(RF_PSS_PRIVILEGED, true);
	struct audit_ev x[2 * ELEMENTSOF(cases) + 1];
	struct rf_rules_eval *e = NULL;
	unsigned long total = 0;
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char path[256];

		if (strncmp(cases[i].file, "pss-", 4) == 0)
			continue;
		(void)snprintf(path, sizeof(path), "k8s-audit/rules/%s.positive.json",
			       cases[i].file);
		audit_load(&x[n++], path);
		(void)snprintf(path, sizeof(path), "k8s-audit/rules/%s.negative.json",
			       cases[i].file);
		audit_load(&x[n++], path);
	}
	audit_parse(&x[n++], pod_ev, "inline");
	cr_assert_eq(rf_rules_eval_new(rs, NULL, &e), 0);
	for (size_t i = 0; i < n; i++) /* warm-up: the context's list cursor is made once */
		(void)rf_rules_eval(e, &x[i].ev, NULL, NULL);
	counting = true;
	for (int round = 0; round < 200; round++)
		for (size_t i = 0; i < n; i++)
			total += (unsigned long)rf_rules_eval(e, &x[i].ev, NULL, NULL);
	counting = false;
	cr_assert(total >= 200 * 20, "the positives should match (%lu)", total);
	expect_u(allocations, 0);
	rf_rules_eval_free(e);
	for (size_t i = 0; i < n; i++)
		audit_done(&x[i]);
	rf_ruleset_free(rs);
}

/* The PSS fields parse the request object: a conjunction evaluates them after everything else,
 * so a pod the ReplicaSet controller copies from its template is never parsed (no allocation). */
Test(k8s_rules, slow_fields_are_evaluated_last)
{
	struct rf_ruleset *rs = k8s_rules(RF_PSS_RESTRICTED, false);
	struct rf_rules_eval *e = NULL;
	struct audit_ev x, y;
	unsigned long n;

	audit_parse(&x, pod_ev, "inline");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(x.json, "user"), "username",
				  cJSON_CreateString("system:serviceaccount:kube-system:"
						     "replicaset-controller"));
	cr_assert_eq(rf_k8s_audit_from_json(x.json, "inline", &x.a, &(const char *){ NULL }), 0);
	audit_parse(&y, pod_ev, "inline");
	cr_assert_eq(rf_rules_eval_new(rs, NULL, &e), 0);
	(void)rf_rules_eval(e, &x.ev, NULL, NULL); /* the context's state is made once */
	counting = true;
	n = (unsigned long)rf_rules_eval(e, &x.ev, NULL, NULL);
	counting = false;
	expect_u(n, 0);
	expect_u(allocations, 0);
	counting = true;
	n = (unsigned long)rf_rules_eval(e, &y.ev, NULL, NULL); /* a person's pod: checked */
	counting = false;
	cr_assert(n >= 3 && allocations > 0, "%lu matches, %lu allocations", n, allocations);
	rf_rules_eval_free(e);
	audit_done(&x);
	audit_done(&y);
	rf_ruleset_free(rs);
}
#endif

/* ---- the log reader ---- */

struct seen {
	char ids[16][64];
	char origins[16][512];
	size_t n;
};

static int remember(const struct rf_event *ev, void *userdata)
{
	struct seen *s = userdata;

	cr_assert_eq(ev->kind, RF_EV_K8S_AUDIT);
	if (s->n < 16) {
		(void)snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", ev->audit->audit_id);
		(void)snprintf(s->origins[s->n], sizeof(s->origins[0]), "%s", ev->audit->origin);
	}
	s->n++;
	return 0;
}

static char logged[4096];
static void log_capture(enum rf_log_level level, const char *msg, void *userdata)
{
	size_t n = strlen(logged);

	(void)snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && streq(s + a - b, tail);
}

Test(k8s_source, rotated_and_gzipped_logs_are_read_in_order)
{
	_cleanup_str_ char *old =
		fixture_path("k8s-audit/logs/audit-2026-12-05T06-59-59.999.log.gz");
	_cleanup_str_ char *cur = fixture_path("k8s-audit/logs/audit.log");
	char *paths[] = { old, cur, NULL };
	struct rf_k8s_audit_opts o = { .paths = paths, .stop_fd = -1 };
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_k8s_audit_result res = { 0 };
	struct seen s = { 0 };

	logged[0] = '\0';
	rf_log_set_handler(log_capture, NULL);
	cr_assert_eq(rf_k8s_audit_run(&o, remember, &s, &res, &err), 0, "%s", err.message);
	expect_u(res.events, 5);
	expect_u(res.bad, 1);
	expect_u(s.n, 5);
	expect_str(s.ids[0], "3f0b7c2e-5d6a-4e1b-9c8d-000000000001");
	cr_assert(ends_with(s.origins[0], "audit-2026-12-05T06-59-59.999.log.gz:1"), "%s",
		  s.origins[0]);
	cr_assert(ends_with(s.origins[2], ".log.gz:4"), "the bad line 3 counts: %s", s.origins[2]);
	cr_assert(ends_with(s.origins[3], "/audit.log:1"), "%s", s.origins[3]);
	cr_assert(ends_with(s.origins[4], "/audit.log:2"), "%s", s.origins[4]);
	cr_assert(strstr(logged, ".log.gz:3: not JSON, skipped"), "%s", logged);
	rf_log_set_handler(NULL, NULL);
}

/* Malformed JSON, objects that are not audit Events, an Event without a verb, a line over the
 * 16 MiB bound: each named with its file:line, counted, skipped; the events around them read. */
Test(k8s_source, bad_lines_are_named_counted_and_skipped)
{
	_cleanup_str_ char *good = read_fixture("k8s-audit/rules/exec-pod.positive.json", NULL);
	char path[] = "/tmp/rf-k8s-bad-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	cJSON *j = cJSON_Parse(good);
	_cleanup_str_ char *line = cJSON_PrintUnformatted(j);
	char *paths[] = { path, NULL };
	struct rf_k8s_audit_opts o = { .paths = paths, .stop_fd = -1 };
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_k8s_audit_result res = { 0 };
	struct seen s = { 0 };

	cr_assert(f && line);
	fprintf(f, "%s\n", line);					       /* 1 */
	fputs("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\n", f); /* 2 cut */
	fputs("[1,2,3]\n", f);						       /* 3 */
	fputs("{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}\n", f);		       /* 4 */
	fputs("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"requestURI\":\"/\"}\n",
	      f);      /* 5 */
	fputc('{', f); /* 6: 17 MiB */
	for (int i = 0; i < 17 * 1024; i++)
		fprintf(f, "%01023d,", 0);
	fputs("\n\n", f);	/* 7 empty */
	fprintf(f, "%s", line); /* 8, no newline */
	cr_assert_eq(fclose(f), 0);
	logged[0] = '\0';
	rf_log_set_handler(log_capture, NULL);
	cr_assert_eq(rf_k8s_audit_run(&o, remember, &s, &res, &err), 0, "%s", err.message);
	rf_log_set_handler(NULL, NULL);
	expect_u(res.events, 2);
	expect_u(res.bad, 5);
	cr_assert(ends_with(s.origins[1], ":8"), "%s", s.origins[1]);
	cr_assert(strstr(logged, ":2: not JSON, skipped"), "%s", logged);
	cr_assert(strstr(logged, ":3: not a JSON object, skipped"), "%s", logged);
	cr_assert(strstr(logged, ":4: not an audit.k8s.io Event"), "%s", logged);
	cr_assert(strstr(logged, ":5: an audit Event without verb or requestURI"), "%s", logged);
	cr_assert(strstr(logged, ":6: a line over 16777216 bytes, skipped"), "%s", logged);
	unlink(path);
	cJSON_Delete(j);
}

/* ---- the pipeline: rate limit per user, suppressions, refusals ---- */

struct findings {
	size_t findings, summaries;
	char last_ns[64], last_key[128], last_type[128];
};

static int count_finding(const struct rf_finding *f, void *userdata)
{
	struct findings *x = userdata;

	if (f->record == RF_RECORD_SUMMARY) {
		x->summaries++;
		return 0;
	}
	x->findings++;
	cr_assert_eq(f->n_procs, 0, "an audit finding has no process");
	(void)snprintf(x->last_ns, sizeof(x->last_ns), "%s", f->k8s_ns ?: "");
	(void)snprintf(x->last_key, sizeof(x->last_key), "%s", f->rate_key ?: "");
	(void)snprintf(x->last_type, sizeof(x->last_type), "%s", f->event_type ?: "");
	return 0;
}

/* 12 exec events by one user, 3 by another, in one minute. */
static char *exec_log(void)
{
	_cleanup_str_ char *text = read_fixture("k8s-audit/rules/exec-pod.positive.json", NULL);
	cJSON *j = cJSON_Parse(text);
	static char path[64];
	FILE *f;

	strcpy(path, "/tmp/rf-k8s-exec-XXXXXX");
	f = fdopen(mkstemp(path), "w");
	cr_assert(j && f);
	for (int i = 0; i < 15; i++) {
		char *line;

		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(j, "user"), "username",
					  cJSON_CreateString(i < 12 ? "alice" : "bob"));
		line = cJSON_PrintUnformatted(j);
		fprintf(f, "%s\n", line);
		free(line);
	}
	cJSON_Delete(j);
	cr_assert_eq(fclose(f), 0);
	return path;
}

Test(k8s_pipeline, rate_limit_per_user_and_suppressions)
{
	struct rf_ruleset *rs = k8s_rules(RF_PSS_BASELINE, false);
	char *path = exec_log();
	char *paths[] = { path, NULL };
	struct rf_k8s_audit_opts o = { .paths = paths, .stop_fd = -1 };
	struct rf_detect_opts d = { .instance_id = "t" };
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_k8s_audit_detect_result res = { 0 };
	struct findings x = { 0 };
	char supp[] = "/tmp/rf-k8s-supp-XXXXXX";
	int fd = mkstemp(supp);
	static const char supp_yaml[] =
		"suppressions:\n  - rule: \"Exec or attach into pod\"\n"
		"    k8s_namespace: shop\n    reason: the shop team debugs in place\n";
	char *supps[] = { supp, NULL };

	cr_assert_eq(rf_k8s_audit_detect(&o, rs, &d, NULL, count_finding, &x, &res, &err), 0, "%s",
		     err.message);
	expect_u(res.source.events, 15);
	expect_u(x.findings, 13); /* alice's first 10, bob's 3 */
	expect_u(x.summaries, 1); /* alice's 2 more */
	expect_u(res.detect.rate_limited, 2);
	expect_str(x.last_key, "bob");
	expect_str(x.last_ns, "shop");
	expect_str(x.last_type, "create");

	cr_assert(fd >= 0 && write(fd, supp_yaml, strlen(supp_yaml)) == (ssize_t)strlen(supp_yaml));
	close(fd);
	memset(&x, 0, sizeof(x));
	cr_assert_eq(rf_k8s_audit_detect(&o, rs, &d, supps, count_finding, &x, &res, &err), 0, "%s",
		     err.message);
	expect_u(x.findings, 0);
	expect_u(res.detect.suppressed, 15);
	unlink(supp);
	unlink(path);
	rf_ruleset_free(rs);
}

Test(k8s_pipeline, rules_that_need_other_events_are_refused)
{
	struct rf_ruleset *rs = rules_ok("- rule: R\n  desc: d\n  priority: info\n  output: o\n"
					 "  condition: evt.type = execve and proc.name = sh\n");
	_cleanup_str_ char *log = fixture_path("k8s-audit/logs/audit.log");
	char *paths[] = { log, NULL };
	struct rf_k8s_audit_opts o = { .paths = paths, .stop_fd = -1 };
	_cleanup_error_ struct rf_error err = { 0 };
	struct findings x = { 0 };

	cr_assert(rf_k8s_audit_detect(&o, rs, NULL, NULL, count_finding, &x, NULL, &err) < 0);
	expect_contains(err.message,
			"needs exec events, which the k8s-audit source does not produce");
	rf_ruleset_free(rs);
}

/* Falco's k8s audit rule style loads: source k8s_audit, bool lists with intersects. */
Test(k8s_pipeline, falco_style_rule)
{
	struct rf_ruleset *rs =
		rules_ok("- macro: kevt\n  condition: (ka.stage in (ResponseComplete))\n"
			 "- rule: Create Privileged Pod\n  desc: d\n  source: k8s_audit\n  "
			 "priority: WARNING\n"
			 "  output: Pod started with privileged container (user=%ka.user.name "
			 "pod=%ka.target.name images=%ka.req.pod.containers.image)\n"
			 "  condition: kevt and ka.verb = create and ka.target.resource = pods and "
			 "ka.req.pod.containers.privileged intersects (true)\n");
	struct audit_ev x;
	struct match_log m = { 0 };

	audit_parse(&x, pod_ev, "inline");
	expect_i(eval1(rs, &x.ev, &m), 1);
	expect_str(m.output, "Pod started with privileged container (user=u pod=p "
			     "images=registry:5000/team/init:1.2@sha256:ab,nginx,ghcr.io/x/y:2)");
	audit_done(&x);
	rf_ruleset_free(rs);
}
