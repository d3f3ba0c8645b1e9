/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The baseline checks of the Pod Security Standards, with their version history, worded as the
 * reference implementation (k8s.io/pod-security-admission/policy) words them so reports read
 * like the kubectl warnings people know. Containers are visited init, regular, ephemeral. The
 * host-related checks are in pss-checks-host.c; the table of all of them is here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "k8s-internal.h"

char *pss_sc_path(const struct kctr *k, const char *field)
{
	return pss_printf("%s.securityContext%s%s", k->path, field ? "." : "", field ? field : "");
}

/* "container \"a\"" / "containers \"a\", \"b\"" */
char *pss_who(const struct slist *names)
{
	_cleanup_free_ char *q = slist_join_quote(names);

	return q ? pss_printf("%s %s", pluralize("container", "containers", names->n), q) : NULL;
}

/* Marks every pod- and container-level seccompProfile.type the reference rejects, with the fix. */
void pss_seccomp_mark_bad_types(struct kpod *p)
{
	struct fy_node *n;
	bool set;

	if (pss_seccomp_bad_type(p, p->sc, p->sc_path, &n, &set)) {
		_cleanup_free_ char *path = pss_printf("%s.seccompProfile.type", p->sc_path);
		if (path)
			pss_site(p, NULL, path, n, true, NULL,
				 "set seccompProfile.type: RuntimeDefault");
	}
	for (size_t i = 0; i < p->n_ctrs; i++)
		if (pss_seccomp_bad_type(p, p->ctrs[i].sc, p->ctrs[i].path, &n, &set)) {
			_cleanup_free_ char *path = pss_sc_path(&p->ctrs[i], "seccompProfile.type");
			if (path)
				pss_site(p, p->ctrs[i].name, path, n, true, NULL,
					 "set seccompProfile.type: RuntimeDefault");
		}
}

/* ---- privileged ---- */
static void privileged(struct kpod *p)
{
	struct slist bad = { 0 };

	for (size_t i = 0; i < p->n_ctrs; i++)
		if (k_bool(p->d, p->ctrs[i].sc, p->ctrs[i].sc_path, "privileged") == 1)
			(void)slist_add(&bad, p->ctrs[i].name);
	if (!bad.n)
		return;
	_cleanup_free_ char *w = pss_who(&bad);
	if (pss_fail(p, "privileged", "privileged",
		     pss_printf("%s must not set securityContext.privileged=true", w ?: "")))
		for (size_t i = 0; i < p->n_ctrs; i++) {
			struct fy_node *key;
			_cleanup_free_ char *path = pss_sc_path(&p->ctrs[i], "privileged");

			if (k_bool(p->d, p->ctrs[i].sc, p->ctrs[i].sc_path, "privileged") != 1 ||
			    !path)
				continue;
			key = rf_doc_key(p->ctrs[i].sc, "privileged");
			pss_site(p, p->ctrs[i].name, path, key, false, NOFIX_HOST,
				 "remove privileged: true; grant only the capabilities it needs");
		}
	slist_done(&bad);
}

/* ---- capabilities_baseline ---- */
static const char *const caps_baseline_allowed[] = {
	"AUDIT_WRITE",	    "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",	  "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (streq(s, list[i]))
			return true;
	return false;
}

/* Calls back for each capability in containers[i].securityContext.capabilities.<which>. */
struct fy_node *pss_caps_list(struct kpod *p, const struct kctr *k, const char *which,
			      struct slist *out);
struct fy_node *pss_caps_list(struct kpod *p, const struct kctr *k, const char *which,
			      struct slist *out)
{
	_cleanup_free_ char *cpath = pss_sc_path(k, "capabilities");
	struct fy_node *caps = k_map(p->d, k->sc, cpath ? cpath : "", "capabilities"), *seq, *item;
	_cleanup_free_ char *lpath = pss_printf("%s.%s", cpath ? cpath : "", which);
	void *it = NULL;

	seq = k_seq(p->d, caps, cpath ? cpath : "", which);
	while (seq && (item = fy_node_sequence_iterate(seq, &it))) {
		const char *s = k_str_node(p->d, item, lpath ? lpath : "");
		if (s && slist_add(out, s) < 0)
			p->oom = -ENOMEM;
	}
	return caps;
}

