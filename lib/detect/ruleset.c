/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ruleset: its life cycle and accessors, and compilation: every enabled rule's condition is
 * compiled (cond.c), then its domain, the (event kind, event type) pairs where it can be true,
 * is worked out from the tree and becomes entries of the index; what the rules need from a
 * source (kinds, syscalls, path prefixes, fields) is the union of the domains. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/macro.h"
#include "core/strv.h"
#include "detect-internal.h"

static const char *const prio_names[] = {
	[RF_PRIO_EMERGENCY] = "emergency",
	[RF_PRIO_ALERT] = "alert",
	[RF_PRIO_CRITICAL] = "critical",
	[RF_PRIO_ERROR] = "error",
	[RF_PRIO_WARNING] = "warning",
	[RF_PRIO_NOTICE] = "notice",
	[RF_PRIO_INFORMATIONAL] = "informational",
	[RF_PRIO_DEBUG] = "debug",
};

const char *rf_priority_name(enum rf_priority p)
{
	return p <= RF_PRIO_DEBUG ? prio_names[p] : "unknown";
}

int rf_priority_from_string(const char *s, enum rf_priority *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(prio_names); i++)
		if (!strcasecmp(s, prio_names[i])) {
			*ret = (enum rf_priority)i;
			return 0;
		}
	if (!strcasecmp(s, "info")) {
		*ret = RF_PRIO_INFORMATIONAL;
		return 0;
	}
	return -EINVAL;
}

const char *rf_rule_action_name(enum rf_rule_action a)
{
	return a == RF_ACTION_KILL ? "kill" : a == RF_ACTION_DENY ? "deny" : "alert";
}

int rf_ruleset_new(struct rf_ruleset **ret)
{
	struct rf_ruleset *rs = calloc(1, sizeof(*rs));
	int r;

	if (!rs)
		return -ENOMEM;
	rs->rules_by_name = (struct rf_hmap)RF_HMAP_INIT_STR;
	rs->lists_by_name = (struct rf_hmap)RF_HMAP_INIT_STR;
	rs->macros_by_name = (struct rf_hmap)RF_HMAP_INIT_STR;
	rs->slots = (struct rf_hmap)RF_HMAP_INIT_STR;
	r = evtypes_init(&rs->types);
	if (r < 0) {
		free(rs);
		return r;
	}
	*ret = rs;
	return 0;
}

void rule_free(struct rf_rule *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->desc);
	toks_done(&r->cond);
	free(r->output);
	output_free(r->out, r->n_out);
	strv_free(r->tags);
	strv_free(r->mitre);
	free(r->finding_type);
	for (size_t i = 0; i < r->n_exc; i++)
		exception_done(&r->exc[i]);
	free(r->exc);
	free(r->origin);
	node_free(r->root);
	free(r->used);
	free(r);
}

void rf_ruleset_free(struct rf_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n_rules; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	for (size_t i = 0; i < rs->n_lists; i++) {
		free(rs->lists[i]->name);
		strv_free(rs->lists[i]->items);
		free(rs->lists[i]->item_locs);
		free(rs->lists[i]);
	}
	free(rs->lists);
	for (size_t i = 0; i < rs->n_macros; i++) {
		free(rs->macros[i]->name);
		toks_done(&rs->macros[i]->cond);
		free(rs->macros[i]);
	}
	free(rs->macros);
	rf_hmap_done(&rs->rules_by_name, NULL);
	rf_hmap_done(&rs->lists_by_name, NULL);
	rf_hmap_done(&rs->macros_by_name, NULL);
	rf_hmap_done(&rs->slots, NULL);
	strv_free(rs->slot_keys);
	strv_free(rs->files);
	strv_free(rs->warnings);
	evtypes_done(&rs->types);
	free(rs->bucket_start);
	free(rs->bucket_rules);
	strv_free(rs->kill_syscalls);
	strv_free(rs->path_prefixes);
	strv_free(rs->addr_prefixes);
	strv_free(rs->syscalls);
	free(rs);
}

const char *rs_intern_file(struct rf_ruleset *rs, const char *file)
{
	STRV_FOREACH(f, rs->files)
		if (streq(*f, file))
			return *f;
	if (strv_extend(&rs->files, file) < 0)
		return NULL;
	return rs->files[strv_length(rs->files) - 1];
}

int rs_warn(struct rf_ruleset *rs, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = strv_extend(&rs->warnings, msg);
	free(msg);
	return r;
}

