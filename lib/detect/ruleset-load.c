/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading rules files (Falco's format, docs/rules.md): a YAML list of rule, macro and list
 * items, read through the document layer so every error is file:line:column. A later item of
 * the same name appends to or overrides an earlier one (`append: true`, or `override:` with
 * append/replace per key, as Falco); a full redefinition replaces it. Conditions and outputs
 * are tokenised here, while the file's text is at hand, so compile-time errors stay located. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/doc.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "core/strv.h"
#include "detect-internal.h"

#define MAX_ITEMS  100000
#define MAX_VALUES 100000

/* The keys of one item, as nodes (NULL when absent). */
enum key {
	K_NAME,
	K_DESC,
	K_CONDITION,
	K_OUTPUT,
	K_PRIORITY,
	K_TAGS,
	K_ENABLED,
	K_EXCEPTIONS,
	K_SOURCE,
	K_APPEND,
	K_OVERRIDE,
	K_WARN_EVTTYPES,
	K_SKIP_UNKNOWN,
	K_FINDING_TYPE,
	K_ACTION,
	K_ITEMS,
	K_MAX
};

static const char *const key_names[K_MAX] = {
	[K_NAME] = "",
	[K_DESC] = "desc",
	[K_CONDITION] = "condition",
	[K_OUTPUT] = "output",
	[K_PRIORITY] = "priority",
	[K_TAGS] = "tags",
	[K_ENABLED] = "enabled",
	[K_EXCEPTIONS] = "exceptions",
	[K_SOURCE] = "source",
	[K_APPEND] = "append",
	[K_OVERRIDE] = "override",
	[K_WARN_EVTTYPES] = "warn_evttypes",
	[K_SKIP_UNKNOWN] = "skip-if-unknown-filter",
	[K_FINDING_TYPE] = "finding_type",
	[K_ACTION] = "action",
	[K_ITEMS] = "items",
};

struct item_keys {
	const char *what; /* "rule", "macro", "list" */
	uint32_t allowed; /* bit per enum key */
	struct fy_node *v[K_MAX];
	struct fy_node *k[K_MAX];
	struct rloc loc; /* of the name */
	const char *name;
};

void loc_of(struct load *l, struct fy_node *n, struct rloc *ret)
{
	ret->file = l->file;
	rf_doc_loc(n, &ret->line, &ret->col);
}

static int read_key(struct rf_doc *d, const char *key, struct fy_node *key_node,
		    struct fy_node *value, void *userdata)
{
	struct item_keys *k = userdata;

	if (streq(key, k->what))
		return 0;
	for (int i = 1; i < K_MAX; i++)
		if (streq(key, key_names[i]) && (k->allowed & (1u << i))) {
			k->v[i] = value;
			k->k[i] = key_node;
			return 0;
		}
	if (streq(key, "capture") || streq(key, "capture_duration"))
		return rf_doc_fail(d, key_node, "%s: '%s' (Falco's capture) is not supported",
				   k->what, key);
	return rf_doc_unknown_key(d, key_node, k->what, key);
}

static int read_keys(struct load *l, struct fy_node *item, struct item_keys *k)
{
	struct fy_node *name = rf_doc_get(l->d, item, k->what);
	int r;

	r = rf_doc_str(l->d, name, k->what, &k->name, NULL);
	if (r < 0)
		return r;
	if (!*k->name)
		return rf_doc_fail(l->d, name, "%s: the name is empty", k->what);
	loc_of(l, name, &k->loc);
	return rf_doc_each_key(l->d, item, k->what, read_key, k);
}

static int lex(struct load *l, struct fy_node *n, const char *what, struct toks *ret)
{
	struct scalar_src src = { .file = l->file, .node = n, .text = l->text, .text_len = l->len };
	const char *s;
	int r = rf_doc_str(l->d, n, what, &s, NULL);

	if (r < 0)
		return r;
	return toks_lex(ret, s, &src, l->d->err);
}

static bool is_mitre_id(const char *t)
{
	size_t n = strlen(t);

	if ((n != 5 && n != 9) || t[0] != 'T')
		return false;
	for (size_t i = 1; i < n; i++)
		if (i == 5 ? t[i] != '.' : (t[i] < '0' || t[i] > '9'))
			return false;
	return true;
}

/* "ThreatPurpose:ResourceType/ThreatFamily[.Detail]", as GuardDuty names finding types. */
static bool is_finding_type(const char *s)
{
	const char *colon = strchr(s, ':'), *slash = colon ? strchr(colon, '/') : NULL;

	if (!colon || colon == s || !slash || slash == colon + 1 || !slash[1])
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(":/._!&-", *s)))
			return false;
	return true;
}

