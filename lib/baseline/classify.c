/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an event means to a baseline, decided in one place for the learner and the rule fields
 * so that learning and monitoring can never disagree: the workload it belongs to and the set
 * items it adds or is checked against. No allocation: paths are normalised into the view. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/ipset.h"
#include "core/macro.h"
#include "core/path.h"
#include "ringfence/baseline.h"
#include "ringfence/proc.h"

/* pid 1, kthreadd and the watcher itself end a host process tree's ancestry. */
static bool boundary(const struct rf_proc *p, pid_t self)
{
	return p->tgid <= 2 || p->tgid == self;
}

/* The leader of a host process tree: the oldest ancestor below a boundary. */
static const struct rf_proc *leader_of(const struct rf_proc *p, pid_t self)
{
	while (p->parent && !boundary(p->parent, self))
		p = p->parent;
	return p;
}

/* "kind:name" (memcpy: this runs for every event a baseline rule reads) */
static int set_key(struct rf_baseline_view *v, const char *kind, const char *name)
{
	size_t k = strlen(kind), n = strlen(name);

	if (k + 1 + n >= sizeof(v->key))
		return 0; /* a name too long for a key names no workload */
	memcpy(v->key, kind, k);
	v->key[k] = ':';
	memcpy(v->key + k + 1, name, n + 1);
	v->has_key = true;
	return 0;
}

static int workload_key(const struct rf_event *ev, const struct rf_container_meta *meta, pid_t self,
			struct rf_baseline_view *v)
{
	const struct rf_proc *p = ev->proc, *lead;

	if (!p)
		return 0;
	if (p->container_id[0]) {
		if (meta && meta->image && meta->image[0])
			return set_key(v, "image", meta->image);
		if (meta && meta->name && meta->name[0])
			return set_key(v, "container", meta->name);
		return set_key(v, "container-id", p->container_id);
	}
	lead = leader_of(p, self);
	/* The watcher's own fork before it execs the command is no workload. */
	if (!lead->exe || (lead->parent && lead->parent->tgid == self && lead->parent->exe &&
			   streq(lead->parent->exe, lead->exe)))
		return 0;
	return set_key(v, "exe", lead->exe);
}

/* The parent belongs to the event's workload: same container, or below the host leader. */
static const struct rf_proc *parent_inside(const struct rf_event *ev, pid_t self)
{
	const struct rf_proc *p = ev->proc, *q = p ? p->parent : NULL;

	if (!q || boundary(q, self))
		return NULL;
	if (p->container_id[0] || q->container_id[0])
		return streq(p->container_id, q->container_id) ? q : NULL;
	return q;
}

/* An absolute, lexically normalised copy of path (relative ones against base) in buf; NULL
 * when it cannot be made absolute. One that does not fit is cut and said *overlong. */
static const char *normalised(const char *path, const char *base, char *buf, size_t size,
			      bool *overlong)
{
	size_t n;
	int k;

	if (!path || !path[0])
		return NULL;
	if (path[0] == '/') {
		n = strlen(path);
		if (n >= size) {
			*overlong = true;
			n = size - 1;
		}
		memcpy(buf, path, n);
		buf[n] = '\0';
	} else if (base && base[0] == '/') {
		k = snprintf(buf, size, "%s/%s", base, path);
		if (k < 0)
			return NULL;
		*overlong |= (size_t)k >= size;
	} else {
		return NULL;
	}
	/* Most paths need no cleaning: skip the walk when there is nothing to clean. */
	if (strstr(buf, "/.") || strstr(buf, "//"))
		rf_path_normalize(buf);
	return buf;
}

static struct rf_baseline_item *item(struct rf_baseline_view *v, enum rf_baseline_set s)
{
	struct rf_baseline_item *it;

	if (v->n_items >= ELEMENTSOF(v->items))
		return NULL;
	it = &v->items[v->n_items++];
	*it = (struct rf_baseline_item){ .set = s };
	return it;
}

static void add_path(struct rf_baseline_view *v, enum rf_baseline_set s, const char *p,
		     bool overlong)
{
	struct rf_baseline_item *it = p ? item(v, s) : NULL;

	if (it) {
		it->s = p;
		it->len = strlen(p);
		it->overlong = overlong;
	}
}

/* The directory of an absolute path into buf ("/" for "/x"). */
static const char *dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	size_t n;

	if (!slash)
		return NULL;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= size)
		return NULL;
	memmove(buf, path, n);
	buf[n] = '\0';
	return buf;
}

static void on_exec(const struct rf_event *ev, pid_t self, struct rf_baseline_view *v)
{
	const struct rf_proc *p = ev->proc, *parent = parent_inside(ev, self);
	bool overlong = false;
	const char *exe = normalised(ev->exec.path ?: p->exe, p->cwd, v->buf[0], sizeof(v->buf[0]),
				     &overlong);
	struct rf_baseline_item *it;

	if (!exe)
		return;
	add_path(v, RF_BL_EXECUTABLES, exe, overlong);
	if (parent && parent->exe && (it = item(v, RF_BL_EDGES))) {
		it->parent = parent->exe;
		it->parent_len = strlen(parent->exe);
		it->s = exe;
		it->len = strlen(exe);
		it->overlong = overlong || it->parent_len > RF_BASELINE_MAX_ITEM;
	}
}

/* A shared object by its name: "x.so" or "x.so.6" ("ld.so.cache" is none). */
static bool looks_like_library(const char *path)
{
	const char *base = strrchr(path, '/'), *so;

	base = base ? base + 1 : path;
	for (so = strstr(base, ".so"); so; so = strstr(so + 1, ".so"))
		if (so != base && (!so[3] || (so[3] == '.' && so[4] >= '0' && so[4] <= '9')))
			return true;
	return false;
}

