/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The baseline checks about the host: host namespaces, hostPath volumes, host ports, Windows
 * HostProcess, and probe/lifecycle handlers that name a host (1.34). pss-checks.c holds the
 * others and the table of all baseline checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "k8s-internal.h"

/* ---- hostNamespaces ---- */
void pss_host_namespaces(struct kpod *p)
{
	static const char *const fields[] = { "hostNetwork", "hostPID", "hostIPC" };
	struct slist bad = { 0 };
	struct fy_node *keys[3] = { 0 };

	for (size_t i = 0; i < ELEMENTSOF(fields); i++)
		if (k_bool(p->d, p->spec, p->spec_path, fields[i]) == 1) {
			_cleanup_free_ char *s = pss_printf("%s=true", fields[i]);
			keys[i] = rf_doc_key(p->spec, fields[i]);
			if (!s || slist_add(&bad, s) < 0)
				p->oom = -ENOMEM;
		}
	if (bad.n && pss_fail(p, "hostNamespaces", "host namespaces", slist_join(&bad, ", ")))
		for (size_t i = 0; i < ELEMENTSOF(fields); i++)
			if (keys[i]) {
				_cleanup_free_ char *path =
					pss_printf("%s.%s", p->spec_path, fields[i]);
				if (path)
					pss_site(p, NULL, path, keys[i], false, NOFIX_HOST,
						 "remove %s (or set it to false)", fields[i]);
			}
	slist_done(&bad);
}

/* ---- hostPathVolumes ---- */
void pss_host_path_volumes(struct kpod *p)
{
	struct fy_node *vols = k_seq(p->d, p->spec, p->spec_path, "volumes"), *v;
	struct slist bad = { 0 };
	void *it = NULL;

	while (vols && (v = fy_node_sequence_iterate(vols, &it))) {
		v = k_deref(v);
		if (v && fy_node_is_mapping(v) && k_map(p->d, v, "volume", "hostPath"))
			(void)slist_add(&bad, k_str(p->d, v, "volume", "name") ?: "");
	}
	if (bad.n) {
		_cleanup_free_ char *q = slist_join_quote(&bad);
		size_t i = 0;

		it = NULL;
		if (pss_fail(p, "hostPathVolumes", "hostPath volumes",
			     pss_printf("%s %s", pluralize("volume", "volumes", bad.n), q ?: "")))
			while ((v = fy_node_sequence_iterate(vols, &it))) {
				struct fy_node *key;
				_cleanup_free_ char *path =
					pss_printf("%s.volumes[%zu].hostPath", p->spec_path, i++);
				v = k_deref(v);
				if (path && v && k_get(p->d, v, "hostPath") &&
				    (key = rf_doc_key(v, "hostPath")))
					pss_site(
						p, NULL, path, key, false, NOFIX_HOST,
						"use a configMap, secret, emptyDir or "
						"persistentVolumeClaim volume instead of hostPath");
			}
	}
	slist_done(&bad);
}

/* ---- hostPorts ---- */
void pss_host_ports(struct kpod *p)
{
	struct slist bad = { 0 }, ports = { 0 };

	for (size_t i = 0; i < p->n_ctrs; i++) {
		struct fy_node *seq = k_seq(p->d, p->ctrs[i].n, p->ctrs[i].path, "ports"), *port;
		bool valid = true;
		void *it = NULL;
		size_t idx = 0;

		while (seq && (port = fy_node_sequence_iterate(seq, &it))) {
			_cleanup_free_ char *path =
				pss_printf("%s.ports[%zu]", p->ctrs[i].path, idx++);
			long long hp = 0;
			char buf[32];

			port = k_deref(port);
			if (!port || !fy_node_is_mapping(port)) {
				rf_doc_fail(p->d, port ? port : seq, "%s must be an object",
					    path ?: "ports");
				continue;
			}
			if (k_int(p->d, port, path ?: "", "hostPort", &hp) && hp != 0) {
				valid = false;
				snprintf(buf, sizeof(buf), "%lld", hp);
				(void)slist_add_unique(&ports, buf);
			}
		}
		if (!valid)
			(void)slist_add(&bad, p->ctrs[i].name);
	}
	slist_sort(&ports);
	if (bad.n) {
		_cleanup_free_ char *w = pss_who(&bad), *j = slist_join(&ports, ", ");

		if (pss_fail(p, "hostPorts", "hostPort",
			     pss_printf("%s %s %s %s", w ?: "", pluralize("uses", "use", bad.n),
					pluralize("hostPort", "hostPorts", ports.n), j ?: "")))
			for (size_t i = 0; i < p->n_ctrs; i++) {
				struct fy_node *seq = k_seq(p->d, p->ctrs[i].n, "", "ports"), *port;
				void *it = NULL;
				size_t idx = 0;

				while (seq && (port = fy_node_sequence_iterate(seq, &it))) {
					_cleanup_free_ char *path = pss_printf(
						"%s.ports[%zu].hostPort", p->ctrs[i].path, idx++);
					struct fy_node *key;
					long long hp = 0;

					port = k_deref(port);
					if (path && port &&
					    k_int(p->d, port, "", "hostPort", &hp) && hp) {
						key = rf_doc_key(port, "hostPort");
						pss_site(p, p->ctrs[i].name, path, key, false,
							 NOFIX_HOST,
							 "remove hostPort %lld; expose the port "
							 "with a Service",
							 hp);
					}
				}
			}
	}
	slist_done(&bad);
	slist_done(&ports);
}

