/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `node status` reports: text for a person (strings from the node and the manifests escaped)
 * or the document "ringfence.node-status/v1"; and the one-line form of a checked Localhost
 * reference that `audit --check-node` prints too. */
#include <errno.h>
#include <stdio.h>

#include "core/escape.h"
#include "core/json-writer.h"
#include "core/strv.h"
#include "ringfence/k8s.h"
#include "ringfence/node.h"

static void json_profiles(struct rf_json *j, const struct rf_node_status *s)
{
	rf_json_name(j, "profiles");
	rf_json_start_array(j);
	for (size_t i = 0; i < s->n_profiles; i++) {
		const struct rf_node_profile *p = &s->profiles[i];

		rf_json_start_object(j);
		rf_json_string_field(j, "localhost_profile", p->localhost_profile);
		rf_json_string_field(j, "sha256", p->sha256);
		rf_json_string_field(j, "owner", rf_node_owner_to_string(p->owner));
		rf_json_bool_field(j, "valid", !p->error);
		if (p->error)
			rf_json_string_field(j, "error", p->error);
		rf_json_end_object(j);
	}
	rf_json_end_array(j);
}

static void json_kubelet(struct rf_json *j, const struct rf_kubelet_info *k)
{
	rf_json_name(j, "kubelet");
	rf_json_start_object(j);
	if (k->pid)
		rf_json_int_field(j, "pid", k->pid);
	if (k->config_path)
		rf_json_string_field(j, "config", k->config_path);
	rf_json_name(j, "seccomp_default");
	if (k->seccomp_default == RF_TRI_UNKNOWN)
		rf_json_null(j);
	else
		rf_json_bool(j, k->seccomp_default == RF_TRI_YES);
	if (k->seccomp_default_source)
		rf_json_string_field(j, "seccomp_default_source", k->seccomp_default_source);
	if (k->error)
		rf_json_string_field(j, "error", k->error);
	rf_json_end_object(j);
}

static void json_apparmor(struct rf_json *j, const struct rf_apparmor_info *a)
{
	rf_json_name(j, "apparmor");
	rf_json_start_object(j);
	rf_json_bool_field(j, "enabled", a->enabled);
	if (a->why_not)
		rf_json_string_field(j, "why_not", a->why_not);
	if (a->enabled) {
		rf_json_name(j, "profiles");
		rf_json_start_array(j);
		for (char **p = a->profiles; p && *p; p++)
			rf_json_string(j, *p);
		rf_json_end_array(j);
	}
	rf_json_bool_field(j, "parser", a->parser != NULL);
	rf_json_end_object(j);
}

static void json_refs(struct rf_json *j, const struct rf_node_refs *refs)
{
	rf_json_name(j, "references");
	rf_json_start_array(j);
	for (size_t i = 0; i < refs->n; i++) {
		const struct rf_profile_ref *r = &refs->refs[i];
		const char *problem = refs->problems[i];

		rf_json_start_object(j);
		rf_json_string_field(j, "file", r->file);
		rf_json_uint_field(j, "line", r->line);
		rf_json_uint_field(j, "column", r->column);
		rf_json_string_field(j, "kind", r->kind);
		if (r->namespace)
			rf_json_string_field(j, "namespace", r->namespace);
		rf_json_string_field(j, "name", r->name ?: "");
		if (r->container)
			rf_json_string_field(j, "container", r->container);
		rf_json_string_field(j, "type", r->apparmor ? "apparmor" : "seccomp");
		rf_json_string_field(j, "profile", r->profile);
		rf_json_string_field(j, "field", r->field);
		rf_json_bool_field(j, "present", !problem);
		if (problem)
			rf_json_string_field(j, "problem", problem);
		rf_json_end_object(j);
	}
	rf_json_end_array(j);
}

static int write_json(const struct rf_node_status *s, const struct rf_node_refs *refs, bool pretty,
		      FILE *out)
{
	struct rf_json j;

	rf_json_init(&j, out, pretty);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", "ringfence.node-status/v1");
	rf_json_string_field(&j, "seccomp_dir", s->seccomp_dir);
	json_profiles(&j, s);
	json_kubelet(&j, &s->kubelet);
	json_apparmor(&j, &s->apparmor);
	if (refs)
		json_refs(&j, refs);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	return ferror(out) || j.overflow ? -EIO : 0;
}

void rf_node_ref_write_line(const struct rf_profile_ref *r, const char *problem, const char *prefix,
			    FILE *out)
{
	struct rf_esc_pool ep = {};

	fprintf(out, "%s%s:%u:%u: %s %s%s%s%s%s: %s\n", prefix, rf_esc(&ep, r->file), r->line,
		r->column, rf_esc(&ep, r->kind), rf_esc(&ep, r->namespace), r->namespace ? "/" : "",
		rf_esc(&ep, r->name), r->container ? " container " : "", rf_esc(&ep, r->container),
		rf_esc(&ep, problem ?: "present"));
	rf_esc_done(&ep);
}

static int write_text(const struct rf_node_status *s, const struct rf_node_refs *refs, FILE *out)
{
	const struct rf_kubelet_info *k = &s->kubelet;
	struct rf_esc_pool ep = {};

	fprintf(out, "seccomp directory: %s\n", rf_esc(&ep, s->seccomp_dir));
	rf_esc_done(&ep);
	if (!s->n_profiles)
		fprintf(out, "  (no profiles)\n");
	for (size_t i = 0; i < s->n_profiles; i++) {
		const struct rf_node_profile *p = &s->profiles[i];

		fprintf(out, "  %-40s %-18s sha256:%.12s %s%s\n", rf_esc(&ep, p->localhost_profile),
			rf_node_owner_to_string(p->owner), p->sha256,
			p->error ? "INVALID: " : "valid", rf_esc(&ep, p->error));
		rf_esc_done(&ep);
	}
	fprintf(out, "kubelet seccomp default (RuntimeDefault for every pod): %s (%s)\n",
		k->seccomp_default == RF_TRI_YES  ? "yes"
		: k->seccomp_default == RF_TRI_NO ? "no"
						  : "unknown",
		rf_esc(&ep, k->seccomp_default_source ?: "no source"));
	if (k->error)
		fprintf(out, "  kubelet config problem: %s\n", rf_esc(&ep, k->error));
	if (s->apparmor.enabled)
		fprintf(out, "apparmor: enabled, %zu profiles loaded\n",
			strv_length(s->apparmor.profiles));
	else
		fprintf(out, "apparmor: not available (%s)\n",
			rf_esc(&ep, s->apparmor.why_not ?: "off"));
	rf_esc_done(&ep);
	if (!refs)
		return ferror(out) ? -EIO : 0;
	fprintf(out, "manifests: %zu Localhost profile reference%s\n", refs->n,
		refs->n == 1 ? "" : "s");
	for (size_t i = 0; i < refs->n; i++)
		rf_node_ref_write_line(&refs->refs[i], refs->problems[i], "  ", out);
	return ferror(out) ? -EIO : 0;
}

int rf_node_status_write(const struct rf_node_status *s, const struct rf_node_refs *refs,
			 enum rf_node_format fmt, bool pretty, FILE *out)
{
	return fmt == RF_NODE_JSON ? write_json(s, refs, pretty, out) : write_text(s, refs, out);
}
