/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container and pod names for findings (`watch --k8s-metadata FILE`): the cgroup gives a
 * container id and a pod UID, not names; a file the operator (or a sidecar) keeps current gives
 * them. Read as written by the tools people already have:
 *   crictl ps -o json                  {"containers": [{"id", "metadata": {"name"}, "image":
 *                                       {"image"}, "labels": {"io.kubernetes.pod.name" ...}}]}
 *   kubectl get pods -o json           {"items": [{"metadata": {"name", "namespace"}, "status":
 *                                       {"containerStatuses": [{"name", "image",
 *                                       "containerID": "containerd://ID"}]}}]}
 * The file is re-read when its modification time changes (checked at most every 2 s, on
 * lookups), so a cron job or sidecar refreshing it is enough; a broken refresh keeps the names
 * already known and is reported once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/clock.h"
#include "core/doc.h"
#include "core/hashmap.h"
#include "core/macro.h"
#include "ringfence/log.h"
#include "ringfence/rules.h"
#include "ringfence/watch.h"

#define NAMES_MAX_FILE	(256u << 20)
#define NAMES_MAX_ITEMS 1000000
#define RECHECK_NS	(2 * 1000000000ull)

struct entry {
	char id[65]; /* the key */
	struct rf_container_meta meta;
	char *strings[5];
};

struct rf_container_names {
	char *path;
	struct rf_hmap by_id; /* id -> struct entry */
	struct timespec mtime;
	uint64_t checked_ns;
	bool reported;
};

static void entry_free(void *p)
{
	struct entry *e = p;

	for (size_t i = 0; i < ELEMENTSOF(e->strings); i++)
		free(e->strings[i]);
	free(e);
}

/* "containerd://0123..." or "docker://..." or a bare id: the id, lowercase hex, 12..64. */
static bool id_of(const char *s, char out[65])
{
	const char *p = strstr(s, "://");
	size_t n;

	p = p ? p + 3 : s;
	n = strlen(p);
	if (n < 12 || n > 64 || strspn(p, "0123456789abcdef") != n)
		return false;
	memcpy(out, p, n + 1);
	return true;
}

static const char *opt_str(struct rf_doc *d, struct fy_node *map, const char *key)
{
	struct fy_node *n = rf_doc_get(d, map, key);
	const char *s = NULL;

	if (n && fy_node_is_scalar(n) && rf_doc_str(d, n, key, &s, NULL) < 0)
		return NULL;
	return s && *s ? s : NULL;
}

static int add(struct rf_hmap *m, const char *id, const char *name, const char *image,
	       const char *ns, const char *pod, const char *kname)
{
	const char *v[5] = { name, image, ns, pod, kname };
	struct entry *e = calloc(1, sizeof(*e));
	void *old = NULL;
	int r;

	if (!e)
		return -ENOMEM;
	if (!id_of(id, e->id)) {
		free(e);
		return 0; /* not a container id we could ever see in a cgroup */
	}
	for (size_t i = 0; i < ELEMENTSOF(v); i++)
		if (v[i] && !(e->strings[i] = strdup(v[i]))) {
			entry_free(e);
			return -ENOMEM;
		}
	e->meta = (struct rf_container_meta){ e->strings[0], e->strings[1], e->strings[2],
					      e->strings[3], e->strings[4] };
	r = rf_hmap_put_str(m, e->id, e, &old);
	if (r < 0) {
		entry_free(e);
		return r;
	}
	if (old)
		entry_free(old);
	return 0;
}

struct pod_ctx {
	struct rf_hmap *m;
	const char *ns, *pod;
};

static int status_item(struct rf_doc *d, size_t i, struct fy_node *st, void *userdata)
{
	struct pod_ctx *c = userdata;
	const char *id = opt_str(d, st, "containerID"), *name = opt_str(d, st, "name");

	(void)i;
	if (!id)
		return 0; /* not started yet */
	return add(c->m, id, name, opt_str(d, st, "image"), c->ns, c->pod, name);
}

static int pod_item(struct rf_doc *d, size_t i, struct fy_node *pod, void *userdata)
{
	static const char *const lists[] = { "initContainerStatuses", "containerStatuses",
					     "ephemeralContainerStatuses" };
	struct fy_node *meta = rf_doc_get(d, pod, "metadata"), *st = rf_doc_get(d, pod, "status");
	struct pod_ctx c = { .m = userdata,
			     .ns = opt_str(d, meta, "namespace"),
			     .pod = opt_str(d, meta, "name") };
	int r = 0;

	(void)i;
	for (size_t k = 0; r >= 0 && k < ELEMENTSOF(lists); k++) {
		struct fy_node *l = rf_doc_get(d, st, lists[k]);

		if (l)
			r = rf_doc_each_item(d, l, lists[k], NAMES_MAX_ITEMS, status_item, &c);
	}
	return r;
}

