/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Localhost profile references an audit finds: seccomp and AppArmor fields at pod and
 * container level, the AppArmor annotations, every workload kind's paths, exact locations, and
 * wrongly typed documents that must give no reference rather than a crash. */
#include <criterion/criterion.h>
#include <string.h>

#include "ringfence/k8s.h"

#define streq(a, b) (strcmp((a), (b)) == 0)
#define TSPEC	    "spec.template.spec."
#define CJSPEC	    "spec.jobTemplate.spec.template.spec."
#define SECCOMP	    ".securityContext.seccompProfile.localhostProfile"
#define APPARMOR    ".securityContext.appArmorProfile.localhostProfile"
#define ANN	    "annotations[container.apparmor.security.beta.kubernetes.io/"

struct want {
	unsigned line, column;
	const char *container; /* NULL: pod level */
	bool apparmor;
	const char *profile;
	const char *field;
};

static void refs_of(const char *yaml, struct rf_profile_ref **ret, size_t *ret_n)
{
	struct rf_audit *a = NULL;

	cr_assert_eq(rf_audit_new(&a), 0);
	cr_assert_eq(rf_audit_add_text(a, "t.yaml", yaml, strlen(yaml), NULL), 0);
	cr_assert_eq(rf_audit_profile_refs(a, ret, ret_n), 0);
	/* The refs borrow file/kind/name from the audit: check them before it goes. */
	for (size_t i = 0; i < *ret_n; i++)
		cr_expect_str_eq((*ret)[i].file, "t.yaml");
	rf_audit_free(a);
}

static void expect_refs(const char *yaml, const struct want *w, size_t n)
{
	struct rf_profile_ref *r = NULL;
	size_t got = 0;

	refs_of(yaml, &r, &got);
	cr_assert_eq(got, n, "got %zu refs, want %zu", got, n);
	for (size_t i = 0; i < n; i++) {
		cr_expect_str_eq(r[i].field, w[i].field, "ref %zu", i);
		cr_expect_str_eq(r[i].profile, w[i].profile, "ref %zu (%s)", i, w[i].field);
		cr_expect_eq(r[i].apparmor, w[i].apparmor, "ref %zu (%s)", i, w[i].field);
		cr_expect_eq(r[i].line, w[i].line, "ref %zu (%s): line %u", i, w[i].field,
			     r[i].line);
		cr_expect_eq(r[i].column, w[i].column, "ref %zu (%s): column %u", i, w[i].field,
			     r[i].column);
		if (w[i].container)
			cr_expect(r[i].container && streq(r[i].container, w[i].container),
				  "ref %zu (%s): container %s", i, w[i].field,
				  r[i].container ? r[i].container : "(null)");
		else
			cr_expect_null(r[i].container, "ref %zu (%s)", i, w[i].field);
	}
	rf_profile_refs_free(r, got);
}

static const char deployment[] =
	"apiVersion: apps/v1\n"								  /* 1 */
	"kind: Deployment\n"								  /* 2 */
	"metadata:\n"									  /* 3 */
	"  name: web\n"									  /* 4 */
	"  namespace: prod\n"								  /* 5 */
	"spec:\n"									  /* 6 */
	"  template:\n"									  /* 7 */
	"    metadata:\n"								  /* 8 */
	"      annotations:\n"								  /* 9 */
	"        container.apparmor.security.beta.kubernetes.io/app: localhost/k8s-app\n" /* 10 */
	"        container.apparmor.security.beta.kubernetes.io/side: runtime/default\n"  /* 11 */
	"        other: localhost/nope\n"						  /* 12 */
	"    spec:\n"									  /* 13 */
	"      securityContext:\n"							  /* 14 */
	"        seccompProfile:\n"							  /* 15 */
	"          type: Localhost\n"							  /* 16 */
	"          localhostProfile: profiles/pod.json\n"				  /* 17 */
	"      initContainers:\n"							  /* 18 */
	"      - name: init\n"								  /* 19 */
	"        securityContext:\n"							  /* 20 */
	"          appArmorProfile:\n"							  /* 21 */
	"            type: Localhost\n"							  /* 22 */
	"            localhostProfile: init-aa\n"					  /* 23 */
	"      containers:\n"								  /* 24 */
	"      - name: app\n"								  /* 25 */
	"        securityContext:\n"							  /* 26 */
	"          seccompProfile: {type: Localhost, localhostProfile: app.json}\n"	  /* 27 */
	"          appArmorProfile: {type: RuntimeDefault}\n"				  /* 28 */
	"      - name: side\n"								  /* 29 */
	"        securityContext:\n"							  /* 30 */
	"          seccompProfile:\n"							  /* 31 */
	"            type: RuntimeDefault\n"						  /* 32 */
	"            localhostProfile: ignored.json\n"					  /* 33 */
	"      - name: empty\n"								  /* 34 */
	"        securityContext:\n"							  /* 35 */
	"          seccompProfile:\n"							  /* 36 */
	"            type: Localhost\n";						  /* 37 */

