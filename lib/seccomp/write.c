/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes a profile as OCI linux.seccomp JSON, Docker/moby JSON (with containers/common's errno
 * names when the profile has them) or an SPO SeccompProfile (YAML).
 * Output is deterministic: key order fixed here, names sorted within each rule, rule order kept
 * (authors group rules on purpose). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "core/strv.h"
#include "profile-internal.h"

/* SPO serves SeccompProfile as v1beta1 (the CRD's storage version); v1 does not exist upstream. */
#define SPO_API_VERSION "security-profiles-operator.x-k8s.io/v1beta1"

static void json_strv(struct rf_json *j, const char *name, char *const *v, bool sort)
{
	_cleanup_strv_free_ char **copy = sort ? strv_copy(v) : NULL;

	strv_sort(copy);
	rf_json_name(j, name);
	rf_json_start_array(j);
	STRV_FOREACH(s, copy ?: v)
		rf_json_string(j, *s);
	rf_json_end_array(j);
}

static void json_cond(struct rf_json *j, const char *name, const struct rf_seccomp_rule_cond *c)
{
	if (!c->caps && !c->arches && !c->min_kernel)
		return;
	rf_json_name(j, name);
	rf_json_start_object(j);
	if (c->caps)
		json_strv(j, "caps", c->caps, false);
	if (c->arches)
		json_strv(j, "arches", c->arches, false);
	if (c->min_kernel)
		rf_json_string_field(j, "minKernel", c->min_kernel);
	rf_json_end_object(j);
}

static void json_rule(struct rf_json *j, const struct rf_seccomp_rule *r, bool docker)
{
	rf_json_start_object(j);
	json_strv(j, "names", r->names, true);
	rf_json_string_field(j, "action", rf_action_to_string(r->action));
	if (r->has_errno_ret)
		rf_json_uint_field(j, "errnoRet", r->errno_ret);
	if (docker && r->errno_name)
		rf_json_string_field(j, "errno", r->errno_name);
	if (r->n_args) {
		rf_json_name(j, "args");
		rf_json_start_array(j);
		for (size_t i = 0; i < r->n_args; i++) {
			rf_json_start_object(j);
			rf_json_uint_field(j, "index", r->args[i].index);
			rf_json_uint_field(j, "value", r->args[i].value);
			rf_json_uint_field(j, "valueTwo", r->args[i].value_two);
			rf_json_string_field(j, "op", rf_cmp_to_string(r->args[i].op));
			rf_json_end_object(j);
		}
		rf_json_end_array(j);
	}
	if (docker) {
		if (r->comment)
			rf_json_string_field(j, "comment", r->comment);
		json_cond(j, "includes", &r->includes);
		json_cond(j, "excludes", &r->excludes);
	}
	rf_json_end_object(j);
}

static void write_json(const struct rf_profile *p, FILE *out, bool docker)
{
	struct rf_json j;

	rf_json_init(&j, out, true);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "defaultAction", rf_action_to_string(p->default_action));
	if (p->has_default_errno_ret)
		rf_json_uint_field(&j, "defaultErrnoRet", p->default_errno_ret);
	if (docker && p->default_errno_name)
		rf_json_string_field(&j, "defaultErrno", p->default_errno_name);
	if (p->architectures)
		json_strv(&j, "architectures", p->architectures, false);
	if (docker && p->n_arch_map) {
		rf_json_name(&j, "archMap");
		rf_json_start_array(&j);
		for (size_t i = 0; i < p->n_arch_map; i++) {
			rf_json_start_object(&j);
			rf_json_string_field(&j, "architecture", p->arch_map[i].arch);
			json_strv(&j, "subArchitectures", p->arch_map[i].sub_arches, false);
			rf_json_end_object(&j);
		}
		rf_json_end_array(&j);
	}
	if (p->flags)
		json_strv(&j, "flags", p->flags, false);
	if (p->listener_path)
		rf_json_string_field(&j, "listenerPath", p->listener_path);
	if (p->listener_metadata)
		rf_json_string_field(&j, "listenerMetadata", p->listener_metadata);
	rf_json_name(&j, "syscalls");
	rf_json_start_array(&j);
	for (size_t i = 0; i < p->n_rules; i++)
		json_rule(&j, &p->rules[i], docker);
	rf_json_end_array(&j);
	rf_json_end_object(&j);
	rf_json_finish(&j);
}

