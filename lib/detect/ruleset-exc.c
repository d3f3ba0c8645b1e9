/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rule exceptions (Falco's form): named tuples of fields, comparison operators and rows of
 * values; the rule matches only when no row matches. A later file can add rows to a named
 * exception or new exceptions (append), or replace them all. Fields and operators are checked
 * when the rule is compiled (cond.c), at the locations kept here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/doc.h"
#include "core/macro.h"
#include "core/strv.h"
#include "detect-internal.h"

#define MAX_ROWS 100000

void exception_done(struct exception *x)
{
	size_t nf = strv_length(x->fields);

	free(x->name);
	strv_free(x->fields);
	strv_free(x->comps);
	free(x->field_locs);
	free(x->comp_locs);
	for (size_t r = 0; r < x->n_rows; r++) {
		for (size_t i = 0; i < nf; i++)
			strv_free(x->rows[r][i].items);
		free(x->rows[r]);
	}
	free(x->rows);
	*x = (struct exception){ 0 };
}

static void exception_freep(struct exception *x)
{
	exception_done(x);
}

/* One value: a string, or a list of strings (for in / pmatch / intersects). */
static int read_value(struct load *l, struct fy_node *n, struct exc_value *ret)
{
	struct rf_doc *d = l->d;
	int r;

	loc_of(l, n, &ret->loc);
	ret->items = calloc(1, sizeof(char *));
	if (!ret->items)
		return -ENOMEM;
	if (rf_doc_is_seq(d, n)) {
		struct fy_node *item;
		void *it = NULL;

		ret->is_list = true;
		while ((item = fy_node_sequence_iterate(n, &it))) {
			const char *s;

			item = rf_doc_node(d, item, "exception value");
			r = item ? scalar_text(l, item, "an exception value", &s) : -EINVAL;
			if (r >= 0)
				r = strv_extend(&ret->items, s);
			if (r < 0)
				return r;
		}
		return 0;
	}
	{
		const char *s;

		r = scalar_text(l, n, "an exception value", &s);
		return r < 0 ? r : strv_extend(&ret->items, s);
	}
}

static int add_row(struct exception *x, struct exc_value *row)
{
	struct exc_value **v = realloc(x->rows, (x->n_rows + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	x->rows = v;
	x->rows[x->n_rows++] = row;
	return 0;
}

static int read_rows(struct load *l, struct fy_node *values, struct exception *x)
{
	struct rf_doc *d = l->d;
	size_t nf = strv_length(x->fields);
	struct fy_node *item;
	void *it = NULL;

	if (!values)
		return 0;
	if (rf_doc_expect_seq(d, values, "exception values") < 0)
		return -EINVAL;
	if ((size_t)fy_node_sequence_item_count(values) > MAX_ROWS)
		return rf_doc_fail(d, values, "exception values: more than %d rows", MAX_ROWS);
	while ((item = fy_node_sequence_iterate(values, &it))) {
		struct exc_value *row = calloc(nf, sizeof(*row));
		struct fy_node *cell;
		void *cit = NULL;
		size_t i = 0;
		int r = 0;

		if (!row)
			return -ENOMEM;
		item = rf_doc_node(d, item, "exception values");
		if (!item) {
			free(row);
			return -EINVAL;
		}
		if (x->single) {
			r = read_value(l, item, &row[0]);
		} else if (!rf_doc_is_seq(d, item) ||
			   (size_t)fy_node_sequence_item_count(item) != nf) {
			r = rf_doc_fail(d, item,
					"exception '%s': each row of values must be a list "
					"of %zu (one per field)",
					x->name, nf);
		} else {
			while (r >= 0 && (cell = fy_node_sequence_iterate(item, &cit))) {
				cell = rf_doc_node(d, cell, "exception value");
				r = cell ? read_value(l, cell, &row[i++]) : -EINVAL;
			}
		}
		if (r >= 0)
			r = add_row(x, row);
		if (r < 0) {
			for (size_t k = 0; k < nf; k++)
				strv_free(row[k].items);
			free(row);
			return r;
		}
	}
	return 0;
}

static int read_locs(struct load *l, struct fy_node *n, size_t count, struct rloc **ret)
{
	struct fy_node *item;
	void *it = NULL;
	size_t i = 0;

	*ret = calloc(count + 1, sizeof(**ret));
	if (!*ret)
		return -ENOMEM;
	if (!rf_doc_is_seq(l->d, n)) {
		for (i = 0; i < count; i++)
			loc_of(l, n, &(*ret)[i]);
		return 0;
	}
	while ((item = fy_node_sequence_iterate(n, &it)) && i < count)
		loc_of(l, item, &(*ret)[i++]);
	return 0;
}

struct exc_keys {
	struct fy_node *name, *fields, *comps, *values;
};

static int exc_key(struct rf_doc *d, const char *key, struct fy_node *key_node,
		   struct fy_node *value, void *userdata)
{
	struct exc_keys *k = userdata;

	if (streq(key, "name"))
		k->name = value;
	else if (streq(key, "fields"))
		k->fields = value;
	else if (streq(key, "comps"))
		k->comps = value;
	else if (streq(key, "values"))
		k->values = value;
	else
		return rf_doc_unknown_key(d, key_node, "exception", key);
	return 0;
}

static int new_exception(struct load *l, struct exc_keys *k, struct exception *x)
{
	struct rf_doc *d = l->d;
	size_t nf;
	int r;

	if (!k->fields)
		return rf_doc_fail(d, k->name, "exception '%s': missing 'fields'", x->name);
	x->single = !rf_doc_is_seq(d, k->fields);
	if (x->single) {
		x->fields = calloc(2, sizeof(char *));
		if (!x->fields)
			return -ENOMEM;
		r = rf_doc_strdup(d, k->fields, "exception fields", &x->fields[0]);
	} else {
		r = rf_doc_strv(d, k->fields, "exception fields", 64, &x->fields);
	}
	if (r < 0)
		return r;
	nf = strv_length(x->fields);
	if (nf == 0)
		return rf_doc_fail(d, k->fields, "exception '%s': no fields", x->name);
	if (k->comps && rf_doc_is_seq(d, k->comps) != !x->single)
		return rf_doc_fail(d, k->comps, "exception '%s': comps must be %s, as fields is",
				   x->name, x->single ? "one operator" : "a list");
	if (!k->comps) {
		/* Falco's defaults: "in" for a single field, "=" per field of a tuple. */
		for (size_t i = 0; i < nf; i++)
			if ((r = strv_extend(&x->comps, x->single ? "in" : "=")) < 0)
				return r;
	} else if (x->single) {
		x->comps = calloc(2, sizeof(char *));
		if (!x->comps)
			return -ENOMEM;
		r = rf_doc_strdup(d, k->comps, "exception comps", &x->comps[0]);
	} else {
		r = rf_doc_strv(d, k->comps, "exception comps", 64, &x->comps);
	}
	if (r < 0)
		return r;
	if (strv_length(x->comps) != nf)
		return rf_doc_fail(d, k->comps, "exception '%s': %zu comps for %zu fields", x->name,
				   strv_length(x->comps), nf);
	r = read_locs(l, k->fields, nf, &x->field_locs);
	if (r >= 0)
		r = read_locs(l, k->comps ?: k->fields, nf, &x->comp_locs);
	return r;
}

static int add_exception(struct rf_rule *rule, struct exception *x)
{
	struct exception *v = realloc(rule->exc, (rule->n_exc + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	rule->exc = v;
	rule->exc[rule->n_exc++] = *x;
	*x = (struct exception){ 0 };
	return 0;
}

static int one(struct rf_doc *d, size_t index, struct fy_node *item, void *userdata)
{
	struct {
		struct load *l;
		struct rf_rule *rule;
	} *ctx = userdata;
	struct load *l = ctx->l;
	struct rf_rule *rule = ctx->rule;
	_cleanup_(exception_freep) struct exception x = { 0 };
	struct exc_keys k = { 0 };
	struct exception *old = NULL;
	int r = rf_doc_each_key(d, item, "exception", exc_key, &k);

	if (r < 0)
		return r;
	r = rf_doc_strdup(d, k.name ?: item, "exception name", &x.name);
	if (r < 0)
		return k.name ? r : rf_doc_fail(d, item, "exception: missing 'name'");
	loc_of(l, k.name, &x.loc);
	for (size_t i = 0; i < rule->n_exc; i++)
		if (streq(rule->exc[i].name, x.name))
			old = &rule->exc[i];
	if (old) {
		/* Rows for an exception defined before: its fields and comps stand. */
		if (k.fields || k.comps)
			return rf_doc_fail(d, k.fields ?: k.comps,
					   "exception '%s' exists: only "
					   "values can be added to it",
					   x.name);
		return read_rows(l, k.values, old);
	}
	r = new_exception(l, &k, &x);
	if (r >= 0)
		r = read_rows(l, k.values, &x);
	if (r >= 0)
		r = add_exception(rule, &x);
	return r;
}

int load_exceptions(struct load *l, struct fy_node *n, bool append, struct rf_rule *rule)
{
	struct {
		struct load *l;
		struct rf_rule *rule;
	} ctx = { l, rule };

	if (!append) {
		for (size_t i = 0; i < rule->n_exc; i++)
			exception_done(&rule->exc[i]);
		rule->n_exc = 0;
	}
	return rf_doc_each_item(l->d, n, "exceptions", 1000, one, &ctx);
}