static void capabilities_baseline(struct kpod *p)
{
	struct slist bad = { 0 }, caps = { 0 };

	for (size_t i = 0; i < p->n_ctrs; i++) {
		struct slist add = { 0 };
		bool valid = true;

		(void)pss_caps_list(p, &p->ctrs[i], "add", &add);
		for (size_t c = 0; c < add.n; c++)
			if (!in_list(add.v[c], caps_baseline_allowed,
				     ELEMENTSOF(caps_baseline_allowed))) {
				valid = false;
				(void)slist_add_unique(&caps, add.v[c]);
			}
		if (!valid)
			(void)slist_add(&bad, p->ctrs[i].name);
		slist_done(&add);
	}
	slist_sort(&caps);
	if (bad.n) {
		_cleanup_free_ char *w = pss_who(&bad), *q = slist_join_quote(&caps);

		if (pss_fail(
			    p, "capabilities_baseline", "non-default capabilities",
			    pss_printf("%s must not include %s in securityContext.capabilities.add",
				       w ?: "", q ?: "")))
			for (size_t i = 0; i < p->n_ctrs; i++) {
				struct slist add = { 0 };
				struct fy_node *cn = pss_caps_list(p, &p->ctrs[i], "add", &add);
				_cleanup_free_ char *path =
					pss_sc_path(&p->ctrs[i], "capabilities.add");

				for (size_t c = 0; c < add.n; c++)
					if (path && !in_list(add.v[c], caps_baseline_allowed,
							     ELEMENTSOF(caps_baseline_allowed))) {
						pss_site(p, p->ctrs[i].name, path,
							 k_get(p->d, cn, "add"), false, NOFIX_VALUE,
							 "remove %s from capabilities.add unless "
							 "the program cannot work without it",
							 add.v[c]);
						break;
					}
				slist_done(&add);
			}
	}
	slist_done(&bad);
	slist_done(&caps);
}

/* ---- appArmorProfile ---- */

static const char *apparmor_bad_type(struct kpod *p, struct fy_node *sc, const char *path,
				     struct fy_node **ret_node)
{
	struct fy_node *ap = k_map(p->d, sc, path, "appArmorProfile");
	const char *t;

	*ret_node = ap;
	if (!ap)
		return NULL;
	t = k_str(p->d, ap, "appArmorProfile", "type") ?: "";
	return streq(t, "RuntimeDefault") || streq(t, "Localhost") ? NULL : t;
}

static void apparmor_profile(struct kpod *p)
{
	struct slist setters = { 0 }, values = { 0 }, bad_ctrs = { 0 }, annots = { 0 };
	struct fy_node *n, *ann, *pair_key;
	const char *t;
	size_t n_values;

	if ((t = apparmor_bad_type(p, p->sc, p->sc_path, &n))) {
		(void)slist_add(&setters, "pod");
		(void)slist_add_unique(&values, t);
	}
	for (size_t i = 0; i < p->n_ctrs; i++)
		if ((t = apparmor_bad_type(p, p->ctrs[i].sc, p->ctrs[i].path, &n))) {
			(void)slist_add(&bad_ctrs, p->ctrs[i].name);
			(void)slist_add_unique(&values, t);
		}
	if (bad_ctrs.n) {
		_cleanup_free_ char *w = pss_who(&bad_ctrs);
		(void)slist_add(&setters, w);
	}
	ann = k_map(p->d, p->meta, "metadata", "annotations");
	if (ann) {
		struct fy_node_pair *pr;
		void *it = NULL;

		while ((pr = fy_node_mapping_iterate(ann, &it))) {
			const char *k =
				k_str_node(p->d, fy_node_pair_key(pr), "metadata.annotations");
			const char *v;

			if (!k || strncmp(k, APPARMOR_PREFIX, strlen(APPARMOR_PREFIX)) != 0)
				continue;
			v = k_str_node(p->d, fy_node_pair_value(pr), "metadata.annotations") ?: "";
			if (!*v || streq(v, "runtime/default") || !strncmp(v, "localhost/", 10))
				continue;
			_cleanup_free_ char *s = pss_printf("%s=\"%s\"", k, v);
			if (s)
				(void)slist_add(&annots, s);
		}
	}
	slist_sort(&values);
	slist_sort(&annots);
	for (size_t i = 0; i < annots.n; i++)
		(void)slist_add(&values, annots.v[i]);
	n_values = values.n;
	if (annots.n)
		(void)slist_add(&setters, pluralize("annotation", "annotations", annots.n));
	if (setters.n) {
		_cleanup_free_ char *s = slist_join(&setters, " and "),
				    *q = slist_join_quote(&values);

		if (pss_fail(p, "appArmorProfile",
			     pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles",
				       n_values),
			     pss_printf("%s must not set AppArmor profile type to %s", s ?: "",
					q ?: ""))) {
			if (apparmor_bad_type(p, p->sc, p->sc_path, &n)) {
				_cleanup_free_ char *path =
					pss_printf("%s.appArmorProfile.type", p->sc_path);
				if (path)
					pss_site(p, NULL, path, n, true, NULL,
						 "set appArmorProfile.type to RuntimeDefault (or "
						 "Localhost with a profile)");
			}
			for (size_t i = 0; i < p->n_ctrs; i++)
				if (apparmor_bad_type(p, p->ctrs[i].sc, p->ctrs[i].path, &n)) {
					_cleanup_free_ char *path =
						pss_sc_path(&p->ctrs[i], "appArmorProfile.type");
					if (path)
						pss_site(p, p->ctrs[i].name, path, n, true, NULL,
							 "set appArmorProfile.type to "
							 "RuntimeDefault (or Localhost with a "
							 "profile)");
				}
			for (size_t i = 0; i < annots.n; i++) {
				_cleanup_free_ char *key =
					strndup(annots.v[i], strcspn(annots.v[i], "="));
				_cleanup_free_ char *path =
					pss_printf("metadata.annotations[%s]", key ?: "");
				pair_key = rf_doc_key(ann, key ?: "");
				if (path)
					pss_site(p, NULL, path, pair_key, true, NULL,
						 "set the annotation to runtime/default (or "
						 "localhost/<profile>)");
			}
		}
	}
	slist_done(&setters);
	slist_done(&values);
	slist_done(&bad_ctrs);
	slist_done(&annots);
}

