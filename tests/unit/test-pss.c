/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pod Security Standards checks, both sides of every version boundary, as a data table: a pod
 * (YAML), a level and a policy version, and the check that must fail (or none). Plus the
 * manifest reader: every workload kind, Lists, multi-document files, namespace labels, and
 * documents that must be errors, never crashes. */
#include <criterion/criterion.h>
#include <string.h>

#include "ringfence/k8s.h"

/* A restricted-clean pod; %s is spliced into spec (2-space indented lines). */
#define POD_HEAD "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
#define CLEAN_SPEC                                                                                 \
	"spec:\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile:\n      type: "     \
	"RuntimeDefault\n"                                                                         \
	"  containers:\n  - name: c\n    image: x\n    securityContext:\n"                         \
	"      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n"

struct row {
	const char *name;
	const char *yaml; /* whole document */
	const char *level;
	unsigned minor;
	const char *fails; /* check id, or NULL for pass */
};

#define CTR_EXTRA(x)  POD_HEAD CLEAN_SPEC x
#define SPEC_EXTRA(x) POD_HEAD CLEAN_SPEC x
#define SYSCTL(n)                                                                                  \
	POD_HEAD "spec:\n  securityContext:\n    sysctls:\n    - {name: " n ", value: '1'}\n"      \
		 "  containers:\n  - name: c\n"

