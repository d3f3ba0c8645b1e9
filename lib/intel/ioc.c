/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Indicator sets of ringfence/ioc.h. Entries and their strings live in an arena (hundreds of
 * thousands of small allocations would dominate load time); lookups go through the prefix set
 * and hash maps of lib/core. JSON feeds are read with cJSON: a feed is bulk data, read at the
 * speed of the text, not a configuration document. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/hashmap.h"
#include "core/ipset.h"
#include "core/macro.h"
#include "ringfence/ioc.h"

#define IOC_MAX_BYTES (1u << 30)
#define ARENA_CHUNK   (1u << 20)

struct entry {
	struct rf_ioc ioc;
	struct rf_ip addr;
	unsigned len;
};

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct rf_ioc_set {
	struct chunk *arena;
	struct entry **ips;
	size_t n_ips, cap_ips;
	struct rf_ipset prefixes;
	struct rf_hmap domains, zones, hashes; /* value -> struct entry */
	bool built;
};

static void *arena_alloc(struct rf_ioc_set *s, size_t n)
{
	struct chunk *c = s->arena;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = s->arena;
		c->used = 0;
		c->cap = cap;
		s->arena = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

static const char *arena_str(struct rf_ioc_set *s, const char *p, size_t n)
{
	char *d = arena_alloc(s, n + 1);

	if (d) {
		memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

int rf_ioc_set_new(struct rf_ioc_set **ret)
{
	struct rf_ioc_set *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->domains = s->zones = s->hashes = (struct rf_hmap)RF_HMAP_INIT_STR;
	*ret = s;
	return 0;
}

void rf_ioc_set_free(struct rf_ioc_set *s)
{
	if (!s)
		return;
	while (s->arena) {
		struct chunk *c = s->arena;

		s->arena = c->next;
		free(c);
	}
	free(s->ips);
	rf_ipset_done(&s->prefixes);
	rf_hmap_done(&s->domains, NULL);
	rf_hmap_done(&s->zones, NULL);
	rf_hmap_done(&s->hashes, NULL);
	free(s);
}

/* ---- one indicator ---- */

static bool valid_domain(const char *d, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = d[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!(isalnum((unsigned char)c) || c == '-' || c == '_') || ++label > 63)
			return false;
	}
	/* A bare word is not a domain, and no top-level domain is all digits ("999.1.1.1"). */
	if (label == 0 || !memchr(d, '.', n))
		return false;
	for (size_t i = n - label; i < n; i++)
		if (!isdigit((unsigned char)d[i]))
			return true;
	return false;
}

static bool is_sha256(const char *v, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)v[i]))
			return false;
	return true;
}

struct origin {
	const char *file;
	unsigned line;
	struct rf_error *err;
};