/* ---- seLinuxOptions ---- */
static const char *const selinux_types_1_0[] = { "", "container_t", "container_init_t",
						 "container_kvm_t" };

struct selinux_acc {
	struct slist types;
	bool user, role;
};

static bool selinux_valid(struct kpod *p, struct fy_node *sc, const char *path,
			  struct selinux_acc *a, struct fy_node **ret)
{
	struct fy_node *o = k_map(p->d, sc, path, "seLinuxOptions");
	const char *t, *u, *r;
	bool valid = true;

	*ret = o;
	if (!o)
		return true;
	t = k_str(p->d, o, "seLinuxOptions", "type") ?: "";
	u = k_str(p->d, o, "seLinuxOptions", "user") ?: "";
	r = k_str(p->d, o, "seLinuxOptions", "role") ?: "";
	if (!in_list(t, selinux_types_1_0, ELEMENTSOF(selinux_types_1_0)) &&
	    !(p->minor >= 31 && streq(t, "container_engine_t"))) {
		valid = false;
		(void)slist_add_unique(&a->types, t);
	}
	if (*u)
		valid = false, a->user = true;
	if (*r)
		valid = false, a->role = true;
	return valid;
}

static void selinux_options(struct kpod *p)
{
	struct selinux_acc a = { 0 };
	struct slist setters = { 0 }, bad = { 0 }, data = { 0 };
	struct fy_node *n;

	if (!selinux_valid(p, p->sc, p->sc_path, &a, &n))
		(void)slist_add(&setters, "pod");
	for (size_t i = 0; i < p->n_ctrs; i++)
		if (!selinux_valid(p, p->ctrs[i].sc, p->ctrs[i].path, &a, &n))
			(void)slist_add(&bad, p->ctrs[i].name);
	if (bad.n) {
		_cleanup_free_ char *w = pss_who(&bad);
		(void)slist_add(&setters, w);
	}
	if (setters.n) {
		_cleanup_free_ char *s = slist_join(&setters, " and "), *d = NULL;

		slist_sort(&a.types);
		if (a.types.n) {
			_cleanup_free_ char *q = slist_join_quote(&a.types);
			_cleanup_free_ char *t =
				pss_printf("%s %s", pluralize("type", "types", a.types.n), q ?: "");
			(void)slist_add(&data, t);
		}
		if (a.user)
			(void)slist_add(&data, "user may not be set");
		if (a.role)
			(void)slist_add(&data, "role may not be set");
		d = slist_join(&data, "; ");
		if (pss_fail(p, "seLinuxOptions", "seLinuxOptions",
			     pss_printf("%s set forbidden securityContext.seLinuxOptions: %s",
					s ?: "", d ?: ""))) {
			struct selinux_acc tmp = { 0 };

			if (!selinux_valid(p, p->sc, p->sc_path, &tmp, &n)) {
				_cleanup_free_ char *path =
					pss_printf("%s.seLinuxOptions", p->sc_path);
				if (path)
					pss_site(p, NULL, path, n, false, NOFIX_VALUE,
						 "leave user and role unset and use type "
						 "container_t (or remove seLinuxOptions)");
			}
			for (size_t i = 0; i < p->n_ctrs; i++)
				if (!selinux_valid(p, p->ctrs[i].sc, p->ctrs[i].path, &tmp, &n)) {
					_cleanup_free_ char *path =
						pss_sc_path(&p->ctrs[i], "seLinuxOptions");
					if (path)
						pss_site(p, p->ctrs[i].name, path, n, false,
							 NOFIX_VALUE,
							 "leave user and role unset and use type "
							 "container_t (or remove seLinuxOptions)");
				}
			slist_done(&tmp.types);
		}
	}
	slist_done(&a.types);
	slist_done(&setters);
	slist_done(&bad);
	slist_done(&data);
}