int rs_fail(struct rf_ruleset *rs, struct rf_error *err, const struct rloc *loc, const char *fmt,
	    ...)
{
	char *msg = NULL;
	va_list ap;
	int r;

	rs->failed = true;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = rf_error_set_at_col(err, -EINVAL, loc->file, loc->line, loc->col, "%s", msg);
	free(msg);
	return r;
}

/* ---- accessors ---- */

char *const *rf_ruleset_warnings(const struct rf_ruleset *rs)
{
	return rs->warnings;
}
size_t rf_ruleset_count(const struct rf_ruleset *rs)
{
	return rs->n_rules;
}
size_t rf_ruleset_enabled_count(const struct rf_ruleset *rs)
{
	return rs->n_enabled;
}

const struct rf_rule *rf_ruleset_rule(const struct rf_ruleset *rs, size_t i)
{
	return i < rs->n_rules ? rs->rules[i] : NULL;
}

const struct rf_rule *rf_ruleset_find(const struct rf_ruleset *rs, const char *name)
{
	return rf_hmap_get_str(&rs->rules_by_name, name);
}

const char *rf_rule_name(const struct rf_rule *r)
{
	return r->name;
}
const char *rf_rule_desc(const struct rf_rule *r)
{
	return r->desc ?: "";
}
enum rf_priority rf_rule_priority(const struct rf_rule *r)
{
	return r->priority;
}
char *const *rf_rule_tags(const struct rf_rule *r)
{
	return r->tags;
}
char *const *rf_rule_mitre(const struct rf_rule *r)
{
	return r->mitre;
}
const char *rf_rule_output(const struct rf_rule *r)
{
	return r->output ?: "";
}
enum rf_rule_action rf_rule_action(const struct rf_rule *r)
{
	return r->action;
}
bool rf_rule_enabled(const struct rf_rule *r)
{
	return r->enabled;
}
size_t rf_rule_index(const struct rf_rule *r)
{
	return r->index;
}
const char *rf_rule_origin(const struct rf_rule *r)
{
	return r->origin;
}
size_t rf_rule_ancestry_depth(const struct rf_rule *r)
{
	return r->depth;
}
bool rf_rule_reads_state(const struct rf_rule *r)
{
	return r->reads_state;
}

const char *rf_rule_finding_type(const struct rf_rule *r)
{
	return r->finding_type ?: "Unclassified:Runtime/CustomRule";
}

/* ---- domains ---- */

struct dom {
	uint32_t all;	/* kinds where every type can match */
	uint64_t *bits; /* [kind][words]: the types it can match for the other kinds */
	size_t words;
};

static int dom_new(size_t ntypes, uint32_t all, struct dom *ret)
{
	ret->words = (ntypes + 63) / 64;
	ret->bits = calloc((size_t)RF_EV_KIND_MAX * ret->words, sizeof(uint64_t));
	ret->all = all;
	return ret->bits ? 0 : -ENOMEM;
}

static uint64_t *dom_row(const struct dom *d, int kind)
{
	return d->bits + (size_t)kind * d->words;
}

static int dom_of(const struct rf_ruleset *rs, const struct node *n, struct dom *ret)
{
	struct dom kid;
	int r;

	switch (n->kind) {
	case N_CMP:
		if (!n->evtype_ids || n->op == OP_NE)
			return dom_new(rs->types.n, n->evtype_ids ? ALL_KINDS : n->ref.f->kinds,
				       ret);
		r = dom_new(rs->types.n, 0, ret);
		for (uint32_t i = 0; r >= 0 && i < n->evtype_ids_n; i++) {
			uint32_t id = n->evtype_ids[i], prods;

			prods = evtypes_producers(rs->types.names[id]);
			for (int k = 1; k < RF_EV_KIND_MAX; k++)
				if (prods & RF_EV_BIT(k))
					dom_row(ret, k)[id / 64] |= UINT64_C(1) << (id % 64);
		}
		return r;
	case N_AND:
	case N_OR:
		r = dom_new(rs->types.n, n->kind == N_AND ? ALL_KINDS : 0, ret);
		if (n->kind == N_AND)
			for (int k = 1; r >= 0 && k < RF_EV_KIND_MAX; k++)
				memset(dom_row(ret, k), 0xff, ret->words * sizeof(uint64_t));
		for (size_t i = 0; r >= 0 && i < n->n_kids; i++) {
			r = dom_of(rs, n->kids[i], &kid);
			for (int k = 1; r >= 0 && k < RF_EV_KIND_MAX; k++) {
				uint64_t *a = dom_row(ret, k), *b = dom_row(&kid, k);
				bool a_all = ret->all & RF_EV_BIT(k),
				     b_all = kid.all & RF_EV_BIT(k);

				for (size_t w = 0; w < ret->words; w++) {
					uint64_t bw = b_all ? UINT64_MAX : b[w];
					uint64_t aw = a_all ? UINT64_MAX : a[w];

					a[w] = n->kind == N_AND ? aw & bw : aw | bw;
				}
			}
			if (r >= 0)
				ret->all =
					n->kind == N_AND ? ret->all & kid.all : ret->all | kid.all;
			free(kid.bits);
		}
		return r;
	default: /* not, true: anything */ return dom_new(rs->types.n, ALL_KINDS, ret);
	}
}