/* ---- windowsHostProcess ---- */
static bool host_process(struct kpod *p, struct fy_node *sc, const char *path, struct fy_node **key)
{
	struct fy_node *wo = k_map(p->d, sc, path, "windowsOptions");

	*key = NULL;
	if (k_bool(p->d, wo, "windowsOptions", "hostProcess") != 1)
		return false;
	*key = rf_doc_key(wo, "hostProcess");
	return true;
}

void pss_windows_host_process(struct kpod *p)
{
	struct slist setters = { 0 }, bad = { 0 };
	struct fy_node *key;

	for (size_t i = 0; i < p->n_ctrs; i++)
		if (host_process(p, p->ctrs[i].sc, p->ctrs[i].path, &key))
			(void)slist_add(&bad, p->ctrs[i].name);
	if (host_process(p, p->sc, p->sc_path, &key))
		(void)slist_add(&setters, "pod");
	if (bad.n) {
		_cleanup_free_ char *w = pss_who(&bad);
		(void)slist_add(&setters, w);
	}
	if (setters.n) {
		_cleanup_free_ char *s = slist_join(&setters, " and ");

		if (pss_fail(p, "windowsHostProcess", "hostProcess",
			     pss_printf("%s must not set "
					"securityContext.windowsOptions.hostProcess=true",
					s ?: ""))) {
			if (host_process(p, p->sc, p->sc_path, &key)) {
				_cleanup_free_ char *path =
					pss_printf("%s.windowsOptions.hostProcess", p->sc_path);
				if (path)
					pss_site(p, NULL, path, key, false, NOFIX_HOST,
						 "remove hostProcess: true");
			}
			for (size_t i = 0; i < p->n_ctrs; i++)
				if (host_process(p, p->ctrs[i].sc, p->ctrs[i].path, &key)) {
					_cleanup_free_ char *path = pss_sc_path(
						&p->ctrs[i], "windowsOptions.hostProcess");
					if (path)
						pss_site(p, p->ctrs[i].name, path, key, false,
							 NOFIX_HOST, "remove hostProcess: true");
				}
		}
	}
	slist_done(&setters);
	slist_done(&bad);
}

/* ---- hostProbesAndHostLifecycle (1.34) ---- */
static const char *const probe_fields[] = { "livenessProbe", "readinessProbe", "startupProbe" };
static const char *const lifecycle_fields[] = { "postStart", "preStop" };

/* Adds the hosts of handler `h` to `hosts` (and a site when `site`). */
static bool handler_hosts(struct kpod *p, const struct kctr *k, struct fy_node *h,
			  const char *hpath, struct slist *hosts, bool site)
{
	static const char *const kinds[] = { "httpGet", "tcpSocket" };
	bool bad = false;

	for (size_t i = 0; h && i < ELEMENTSOF(kinds); i++) {
		struct fy_node *a = k_map(p->d, h, hpath, kinds[i]), *key;
		const char *host = k_str(p->d, a, kinds[i], "host");

		if (!host || !*host)
			continue;
		bad = true;
		(void)slist_add_unique(hosts, host);
		if (site) {
			_cleanup_free_ char *path = pss_printf("%s.%s.host", hpath, kinds[i]);
			key = rf_doc_key(a, "host");
			if (path)
				pss_site(p, k->name, path, key, false, NOFIX_VALUE,
					 "remove host \"%s\"; probes and hooks must target the pod "
					 "itself",
					 host);
		}
	}
	return bad;
}

static bool container_hosts(struct kpod *p, const struct kctr *k, struct slist *hosts, bool site)
{
	struct fy_node *lc = k_map(p->d, k->n, k->path, "lifecycle");
	bool bad = false;

	for (size_t i = 0; i < ELEMENTSOF(probe_fields); i++) {
		_cleanup_free_ char *hp = pss_printf("%s.%s", k->path, probe_fields[i]);
		bad |= handler_hosts(p, k, k_map(p->d, k->n, k->path, probe_fields[i]), hp ?: "",
				     hosts, site);
	}
	for (size_t i = 0; i < ELEMENTSOF(lifecycle_fields); i++) {
		_cleanup_free_ char *hp =
			pss_printf("%s.lifecycle.%s", k->path, lifecycle_fields[i]);
		bad |= handler_hosts(p, k, k_map(p->d, lc, "lifecycle", lifecycle_fields[i]),
				     hp ?: "", hosts, site);
	}
	return bad;
}

void pss_host_probes(struct kpod *p)
{
	struct slist bad = { 0 }, hosts = { 0 };

	for (size_t i = 0; i < p->n_ctrs; i++)
		if (container_hosts(p, &p->ctrs[i], &hosts, false))
			(void)slist_add_unique(&bad, p->ctrs[i].name);
	slist_sort(&bad);
	slist_sort(&hosts);
	if (bad.n) {
		_cleanup_free_ char *w = pss_who(&bad), *q = slist_join_quote(&hosts);

		if (pss_fail(p, "hostProbesAndHostLifecycle", "probe or lifecycle host",
			     pss_printf("%s %s %s %s", w ?: "", pluralize("uses", "use", bad.n),
					pluralize("probe or lifecycle host",
						  "probe or lifecycle hosts", hosts.n),
					q ?: "")))
			for (size_t i = 0; i < p->n_ctrs; i++) {
				struct slist tmp = { 0 };
				(void)container_hosts(p, &p->ctrs[i], &tmp, true);
				slist_done(&tmp);
			}
	}
	slist_done(&bad);
	slist_done(&hosts);
}
