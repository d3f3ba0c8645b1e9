/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* k8s-audit-rate: audit events per second from a log file through the k8s-audit pipeline
 * (rf_k8s_audit_detect: read, parse with cJSON, evaluate, findings to a counter), measured in
 * one run:
 *   read only       the source with a consumer that does nothing (reading and parsing)
 *   no rules        the pipeline with an empty ruleset (the engine's own per-event cost)
 *   default rules   data/rules/k8s-audit.yaml, baseline Pod Security Standards
 *   ... PSS off     the same with --pss-level none (what the PSS checks of written
 *                   workloads cost: a JSON print and a libfyaml parse per check)
 * over a generated log shaped like a busy cluster's (Metadata level for reads, Request or
 * RequestResponse for writes, ~1.2 KB per event): node lease renewals, controllers' and
 * kubelets' gets, lists and watches, Events, pod status patches, pods written by the
 * ReplicaSet controller, people's kubectl requests, Deployment updates (checked against the
 * PSS), ConfigMaps, and 1% exec into pods (findings).
 * Rates are events per CPU-second of the process (CLOCK_PROCESS_CPUTIME_ID: the pipeline reading
 * a log is one thread), so a machine shared with other jobs slows the wall clock, not the
 * figure; the wall-clock rate is printed next to it.
 *   usage: k8s-audit-rate [EVENTS [LOG]]   (default 200000, a file under /tmp) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "ringfence/k8saudit.h"

static const char head[] =
	"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"%s\","
	"\"auditID\":\"6a5c3e4f-1d2b-4c8a-9e7f-%012lu\",\"stage\":\"%s\",\"requestURI\":\"%s\","
	"\"verb\":\"%s\",\"user\":{\"username\":\"%s\",\"uid\":\"2f9e0c3a-7b1d-4e5f-8a6b-"
	"0c1d2e3f4a5b\",\"groups\":[%s\"system:authenticated\"]},\"sourceIPs\":[\"%s\"],"
	"\"userAgent\":\"%s\",\"objectRef\":{\"resource\":\"%s\",\"namespace\":\"%s\","
	"\"name\":\"%s\",%s\"apiVersion\":\"%s\"},\"responseStatus\":{\"metadata\":{},"
	"\"code\":%d},%s\"requestReceivedTimestamp\":\"2026-12-05T07:%02lu:%02lu.%06luZ\","
	"\"stageTimestamp\":\"2026-12-05T07:%02lu:%02lu.%06luZ\",\"annotations\":{"
	"\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":"
	"\"RBAC: allowed by ClusterRoleBinding \\\"system:node\\\" of ClusterRole "
	"\\\"system:node\\\" to Group \\\"system:nodes\\\"\"}}\n";

#define POD_SPEC                                                                                   \
	"\"spec\":{\"serviceAccountName\":\"web\",\"securityContext\":{\"runAsNonRoot\":true,"     \
	"\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},\"containers\":[{\"name\":\"web\","     \
	"\"image\":\"registry.example/shop/web:1.4.2\",\"ports\":[{\"containerPort\":8080}],"      \
	"\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"}},"                    \
	"\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":"      \
	"[\"ALL\"]}},\"volumeMounts\":[{\"name\":\"config\",\"mountPath\":\"/etc/web\"}]}],"       \
	"\"volumes\":[{\"name\":\"config\",\"configMap\":{\"name\":\"web-config\"}}]}"