/* ---- path prefixes ---- */

static bool is_read_open_type(const char *name)
{
	return streq(name, "open") || streq(name, "openat") || streq(name, "openat2");
}

/* Can n hold for an open that only reads (no write, create or truncate)? False when a
 * conjunction requires evt.is_open_write = true (the default rules' open_write macro) or event
 * types none of which is such an open, or when every branch of a disjunction cannot.
 * Conservative: anything else may. A rule that cannot needs no read-only opens, so its paths
 * need not reach user space for them. */
static bool may_match_read_open(const struct rf_ruleset *rs, const struct node *n)
{
	switch (n->kind) {
	case N_CMP:
		if (n->evtype_ids && (n->op == OP_EQ || n->op == OP_IN)) {
			for (uint32_t i = 0; i < n->evtype_ids_n; i++)
				if (is_read_open_type(rs->types.names[n->evtype_ids[i]]))
					return true;
			return false;
		}
		return !(n->op == OP_EQ && n->n_ints == 1 && n->ints[0] == 1 &&
			 streq(n->ref.f->name, "evt.is_open_write"));
	case N_AND:
		for (size_t i = 0; i < n->n_kids; i++)
			if (!may_match_read_open(rs, n->kids[i]))
				return false;
		return true;
	case N_OR:
		for (size_t i = 0; i < n->n_kids; i++)
			if (may_match_read_open(rs, n->kids[i]))
				return true;
		return false;
	default: return true;
	}
}

/* Prefixes one of which a FILE event's path must start with for n to hold; NULL (with 0)
 * when n does not constrain the path. */
static int prefixes_of(const struct node *n, char ***ret)
{
	*ret = NULL;
	if (n->kind == N_CMP) {
		if (!(n->ref.f->flags & FF_PATH))
			return 0;
		if (n->op != OP_EQ && n->op != OP_IN && n->op != OP_PMATCH &&
		    n->op != OP_STARTSWITH && n->op != OP_GLOB && n->op != OP_CONTAINS &&
		    n->op != OP_ENDSWITH)
			return 0;
		for (size_t i = 0; i < n->n_strs; i++) {
			size_t len =
				n->op == OP_GLOB ? strcspn(n->strs[i].s, "*?[\\") : n->strs[i].len;
			int r;

			/* "/.ssh/id_" anywhere (glob "*\/.ssh/id_*" becomes contains): every path
			 * it matches has a "/." in it, which a filtering source always passes
			 * (ringfence/rules.h): no prefix needed. Other infixes: every path. */
			if (n->op == OP_CONTAINS || n->op == OP_ENDSWITH ||
			    (n->op == OP_GLOB && n->strs[i].s[0] == '*')) {
				const char *v = n->strs[i].s + (n->op == OP_GLOB);

				if (strncmp(v, "/.", 2)) {
					strv_free(*ret);
					*ret = NULL;
					return 0;
				}
				continue;
			}
			if (!len || n->strs[i].s[0] != '/') {
				strv_free(*ret);
				*ret = NULL;
				return 0;
			}
			r = strv_extend_len(ret, n->strs[i].s, len);
			if (r < 0)
				return r;
		}
		if (!*ret)
			*ret = calloc(1, sizeof(char *));
		return *ret ? 0 : -ENOMEM;
	}
	if (n->kind == N_AND) {
		for (size_t i = 0; i < n->n_kids; i++) {
			char **p = NULL;
			int r = prefixes_of(n->kids[i], &p);

			if (r < 0)
				return r;
			if (p && (!*ret || strv_length(p) < strv_length(*ret))) {
				strv_free(*ret);
				*ret = p;
			} else {
				strv_free(p);
			}
		}
		return 0;
	}
	if (n->kind == N_OR) {
		_cleanup_strv_free_ char **all = calloc(1, sizeof(char *));

		if (!all)
			return -ENOMEM;
		for (size_t i = 0; i < n->n_kids; i++) {
			char **p = NULL;
			int r = prefixes_of(n->kids[i], &p);

			if (r < 0)
				return r;
			if (!p)
				return 0;
			STRV_FOREACH(s, p)
				if ((r = strv_extend_unique(&all, *s)) < 0)
					break;
			strv_free(p);
			if (r < 0)
				return r;
		}
		*ret = TAKE_PTR(all);
	}
	return 0;
}