Test(profile_refs, deployment)
{
	static const struct want w[] = {
		{ 17, 29, NULL, false, "profiles/pod.json", "spec.template.spec" SECCOMP },
		{ 23, 31, "init", true, "init-aa", TSPEC "initContainers[0]" APPARMOR },
		{ 27, 63, "app", false, "app.json", TSPEC "containers[0]" SECCOMP },
		/* no localhostProfile: profile "", located at the type */
		{ 37, 19, "empty", false, "", TSPEC "containers[2]" SECCOMP },
		{ 10, 61, "app", true, "k8s-app", "spec.template.metadata." ANN "app]" },
	};

	expect_refs(deployment, w, sizeof(w) / sizeof(w[0]));
}

Test(profile_refs, borrowed_workload_fields)
{
	struct rf_audit *a = NULL;
	struct rf_profile_ref *r = NULL;
	size_t n = 0;

	cr_assert_eq(rf_audit_new(&a), 0);
	cr_assert_eq(rf_audit_add_text(a, "d.yaml", deployment, strlen(deployment), NULL), 0);
	cr_assert_eq(rf_audit_profile_refs(a, &r, &n), 0);
	cr_assert_eq(n, 5);
	for (size_t i = 0; i < n; i++) {
		cr_expect_str_eq(r[i].file, "d.yaml");
		cr_expect_str_eq(r[i].kind, "Deployment");
		cr_expect_str_eq(r[i].name, "web");
		cr_expect_str_eq(r[i].namespace, "prod");
	}
	rf_profile_refs_free(r, n);
	rf_audit_free(a);
}

Test(profile_refs, pod_and_cronjob_in_input_order)
{
	static const char y[] =
		"apiVersion: batch/v1\n"    /* 1 */
		"kind: CronJob\n"	    /* 2 */
		"metadata: {name: cj}\n"    /* 3 */
		"spec:\n"		    /* 4 */
		"  schedule: '* * * * *'\n" /* 5 */
		"  jobTemplate:\n"	    /* 6 */
		"    spec:\n"		    /* 7 */
		"      template:\n"	    /* 8 */
		"        metadata:\n"	    /* 9 */
		"          annotations:\n"  /* 10 */
		"            container.apparmor.security.beta.kubernetes.io/job: localhost/\n"
		/* 11 */
		"        spec:\n"							/* 12 */
		"          containers:\n"						/* 13 */
		"          - name: job\n"						/* 14 */
		"            securityContext:\n"					/* 15 */
		"              seccompProfile:\n"					/* 16 */
		"                type: Localhost\n"					/* 17 */
		"                localhostProfile: \"cj.json\"\n"			/* 18 */
		"---\n"									/* 19 */
		"apiVersion: v1\n"							/* 20 */
		"kind: Pod\n"								/* 21 */
		"metadata:\n"								/* 22 */
		"  name: p\n"								/* 23 */
		"spec:\n"								/* 24 */
		"  securityContext:\n"							/* 25 */
		"    appArmorProfile:\n"						/* 26 */
		"      type: Localhost\n"						/* 27 */
		"      localhostProfile: pod-aa\n"					/* 28 */
		"    seccompProfile:\n"							/* 29 */
		"      type: Localhost\n"						/* 30 */
		"      localhostProfile: pod.json\n"					/* 31 */
		"  ephemeralContainers:\n"						/* 32 */
		"  - name: dbg\n"							/* 33 */
		"    securityContext:\n"						/* 34 */
		"      appArmorProfile: {type: Localhost, localhostProfile: dbg-aa}\n"; /* 35 */
	static const struct want w[] = {
		/* a quoted scalar's location is its first character, after the quote */
		{ 18, 36, "job", false, "cj.json", CJSPEC "containers[0]" SECCOMP },
		/* "localhost/" with nothing after it: an empty profile */
		{ 11, 65, "job", true, "", "spec.jobTemplate.spec.template.metadata." ANN "job]" },
		/* seccomp before AppArmor whatever the order in the file */
		{ 31, 25, NULL, false, "pod.json", "spec" SECCOMP },
		{ 28, 25, NULL, true, "pod-aa", "spec" APPARMOR },
		{ 35, 60, "dbg", true, "dbg-aa", "spec.ephemeralContainers[0]" APPARMOR },
	};

	expect_refs(y, w, sizeof(w) / sizeof(w[0]));
}

Test(profile_refs, non_localhost_ignored)
{
	static const char y[] =
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
		"  annotations:\n"
		"    container.apparmor.security.beta.kubernetes.io/c: runtime/default\n"
		"    seccomp.security.alpha.kubernetes.io/pod: localhost/old.json\n"
		"spec:\n"
		"  securityContext:\n"
		"    seccompProfile: {type: RuntimeDefault}\n"
		"    appArmorProfile: {type: Unconfined, localhostProfile: x}\n"
		"  containers:\n"
		"  - name: c\n"
		"    securityContext:\n"
		"      seccompProfile: {type: localhost, localhostProfile: case-matters.json}\n";
	struct rf_profile_ref *r = NULL;
	size_t n = 99;

	refs_of(y, &r, &n);
	cr_expect_eq(n, 0);
	rf_profile_refs_free(r, n);
}