static void event(FILE *f, unsigned long i)
{
	static const char *const nodes[] = { "system:node:worker-1", "system:node:worker-2",
					     "system:node:worker-3", "system:node:worker-4" };
	static const char *const ctrls[] = {
		"system:serviceaccount:kube-system:endpointslice-controller",
		"system:serviceaccount:kube-system:replicaset-controller",
		"system:kube-scheduler",
		"system:serviceaccount:kube-system:generic-garbage-collector",
		"system:serviceaccount:monitoring:prometheus",
	};
	const char *node = nodes[i % 4], *ctrl = ctrls[i % 5];
	unsigned long s = i / 50, us = (i * 37) % 1000000;
	char uri[256], name[64], req[2048] = "";
	const char *level = "Metadata", *stage = "ResponseComplete", *verb = "get", *user = ctrl;
	const char *groups = "", *ip = "10.0.0.11",
		   *ua = "kube-controller-manager/v1.30.2 "
			 "(linux/amd64) kubernetes/3968350/system:serviceaccount";
	const char *res = "pods", *ns = "shop", *group = "", *apiver = "v1";
	int code = 200;

	(void)snprintf(name, sizeof(name), "web-7d9f8c6b5-%05lu", i % 4096);
	(void)snprintf(uri, sizeof(uri), "/api/v1/namespaces/shop/pods/%s", name);
	switch (i % 100) {
	case 0 ... 39: /* node lease renewals */
		level = "Metadata", verb = "update", user = node, groups = "\"system:nodes\",";
		ua = "kubelet/v1.30.2 (linux/amd64) kubernetes/3968350", ip = "10.0.0.21";
		res = "leases", ns = "kube-node-lease",
		group = "\"apiGroup\":\"coordination.k8s.io\",";
		apiver = "v1", name[0] = '\0';
		(void)snprintf(name, sizeof(name), "worker-%lu", 1 + i % 4);
		(void)snprintf(uri, sizeof(uri),
			       "/apis/coordination.k8s.io/v1/namespaces/"
			       "kube-node-lease/leases/%s?timeout=10s",
			       name);
		break;
	case 40 ... 59: /* controllers' gets, lists and watches */
		verb = i % 3 ? "get" : "list";
		res = i % 2 ? "endpoints" : "pods";
		(void)snprintf(uri, sizeof(uri), "/api/v1/namespaces/shop/%s%s%s", res,
			       i % 3 ? "/" : "?resourceVersion=1234567&limit=500",
			       i % 3 ? name : "");
		break;
	case 60 ... 69: /* kubelets watch their pods' configmaps and secrets */
		verb = "watch", user = node, groups = "\"system:nodes\",", ip = "10.0.0.22";
		ua = "kubelet/v1.30.2 (linux/amd64) kubernetes/3968350";
		res = i % 2 ? "secrets" : "configmaps", name[0] = '\0';
		(void)snprintf(uri, sizeof(uri),
			       "/api/v1/namespaces/shop/%s?allowWatchBookmarks=true"
			       "&fieldSelector=metadata.name%%3Dweb-config&resourceVersion=99&"
			       "timeout=7m&watch=true",
			       res);
		break;
	case 70 ... 77: /* Events */
		level = "Request", verb = "create", user = node, groups = "\"system:nodes\",";
		ua = "kubelet/v1.30.2 (linux/amd64) kubernetes/3968350", res = "events", code = 201;
		(void)snprintf(uri, sizeof(uri), "/api/v1/namespaces/shop/events");
		(void)snprintf(
			req, sizeof(req),
			"\"requestObject\":{\"kind\":\"Event\",\"apiVersion\""
			":\"v1\",\"metadata\":{\"name\":\"%s.17f\"},\"involvedObject\":{\"kind\":"
			"\"Pod\",\"name\":\"%s\"},\"reason\":\"Pulled\",\"message\":\"Container "
			"image already present on machine\",\"type\":\"Normal\"},",
			name, name);
		break;
	case 78 ... 82: /* pod status patches */
		level = "Request", verb = "patch", user = node, groups = "\"system:nodes\",";
		ua = "kubelet/v1.30.2 (linux/amd64) kubernetes/3968350";
		(void)snprintf(uri, sizeof(uri), "/api/v1/namespaces/shop/pods/%s/status", name);
		(void)snprintf(req, sizeof(req),
			       "\"requestObject\":{\"status\":{\"conditions\":[{"
			       "\"type\":\"Ready\",\"status\":\"True\"}]}},");
		break;
	case 83 ... 87: /* pods the ReplicaSet controller writes */
		level = "RequestResponse", verb = "create", code = 201;
		user = "system:serviceaccount:kube-system:replicaset-controller";
		(void)snprintf(uri, sizeof(uri), "/api/v1/namespaces/shop/pods");
		(void)snprintf(
			req, sizeof(req),
			"\"requestObject\":{\"kind\":\"Pod\",\"apiVersion\":"
			"\"v1\",\"metadata\":{\"name\":\"%s\",\"namespace\":\"shop\"}," POD_SPEC
			"},",
			name);
		break;
	case 88 ... 92: /* people: kubectl get/list */
		user = "alice@example.com", groups = "\"platform-admins\",", ip = "192.0.2.10";
		ua = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350";
		verb = i % 2 ? "get" : "list";
		break;
	case 93 ... 94: /* Deployment updates: PSS-checked */
		level = "RequestResponse", verb = "update", user = "alice@example.com";
		groups = "\"platform-admins\",", ip = "192.0.2.10", res = "deployments";
		group = "\"apiGroup\":\"apps\",", apiver = "v1";
		ua = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350";
		(void)snprintf(name, sizeof(name), "web");
		(void)snprintf(uri, sizeof(uri), "/apis/apps/v1/namespaces/shop/deployments/web");
		(void)snprintf(
			req, sizeof(req),
			"\"requestObject\":{\"kind\":\"Deployment\","
			"\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"web\",\"namespace\":"
			"\"shop\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":"
			"\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}}"
			"," POD_SPEC "}}},");
		break;
	case 95 ... 98: /* ConfigMaps */
		level = "RequestResponse", verb = "update",
		user = "system:serviceaccount:shop:deployer";
		res = "configmaps", ua = "argocd-application-controller/v0.0.0 (linux/amd64)";
		(void)snprintf(name, sizeof(name), "web-config");
		(void)snprintf(uri, sizeof(uri), "/api/v1/namespaces/shop/configmaps/web-config");
		(void)snprintf(
			req, sizeof(req),
			"\"requestObject\":{\"kind\":\"ConfigMap\","
			"\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web-config\"},\"data\":{"
			"\"nginx.conf\":\"worker_processes 2;\\nevents {}\\n\",\"log_level\":"
			"\"info\",\"feature_flags.json\":\"{\\\"checkout_v2\\\":true}\"}},");
		break;
	default: /* exec into a pod: a finding */
		stage = "ResponseStarted", verb = "create", user = "bob@example.com";
		groups = "\"developers\",", ip = "192.0.2.11", code = 101;
		ua = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350";
		(void)snprintf(uri, sizeof(uri),
			       "/api/v1/namespaces/shop/pods/%s/exec?command=sh&"
			       "container=web&stdin=true&stdout=true&tty=true",
			       name);
		group = "\"subresource\":\"exec\",";
		break;
	}
	fprintf(f, head, level, i, stage, uri, verb, user, groups, ip, ua, res, ns, name, group,
		apiver, code, req, (s / 60) % 60, s % 60, us, (s / 60) % 60, s % 60,
		(us + 5000) % 1000000);
}