/* Sorted, and none the prefix of another (the shorter covers it). */
static void minimise(char **v)
{
	size_t n = strv_length(v), out = 0;

	strv_sort(v);
	for (size_t i = 0; i < n; i++) {
		if (out && !strncmp(v[i], v[out - 1], strlen(v[out - 1]))) {
			free(v[i]);
			continue;
		}
		v[out++] = v[i];
	}
	if (v)
		v[out] = NULL;
}

/* ---- compile ---- */

static void rule_needs(struct rf_rule *rule)
{
	rule->depth = 0;
	for (size_t i = 0; i < rule->n_used; i++) {
		const struct fref *u = &rule->used[i];
		size_t d = 0;

		rule->needs_fields |= u->f->needs;
		rule->needs_proc |= !!(u->f->flags & FF_PROC);
		rule->needs_meta |= !!(u->f->flags & FF_META);
		rule->reads_state |= !!(u->f->flags & FF_STATE);
		if (u->f->flags & FF_ANCESTOR)
			d = u->index >= 0		     ? (size_t)u->index
			    : u->f->flags & FF_ALL_ANCESTORS ? SIZE_MAX
							     : u->f->depth;
		if (d > rule->depth)
			rule->depth = d;
	}
}

static int add_syscalls_of(struct rf_ruleset *rs, const struct dom *d, char ***to)
{
	int r = evtypes_syscalls_of_kinds(d->all & DECODED_KINDS, to);

	for (int k = 1; r >= 0 && k < RF_EV_KIND_MAX; k++) {
		if (d->all & RF_EV_BIT(k))
			continue;
		for (size_t id = 1; r >= 0 && id < rs->types.n; id++)
			if ((dom_row(d, k)[id / 64] >> (id % 64) & 1) &&
			    evtypes_is_syscall(rs->types.names[id]))
				r = strv_extend_unique(to, rs->types.names[id]);
	}
	return r;
}

static int index_rule(struct rf_ruleset *rs, struct rf_rule *rule, const struct dom *d,
		      uint32_t *counts, uint32_t *fill, bool place)
{
	for (int k = 1; k < RF_EV_KIND_MAX; k++)
		for (size_t id = 0; id < rs->types.n; id++) {
			size_t b = (size_t)k * rs->types.n + id;

			if (!(d->all & RF_EV_BIT(k)) && !(dom_row(d, k)[id / 64] >> (id % 64) & 1))
				continue;
			if (place)
				rs->bucket_rules[fill[b]++] = (uint32_t)rule->index;
			else
				counts[b]++;
		}
	return 0;
}

static int compile_one(struct rf_ruleset *rs, struct rf_rule *rule, struct rf_error *err)
{
	int r = cond_compile_rule(rs, rule, err);

	if (r == -ENOENT) { /* skip-if-unknown-filter */
		rule->enabled = false;
		return rs_warn(rs,
			       "%s: rule '%s' skipped: it uses a field ringfence does not have "
			       "(skip-if-unknown-filter)",
			       rule->origin, rule->name);
	}
	if (r < 0)
		return r;
	/* Condition fields decide depth and needs; output fields are only shown. */
	rule_needs(rule);
	for (size_t i = 0; i < rule->n_out; i++) {
		bool seen = false;

		if (rule->out[i].text)
			continue;
		for (size_t k = 0; k < rule->n_used; k++)
			seen |= rule->used[k].f == rule->out[i].ref.f &&
				rule->used[k].index == rule->out[i].ref.index;
		if (!seen) {
			struct fref *v = realloc(rule->used, (rule->n_used + 1) * sizeof(*v));

			if (!v)
				return -ENOMEM;
			rule->used = v;
			rule->used[rule->n_used++] = rule->out[i].ref;
		}
	}
	return 0;
}

