/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process table of ringfence/proc.h. An entry is reference counted: one reference while it
 * is in the table, one per child naming it as parent; it is freed when the last goes. Live
 * entries sit on an LRU list so the bound evicts the one unused longest. */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "hashmap.h"
#include "macro.h"
#include "strv.h"
#include "ringfence/proc.h"

struct rf_proctab {
	struct rf_hmap map; /* tgid -> struct rf_proc (live ones) */
	struct rf_proc *lru_head, *lru_tail;
	const char *proc_root;
	size_t max_entries;
	bool no_proc;
	size_t entries; /* allocated, exited-but-referenced included */
	uint64_t loads, evicted;
	long clk_tck;
};

static void proc_unref(struct rf_proctab *t, struct rf_proc *p);

static void proc_free_fields(struct rf_proc *p)
{
	free(p->exe);
	strv_free(p->argv);
	free(p->cwd);
	free(p->cgroup);
}

static void proc_unref(struct rf_proctab *t, struct rf_proc *p)
{
	/* Iterative: a chain of exited ancestors can be long. */
	while (p && --p->refs == 0) {
		struct rf_proc *parent = (struct rf_proc *)p->parent;

		proc_free_fields(p);
		free(p);
		t->entries--;
		p = parent;
	}
}

static void lru_unlink(struct rf_proctab *t, struct rf_proc *p)
{
	if (p->lru_prev)
		p->lru_prev->lru_next = p->lru_next;
	else
		t->lru_head = p->lru_next;
	if (p->lru_next)
		p->lru_next->lru_prev = p->lru_prev;
	else
		t->lru_tail = p->lru_prev;
	p->lru_prev = p->lru_next = NULL;
}

static void lru_push_front(struct rf_proctab *t, struct rf_proc *p)
{
	p->lru_prev = NULL;
	p->lru_next = t->lru_head;
	if (t->lru_head)
		t->lru_head->lru_prev = p;
	t->lru_head = p;
	if (!t->lru_tail)
		t->lru_tail = p;
}

/* Takes p out of the table (exit or eviction); it lives on while children refer to it. */
static void table_drop(struct rf_proctab *t, struct rf_proc *p)
{
	(void)rf_hmap_remove_u64(&t->map, (uint64_t)p->tgid);
	lru_unlink(t, p);
	proc_unref(t, p);
}

int rf_proctab_new(const struct rf_proctab_opts *o, struct rf_proctab **ret)
{
	struct rf_proctab *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->proc_root = o && o->proc_root ? o->proc_root : "/proc";
	t->max_entries = o && o->max_entries ? o->max_entries : RF_PROC_DEFAULT_MAX_ENTRIES;
	t->no_proc = o && o->no_proc;
	t->clk_tck = sysconf(_SC_CLK_TCK);
	if (t->clk_tck <= 0)
		t->clk_tck = 100;
	*ret = t;
	return 0;
}

void rf_proctab_free(struct rf_proctab *t)
{
	if (!t)
		return;
	while (t->lru_head)
		table_drop(t, t->lru_head);
	rf_hmap_done(&t->map, NULL);
	free(t);
}

/* ---- reading /proc ---- */

