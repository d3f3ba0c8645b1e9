/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit's located messages for fields of the wrong type, byte for byte: what users and CI
 * read (text, JSON, SARIF). They were written by lib/k8s's own accessors and are kept through
 * the move onto the document layer (lib/k8s/field.c); changing one is a visible change. */
#include <criterion/criterion.h>
#include <string.h>

#include "ringfence/k8s.h"

#define POD "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"

struct row {
	const char *name;
	const char *yaml;
	const char *errors; /* every error, one a line */
};

static const struct row rows[] = {
	{ "a number is not a string", POD "  containers: [{name: 123}]\n",
	  "t.yaml:5:23: spec.containers[0].name must be a string\n" },
	{ ".inf is a string here", POD "  containers: [{name: .inf}]\n", "" },
	{ "a tagged list item is not a string",
	  POD
	  "  containers: [{name: c, securityContext: {capabilities: {add: [!!str NET_RAW]}}}]\n",
	  "t.yaml:5:71: spec.containers[0].securityContext.capabilities.add must be a string\n" },
	{ "a tagged value",
	  POD "  containers: [{name: c, securityContext: {privileged: !!bool true}}]\n",
	  "t.yaml:5:63: privileged: YAML tags (!tag) are not supported\n" },
	{ "no location: 0:0", POD "  containers: [{name: c, securityContext: []}]\n",
	  "t.yaml:0:0: spec.containers[0].securityContext must be an object\n" },
	{ "an alias to nothing, at its key",
	  POD "  containers: [{name: c, securityContext: *nope}]\n",
	  "t.yaml:5:26: securityContext: alias cannot be resolved\n" },
	{ "a merge key",
	  POD "  containers: [{name: c, securityContext: {<<: {privileged: true}}}]\n",
	  "t.yaml:5:44: YAML merge keys (<<) are not supported\n" },
	{ "YAML 1.1 booleans only", POD "  hostPID: maybe\n  containers: [{name: c}]\n",
	  "t.yaml:5:12: spec.hostPID must be true or false\n" },
	{ "a quoted boolean", POD "  hostUsers: \"false\"\n  containers: [{name: c}]\n",
	  "t.yaml:5:15: spec.hostUsers must be true or false\n" },
	{ "an integer", POD "  containers: [{name: c, ports: [{hostPort: 80.5}]}]\n",
	  "t.yaml:5:45: spec.containers[0].ports[0].hostPort must be an integer\n" },
	{ "a container's runAsUser is under its securityContext",
	  POD "  containers: [{name: c, securityContext: {runAsUser: zero}}]\n",
	  "t.yaml:5:55: spec.containers[0].securityContext.runAsUser must be an integer\n" },
	{ "a top-level field", "apiVersion: v1\nkind: 5\n",
	  "t.yaml:2:7: .kind must be a string\n" },
	{ "not an object", "hello\n", "t.yaml:1:1: a Kubernetes object must be a mapping\n" },
	{ "lines after a syntax error count from the file's start",
	  "a: [\n---\n" POD "  containers: {}\n---\n" POD
	  "  containers: [{name: c, securityContext: {privileged: 2}}]\n",
	  "t.yaml:2:1: syntax error: invalid document start indicator in a flow sequence; reading "
	  "goes "
	  "on at the next document, line 2\n"
	  "t.yaml:0:0: spec.containers must be a list\n"
	  "t.yaml:13:56: spec.containers[0].securityContext.privileged must be true or false\n" },
};

static void append(char *buf, size_t size, const char *line)
{
	strncat(buf, line, size - strlen(buf) - 2);
	strcat(buf, "\n");
}

/* Input errors first, then the workloads' own, in input order. */
Test(k8s_fields, located_messages)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rf_audit_opts o = { 0 };
		struct rf_audit *a = NULL;
		char got[2048] = "";

		cr_assert_eq(rf_audit_new(&a), 0);
		cr_assert_eq(
			rf_audit_add_text(a, "t.yaml", rows[i].yaml, strlen(rows[i].yaml), NULL),
			0);
		cr_assert_eq(rf_audit_run(a, &o), 0);
		for (size_t k = 0; k < rf_audit_n_errors(a); k++)
			append(got, sizeof(got), rf_audit_error(a, k));
		for (size_t k = 0; k < rf_audit_n_workloads(a); k++)
			if (rf_audit_workload(a, k)->error)
				append(got, sizeof(got), rf_audit_workload(a, k)->error);
		cr_expect_str_eq(got, rows[i].errors, "%s: got \"%s\"", rows[i].name, got);
		rf_audit_free(a);
	}
}