/* ---- override: append / replace per key ---- */

struct override {
	uint32_t append, replace; /* bits per enum key */
};

static int read_override(struct load *l, struct item_keys *k, uint32_t can_append,
			 uint32_t can_replace, struct override *ret)
{
	struct fy_node *map = k->v[K_OVERRIDE];
	struct fy_node_pair *p;
	void *it = NULL;

	if (rf_doc_expect_map(l->d, map, "override") < 0)
		return -EINVAL;
	while ((p = fy_node_mapping_iterate(map, &it))) {
		const char *key, *how;
		int i;

		if (rf_doc_str(l->d, fy_node_pair_key(p), "override key", &key, NULL) < 0 ||
		    rf_doc_str(l->d, fy_node_pair_value(p), "override value", &how, NULL) < 0)
			return -EINVAL;
		for (i = 1; i < K_MAX && !streq(key_names[i], key); i++)
			;
		if (i == K_MAX || !streq(how, "append") == !streq(how, "replace") ||
		    !((streq(how, "append") ? can_append : can_replace) & (1u << i)))
			return rf_doc_fail(l->d, fy_node_pair_value(p),
					   "override: '%s: %s' is not possible for a %s", key, how,
					   k->what);
		if (!k->v[i])
			return rf_doc_fail(l->d, fy_node_pair_key(p),
					   "override: '%s' is not given in this %s", key, k->what);
		if (streq(how, "append"))
			ret->append |= 1u << i;
		else
			ret->replace |= 1u << i;
	}
	for (int i = 1; i < K_MAX; i++)
		if (k->v[i] && i != K_OVERRIDE && !((ret->append | ret->replace) & (1u << i)))
			return rf_doc_fail(l->d, k->k[i],
					   "%s '%s': '%s' needs an entry in 'override'", k->what,
					   k->name, key_names[i]);
	return 0;
}

/* ---- lists ---- */

static void list_free(struct list_def *x)
{
	if (!x)
		return;
	free(x->name);
	strv_free(x->items);
	free(x->item_locs);
	free(x);
}

int scalar_text(struct load *l, struct fy_node *n, const char *what, const char **ret)
{
	/* Values are text whatever YAML would type them as: `[443, 6443]` lists ports. */
	if (!n || !fy_node_is_scalar(n) || rf_doc_is_null(l->d, n))
		return rf_doc_fail(l->d, n, "%s must be a string", what);
	if (fy_node_get_style(n) != FYNS_PLAIN)
		return rf_doc_str(l->d, n, what, ret, NULL);
	*ret = fy_node_get_scalar0(n);
	return *ret ? 0 : -ENOMEM;
}

static int list_items(struct load *l, struct fy_node *n, bool append, struct list_def *x)
{
	size_t old = append ? strv_length(x->items) : 0, count;
	struct fy_node *item;
	struct rloc *locs;
	void *it = NULL;
	int r;

	if (!rf_doc_is_null(l->d, n) && rf_doc_expect_seq(l->d, n, "list items") < 0)
		return -EINVAL;
	count = n && rf_doc_is_seq(l->d, n) ? (size_t)fy_node_sequence_item_count(n) : 0;
	if (count > MAX_VALUES)
		return rf_doc_fail(l->d, n, "list items: more than %d", MAX_VALUES);
	locs = realloc(append ? x->item_locs : NULL, (old + count + 1) * sizeof(*locs));
	if (!locs)
		return -ENOMEM;
	if (!append) {
		free(x->item_locs);
		strv_free(x->items);
		x->items = calloc(1, sizeof(char *));
		if (!x->items) {
			x->item_locs = locs;
			return -ENOMEM;
		}
	}
	x->item_locs = locs;
	for (size_t i = 0; count && (item = fy_node_sequence_iterate(n, &it)); i++) {
		const char *s;

		item = rf_doc_node(l->d, item, "list item");
		if (!item)
			return -EINVAL;
		r = scalar_text(l, item, "a list item", &s);
		if (r < 0)
			return r;
		r = strv_extend(&x->items, s);
		if (r < 0)
			return r;
		loc_of(l, item, &locs[old + i]);
	}
	return 0;
}

