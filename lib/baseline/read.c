/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading "ringfence.baseline/v1" back through the document layer: strict (an unknown key, a
 * relative path, a set larger than its budget, an address that is not a /24 or /64 network are
 * file:line:column errors), so a hand-edited baseline says where it is wrong rather than
 * silently allowing less or more. Items may come in any order and repeat; they are sorted. */
#include <arpa/inet.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "baseline-internal.h"
#include "core/arch.h"
#include "core/doc.h"
#include "core/fileio.h"
#include "core/ipset.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/caps.h"

#define BL_MAX_BYTES  (256u << 20)
#define BL_MAX_BUDGET 65536u /* per set and workloads: what a document may ask for */

struct rd {
	struct rf_baseline *b;
	struct rf_baseline_workload *w;
	enum rf_baseline_set s;
	struct fy_node *schema, *learned, *budgets, *workloads, *items;
};

static int path_of(struct rf_doc *d, struct fy_node *n, const char *what, const char **ret)
{
	size_t len;
	int r = rf_doc_str(d, n, what, ret, &len);

	if (r < 0)
		return r;
	if ((*ret)[0] != '/')
		return rf_doc_fail(d, n, "%s: '%s' is not an absolute path", what, *ret);
	if (len > RF_BASELINE_MAX_ITEM)
		return rf_doc_fail(d, n, "%s: longer than %u bytes", what, RF_BASELINE_MAX_ITEM);
	return 0;
}

static int hex64(struct rf_doc *d, struct fy_node *n, const char *what, uint64_t *ret)
{
	const char *s;
	char *end = NULL;
	int r = rf_doc_str(d, n, what, &s, NULL);

	if (r < 0)
		return r;
	errno = 0;
	if (strncmp(s, "0x", 2) || !s[2] || (*ret = strtoull(s + 2, &end, 16), errno || *end))
		return rf_doc_fail(d, n, "%s: '%s' is not a 0x-hex 64-bit value", what, s);
	return 0;
}

static int exe_key(struct rf_doc *d, const char *key, struct fy_node *k, struct fy_node *v,
		   void *userdata)
{
	struct bl_exe *e = userdata;
	const char *s;
	int r;

	if (streq(key, "path")) {
		if ((r = path_of(d, v, "executables.path", &s)) < 0)
			return r;
		return (e->path = strdup(s)) ? 0 : -ENOMEM;
	}
	if (streq(key, "dev"))
		return e->has_id = true, hex64(d, v, "executables.dev", &e->dev);
	if (streq(key, "ino"))
		return hex64(d, v, "executables.ino", &e->ino);
	if (streq(key, "id_varies"))
		return rf_doc_bool(d, v, "executables.id_varies", &e->id_varies);
	return rf_doc_unknown_key(d, k, "executables", key);
}

static int edge_key(struct rf_doc *d, const char *key, struct fy_node *k, struct fy_node *v,
		    void *userdata)
{
	struct bl_edge *e = userdata;
	char **dst = streq(key, "parent") ? &e->parent : streq(key, "child") ? &e->child : NULL;
	const char *s;
	int r;

	if (!dst)
		return rf_doc_unknown_key(d, k, "edges", key);
	if ((r = path_of(d, v, key, &s)) < 0)
		return r;
	free(*dst);
	return (*dst = strdup(s)) ? 0 : -ENOMEM;
}

/* "192.0.2.7:443", "192.0.2.0/24:53", "[2001:db8::1]:443", "[2001:db8::/64]:443" */
static int dest_of(struct rf_doc *d, struct fy_node *n, struct bl_dest *e)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *s, *colon;
	struct rf_ip ip;
	unsigned len;
	uint64_t port;
	char *end = NULL;
	size_t alen;
	int r = rf_doc_str(d, n, "connect", &s, NULL);

	if (r < 0)
		return r;
	if (s[0] == '[') {
		const char *close = strstr(s, "]:");

		colon = close ? close + 1 : NULL;
		alen = close ? (size_t)(close - s - 1) : 0;
		s++;
	} else {
		colon = strrchr(s, ':');
		alen = colon ? (size_t)(colon - s) : 0;
	}
	if (!colon || !alen || alen >= sizeof(addr))
		return rf_doc_fail(d, n, "connect: '%s' is not ADDRESS:PORT", s);
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	errno = 0;
	port = strtoull(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || errno || *end || port == 0 || port > 65535)
		return rf_doc_fail(d, n, "connect: '%s' has no port 1..65535", colon + 1);
	if (rf_ip_parse_prefix(addr, &ip, &len) < 0)
		return rf_doc_fail(d, n, "connect: '%s' is not an address or a network", addr);
	if (len != 128 && len != (rf_ip_is_v4(&ip) ? 120u : 64u))
		return rf_doc_fail(d, n,
				   "connect: '%s': only single addresses, IPv4 /24 and "
				   "IPv6 /64 networks",
				   addr);
	memcpy(e->addr, ip.b, 16);
	e->len = (uint8_t)len;
	e->port = (uint16_t)port;
	return 0;
}

