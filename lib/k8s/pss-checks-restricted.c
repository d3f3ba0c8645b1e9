/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The restricted checks of the Pod Security Standards with their version history (Windows
 * exemptions from 1.25, user-namespace relaxations from 1.35) and the baseline checks each one
 * overrides. Wording follows the reference implementation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "k8s-internal.h"

#define NOFIX_CAPS "the program may need the capability; remove it only after checking"

/* Where a missing field would go: the securityContext, or the container itself. */
static struct fy_node *anchor(const struct kctr *k)
{
	return k->sc ? k->sc : k->n;
}

/* ---- allowPrivilegeEscalation ---- */
static void allow_privilege_escalation_1_8(struct kpod *p)
{
	struct slist bad = { 0 };

	for (size_t i = 0; i < p->n_ctrs; i++)
		if (k_bool(p->d, p->ctrs[i].sc, p->ctrs[i].sc_path, "allowPrivilegeEscalation") !=
		    0)
			(void)slist_add(&bad, p->ctrs[i].name);
	if (bad.n) {
		_cleanup_free_ char *w = pss_who(&bad);

		if (pss_fail(
			    p, "allowPrivilegeEscalation", "allowPrivilegeEscalation != false",
			    pss_printf("%s must set securityContext.allowPrivilegeEscalation=false",
				       w ?: "")))
			for (size_t i = 0; i < p->n_ctrs; i++) {
				_cleanup_free_ char *path =
					pss_sc_path(&p->ctrs[i], "allowPrivilegeEscalation");
				struct fy_node *key;

				if (k_bool(p->d, p->ctrs[i].sc, "", "allowPrivilegeEscalation") ==
					    0 ||
				    !path)
					continue;
				key = rf_doc_key(p->ctrs[i].sc, "allowPrivilegeEscalation");
				pss_site(p, p->ctrs[i].name, path, key ? key : anchor(&p->ctrs[i]),
					 true, NULL,
					 "set securityContext.allowPrivilegeEscalation: false");
			}
	}
	slist_done(&bad);
}

static void allow_privilege_escalation_1_25(struct kpod *p)
{
	if (!p->windows)
		allow_privilege_escalation_1_8(p);
}

/* ---- capabilities_restricted ---- */
static void capabilities_restricted_1_22(struct kpod *p)
{
	struct slist missing = { 0 }, adding = { 0 }, caps = { 0 }, details = { 0 };

	for (size_t i = 0; i < p->n_ctrs; i++) {
		struct slist drop = { 0 }, add = { 0 };
		struct fy_node *cn = pss_caps_list(p, &p->ctrs[i], "drop", &drop);
		bool all = false, forbidden = false;

		(void)pss_caps_list(p, &p->ctrs[i], "add", &add);
		for (size_t c = 0; c < drop.n; c++)
			all |= streq(drop.v[c], "ALL");
		if (!cn || !all)
			(void)slist_add(&missing, p->ctrs[i].name);
		for (size_t c = 0; c < add.n; c++)
			if (!streq(add.v[c], "NET_BIND_SERVICE")) {
				forbidden = true;
				(void)slist_add_unique(&caps, add.v[c]);
			}
		if (forbidden)
			(void)slist_add(&adding, p->ctrs[i].name);
		slist_done(&drop);
		slist_done(&add);
	}
	slist_sort(&caps);
	if (missing.n) {
		_cleanup_free_ char *w = pss_who(&missing);
		_cleanup_free_ char *s = pss_printf(
			"%s must set securityContext.capabilities.drop=[\"ALL\"]", w ?: "");
		(void)slist_add(&details, s);
	}
	if (adding.n) {
		_cleanup_free_ char *w = pss_who(&adding), *q = slist_join_quote(&caps);
		_cleanup_free_ char *s =
			pss_printf("%s must not include %s in securityContext.capabilities.add",
				   w ?: "", q ?: "");
		(void)slist_add(&details, s);
	}
	if (details.n && pss_fail(p, "capabilities_restricted", "unrestricted capabilities",
				  slist_join(&details, "; ")))
		for (size_t i = 0; i < p->n_ctrs; i++) {
			struct slist drop = { 0 }, add = { 0 };
			struct fy_node *cn = pss_caps_list(p, &p->ctrs[i], "drop", &drop);
			bool all = false;

			(void)pss_caps_list(p, &p->ctrs[i], "add", &add);
			for (size_t c = 0; c < drop.n; c++)
				all |= streq(drop.v[c], "ALL");
			if (!cn || !all) {
				_cleanup_free_ char *path =
					pss_sc_path(&p->ctrs[i], "capabilities.drop");
				if (path)
					pss_site(p, p->ctrs[i].name, path,
						 cn ? cn : anchor(&p->ctrs[i]), true, NULL,
						 "add ALL to securityContext.capabilities.drop");
			}
			for (size_t c = 0; c < add.n; c++)
				if (!streq(add.v[c], "NET_BIND_SERVICE")) {
					_cleanup_free_ char *path =
						pss_sc_path(&p->ctrs[i], "capabilities.add");
					if (path)
						pss_site(p, p->ctrs[i].name, path,
							 k_get(p->d, cn, "add"), false, NOFIX_CAPS,
							 "remove %s from capabilities.add (only "
							 "NET_BIND_SERVICE may be added)",
							 add.v[c]);
				}
			slist_done(&drop);
			slist_done(&add);
		}
	slist_done(&missing);
	slist_done(&adding);
	slist_done(&caps);
	slist_done(&details);
}