int rf_ruleset_compile(struct rf_ruleset *rs, struct rf_error *reterr)
{
	struct dom *doms = NULL;
	uint32_t *counts = NULL, *fill = NULL;
	size_t nb;
	int r = 0;

	if (rs->compiled || rs->failed)
		return rf_error_set(reterr, -EINVAL, "the ruleset is %s",
				    rs->compiled ? "compiled already"
						 : "broken by an earlier error");
	for (size_t i = 0; i < rs->n_rules && r >= 0; i++) {
		if (rs->rules[i]->enabled)
			r = compile_one(rs, rs->rules[i], reterr);
	}
	if (r < 0)
		goto out;
	doms = calloc(rs->n_rules ?: 1, sizeof(*doms));
	if (!doms) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rs->n_rules && r >= 0; i++) {
		struct rf_rule *rule = rs->rules[i];
		char **pfx = NULL;
		uint32_t kinds = 0;

		if (!rule->enabled)
			continue;
		r = dom_of(rs, rule->root, &doms[i]);
		if (r < 0)
			break;
		/* Raw syscall events only where a rule names the call. */
		doms[i].all &= ~RAW_KINDS;
		for (int k = 1; k < RF_EV_KIND_MAX; k++) {
			bool some = doms[i].all & RF_EV_BIT(k);

			for (size_t w = 0; !some && w < doms[i].words; w++)
				some = dom_row(&doms[i], k)[w] != 0;
			if (some)
				kinds |= RF_EV_BIT(k);
		}
		if (!kinds) {
			r = rs_fail(rs, reterr, &rule->loc,
				    "rule '%s' can never match: the fields "
				    "its condition reads do not exist for the event types it names",
				    rule->name);
			break;
		}
		rs->n_enabled++;
		rs->needs_proc |= rule->needs_proc;
		rs->needs_meta |= rule->needs_meta;
		rs->uses_state |= rule->reads_state;
		rs->need_fields |= rule->needs_fields;
		rs->need_kinds |= kinds;
		r = add_syscalls_of(rs, &doms[i], &rs->syscalls);
		/* What a kill rule can match: a source that can hold a process at those events
		 * until the verdict does (the eBPF watch program). */
		if (r >= 0 && rule->action == RF_ACTION_KILL) {
			rs->kill_kinds |= kinds;
			r = add_syscalls_of(rs, &doms[i], &rs->kill_syscalls);
		}
		if (r >= 0 && (kinds & RF_EV_BIT(RF_EV_NET)))
			r = ruleset_add_addrs_of_rule(rs, rule);
		if (r >= 0 && (kinds & RF_EV_BIT(RF_EV_FILE))) {
			r = prefixes_of(rule->root, &pfx);
			/* Without a prefix: every path of what the rule can match. */
			if (r >= 0 && !pfx) {
				rs->all_write_paths = true;
				if (may_match_read_open(rs, rule->root))
					rs->all_paths = true;
			}
			STRV_FOREACH(p, pfx)
				if (r >= 0)
					r = strv_extend_unique(&rs->path_prefixes, *p);
			strv_free(pfx);
		}
	}
	if (r < 0)
		goto out;
	if (rs->uses_state) { /* drift reads every write */
		rs->need_kinds |= RF_EV_BIT(RF_EV_FILE);
		rs->all_write_paths = true;
		r = evtypes_syscalls_of_kinds(RF_EV_BIT(RF_EV_FILE), &rs->syscalls);
		if (r < 0)
			goto out;
	}
	if (rs->need_kinds & RAW_KINDS)
		rs->need_fields |= RF_FIELD_PER_CALL | RF_FIELD_ARGS;
	if (rs->needs_proc)
		rs->need_fields |= RF_FIELD_PROC;
	minimise(rs->path_prefixes);
	strv_sort(rs->syscalls);
	/* The index: counts per bucket, prefix sums, then placement in rule order. */
	nb = (size_t)RF_EV_KIND_MAX * rs->types.n;
	counts = calloc(nb + 1, sizeof(*counts));
	fill = calloc(nb + 1, sizeof(*fill));
	rs->bucket_start = calloc(nb + 1, sizeof(*rs->bucket_start));
	if (!counts || !fill || !rs->bucket_start) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rs->n_rules; i++)
		if (rs->rules[i]->enabled)
			index_rule(rs, rs->rules[i], &doms[i], counts, NULL, false);
	for (size_t b = 0; b < nb; b++)
		rs->bucket_start[b + 1] = rs->bucket_start[b] + counts[b];
	rs->bucket_rules = calloc(rs->bucket_start[nb] + 1, sizeof(*rs->bucket_rules));
	if (!rs->bucket_rules) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(fill, rs->bucket_start, nb * sizeof(*fill));
	for (size_t i = 0; i < rs->n_rules; i++)
		if (rs->rules[i]->enabled)
			index_rule(rs, rs->rules[i], &doms[i], NULL, fill, true);
	for (size_t i = 0; i < rs->n_lists; i++)
		if (!rs->lists[i]->used)
			(void)rs_warn(rs, "%s:%u: list '%s' is not used", rs->lists[i]->loc.file,
				      rs->lists[i]->loc.line, rs->lists[i]->name);
	for (size_t i = 0; i < rs->n_macros; i++)
		if (!rs->macros[i]->used)
			(void)rs_warn(rs, "%s:%u: macro '%s' is not used", rs->macros[i]->loc.file,
				      rs->macros[i]->loc.line, rs->macros[i]->name);
	rs->compiled = true;