static int sys_of(struct rf_doc *d, struct fy_node *n, struct bl_sys *e)
{
	const char *s, *colon;
	_cleanup_free_ char *arch = NULL;
	char *end = NULL;
	long nr;
	int r = rf_doc_str(d, n, "syscalls", &s, NULL);

	if (r < 0)
		return r;
	colon = strchr(s, ':');
	if (!colon || colon == s || !colon[1] || !(arch = strndup(s, (size_t)(colon - s))))
		return colon ? -ENOMEM : rf_doc_fail(d, n, "syscalls: '%s' is not ARCH:NAME", s);
	if (!(e->arch = rf_arch_from_name(arch)))
		return rf_doc_fail(d, n, "syscalls: unknown architecture '%s'", arch);
	errno = 0;
	nr = strtol(colon + 1, &end, 10);
	if (colon[1] >= '0' && colon[1] <= '9' && !*end && !errno && nr <= INT32_MAX) {
		e->nr = (int32_t)nr;
		return 0;
	}
	/* A name this libseccomp does not know is kept, never matched (names are data). */
	e->nr = seccomp_syscall_resolve_name_arch(e->arch, colon + 1);
	if (e->nr >= 0)
		return 0;
	e->nr = -1;
	return (e->name = strdup(colon + 1)) ? 0 : -ENOMEM;
}

static int cap_of(struct rf_doc *d, struct fy_node *n, int32_t *e)
{
	uint64_t bits = 0, v;
	const char *s;

	if (fy_node_is_scalar(n) && fy_node_get_style(n) == FYNS_PLAIN) {
		if (rf_doc_u64(d, n, "capabilities", 63, &v) < 0)
			return -EINVAL;
		*e = (int32_t)v;
		return 0;
	}
	if (rf_doc_str(d, n, "capabilities", &s, NULL) < 0)
		return -EINVAL;
	if (strchr(s, ',') || rf_caps_parse_list(s, &bits, NULL) < 0 || !bits ||
	    (bits & (bits - 1)))
		return rf_doc_fail(d, n, "capabilities: '%s' is not one capability", s);
	*e = __builtin_ctzll(bits);
	return 0;
}

static int read_item(struct rf_doc *d, size_t index, struct fy_node *n, void *userdata)
{
	struct rd *x = userdata;
	struct bl_set *set = &x->w->sets[x->s];
	size_t sz = bl_elem_size(x->s);
	char *e = (char *)set->v + set->n * sz;
	const char *s;
	uint64_t v;
	int r = 0;

	memset(e, 0, sz);
	switch (x->s) {
	case RF_BL_EXECUTABLES: {
		struct bl_exe *x2 = (struct bl_exe *)e;

		set->n++; /* owned from here */
		if ((r = rf_doc_each_key(d, n, "an executable", exe_key, x2)) < 0)
			return r;
		if (!x2->path)
			return rf_doc_fail(d, n, "executables: missing 'path'");
		if (x2->has_id != (rf_doc_get(d, n, "ino") != NULL) ||
		    (x2->has_id && x2->id_varies))
			return rf_doc_fail(d, n,
					   "executables: 'dev' and 'ino' go together, "
					   "without 'id_varies'");
		return 0;
	}
	case RF_BL_EDGES:
		set->n++;
		if ((r = rf_doc_each_key(d, n, "an edge", edge_key, e)) < 0)
			return r;
		if (!((struct bl_edge *)e)->parent || !((struct bl_edge *)e)->child)
			return rf_doc_fail(d, n, "edges: 'parent' and 'child' are both needed");
		return 0;
	case RF_BL_LISTEN:
		if ((r = rf_doc_u64(d, n, "listen", 65535, &v)) < 0)
			return r;
		if (!v)
			return rf_doc_fail(d, n, "listen: port 0 is no port");
		*(uint16_t *)e = (uint16_t)v;
		break;
	case RF_BL_CONNECT: r = dest_of(d, n, (struct bl_dest *)e); break;
	case RF_BL_CAPABILITIES: r = cap_of(d, n, (int32_t *)e); break;
	case RF_BL_SYSCALLS: set->n++; return sys_of(d, n, (struct bl_sys *)e);
	default:
		if ((r = path_of(d, n, rf_baseline_set_name(x->s), &s)) < 0)
			return r;
		if (!(*(char **)e = strdup(s)))
			return -ENOMEM;
		break;
	}
	if (r >= 0)
		set->n++;
	return r;
}