/* A list's or macro's `append: true` or `override: {FIELD: append|replace}` (its one field):
 * *ret_append says whether FIELD is appended to the earlier definition; the earlier definition
 * must exist when either is given (prev). */
static int read_merge(struct load *l, struct fy_node *item, struct item_keys *k, int field,
		      const void *prev, bool *ret_append)
{
	struct override o = { 0 };
	bool append = false;
	int r;

	if (k->v[K_APPEND] && (r = rf_doc_bool(l->d, k->v[K_APPEND], "append", &append)) < 0)
		return r;
	if (k->v[K_OVERRIDE]) {
		if (append)
			return rf_doc_fail(l->d, k->k[K_APPEND],
					   "%s '%s': append and override "
					   "cannot be used together",
					   k->what, k->name);
		r = read_override(l, k, 1u << field, 1u << field, &o);
		if (r < 0)
			return r;
		append = o.append & (1u << field);
	}
	if ((append || k->v[K_OVERRIDE]) && !prev)
		return rf_doc_fail(l->d, item,
				   "%s '%s' does not exist: append and override "
				   "need an earlier definition",
				   k->what, k->name);
	*ret_append = append;
	return 0;
}

static int load_list(struct load *l, struct fy_node *item)
{
	struct item_keys k = { .what = "list",
			       .allowed = 1u << K_ITEMS | 1u << K_APPEND | 1u << K_OVERRIDE };
	struct rf_ruleset *rs = l->rs;
	struct list_def *x;
	bool append = false;
	int r = read_keys(l, item, &k);

	if (r < 0)
		return r;
	x = rf_hmap_get_str(&rs->lists_by_name, k.name);
	if ((r = read_merge(l, item, &k, K_ITEMS, x, &append)) < 0)
		return r;
	if (!k.v[K_ITEMS] && !rf_doc_get(l->d, item, "items"))
		return rf_doc_fail(l->d, item, "list '%s': missing 'items'", k.name);
	if (!x) {
		_cleanup_free_ char *name = strdup(k.name);
		struct list_def **v;

		x = calloc(1, sizeof(*x));
		v = realloc(rs->lists, (rs->n_lists + 1) * sizeof(*v));
		if (!x || !v || !name) {
			free(x);
			if (v)
				rs->lists = v;
			return -ENOMEM;
		}
		rs->lists = v;
		x->name = TAKE_PTR(name);
		x->loc = k.loc;
		r = rf_hmap_put_str(&rs->lists_by_name, x->name, x, NULL);
		if (r < 0) {
			list_free(x);
			return r;
		}
		rs->lists[rs->n_lists++] = x;
	}
	return list_items(l, k.v[K_ITEMS], append, x);
}

/* ---- macros ---- */

static int load_macro(struct load *l, struct fy_node *item)
{
	struct item_keys k = { .what = "macro",
			       .allowed = 1u << K_CONDITION | 1u << K_APPEND | 1u << K_OVERRIDE };
	struct rf_ruleset *rs = l->rs;
	struct toks t = { 0 };
	struct macro_def *m;
	bool append = false;
	int r = read_keys(l, item, &k);

	if (r < 0)
		return r;
	m = rf_hmap_get_str(&rs->macros_by_name, k.name);
	if ((r = read_merge(l, item, &k, K_CONDITION, m, &append)) < 0)
		return r;
	if (!k.v[K_CONDITION])
		return rf_doc_fail(l->d, item, "macro '%s': missing 'condition'", k.name);
	r = lex(l, k.v[K_CONDITION], "condition", &t);
	if (r < 0) {
		toks_done(&t);
		return r;
	}
	if (m && append) {
		r = toks_append(&m->cond, &t);
		toks_done(&t);
		return r;
	}
	if (m) {
		toks_done(&m->cond);
		m->cond = t;
		return 0;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(k.name))) {
		free(m);
		toks_done(&t);
		return -ENOMEM;
	}
	m->cond = t;
	m->loc = k.loc;
	{
		struct macro_def **v = realloc(rs->macros, (rs->n_macros + 1) * sizeof(*v));

		if (!v || rf_hmap_put_str(&rs->macros_by_name, m->name, m, NULL) < 0) {
			if (v)
				rs->macros = v;
			toks_done(&m->cond);
			free(m->name);
			free(m);
			return -ENOMEM;
		}
		rs->macros = v;
		rs->macros[rs->n_macros++] = m;
	}
	return 0;
}

