/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The field table, part one: process, user, container, Kubernetes and event fields, plus the
 * lookup, [index] parsing and value formatting every row shares. Extractors read the event and
 * its process entry and never allocate: derived strings (a command line, a name from the
 * caller's container cache) go to the evaluation context's per-event buffers. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "detect-internal.h"
#include "ringfence/proc.h"

extern const struct field rf_fields_args[];
extern const size_t rf_fields_args_n;
extern const struct field rf_fields_intel[];
extern const size_t rf_fields_intel_n;
extern const struct field rf_fields_k8saudit[];
extern const size_t rf_fields_k8saudit_n;
extern const struct field rf_fields_baseline[];
extern const size_t rf_fields_baseline_n;

/* ---- helpers shared with fields-args.c ---- */

static void set_str(struct rf_val *v, const char *s)
{
	v->s = s;
	v->len = strlen(s);
	v->nul = true;
}

static const struct rf_proc *ancestor(const struct eval_ctx *c, unsigned depth)
{
	const struct rf_proc *p = c->ev->proc;

	for (unsigned i = 0; p && i < depth; i++)
		p = p->parent;
	return p;
}

/* Level of a row: [N] when given, else the row's own depth; nth walks further for lists. */
static unsigned level(const struct fref *r, unsigned nth)
{
	if (r->index >= 0)
		return (unsigned)r->index + nth;
	if (r->f->flags & FF_ALL_ANCESTORS)
		return 1 + nth;
	return r->f->depth + nth;
}

static bool single(const struct fref *r, unsigned nth)
{
	return nth == 0 || (r->f->flags & FF_LIST && r->index < 0);
}

const char *event_container_id(const struct rf_event *ev)
{
	return ev->proc && ev->proc->container_id[0] ? ev->proc->container_id : "host";
}

/* ---- process ---- */

static int get_pid(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	unsigned d = level(r, nth);
	const struct rf_proc *p = ancestor(c, d);

	if (!single(r, nth))
		return 0;
	if (d == 0 && c->ev->tgid) {
		v->i = c->ev->tgid;
		return 1;
	}
	if (!p)
		return 0;
	v->i = p->tgid;
	return 1;
}

static int get_ppid(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	if (nth)
		return 0;
	v->i = c->ev->ppid ?: c->ev->proc ? c->ev->proc->ppid : 0;
	return v->i > 0;
}

static int get_tid(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	v->i = c->ev->tid;
	return nth == 0 && v->i > 0;
}

static int get_name(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	unsigned d = level(r, nth);
	const struct rf_proc *p = ancestor(c, d);
	const char *slash;

	if (!single(r, nth))
		return 0;
	/* The comm, as Falco's proc.name: a busybox applet is "sh", not "busybox". */
	if (p && p->comm[0]) {
		v->s = p->comm;
		v->len = strnlen(p->comm, sizeof(p->comm));
		v->nul = v->len < sizeof(p->comm);
		return 1;
	}
	if (d == 0 && c->ev->comm[0]) {
		v->s = c->ev->comm;
		v->len = strnlen(c->ev->comm, sizeof(c->ev->comm));
		v->nul = v->len < sizeof(c->ev->comm);
		return 1;
	}
	if (!p || !p->exe)
		return 0;
	slash = strrchr(p->exe, '/');
	set_str(v, slash ? slash + 1 : p->exe);
	return 1;
}

static int get_exe(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_proc *p = ancestor(c, level(r, nth));

	if (!single(r, nth) || !p)
		return 0;
	if (p->argv && p->argv[0])
		set_str(v, p->argv[0]);
	else if (p->exe)
		set_str(v, p->exe);
	else
		return 0;
	return 1;
}

static int get_exepath(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	unsigned d = level(r, nth);
	const struct rf_proc *p = ancestor(c, d);

	if (!single(r, nth))
		return 0;
	if (d == 0 && c->ev->kind == RF_EV_EXEC && c->ev->exec.path) {
		set_str(v, c->ev->exec.path);
		return 1;
	}
	if (!p || !p->exe)
		return 0;
	set_str(v, p->exe);
	return 1;
}

/* "name arg1 arg2" (with_name) or "arg1 arg2", cut at the buffer with "...". */
static int joined(struct eval_ctx *c, unsigned slot, const struct rf_proc *p, bool with_name,
		  struct rf_val *v)
{
	char *buf = c->cmd[slot];
	size_t n = 0, cap = sizeof(c->cmd[slot]);

	if (c->cmd_gen[slot] == c->gen) {
		v->s = buf;
		v->len = c->cmd_len[slot];
		v->nul = true;
		return 1;
	}
	if (!p || !p->argv)
		return 0;
	for (size_t i = with_name ? 0 : 1; p->argv[i]; i++) {
		const char *a = p->argv[i];
		size_t len;

		if (i == 0) { /* proc.name first, as Falco's cmdline */
			const char *slash = strrchr(a, '/');

			a = p->comm[0] ? p->comm : slash ? slash + 1 : a;
		}
		len = strlen(a);
		if (n && n + 1 < cap)
			buf[n++] = ' ';
		if (n + len >= cap) {
			memcpy(buf + n, a, cap - n - 4);
			memcpy(buf + cap - 4, "...", 3);
			n = cap - 1;
			break;
		}
		memcpy(buf + n, a, len);
		n += len;
	}
	buf[n] = '\0';
	c->cmd_gen[slot] = c->gen;
	c->cmd_len[slot] = n;
	v->s = buf;
	v->len = n;
	v->nul = true;
	return 1;
}

static int get_cmdline(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	unsigned d = level(r, nth);

	if (!single(r, nth) || d > 1)
		return 0;
	return joined(c, d ? 2 : 0, ancestor(c, d), true, v);
}

static int get_args(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	return nth ? 0 : joined(c, 1, ancestor(c, 0), false, v);
}

static int get_cwd(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_proc *p = ancestor(c, 0);

	if (nth || !p || !p->cwd)
		return 0;
	set_str(v, p->cwd);
	return 1;
}

static int get_exe_written(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_proc *p = ancestor(c, 0);
	const char *exe = c->ev->kind == RF_EV_EXEC && c->ev->exec.path ? c->ev->exec.path
			  : p						? p->exe
									: NULL;

	if (nth || !exe || !c->drift)
		return 0;
	v->i = drift_written(c->drift, c, exe, strlen(exe));
	return 1;
}

static int get_exe_memfd(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_proc *p = ancestor(c, 0);

	if (nth)
		return 0;
	if (c->ev->kind == RF_EV_EXEC && c->ev->exec.is_memfd)
		v->i = 1;
	else if (p && p->exe)
		v->i = !strncmp(p->exe, "/memfd:", 7);
	else
		return 0;
	return 1;
}

static int get_ids(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_proc *p = ancestor(c, 0);
	const char *n = r->f->name;

	if (nth || !p || !p->ids_known)
		return 0;
	v->i = streq(n, "user.uid")    ? p->uid
	       : streq(n, "user.euid") ? p->euid
	       : streq(n, "group.gid") ? p->gid
				       : p->egid;
	return 1;
}

/* ---- container and Kubernetes ---- */

static int get_container_id(struct eval_ctx *c, const struct fref *r, unsigned nth,
			    struct rf_val *v)
{
	if (nth || !c->ev->proc)
		return 0;
	set_str(v, event_container_id(c->ev));
	return 1;
}

static int get_pod_uid(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	if (nth || !c->ev->proc || !c->ev->proc->pod_uid[0])
		return 0;
	set_str(v, c->ev->proc->pod_uid);
	return 1;
}

static const struct rf_container_meta *meta(struct eval_ctx *c)
{
	if (c->meta_gen != c->gen) {
		c->meta_gen = c->gen;
		c->meta = NULL;
		if (c->meta_fn && c->ev->proc && c->ev->proc->container_id[0])
			c->meta = c->meta_fn(c->ev->proc->container_id, c->meta_userdata);
	}
	return c->meta;
}

const struct rf_container_meta *eval_meta(struct eval_ctx *c)
{
	return meta(c);
}

static int get_meta(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_container_meta *m = nth ? NULL : meta(c);
	const char *n = r->f->name, *s = NULL;

	if (!m)
		return 0;
	if (streq(n, "container.name"))
		s = m->name;
	else if (streq(n, "container.image"))
		s = m->image;
	else if (streq(n, "k8s.ns.name"))
		s = m->k8s_ns;
	else if (streq(n, "k8s.pod.name"))
		s = m->k8s_pod;
	else if (streq(n, "k8s.container.name"))
		s = m->k8s_container;
	if (!s)
		return 0;
	set_str(v, s);
	return 1;
}

/* ---- event ---- */

static int get_evt_type(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	if (nth)
		return 0;
	set_str(v, evtype_name(&c->rs->types, c->ev, c->tmp, sizeof(c->tmp)));
	return 1;
}

static int get_evt_kind(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	if (nth)
		return 0;
	set_str(v, rf_event_kind_name(c->ev->kind));
	return 1;
}

static bool result_of(const struct rf_event *ev, int64_t *ret)
{
	switch (ev->kind) {
	case RF_EV_SYSCALL: *ret = ev->sc.ret; return ev->sc.has_ret;
	case RF_EV_FILE: *ret = ev->file.ret; return ev->file.has_ret;
	case RF_EV_NET: *ret = ev->net.ret; return ev->net.has_ret;
	case RF_EV_EXEC: /* reported once it succeeded */ *ret = 0; return true;
	default: return false;
	}
}

static int get_evt_dir(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	int64_t ret;

	if (nth)
		return 0;
	/* Decoded events are whole calls, as Falco's exit events; a raw call without its result
	 * was seen at entry. */
	set_str(v, c->ev->kind != RF_EV_SYSCALL || result_of(c->ev, &ret) ? "<" : ">");
	return 1;
}

static int get_evt_res(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	int64_t ret;
	const char *name;

	if (nth || !result_of(c->ev, &ret))
		return 0;
	if (streq(r->f->name, "evt.rawres")) {
		v->i = ret;
	} else if (streq(r->f->name, "evt.failed")) {
		v->i = ret < 0;
	} else {
		name = ret >= 0 ? "SUCCESS" : ret >= -4095 ? strerrorname_np((int)-ret) : NULL;
		set_str(v, name ?: "EUNKNOWN");
	}
	return 1;
}

static int get_evt_time(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	v->i = (int64_t)c->ev->time_ns;
	return nth == 0 && c->ev->time_ns;
}

#define ALL DECODED_KINDS
#define ANY (ALL | RAW_KINDS)
#define P   RF_FIELD_PROC

static const struct field proc_fields[] = {
	{ "proc.pid", FT_INT, ANY, 0, 0, 0, get_pid, NULL, "process id (tgid)" },
	{ "proc.ppid", FT_INT, ANY, 0, 0, 0, get_ppid, NULL, "parent process id" },
	{ "thread.tid", FT_INT, ANY, 0, 0, 0, get_tid, NULL, "thread id" },
	{ "proc.name", FT_STR, ANY, 0, 0, 0, get_name, NULL, "process name (comm)" },
	{ "proc.exe", FT_STR, ANY, FF_PROC, P, 0, get_exe, NULL, "argv[0]" },
	{ "proc.exepath", FT_STR, ANY, FF_PROC, P, 0, get_exepath, NULL, "executable path" },
	{ "proc.cmdline", FT_STR, ANY, FF_PROC, P, 0, get_cmdline, NULL, "name and arguments" },
	{ "proc.args", FT_STR, ANY, FF_PROC, P, 0, get_args, NULL, "arguments" },
	{ "proc.cwd", FT_STR, ANY, FF_PROC, P, 0, get_cwd, NULL, "working directory" },
	{ "proc.pname", FT_STR, ANY, FF_PROC | FF_ANCESTOR, P, 1, get_name, NULL, "parent name" },
	{ "proc.pexe", FT_STR, ANY, FF_PROC | FF_ANCESTOR, P, 1, get_exe, NULL, "parent argv[0]" },
	{ "proc.pexepath", FT_STR, ANY, FF_PROC | FF_ANCESTOR, P, 1, get_exepath, NULL,
	  "parent executable path" },
	{ "proc.pcmdline", FT_STR, ANY, FF_PROC | FF_ANCESTOR, P, 1, get_cmdline, NULL,
	  "parent command line" },
	{ "proc.aname", FT_STR, ANY, FF_PROC | FF_INDEX | FF_LIST | FF_ANCESTOR | FF_ALL_ANCESTORS,
	  P, 0, get_name, NULL, "ancestor name: [0] self, [1] parent ...; no index: any ancestor" },
	{ "proc.apid", FT_INT, ANY, FF_PROC | FF_INDEX | FF_LIST | FF_ANCESTOR | FF_ALL_ANCESTORS,
	  P, 0, get_pid, NULL, "ancestor pid" },
	{ "proc.aexepath", FT_STR, ANY,
	  FF_PROC | FF_INDEX | FF_LIST | FF_ANCESTOR | FF_ALL_ANCESTORS, P, 0, get_exepath, NULL,
	  "ancestor executable path" },
	{ "proc.is_exe_written", FT_BOOL, ALL, FF_PROC | FF_STATE, P, 0, get_exe_written, NULL,
	  "the executable was written in this container since watching began (drift)" },
	{ "proc.is_exe_upper_layer", FT_BOOL, ALL, FF_PROC | FF_STATE, P, 0, get_exe_written, NULL,
	  "Falco's name for drift; here: proc.is_exe_written" },
	{ "proc.is_exe_from_memfd", FT_BOOL, ALL, FF_PROC, P, 0, get_exe_memfd, NULL,
	  "the executable is a memfd (fileless)" },
	{ "user.uid", FT_INT, ANY, FF_PROC, P, 0, get_ids, NULL, "real uid" },
	{ "user.euid", FT_INT, ANY, FF_PROC, P, 0, get_ids, NULL, "effective uid" },
	{ "group.gid", FT_INT, ANY, FF_PROC, P, 0, get_ids, NULL, "real gid" },
	{ "group.egid", FT_INT, ANY, FF_PROC, P, 0, get_ids, NULL, "effective gid" },
	{ "container.id", FT_STR, ANY, FF_PROC, P, 0, get_container_id, NULL,
	  "container id, \"host\" outside containers" },
	{ "container.name", FT_STR, ANY, FF_PROC | FF_META, P, 0, get_meta, NULL, "" },
	{ "container.image", FT_STR, ANY, FF_PROC | FF_META, P, 0, get_meta, NULL, "" },
	{ "k8s.ns.name", FT_STR, ANY, FF_PROC | FF_META, P, 0, get_meta, NULL, "" },
	{ "k8s.pod.name", FT_STR, ANY, FF_PROC | FF_META, P, 0, get_meta, NULL, "" },
	{ "k8s.container.name", FT_STR, ANY, FF_PROC | FF_META, P, 0, get_meta, NULL, "" },
	{ "k8s.pod.uid", FT_STR, ANY, FF_PROC, P, 0, get_pod_uid, NULL, "" },
	{ "evt.type", FT_STR, ANY, 0, 0, 0, get_evt_type, NULL, "syscall or canonical name" },
	{ "evt.kind", FT_STR, ANY, 0, 0, 0, get_evt_kind, NULL, "ringfence event kind" },
	{ "evt.dir", FT_STR, ANY, 0, 0, 0, get_evt_dir, NULL, "< (exit) or > (entry)" },
	{ "evt.res", FT_STR, ANY, 0, RF_FIELD_RET, 0, get_evt_res, NULL, "SUCCESS or E*" },
	{ "evt.rawres", FT_INT, ANY, 0, RF_FIELD_RET, 0, get_evt_res, NULL, "result" },
	{ "evt.failed", FT_BOOL, ANY, 0, RF_FIELD_RET, 0, get_evt_res, NULL, "result < 0" },
	{ "evt.time", FT_INT, ANY, 0, 0, 0, get_evt_time, NULL, "CLOCK_BOOTTIME ns" },
};

#undef ALL
#undef ANY
#undef P

static const struct field *find_in(const struct field *v, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i].name) == len && !memcmp(v[i].name, name, len))
			return &v[i];
	return NULL;
}

