/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads OCI linux.seccomp (bare or inside config.json), Docker/moby JSON and SPO SeccompProfile
 * YAML into struct rf_profile. libfyaml parses; this file walks one document's tree strictly:
 * wrong types, unknown keys and out-of-range numbers are errors with file:line, never silently
 * ignored. The stream around it (limits, documents, selection by name) is parse-stream.c. */
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "core/errno-name.h"
#include "core/macro.h"
#include "core/strv.h"
#include "parse-internal.h"
#include "profile-internal.h"

static int arg_key(struct pctx *c, const char *key, struct fy_node *k, struct fy_node *v, void *obj)
{
	struct rf_seccomp_arg *a = obj;
	uint64_t idx;
	int r;

	if (streq(key, "index")) {
		r = sp_get_u64(c, v, "args.index", UINT32_MAX, &idx);
		a->index = (unsigned)idx;
		return r;
	}
	if (streq(key, "value"))
		return sp_get_u64(c, v, "args.value", UINT64_MAX, &a->value);
	if (streq(key, "valueTwo"))
		return sp_get_u64(c, v, "args.valueTwo", UINT64_MAX, &a->value_two);
	if (streq(key, "op")) {
		_cleanup_free_ char *s = NULL;
		r = sp_get_string(c, v, "args.op", &s);
		if (r < 0)
			return r;
		a->op = rf_cmp_from_string(s);
		return a->op == RF_CMP_INVALID ? sp_fail(c, v, "unknown operator '%s'%s", s, NULL)
					       : 0;
	}
	return sp_fail(c, k, "unknown key '%s' in argument condition%s", key, NULL);
}

static int parse_args(struct pctx *c, struct fy_node *n, struct rf_seccomp_rule *rule)
{
	struct fy_node *item;
	void *it = NULL;
	size_t count;

	if (sp_check_node(c, n, "args") < 0)
		return -EINVAL;
	if (sp_is_null(c, n))
		return 0;
	if (!fy_node_is_sequence(n))
		return sp_fail(c, n, "args must be a list%s%s", NULL, NULL);
	count = (size_t)fy_node_sequence_item_count(n);
	if (count > RF_PROFILE_MAX_ARGS)
		return sp_fail_limit(c, n, "argument conditions in one rule", RF_PROFILE_MAX_ARGS);
	rule->args = calloc(count ?: 1, sizeof(*rule->args));
	if (!rule->args)
		return -ENOMEM;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct rf_seccomp_arg *a = &rule->args[rule->n_args];
		int r;

		*a = (struct rf_seccomp_arg){ .op = RF_CMP_INVALID };
		r = sp_walk_mapping(c, item, "argument condition", arg_key, a);
		if (r < 0)
			return r;
		if (a->op == RF_CMP_INVALID)
			return sp_fail(c, item, "argument condition has no 'op'%s%s", NULL, NULL);
		rule->n_args++;
	}
	return 0;
}

static int cond_key(struct pctx *c, const char *key, struct fy_node *k, struct fy_node *v,
		    void *obj)
{
	struct rf_seccomp_rule_cond *cond = obj;

	if (streq(key, "caps"))
		return sp_get_strv(c, v, "caps", RF_PROFILE_MAX_LIST, &cond->caps, NULL);
	if (streq(key, "arches"))
		return sp_get_strv(c, v, "arches", RF_PROFILE_MAX_LIST, &cond->arches, NULL);
	if (streq(key, "minKernel"))
		return sp_get_string(c, v, "minKernel", &cond->min_kernel);
	return sp_fail(c, k, "unknown key '%s' in includes/excludes%s", key, NULL);
}

/* containers/common writes an errno both as a number (errnoRet, defaultErrnoRet) and as a name
 * (errno, defaultErrno); podman reads the number. Either may come alone; together they must
 * name the same errno, whichever comes first. */
static int errno_number(struct pctx *c, struct fy_node *v, const char *what, bool *has,
			uint32_t *num, const char *name)
{
	uint32_t n;
	int r = sp_get_u32(c, v, what, &n);

	if (r < 0)
		return r;
	if (name && (uint32_t)rf_errno_from_name(name) != n)
		return sp_fail(c, v, "%s disagrees with the errno name '%s' given for it", what,
			       name);
	*has = true;
	*num = n;
	return 0;
}