/* ---- rules ---- */

static int set_str(struct load *l, struct fy_node *n, const char *what, char **dst)
{
	char *s;
	int r = rf_doc_strdup(l->d, n, what, &s);

	if (r < 0)
		return r;
	free(*dst);
	*dst = s;
	return 0;
}

static int append_str(struct load *l, struct fy_node *n, const char *what, char **dst)
{
	const char *s;
	char *joined;
	int r = rf_doc_str(l->d, n, what, &s, NULL);

	if (r < 0)
		return r;
	if (asprintf(&joined, "%s %s", *dst ?: "", s) < 0)
		return -ENOMEM;
	free(*dst);
	*dst = joined;
	return 0;
}

static int set_tags(struct load *l, struct fy_node *n, bool append, struct rf_rule *rule)
{
	_cleanup_strv_free_ char **tags = NULL;
	int r = rf_doc_strv(l->d, n, "tags", 1000, &tags);

	if (r < 0)
		return r;
	if (!append) {
		strv_free(rule->tags);
		strv_free(rule->mitre);
		rule->tags = calloc(1, sizeof(char *));
		rule->mitre = calloc(1, sizeof(char *));
		if (!rule->tags || !rule->mitre)
			return -ENOMEM;
	}
	STRV_FOREACH(t, tags) {
		r = strv_extend_unique(&rule->tags, *t);
		if (r >= 0 && is_mitre_id(*t))
			r = strv_extend_unique(&rule->mitre, *t);
		if (r < 0)
			return r;
	}
	return 0;
}

static int set_output(struct load *l, struct fy_node *n, bool append, struct rf_rule *rule)
{
	struct scalar_src src = { .file = l->file, .node = n, .text = l->text, .text_len = l->len };
	struct out_seg *segs = NULL;
	size_t nsegs = 0;
	const char *s;
	int r = rf_doc_str(l->d, n, "output", &s, NULL);

	if (r < 0)
		return r;
	r = output_parse(l->rs, s, &src, &segs, &nsegs, l->d->err);
	if (r < 0) {
		output_free(segs, nsegs);
		return r;
	}
	if (append && rule->n_out) {
		struct out_seg *v = realloc(rule->out, (rule->n_out + nsegs + 1) * sizeof(*v));
		char *space = strdup(" ");

		if (!v || !space) {
			free(space);
			if (v)
				rule->out = v;
			output_free(segs, nsegs);
			return -ENOMEM;
		}
		rule->out = v;
		rule->out[rule->n_out++] = (struct out_seg){ .text = space };
		memcpy(rule->out + rule->n_out, segs, nsegs * sizeof(*segs));
		rule->n_out += nsegs;
		free(segs);
		return append_str(l, n, "output", &rule->output);
	}
	output_free(rule->out, rule->n_out);
	rule->out = segs;
	rule->n_out = nsegs;
	loc_of(l, n, &rule->out_loc);
	return set_str(l, n, "output", &rule->output);
}

/* Applies the keys in `which` (bits of enum key) to the rule, appending those in `append`. */
static int apply(struct load *l, struct item_keys *k, uint32_t which, uint32_t append,
		 struct rf_rule *rule)
{
	int r = 0;