static const struct row rows[] = {
	{ "clean restricted", POD_HEAD CLEAN_SPEC, "restricted", 37, NULL },
	{ "hostNetwork", SPEC_EXTRA("  hostNetwork: true\n"), "baseline", 0, "hostNamespaces" },
	{ "privileged", CTR_EXTRA("      privileged: true\n"), "baseline", 37, "privileged" },
	{ "NET_RAW add", CTR_EXTRA("        add: [NET_RAW]\n"), "baseline", 10,
	  "capabilities_baseline" },
	{ "CHOWN add baseline ok", CTR_EXTRA("        add: [CHOWN]\n"), "baseline", 10, NULL },
	{ "CHOWN add restricted 1.21 ok", CTR_EXTRA("        add: [CHOWN]\n"), "restricted", 21,
	  NULL },
	{ "CHOWN add restricted 1.22", CTR_EXTRA("        add: [CHOWN]\n"), "restricted", 22,
	  "capabilities_restricted" },
	{ "NET_BIND_SERVICE ok", CTR_EXTRA("        add: [NET_BIND_SERVICE]\n"), "restricted", 37,
	  NULL },
	{ "selinux container_engine_t 1.30",
	  CTR_EXTRA("      seLinuxOptions:\n        type: container_engine_t\n"), "baseline", 30,
	  "seLinuxOptions" },
	{ "selinux container_engine_t 1.31",
	  CTR_EXTRA("      seLinuxOptions:\n        type: container_engine_t\n"), "baseline", 31,
	  NULL },
	{ "sysctl reserved ports 1.26", SYSCTL("net.ipv4.ip_local_reserved_ports"), "baseline", 26,
	  "sysctls" },
	{ "sysctl reserved ports 1.27", SYSCTL("net.ipv4.ip_local_reserved_ports"), "baseline", 27,
	  NULL },
	{ "sysctl keepalive 1.28", SYSCTL("net.ipv4.tcp_keepalive_time"), "baseline", 28,
	  "sysctls" },
	{ "sysctl keepalive 1.29", SYSCTL("net.ipv4.tcp_keepalive_time"), "baseline", 29, NULL },
	{ "sysctl rmem 1.31", SYSCTL("net.ipv4.tcp_rmem"), "baseline", 31, "sysctls" },
	{ "sysctl rmem 1.32", SYSCTL("net.ipv4.tcp_rmem"), "baseline", 32, NULL },
	{ "sysctl lowat 1.36", SYSCTL("net.ipv4.tcp_notsent_lowat"), "baseline", 36, "sysctls" },
	{ "sysctl lowat 1.37", SYSCTL("net.ipv4.tcp_notsent_lowat"), "baseline", 37, NULL },
	{ "probe host 1.33",
	  CTR_EXTRA(
		  "    livenessProbe:\n      httpGet:\n        host: 10.0.0.1\n        port: 80\n"),
	  "baseline", 33, NULL },
	{ "probe host 1.34",
	  CTR_EXTRA(
		  "    livenessProbe:\n      httpGet:\n        host: 10.0.0.1\n        port: 80\n"),
	  "baseline", 34, "hostProbesAndHostLifecycle" },
	{ "lifecycle tcp host 1.34",
	  CTR_EXTRA("    lifecycle:\n      preStop:\n        tcpSocket:\n          host: h\n       "
		    "   port: 1\n"),
	  "baseline", 34, "hostProbesAndHostLifecycle" },
	{ "procMount userns 1.34", SPEC_EXTRA("  hostUsers: false\n") "", "baseline", 34, NULL },
	{ "allowPrivilegeEscalation 1.7",
	  POD_HEAD
	  "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: c\n",
	  "restricted", 7, NULL },
	{ "allowPrivilegeEscalation 1.8",
	  POD_HEAD
	  "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: c\n",
	  "restricted", 8, "allowPrivilegeEscalation" },
	{ "seccomp annotation 1.18",
	  POD_HEAD "  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n"
		   "spec:\n  containers:\n  - name: c\n",
	  "baseline", 18, "seccompProfile_baseline" },
	{ "seccomp annotation 1.19",
	  POD_HEAD "  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n"
		   "spec:\n  containers:\n  - name: c\n",
	  "baseline", 19, NULL },
	{ "seccomp field missing restricted 1.18",
	  POD_HEAD "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: c\n"
		   "    securityContext:\n      allowPrivilegeEscalation: false\n",
	  "restricted", 18, NULL },
	{ "seccomp field missing restricted 1.19",
	  POD_HEAD "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: c\n"
		   "    securityContext:\n      allowPrivilegeEscalation: false\n",
	  "restricted", 19, "seccompProfile_restricted" },
	{ "windows 1.24 still checked",
	  POD_HEAD "spec:\n  os: {name: windows}\n  securityContext:\n    runAsNonRoot: true\n  "
		   "containers:\n  - name: c\n",
	  "restricted", 24, "allowPrivilegeEscalation" },
	{ "windows 1.25 exempt",
	  POD_HEAD "spec:\n  os: {name: windows}\n  securityContext:\n    runAsNonRoot: true\n  "
		   "containers:\n  - name: c\n",
	  "restricted", 25, NULL },
	{ "runAsUser 0 1.22", SPEC_EXTRA("      runAsUser: 0\n") "", "restricted", 22, NULL },
	{ "runAsUser 0 1.23", CTR_EXTRA("      runAsUser: 0\n"), "restricted", 23, "runAsUser" },
	{ "runAsUser 0 userns 1.34", POD_HEAD CLEAN_SPEC "      runAsUser: 0\n  hostUsers: false\n",
	  "restricted", 34, "runAsUser" },
	{ "runAsUser 0 userns 1.35", POD_HEAD CLEAN_SPEC "      runAsUser: 0\n  hostUsers: false\n",
	  "restricted", 35, NULL },
	{ "runAsNonRoot missing userns 1.35",
	  POD_HEAD "spec:\n  hostUsers: false\n  securityContext:\n    seccompProfile: {type: "
		   "RuntimeDefault}\n"
		   "  containers:\n  - name: c\n    securityContext: {allowPrivilegeEscalation: "
		   "false, capabilities: {drop: [ALL]}}\n",
	  "restricted", 35, NULL },
	{ "runAsNonRoot missing userns 1.34",
	  POD_HEAD "spec:\n  hostUsers: false\n  securityContext:\n    seccompProfile: {type: "
		   "RuntimeDefault}\n"
		   "  containers:\n  - name: c\n    securityContext: {allowPrivilegeEscalation: "
		   "false, capabilities: {drop: [ALL]}}\n",
	  "restricted", 34, "runAsNonRoot" },
	{ "procMount Unmasked userns baseline 1.34",
	  POD_HEAD CLEAN_SPEC "      procMount: Unmasked\n  hostUsers: false\n", "baseline", 34,
	  "procMount" },
	{ "procMount Unmasked userns baseline 1.35",
	  POD_HEAD CLEAN_SPEC "      procMount: Unmasked\n  hostUsers: false\n", "baseline", 35,
	  NULL },
	{ "procMount Unmasked userns restricted 1.35",
	  POD_HEAD CLEAN_SPEC "      procMount: Unmasked\n  hostUsers: false\n", "restricted", 35,
	  "procMount_restricted" },
	{ "image volume restricted 1.0",
	  POD_HEAD CLEAN_SPEC "  volumes:\n  - name: v\n    image: {reference: x}\n", "restricted",
	  0, NULL },
	{ "volume without source is emptyDir", POD_HEAD CLEAN_SPEC "  volumes:\n  - name: v\n",
	  "restricted", 37, NULL },
	{ "hostPath restricted",
	  POD_HEAD CLEAN_SPEC "  volumes:\n  - name: v\n    hostPath: {path: /}\n", "restricted",
	  37, "restrictedVolumes" },
	{ "nfs baseline ok",
	  POD_HEAD CLEAN_SPEC "  volumes:\n  - name: v\n    nfs: {server: s, path: /}\n",
	  "baseline", 37, NULL },
	{ "appArmorProfile field", CTR_EXTRA("      appArmorProfile:\n        type: Unconfined\n"),
	  "baseline", 5, "appArmorProfile" },
	{ "appArmorProfile Localhost",
	  CTR_EXTRA(
		  "      appArmorProfile:\n        type: Localhost\n        localhostProfile: x\n"),
	  "baseline", 37, NULL },
	{ "apparmor annotation",
	  POD_HEAD "  annotations:\n    container.apparmor.security.beta.kubernetes.io/c: "
		   "unconfined\n" CLEAN_SPEC,
	  "baseline", 37, "appArmorProfile" },
	{ "ephemeral container checked",
	  POD_HEAD CLEAN_SPEC
	  "  ephemeralContainers:\n  - name: debug\n    securityContext:\n      privileged: true\n",
	  "baseline", 37, "privileged" },
	{ "hostPort", CTR_EXTRA("    ports:\n    - containerPort: 80\n      hostPort: 8080\n"),
	  "baseline", 37, "hostPorts" },
	{ "hostProcess", CTR_EXTRA("      windowsOptions:\n        hostProcess: true\n"),
	  "baseline", 37, "windowsHostProcess" },
};