static enum rf_baseline_set set_of(const char *key)
{
	for (int s = 0; s < RF_BL_SETS; s++)
		if (streq(key, rf_baseline_set_name((enum rf_baseline_set)s)))
			return (enum rf_baseline_set)s;
	return RF_BL_SETS;
}

static int set_key(struct rf_doc *d, const char *key, struct fy_node *k, struct fy_node *v,
		   void *userdata)
{
	struct rd *x = userdata;
	struct bl_set *set = &x->w->sets[x->s];

	if (streq(key, "recorded"))
		return rf_doc_bool(d, v, "recorded", &set->recorded);
	if (streq(key, "saturated"))
		return rf_doc_bool(d, v, "saturated", &set->saturated);
	if (streq(key, "collapsed") && x->s == RF_BL_CONNECT)
		return rf_doc_bool(d, v, "collapsed", &set->collapsed);
	if (streq(key, "items")) {
		x->items = v;
		return 0;
	}
	return rf_doc_unknown_key(d, k, rf_baseline_set_name(x->s), key);
}

static int cmp_exe(const void *a, const void *b)
{
	return bl_elem_cmp(RF_BL_EXECUTABLES, a, b);
}
static int cmp_edge(const void *a, const void *b)
{
	return bl_elem_cmp(RF_BL_EDGES, a, b);
}
static int cmp_port(const void *a, const void *b)
{
	return bl_elem_cmp(RF_BL_LISTEN, a, b);
}
static int cmp_dest(const void *a, const void *b)
{
	return bl_elem_cmp(RF_BL_CONNECT, a, b);
}
static int cmp_path(const void *a, const void *b)
{
	return bl_elem_cmp(RF_BL_DIRECTORIES, a, b);
}
static int cmp_cap(const void *a, const void *b)
{
	return bl_elem_cmp(RF_BL_CAPABILITIES, a, b);
}
static int cmp_sys(const void *a, const void *b)
{
	return bl_elem_cmp(RF_BL_SYSCALLS, a, b);
}

static int (*const cmps[RF_BL_SETS])(const void *, const void *) = {
	cmp_exe, cmp_edge, cmp_port, cmp_dest, cmp_path, cmp_path, cmp_cap, cmp_sys,
};

/* Sorted, repeats joined (an executable's identities as when learned). */
static void sort_set(struct bl_set *set, enum rf_baseline_set s)
{
	size_t sz = bl_elem_size(s), out = 0;
	char *v = set->v;

	if (!set->n)
		return;
	qsort_safe(v, set->n, sz, cmps[s]);
	for (size_t i = 0; i < set->n; i++) {
		char *e = v + i * sz;

		if (out && !bl_elem_cmp(s, v + (out - 1) * sz, e)) {
			if (s == RF_BL_EXECUTABLES)
				bl_exe_join((struct bl_exe *)(v + (out - 1) * sz),
					    (struct bl_exe *)e);
			bl_elem_free(s, e);
			continue;
		}
		if (v + out * sz != e)
			memcpy(v + out * sz, e, sz);
		out++;
	}
	set->n = out;
}