static void capabilities_restricted_1_25(struct kpod *p)
{
	if (!p->windows)
		capabilities_restricted_1_22(p);
}

/* ---- procMount_restricted ---- */
static void proc_mount_restricted(struct kpod *p)
{
	pss_proc_mount(p, "procMount_restricted");
}

/* ---- restrictedVolumes ---- */
static const char *const allowed_volumes[] = {
	"configMap", "csi",   "downwardAPI",	       "emptyDir",
	"ephemeral", "image", "persistentVolumeClaim", "projected",
	"secret",
};
/* In the reference's order: the first one set names the type. */
static const char *const restricted_volumes[] = {
	"hostPath",
	"gcePersistentDisk",
	"awsElasticBlockStore",
	"gitRepo",
	"nfs",
	"iscsi",
	"glusterfs",
	"rbd",
	"flexVolume",
	"cinder",
	"cephfs",
	"flocker",
	"fc",
	"azureFile",
	"vsphereVolume",
	"quobyte",
	"azureDisk",
	"photonPersistentDisk",
	"portworxVolume",
	"scaleIO",
	"storageos",
};

/* NULL when allowed; otherwise the type and its key node. A volume with no source is an
 * emptyDir (the API server's defaulting); keys the API does not know are dropped by it. */
static const char *volume_type(struct kpod *p, struct fy_node *v, struct fy_node **key)
{
	*key = NULL;
	for (size_t i = 0; i < ELEMENTSOF(allowed_volumes); i++)
		if (k_get(p->d, v, allowed_volumes[i]))
			return NULL;
	for (size_t i = 0; i < ELEMENTSOF(restricted_volumes); i++)
		if (k_get(p->d, v, restricted_volumes[i])) {
			*key = rf_doc_key(v, restricted_volumes[i]);
			return restricted_volumes[i];
		}
	return NULL;
}

static void restricted_volumes_1_0(struct kpod *p)
{
	struct fy_node *vols = k_seq(p->d, p->spec, p->spec_path, "volumes"), *v, *key;
	struct slist bad = { 0 }, types = { 0 };
	void *it = NULL;
	size_t idx = 0;
	const char *t;

	while (vols && (v = fy_node_sequence_iterate(vols, &it))) {
		_cleanup_free_ char *path = pss_printf("%s.volumes[%zu]", p->spec_path, idx++);

		v = k_deref(v);
		if (!v || !fy_node_is_mapping(v)) {
			rf_doc_fail(p->d, v ? v : vols, "%s must be an object", path ?: "volumes");
			continue;
		}
		if ((t = volume_type(p, v, &key))) {
			(void)slist_add(&bad, k_str(p->d, v, path ?: "", "name") ?: "");
			(void)slist_add_unique(&types, t);
		}
	}
	slist_sort(&types);
	if (bad.n) {
		_cleanup_free_ char *qv = slist_join_quote(&bad), *qt = slist_join_quote(&types);

		if (pss_fail(p, "restrictedVolumes", "restricted volume types",
			     pss_printf("%s %s %s %s %s", pluralize("volume", "volumes", bad.n),
					qv ?: "", pluralize("uses", "use", bad.n),
					pluralize("restricted volume type",
						  "restricted volume types", types.n),
					qt ?: ""))) {
			it = NULL;
			idx = 0;
			while ((v = fy_node_sequence_iterate(vols, &it))) {
				_cleanup_free_ char *path = NULL;

				v = k_deref(v);
				idx++;
				if (!v || !(t = volume_type(p, v, &key)))
					continue;
				path = pss_printf("%s.volumes[%zu].%s", p->spec_path, idx - 1, t);
				if (path)
					pss_site(p, NULL, path, key, false,
						 "the data lives outside the pod; moving it is a "
						 "design decision",
						 "replace the %s volume with configMap, secret, "
						 "emptyDir, projected, "
						 "csi, ephemeral, image or persistentVolumeClaim",
						 t);
			}
		}
	}
	slist_done(&bad);
	slist_done(&types);
}