static const struct rf_audit_workload *eval(struct rf_audit **a, const char *yaml,
					    const char *level, unsigned minor)
{
	struct rf_audit_opts o = { .level_set = true,
				   .version_set = true,
				   .version = { .minor = minor } };
	struct rf_error e = { 0 };

	cr_assert_eq(rf_pss_level_from_string(level, &o.level), 0);
	cr_assert_eq(rf_audit_new(a), 0);
	cr_assert_eq(rf_audit_add_text(*a, "t.yaml", yaml, strlen(yaml), &e), 0);
	cr_assert_eq(rf_audit_run(*a, &o), 0);
	return rf_audit_workload(*a, 0);
}

Test(pss, version_table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rf_audit *a = NULL;
		const struct rf_audit_workload *w =
			eval(&a, rows[i].yaml, rows[i].level, rows[i].minor);
		bool found = false;

		cr_assert(w, "%s: no workload (errors: %s)", rows[i].name,
			  rf_audit_n_errors(a) ? rf_audit_error(a, 0) : "none");
		cr_assert_null(w->error, "%s: %s", rows[i].name, w->error);
		for (size_t v = 0; v < w->n_violations; v++)
			found |= rows[i].fails && !strcmp(w->violations[v].check, rows[i].fails);
		if (rows[i].fails)
			cr_expect(found, "%s: expected %s to fail (%zu violations, first %s)",
				  rows[i].name, rows[i].fails, w->n_violations,
				  w->n_violations ? w->violations[0].check : "-");
		else
			cr_expect_eq(w->n_violations, 0, "%s: expected pass, got %s: %s",
				     rows[i].name, w->n_violations ? w->violations[0].check : "",
				     w->n_violations ? w->violations[0].detail : "");
		rf_audit_free(a);
	}
}