	for (int i = 1; i < K_MAX && r >= 0; i++) {
		struct fy_node *n = k->v[i];
		bool app = append & (1u << i);

		if (!n || !(which & (1u << i)))
			continue;
		switch (i) {
		case K_DESC:
			r = app ? append_str(l, n, "desc", &rule->desc)
				: set_str(l, n, "desc", &rule->desc);
			break;
		case K_CONDITION: {
			struct toks t = { 0 };

			r = lex(l, n, "condition", &t);
			if (r >= 0 && app) {
				r = toks_append(&rule->cond, &t);
				toks_done(&t);
			} else if (r >= 0) {
				toks_done(&rule->cond);
				rule->cond = t;
			} else {
				toks_done(&t);
			}
			break;
		}
		case K_OUTPUT: r = set_output(l, n, app, rule); break;
		case K_PRIORITY: {
			const char *s;

			r = rf_doc_str(l->d, n, "priority", &s, NULL);
			if (r >= 0 && rf_priority_from_string(s, &rule->priority) < 0)
				r = rf_doc_fail(
					l->d, n,
					"priority: '%s' is none of emergency, alert, "
					"critical, error, warning, notice, informational, debug",
					s);
			break;
		}
		case K_TAGS: r = set_tags(l, n, app, rule); break;
		case K_ENABLED: r = rf_doc_bool(l->d, n, "enabled", &rule->enabled); break;
		case K_EXCEPTIONS: r = load_exceptions(l, n, app, rule); break;
		case K_SKIP_UNKNOWN:
			r = rf_doc_bool(l->d, n, "skip-if-unknown-filter", &rule->skip_unknown);
			break;
		case K_WARN_EVTTYPES: {
			bool ignored;

			/* Only silences Falco's own warnings; ringfence has no such warning. */
			r = rf_doc_bool(l->d, n, "warn_evttypes", &ignored);
			break;
		}
		case K_SOURCE: {
			const char *s;

			/* The events a rule sees follow from its fields (ka.* are the audit
			 * log's), so Falco's two sources are accepted and nothing else. */
			r = rf_doc_str(l->d, n, "source", &s, NULL);
			if (r >= 0 && !streq(s, "syscall") && !streq(s, "k8s_audit"))
				r = rf_doc_fail(l->d, n,
						"source '%s' is not supported: ringfence "
						"rules read syscall and k8s_audit events",
						s);
			break;
		}
		case K_FINDING_TYPE: {
			const char *s;

			r = rf_doc_str(l->d, n, "finding_type", &s, NULL);
			if (r >= 0 && !is_finding_type(s))
				r = rf_doc_fail(l->d, n,
						"finding_type '%s' is not of the form "
						"Purpose:ResourceType/Family",
						s);
			if (r >= 0)
				r = set_str(l, n, "finding_type", &rule->finding_type);
			break;
		}
		case K_ACTION: {
			const char *s;

			r = rf_doc_str(l->d, n, "action", &s, NULL);
			if (r >= 0) {
				if (streq(s, "alert"))
					rule->action = RF_ACTION_ALERT;
				else if (streq(s, "kill"))
					rule->action = RF_ACTION_KILL;
				else if (streq(s, "deny"))
					rule->action = RF_ACTION_DENY;
				else
					r = rf_doc_fail(l->d, n,
							"action '%s' is none of alert, kill, "
							"deny",
							s);
			}
			break;
		}
		default: break;
		}
	}
	return r;
}

static int new_rule(struct load *l, struct item_keys *k, struct rf_rule **ret)
{
	struct rf_rule *rule = calloc(1, sizeof(*rule));

	if (!rule)
		return -ENOMEM;
	rule->name = strdup(k->name);
	rule->tags = calloc(1, sizeof(char *));
	rule->mitre = calloc(1, sizeof(char *));
	rule->enabled = true;
	rule->priority = RF_PRIO_WARNING;
	rule->loc = k->loc;
	if (!rule->name || !rule->tags || !rule->mitre ||
	    asprintf(&rule->origin, "%s:%u", k->loc.file, k->loc.line) < 0) {
		rule->origin = NULL;
		rule_free(rule);
		return -ENOMEM;
	}
	*ret = rule;
	return 0;
}

#define BIT(k) (1u << (k))
#define RULE_KEYS                                                                                  \
	(BIT(K_DESC) | BIT(K_CONDITION) | BIT(K_OUTPUT) | BIT(K_PRIORITY) | BIT(K_TAGS) |          \
	 BIT(K_ENABLED) | BIT(K_EXCEPTIONS) | BIT(K_SOURCE) | BIT(K_WARN_EVTTYPES) |               \
	 BIT(K_SKIP_UNKNOWN) | BIT(K_FINDING_TYPE) | BIT(K_ACTION))