const struct field *field_lookup(const char *name, size_t len)
{
	return find_in(proc_fields, ELEMENTSOF(proc_fields), name, len)
		?: find_in(rf_fields_args, rf_fields_args_n, name, len)
		?: find_in(rf_fields_intel, rf_fields_intel_n, name, len)
		?: find_in(rf_fields_k8saudit, rf_fields_k8saudit_n, name, len)
		?: find_in(rf_fields_baseline, rf_fields_baseline_n, name, len);
}

int field_parse(const char *word, struct fref *ret, const char **ret_why)
{
	const char *br = strchr(word, '[');
	const struct field *f = field_lookup(word, br ? (size_t)(br - word) : strlen(word));
	char *end = NULL;
	long idx;

	*ret_why = NULL;
	if (!f)
		return -ENOENT;
	*ret = (struct fref){ .f = f, .index = -1 };
	if (!br)
		return 0;
	if (!(f->flags & FF_INDEX)) {
		*ret_why = "takes no [index]";
		return -EINVAL;
	}
	errno = 0;
	idx = strtol(br + 1, &end, 10);
	if (errno || end == br + 1 || *end != ']' || end[1] || idx < 0 ||
	    idx >= RF_PROC_MAX_CHAIN) {
		*ret_why = "needs an [index] from 0 to 31";
		return -EINVAL;
	}
	ret->index = (int)idx;
	return 0;
}

int val_format(const struct fref *r, const struct rf_val *v, enum rf_event_kind kind, char *buf,
	       size_t size)
{
	switch (r->f->type) {
	case FT_STR: return snprintf(buf, size, "%.*s", (int)v->len, v->s);
	case FT_INT:
	case FT_PORT: return snprintf(buf, size, "%" PRId64, v->i);
	case FT_BOOL: return snprintf(buf, size, "%s", v->i ? "true" : "false");
	case FT_IP: return rf_ip_format(&v->ip, buf, size) ? (int)strlen(buf) : -EINVAL;
	case FT_FLAGS: {
		size_t n = 0;

		buf[0] = '\0';
		for (const struct flagname *fn = r->f->names; fn && fn->name; fn++) {
			/* Words of this kind whose bits hold (O_RDONLY: the access mode is 0). */
			if ((fn->kinds && !(fn->kinds & RF_EV_BIT(kind))) ||
			    (v->i & (int64_t)fn->mask) != (int64_t)fn->value)
				continue;
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
					      n ? "|" : "", fn->name);
		}
		if (!n)
			n = (size_t)snprintf(buf, size, "0");
		return (int)n;
	}
	}
	return -EINVAL;
}
