/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence node status`: what a node has (profiles, kubelet seccomp default, AppArmor) and,
 * with --check-manifests, the Localhost profiles manifests reference that it cannot give.
 * Printing only; lib/node and lib/k8s do the work. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/escape.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/k8s.h"
#include "ringfence/node.h"

struct checked_ref {
	const struct rf_profile_ref *ref;
	char *problem;
};

static int check_manifests(const struct rf_node_status *s, char **files, size_t n,
			   struct rf_audit **ret_audit, struct rf_profile_ref **ret_refs,
			   size_t *ret_n, struct checked_ref **ret_checked)
{
	_cleanup_(rf_audit_freep) struct rf_audit *a = NULL;
	struct checked_ref *checked;
	int r;

	if ((r = rf_audit_new(&a)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct rf_error e = {};

		if ((r = rf_audit_add_path(a, files[i], &e)) < 0) {
			print_error(&e, r);
			rf_error_clear(&e);
			return r;
		}
	}
	for (size_t i = 0; i < rf_audit_n_errors(a); i++) {
		fputs("ringfence: ", stderr);
		rf_fputs_escaped(rf_audit_error(a, i), stderr);
		fputc('\n', stderr);
	}
	if ((r = rf_audit_profile_refs(a, ret_refs, ret_n)) < 0)
		return r;
	checked = calloc(*ret_n + 1, sizeof(*checked));
	if (!checked)
		return -ENOMEM;
	for (size_t i = 0; i < *ret_n; i++) {
		errno = 0;
		checked[i] = (struct checked_ref){ &(*ret_refs)[i], rf_node_ref_problem(s, &(*ret_refs)[i]) };
		if (!checked[i].problem && errno == ENOMEM) {
			for (size_t k = 0; k < i; k++)
				free(checked[k].problem);
			free(checked);
			return -ENOMEM;
		}
	}
	*ret_checked = checked;
	*ret_audit = TAKE_PTR(a);
	return (int)rf_audit_n_errors(*ret_audit);
}

static void print_status_json(const struct rf_node_status *s, const struct checked_ref *checked,
			      size_t n_refs, bool with_refs)
{
	struct rf_json j;

	rf_json_init(&j, stdout, global.pretty);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", "ringfence.node-status/v1");
	rf_json_string_field(&j, "seccomp_dir", s->seccomp_dir);
	rf_json_name(&j, "profiles");
	rf_json_start_array(&j);
	for (size_t i = 0; i < s->n_profiles; i++) {
		const struct rf_node_profile *p = &s->profiles[i];

		rf_json_start_object(&j);
		rf_json_string_field(&j, "localhost_profile", p->localhost_profile);
		rf_json_string_field(&j, "sha256", p->sha256);
		rf_json_string_field(&j, "owner", rf_node_owner_to_string(p->owner));
		rf_json_bool_field(&j, "valid", !p->error);
		if (p->error)
			rf_json_string_field(&j, "error", p->error);
		rf_json_end_object(&j);
	}
	rf_json_end_array(&j);
	rf_json_name(&j, "kubelet");
	rf_json_start_object(&j);
	if (s->kubelet.pid)
		rf_json_int_field(&j, "pid", s->kubelet.pid);
	if (s->kubelet.config_path)
		rf_json_string_field(&j, "config", s->kubelet.config_path);
	rf_json_name(&j, "seccomp_default");
	if (s->kubelet.seccomp_default == RF_TRI_UNKNOWN)
		rf_json_null(&j);
	else
		rf_json_bool(&j, s->kubelet.seccomp_default == RF_TRI_YES);
	if (s->kubelet.seccomp_default_source)
		rf_json_string_field(&j, "seccomp_default_source", s->kubelet.seccomp_default_source);
	if (s->kubelet.error)
		rf_json_string_field(&j, "error", s->kubelet.error);
	rf_json_end_object(&j);
	rf_json_name(&j, "apparmor");
	rf_json_start_object(&j);
	rf_json_bool_field(&j, "enabled", s->apparmor.enabled);
	if (s->apparmor.why_not)
		rf_json_string_field(&j, "why_not", s->apparmor.why_not);
	if (s->apparmor.enabled) {
		rf_json_name(&j, "profiles");
		rf_json_start_array(&j);
		for (char **p = s->apparmor.profiles; p && *p; p++)
			rf_json_string(&j, *p);
		rf_json_end_array(&j);
	}
	rf_json_bool_field(&j, "parser", s->apparmor.parser != NULL);
	rf_json_end_object(&j);
	if (with_refs) {
		rf_json_name(&j, "references");
		rf_json_start_array(&j);
		for (size_t i = 0; i < n_refs; i++) {
			const struct rf_profile_ref *r = checked[i].ref;

			rf_json_start_object(&j);
			rf_json_string_field(&j, "file", r->file);
			rf_json_uint_field(&j, "line", r->line);
			rf_json_uint_field(&j, "column", r->column);
			rf_json_string_field(&j, "kind", r->kind);
			if (r->namespace)
				rf_json_string_field(&j, "namespace", r->namespace);
			rf_json_string_field(&j, "name", r->name ?: "");
			if (r->container)
				rf_json_string_field(&j, "container", r->container);
			rf_json_string_field(&j, "type", r->apparmor ? "apparmor" : "seccomp");
			rf_json_string_field(&j, "profile", r->profile);
			rf_json_string_field(&j, "field", r->field);
			rf_json_bool_field(&j, "present", !checked[i].problem);
			if (checked[i].problem)
				rf_json_string_field(&j, "problem", checked[i].problem);
			rf_json_end_object(&j);
		}
		rf_json_end_array(&j);
	}
	rf_json_end_object(&j);
	rf_json_finish(&j);
}

static void print_status_text(const struct rf_node_status *s, const struct checked_ref *checked,
			      size_t n_refs, bool with_refs)
{
	struct esc_pool ep = {};

	printf("seccomp directory: %s\n", esc(&ep, s->seccomp_dir));
	esc_done(&ep);
	if (!s->n_profiles)
		printf("  (no profiles)\n");
	for (size_t i = 0; i < s->n_profiles; i++) {
		const struct rf_node_profile *p = &s->profiles[i];

		printf("  %-40s %-18s sha256:%.12s %s%s\n", esc(&ep, p->localhost_profile),
		       rf_node_owner_to_string(p->owner), p->sha256, p->error ? "INVALID: " : "valid",
		       esc(&ep, p->error));
		esc_done(&ep);
	}
	printf("kubelet seccomp default (RuntimeDefault for every pod): %s (%s)\n",
	       s->kubelet.seccomp_default == RF_TRI_YES  ? "yes"
	       : s->kubelet.seccomp_default == RF_TRI_NO ? "no"
						     : "unknown",
	       esc(&ep, s->kubelet.seccomp_default_source ?: "no source"));
	if (s->kubelet.error)
		printf("  kubelet config problem: %s\n", esc(&ep, s->kubelet.error));
	if (s->apparmor.enabled)
		printf("apparmor: enabled, %zu profiles loaded\n", strv_length(s->apparmor.profiles));
	else
		printf("apparmor: not available (%s)\n", esc(&ep, s->apparmor.why_not ?: "off"));
	esc_done(&ep);
	if (!with_refs)
		return;
	printf("manifests: %zu Localhost profile reference%s\n", n_refs, n_refs == 1 ? "" : "s");
	for (size_t i = 0; i < n_refs; i++) {
		const struct rf_profile_ref *r = checked[i].ref;

		printf("  %s:%u:%u: %s %s%s%s%s%s: %s\n", esc(&ep, r->file), r->line, r->column,
		       esc(&ep, r->kind), esc(&ep, r->namespace), r->namespace ? "/" : "",
		       esc(&ep, r->name), r->container ? " container " : "", esc(&ep, r->container),
		       esc(&ep, checked[i].problem ?: "present"));
		esc_done(&ep);
	}
}

int node_status(const struct rf_node_opts *node, const char *kubelet_config, bool check,
		char **files, size_t n)
{
	_cleanup_(rf_audit_freep) struct rf_audit *audit = NULL;
	struct rf_node_status s = {};
	struct rf_profile_ref *refs = NULL;
	struct checked_ref *checked = NULL;
	size_t n_refs = 0, missing = 0;
	struct rf_error e = {};
	int r, code = 0;

	if (n && !check)
		return usage_error("node", "status takes no arguments (did you mean "
					   "--check-manifests FILE...?)");
	if (check && !n)
		return usage_error("node", "--check-manifests needs FILE... (or a directory, or '-')");
	r = rf_node_status(node, kubelet_config, &s, &e);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return EXIT_FOUND;
	}
	if (check) {
		r = check_manifests(&s, files, n, &audit, &refs, &n_refs, &checked);
		if (r < 0) {
			if (r == -ENOMEM)
				print_error(NULL, r);
			rf_profile_refs_free(refs, n_refs);
			rf_node_status_done(&s);
			return EXIT_FOUND;
		}
		if (r > 0)
			code = EXIT_FOUND; /* a manifest that could not be read was not checked */
		for (size_t i = 0; i < n_refs; i++)
			missing += checked[i].problem != NULL;
	}
	if (global.json)
		print_status_json(&s, checked, n_refs, check);
	else
		print_status_text(&s, checked, n_refs, check);
	if (missing) {
		fprintf(stderr, "ringfence: %zu referenced profile%s not usable on this node\n", missing,
			missing == 1 ? " is" : "s are");
		code = EXIT_FOUND;
	}
	for (size_t i = 0; checked && i < n_refs; i++)
		free(checked[i].problem);
	free(checked);
	rf_profile_refs_free(refs, n_refs);
	rf_node_status_done(&s);
	return finish_stdout(code);
}