static ssize_t read_small(struct rf_proctab *t, pid_t pid, const char *what, char *buf, size_t size)
{
	char path[256];
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof(path), "%s/%d/%s", t->proc_root, (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	(void)close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

static char *read_link(struct rf_proctab *t, pid_t pid, const char *what)
{
	char path[256], buf[4096];
	ssize_t n;

	(void)snprintf(path, sizeof(path), "%s/%d/%s", t->proc_root, (int)pid, what);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	return strndup(buf, (size_t)n);
}

/* NUL-separated arguments into a vector, cut at RF_PROC_MAX_ARGV_BYTES. */
static char **argv_from_buf(const char *buf, size_t len, bool *truncated)
{
	_cleanup_strv_free_ char **v = NULL;

	for (size_t off = 0; off < len;) {
		size_t n = strnlen(buf + off, len - off);

		if (strv_extend_len(&v, buf + off, n) < 0)
			return NULL;
		off += n + 1;
	}
	*truncated = len >= RF_PROC_MAX_ARGV_BYTES - 1;
	if (!v)
		v = calloc(1, sizeof(char *));
	return TAKE_PTR(v);
}

static void read_stat(struct rf_proctab *t, struct rf_proc *p)
{
	char buf[1024], *rp;
	unsigned long long start = 0;
	int ppid = 0;

	if (read_small(t, p->tgid, "stat", buf, sizeof(buf)) <= 0)
		return;
	/* "pid (comm) S ppid ..." where comm may hold spaces and parentheses: after the last ')'.
	 */
	rp = strrchr(buf, ')');
	if (!rp)
		return;
	/* Fields 3.. : state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
	 * utime stime cutime cstime priority nice num_threads itrealvalue starttime */
	if (sscanf(rp + 1,
		   " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
		   "%*d %llu",
		   &ppid, &start) == 2) {
		p->ppid = ppid;
		p->start_ns = start * (1000000000ULL / (unsigned long long)t->clk_tck);
	}
}

static void read_ids(struct rf_proctab *t, struct rf_proc *p)
{
	char buf[4096];
	const char *u, *g;
	unsigned ru, eu, rg, eg;

	if (read_small(t, p->tgid, "status", buf, sizeof(buf)) <= 0)
		return;
	u = strstr(buf, "\nUid:");
	g = strstr(buf, "\nGid:");
	if (u && g && sscanf(u, "\nUid: %u %u", &ru, &eu) == 2 &&
	    sscanf(g, "\nGid: %u %u", &rg, &eg) == 2) {
		p->uid = ru;
		p->euid = eu;
		p->gid = rg;
		p->egid = eg;
		p->ids_known = true;
	}
}

static void read_comm(struct rf_proctab *t, struct rf_proc *p)
{
	char buf[64];

	if (read_small(t, p->tgid, "comm", buf, sizeof(buf)) <= 0)
		return;
	buf[strcspn(buf, "\n")] = '\0';
	buf[sizeof(p->comm) - 1] = '\0'; /* the kernel's comm is at most 15 bytes */
	memcpy(p->comm, buf, sizeof(p->comm));
}

static void read_cmdline(struct rf_proctab *t, struct rf_proc *p)
{
	char buf[RF_PROC_MAX_ARGV_BYTES];
	ssize_t n = read_small(t, p->tgid, "cmdline", buf, sizeof(buf));

	strv_free(p->argv);
	p->argv = n > 0 ? argv_from_buf(buf, (size_t)n, &p->argv_truncated) : NULL;
}

static void read_cgroup(struct rf_proctab *t, struct rf_proc *p)
{
	char buf[4096], *line;

	if (read_small(t, p->tgid, "cgroup", buf, sizeof(buf)) <= 0)
		return;
	/* cgroup v2: "0::/path"; on a hybrid host the v2 line is the one starting "0::". */
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, "0::", 3)) {
			free(p->cgroup);
			p->cgroup = strndup(line + 3, strcspn(line + 3, "\n"));
			if (p->cgroup)
				rf_cgroup_ids(p->cgroup, p->container_id, p->pod_uid);
			return;
		}
}

static void read_identity(struct rf_proctab *t, struct rf_proc *p)
{
	read_comm(t, p);
	free(p->exe);
	p->exe = read_link(t, p->tgid, "exe");
	read_cmdline(t, p);
	read_ids(t, p);
}

/* ---- the table ---- */

static void set_parent(struct rf_proctab *t, struct rf_proc *p, struct rf_proc *parent)
{
	struct rf_proc *a = parent;

	if (p->parent == parent)
		return;
	if (parent)
		parent->refs++;
	if (p->parent)
		proc_unref(t, (struct rf_proc *)p->parent);
	p->parent = parent;
	/* Keep chains bounded: cut below the RF_PROC_MAX_CHAIN-th ancestor. */
	for (int depth = 1; a && a->parent; depth++, a = (struct rf_proc *)a->parent)
		if (depth >= RF_PROC_MAX_CHAIN) {
			struct rf_proc *cut = (struct rf_proc *)a->parent;
			a->parent = NULL;
			proc_unref(t, cut);
			break;
		}
}