static int read_set(struct rf_doc *d, struct rd *x, struct fy_node *n)
{
	struct bl_set *set = &x->w->sets[x->s];
	const struct rf_baseline_budgets *bg = &x->b->budgets;
	size_t max = bl_budget(bg, x->s), count;
	int r;

	if (x->s == RF_BL_CONNECT && bg->connect_prefixes > max)
		max = bg->connect_prefixes;
	x->items = NULL;
	set->recorded = true;
	if ((r = rf_doc_each_key(d, n, rf_baseline_set_name(x->s), set_key, x)) < 0)
		return r;
	if (!x->items)
		return rf_doc_fail(d, n, "%s: missing 'items'", rf_baseline_set_name(x->s));
	if (rf_doc_expect_seq(d, x->items, "items") < 0)
		return -EINVAL;
	count = (size_t)fy_node_sequence_item_count(x->items);
	if (count > max)
		return rf_doc_fail(d, x->items, "%s: %zu items, more than its budget (%zu)",
				   rf_baseline_set_name(x->s), count, max);
	if (count && !(set->v = calloc(count, bl_elem_size(x->s))))
		return -ENOMEM;
	set->cap = count;
	if ((r = rf_doc_each_item(d, x->items, "items", max, read_item, x)) < 0)
		return r;
	sort_set(set, x->s);
	return 0;
}

static int workload_key(struct rf_doc *d, const char *key, struct fy_node *k, struct fy_node *v,
			void *userdata)
{
	struct rd *x = userdata;

	if (streq(key, "key"))
		return 0; /* read first, by read_workload */
	if (streq(key, "events"))
		return rf_doc_u64(d, v, "events", UINT64_MAX, &x->w->events);
	x->s = set_of(key);
	if (x->s == RF_BL_SETS)
		return rf_doc_unknown_key(d, k, "a workload", key);
	return read_set(d, x, v);
}

static const char *const key_kinds[] = { "image:", "container:", "container-id:", "exe:" };

static int read_workload(struct rf_doc *d, size_t index, struct fy_node *n, void *userdata)
{
	struct rd *x = userdata;
	struct fy_node *kn;
	const char *key;
	bool kind = false;
	int r;

	if (rf_doc_expect_map(d, n, "a workload") < 0)
		return -EINVAL;
	kn = rf_doc_need(d, n, "a workload", "key");
	if ((r = rf_doc_str(d, kn, "key", &key, NULL)) < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(key_kinds); i++)
		kind |= !strncmp(key, key_kinds[i], strlen(key_kinds[i])) &&
			key[strlen(key_kinds[i])];
	if (!kind || strlen(key) >= RF_BASELINE_MAX_KEY)
		return rf_doc_fail(d, kn,
				   "key: '%s' is not image:, container:, container-id: or "
				   "exe: and a name",
				   key);
	if (rf_baseline_find(x->b, key))
		return rf_doc_fail(d, kn, "key: workload '%s' is listed twice", key);
	x->w = bl_workload_get(x->b, key, &r);
	if (!x->w)
		return r
			       ?: rf_doc_fail(d, n, "more workloads than the budget (%zu)",
					      x->b->budgets.workloads);
	/* A set the document leaves out was not recorded: it never produces a deviation. */
	for (int s = 0; s < RF_BL_SETS; s++)
		x->w->sets[s].recorded = false;
	return rf_doc_each_key(d, n, "a workload", workload_key, x);
}

/* ---- the document ---- */

static int learned_key(struct rf_doc *d, const char *key, struct fy_node *k, struct fy_node *v,
		       void *userdata)
{
	struct rf_baseline *b = userdata;
	uint64_t n;
	int r;

	if (streq(key, "backends")) {
		strv_free(b->backends);
		b->backends = NULL;
		if ((r = rf_doc_strv(d, v, "backends", 64, &b->backends)) < 0)
			return r;
		strv_sort(b->backends);
		return 0;
	}
	if (streq(key, "documents")) {
		if ((r = rf_doc_u64(d, v, "documents", UINT32_MAX, &n)) < 0)
			return r;
		if (!n)
			return rf_doc_fail(d, v, "documents: at least 1");
		b->documents = (unsigned)n;
		return 0;
	}
	if (streq(key, "duration_ns"))
		return rf_doc_u64(d, v, key, UINT64_MAX, &b->duration_ns);
	if (streq(key, "events"))
		return rf_doc_u64(d, v, key, UINT64_MAX, &b->events);
	if (streq(key, "lost"))
		return rf_doc_u64(d, v, key, UINT64_MAX, &b->lost);
	return rf_doc_unknown_key(d, k, "learned", key);
}