/* ---- procMount (shared with procMount_restricted) ---- */
void pss_proc_mount(struct kpod *p, const char *id);
void pss_proc_mount(struct kpod *p, const char *id)
{
	struct slist bad = { 0 }, types = { 0 };

	for (size_t i = 0; i < p->n_ctrs; i++) {
		const char *pm = k_str(p->d, p->ctrs[i].sc, p->ctrs[i].sc_path, "procMount");
		if (pm && !streq(pm, "Default")) {
			(void)slist_add(&bad, p->ctrs[i].name);
			(void)slist_add_unique(&types, pm);
		}
	}
	slist_sort(&types);
	if (bad.n) {
		_cleanup_free_ char *w = pss_who(&bad), *q = slist_join_quote(&types);

		if (pss_fail(p, id, "procMount",
			     pss_printf("%s must not set securityContext.procMount to %s", w ?: "",
					q ?: "")))
			for (size_t i = 0; i < p->n_ctrs; i++) {
				const char *pm = k_str(p->d, p->ctrs[i].sc, "", "procMount");
				_cleanup_free_ char *path = pss_sc_path(&p->ctrs[i], "procMount");
				struct fy_node *key;

				if (!pm || streq(pm, "Default") || !path)
					continue;
				key = rf_doc_key(p->ctrs[i].sc, "procMount");
				pss_site(p, p->ctrs[i].name, path, key, false, NOFIX_HOST,
					 "remove procMount: %s (or set it to Default)%s", pm,
					 streq(id, "procMount") && p->minor >= 35
						 ? "; baseline allows it with hostUsers: false"
						 : "");
			}
	}
	slist_done(&bad);
	slist_done(&types);
}

static void proc_mount_1_0(struct kpod *p)
{
	pss_proc_mount(p, "procMount");
}

static void proc_mount_1_35(struct kpod *p)
{
	if (p->host_users == 0)
		return;
	pss_proc_mount(p, "procMount");
}

/* ---- seccompProfile_baseline ---- */
#define SECCOMP_POD_ANN "seccomp.security.alpha.kubernetes.io/pod"
#define SECCOMP_CTR_ANN "container.seccomp.security.alpha.kubernetes.io/"

static bool seccomp_ann_ok(const char *v)
{
	return streq(v, "runtime/default") || streq(v, "docker/default") ||
	       !strncmp(v, "localhost/", 10);
}

static void seccomp_annotation_check(struct kpod *p, struct fy_node *ann, const char *key,
				     struct slist *bad)
{
	struct fy_node *vn = k_get(p->d, ann, key), *kn = rf_doc_key(ann, key);
	const char *v;

	if (!kn)
		return;
	v = vn ? k_str_node(p->d, vn, "metadata.annotations") : "";
	if (v && !seccomp_ann_ok(v)) {
		_cleanup_free_ char *s = pss_printf("%s=\"%s\"", key, v);
		if (!s || slist_add_unique(bad, s) < 0)
			p->oom = -ENOMEM;
	}
}