Test(pss, reason_strings_match_reference)
{
	struct rf_audit *a = NULL;
	const struct rf_audit_workload *w = eval(
		&a, POD_HEAD "spec:\n  containers:\n  - name: a\n  - name: b\n", "restricted", 37);

	cr_assert_eq(w->n_violations, 4);
	cr_expect_str_eq(w->violations[0].reason, "allowPrivilegeEscalation != false");
	cr_expect_str_eq(
		w->violations[0].detail,
		"containers \"a\", \"b\" must set securityContext.allowPrivilegeEscalation=false");
	cr_expect_str_eq(
		w->violations[1].detail,
		"pod or containers \"a\", \"b\" must set securityContext.runAsNonRoot=true");
	cr_expect_str_eq(w->violations[3].reason, "unrestricted capabilities");
	rf_audit_free(a);
}

Test(pss, versions)
{
	struct rf_pss_version v;

	cr_assert_eq(rf_pss_version_parse("v1.99", &v), 0);
	cr_expect_eq(v.minor, RF_PSS_NEWEST_MINOR, "newer versions are clamped");
	cr_assert_eq(rf_pss_version_parse("latest", &v), 0);
	cr_expect(v.latest);
	cr_expect_lt(rf_pss_version_parse("1.20", &v), 0);
	cr_expect_lt(rf_pss_version_parse("v1.", &v), 0);
	cr_expect_lt(rf_pss_version_parse("v1.2x", &v), 0);
}

static const char *const kinds[] = {
	"apiVersion: v1\nkind: ReplicationController\nmetadata: {name: x}\nspec:\n  template:\n    "
	"spec:\n      hostPID: true\n      containers: [{name: c}]\n",
	"apiVersion: v1\nkind: PodTemplate\nmetadata: {name: x}\ntemplate:\n  spec:\n    hostPID: "
	"true\n    containers: [{name: c}]\n",
	"apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: x}\nspec:\n  template:\n    "
	"spec:\n      hostPID: true\n      containers: [{name: c}]\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    "
	"spec:\n      hostPID: true\n      containers: [{name: c}]\n",
	"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec:\n  template:\n    "
	"spec:\n      hostPID: true\n      containers: [{name: c}]\n",
	"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec:\n  template:\n    "
	"spec:\n      hostPID: true\n      containers: [{name: c}]\n",
	"apiVersion: batch/v1\nkind: Job\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n     "
	" hostPID: true\n      containers: [{name: c}]\n",
	"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\nspec:\n  jobTemplate:\n    "
	"spec:\n      template:\n        spec:\n          hostPID: true\n          containers: "
	"[{name: c}]\n",
};

Test(manifest, every_workload_kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct rf_audit *a = NULL;
		const struct rf_audit_workload *w = eval(&a, kinds[i], "baseline", 37);

		cr_assert(w && !w->error, "%s", kinds[i]);
		cr_expect_eq(w->n_violations, 1, "%s", w->kind);
		cr_expect_str_eq(w->violations[0].check, "hostNamespaces");
		cr_expect(strstr(w->violations[0].sites[0].path, "hostPID") != NULL);
		rf_audit_free(a);
	}
}

