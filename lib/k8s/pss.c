/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Pod Security Standards registry: which version of which check runs at a level and policy
 * version (the newest revision at or below it; restricted = baseline minus what restricted
 * checks override, plus the restricted checks), the pod view the checks read, and the
 * violation/site builders. The checks themselves are in pss-checks*.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "k8s-internal.h"

int rf_pss_level_from_string(const char *s, enum rf_pss_level *ret)
{
	if (!s)
		return -EINVAL;
	if (streq(s, "privileged"))
		*ret = RF_PSS_PRIVILEGED;
	else if (streq(s, "baseline"))
		*ret = RF_PSS_BASELINE;
	else if (streq(s, "restricted"))
		*ret = RF_PSS_RESTRICTED;
	else
		return -EINVAL;
	return 0;
}

const char *rf_pss_level_to_string(enum rf_pss_level level)
{
	switch (level) {
	case RF_PSS_PRIVILEGED: return "privileged";
	case RF_PSS_BASELINE: return "baseline";
	case RF_PSS_RESTRICTED: return "restricted";
	}
	return "?";
}

int rf_pss_version_parse(const char *s, struct rf_pss_version *ret)
{
	unsigned long minor;
	char *end = NULL;

	if (!s)
		return -EINVAL;
	if (streq(s, "latest")) {
		*ret = (struct rf_pss_version){ .minor = RF_PSS_NEWEST_MINOR, .latest = true };
		return 0;
	}
	if (strncmp(s, "v1.", 3) != 0 || s[3] < '0' || s[3] > '9' || (s[3] == '0' && s[4]))
		return -EINVAL;
	errno = 0;
	minor = strtoul(s + 3, &end, 10);
	if (errno || !end || *end)
		return -EINVAL;
	*ret = (struct rf_pss_version){
		.minor = minor > RF_PSS_NEWEST_MINOR ? RF_PSS_NEWEST_MINOR : (unsigned)minor,
	};
	return 0;
}

char *pss_printf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

struct rf_pss_violation *pss_fail(struct kpod *p, const char *check, const char *reason,
				  char *detail)
{
	struct rf_pss_violation *nv, *v;

	nv = realloc(p->v, (p->n_v + 1) * sizeof(*nv));
	if (!nv || !detail || !reason) {
		free(detail);
		if (nv)
			p->v = nv;
		p->oom = -ENOMEM;
		return NULL;
	}
	p->v = nv;
	v = &p->v[p->n_v];
	*v = (struct rf_pss_violation){ .check = check,
					.reason = strdup(reason),
					.detail = detail };
	if (!v->reason) {
		free(detail);
		p->oom = -ENOMEM;
		return NULL;
	}
	p->n_v++;
	return v;
}

void pss_site(struct kpod *p, const char *container, const char *path, struct fy_node *at,
	      bool fixable, const char *why_not, const char *fmt, ...)
{
	struct rf_pss_violation *v = p->n_v ? &p->v[p->n_v - 1] : NULL;
	struct rf_pss_site *ns, *s;
	va_list ap;

	if (!v)
		return;
	ns = realloc(v->sites, (v->n_sites + 1) * sizeof(*ns));
	if (!ns) {
		p->oom = -ENOMEM;
		return;
	}
	v->sites = ns;
	s = &v->sites[v->n_sites++];
	*s = (struct rf_pss_site){ .fixable = fixable, .why_not = why_not };
	s->container = container ? strdup(container) : NULL;
	s->path = strdup(path);
	va_start(ap, fmt);
	if (vasprintf(&s->suggestion, fmt, ap) < 0)
		s->suggestion = NULL;
	va_end(ap);
	rf_doc_where(p->d, at, &s->line, &s->column);
	if (!s->path || !s->suggestion || (container && !s->container))
		p->oom = -ENOMEM;
}

void pss_violations_free(struct rf_pss_violation *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < v[i].n_sites; k++) {
			free(v[i].sites[k].container);
			free(v[i].sites[k].path);
			free(v[i].sites[k].suggestion);
		}
		free(v[i].sites);
		free(v[i].reason);
		free(v[i].detail);
	}
	free(v);
}