static void seccomp_baseline_1_0(struct kpod *p)
{
	struct fy_node *ann = k_map(p->d, p->meta, "metadata", "annotations");
	struct slist bad = { 0 };

	if (!ann)
		return;
	seccomp_annotation_check(p, ann, SECCOMP_POD_ANN, &bad);
	for (size_t i = 0; i < p->n_ctrs; i++) {
		_cleanup_free_ char *key = pss_printf(SECCOMP_CTR_ANN "%s", p->ctrs[i].name);
		if (key)
			seccomp_annotation_check(p, ann, key, &bad);
	}
	slist_sort(&bad);
	if (bad.n) {
		_cleanup_free_ char *j = slist_join(&bad, ", ");

		if (pss_fail(p, "seccompProfile_baseline", "seccompProfile",
			     pss_printf("forbidden %s %s",
					pluralize("annotation", "annotations", bad.n), j ?: "")))
			for (size_t i = 0; i < bad.n; i++) {
				_cleanup_free_ char *key =
					strndup(bad.v[i], strcspn(bad.v[i], "="));
				_cleanup_free_ char *path =
					pss_printf("metadata.annotations[%s]", key ?: "");
				struct fy_node *kn;

				kn = rf_doc_key(ann, key ?: "");
				if (path)
					pss_site(p, NULL, path, kn, true, NULL,
						 "set the annotation to runtime/default");
			}
	}
	slist_done(&bad);
}

/* Shared with seccompProfile_restricted. NULL when the type is valid. */
const char *pss_seccomp_bad_type(struct kpod *p, struct fy_node *sc, const char *path,
				 struct fy_node **ret_node, bool *ret_set);
const char *pss_seccomp_bad_type(struct kpod *p, struct fy_node *sc, const char *path,
				 struct fy_node **ret_node, bool *ret_set)
{
	struct fy_node *sp = k_map(p->d, sc, path, "seccompProfile");
	const char *t;

	*ret_node = sp;
	*ret_set = sp != NULL;
	if (!sp)
		return NULL;
	t = k_str(p->d, sp, "seccompProfile", "type") ?: "";
	return streq(t, "RuntimeDefault") || streq(t, "Localhost") ? NULL : t;
}

static void seccomp_baseline_1_19(struct kpod *p)
{
	struct slist setters = { 0 }, values = { 0 }, bad = { 0 };
	struct fy_node *n;
	const char *t;
	bool set;

	if ((t = pss_seccomp_bad_type(p, p->sc, p->sc_path, &n, &set))) {
		(void)slist_add(&setters, "pod");
		(void)slist_add_unique(&values, t);
	}
	for (size_t i = 0; i < p->n_ctrs; i++)
		if ((t = pss_seccomp_bad_type(p, p->ctrs[i].sc, p->ctrs[i].path, &n, &set))) {
			(void)slist_add(&bad, p->ctrs[i].name);
			(void)slist_add_unique(&values, t);
		}
	if (bad.n) {
		_cleanup_free_ char *w = pss_who(&bad);
		(void)slist_add(&setters, w);
	}
	slist_sort(&values);
	if (setters.n) {
		_cleanup_free_ char *s = slist_join(&setters, " and "),
				    *q = slist_join_quote(&values);

		if (pss_fail(p, "seccompProfile_baseline", "seccompProfile",
			     pss_printf("%s must not set securityContext.seccompProfile.type to %s",
					s ?: "", q ?: ""))) {
			pss_seccomp_mark_bad_types(p);
		}
	}
	slist_done(&setters);
	slist_done(&values);
	slist_done(&bad);
}

/* ---- sysctls ---- */
static const struct {
	unsigned since;
	const char *name;
} safe_sysctls[] = {
	{ 0, "kernel.shm_rmid_forced" },
	{ 0, "net.ipv4.ip_local_port_range" },
	{ 0, "net.ipv4.tcp_syncookies" },
	{ 0, "net.ipv4.ping_group_range" },
	{ 0, "net.ipv4.ip_unprivileged_port_start" },
	{ 27, "net.ipv4.ip_local_reserved_ports" },
	{ 29, "net.ipv4.tcp_keepalive_time" },
	{ 29, "net.ipv4.tcp_fin_timeout" },
	{ 29, "net.ipv4.tcp_keepalive_intvl" },
	{ 29, "net.ipv4.tcp_keepalive_probes" },
	{ 32, "net.ipv4.tcp_rmem" },
	{ 32, "net.ipv4.tcp_wmem" },
	{ 37, "net.ipv4.tcp_slow_start_after_idle" },
	{ 37, "net.ipv4.tcp_notsent_lowat" },
};