static int load_rule(struct load *l, struct fy_node *item)
{
	struct item_keys k = { .what = "rule",
			       .allowed = RULE_KEYS | BIT(K_APPEND) | BIT(K_OVERRIDE) };
	struct rf_ruleset *rs = l->rs;
	struct rf_rule *rule, *old;
	bool append = false;
	int r = read_keys(l, item, &k);

	if (r < 0)
		return r;
	if (k.v[K_APPEND] && (r = rf_doc_bool(l->d, k.v[K_APPEND], "append", &append)) < 0)
		return r;
	old = rf_hmap_get_str(&rs->rules_by_name, k.name);
	if (k.v[K_OVERRIDE] || append) {
		struct override o = { 0 };

		if (k.v[K_OVERRIDE] && append)
			return rf_doc_fail(l->d, k.k[K_APPEND],
					   "rule '%s': append and override "
					   "cannot be used together",
					   k.name);
		if (!old)
			return rf_doc_fail(l->d, item,
					   "rule '%s' does not exist: append and "
					   "override need an earlier definition",
					   k.name);
		if (append) {
			/* Falco's older form appends the condition and exceptions. */
			for (int i = 1; i < K_MAX; i++)
				if (k.v[i] && i != K_APPEND && i != K_CONDITION &&
				    i != K_EXCEPTIONS)
					return rf_doc_fail(
						l->d, k.k[i],
						"rule '%s': with 'append: "
						"true' only condition and exceptions can be "
						"given, not '%s'",
						k.name, key_names[i]);
			return apply(l, &k, BIT(K_CONDITION) | BIT(K_EXCEPTIONS),
				     BIT(K_CONDITION) | BIT(K_EXCEPTIONS), old);
		}
		r = read_override(l, &k,
				  BIT(K_CONDITION) | BIT(K_OUTPUT) | BIT(K_DESC) | BIT(K_TAGS) |
					  BIT(K_EXCEPTIONS),
				  RULE_KEYS & ~BIT(K_SOURCE), &o);
		if (r < 0)
			return r;
		return apply(l, &k, o.append | o.replace, o.append, old);
	}
	/* `enabled` alone switches an existing rule on or off (Falco's older form). */
	if (old && k.v[K_ENABLED] && !k.v[K_CONDITION] && !k.v[K_OUTPUT] && !k.v[K_DESC] &&
	    !k.v[K_PRIORITY] && !k.v[K_TAGS] && !k.v[K_EXCEPTIONS])
		return apply(l, &k, BIT(K_ENABLED), 0, old);
	for (int i = 0, need[] = { K_CONDITION, K_OUTPUT, K_DESC, K_PRIORITY }; i < 4; i++)
		if (!k.v[need[i]])
			return rf_doc_fail(l->d, item, "rule '%s': missing '%s'", k.name,
					   key_names[need[i]]);
	r = new_rule(l, &k, &rule);
	if (r < 0)
		return r;
	r = apply(l, &k, RULE_KEYS, 0, rule);
	if (r < 0) {
		rule_free(rule);
		return r;
	}
	if (old) { /* a full redefinition replaces the rule where it stood */
		rule->index = old->index;
		free(rule->origin);
		rule->origin = TAKE_PTR(old->origin);
		rs->rules[old->index] = rule;
		(void)rf_hmap_put_str(&rs->rules_by_name, rule->name, rule, NULL);
		rule_free(old);
		return 0;
	}
	if (rs->n_rules == rs->cap_rules) {
		size_t cap = rs->cap_rules ? rs->cap_rules * 2 : 64;
		struct rf_rule **v = realloc(rs->rules, cap * sizeof(*v));

		if (!v) {
			rule_free(rule);
			return -ENOMEM;
		}
		rs->rules = v;
		rs->cap_rules = cap;
	}
	rule->index = rs->n_rules;
	r = rf_hmap_put_str(&rs->rules_by_name, rule->name, rule, NULL);
	if (r < 0) {
		rule_free(rule);
		return r;
	}
	rs->rules[rs->n_rules++] = rule;
	return 0;
}

