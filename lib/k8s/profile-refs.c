/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lists the Localhost seccomp and AppArmor profiles the workloads of an audit reference (fields
 * and the AppArmor annotations), with their locations, so a node can be checked for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "k8s-internal.h"

#define LOCALHOST_PREFIX "localhost/"

struct refs {
	const struct k8s_object *o;
	struct rf_doc *d;
	struct rf_profile_ref *v;
	size_t n;
};

void rf_profile_refs_free(struct rf_profile_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(refs[i].container);
		free(refs[i].profile);
		free(refs[i].field);
	}
	free(refs);
}

/* Takes `field`; copies container and profile. */
static int add_ref(struct refs *r, struct fy_node *at, const char *container, bool apparmor,
		   const char *profile, char *field)
{
	_cleanup_free_ char *f = field, *ctr = NULL, *prof = NULL;
	struct rf_profile_ref *nv;

	if (!f || !(prof = strdup(profile)) || (container && !(ctr = strdup(container))))
		return -ENOMEM;
	nv = realloc(r->v, (r->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	r->v = nv;
	nv = &r->v[r->n++];
	*nv = (struct rf_profile_ref){
		.file = r->o->w.file,
		.kind = r->o->w.kind,
		.namespace = r->o->w.namespace,
		.name = r->o->w.name,
		.container = TAKE_PTR(ctr),
		.apparmor = apparmor,
		.profile = TAKE_PTR(prof),
		.field = TAKE_PTR(f),
	};
	rf_doc_where(r->d, at, &nv->line, &nv->column);
	return 0;
}

/* `which` ("seccompProfile" / "appArmorProfile") of the securityContext `sc` at `sc_path`, when
 * its type is Localhost. A missing localhostProfile gives profile "" at the type's value; a
 * wrongly typed one gives nothing (the audit reports it). */
static int field_ref(struct refs *r, struct fy_node *sc, const char *sc_path, const char *container,
		     const char *which)
{
	_cleanup_free_ char *path = pss_printf("%s.%s", sc_path, which);
	struct fy_node *prof, *type_node, *value;
	const char *type, *profile = "";

	if (!path)
		return -ENOMEM;
	prof = k_map(r->d, sc, sc_path, which);
	type = k_str(r->d, prof, path, "type");
	if (!type || !streq(type, "Localhost"))
		return 0;
	type_node = k_get(r->d, prof, "type");
	value = k_get(r->d, prof, "localhostProfile");
	if (value && !(profile = k_str(r->d, prof, path, "localhostProfile")))
		return 0;
	return add_ref(r, value ?: type_node, container, streq(which, "appArmorProfile"), profile,
		       pss_printf("%s.localhostProfile", path));
}

static int sc_refs(struct refs *r, struct fy_node *sc, const char *sc_path, const char *container)
{
	int ret;

	if (!sc)
		return 0;
	if ((ret = field_ref(r, sc, sc_path, container, "seccompProfile")) < 0)
		return ret;
	return field_ref(r, sc, sc_path, container, "appArmorProfile");
}

/* container.apparmor.security.beta.kubernetes.io/<container>: localhost/<profile> */
static int annotation_refs(struct refs *r)
{
	const char *meta_path = r->o->meta_path;
	_cleanup_free_ char *path = pss_printf("%s.annotations", meta_path);
	struct fy_node *ann = k_map(r->d, r->o->pod_meta, meta_path, "annotations");
	struct fy_node_pair *pr;
	void *it = NULL;
	int ret;

	if (!path)
		return -ENOMEM;
	while (ann && (pr = fy_node_mapping_iterate(ann, &it))) {
		const char *k = k_str_node(r->d, fy_node_pair_key(pr), path), *v;

		if (!k || strncmp(k, APPARMOR_PREFIX, strlen(APPARMOR_PREFIX)) != 0)
			continue;
		v = k_str_node(r->d, fy_node_pair_value(pr), path);
		if (!v || strncmp(v, LOCALHOST_PREFIX, strlen(LOCALHOST_PREFIX)) != 0)
			continue;
		ret = add_ref(r, k_deref(fy_node_pair_value(pr)), k + strlen(APPARMOR_PREFIX), true,
			      v + strlen(LOCALHOST_PREFIX), pss_printf("%s[%s]", path, k));
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int object_refs(struct refs *r)
{
	struct kpod p;
	int ret;

	if (!r->o->pod_spec)
		return 0;
	if ((ret = kpod_init(&p, r->d, r->o->pod_meta, r->o->pod_spec, r->o->spec_path)) < 0)
		return ret;
	ret = sc_refs(r, p.sc, p.sc_path, NULL);
	for (size_t i = 0; ret >= 0 && i < p.n_ctrs; i++) {
		_cleanup_free_ char *sc_path = pss_sc_path(&p.ctrs[i], NULL);

		ret = sc_path ? sc_refs(r, p.ctrs[i].sc, sc_path, p.ctrs[i].name) : -ENOMEM;
	}
	kpod_done(&p);
	return ret < 0 ? ret : annotation_refs(r);
}

static int object_refs_fn(struct rf_audit *a, struct k8s_object *o, void *userdata)
{
	struct refs *r = userdata;
	struct rf_error err = {};
	struct rf_doc d = k8s_doc(o->src, o->seg, &err);
	int e;

	(void)a;
	r->o = o;
	r->d = &d;
	e = object_refs(r);
	rf_error_clear(&err); /* type errors are the audit's to report */
	return e;
}

int rf_audit_profile_refs(struct rf_audit *a, struct rf_profile_ref **ret, size_t *ret_n)
{
	struct refs r = { 0 };
	int e = k8s_for_each_object(a, object_refs_fn, &r);

	if (e < 0) {
		rf_profile_refs_free(r.v, r.n);
		return e;
	}
	*ret = r.v;
	*ret_n = r.n;
	return 0;
}