static int errno_name(struct pctx *c, struct fy_node *v, const char *what, bool *has, uint32_t *num,
		      char **name)
{
	_cleanup_free_ char *s = NULL;
	int e, r = sp_get_string(c, v, what, &s);

	if (r < 0)
		return r;
	e = rf_errno_from_name(s);
	if (e == 0)
		return sp_fail(c, v,
			       "%s: '%s' is not an errno name (glibc spells them EPERM, "
			       "ENOSYS, ...)",
			       what, s);
	if (*has && *num != (uint32_t)e)
		return sp_fail(c, v, "%s '%s' disagrees with the number given for it", what, s);
	*has = true;
	*num = (uint32_t)e;
	free(*name);
	*name = TAKE_PTR(s);
	return 0;
}

static int rule_key(struct pctx *c, const char *key, struct fy_node *k, struct fy_node *v,
		    void *obj)
{
	struct rf_seccomp_rule *rule = obj;

	if (streq(key, "names")) {
		int r = sp_get_strv(c, v, "names", RF_PROFILE_MAX_NAMES, &rule->names,
				    &rule->name_lines);
		rule->n_names = strv_length(rule->names);
		return r;
	}
	if (streq(key, "name")) { /* moby's legacy single-name form */
		_cleanup_free_ char *s = NULL;
		int r = sp_get_string(c, v, "name", &s);
		if (r < 0)
			return r;
		r = strv_extend(&rule->names, s);
		rule->n_names = strv_length(rule->names);
		return r;
	}
	if (streq(key, "action"))
		return sp_get_action(c, v, "action", &rule->action);
	if (streq(key, "errnoRet"))
		return errno_number(c, v, "errnoRet", &rule->has_errno_ret, &rule->errno_ret,
				    rule->errno_name);
	if (streq(key, "errno"))
		return errno_name(c, v, "errno", &rule->has_errno_ret, &rule->errno_ret,
				  &rule->errno_name);
	if (streq(key, "args"))
		return parse_args(c, v, rule);
	if (streq(key, "comment"))
		return sp_get_string(c, v, "comment", &rule->comment);
	if (streq(key, "includes"))
		return sp_walk_mapping(c, v, "includes", cond_key, &rule->includes);
	if (streq(key, "excludes"))
		return sp_walk_mapping(c, v, "excludes", cond_key, &rule->excludes);
	return sp_fail(c, k, "unknown key '%s' in syscall rule%s", key, NULL);
}

static int parse_syscalls(struct pctx *c, struct fy_node *n, struct rf_profile *p)
{
	struct fy_node *item;
	void *it = NULL;

	if (sp_check_node(c, n, "syscalls") < 0)
		return -EINVAL;
	if (sp_is_null(c, n))
		return 0;
	if (!fy_node_is_sequence(n))
		return sp_fail(c, n, "syscalls must be a list%s%s", NULL, NULL);
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct rf_seccomp_rule *rule = rf_profile_add_rule(p);
		int r;

		if (!rule)
			return p->n_rules >= RF_PROFILE_MAX_RULES
				       ? sp_fail_limit(c, item, "syscall rules in one profile",
						       RF_PROFILE_MAX_RULES)
				       : -ENOMEM;
		rule->line = sp_node_line(item);
		r = sp_walk_mapping(c, item, "syscall rule", rule_key, rule);
		if (r < 0)
			return r;
		if (rule->action == RF_ACT_INVALID)
			return sp_fail(c, item, "syscall rule has no 'action'%s%s", NULL, NULL);
		if (!rule->names)
			return sp_fail(c, item, "syscall rule has no 'names'%s%s", NULL, NULL);
	}
	return 0;
}

