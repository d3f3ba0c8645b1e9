/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Evaluation: one event against the rules of its (kind, type) bucket, with no allocation. The
 * context caches what several rules read (normalised paths, command lines, the event type id,
 * the container's names) for the one event in flight, keyed by a generation counter. A field
 * the event does not have makes its comparison false (as in Falco), so "not fd.name = x" holds
 * for an event without a path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/macro.h"
#include "core/strv.h"
#include "detect-internal.h"

struct rf_rules_eval {
	struct eval_ctx c;
};

/* ---- string operators ---- */

static int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

static bool chars_eq(char a, char b, bool icase)
{
	return icase ? lower((unsigned char)a) == lower((unsigned char)b) : a == b;
}

/* A bracket expression after '[' ("a-z]", "!0-9]"): 1 match, 0 no match, -1 malformed (then
 * the '[' is an ordinary character); *ret_end after the ']'. */
static int class_match(const char *p, char ch, bool icase, const char **ret_end)
{
	bool neg = *p == '!' || *p == '^', hit = false;
	int x = icase ? lower((unsigned char)ch) : (unsigned char)ch;

	if (neg)
		p++;
	for (bool first = true; *p && (first || *p != ']'); first = false) {
		int lo = (unsigned char)*p++, hi = lo;

		if (*p == '-' && p[1] && p[1] != ']') {
			hi = (unsigned char)p[1];
			p += 2;
		}
		if (icase) {
			lo = lower(lo);
			hi = lower(hi);
		}
		hit |= x >= lo && x <= hi;
	}
	if (*p != ']')
		return -1;
	*ret_end = p + 1;
	return hit != neg;
}

/* Shell-style glob over the whole value: '*' matches any run (slashes included), '?' one
 * character, '[...]' a class, '\' quotes. Backtracks to the last star only, allocation-free. */
static bool glob_match(const char *pat, const char *s, size_t len, bool icase)
{
	const char *star = NULL;
	size_t i = 0, star_i = 0;

	while (i < len) {
		const char *next = pat + 1, *end = NULL;
		bool ok = false;
		int m;

		if (*pat == '*') {
			star = ++pat;
			star_i = i;
			continue;
		}
		if (*pat == '?') {
			ok = true;
		} else if (*pat == '[' && (m = class_match(pat + 1, s[i], icase, &end)) >= 0) {
			ok = m;
			next = end;
		} else if (*pat == '\\' && pat[1]) {
			ok = chars_eq(pat[1], s[i], icase);
			next = pat + 2;
		} else if (*pat) {
			ok = chars_eq(*pat, s[i], icase);
		}
		if (ok) {
			pat = next;
			i++;
			continue;
		}
		if (!star)
			return false;
		pat = star;
		i = ++star_i;
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

static bool contains(const struct rf_val *v, const struct strval *needle, bool icase)
{
	if (needle->len > v->len)
		return false;
	if (!icase)
		return memmem(v->s, v->len, needle->s, needle->len) != NULL;
	if (!needle->len)
		return true;
	for (size_t i = 0, first = (size_t)lower((unsigned char)needle->s[0]);
	     i + needle->len <= v->len; i++)
		if ((size_t)lower((unsigned char)v->s[i]) == first &&
		    !strncasecmp(v->s + i, needle->s, needle->len))
			return true;
	return false;
}

static bool str_in(const struct node *n, const char *s, size_t len)
{
	size_t lo = 0, hi = n->n_strs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct strval *x = &n->strs[mid];
		int c = memcmp(x->s, s, x->len < len ? x->len : len);

		if (!c)
			c = (x->len > len) - (x->len < len);
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The path, or one of its leading directories, is in the set. */
static bool pmatch(const struct node *n, const struct rf_val *v)
{
	if (str_in(n, "/", 1) && v->len && v->s[0] == '/')
		return true;
	for (size_t i = 1; i <= v->len; i++)
		if ((i == v->len || v->s[i] == '/') && str_in(n, v->s, i))
			return true;
	return false;
}

static bool int_in(const struct node *n, int64_t x)
{
	size_t lo = 0, hi = n->n_ints;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (n->ints[mid] == x)
			return true;
		if (n->ints[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool cmp_str(struct eval_ctx *c, const struct node *n, const struct rf_val *v)
{
	const struct strval *w = &n->strs[0];

	switch (n->op) {
	case OP_EQ: return v->len == w->len && !memcmp(v->s, w->s, w->len);
	case OP_NE: return !(v->len == w->len && !memcmp(v->s, w->s, w->len));
	case OP_CONTAINS: return contains(v, w, false);
	case OP_ICONTAINS: return contains(v, w, true);
	case OP_STARTSWITH: return v->len >= w->len && !memcmp(v->s, w->s, w->len);
	case OP_ENDSWITH: return v->len >= w->len && !memcmp(v->s + v->len - w->len, w->s, w->len);
	case OP_GLOB:
	case OP_IGLOB: return glob_match(w->s, v->s, v->len, n->op == OP_IGLOB);
	case OP_PMATCH: return pmatch(n, v);
	case OP_IN:
	case OP_INTERSECTS: return str_in(n, v->s, v->len);
	default: return false;
	}
}

static bool cmp_int(const struct node *n, int64_t x)
{
	int64_t w = n->n_ints ? n->ints[0] : 0;

	switch (n->op) {
	case OP_EQ: return x == w;
	case OP_NE: return x != w;
	case OP_LT: return x < w;
	case OP_LE: return x <= w;
	case OP_GT: return x > w;
	case OP_GE: return x >= w;
	case OP_IN:
	case OP_INTERSECTS: return int_in(n, x);
	default: return false;
	}
}

static bool cmp_one(struct eval_ctx *c, const struct node *n, const struct rf_val *v)
{
	switch (n->ref.f->type) {
	case FT_STR: return cmp_str(c, n, v);
	case FT_INT:
	case FT_PORT:
	case FT_BOOL: return cmp_int(n, v->i);
	case FT_IP: {
		bool hit = rf_ipset_lookup(&n->ips, &v->ip) != NULL;

		return n->op == OP_NE ? !hit : hit;
	}
	case FT_FLAGS:
		if (n->op == OP_CONTAINS)
			return ((uint64_t)v->i & n->mask) == n->value;
		return n->op == OP_EQ ? (uint64_t)v->i == n->value : (uint64_t)v->i != n->value;
	}
	return false;
}

static bool cmp_eval(struct eval_ctx *c, const struct node *n)
{
	struct rf_val v;
	bool any = false;

	if (n->evtype_ids || (n->op == OP_EXISTS && streq(n->ref.f->name, "evt.type"))) {
		bool hit = false;

		if (n->op == OP_EXISTS)
			return true;
		for (uint32_t i = 0; i < n->evtype_ids_n && !hit; i++)
			hit = n->evtype_ids[i] == c->evtype;
		return n->op == OP_NE ? !hit : hit;
	}
	for (unsigned nth = 0; nth < FIELD_LIST_MAX; nth++) {
		memset(&v, 0, sizeof(v));
		if (n->ref.f->get(c, &n->ref, nth, &v) <= 0)
			break;
		if (n->op == OP_EXISTS)
			return true;
		any = true;
		/* Over a list (ancestors) "!=" holds when no value is equal; the rest when one
		 * value matches. */
		if (n->op == OP_NE) {
			if (!cmp_one(c, n, &v))
				return false;
		} else if (cmp_one(c, n, &v)) {
			return true;
		}
	}
	return n->op == OP_NE && any;
}

static bool node_eval_uncached(struct eval_ctx *c, const struct node *n);

bool node_eval(struct eval_ctx *c, const struct node *n)
{
	bool v;

	if (!n->slot)
		return node_eval_uncached(c, n);
	if (c->slot_gen[n->slot] == c->gen)
		return c->slot_val[n->slot];
	v = node_eval_uncached(c, n);
	c->slot_gen[n->slot] = c->gen;
	c->slot_val[n->slot] = v;
	return v;
}

static bool node_eval_uncached(struct eval_ctx *c, const struct node *n)
{
	switch (n->kind) {
	case N_AND:
		for (size_t i = 0; i < n->n_kids; i++)
			if (!node_eval(c, n->kids[i]))
				return false;
		return true;
	case N_OR:
		for (size_t i = 0; i < n->n_kids; i++)
			if (node_eval(c, n->kids[i]))
				return true;
		return false;
	case N_NOT: return !node_eval(c, n->kids[0]);
	case N_CMP: return cmp_eval(c, n);
	case N_TRUE: return true;
	}
	return false;
}

/* ---- the context ---- */

int rf_rules_eval_new(const struct rf_ruleset *rs, const struct rf_rules_eval_opts *o,
		      struct rf_rules_eval **ret)
{
	struct rf_rules_eval *e;
	int r;

	if (!rs->compiled)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->c.rs = rs;
	e->c.slot_gen = calloc(rs->n_slots + 1, sizeof(*e->c.slot_gen));
	e->c.slot_val = calloc(rs->n_slots + 1, sizeof(*e->c.slot_val));
	if (!e->c.slot_gen || !e->c.slot_val) {
		free(e->c.slot_gen);
		free(e->c.slot_val);
		free(e);
		return -ENOMEM;
	}
	if (o) {
		e->c.meta_fn = o->container_meta;
		e->c.meta_userdata = o->meta_userdata;
		e->c.intel = o->intel;
	}
	if (rs->uses_state) {
		r = drift_new(o && o->drift_max_paths ? o->drift_max_paths : RF_DRIFT_DEFAULT_MAX,
			      &e->c.drift);
		if (r < 0) {
			rf_rules_eval_free(e);
			return r;
		}
	}
	if (o && o->baseline &&
	    (r = bl_eval_new(o->baseline, o->baseline_self, &e->c.baseline)) < 0) {
		rf_rules_eval_free(e);
		return r;
	}
	*ret = e;
	return 0;
}

void rf_rules_eval_free(struct rf_rules_eval *e)
{
	if (!e)
		return;
	drift_free(e->c.drift);
	ka_state_free(e->c.ka);
	bl_eval_free(e->c.baseline);
	free(e->c.slot_gen);
	free(e->c.slot_val);
	free(e);
}

uint64_t rf_rules_eval_drift_evicted(const struct rf_rules_eval *e)
{
	return e->c.drift ? drift_evicted(e->c.drift) : 0;
}

int rf_rules_eval(struct rf_rules_eval *e, const struct rf_event *ev, rf_rule_match_fn fn,
		  void *userdata)
{
	struct eval_ctx *c = &e->c;
	const struct rf_ruleset *rs = c->rs;
	size_t b;
	int matches = 0;

	if (ev->kind <= 0 || ev->kind >= RF_EV_KIND_MAX)
		return 0;
	c->ev = ev;
	c->gen++;
	c->evtype = evtypes_of_event(&rs->types, ev);
	if (c->drift && ev->kind == RF_EV_FILE && !ev->gate) /* nothing happened yet */
		drift_observe(c->drift, c);
	b = (size_t)ev->kind * rs->types.n + c->evtype;
	for (uint32_t i = rs->bucket_start[b]; i < rs->bucket_start[b + 1]; i++) {
		const struct rf_rule *rule = rs->rules[rs->bucket_rules[i]];

		if (!node_eval(c, rule->root))
			continue;
		matches++;
		if (fn) {
			int r = fn(rule, ev, e, userdata);

			if (r < 0) {
				c->ev = NULL;
				return r;
			}
		}
	}
	c->ev = NULL;
	return matches;
}

/* ---- texts for findings ---- */

static int value_text(struct eval_ctx *c, const struct fref *ref, char *buf, size_t size)
{
	struct rf_val v;

	size_t n = 0;

	memset(&v, 0, sizeof(v));
	if (ref->f->get(c, ref, 0, &v) <= 0)
		return 0;
	if (!(ref->f->flags & FF_LIST) || (ref->f->flags & FF_ANCESTOR))
		return val_format(ref, &v, c->ev->kind, buf, size) >= 0 ? 1 : 0;
	/* A list of an event's own (an audit event's images, host paths ...): every value,
	 * comma-separated, cut at the buffer. */
	for (unsigned nth = 1;; nth++) {
		int k = val_format(ref, &v, c->ev->kind, buf + n, size - n);

		if (k < 0)
			return n > 0;
		n += (size_t)k < size - n ? (size_t)k : size - n - 1;
		memset(&v, 0, sizeof(v));
		if (n + 2 >= size || nth >= FIELD_LIST_MAX || ref->f->get(c, ref, nth, &v) <= 0)
			return 1;
		buf[n++] = ',';
		buf[n] = '\0';
	}
}

int rf_rules_eval_output(struct rf_rules_eval *e, const struct rf_rule *rule, char **ret)
{
	struct eval_ctx *c = &e->c;
	char *buf = NULL, val[4096];
	size_t len = 0;
	FILE *f;

	if (!c->ev)
		return -EINVAL;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < rule->n_out; i++) {
		const struct out_seg *s = &rule->out[i];

		if (s->text)
			fputs(s->text, f);
		else
			fputs(value_text(c, &s->ref, val, sizeof(val)) ? val : "<NA>", f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}

int rf_rules_eval_fields(struct rf_rules_eval *e, const struct rf_rule *rule, char ***ret)
{
	struct eval_ctx *c = &e->c;
	_cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
	char val[4096], name[160];
	int r;

	if (!v)
		return -ENOMEM;
	if (!c->ev)
		return -EINVAL;
	for (size_t i = 0; i < rule->n_used; i++) {
		const struct fref *ref = &rule->used[i];

		if (!value_text(c, ref, val, sizeof(val)))
			continue;
		if (ref->index >= 0)
			(void)snprintf(name, sizeof(name), "%s[%d]", ref->f->name, ref->index);
		else
			(void)snprintf(name, sizeof(name), "%s", ref->f->name);
		r = strv_extend(&v, name);
		if (r >= 0)
			r = strv_extend(&v, val);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(v);
	return 0;
}