static int add_one(struct rf_ioc_set *s, const char *value, size_t n, const char *category,
		   const char *description, const struct origin *o)
{
	char v[300];
	struct entry *e;
	size_t i;

	while (n && isspace((unsigned char)value[n - 1]))
		n--;
	while (n && isspace((unsigned char)*value)) {
		value++;
		n--;
	}
	if (n == 0 || n >= sizeof(v))
		return rf_error_set_at(o->err, -EINVAL, o->file, o->line,
				       "'%.*s' is not an "
				       "indicator (an IP, CIDR, domain, *.zone or SHA-256)",
				       (int)(n > 80 ? 80 : n), value);
	for (i = 0; i < n; i++)
		v[i] = (char)tolower((unsigned char)value[i]);
	v[n] = '\0';
	if (n > 1 && v[n - 1] == '.') /* "example.test." */
		v[--n] = '\0';
	e = arena_alloc(s, sizeof(*e));
	if (!e)
		return -ENOMEM;
	*e = (struct entry){ 0 };
	e->ioc.category = category;
	e->ioc.description = description;
	e->ioc.file = o->file;
	e->ioc.line = o->line;
	/* Cheapest test first: most of a big feed is one kind. */
	if (is_sha256(v, n)) {
		e->ioc.kind = RF_IOC_SHA256;
		e->ioc.value = arena_str(s, v, n);
		return e->ioc.value ? rf_hmap_put_str(&s->hashes, e->ioc.value, e, NULL) : -ENOMEM;
	}
	if ((isdigit((unsigned char)v[0]) || strchr(v, ':')) &&
	    rf_ip_parse_prefix(v, &e->addr, &e->len) == 0) {
		struct entry **ips;

		e->ioc.kind = RF_IOC_IP;
		if (s->n_ips == s->cap_ips) {
			s->cap_ips = s->cap_ips ? s->cap_ips * 2 : 1024;
			ips = reallocarray(s->ips, s->cap_ips, sizeof(*ips));
			if (!ips)
				return -ENOMEM;
			s->ips = ips;
		}
		s->ips[s->n_ips++] = e;
		e->ioc.value = arena_str(s, v, n);
		return rf_ipset_add(&s->prefixes, &e->addr, e->len, e);
	}
	if ((v[0] == '*' && v[1] == '.') || v[0] == '.') {
		const char *zone = v + (v[0] == '*' ? 2 : 1);

		if (!valid_domain(zone, strlen(zone)))
			goto bad;
		e->ioc.kind = RF_IOC_ZONE;
		e->ioc.value = arena_str(s, zone, strlen(zone));
		return e->ioc.value ? rf_hmap_put_str(&s->zones, e->ioc.value, e, NULL) : -ENOMEM;
	}
	if (valid_domain(v, n)) {
		e->ioc.kind = RF_IOC_DOMAIN;
		e->ioc.value = arena_str(s, v, n);
		return e->ioc.value ? rf_hmap_put_str(&s->domains, e->ioc.value, e, NULL) : -ENOMEM;
	}
bad:
	return rf_error_set_at(o->err, -EINVAL, o->file, o->line,
			       "'%s' is not an indicator (an IP, CIDR, domain, *.zone or SHA-256; "
			       "a CIDR must not have host bits set)",
			       v);
}

static int add(struct rf_ioc_set *s, const char *value, size_t n, const char *category,
	       const char *description, const struct origin *o)
{
	int r = add_one(s, value, n, category, description, o);

	return r < 0 ? r : 0;
}

/* ---- formats ---- */