Test(manifest, lists_multidoc_namespace_labels)
{
	static const char y[] =
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n"
		"    pod-security.kubernetes.io/enforce: baseline\n"
		"    pod-security.kubernetes.io/warn: restricted\n"
		"    pod-security.kubernetes.io/warn-version: v1.20\n"
		"---\n"
		"apiVersion: v1\nkind: List\nitems:\n"
		"- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}}\n"
		"- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: prod}\n"
		"  spec:\n    containers: [{name: c}]\n"
		"---\n"
		"apiVersion: v1\nkind: Service\nmetadata: {name: s}\n";
	struct rf_audit_opts o = { 0 };
	struct rf_audit *a = NULL;
	const struct rf_audit_workload *w;

	cr_assert_eq(rf_audit_new(&a), 0);
	cr_assert_eq(rf_audit_add_text(a, "t.yaml", y, strlen(y), NULL), 0);
	cr_assert_eq(rf_audit_run(a, &o), 0);
	cr_assert_eq(rf_audit_n_workloads(a), 1);
	cr_expect_eq(rf_audit_n_skipped(a), 2);
	w = rf_audit_workload(a, 0);
	cr_expect_eq(w->level, RF_PSS_RESTRICTED, "the most restrictive label wins");
	cr_expect_eq(w->version.minor, 20);
	cr_expect(strstr(w->policy_source, "warn") != NULL, "%s", w->policy_source);
	cr_expect_eq(w->line, 14);
	cr_expect_eq(w->column, 3);
	rf_audit_free(a);
}

/* Pod Security Admission evaluates these kinds in the core, apps and batch groups only: an
 * OpenKruise DaemonSet (apps.kruise.io) or a Volcano Job is another resource, and a Namespace of
 * another group chooses no policy. They are skipped, not checked as workloads. */
Test(manifest, kinds_of_other_api_groups_are_skipped)
{
	static const char y[] =
		"apiVersion: apps.kruise.io/v1alpha1\nkind: DaemonSet\nmetadata: {name: k}\n"
		"spec:\n  template:\n    spec:\n      hostPID: true\n      containers: [{name: "
		"c}]\n"
		"---\n"
		"apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {name: v}\n"
		"spec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: "
		"c}]\n"
		"---\n"
		"apiVersion: example.com/v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n"
		"    pod-security.kubernetes.io/enforce: privileged\n"
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: prod}\n"
		"spec:\n  hostPID: true\n  containers: [{name: c}]\n";
	struct rf_audit_opts o = { 0 };
	struct rf_audit *a = NULL;
	const struct rf_audit_workload *w;

	cr_assert_eq(rf_audit_new(&a), 0);
	cr_assert_eq(rf_audit_add_text(a, "t.yaml", y, strlen(y), NULL), 0);
	cr_assert_eq(rf_audit_run(a, &o), 0);
	cr_assert_eq(rf_audit_n_workloads(a), 1);
	cr_expect_eq(rf_audit_n_skipped(a), 3);
	w = rf_audit_workload(a, 0);
	cr_expect_str_eq(w->kind, "Pod");
	cr_expect_eq(w->level, RF_PSS_RESTRICTED, "a Namespace of another group sets no policy");
	rf_audit_free(a);
}

Test(manifest, bad_documents_are_errors)
{
	static const char *const bad[] = {
		"a: [\nb: 1\n",
		"apiVersion: v1\nkind: Pod\nspec:\n  hostPID: yes please\n  containers: []\n",
		"apiVersion: v1\nkind: Pod\nspec:\n  containers: {a: 1}\n",
		"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    "
		"securityContext:\n      runAsUser: \"0\"\n",
		"- 1\n- 2\n",
		"apiVersion: v1\nkind: Pod\nspec: &s\n  containers:\n  - <<: *x\n",
		"a: &a [*a, *a]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nkind: Pod\nspec: "
		"{containers: [*c]}\n",
		"\xff\xfe\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rf_audit_opts o = { 0 };
		struct rf_audit *a = NULL;
		bool err;

		cr_assert_eq(rf_audit_new(&a), 0);
		cr_assert_eq(rf_audit_add_text(a, "bad.yaml", bad[i], strlen(bad[i]), NULL), 0);
		cr_assert_eq(rf_audit_run(a, &o), 0);
		err = rf_audit_n_errors(a) > 0;
		for (size_t k = 0; k < rf_audit_n_workloads(a); k++)
			err |= rf_audit_workload(a, k)->error != NULL;
		cr_expect(err, "document %zu must be an error", i);
		rf_audit_free(a);
	}
}