static bool sysctl_safe(const char *name, unsigned minor)
{
	for (size_t i = 0; i < ELEMENTSOF(safe_sysctls); i++)
		if (safe_sysctls[i].since <= minor && streq(safe_sysctls[i].name, name))
			return true;
	return false;
}

static void sysctls(struct kpod *p)
{
	struct fy_node *seq = k_seq(p->d, p->sc, p->sc_path, "sysctls"), *item;
	struct slist bad = { 0 };
	void *it = NULL;
	size_t idx = 0;

	while (seq && (item = fy_node_sequence_iterate(seq, &it))) {
		_cleanup_free_ char *path = pss_printf("%s.sysctls[%zu]", p->sc_path, idx++);
		const char *name;

		item = k_deref(item);
		if (!item || !fy_node_is_mapping(item)) {
			rf_doc_fail(p->d, item ? item : seq, "%s must be an object",
				    path ?: "sysctls");
			continue;
		}
		name = k_str(p->d, item, path ?: "", "name") ?: "";
		if (!sysctl_safe(name, p->minor))
			(void)slist_add(&bad, name);
	}
	if (bad.n && pss_fail(p, "sysctls", "forbidden sysctls", slist_join(&bad, ", "))) {
		it = NULL;
		idx = 0;
		while ((item = fy_node_sequence_iterate(seq, &it))) {
			_cleanup_free_ char *path =
				pss_printf("%s.sysctls[%zu].name", p->sc_path, idx++);
			struct fy_node *key;
			const char *name;

			item = k_deref(item);
			name = item ? k_str(p->d, item, "", "name") : NULL;
			if (!name || sysctl_safe(name, p->minor) || !path)
				continue;
			key = rf_doc_key(item, "name");
			pss_site(p, NULL, path, key, false, NOFIX_HOST,
				 "remove sysctl %s; only the namespaced safe set is allowed at "
				 "v1.%u",
				 name, p->minor);
		}
	}
	slist_done(&bad);
}

const struct pss_check pss_baseline_checks[] = {
	{ "hostNamespaces", RF_PSS_BASELINE, { { 0, pss_host_namespaces } }, NULL },
	{ "privileged", RF_PSS_BASELINE, { { 0, privileged } }, NULL },
	{ "capabilities_baseline", RF_PSS_BASELINE, { { 0, capabilities_baseline } }, NULL },
	{ "hostPathVolumes", RF_PSS_BASELINE, { { 0, pss_host_path_volumes } }, NULL },
	{ "hostPorts", RF_PSS_BASELINE, { { 0, pss_host_ports } }, NULL },
	{ "appArmorProfile", RF_PSS_BASELINE, { { 0, apparmor_profile } }, NULL },
	/* 1.31 allows container_engine_t: the function reads p->minor. */
	{ "seLinuxOptions",
	  RF_PSS_BASELINE,
	  { { 0, selinux_options }, { 31, selinux_options } },
	  NULL },
	{ "procMount", RF_PSS_BASELINE, { { 0, proc_mount_1_0 }, { 35, proc_mount_1_35 } }, NULL },
	{ "seccompProfile_baseline",
	  RF_PSS_BASELINE,
	  { { 0, seccomp_baseline_1_0 }, { 19, seccomp_baseline_1_19 } },
	  NULL },
	/* The safe list grows at 1.27, 1.29, 1.32 and 1.37 (safe_sysctls[].since). */
	{ "sysctls",
	  RF_PSS_BASELINE,
	  { { 0, sysctls }, { 27, sysctls }, { 29, sysctls }, { 32, sysctls }, { 37, sysctls } },
	  NULL },
	{ "windowsHostProcess", RF_PSS_BASELINE, { { 0, pss_windows_host_process } }, NULL },
	{ "hostProbesAndHostLifecycle", RF_PSS_BASELINE, { { 34, pss_host_probes } }, NULL },
};
const size_t pss_n_baseline_checks = ELEMENTSOF(pss_baseline_checks);