/* Devices and kernel interfaces are no directories a workload writes files in: /dev/null,
 * a terminal, /proc/self/attr (tmpfs /dev/shm is one). */
static bool pseudo_file(const char *p)
{
	return (!strncmp(p, "/dev/", 5) && strncmp(p, "/dev/shm/", 9)) ||
	       !strncmp(p, "/proc/", 6) || !strncmp(p, "/sys/", 5);
}

static void on_file(const struct rf_event *ev, struct rf_baseline_view *v)
{
	const struct rf_ev_file *f = &ev->file;
	const char *cwd = ev->proc ? ev->proc->cwd : NULL;
	bool overlong = false, overlong2 = false;
	const char *p = normalised(f->path, cwd, v->buf[0], sizeof(v->buf[0]), &overlong);
	const char *p2 = NULL;
	bool write = false;

	if ((f->has_ret && f->ret < 0) || !p)
		return;
	switch (f->op) {
	case RF_FILE_MMAP:
		/* One item per load: a shared object is the open before its mmap (which the eBPF
		 * watch does not see); anything else mapped executable is the mmap. */
		if (f->access & RF_ACC_MMAP_EXEC && !looks_like_library(p))
			add_path(v, RF_BL_LIBRARIES, p, overlong);
		return;
	case RF_FILE_OPEN:
		/* An open the workload made: a file it inherited open (ptrace reports them at
		 * the first exec, with no syscall) was written by someone else. */
		if (f->access & (RF_ACC_WRITE | RF_ACC_APPEND | RF_ACC_CREATE)) {
			write = ev->origin.arch != 0;
		} else if (f->access & RF_ACC_READ && !(f->access & RF_ACC_DIR) &&
			   looks_like_library(p)) {
			add_path(v, RF_BL_LIBRARIES, p, overlong);
			return;
		}
		break;
	case RF_FILE_RENAME:
	case RF_FILE_LINK:
	case RF_FILE_SYMLINK:
		/* The new name's directory changes; a rename's old one too. */
		p2 = normalised(f->path2, cwd, v->buf[1], sizeof(v->buf[1]), &overlong2);
		write = f->op == RF_FILE_RENAME;
		break;
	case RF_FILE_MKDIR:
	case RF_FILE_UNLINK:
	case RF_FILE_RMDIR:
	case RF_FILE_TRUNCATE: write = true; break;
	default: return;
	}
	if (pseudo_file(p))
		write = false;
	if (p2 && pseudo_file(p2))
		p2 = NULL;
	/* A cut path's directory may be cut too: say so. */
	if (write)
		add_path(v, RF_BL_DIRECTORIES, dir_of(p, v->buf[0], sizeof(v->buf[0])), overlong);
	if (p2)
		add_path(v, RF_BL_DIRECTORIES, dir_of(p2, v->buf[2], sizeof(v->buf[2])), overlong2);
}

static bool inet(const struct rf_sockaddr *sa)
{
	return sa->family == AF_INET || sa->family == AF_INET6;
}

static void on_net(const struct rf_event *ev, struct rf_baseline_view *v)
{
	const struct rf_ev_net *n = &ev->net;
	struct rf_baseline_item *it;
	struct rf_ip ip;

	switch (n->op) {
	case RF_NET_BIND:
	case RF_NET_LISTEN:
		/* A listener that could not be made listens nowhere. */
		if ((n->has_ret && n->ret < 0) || !inet(&n->local) || !n->local.port)
			return;
		if ((it = item(v, RF_BL_LISTEN)))
			it->port = n->local.port;
		return;
	case RF_NET_CONNECT:
	case RF_NET_SEND:
		/* Every attempt is behaviour, whatever the answer (non-blocking: EINPROGRESS). */
		if (!inet(&n->remote) || !n->remote.port || !(it = item(v, RF_BL_CONNECT)))
			return;
		it->port = n->remote.port;
		if (rf_ip_from_family(n->remote.family, n->remote.addr, &ip) >= 0)
			memcpy(it->addr, ip.b, sizeof(it->addr)); /* inet() checked the family */
		return;
	default: return;
	}
}

int rf_baseline_classify(const struct rf_event *ev, const struct rf_container_meta *meta,
			 pid_t self, struct rf_baseline_view *v)
{
	struct rf_baseline_item *it;

	v->has_key = false;
	v->n_items = 0;
	if (ev->bootstrap) /* the runtime's, before the workload's own code */
		return 0;
	workload_key(ev, meta, self, v);
	if (!v->has_key)
		return 0;
	switch (ev->kind) {
	case RF_EV_EXEC: on_exec(ev, self, v); break;
	case RF_EV_FILE: on_file(ev, v); break;
	case RF_EV_NET: on_net(ev, v); break;
	case RF_EV_CAPABILITY:
		/* A probe (CAP_OPT_NOAUDIT) is no need; a refusal is no use. */
		if (ev->cap.granted && !ev->cap.noaudit && ev->cap.cap >= 0 &&
		    (it = item(v, RF_BL_CAPABILITIES)))
			it->nr = ev->cap.cap;
		break;
	case RF_EV_SYSCALL:
	case RF_EV_SYSCALL_TOTAL:
	case RF_EV_ARGS:
		if (ev->sc.id.arch && ev->sc.id.nr >= 0 && (it = item(v, RF_BL_SYSCALLS))) {
			it->arch = ev->sc.id.arch;
			it->nr = ev->sc.id.nr;
		}
		break;
	default: break;
	}
	return 0;
}