/* ---- runAsNonRoot ---- */
static void run_as_non_root_1_0(struct kpod *p)
{
	struct slist setters = { 0 }, explicit_bad = { 0 }, implicit_bad = { 0 };
	int pod = k_bool(p->d, p->sc, p->sc_path, "runAsNonRoot");
	struct fy_node *key;

	if (pod == 0)
		(void)slist_add(&setters, "pod");
	for (size_t i = 0; i < p->n_ctrs; i++) {
		int v = k_bool(p->d, p->ctrs[i].sc, p->ctrs[i].sc_path, "runAsNonRoot");
		if (v == 0)
			(void)slist_add(&explicit_bad, p->ctrs[i].name);
		else if (v < 0 && pod != 1)
			(void)slist_add(&implicit_bad, p->ctrs[i].name);
	}
	if (explicit_bad.n) {
		_cleanup_free_ char *w = pss_who(&explicit_bad);
		(void)slist_add(&setters, w);
	}
	if (setters.n) {
		_cleanup_free_ char *s = slist_join(&setters, " and ");

		if (pss_fail(p, "runAsNonRoot", "runAsNonRoot != true",
			     pss_printf("%s must not set securityContext.runAsNonRoot=false",
					s ?: ""))) {
			if (pod == 0) {
				_cleanup_free_ char *path =
					pss_printf("%s.runAsNonRoot", p->sc_path);
				key = rf_doc_key(p->sc, "runAsNonRoot");
				if (path)
					pss_site(
						p, NULL, path, key, false,
						"runAsNonRoot: false says the pod runs as root on "
						"purpose",
						"set runAsNonRoot: true and run as a non-zero UID");
			}
			for (size_t i = 0; i < p->n_ctrs; i++) {
				_cleanup_free_ char *path =
					pss_sc_path(&p->ctrs[i], "runAsNonRoot");
				if (k_bool(p->d, p->ctrs[i].sc, "", "runAsNonRoot") != 0 || !path)
					continue;
				key = rf_doc_key(p->ctrs[i].sc, "runAsNonRoot");
				pss_site(p, p->ctrs[i].name, path, key, false,
					 "runAsNonRoot: false says the container runs as root on "
					 "purpose",
					 "set runAsNonRoot: true and run as a non-zero UID");
			}
		}
	} else if (implicit_bad.n) {
		_cleanup_free_ char *w = pss_who(&implicit_bad);

		if (pss_fail(p, "runAsNonRoot", "runAsNonRoot != true",
			     pss_printf("pod or %s must set securityContext.runAsNonRoot=true",
					w ?: ""))) {
			_cleanup_free_ char *path = pss_printf("%s.runAsNonRoot", p->sc_path);
			if (path)
				pss_site(p, NULL, path, p->sc ? p->sc : p->spec, true, NULL,
					 "set spec securityContext.runAsNonRoot: true (the image "
					 "must use a non-zero UID)");
		}
	}
	slist_done(&setters);
	slist_done(&explicit_bad);
	slist_done(&implicit_bad);
}

static void run_as_non_root_1_35(struct kpod *p)
{
	if (p->host_users != 0)
		run_as_non_root_1_0(p);
}

/* ---- runAsUser ---- */
static bool root_uid(struct kpod *p, struct fy_node *sc, const char *path)
{
	long long uid;

	return k_int(p->d, sc, path, "runAsUser", &uid) && uid == 0;
}

static void run_as_user_1_23(struct kpod *p)
{
	struct slist setters = { 0 }, bad = { 0 };
	struct fy_node *key;

	if (root_uid(p, p->sc, p->sc_path))
		(void)slist_add(&setters, "pod");
	for (size_t i = 0; i < p->n_ctrs; i++)
		if (root_uid(p, p->ctrs[i].sc, p->ctrs[i].sc_path))
			(void)slist_add(&bad, p->ctrs[i].name);
	if (bad.n) {
		_cleanup_free_ char *w = pss_who(&bad);
		(void)slist_add(&setters, w);
	}
	if (setters.n) {
		_cleanup_free_ char *s = slist_join(&setters, " and ");

		if (pss_fail(p, "runAsUser", "runAsUser=0",
			     pss_printf("%s must not set runAsUser=0", s ?: ""))) {
			if (root_uid(p, p->sc, p->sc_path)) {
				_cleanup_free_ char *path = pss_printf("%s.runAsUser", p->sc_path);
				key = rf_doc_key(p->sc, "runAsUser");
				if (path)
					pss_site(p, NULL, path, key, false, NOFIX_VALUE,
						 "set runAsUser to a non-zero UID the image can "
						 "run as");
			}
			for (size_t i = 0; i < p->n_ctrs; i++) {
				_cleanup_free_ char *path = pss_sc_path(&p->ctrs[i], "runAsUser");
				if (!root_uid(p, p->ctrs[i].sc, "") || !path)
					continue;
				key = rf_doc_key(p->ctrs[i].sc, "runAsUser");
				pss_site(p, p->ctrs[i].name, path, key, false, NOFIX_VALUE,
					 "set runAsUser to a non-zero UID the image can run as");
			}
		}
	}
	slist_done(&setters);
	slist_done(&bad);
}