static void evict_if_full(struct rf_proctab *t)
{
	while (t->map.n >= t->max_entries && t->lru_tail) {
		table_drop(t, t->lru_tail);
		t->evicted++;
	}
}

static struct rf_proc *insert(struct rf_proctab *t, pid_t tgid)
{
	struct rf_proc *p = calloc(1, sizeof(*p)), *old = NULL;

	if (!p)
		return NULL;
	evict_if_full(t);
	p->tgid = tgid;
	p->refs = 1;
	if (rf_hmap_put_u64(&t->map, (uint64_t)tgid, p, (void **)&old) < 0) {
		free(p);
		return NULL;
	}
	if (old) { /* a recycled pid whose exit we missed */
		lru_unlink(t, old);
		proc_unref(t, old);
	}
	lru_push_front(t, p);
	t->entries++;
	return p;
}

static struct rf_proc *load(struct rf_proctab *t, pid_t tgid, int depth)
{
	struct rf_proc *p;
	char probe[8];

	if (t->no_proc || tgid <= 0 || read_small(t, tgid, "comm", probe, sizeof(probe)) < 0)
		return NULL;
	p = insert(t, tgid);
	if (!p)
		return NULL;
	t->loads++;
	read_stat(t, p);
	read_identity(t, p);
	p->cwd = read_link(t, tgid, "cwd");
	read_cgroup(t, p);
	if (p->ppid > 0 && depth < RF_PROC_MAX_CHAIN) {
		struct rf_proc *parent = rf_hmap_get_u64(&t->map, (uint64_t)p->ppid);

		if (!parent)
			parent = load(t, p->ppid, depth + 1);
		/* The parent load may have evicted p under a tiny bound: look it up again. */
		if (parent && rf_hmap_get_u64(&t->map, (uint64_t)tgid) == p)
			set_parent(t, p, parent);
	}
	return rf_hmap_get_u64(&t->map, (uint64_t)tgid) == p ? p : NULL;
}

const struct rf_proc *rf_proctab_peek(const struct rf_proctab *t, pid_t tgid)
{
	return rf_hmap_get_u64(&t->map, (uint64_t)tgid);
}

const struct rf_proc *rf_proctab_get(struct rf_proctab *t, pid_t tgid)
{
	struct rf_proc *p = rf_hmap_get_u64(&t->map, (uint64_t)tgid);

	if (!p)
		return load(t, tgid, 0);
	if (t->lru_head != p) {
		lru_unlink(t, p);
		lru_push_front(t, p);
	}
	return p;
}

