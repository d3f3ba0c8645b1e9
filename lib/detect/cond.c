/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Conditions: located tokens -> a tree of and/or/not over comparisons, macros expanded in place
 * and lists spliced into values, every field, operator and value checked against the field
 * table; exceptions become "and not (row or row ...)". Values are compiled for the evaluator:
 * sorted strings and integers (binary search), IP prefix sets, flag masks, event type ids. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/macro.h"
#include "core/strv.h"
#include "detect-internal.h"

#define MAX_DEPTH 200 /* nesting of parentheses, nots and macros */

struct parser {
	struct rf_ruleset *rs;
	struct rf_rule *rule;
	struct rf_error *err;
	const struct toks *t;
	size_t i;
	unsigned depth;
	struct rloc end; /* where "end of condition" errors point */
};

struct item {
	const char *text;
	struct rloc loc;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static const struct {
	const char *name;
	enum cmp_op op;
} ops[] = {
	{ "=", OP_EQ },
	{ "==", OP_EQ },
	{ "!=", OP_NE },
	{ "<", OP_LT },
	{ "<=", OP_LE },
	{ ">", OP_GT },
	{ ">=", OP_GE },
	{ "contains", OP_CONTAINS },
	{ "icontains", OP_ICONTAINS },
	{ "startswith", OP_STARTSWITH },
	{ "endswith", OP_ENDSWITH },
	{ "glob", OP_GLOB },
	{ "iglob", OP_IGLOB },
	{ "pmatch", OP_PMATCH },
	{ "in", OP_IN },
	{ "intersects", OP_INTERSECTS },
	{ "exists", OP_EXISTS },
};

/* Falco operators ringfence does not have: a clear error, never a silent skip. */
static const char *const refused_ops[] = { "bcontains", "bstartswith", "regex", NULL };

static int op_from(const char *s, enum cmp_op *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(ops); i++)
		if (streq(ops[i].name, s)) {
			*ret = ops[i].op;
			return 0;
		}
	return -ENOENT;
}

static bool list_op(enum cmp_op op)
{
	return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

int slot_of(struct rf_ruleset *rs, const char *key, uint32_t *ret)
{
	uintptr_t v = (uintptr_t)rf_hmap_get_str(&rs->slots, key);
	int r;

	if (!v) {
		r = strv_extend(&rs->slot_keys, key);
		if (r < 0)
			return r;
		v = ++rs->n_slots;
		r = rf_hmap_put_str(&rs->slots, rs->slot_keys[v - 1], (void *)v, NULL);
		if (r < 0)
			return r;
	}
	*ret = (uint32_t)v;
	return 0;
}

void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_kids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	for (size_t i = 0; i < n->n_strs; i++)
		free(n->strs[i].s);
	free(n->strs);
	free(n->ints);
	rf_ipset_done(&n->ips);
	free(n->evtype_ids);
	free(n);
}

static void node_freep(struct node **n)
{
	node_free(*n);
}

static struct node *node_new(enum node_kind kind)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n)
		n->kind = kind;
	return n;
}

static int node_add(struct node *parent, struct node *kid)
{
	struct node **v = realloc(parent->kids, (parent->n_kids + 1) * sizeof(*v));

	if (!v) {
		node_free(kid);
		return -ENOMEM;
	}
	parent->kids = v;
	parent->kids[parent->n_kids++] = kid;
	return 0;
}

static int items_add(struct items *it, const char *text, const struct rloc *loc)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 8;
		struct item *v = realloc(it->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		it->v = v;
		it->cap = cap;
	}
	it->v[it->n++] = (struct item){ .text = text, .loc = *loc };
	return 0;
}