static int arch_map_key(struct pctx *c, const char *key, struct fy_node *k, struct fy_node *v,
			void *obj)
{
	struct rf_arch_map_entry *e = obj;

	if (streq(key, "architecture"))
		return sp_get_string(c, v, "architecture", &e->arch);
	if (streq(key, "subArchitectures"))
		return sp_get_strv(c, v, "subArchitectures", RF_PROFILE_MAX_LIST, &e->sub_arches,
				   NULL);
	return sp_fail(c, k, "unknown key '%s' in archMap%s", key, NULL);
}

static int parse_arch_map(struct pctx *c, struct fy_node *n, struct rf_profile *p)
{
	struct fy_node *item;
	void *it = NULL;
	size_t count;

	if (sp_check_node(c, n, "archMap") < 0)
		return -EINVAL;
	if (!fy_node_is_sequence(n))
		return sp_fail(c, n, "archMap must be a list%s%s", NULL, NULL);
	count = (size_t)fy_node_sequence_item_count(n);
	if (count > RF_PROFILE_MAX_LIST)
		return sp_fail_limit(c, n, "archMap entries", RF_PROFILE_MAX_LIST);
	p->arch_map = calloc(count ?: 1, sizeof(*p->arch_map));
	if (!p->arch_map)
		return -ENOMEM;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct rf_arch_map_entry *e = &p->arch_map[p->n_arch_map++];
		int r;

		e->line = sp_node_line(item);
		r = sp_walk_mapping(c, item, "archMap entry", arch_map_key, e);
		if (r < 0)
			return r;
		if (!e->arch)
			return sp_fail(c, item, "archMap entry has no 'architecture'%s%s", NULL,
				       NULL);
	}
	return 0;
}

/* Keys of the seccomp object itself (OCI, Docker and SPO spec share them). */
static int profile_key(struct pctx *c, const char *key, struct fy_node *k, struct fy_node *v,
		       void *obj)
{
	struct rf_profile *p = obj;

	if (streq(key, "defaultAction")) {
		p->line_default_action = sp_node_line(v);
		return sp_get_action(c, v, "defaultAction", &p->default_action);
	}
	if (streq(key, "defaultErrnoRet"))
		return errno_number(c, v, "defaultErrnoRet", &p->has_default_errno_ret,
				    &p->default_errno_ret, p->default_errno_name);
	if (streq(key, "defaultErrno"))
		return errno_name(c, v, "defaultErrno", &p->has_default_errno_ret,
				  &p->default_errno_ret, &p->default_errno_name);
	if (streq(key, "architectures"))
		return sp_get_strv(c, v, "architectures", RF_PROFILE_MAX_LIST, &p->architectures,
				   &p->arch_lines);
	if (streq(key, "flags"))
		return sp_get_strv(c, v, "flags", RF_PROFILE_MAX_LIST, &p->flags, &p->flag_lines);
	if (streq(key, "listenerPath"))
		return sp_get_string(c, v, "listenerPath", &p->listener_path);
	if (streq(key, "listenerMetadata"))
		return sp_get_string(c, v, "listenerMetadata", &p->listener_metadata);
	if (streq(key, "syscalls"))
		return parse_syscalls(c, v, p);
	if (streq(key, "archMap")) {
		p->format = RF_FORMAT_DOCKER;
		return parse_arch_map(c, v, p);
	}
	if (p->format == RF_FORMAT_SPO && streq(key, "baseProfileName"))
		return sp_fail(c, v,
			       "SPO baseProfileName is not supported yet: inline the base "
			       "profile%s%s",
			       NULL, NULL);
	return sp_fail(c, k, "unknown key '%s' in seccomp profile%s", key, NULL);
}

static const char *scalar_of(struct fy_node *map, const char *key)
{
	struct fy_node *n = fy_node_mapping_lookup_by_string(map, key, FY_NT);

	return n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
}