static int cri_item(struct rf_doc *d, size_t i, struct fy_node *c, void *userdata)
{
	struct fy_node *labels = rf_doc_get(d, c, "labels"), *img = rf_doc_get(d, c, "image");
	const char *id = opt_str(d, c, "id");
	const char *name = opt_str(d, rf_doc_get(d, c, "metadata"), "name");
	const char *image = rf_doc_is_map(d, img) ? opt_str(d, img, "image") : NULL;

	(void)i;
	if (!id)
		return rf_doc_fail(d, c, "a container without an \"id\"");
	return add(userdata, id, name, image ?: opt_str(d, c, "imageRef"),
		   opt_str(d, labels, "io.kubernetes.pod.namespace"),
		   opt_str(d, labels, "io.kubernetes.pod.name"),
		   opt_str(d, labels, "io.kubernetes.container.name") ?: name);
}

static int read_file(const char *path, struct rf_hmap *m, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	struct rf_doc d = { 0 };
	struct fy_node *root, *l;
	int r;

	r = rf_doc_load_file(path, NAMES_MAX_FILE, RF_DOC_JSON, RF_DOC_AUTO_JSON, &text, &d,
			     reterr);
	if (r < 0)
		return r;
	root = rf_doc_root(&d);
	if ((l = rf_doc_get(&d, root, "containers")))
		r = rf_doc_each_item(&d, l, "containers", NAMES_MAX_ITEMS, cri_item, m);
	else if ((l = rf_doc_get(&d, root, "items")))
		r = rf_doc_each_item(&d, l, "items", NAMES_MAX_ITEMS, pod_item, m);
	else if (rf_doc_is_map(&d, root) && opt_str(&d, root, "kind") &&
		 streq(opt_str(&d, root, "kind"), "Pod"))
		r = pod_item(&d, 0, root, m);
	else
		r = rf_doc_fail(&d, root,
				"neither `crictl ps -o json` (\"containers\") nor "
				"`kubectl get pods -o json` (\"items\") output");
	rf_doc_done(&d);
	return r;
}

static int load(struct rf_container_names *c, struct rf_error *reterr)
{
	struct rf_hmap m = RF_HMAP_INIT_STR;
	struct stat st;
	int r;

	if (stat(c->path, &st) < 0)
		return rf_error_set(reterr, -errno, "%s: %s", c->path, strerror(errno));
	r = read_file(c->path, &m, reterr);
	if (r < 0) {
		rf_hmap_done(&m, entry_free);
		return r;
	}
	rf_hmap_done(&c->by_id, entry_free);
	c->by_id = m;
	c->mtime = st.st_mtim;
	return 0;
}

int rf_container_names_load(const char *path, struct rf_container_names **ret,
			    struct rf_error *reterr)
{
	struct rf_container_names *c = calloc(1, sizeof(*c));
	int r;

	if (!c || !(c->path = strdup(path))) {
		free(c);
		return -ENOMEM;
	}
	c->by_id = (struct rf_hmap)RF_HMAP_INIT_STR;
	r = load(c, reterr);
	if (r < 0) {
		rf_container_names_free(c);
		return r;
	}
	c->checked_ns = rf_now_ns();
	*ret = c;
	return 0;
}

size_t rf_container_names_count(const struct rf_container_names *c)
{
	return c ? c->by_id.n : 0;
}

static void maybe_reload(struct rf_container_names *c)
{
	uint64_t now = rf_now_ns();
	struct rf_error e = { 0 };
	struct stat st;

	if (now - c->checked_ns < RECHECK_NS)
		return;
	c->checked_ns = now;
	if (stat(c->path, &st) < 0 ||
	    (st.st_mtim.tv_sec == c->mtime.tv_sec && st.st_mtim.tv_nsec == c->mtime.tv_nsec))
		return;
	if (load(c, &e) < 0) {
		if (!c->reported)
			rf_log(RF_LOG_WARNING, "keeping the container names already known: %s",
			       e.message ?: "reading failed");
		c->reported = true;
		c->mtime = st.st_mtim; /* not again until it changes */
	} else {
		c->reported = false;
	}
	rf_error_clear(&e);
}

const struct rf_container_meta *rf_container_names_lookup(const char *container_id, void *userdata)
{
	struct rf_container_names *c = userdata;
	struct entry *e;

	if (!c || !container_id || !*container_id)
		return NULL;
	maybe_reload(c);
	e = rf_hmap_get_str(&c->by_id, container_id);
	return e ? &e->meta : NULL;
}

void rf_container_names_free(struct rf_container_names *c)
{
	if (!c)
		return;
	rf_hmap_done(&c->by_id, entry_free);
	free(c->path);
	free(c);
}