struct counter {
	unsigned long findings;
};

static int count(const struct rf_finding *f, void *userdata)
{
	((struct counter *)userdata)->findings++;
	return 0;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int nothing(const struct rf_event *ev, void *userdata)
{
	return 0;
}

/* Events per CPU-second of one pass (*ret_wall: per second); -1 on failure. */
static double pass(int variant, char *path, unsigned long *findings, unsigned long *events,
		   size_t *rules, double *ret_wall)
{
	char *paths[] = { path, NULL };
	struct rf_k8s_audit_opts src = { .paths = paths, .stop_fd = -1 };
	struct rf_k8s_audit_rules_opts ro = { .pss_level_set = variant == 3,
					      .pss_level = RF_PSS_PRIVILEGED };
	struct rf_k8s_audit_detect_result res = { 0 };
	struct rf_k8s_audit_result sres = { 0 };
	struct rf_ruleset *rs = NULL;
	struct rf_error err = { 0 };
	struct counter c = { 0 };
	uint64_t t0, c0;
	int r;

	if (variant == 0) {
		t0 = rf_now_ns();
		c0 = cpu_ns();
		r = rf_k8s_audit_run(&src, nothing, NULL, &sres, &err);
		res.source = sres;
	} else {
		if (rf_ruleset_new(&rs) < 0 ||
		    (variant == 1 ? rf_ruleset_compile(rs, &err)
				  : rf_k8s_audit_rules(rs, &ro, &err)) < 0) {
			fprintf(stderr, "k8s-audit-rate: %s\n", err.message ?: "rules");
			return -1;
		}
		*rules = rf_ruleset_enabled_count(rs);
		t0 = rf_now_ns();
		c0 = cpu_ns();
		r = rf_k8s_audit_detect(&src, rs, NULL, NULL, count, &c, &res, &err);
	}
	if (r < 0) {
		fprintf(stderr, "k8s-audit-rate: %s\n", err.message ?: "run failed");
		return -1;
	}
	*ret_wall = (double)res.source.events / ((double)(rf_now_ns() - t0) / 1e9);
	*events = res.source.events;
	*findings = c.findings;
	rf_ruleset_free(rs);
	rf_error_clear(&err);
	return (double)res.source.events / ((double)(cpu_ns() - c0) / 1e9);
}

int main(int argc, char **argv)
{
	unsigned long total = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	char tmpl[] = "/tmp/k8s-audit-rate-XXXXXX";
	char *path = argc > 2 ? argv[2] : tmpl;
	static const char *const names[] = { "read only (parse)", "no rules", "default rules",
					     "default rules, PSS off" };
	double rate[4] = { 0 }, wall[4] = { 0 };
	unsigned long findings = 0, events = 0;
	size_t rules = 0;
	long bytes;
	FILE *f;

	if (path == tmpl) {
		int fd = mkstemp(tmpl);

		f = fd >= 0 ? fdopen(fd, "w") : NULL;
	} else {
		f = fopen(path, "w");
	}
	if (!f) {
		perror("k8s-audit-rate: log");
		return 1;
	}
	for (unsigned long i = 0; i < total; i++)
		event(f, i);
	bytes = ftell(f);
	if (fclose(f) != 0) {
		perror("k8s-audit-rate: log");
		return 1;
	}
	printf("  log: %lu events, %.0f bytes per event\n", total, (double)bytes / (double)total);
	for (int variant = 0; variant < 4; variant++) {
		double w;

		(void)pass(variant, path, &findings, &events, &rules, &w); /* warm-up: page cache */
		for (int best = 0; best < 3; best++) {
			double r = pass(variant, path, &findings, &events, &rules, &w);

			if (r < 0)
				return 1;
			if (r > rate[variant])
				rate[variant] = r;
			if (w > wall[variant])
				wall[variant] = w;
		}
		printf("  %-22s %6.0f k events/CPU-s  %6.0f k events/s wall", names[variant],
		       rate[variant] / 1e3, wall[variant] / 1e3);
		if (variant >= 2)
			printf("  (%zu rules, %lu findings)", rules, findings);
		printf("\n");
	}
	printf("  default rules cost x%.2f of no rules, x%.2f of reading alone; %lu events read\n",
	       rate[1] / rate[2], rate[0] / rate[2], events);
	if (path == tmpl)
		unlink(path);
	return events == total ? 0 : 1;
}