static int parse_spo(struct pctx *c, struct fy_node *root, struct rf_profile *p)
{
	const char *api = scalar_of(root, "apiVersion"), *kind = scalar_of(root, "kind");
	struct fy_node *meta = fy_node_mapping_lookup_by_string(root, "metadata", FY_NT);
	struct fy_node *spec = fy_node_mapping_lookup_by_string(root, "spec", FY_NT);
	if (!api || strncmp(api, "security-profiles-operator.x-k8s.io/", 36) != 0)
		return sp_fail(c,
			       fy_node_mapping_lookup_by_string(root, "apiVersion", FY_NT) ?: root,
			       "apiVersion '%s' is not a Security Profiles Operator version%s",
			       api ?: "(missing)", NULL);
	if (!kind || !streq(kind, "SeccompProfile"))
		return sp_fail(c, fy_node_mapping_lookup_by_string(root, "kind", FY_NT) ?: root,
			       "kind '%s' is not SeccompProfile%s", kind ?: "(missing)", NULL);
	p->format = RF_FORMAT_SPO;
	if (meta && !fy_node_is_mapping(meta))
		return sp_fail(c, meta, "metadata must be an object%s%s", NULL, NULL);
	if (meta) {
		struct fy_node *nn = fy_node_mapping_lookup_by_string(meta, "name", FY_NT);
		struct fy_node *ns = fy_node_mapping_lookup_by_string(meta, "namespace", FY_NT);
		int r;

		if (nn && (r = sp_get_string(c, nn, "metadata.name", &p->spo_name)) < 0)
			return r;
		if (ns && (r = sp_get_string(c, ns, "metadata.namespace", &p->spo_namespace)) < 0)
			return r;
	}
	if (!spec)
		return sp_fail(c, root, "SeccompProfile has no spec%s%s", NULL, NULL);
	return sp_walk_mapping(c, spec, "spec", profile_key, p);
}

/* moby's keys, or containers/common's errno names (its format is moby's plus those). */
static bool rules_use_docker_keys(const struct rf_profile *p)
{
	if (p->default_errno_name || rf_profile_has_conditions(p))
		return true;
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].comment || p->rules[i].errno_name)
			return true;
	return false;
}

static int parse_root(struct pctx *c, struct fy_node *root, struct rf_profile *p)
{
	struct fy_node *linux_node, *seccomp;
	int r;

	if (!root || !fy_node_is_mapping(root))
		return sp_fail(c, root, "a seccomp profile must be an object%s%s", NULL, NULL);
	if (fy_node_mapping_lookup_by_string(root, "apiVersion", FY_NT) ||
	    fy_node_mapping_lookup_by_string(root, "kind", FY_NT))
		return parse_spo(c, root, p);
	linux_node = fy_node_mapping_lookup_by_string(root, "linux", FY_NT);
	if (linux_node || fy_node_mapping_lookup_by_string(root, "ociVersion", FY_NT) ||
	    fy_node_mapping_lookup_by_string(root, "process", FY_NT)) {
		seccomp = linux_node && fy_node_is_mapping(linux_node)
				  ? fy_node_mapping_lookup_by_string(linux_node, "seccomp", FY_NT)
				  : NULL;
		if (!seccomp)
			return sp_fail(c, root, "config.json has no linux.seccomp object%s%s", NULL,
				       NULL);
		p->format = RF_FORMAT_OCI_CONFIG;
		return sp_walk_mapping(c, seccomp, "linux.seccomp", profile_key, p);
	}
	p->format = RF_FORMAT_OCI;
	r = sp_walk_mapping(c, root, "profile", profile_key, p);
	if (r < 0)
		return r;
	if (p->format == RF_FORMAT_OCI && rules_use_docker_keys(p))
		p->format = RF_FORMAT_DOCKER;
	return 0;
}

/* One document's tree into a profile (the stream is parse-stream.c's). */
int sp_parse_document(struct pctx *c, struct fy_node *root, struct rf_profile *p)
{
	int r = parse_root(c, root, p);

	if (r < 0)
		return r == -ENOMEM ? rf_error_set(c->d.err, r, "out of memory") : r;
	if (p->default_action == RF_ACT_INVALID)
		return rf_error_set_at(c->d.err, -EINVAL, c->d.source ?: "<input>", 0,
				       "%sprofile has no defaultAction", c->d.label ?: "");
	if (c->d.source && !(p->source = strdup(c->d.source)))
		return -ENOMEM;
	return 0;
}