/* A value naming a list becomes the list's items (lists may name lists). */
static int splice(struct rf_ruleset *rs, struct items *it, const char *text, const struct rloc *loc,
		  unsigned depth, struct rf_error *err)
{
	struct list_def *l = rf_hmap_get_str(&rs->lists_by_name, text);

	if (!l)
		return items_add(it, text, loc);
	if (depth > 32)
		return rs_fail(rs, err, loc, "list '%s' nests too deep (a cycle?)", text);
	l->used = true;
	for (size_t i = 0; l->items[i]; i++) {
		int r = splice(rs, it, l->items[i], &l->item_locs[i], depth + 1, err);

		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- values ---- */

static int cmp_strval(const void *a, const void *b)
{
	const struct strval *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int parse_i64(const char *s, int64_t *ret)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || !*s || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* A glob with stars only at its ends is endswith, startswith or contains: same answers, cheaper. */
static void glob_simplify(struct node *n)
{
	struct strval *w = &n->strs[0];
	size_t stars = 0, len = w->len;
	bool lead = len && w->s[0] == '*', trail = len > 1 && w->s[len - 1] == '*';

	for (size_t i = 0; i < len; i++) {
		if (strchr("?[\\", w->s[i]))
			return;
		stars += w->s[i] == '*';
	}
	if (stars != (size_t)lead + trail || (lead && trail && len < 3) || stars == 0)
		return;
	memmove(w->s, w->s + lead, len - lead);
	w->len = len - lead - trail;
	w->s[w->len] = '\0';
	n->op = lead && trail ? OP_CONTAINS : lead ? OP_ENDSWITH : OP_STARTSWITH;
}

static int compile_flags(struct parser *p, struct node *n, const struct item *it)
{
	_cleanup_free_ char *copy = strdup(it->text);
	char *save = NULL;
	int64_t num;

	if (!copy)
		return -ENOMEM;
	if (parse_i64(it->text, &num) == 0) {
		n->mask = UINT64_MAX;
		n->value = (uint64_t)num;
		return 0;
	}
	for (char *w = strtok_r(copy, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
		const struct flagname *fn = n->ref.f->names;

		while (fn && fn->name && !streq(fn->name, w))
			fn++;
		if (!fn || !fn->name)
			return rs_fail(p->rs, p->err, &it->loc, "'%s' is not a flag of %s", w,
				       n->ref.f->name);
		n->mask |= fn->mask;
		n->value |= fn->value;
	}
	return 0;
}

static int compile_values(struct parser *p, struct node *n, const struct items *it)
{
	const struct field *f = n->ref.f;

	if (streq(f->name, "evt.type")) {
		n->evtype_ids = calloc(it->n ?: 1, sizeof(*n->evtype_ids));
		if (!n->evtype_ids)
			return -ENOMEM;
		for (size_t i = 0; i < it->n; i++) {
			if (evtypes_intern(&p->rs->types, it->v[i].text, &n->evtype_ids[i]) < 0)
				return rs_fail(p->rs, p->err, &it->v[i].loc,
					       "unknown event type '%s' (neither a syscall nor "
					       "one of procexit, capable, gap, tcp_state)",
					       it->v[i].text);
		}
		n->evtype_ids_n = (uint32_t)it->n;
		return 0;
	}
	switch (f->type) {
	case FT_STR:
		n->strs = calloc(it->n ?: 1, sizeof(*n->strs));
		if (!n->strs)
			return -ENOMEM;
		for (size_t i = 0; i < it->n; i++) {
			size_t len = strlen(it->v[i].text);

			/* pmatch prefixes compare at a '/' boundary: "/etc/" is "/etc". */
			while (n->op == OP_PMATCH && len > 1 && it->v[i].text[len - 1] == '/')
				len--;
			n->strs[i].s = strndup(it->v[i].text, len);
			if (!n->strs[i].s)
				return -ENOMEM;
			n->strs[i].len = len;
			n->n_strs++;
		}
		if (list_op(n->op))
			qsort_safe(n->strs, n->n_strs, sizeof(*n->strs), cmp_strval);
		if (n->op == OP_GLOB)
			glob_simplify(n);
		return 0;
	case FT_INT:
	case FT_PORT:
	case FT_BOOL:
		n->ints = calloc(it->n ?: 1, sizeof(*n->ints));
		if (!n->ints)
			return -ENOMEM;
		for (size_t i = 0; i < it->n; i++) {
			const char *s = it->v[i].text;
			int r = f->type == FT_BOOL ? (streq(s, "true")	  ? (n->ints[i] = 1, 0)
						      : streq(s, "false") ? (n->ints[i] = 0, 0)
									  : -EINVAL)
						   : parse_i64(s, &n->ints[i]);

			if (r < 0)
				return rs_fail(p->rs, p->err, &it->v[i].loc,
					       "%s needs %s, not '%s'", f->name,
					       f->type == FT_BOOL ? "true or false" : "an integer",
					       s);
			n->n_ints++;
		}
		qsort_safe(n->ints, n->n_ints, sizeof(*n->ints), cmp_i64);
		return 0;
	case FT_IP:
		for (size_t i = 0; i < it->n; i++) {
			struct rf_ip ip;
			unsigned len = 128;
			int r = strchr(it->v[i].text, '/')
					? rf_ip_parse_prefix(it->v[i].text, &ip, &len)
					: rf_ip_parse(it->v[i].text, &ip);

			if (r < 0)
				return rs_fail(
					p->rs, p->err, &it->v[i].loc,
					"'%s' is not an IP address or CIDR prefix (host bits "
					"must be zero)",
					it->v[i].text);
			r = rf_ipset_add(&n->ips, &ip, len, n);
			if (r < 0)
				return r;
		}
		return rf_ipset_build(&n->ips);
	case FT_FLAGS: return it->n ? compile_flags(p, n, &it->v[0]) : 0;
	}
	return -EINVAL;
}

static bool op_fits(const struct field *f, enum cmp_op op)
{
	if (op == OP_EXISTS)
		return true;
	if (streq(f->name, "evt.type"))
		return op == OP_EQ || op == OP_NE || op == OP_IN;
	switch (f->type) {
	case FT_STR: return op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE;
	case FT_INT:
	case FT_PORT:
		return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT ||
		       op == OP_GE || op == OP_IN || op == OP_INTERSECTS;
	case FT_IP: return op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS;
	case FT_BOOL: /* lists of bools too: Falco's "privileged intersects (true)" */
		return op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS;
	case FT_FLAGS: return op == OP_CONTAINS || op == OP_EQ || op == OP_NE;
	}
	return false;
}

static const char *op_name(enum cmp_op op)
{
	for (size_t i = 0; i < ELEMENTSOF(ops); i++)
		if (ops[i].op == op)
			return ops[i].name;
	return "?";
}

static int use_field(struct rf_rule *rule, const struct fref *ref)
{
	struct fref *v;

	for (size_t i = 0; i < rule->n_used; i++)
		if (rule->used[i].f == ref->f && rule->used[i].index == ref->index)
			return 0;
	v = realloc(rule->used, (rule->n_used + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	rule->used = v;
	rule->used[rule->n_used++] = *ref;
	return 0;
}

/* A comparison node from its parts; `it` holds the values (none for exists). */
static int make_cmp(struct parser *p, const struct fref *ref, enum cmp_op op,
		    const struct rloc *loc, const struct items *it, struct node **ret)
{
	struct node *n;
	int r;

	if (!op_fits(ref->f, op))
		return rs_fail(p->rs, p->err, loc, "operator '%s' does not apply to %s",
			       op_name(op), ref->f->name);
	if (op != OP_EXISTS && !list_op(op) && it->n != 1)
		return rs_fail(p->rs, p->err, loc, "operator '%s' takes one value", op_name(op));
	n = node_new(N_CMP);
	if (!n)
		return -ENOMEM;
	n->ref = *ref;
	n->op = op;
	n->loc = *loc;
	r = op == OP_EXISTS ? 0 : compile_values(p, n, it);
	if (r >= 0)
		r = use_field(p->rule, ref);
	if (r >= 0) {
		/* Identical comparisons in different rules share one cached result. */
		char *key = NULL;
		size_t klen = 0;
		FILE *f = open_memstream(&key, &klen);

		if (!f)
			r = -ENOMEM;
		else {
			fprintf(f, "%s[%d]\x1f%d", ref->f->name, ref->index, (int)op);
			for (size_t i = 0; i < it->n; i++)
				fprintf(f, "\x1f%s", it->v[i].text);
			r = fclose(f) == 0 ? slot_of(p->rs, key, &n->slot) : -ENOMEM;
			free(key);
		}
	}
	if (r < 0) {
		node_free(n);
		return r;
	}
	*ret = n;
	return 0;
}

/* ---- the condition grammar ---- */

static const struct tok *peek(struct parser *p)
{
	return p->i < p->t->n ? &p->t->v[p->i] : NULL;
}

static bool is_word(const struct tok *t, const char *w)
{
	return t && t->kind == TK_WORD && streq(t->text, w);
}

static int fail_at(struct parser *p, const struct tok *t, const char *what)
{
	if (!t)
		return rs_fail(p->rs, p->err, &p->end, "%s, found the end of the condition", what);
	return rs_fail(p->rs, p->err, &t->loc, "%s, found '%s'", what, t->text);
}

static int parse_or(struct parser *p, struct node **ret);

static int parse_values(struct parser *p, enum cmp_op op, struct items *it)
{
	const struct tok *t = peek(p);

	if (op == OP_EXISTS)
		return 0;
	if (!list_op(op)) {
		/* An operator character is a value here: Falco's "evt.dir = <". */
		if (!t || (t->kind != TK_WORD && t->kind != TK_STRING && t->kind != TK_OP))
			return fail_at(p, t, "expected a value");
		p->i++;
		return items_add(it, t->text, &t->loc);
	}
	if (!t || t->kind != TK_LPAREN)
		return fail_at(p, t, "expected '(' and a list of values");
	p->i++;
	for (bool first = true;; first = false) {
		int r;

		t = peek(p);
		if (t && t->kind == TK_RPAREN) {
			p->i++;
			return 0;
		}
		if (!first) {
			if (!t || t->kind != TK_COMMA)
				return fail_at(p, t, "expected ',' or ')'");
			p->i++;
			t = peek(p);
		}
		if (!t || (t->kind != TK_WORD && t->kind != TK_STRING))
			return fail_at(p, t, "expected a value");
		p->i++;
		r = t->kind == TK_WORD ? splice(p->rs, it, t->text, &t->loc, 0, p->err)
				       : items_add(it, t->text, &t->loc);
		if (r < 0)
			return r;
	}
}

static int parse_check(struct parser *p, const struct tok *ft, const struct fref *ref,
		       struct node **ret)
{
	const struct tok *t = peek(p);
	struct items it = { 0 };
	enum cmp_op op;
	int r;

	if (!t || (t->kind != TK_OP && t->kind != TK_WORD))
		return fail_at(p, t, "expected an operator");
	for (size_t i = 0; refused_ops[i]; i++)
		if (streq(t->text, refused_ops[i]))
			return rs_fail(p->rs, p->err, &t->loc, "operator '%s' is not supported",
				       t->text);
	if (op_from(t->text, &op) < 0)
		return fail_at(p, t, "expected an operator");
	p->i++;
	r = parse_values(p, op, &it);
	if (r >= 0)
		r = make_cmp(p, ref, op, &t->loc, &it, ret);
	free(it.v);
	return r;
}

static int expand_macro(struct parser *p, struct macro_def *m, const struct tok *at,
			struct node **ret)
{
	const struct toks *saved = p->t;
	size_t saved_i = p->i;
	struct rloc saved_end = p->end;
	int r;

	if (m->expanding)
		return rs_fail(p->rs, p->err, &at->loc, "macro '%s' refers to itself", m->name);
	m->used = true;
	m->expanding = true;
	p->t = &m->cond;
	p->i = 0;
	p->end = m->loc;
	r = parse_or(p, ret);
	if (r >= 0 && p->i < p->t->n) {
		node_free(*ret);
		r = fail_at(p, peek(p), "expected 'and', 'or' or ')'");
	}
	if (r >= 0 && !(*ret)->slot) {
		/* Every use of a macro is the same condition: one result per event. */
		_cleanup_free_ char *key = NULL;

		if (asprintf(&key, "macro\x1f%s", m->name) < 0)
			r = -ENOMEM;
		else
			r = slot_of(p->rs, key, &(*ret)->slot);
	}
	m->expanding = false;
	p->t = saved;
	p->i = saved_i;
	p->end = saved_end;
	return r;
}

static int parse_primary(struct parser *p, struct node **ret)
{
	const struct tok *t = peek(p);
	struct macro_def *m;
	struct fref ref;
	const char *why;
	int r;

	if (++p->depth > MAX_DEPTH)
		return rs_fail(p->rs, p->err, t ? &t->loc : &p->end, "condition nests too deep");
	if (t && t->kind == TK_LPAREN) {
		p->i++;
		r = parse_or(p, ret);
		if (r < 0)
			return r;
		t = peek(p);
		if (!t || t->kind != TK_RPAREN) {
			node_free(*ret);
			return fail_at(p, t, "expected ')'");
		}
		p->i++;
		p->depth--;
		return 0;
	}
	if (!t || t->kind != TK_WORD || is_word(t, "and") || is_word(t, "or"))
		return fail_at(p, t, "expected a field, a macro, 'not' or '('");
	p->i++;
	r = field_parse(t->text, &ref, &why);
	if (r == 0)
		r = parse_check(p, t, &ref, ret);
	else if (r == -EINVAL)
		r = rs_fail(p->rs, p->err, &t->loc, "%s %s", ref.f->name, why);
	else if ((m = rf_hmap_get_str(&p->rs->macros_by_name, t->text)))
		r = expand_macro(p, m, t, ret);
	else if (strchr(t->text, '.') && p->rule->skip_unknown)
		r = -ENOENT; /* skip-if-unknown-filter: the rule is left out */
	else
		r = rs_fail(p->rs, p->err, &t->loc, "unknown %s '%s'",
			    strchr(t->text, '.') ? "field" : "macro", t->text);
	p->depth--;
	return r;
}

static int parse_not(struct parser *p, struct node **ret)
{
	struct node *n, *kid = NULL;
	int r;

	if (!is_word(peek(p), "not"))
		return parse_primary(p, ret);
	p->i++;
	if (++p->depth > MAX_DEPTH)
		return rs_fail(p->rs, p->err, &p->t->v[p->i - 1].loc, "condition nests too deep");
	r = parse_not(p, &kid);
	p->depth--;
	if (r < 0)
		return r;
	n = node_new(N_NOT);
	if (!n) {
		node_free(kid);
		return -ENOMEM;
	}
	r = node_add(n, kid);
	if (r < 0) {
		node_free(n);
		return r;
	}
	*ret = n;
	return 0;
}

static int parse_chain(struct parser *p, const char *word, enum node_kind kind,
		       int (*sub)(struct parser *, struct node **), struct node **ret)
{
	struct node *first = NULL, *n;
	int r = sub(p, &first);

	if (r < 0)
		return r;
	if (!is_word(peek(p), word)) {
		*ret = first;
		return 0;
	}
	n = node_new(kind);
	if (!n) {
		node_free(first);
		return -ENOMEM;
	}
	r = node_add(n, first);
	while (r >= 0 && is_word(peek(p), word)) {
		struct node *kid = NULL;

		p->i++;
		r = sub(p, &kid);
		if (r >= 0)
			r = node_add(n, kid);
	}
	if (r < 0) {
		node_free(n);
		return r;
	}
	*ret = n;
	return 0;
}

/* Rough cost of evaluating a node: event-type ids and numbers first, then string equality
 * and sets, scans (contains, glob) last. Conjunctions have no side effects, so evaluating the
 * cheap ones first changes no answer, only how soon a false one stops the walk. */
static unsigned cost(const struct node *n)
{
	unsigned c = 0;

	switch (n->kind) {
	case N_CMP:
		if (n->evtype_ids)
			return 1;
		if (n->ref.f->flags & FF_SLOW)
			return 1000;
		if (n->ref.f->type != FT_STR)
			return 2 + (n->ref.f->flags & FF_STATE ? 4 : 0);
		if (n->ref.f->flags & (FF_LIST | FF_META))
			return 8;
		return n->op == OP_GLOB || n->op == OP_IGLOB || n->op == OP_CONTAINS ||
				       n->op == OP_ICONTAINS
			       ? 6
			       : 3;
	case N_TRUE: return 0;
	default:
		for (size_t i = 0; i < n->n_kids; i++)
			c += cost(n->kids[i]);
		return c;
	}
}

static int parse_and(struct parser *p, struct node **ret)
{
	int r = parse_chain(p, "and", N_AND, parse_not, ret);

	/* A stable insertion sort by cost (conditions have a handful of conjuncts). */
	for (size_t i = 1; r >= 0 && (*ret)->kind == N_AND && i < (*ret)->n_kids; i++)
		for (size_t j = i; j > 0 && cost((*ret)->kids[j]) < cost((*ret)->kids[j - 1]);
		     j--) {
			struct node *t = (*ret)->kids[j];

			(*ret)->kids[j] = (*ret)->kids[j - 1];
			(*ret)->kids[j - 1] = t;
		}
	return r;
}

static int parse_or(struct parser *p, struct node **ret)
{
	return parse_chain(p, "or", N_OR, parse_and, ret);
}

/* ---- exceptions ---- */

static int exception_row(struct parser *p, const struct exception *x, size_t row, struct node **ret)
{
	_cleanup_(node_freep) struct node *and = node_new(N_AND);
	size_t nf = strv_length(x->fields);
	int r;

	if (!and)
		return -ENOMEM;
	for (size_t i = 0; i < nf; i++) {
		const struct exc_value *v = &x->rows[row][i];
		struct items it = { 0 };
		struct node *cmp = NULL;
		struct fref ref;
		enum cmp_op op;
		const char *why;

		r = field_parse(x->fields[i], &ref, &why);
		if (r < 0)
			return rs_fail(p->rs, p->err, &x->field_locs[i],
				       "exception '%s': %s '%s'%s%s", x->name,
				       r == -EINVAL ? "field" : "unknown field", x->fields[i],
				       why ? " " : "", why ?: "");
		if (op_from(x->comps[i], &op) < 0)
			return rs_fail(p->rs, p->err, &x->comp_locs[i],
				       "exception '%s': unknown operator '%s'", x->name,
				       x->comps[i]);
		for (size_t k = 0; v->items[k] && r >= 0; k++)
			r = list_op(op) ? splice(p->rs, &it, v->items[k], &v->loc, 0, p->err)
					: items_add(&it, v->items[k], &v->loc);
		if (r >= 0 && v->is_list && !list_op(op))
			r = rs_fail(p->rs, p->err, &v->loc,
				    "exception '%s': a list of values needs 'in', 'pmatch' or "
				    "'intersects', not '%s'",
				    x->name, x->comps[i]);
		if (r >= 0)
			r = make_cmp(p, &ref, op, &v->loc, &it, &cmp);
		free(it.v);
		if (r >= 0)
			r = node_add(and, cmp);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(and);
	return 0;
}

int cond_compile_rule(struct rf_ruleset *rs, struct rf_rule *rule, struct rf_error *err)
{
	struct parser p = {
		.rs = rs, .rule = rule, .err = err, .t = &rule->cond, .end = rule->loc
	};
	_cleanup_(node_freep) struct node *cond = NULL, *any = NULL;
	int r;

	r = parse_or(&p, &cond);
	if (r < 0)
		return r;
	if (p.i < p.t->n)
		return fail_at(&p, peek(&p), "expected 'and', 'or' or the end of the condition");
	for (size_t e = 0; e < rule->n_exc; e++)
		for (size_t row = 0; row < rule->exc[e].n_rows; row++) {
			struct node *n = NULL;

			if (!any && !(any = node_new(N_OR)))
				return -ENOMEM;
			r = exception_row(&p, &rule->exc[e], row, &n);
			if (r >= 0)
				r = node_add(any, n);
			if (r < 0)
				return r;
		}
	if (any) {
		/* cond and not (row or row ...) */
		_cleanup_(node_freep) struct node *and = node_new(N_AND), *not = node_new(N_NOT);

		if (!and || !not )
			return -ENOMEM;
		r = node_add(not, TAKE_PTR(any));
		if (r >= 0)
			r = node_add(and, TAKE_PTR(cond));
		if (r >= 0)
			r = node_add(and, TAKE_PTR(not ));
		if (r < 0)
			return r;
		cond = TAKE_PTR(and);
	}
	rule->root = TAKE_PTR(cond);
	return 0;
}

/* ---- output templates ---- */

static bool field_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '[' || c == ']';
}

static int seg_add(struct out_seg **segs, size_t *n, char *text, const struct fref *ref)
{
	struct out_seg *v;

	if (!text && !ref)
		return -ENOMEM;
	v = realloc(*segs, (*n + 1) * sizeof(*v));
	if (!v) {
		free(text);
		return -ENOMEM;
	}
	*segs = v;
	v[(*n)++] = (struct out_seg){ .text = text, .ref = ref ? *ref : (struct fref){ 0 } };
	return 0;
}

void output_free(struct out_seg *segs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(segs[i].text);
	free(segs);
}

int output_parse(struct rf_ruleset *rs, const char *s, const struct scalar_src *src,
		 struct out_seg **segs, size_t *n, struct rf_error *err)
{
	size_t i = 0, lit = 0;
	int r;

	while (s[i]) {
		char name[128];
		size_t start, len;
		struct fref ref;
		const char *why;
		struct rloc loc;

		if (s[i] != '%' || !field_char(s[i + 1])) {
			i++;
			continue;
		}
		if (i > lit && (r = seg_add(segs, n, strndup(s + lit, i - lit), NULL)) < 0)
			return r;
		start = ++i;
		while (field_char(s[i]))
			i++;
		len = i - start;
		/* A sentence may end right after a field: "%fd.name." */
		while (len && s[start + len - 1] == '.')
			len--, i--;
		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, s + start, len);
		name[len] = '\0';
		lit = i;
		if (streq(name, "container.info")) { /* Falco's shorthand */
			(void)field_parse("container.id", &ref, &why);
			r = seg_add(segs, n, NULL, &ref);
			if (r < 0)
				return r;
			continue;
		}
		r = field_parse(name, &ref, &why);
		if (r < 0) {
			scalar_loc(src, start - 1, &loc);
			return rs_fail(rs, err, &loc, "output: %s '%s'%s%s",
				       r == -EINVAL ? "field" : "unknown field", name,
				       why ? " " : "", why ?: "");
		}
		r = seg_add(segs, n, NULL, &ref);
		if (r < 0)
			return r;
	}
	if (i > lit)
		return seg_add(segs, n, strndup(s + lit, i - lit), NULL);
	return 0;
}