Test(profile_refs, wrong_types_give_no_ref)
{
	static const char y[] =
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n"
		"  annotations: [not, a, map]\n"
		"spec:\n"
		"  securityContext: restricted\n" /* a string */
		"  initContainers: {name: not-a-list}\n"
		"  containers:\n"
		"  - name: a\n"
		"    securityContext:\n"
		"      seccompProfile: Localhost\n" /* a string */
		/* type a list */
		"      appArmorProfile: {type: [Localhost], localhostProfile: x}\n"
		"  - name: b\n"
		"    securityContext:\n"
		"      seccompProfile: {type: Localhost, localhostProfile: {a: b}}\n"
		"      appArmorProfile: {type: Localhost, localhostProfile: 42}\n"
		"  - plain string\n"
		"  - name: c\n"
		"    securityContext:\n"
		"      seccompProfile: {type: Localhost, localhostProfile: ok.json}\n"
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec: [1, 2]\n"
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: r}\n"
		"spec:\n  containers:\n  - name: d\n    securityContext: [x]\n"
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: s\n"
		"  annotations:\n"
		"    container.apparmor.security.beta.kubernetes.io/x: 7\n"
		"    ? [complex, key]\n    : localhost/k\n"
		"spec: {containers: [{name: x}]}\n";
	struct rf_profile_ref *r = NULL;
	size_t n = 99;

	refs_of(y, &r, &n);
	/* A non-object container stops the walk of that list, as the audit does. */
	cr_expect_eq(n, 0, "got %zu refs, first %s", n, n ? r[0].field : "");
	rf_profile_refs_free(r, n);
}

Test(profile_refs, empty_audit)
{
	struct rf_audit *a = NULL;
	struct rf_profile_ref *r = (void *)1;
	size_t n = 99;

	cr_assert_eq(rf_audit_new(&a), 0);
	cr_assert_eq(rf_audit_profile_refs(a, &r, &n), 0);
	cr_expect_null(r);
	cr_expect_eq(n, 0);
	rf_audit_free(a);
}

/* rf_node_check_refs checks each reference against a node, and the status report lists them
 * with names from the manifest escaped. */
#include "ringfence/node.h"

Test(profile_refs, checked_against_a_node)
{
	static const char yaml[] =
		"apiVersion: v1\nkind: Pod\nmetadata: {name: \"p\\e[2J\", namespace: ns}\nspec:\n"
		"  containers:\n  - name: a\n    securityContext:\n"
		"      seccompProfile: {type: Localhost, localhostProfile: ringfence/here.json}\n"
		"  - name: b\n    securityContext:\n"
		"      seccompProfile: {type: Localhost, localhostProfile: ringfence/gone.json}\n";
	char dir[] = "/k/seccomp", here[] = "ringfence/here.json", why[] = "off";
	struct rf_node_profile prof = { .localhost_profile = here, .sha256 = "00" };
	struct rf_node_status s = { .seccomp_dir = dir,
				    .profiles = &prof,
				    .n_profiles = 1,
				    .kubelet = { .seccomp_default = RF_TRI_UNKNOWN },
				    .apparmor = { .why_not = why } };
	struct rf_node_refs refs = { 0 };
	struct rf_audit *a = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	cr_assert_eq(rf_audit_new(&a), 0);
	cr_assert_eq(rf_audit_add_text(a, "t.yaml", yaml, strlen(yaml), NULL), 0);
	cr_assert_eq(rf_node_check_refs(&s, a, &refs), 0);
	cr_assert_eq(refs.n, 2);
	cr_expect_eq(refs.n_missing, 1);
	cr_expect_null(refs.problems[0]);
	cr_assert_not_null(refs.problems[1]);
	cr_expect_str_eq(refs.problems[1], "seccomp profile 'ringfence/gone.json' is not on this "
					   "node (/k/seccomp/ringfence/gone.json)");
	cr_assert_not_null(f = open_memstream(&buf, &len));
	cr_expect_eq(rf_node_status_write(&s, &refs, RF_NODE_TEXT, false, f), 0);
	fclose(f);
	cr_expect(strstr(buf, "manifests: 2 Localhost profile references\n"
			      "  t.yaml:8:59: Pod ns/p\\x1b[2J container a: present\n"
			      "  t.yaml:11:59: Pod ns/p\\x1b[2J container b: seccomp profile "
			      "'ringfence/gone.json' is not on this node "
			      "(/k/seccomp/ringfence/gone.json)\n"),
		  "%s", buf);
	free(buf);
	rf_node_refs_done(&refs);
	rf_audit_free(a);
}