static int copy_str(char **dst, const char *src)
{
	char *c = NULL;

	if (src && !(c = strdup(src)))
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

int rf_proctab_fork(struct rf_proctab *t, pid_t parent_tgid, pid_t child, uint64_t time_ns)
{
	struct rf_proc *parent = (struct rf_proc *)rf_proctab_get(t, parent_tgid);
	struct rf_proc *c = rf_hmap_get_u64(&t->map, (uint64_t)child);

	if (!c) {
		c = insert(t, child);
		if (!c)
			return -ENOMEM;
		if (parent) {
			memcpy(c->comm, parent->comm, sizeof(c->comm));
			c->ids_known = parent->ids_known;
			c->uid = parent->uid;
			c->euid = parent->euid;
			c->gid = parent->gid;
			c->egid = parent->egid;
			c->argv_truncated = parent->argv_truncated;
			memcpy(c->container_id, parent->container_id, sizeof(c->container_id));
			memcpy(c->pod_uid, parent->pod_uid, sizeof(c->pod_uid));
			if (copy_str(&c->exe, parent->exe) < 0 ||
			    copy_str(&c->cwd, parent->cwd) < 0 ||
			    copy_str(&c->cgroup, parent->cgroup) < 0 ||
			    (parent->argv && !(c->argv = strv_copy(parent->argv))))
				return -ENOMEM;
		}
	}
	c->ppid = parent_tgid;
	c->start_ns = time_ns ?: rf_boottime_ns();
	/* The child insert may have evicted the parent under a tiny bound. */
	if (parent && rf_hmap_get_u64(&t->map, (uint64_t)parent_tgid) == parent)
		set_parent(t, c, parent);
	return 0;
}

int rf_proctab_exec(struct rf_proctab *t, pid_t tgid, const char *path, char *const *argv)
{
	struct rf_proc *p = (struct rf_proc *)rf_proctab_get(t, tgid);

	if (!p) {
		if (!t->no_proc)
			return 0; /* gone already */
		p = insert(t, tgid);
		if (!p)
			return -ENOMEM;
	}
	if (!t->no_proc) {
		read_identity(t, p); /* comm, exe, argv and (setuid) ids as the kernel has them */
		/* A fork copied the parent's cgroup, but a container's process joins its cgroup
		 * between fork and exec (runc init writes itself to cgroup.procs; clone3 with
		 * CLONE_INTO_CGROUP starts it there): the exec is when it is known. */
		read_cgroup(t, p);
		if (path && !p->exe && copy_str(&p->exe, path) < 0)
			return -ENOMEM;
	} else {
		_cleanup_free_ char *copy = path ? strdup(path) : NULL;

		if (path && (!copy || copy_str(&p->exe, path) < 0))
			return -ENOMEM;
		/* The kernel names a task after its executable's base name, cut to 15 bytes. */
		if (copy)
			(void)snprintf(p->comm, sizeof(p->comm), "%s", basename(copy));
	}
	if (argv) {
		char **v = strv_copy(argv);

		if (!v)
			return -ENOMEM;
		strv_free(p->argv);
		p->argv = v;
		p->argv_truncated = false;
	}
	return 0;
}

void rf_proctab_set_comm(struct rf_proctab *t, pid_t tgid, const char *comm)
{
	struct rf_proc *p = rf_hmap_get_u64(&t->map, (uint64_t)tgid);

	if (p && comm)
		(void)snprintf(p->comm, sizeof(p->comm), "%s", comm);
}

void rf_proctab_exit(struct rf_proctab *t, pid_t tgid)
{
	struct rf_proc *p = rf_hmap_get_u64(&t->map, (uint64_t)tgid);

	if (!p)
		return;
	p->exited = true;
	table_drop(t, p);
}

void rf_proctab_stats(const struct rf_proctab *t, struct rf_proctab_stats *ret)
{
	*ret = (struct rf_proctab_stats){ .entries = t->entries,
					  .loads = t->loads,
					  .evicted = t->evicted };
}

/* ---- container identity from the cgroup path ---- */

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

void rf_cgroup_ids(const char *path, char container_id[65], char pod_uid[37])
{
	const char *p;

	container_id[0] = pod_uid[0] = '\0';
	/* The innermost 64-hex-digit component, as "<id>", "docker-<id>.scope",
	 * "cri-containerd-<id>.scope", "crio-<id>.scope", "libpod-<id>.scope". */
	for (p = path; p && *p;) {
		const char *end = strchr(p, '/'), *dash;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *id = p;

		dash = memrchr(p, '-', n);
		if (dash)
			id = dash + 1;
		if ((size_t)(p + n - id) >= 64 && is_hex(id, 64) &&
		    (id + 64 == p + n || !strncmp(id + 64, ".scope", 6))) {
			memcpy(container_id, id, 64);
			container_id[64] = '\0';
		}
		p = end ? end + 1 : NULL;
	}
	/* "pod<uid>" (cgroupfs driver) or "...-pod<uid_with_underscores>.slice" (systemd). */
	for (p = strstr(path, "pod"); p; p = strstr(p + 3, "pod")) {
		const char *u = p + 3;
		size_t i;

		if (p != path && p[-1] != '/' && p[-1] != '-')
			continue;
		for (i = 0; i < 36 && u[i]; i++) {
			bool sep = i == 8 || i == 13 || i == 18 || i == 23;

			if (sep ? (u[i] != '-' && u[i] != '_') : !is_hex(u + i, 1))
				break;
			pod_uid[i] = sep ? '-' : u[i];
		}
		if (i == 36 && (!u[36] || u[36] == '/' || u[36] == '.')) {
			pod_uid[36] = '\0';
			return;
		}
		pod_uid[0] = '\0';
	}
}