static int load_plain(struct rf_ioc_set *s, const char *text, size_t len, struct origin *o)
{
	const char *category = "Custom", *p = text, *end = text + len;

	for (o->line = 1; p < end; o->line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ?: end, *q = p;
		int r;

		while (q < e && isspace((unsigned char)*q))
			q++;
		if (q < e && *q == '#') {
			/* "# category: NAME" sets the category of what follows. */
			q++;
			while (q < e && isspace((unsigned char)*q))
				q++;
			if ((size_t)(e - q) > 9 && !strncasecmp(q, "category:", 9)) {
				const char *c = q + 9, *ce = e;

				while (c < ce && isspace((unsigned char)*c))
					c++;
				while (ce > c && isspace((unsigned char)ce[-1]))
					ce--;
				category = arena_str(s, c, (size_t)(ce - c));
				if (!category)
					return -ENOMEM;
			}
		} else if (q < e) {
			const char *hash = memchr(q, '#', (size_t)(e - q));

			r = add(s, q, (size_t)((hash ?: e) - q), category, NULL, o);
			if (r < 0)
				return r;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* One RFC 4180 field: [p, end of line); returns where the next field starts, or NULL at the
 * end of the record. */
static const char *csv_field(struct rf_ioc_set *s, const char *p, const char *e, const char **ret)
{
	char *out, *o;

	if (p < e && *p == '"') {
		out = o = arena_alloc(s, (size_t)(e - p) + 1);
		if (!out)
			return NULL;
		for (p++; p < e; p++) {
			if (*p == '"' && p + 1 < e && p[1] == '"')
				*o++ = *p++;
			else if (*p == '"')
				break;
			else
				*o++ = *p;
		}
		*o = '\0';
		*ret = out;
		p++;
	} else {
		const char *c = memchr(p, ',', (size_t)(e - p));

		*ret = arena_str(s, p, (size_t)((c ?: e) - p));
		p = c ?: e;
	}
	return p < e && *p == ',' ? p + 1 : NULL;
}

static int load_csv(struct rf_ioc_set *s, const char *text, size_t len, struct origin *o)
{
	const char *p = text, *end = text + len;
	int col_value = -1, col_cat = -1, col_desc = -1;

	for (o->line = 1; p < end; o->line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ?: end, *q = p;
		const char *fields[16] = { 0 };
		int n = 0, r;

		if (e > p && e[-1] == '\r')
			e--;
		while (q && n < 16)
			q = csv_field(s, q, e, &fields[n++]);
		p = nl ? nl + 1 : end;
		if (n == 1 && (!fields[0] || !fields[0][0]))
			continue; /* an empty line */
		if (o->line == 1) {
			for (int i = 0; i < n; i++) {
				if (!strcasecmp(fields[i], "indicator") ||
				    !strcasecmp(fields[i], "value"))
					col_value = i;
				else if (!strcasecmp(fields[i], "category"))
					col_cat = i;
				else if (!strcasecmp(fields[i], "description"))
					col_desc = i;
			}
			if (col_value < 0)
				return rf_error_set_at(
					o->err, -EINVAL, o->file, 1,
					"a CSV feed needs an 'indicator' (or 'value') "
					"column in its header");
			continue;
		}
		if (col_value >= n)
			return rf_error_set_at(o->err, -EINVAL, o->file, o->line,
					       "the record has no indicator column");
		r = add(s, fields[col_value], strlen(fields[col_value]),
			col_cat >= 0 && col_cat < n && fields[col_cat][0] ? fields[col_cat]
									  : "Custom",
			col_desc >= 0 && col_desc < n ? fields[col_desc] : NULL, o);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "[ipv4-addr:value = '203.0.113.5']" and friends: the quoted value of a single comparison. */
static int stix_pattern(const char *pat, const char **ret_value, size_t *ret_len)
{
	static const char *const kinds[] = { "[ipv4-addr:value",    "[ipv6-addr:value",
					     "[domain-name:value",  "[file:hashes.'SHA-256'",
					     "[file:hashes.sha256", NULL };
	const char *q1, *q2;
	bool known = false;

	for (const char *const *k = kinds; *k; k++)
		known |= !strncmp(pat, *k, strlen(*k));
	q1 = strchr(pat, '=');
	q1 = q1 ? strchr(q1, '\'') : NULL;
	q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
	if (!known || !q2 || strstr(q2, " AND ") || strstr(q2, " OR "))
		return -EINVAL;
	*ret_value = q1 + 1;
	*ret_len = (size_t)(q2 - q1 - 1);
	return 0;
}

static int load_stix(struct rf_ioc_set *s, const char *text, size_t len, struct origin *o)
{
	cJSON *doc = cJSON_ParseWithLength(text, len), *objects, *obj;
	int r = 0;

	if (!doc)
		return rf_error_set_at(o->err, -EINVAL, o->file, 0, "not valid JSON");
	objects = cJSON_GetObjectItemCaseSensitive(doc, "objects");
	if (!cJSON_IsArray(objects)) {
		cJSON_Delete(doc);
		return rf_error_set_at(o->err, -EINVAL, o->file, 0,
				       "a STIX bundle needs an \"objects\" list");
	}
	o->line = 0; /* entries are numbered by their position in "objects" */
	cJSON_ArrayForEach(obj, objects)
	{
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(obj, "type");
		const cJSON *pat = cJSON_GetObjectItemCaseSensitive(obj, "pattern");
		const cJSON *cat = cJSON_GetObjectItemCaseSensitive(obj, "x_category");
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(obj, "labels");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
		const char *value, *category = "Custom";
		size_t vlen;

		o->line++;
		if (!cJSON_IsString(type) || strcmp(type->valuestring, "indicator"))
			continue;
		if (!labels)
			labels = cJSON_GetObjectItemCaseSensitive(obj, "indicator_types");
		if (cJSON_IsString(cat))
			category = cat->valuestring;
		else if (cJSON_IsArray(labels) && cJSON_IsString(cJSON_GetArrayItem(labels, 0)))
			category = cJSON_GetArrayItem(labels, 0)->valuestring;
		if (!cJSON_IsString(pat) || stix_pattern(pat->valuestring, &value, &vlen) < 0) {
			r = rf_error_set_at(
				o->err, -EINVAL, o->file, o->line,
				"object %u: an indicator pattern must be one comparison "
				"of ipv4-addr, ipv6-addr, domain-name or file:hashes "
				"SHA-256 (\"[ipv4-addr:value = '...']\")",
				o->line);
			break;
		}
		category = arena_str(s, category, strlen(category));
		r = category ? add(s, value, vlen, category,
				   cJSON_IsString(name) ? arena_str(s, name->valuestring,
								    strlen(name->valuestring))
							: NULL,
				   o)
			     : -ENOMEM;
		if (r < 0)
			break;
	}
	cJSON_Delete(doc);
	return r;
}

int rf_ioc_load(struct rf_ioc_set *s, const char *path, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	struct origin o = { .err = reterr };
	const char *p, *nl;
	size_t len = 0;
	int r;

	if (s->built)
		return -EBUSY;
	r = rf_read_file(path, IOC_MAX_BYTES, &text, &len, reterr);
	if (r < 0)
		return r;
	o.file = arena_str(s, path, strlen(path));
	if (!o.file)
		return -ENOMEM;
	for (p = text; p < text + len && isspace((unsigned char)*p); p++)
		;
	if (p < text + len && (*p == '{' || *p == '['))
		return load_stix(s, text, len, &o);
	nl = memchr(p, '\n', (size_t)(text + len - p)) ?: text + len;
	if (memchr(p, ',', (size_t)(nl - p)) && *p != '#')
		return load_csv(s, text, len, &o);
	return load_plain(s, text, len, &o);
}

int rf_ioc_build(struct rf_ioc_set *s)
{
	int r = rf_ipset_build(&s->prefixes);

	if (r >= 0)
		s->built = true;
	return r;
}

void rf_ioc_counts(const struct rf_ioc_set *s, struct rf_ioc_counts *ret)
{
	*ret = (struct rf_ioc_counts){
		.ips = s->n_ips, .domains = s->domains.n, .zones = s->zones.n, .hashes = s->hashes.n
	};
}

const struct rf_ioc *rf_ioc_match_ip(const struct rf_ioc_set *s, const uint8_t addr[16])
{
	struct rf_ip ip;
	struct entry *e;

	if (!s->built)
		return NULL;
	memcpy(ip.b, addr, 16);
	e = rf_ipset_lookup(&s->prefixes, &ip);
	return e ? &e->ioc : NULL;
}

const struct rf_ioc *rf_ioc_match_domain(const struct rf_ioc_set *s, const char *name)
{
	char v[256];
	size_t n = strlen(name);
	struct entry *e;

	if (!n || n >= sizeof(v))
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = (char)tolower((unsigned char)name[i]);
	if (v[n - 1] == '.')
		n--;
	v[n] = '\0';
	e = rf_hmap_get_str(&s->domains, v);
	if (e)
		return &e->ioc;
	/* The innermost zone: the name itself, then each parent ("a.b.test", "b.test", "test"). */
	for (const char *z = v; z; z = strchr(z, '.') ? strchr(z, '.') + 1 : NULL) {
		e = rf_hmap_get_str(&s->zones, z);
		if (e)
			return &e->ioc;
	}
	return NULL;
}

const struct rf_ioc *rf_ioc_match_sha256(const struct rf_ioc_set *s, const char *hex)
{
	char v[65];
	struct entry *e;

	if (!is_sha256(hex, strlen(hex)))
		return NULL;
	for (int i = 0; i < 64; i++)
		v[i] = (char)tolower((unsigned char)hex[i]);
	v[64] = '\0';
	e = rf_hmap_get_str(&s->hashes, v);
	return e ? &e->ioc : NULL;
}

int rf_ioc_each_prefix(const struct rf_ioc_set *s,
		       int (*fn)(const uint8_t addr[16], unsigned len, void *ud), void *ud)
{
	for (size_t i = 0; i < s->n_ips; i++) {
		int r = fn(s->ips[i]->addr.b, s->ips[i]->len, ud);

		if (r < 0)
			return r;
	}
	return 0;
}