static void run_as_user_1_35(struct kpod *p)
{
	if (p->host_users != 0)
		run_as_user_1_23(p);
}

/* ---- seccompProfile_restricted ---- */
static void seccomp_restricted_1_19(struct kpod *p)
{
	struct slist setters = { 0 }, values = { 0 }, explicit_bad = { 0 }, implicit_bad = { 0 };
	struct fy_node *n;
	const char *t;
	bool set, pod_ok = false;

	if ((t = pss_seccomp_bad_type(p, p->sc, p->sc_path, &n, &set))) {
		(void)slist_add(&setters, "pod");
		(void)slist_add_unique(&values, t);
	} else {
		pod_ok = set;
	}
	for (size_t i = 0; i < p->n_ctrs; i++) {
		if ((t = pss_seccomp_bad_type(p, p->ctrs[i].sc, p->ctrs[i].path, &n, &set))) {
			(void)slist_add(&explicit_bad, p->ctrs[i].name);
			(void)slist_add_unique(&values, t);
		} else if (!set && !pod_ok) {
			(void)slist_add(&implicit_bad, p->ctrs[i].name);
		}
	}
	if (explicit_bad.n) {
		_cleanup_free_ char *w = pss_who(&explicit_bad);
		(void)slist_add(&setters, w);
	}
	slist_sort(&values);
	if (setters.n) {
		_cleanup_free_ char *s = slist_join(&setters, " and "),
				    *q = slist_join_quote(&values);

		if (pss_fail(p, "seccompProfile_restricted", "seccompProfile",
			     pss_printf("%s must not set securityContext.seccompProfile.type to %s",
					s ?: "", q ?: ""))) {
			pss_seccomp_mark_bad_types(p);
		}
	} else if (implicit_bad.n) {
		_cleanup_free_ char *w = pss_who(&implicit_bad);

		if (pss_fail(p, "seccompProfile_restricted", "seccompProfile",
			     pss_printf("pod or %s must set securityContext.seccompProfile.type to "
					"\"RuntimeDefault\" or \"Localhost\"",
					w ?: ""))) {
			_cleanup_free_ char *path =
				pss_printf("%s.seccompProfile.type", p->sc_path);
			if (path)
				pss_site(p, NULL, path, p->sc ? p->sc : p->spec, true, NULL,
					 "set spec securityContext.seccompProfile: {type: "
					 "RuntimeDefault}");
		}
	}
	slist_done(&setters);
	slist_done(&values);
	slist_done(&explicit_bad);
	slist_done(&implicit_bad);
}

static void seccomp_restricted_1_25(struct kpod *p)
{
	if (!p->windows)
		seccomp_restricted_1_19(p);
}

const struct pss_check pss_restricted_checks[] = {
	{ "restrictedVolumes",
	  RF_PSS_RESTRICTED,
	  { { 0, restricted_volumes_1_0 } },
	  "hostPathVolumes" },
	{ "allowPrivilegeEscalation",
	  RF_PSS_RESTRICTED,
	  { { 8, allow_privilege_escalation_1_8 }, { 25, allow_privilege_escalation_1_25 } },
	  NULL },
	{ "runAsNonRoot",
	  RF_PSS_RESTRICTED,
	  { { 0, run_as_non_root_1_0 }, { 35, run_as_non_root_1_35 } },
	  NULL },
	{ "runAsUser",
	  RF_PSS_RESTRICTED,
	  { { 23, run_as_user_1_23 }, { 35, run_as_user_1_35 } },
	  NULL },
	{ "seccompProfile_restricted",
	  RF_PSS_RESTRICTED,
	  { { 19, seccomp_restricted_1_19 }, { 25, seccomp_restricted_1_25 } },
	  "seccompProfile_baseline" },
	{ "capabilities_restricted",
	  RF_PSS_RESTRICTED,
	  { { 22, capabilities_restricted_1_22 }, { 25, capabilities_restricted_1_25 } },
	  "capabilities_baseline" },
	{ "procMount_restricted",
	  RF_PSS_RESTRICTED,
	  { { 35, proc_mount_restricted } },
	  "procMount" },
};
const size_t pss_n_restricted_checks = ELEMENTSOF(pss_restricted_checks);