static int budget_key(struct rf_doc *d, const char *key, struct fy_node *k, struct fy_node *v,
		      void *userdata)
{
	struct rf_baseline_budgets *bg = userdata;
	size_t *dst = streq(key, "workloads")	       ? &bg->workloads
		      : streq(key, "executables")      ? &bg->executables
		      : streq(key, "edges")	       ? &bg->edges
		      : streq(key, "listen")	       ? &bg->listen
		      : streq(key, "connect")	       ? &bg->connect
		      : streq(key, "connect_prefixes") ? &bg->connect_prefixes
		      : streq(key, "directories")      ? &bg->directories
		      : streq(key, "libraries")	       ? &bg->libraries
		      : streq(key, "capabilities")     ? &bg->capabilities
		      : streq(key, "syscalls")	       ? &bg->syscalls
						       : NULL;
	uint64_t n;
	int r;

	if (!dst)
		return rf_doc_unknown_key(d, k, "budgets", key);
	if ((r = rf_doc_u64(d, v, key, BL_MAX_BUDGET, &n)) < 0)
		return r;
	*dst = (size_t)n;
	return 0;
}

static int root_key(struct rf_doc *d, const char *key, struct fy_node *k, struct fy_node *v,
		    void *userdata)
{
	struct rd *x = userdata;

	if (streq(key, "schema"))
		x->schema = v;
	else if (streq(key, "learned"))
		x->learned = v;
	else if (streq(key, "budgets"))
		x->budgets = v;
	else if (streq(key, "workloads"))
		x->workloads = v;
	else if (streq(key, "workloads_saturated"))
		return rf_doc_bool(d, v, key, &x->b->workloads_saturated);
	else
		return rf_doc_unknown_key(d, k, "a baseline", key);
	return 0;
}

static int read_doc(struct rf_doc *d, struct rf_baseline *b)
{
	struct rd x = { .b = b };
	const char *schema;
	int r;

	if (rf_doc_expect_map(d, rf_doc_root(d), "a baseline") < 0)
		return -EINVAL;
	if ((r = rf_doc_each_key(d, rf_doc_root(d), "a baseline", root_key, &x)) < 0)
		return r;
	if (!x.schema)
		return rf_doc_fail(d, rf_doc_root(d), "a baseline: missing 'schema'");
	if ((r = rf_doc_str(d, x.schema, "schema", &schema, NULL)) < 0)
		return r;
	if (!streq(schema, RF_BASELINE_SCHEMA))
		return rf_doc_fail(d, x.schema, "not a %s document (schema '%s')",
				   RF_BASELINE_SCHEMA, schema);
	if (x.learned && (r = rf_doc_each_key(d, x.learned, "learned", learned_key, b)) < 0)
		return r;
	/* Budgets the document leaves out are the defaults. */
	if (x.budgets &&
	    (r = rf_doc_each_key(d, x.budgets, "budgets", budget_key, &b->budgets)) < 0)
		return r;
	if (!x.workloads)
		return rf_doc_fail(d, rf_doc_root(d), "a baseline: missing 'workloads'");
	if ((r = rf_doc_each_item(d, x.workloads, "workloads", b->budgets.workloads, read_workload,
				  &x)) < 0)
		return r;
	bl_sort_workloads(b);
	return 0;
}

int rf_baseline_parse(const char *text, size_t len, const char *source, struct rf_baseline **ret,
		      struct rf_error *reterr)
{
	_cleanup_(rf_baseline_freep) struct rf_baseline *b = NULL;
	struct rf_doc d = { 0 };
	int r = rf_baseline_new(NULL, &b);

	if (r < 0)
		return r;
	r = rf_doc_load(text, len, source ?: "<baseline>", RF_DOC_JSON, 0, &d, reterr);
	if (r < 0)
		return r;
	r = read_doc(&d, b);
	rf_doc_done(&d);
	if (r < 0)
		return r == -ENOMEM ? rf_error_set(reterr, r, "%s: out of memory",
						   source ?: "<baseline>")
				    : r;
	*ret = TAKE_PTR(b);
	return 0;
}

int rf_baseline_load(const char *path, struct rf_baseline **ret, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = rf_read_file(path, BL_MAX_BYTES, &text, &len, reterr);

	if (r < 0)
		return r;
	return rf_baseline_parse(text, len, path, ret, reterr);
}