static int add_containers(struct kpod *p, const char *key)
{
	struct fy_node *seq = k_seq(p->d, p->spec, p->spec_path, key), *item;
	void *it = NULL;
	size_t i = 0;

	while (seq && (item = fy_node_sequence_iterate(seq, &it))) {
		struct kctr *nc, *k;
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s.%s[%zu]", p->spec_path, key, i++) < 0)
			return -ENOMEM;
		item = k_deref(item);
		if (!item || !fy_node_is_mapping(item)) {
			rf_doc_fail(p->d, item ? item : seq, "%s must be an object", path);
			return 0;
		}
		nc = realloc(p->ctrs, (p->n_ctrs + 1) * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		p->ctrs = nc;
		k = &p->ctrs[p->n_ctrs++];
		*k = (struct kctr){ .n = item, .path = TAKE_PTR(path) };
		if (asprintf(&k->sc_path, "%s.securityContext", k->path) < 0) {
			k->sc_path = NULL;
			return -ENOMEM;
		}
		k->name = k_str(p->d, item, k->path, "name");
		if (!k->name)
			k->name = "";
		k->sc = k_map(p->d, item, k->path, "securityContext");
	}
	return 0;
}

void kpod_done(struct kpod *p)
{
	for (size_t i = 0; i < p->n_ctrs; i++) {
		free(p->ctrs[i].path);
		free(p->ctrs[i].sc_path);
	}
	free(p->ctrs);
	free(p->sc_path);
	p->ctrs = NULL;
	p->n_ctrs = 0;
	p->sc_path = NULL;
}

int kpod_init(struct kpod *p, struct rf_doc *d, struct fy_node *meta, struct fy_node *spec,
	      const char *spec_path)
{
	_cleanup_free_ char *os_path = NULL;
	struct fy_node *os;
	const char *osname;
	int r;

	*p = (struct kpod){ .d = d, .meta = meta, .spec = spec, .spec_path = spec_path };
	if (asprintf(&p->sc_path, "%s.securityContext", spec_path) < 0) {
		p->sc_path = NULL;
		return -ENOMEM;
	}
	p->sc = k_map(d, spec, spec_path, "securityContext");
	p->host_users = k_bool(d, spec, spec_path, "hostUsers");
	os = k_map(d, spec, spec_path, "os");
	if (asprintf(&os_path, "%s.os", spec_path) < 0) {
		os_path = NULL;
		kpod_done(p);
		return -ENOMEM;
	}
	osname = k_str(d, os, os_path, "name");
	p->windows = osname && streq(osname, "windows");
	if ((r = add_containers(p, "initContainers")) < 0 ||
	    (r = add_containers(p, "containers")) < 0 ||
	    (r = add_containers(p, "ephemeralContainers")) < 0) {
		kpod_done(p);
		return r;
	}
	return 0;
}

/* The revision of `check` in force at `minor`, or NULL when it starts later. */
static pss_check_fn revision(const struct pss_check *check, unsigned minor)
{
	pss_check_fn fn = NULL;

	for (size_t i = 0; i < ELEMENTSOF(check->versions) && check->versions[i].fn; i++)
		if (check->versions[i].min <= minor)
			fn = check->versions[i].fn;
	return fn;
}

static bool overridden(const char *id, unsigned minor)
{
	for (size_t i = 0; i < pss_n_restricted_checks; i++)
		if (pss_restricted_checks[i].overrides &&
		    streq(pss_restricted_checks[i].overrides, id) &&
		    revision(&pss_restricted_checks[i], minor))
			return true;
	return false;
}

int pss_evaluate(struct rf_doc *d, struct fy_node *meta, struct fy_node *spec,
		 const char *spec_path, enum rf_pss_level level, unsigned minor,
		 struct rf_pss_violation **ret_v, size_t *ret_n)
{
	struct kpod p;
	int r;

	*ret_v = NULL;
	*ret_n = 0;
	if (level == RF_PSS_PRIVILEGED || !spec)
		return 0;
	if ((r = kpod_init(&p, d, meta, spec, spec_path)) < 0)
		return r;
	p.minor = minor;
	for (size_t i = 0; i < pss_n_baseline_checks; i++) {
		pss_check_fn fn = revision(&pss_baseline_checks[i], minor);

		if (fn &&
		    !(level == RF_PSS_RESTRICTED && overridden(pss_baseline_checks[i].id, minor)))
			fn(&p);
	}
	if (level == RF_PSS_RESTRICTED)
		for (size_t i = 0; i < pss_n_restricted_checks; i++) {
			pss_check_fn fn = revision(&pss_restricted_checks[i], minor);

			if (fn)
				fn(&p);
		}
	kpod_done(&p);
	if (p.oom) {
		pss_violations_free(p.v, p.n_v);
		return p.oom;
	}
	*ret_v = p.v;
	*ret_n = p.n_v;
	return 0;
}