out:
	for (size_t i = 0; doms && i < rs->n_rules; i++)
		free(doms[i].bits);
	free(doms);
	free(counts);
	free(fill);
	if (r < 0) {
		rs->failed = true;
		if (!rf_error_is_set(reterr))
			rf_error_set(reterr, r, "compiling rules: %s", strerror(-r));
	}
	return r;
}

int rf_ruleset_needs(const struct rf_ruleset *rs, struct rf_ruleset_needs *ret)
{
	struct rf_ruleset_needs n = {
		.kinds = rs->need_kinds,
		.fields = rs->need_fields,
		.all_paths = rs->all_paths,
		.all_write_paths = rs->all_write_paths || rs->all_paths,
		.proc_table = rs->needs_proc,
		.container_meta = rs->needs_meta,
		.kill_kinds = rs->kill_kinds,
		.all_addrs = rs->all_addrs,
		.addrs_ioc = rs->addrs_ioc,
		.addrs_dns_listed = rs->addrs_dns_listed,
	};

	if (!rs->compiled)
		return -EINVAL;
	n.syscalls = rs->syscalls ? strv_copy(rs->syscalls) : calloc(1, sizeof(char *));
	n.path_prefixes = rs->path_prefixes && !rs->all_paths ? strv_copy(rs->path_prefixes)
							      : calloc(1, sizeof(char *));
	n.kill_syscalls =
		rs->kill_syscalls ? strv_copy(rs->kill_syscalls) : calloc(1, sizeof(char *));
	n.addr_prefixes = rs->addr_prefixes && !rs->all_addrs ? strv_copy(rs->addr_prefixes)
							      : calloc(1, sizeof(char *));
	if (!n.syscalls || !n.path_prefixes || !n.kill_syscalls || !n.addr_prefixes) {
		rf_ruleset_needs_done(&n);
		return -ENOMEM;
	}
	*ret = n;
	return 0;
}

int rf_ruleset_needs_add(struct rf_ruleset_needs *n, uint32_t kinds, bool all_paths)
{
	int r = evtypes_syscalls_of_kinds(kinds & DECODED_KINDS, &n->syscalls);

	if (r < 0)
		return r;
	strv_sort(n->syscalls);
	n->kinds |= kinds;
	if (kinds & RF_EV_BIT(RF_EV_NET))
		n->all_addrs = true;
	if (kinds & ~(RF_EV_BIT(RF_EV_GAP) | RF_EV_BIT(RF_EV_K8S_AUDIT)))
		n->proc_table = true;
	if (all_paths) {
		n->all_paths = n->all_write_paths = true;
		strv_free(n->path_prefixes);
		n->path_prefixes = calloc(1, sizeof(char *));
		if (!n->path_prefixes)
			return -ENOMEM;
	}
	return 0;
}

void rf_ruleset_needs_done(struct rf_ruleset_needs *n)
{
	strv_free(n->syscalls);
	strv_free(n->path_prefixes);
	strv_free(n->kill_syscalls);
	strv_free(n->addr_prefixes);
	*n = (struct rf_ruleset_needs){ 0 };
}
