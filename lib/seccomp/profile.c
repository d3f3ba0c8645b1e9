/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The profile model: allocation, freeing, and the string tables of actions, operators and
 * formats shared by every reader and writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strv.h"
#include "profile-internal.h"

static const char *const action_names[] = {
	[RF_ACT_KILL] = "SCMP_ACT_KILL",
	[RF_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[RF_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[RF_ACT_TRAP] = "SCMP_ACT_TRAP",
	[RF_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[RF_ACT_TRACE] = "SCMP_ACT_TRACE",
	[RF_ACT_LOG] = "SCMP_ACT_LOG",
	[RF_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[RF_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const cmp_names[] = {
	[RF_CMP_NE] = "SCMP_CMP_NE",
	[RF_CMP_LT] = "SCMP_CMP_LT",
	[RF_CMP_LE] = "SCMP_CMP_LE",
	[RF_CMP_EQ] = "SCMP_CMP_EQ",
	[RF_CMP_GE] = "SCMP_CMP_GE",
	[RF_CMP_GT] = "SCMP_CMP_GT",
	[RF_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* Every format, output formats first and in the order lists show them. A new output format is
 * one row here (and its writer in write.c); help texts and messages list these rows. */
static const struct rf_format_info formats[] = {
	{ RF_FORMAT_OCI, "oci", true, "OCI runtime spec linux.seccomp object (runc, crun)" },
	{ RF_FORMAT_DOCKER, "docker", true,
	  "Docker/moby JSON: conditions (archMap, includes/excludes) and errno names kept" },
	{ RF_FORMAT_SPO, "spo", true, "Security Profiles Operator SeccompProfile YAML (v1beta1)" },
	{ RF_FORMAT_OCI_CONFIG, "oci-config", false,
	  "a whole OCI config.json (read; written as oci)" },
};

/* Index of `s` in a sparse name table, or 0 (every table's invalid value) when absent. */
static size_t table_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && streq(names[i], s))
			return i;
	return 0;
}

static const char *table_name(const char *const *names, size_t n, size_t i, const char *dflt)
{
	return i < n && names[i] ? names[i] : dflt;
}

const char *rf_action_to_string(enum rf_action a)
{
	return table_name(action_names, ELEMENTSOF(action_names), a, "SCMP_ACT_INVALID");
}

enum rf_action rf_action_from_string(const char *s)
{
	return (enum rf_action)table_index(action_names, ELEMENTSOF(action_names), s);
}

const char *rf_cmp_to_string(enum rf_cmp_op op)
{
	return table_name(cmp_names, ELEMENTSOF(cmp_names), op, "SCMP_CMP_INVALID");
}

enum rf_cmp_op rf_cmp_from_string(const char *s)
{
	return (enum rf_cmp_op)table_index(cmp_names, ELEMENTSOF(cmp_names), s);
}

const struct rf_format_info *rf_format_info(size_t i)
{
	return i < ELEMENTSOF(formats) ? &formats[i] : NULL;
}

const char *rf_format_to_string(enum rf_profile_format f)
{
	for (size_t i = 0; i < ELEMENTSOF(formats); i++)
		if (formats[i].format == f)
			return formats[i].name;
	return "unknown";
}

enum rf_profile_format rf_format_from_string(const char *s)
{
	for (size_t i = 0; s && i < ELEMENTSOF(formats); i++)
		if (streq(formats[i].name, s))
			return formats[i].format;
	return RF_FORMAT_UNKNOWN;
}

char *rf_format_names(const char *sep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	if (!f)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(formats); i++)
		if (formats[i].output) {
			fprintf(f, "%s%s", first ? "" : sep, formats[i].name);
			first = false;
		}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct rf_profile *rf_profile_new(void)
{
	return calloc(1, sizeof(struct rf_profile));
}

static void cond_done(struct rf_seccomp_rule_cond *c)
{
	strv_free(c->caps);
	strv_free(c->arches);
	free(c->min_kernel);
	*c = (struct rf_seccomp_rule_cond){ 0 };
}

void rf_seccomp_rule_done(struct rf_seccomp_rule *r)
{
	strv_free(r->names);
	free(r->name_lines);
	free(r->errno_name);
	free(r->args);
	free(r->comment);
	cond_done(&r->includes);
	cond_done(&r->excludes);
	*r = (struct rf_seccomp_rule){ 0 };
}

struct rf_profile *rf_profile_free(struct rf_profile *p)
{
	if (!p)
		return NULL;
	free(p->source);
	free(p->spo_name);
	free(p->spo_namespace);
	free(p->default_errno_name);
	strv_free(p->architectures);
	for (size_t i = 0; i < p->n_arch_map; i++) {
		free(p->arch_map[i].arch);
		strv_free(p->arch_map[i].sub_arches);
	}
	free(p->arch_map);
	strv_free(p->flags);
	free(p->arch_lines);
	free(p->flag_lines);
	free(p->listener_path);
	free(p->listener_metadata);
	for (size_t i = 0; p->rules && i < p->n_rules; i++)
		rf_seccomp_rule_done(&p->rules[i]);
	free(p->rules);
	free(p);
	return NULL;
}

bool rf_profile_has_conditions(const struct rf_profile *p)
{
	if (p->n_arch_map > 0)
		return true;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rf_seccomp_rule *r = &p->rules[i];
		if (strv_length(r->includes.caps) || strv_length(r->includes.arches) ||
		    r->includes.min_kernel || strv_length(r->excludes.caps) ||
		    strv_length(r->excludes.arches) || r->excludes.min_kernel)
			return true;
	}
	return false;
}

/* Appends an empty rule and returns it, or NULL on OOM / limit. */
struct rf_seccomp_rule *rf_profile_add_rule(struct rf_profile *p)
{
	struct rf_seccomp_rule *n;

	if (p->n_rules >= RF_PROFILE_MAX_RULES)
		return NULL;
	n = reallocarray(p->rules, p->n_rules + 1, sizeof(*n));
	if (!n)
		return NULL;
	p->rules = n;
	n = &p->rules[p->n_rules++];
	*n = (struct rf_seccomp_rule){ 0 };
	return n;
}

/* Copies a rule without its Docker conditions (what resolution keeps). */
int rf_seccomp_rule_copy(struct rf_seccomp_rule *dst, const struct rf_seccomp_rule *src)
{
	*dst = (struct rf_seccomp_rule){
		.n_names = src->n_names,
		.action = src->action,
		.has_errno_ret = src->has_errno_ret,
		.errno_ret = src->errno_ret,
		.n_args = src->n_args,
		.line = src->line,
	};
	dst->names = strv_copy(src->names);
	if (src->names && !dst->names)
		goto oom;
	if (src->n_args) {
		dst->args = calloc(src->n_args, sizeof(*dst->args));
		if (!dst->args)
			goto oom;
		memcpy(dst->args, src->args, src->n_args * sizeof(*dst->args));
	}
	if (src->name_lines && src->n_names) {
		dst->name_lines = calloc(src->n_names, sizeof(unsigned));
		if (!dst->name_lines)
			goto oom;
		memcpy(dst->name_lines, src->name_lines, src->n_names * sizeof(unsigned));
	}
	if (src->comment && !(dst->comment = strdup(src->comment)))
		goto oom;
	if (src->errno_name && !(dst->errno_name = strdup(src->errno_name)))
		goto oom;
	return 0;
oom:
	rf_seccomp_rule_done(dst);
	return -ENOMEM;
}

/* Same argument conditions, in the same order. Field by field: the struct has padding, which a
 * compound-literal assignment leaves unspecified, so memcmp would be wrong. */
bool rf_seccomp_rule_args_equal(const struct rf_seccomp_rule *a, const struct rf_seccomp_rule *b)
{
	if (a->n_args != b->n_args)
		return false;
	for (size_t i = 0; i < a->n_args; i++)
		if (a->args[i].index != b->args[i].index || a->args[i].op != b->args[i].op ||
		    a->args[i].value != b->args[i].value ||
		    a->args[i].value_two != b->args[i].value_two)
			return false;
	return true;
}