static int load_item(struct rf_doc *d, size_t index, struct fy_node *item, void *userdata)
{
	struct load *l = userdata;
	static const char *const kinds[] = { "rule", "macro", "list", "required_engine_version",
					     "required_plugin_versions" };
	int found = -1;

	if (rf_doc_expect_map(d, item, "a rules file entry") < 0)
		return -EINVAL;
	for (int i = 0; i < (int)ELEMENTSOF(kinds); i++) {
		struct fy_node *v = NULL;
		void *it = NULL;
		struct fy_node_pair *p;

		while ((p = fy_node_mapping_iterate(item, &it))) {
			const char *key = fy_node_get_scalar0(fy_node_pair_key(p));

			if (key && streq(key, kinds[i]))
				v = fy_node_pair_key(p);
		}
		if (!v)
			continue;
		if (found >= 0)
			return rf_doc_fail(d, v,
					   "an entry is one of rule, macro or list, not both "
					   "%s and %s",
					   kinds[found], kinds[i]);
		found = i;
	}
	switch (found) {
	case 0: return load_rule(l, item);
	case 1: return load_macro(l, item);
	case 2: return load_list(l, item);
	case 3: return 0; /* Falco's engine version: no meaning for ringfence */
	case 4:
		return rf_doc_fail(d, item,
				   "required_plugin_versions: Falco plugins are not "
				   "supported");
	default: return rf_doc_fail(d, item, "an entry must be a rule, a macro or a list");
	}
}

int rf_ruleset_load_text(struct rf_ruleset *rs, const char *text, size_t len, const char *source,
			 struct rf_error *reterr)
{
	_cleanup_(rf_doc_stream_freep) struct rf_doc_stream *s = NULL;
	struct load l = { .rs = rs, .text = text, .len = len };
	int r;

	if (rs->compiled || rs->failed)
		return rf_error_set(reterr, -EINVAL, "%s: the ruleset is %s", source ?: "rules",
				    rs->compiled ? "compiled already"
						 : "broken by an earlier error");
	l.file = rs_intern_file(rs, source ?: "<rules>");
	if (!l.file)
		return -ENOMEM;
	r = rf_doc_stream_open(text, len, l.file, RF_DOC_YAML, 0, &s, reterr);
	while (r >= 0) {
		struct rf_doc d = { 0 };

		r = rf_doc_stream_next(s, &d, reterr);
		if (r <= 0)
			break;
		l.d = &d;
		if (rf_doc_root(&d) && !rf_doc_is_null(&d, rf_doc_root(&d)))
			r = rf_doc_each_item(&d, rf_doc_root(&d), "a rules file", MAX_ITEMS,
					     load_item, &l);
		rf_doc_done(&d);
	}
	if (r < 0) {
		rs->failed = true;
		if (!rf_error_is_set(reterr))
			rf_error_set(reterr, r, "%s: %s", l.file, strerror(-r));
		return r;
	}
	return 0;
}

int rf_ruleset_load_file(struct rf_ruleset *rs, const char *path, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = rf_read_file(path, RF_RULES_MAX_FILE_BYTES, &text, &len, reterr);

	if (r < 0) {
		rs->failed = true;
		return r;
	}
	return rf_ruleset_load_text(rs, text, len, path, reterr);
}

extern const char rf_data_rules_default[];
extern const unsigned long rf_data_rules_default_len;

int rf_ruleset_load_default(struct rf_ruleset *rs, struct rf_error *reterr)
{
	return rf_ruleset_load_text(rs, rf_data_rules_default, rf_data_rules_default_len,
				    "ringfence-default.yaml", reterr);
}

extern const char rf_data_rules_ioc[];
extern const unsigned long rf_data_rules_ioc_len;

int rf_ruleset_load_builtin(struct rf_ruleset *rs, const char *name, struct rf_error *reterr)
{
	if (streq(name, "default"))
		return rf_ruleset_load_default(rs, reterr);
	if (streq(name, "ioc"))
		return rf_ruleset_load_text(rs, rf_data_rules_ioc, rf_data_rules_ioc_len,
					    "ioc.yaml", reterr);
	return rf_error_set(reterr, -ENOENT, "no built-in rules named '%s'", name);
}