/* YAML double-quoted scalar: JSON string escaping is valid YAML. */
static void yaml_str(FILE *out, const char *s)
{
	struct rf_json j;

	rf_json_init(&j, out, false);
	rf_json_string(&j, s);
}

static void yaml_strv(FILE *out, const char *indent, const char *key, char *const *v, bool sort)
{
	_cleanup_strv_free_ char **copy = sort ? strv_copy(v) : NULL;

	strv_sort(copy);
	fprintf(out, "%s%s:", indent, key);
	if (!v || !v[0]) {
		fputs(" []\n", out);
		return;
	}
	fputc('\n', out);
	STRV_FOREACH(s, copy ?: v) {
		fprintf(out, "%s- ", indent);
		yaml_str(out, *s);
		fputc('\n', out);
	}
}

static void write_spo(const struct rf_profile *p, FILE *out)
{
	fputs("apiVersion: " SPO_API_VERSION "\nkind: SeccompProfile\nmetadata:\n  name: ", out);
	yaml_str(out, p->spo_name ?: "ringfence-profile");
	fputc('\n', out);
	if (p->spo_namespace) {
		fputs("  namespace: ", out);
		yaml_str(out, p->spo_namespace);
		fputc('\n', out);
	}
	fprintf(out, "spec:\n  defaultAction: %s\n", rf_action_to_string(p->default_action));
	if (p->has_default_errno_ret)
		fprintf(out, "  defaultErrnoRet: %" PRIu32 "\n", p->default_errno_ret);
	if (p->architectures)
		yaml_strv(out, "  ", "architectures", p->architectures, false);
	if (p->flags)
		yaml_strv(out, "  ", "flags", p->flags, false);
	if (p->listener_path) {
		fputs("  listenerPath: ", out);
		yaml_str(out, p->listener_path);
		fputc('\n', out);
	}
	if (p->listener_metadata) {
		fputs("  listenerMetadata: ", out);
		yaml_str(out, p->listener_metadata);
		fputc('\n', out);
	}
	fputs(p->n_rules ? "  syscalls:\n" : "  syscalls: []\n", out);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rf_seccomp_rule *r = &p->rules[i];

		fprintf(out, "  - action: %s\n", rf_action_to_string(r->action));
		if (r->has_errno_ret)
			fprintf(out, "    errnoRet: %" PRIu32 "\n", r->errno_ret);
		yaml_strv(out, "    ", "names", r->names, true);
		if (!r->n_args)
			continue;
		fputs("    args:\n", out);
		for (size_t a = 0; a < r->n_args; a++)
			fprintf(out,
				"    - index: %u\n      value: %" PRIu64
				"\n      valueTwo: %" PRIu64 "\n      op: %s\n",
				r->args[a].index, r->args[a].value, r->args[a].value_two,
				rf_cmp_to_string(r->args[a].op));
	}
}

int rf_profile_write(const struct rf_profile *p, enum rf_profile_format fmt, FILE *out,
		     struct rf_error *reterr)
{
	if (!p || !out)
		return -EINVAL;
	if (fmt != RF_FORMAT_DOCKER && rf_profile_has_conditions(p))
		return rf_error_set(reterr, -EINVAL,
				    "profile has Docker conditions (archMap/includes/excludes); "
				    "resolve it first or write it as docker");
	switch (fmt) {
	case RF_FORMAT_OCI:
	case RF_FORMAT_OCI_CONFIG: write_json(p, out, false); return 0;
	case RF_FORMAT_DOCKER: write_json(p, out, true); return 0;
	case RF_FORMAT_SPO: write_spo(p, out); return 0;
	default: return rf_error_set(reterr, -EINVAL, "unknown output format");
	}
}

struct write_args {
	const struct rf_profile *p;
	enum rf_profile_format fmt;
	struct rf_error *err;
};

static int write_cb(FILE *f, void *userdata)
{
	struct write_args *a = userdata;

	return rf_profile_write(a->p, a->fmt, f, a->err);
}

int rf_profile_write_file(const struct rf_profile *p, enum rf_profile_format fmt, const char *path,
			  struct rf_error *reterr)
{
	struct write_args a = { p, fmt, reterr };

	return rf_write_file_atomic(path, write_cb, &a, reterr);
}
