/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the rule engine's unit tests: loading rules from inline YAML, building processes
 * and events by hand, and reading the recorded event streams of tests/data/events/ (JSON Lines
 * written by tests/helpers/event-dump.c) back into rf_event values with their processes.
 * Header-only and static, like unit.h. */
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/socket.h>

#include "core/doc.h"
#include "core/hashmap.h"
#include "core/macro.h"
#include "core/netnames.h"
#include "core/strv.h"
#include "ringfence/detect.h"
#include "ringfence/proc.h"
#include "ringfence/rules.h"
#include "unit.h"

/* ---- rules ---- */

static inline struct rf_ruleset *rules_ok2(const char *yaml, const char *yaml2)
{
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_ruleset *rs = NULL;
	int r;

	cr_assert_eq(rf_ruleset_new(&rs), 0);
	r = rf_ruleset_load_text(rs, yaml, strlen(yaml), "test.yaml", &err);
	if (r >= 0 && yaml2)
		r = rf_ruleset_load_text(rs, yaml2, strlen(yaml2), "local.yaml", &err);
	if (r >= 0)
		r = rf_ruleset_compile(rs, &err);
	cr_assert(r >= 0, "rules failed (%d): %s", r, err.message ?: "(no message)");
	return rs;
}

static inline struct rf_ruleset *rules_ok(const char *yaml)
{
	return rules_ok2(yaml, NULL);
}

/* The error message loading and compiling the text gives (the test fails if none). */
static inline char *rules_err2(const char *yaml, const char *yaml2)
{
	struct rf_error err = { 0 };
	struct rf_ruleset *rs = NULL;
	char *msg;
	int r;

	cr_assert_eq(rf_ruleset_new(&rs), 0);
	r = rf_ruleset_load_text(rs, yaml, strlen(yaml), "test.yaml", &err);
	if (r >= 0 && yaml2)
		r = rf_ruleset_load_text(rs, yaml2, strlen(yaml2), "local.yaml", &err);
	if (r >= 0)
		r = rf_ruleset_compile(rs, &err);
	cr_assert(r < 0, "rules loaded although they should not have");
	cr_assert(err.message, "an error without a message (%d)", r);
	msg = strdup(err.message);
	rf_error_clear(&err);
	rf_ruleset_free(rs);
	return msg;
}

static inline char *rules_err(const char *yaml)
{
	return rules_err2(yaml, NULL);
}

struct match_log {
	char names[64][128];
	size_t n;
	char output[1024];
};

static inline int log_match(const struct rf_rule *rule, const struct rf_event *ev,
			    struct rf_rules_eval *e, void *userdata)
{
	struct match_log *m = userdata;
	char *out = NULL;

	if (m->n < 64)
		(void)snprintf(m->names[m->n++], sizeof(m->names[0]), "%s", rf_rule_name(rule));
	cr_assert_eq(rf_rules_eval_output(e, rule, &out), 0);
	(void)snprintf(m->output, sizeof(m->output), "%s", out);
	free(out);
	return 0;
}

/* Evaluates one event with a fresh context; the rules that matched are in *m. */
static inline int eval1(const struct rf_ruleset *rs, const struct rf_event *ev, struct match_log *m)
{
	struct rf_rules_eval *e = NULL;
	struct match_log local = { 0 };
	int r;

	cr_assert_eq(rf_rules_eval_new(rs, NULL, &e), 0);
	r = rf_rules_eval(e, ev, log_match, m ?: &local);
	rf_rules_eval_free(e);
	cr_assert(r >= 0);
	return r;
}

static inline bool matched(const struct match_log *m, const char *rule)
{
	for (size_t i = 0; i < m->n; i++)
		if (streq(m->names[i], rule))
			return true;
	return false;
}

/* ---- processes and events by hand ---- */

#define TEST_CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A process with `cmdline` split at spaces into argv; the arena keeps it (free with
 * proc_free). */
static inline struct rf_proc *proc_new(pid_t pid, const char *comm, const char *exe,
				       const char *cmdline, const struct rf_proc *parent,
				       bool in_container)
{
	struct rf_proc *p = calloc(1, sizeof(*p));
	char *copy = strdup(cmdline ?: ""), *save = NULL;

	cr_assert(p && copy);
	p->tgid = pid;
	p->ppid = parent ? parent->tgid : 1;
	p->start_ns = 1000 + (uint64_t)pid;
	(void)snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->exe = exe ? strdup(exe) : NULL;
	p->argv = calloc(1, sizeof(char *));
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		cr_assert_eq(strv_extend(&p->argv, w), 0);
	free(copy);
	p->cwd = strdup("/");
	p->ids_known = true;
	p->uid = p->euid = 0;
	p->parent = parent;
	if (in_container)
		memcpy(p->container_id, TEST_CID, sizeof(p->container_id));
	return p;
}

static inline void proc_free(struct rf_proc *p)
{
	if (!p)
		return;
	free(p->exe);
	strv_free(p->argv);
	free(p->cwd);
	free(p);
}

static inline struct rf_syscall_id sc_id(const char *name)
{
	uint32_t arch = seccomp_arch_native();
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	cr_assert(nr >= 0, "no syscall %s here", name);
	return (struct rf_syscall_id){ arch, nr };
}

static inline struct rf_event ev_base(enum rf_event_kind kind, const struct rf_proc *p,
				      const char *origin)
{
	struct rf_event ev = { .kind = kind, .time_ns = 5000, .proc = p };

	if (p) {
		ev.tgid = ev.tid = p->tgid;
		ev.ppid = p->ppid;
		memcpy(ev.comm, p->comm, sizeof(ev.comm));
	}
	if (origin)
		ev.origin = sc_id(origin);
	return ev;
}

static inline struct rf_event ev_exec(const struct rf_proc *p)
{
	struct rf_event ev = ev_base(RF_EV_EXEC, p, NULL);

	ev.exec.path = p->exe;
	ev.exec.argv = p->argv;
	return ev;
}

static inline struct rf_event ev_open(const struct rf_proc *p, const char *path, int flags,
				      uint32_t access)
{
	struct rf_event ev = ev_base(RF_EV_FILE, p, "openat");

	ev.file = (struct rf_ev_file){ .op = RF_FILE_OPEN,
				       .path = path,
				       .access = access,
				       .flags = flags,
				       .has_ret = true,
				       .ret = 3 };
	return ev;
}

static inline struct rf_event ev_file2(const struct rf_proc *p, enum rf_file_op op,
				       const char *origin, const char *path, const char *path2)
{
	struct rf_event ev = ev_base(RF_EV_FILE, p, origin);

	ev.file = (struct rf_ev_file){
		.op = op, .path = path, .path2 = path2, .flags = -1, .has_ret = true, .ret = 0
	};
	return ev;
}

static inline struct rf_event ev_connect4(const struct rf_proc *p, const char *ip, uint16_t port)
{
	struct rf_event ev = ev_base(RF_EV_NET, p, "connect");

	ev.net = (struct rf_ev_net){ .op = RF_NET_CONNECT,
				     .fd = 3,
				     .family = AF_INET,
				     .type = SOCK_STREAM,
				     .has_ret = true };
	ev.net.remote.family = AF_INET;
	ev.net.remote.port = port;
	cr_assert_eq(inet_pton(AF_INET, ip, ev.net.remote.addr), 1);
	return ev;
}

/* ---- recorded streams (tests/data/events, JSON Lines) ---- */

struct fx_stream {
	struct rf_event *v;
	size_t n, cap;
	char **strs; /* every string the events point at */
	size_t n_strs, cap_strs;
	struct rf_proc **procs; /* every process snapshot */
	size_t n_procs;
	struct rf_hmap latest; /* tgid -> newest snapshot */
};

static inline const char *fx_keep(struct fx_stream *s, const char *str)
{
	if (!str)
		return NULL;
	if (s->n_strs == s->cap_strs) {
		s->cap_strs = s->cap_strs ? s->cap_strs * 2 : 1024;
		s->strs = realloc(s->strs, s->cap_strs * sizeof(char *));
		cr_assert(s->strs);
	}
	s->strs[s->n_strs] = strdup(str);
	cr_assert(s->strs[s->n_strs]);
	return s->strs[s->n_strs++];
}

static inline const char *fx_str(struct rf_doc *d, struct fy_node *map, const char *key)
{
	struct fy_node *n = rf_doc_get(d, map, key);
	const char *s = NULL;

	if (n)
		cr_assert_eq(rf_doc_str(d, n, key, &s, NULL), 0);
	return s;
}

static inline int64_t fx_int(struct rf_doc *d, struct fy_node *map, const char *key, int64_t dflt)
{
	struct fy_node *n = rf_doc_get(d, map, key);
	int64_t v = dflt;

	if (n)
		cr_assert_eq(rf_doc_i64(d, n, key, INT64_MIN, INT64_MAX, &v), 0);
	return v;
}

static inline bool fx_bool(struct rf_doc *d, struct fy_node *map, const char *key)
{
	struct fy_node *n = rf_doc_get(d, map, key);
	bool v = false;

	if (n)
		cr_assert_eq(rf_doc_bool(d, n, key, &v), 0);
	return v;
}

static inline void fx_proc(struct fx_stream *s, struct rf_doc *d, struct fy_node *pn)
{
	struct rf_proc *p = calloc(1, sizeof(*p));
	struct fy_node *argv = rf_doc_get(d, pn, "argv");
	const char *v;

	cr_assert(p);
	p->tgid = (pid_t)fx_int(d, pn, "tgid", 0);
	p->ppid = (pid_t)fx_int(d, pn, "ppid", 0);
	p->start_ns = (uint64_t)fx_int(d, pn, "start_ns", 0);
	(void)snprintf(p->comm, sizeof(p->comm), "%s", fx_str(d, pn, "comm") ?: "");
	p->exe = (v = fx_str(d, pn, "exe")) ? strdup(v) : NULL;
	p->cwd = (v = fx_str(d, pn, "cwd")) ? strdup(v) : NULL;
	if (argv)
		cr_assert_eq(rf_doc_strv(d, argv, "argv", 100000, &p->argv), 0);
	if (rf_doc_get(d, pn, "uid")) {
		p->ids_known = true;
		p->uid = (uint32_t)fx_int(d, pn, "uid", 0);
		p->euid = (uint32_t)fx_int(d, pn, "euid", 0);
		p->gid = (uint32_t)fx_int(d, pn, "gid", 0);
		p->egid = (uint32_t)fx_int(d, pn, "egid", 0);
	}
	(void)snprintf(p->container_id, sizeof(p->container_id), "%s",
		       fx_str(d, pn, "container_id") ?: "");
	(void)snprintf(p->pod_uid, sizeof(p->pod_uid), "%s", fx_str(d, pn, "pod_uid") ?: "");
	p->parent = rf_hmap_get_u64(&s->latest, (uint64_t)p->ppid);
	s->procs = realloc(s->procs, (s->n_procs + 1) * sizeof(*s->procs));
	cr_assert(s->procs);
	s->procs[s->n_procs++] = p;
	cr_assert(rf_hmap_put_u64(&s->latest, (uint64_t)p->tgid, p, NULL) >= 0);
}

static inline void fx_addr(struct fx_stream *s, struct rf_doc *d, struct fy_node *an,
			   struct rf_sockaddr *sa)
{
	const char *addr;

	if (!an)
		return;
	sa->family = (int)fx_int(d, an, "family", 0);
	sa->port = (uint16_t)fx_int(d, an, "port", 0);
	sa->unix_path = fx_keep(s, fx_str(d, an, "unix_path"));
	if ((addr = fx_str(d, an, "addr")))
		cr_assert_eq(inet_pton(sa->family, addr, sa->addr), 1);
}

static inline void fx_line(struct fx_stream *s, const char *line, size_t len, const char *src)
{
	static const char *const file_ops[] = { "",	 "open",  "exec",    "mmap", "unlink",
						"rmdir", "mkdir", "rename",  "link", "symlink",
						"chmod", "chown", "truncate" };
	_cleanup_error_ struct rf_error err = { 0 };
	struct rf_doc d = { 0 };
	struct fy_node *root, *n;
	struct rf_event ev = { 0 };
	const char *kind, *origin;

	cr_assert_eq(rf_doc_load(line, len, src, RF_DOC_JSON, 0, &d, &err), 0, "%s",
		     err.message ?: "");
	root = rf_doc_root(&d);
	kind = fx_str(&d, root, "kind");
	for (int k = 1; k < RF_EV_KIND_MAX; k++)
		if (streq(rf_event_kind_name(k), kind))
			ev.kind = k;
	cr_assert(ev.kind, "unknown kind %s", kind);
	ev.time_ns = (uint64_t)fx_int(&d, root, "time_ns", 0);
	ev.tgid = (pid_t)fx_int(&d, root, "tgid", 0);
	ev.tid = (pid_t)fx_int(&d, root, "tid", 0);
	ev.ppid = (pid_t)fx_int(&d, root, "ppid", 0);
	(void)snprintf(ev.comm, sizeof(ev.comm), "%s", fx_str(&d, root, "comm") ?: "");
	if ((origin = fx_str(&d, root, "origin"))) {
		ev.origin.arch = seccomp_arch_native();
		ev.origin.nr = seccomp_syscall_resolve_name_arch(ev.origin.arch, origin);
	}
	if ((n = rf_doc_get(&d, root, "proc")))
		fx_proc(s, &d, n);
	ev.proc = rf_hmap_get_u64(&s->latest, (uint64_t)ev.tgid);
	if ((n = rf_doc_get(&d, root, "exec"))) {
		ev.exec.path = fx_keep(s, fx_str(&d, n, "path"));
		ev.exec.argv = ev.proc ? ev.proc->argv : NULL;
		ev.exec.is_memfd = fx_bool(&d, n, "is_memfd");
	} else if ((n = rf_doc_get(&d, root, "fork"))) {
		ev.fork.child_tgid = (pid_t)fx_int(&d, n, "child_tgid", 0);
		ev.fork.child_tid = (pid_t)fx_int(&d, n, "child_tid", 0);
		ev.fork.thread = fx_bool(&d, n, "thread");
	} else if ((n = rf_doc_get(&d, root, "file"))) {
		const char *op = fx_str(&d, n, "op");

		for (size_t i = 1; i < ELEMENTSOF(file_ops); i++)
			if (streq(op, file_ops[i]))
				ev.file.op = (enum rf_file_op)i;
		ev.file.path = fx_keep(s, fx_str(&d, n, "path"));
		ev.file.path2 = fx_keep(s, fx_str(&d, n, "path2"));
		ev.file.access = (uint32_t)fx_int(&d, n, "access", 0);
		ev.file.flags = (int)fx_int(&d, n, "flags", -1);
		ev.file.mode = (uint32_t)fx_int(&d, n, "mode", 0);
		ev.file.has_ret = rf_doc_get(&d, n, "ret") != NULL;
		ev.file.ret = fx_int(&d, n, "ret", 0);
	} else if ((n = rf_doc_get(&d, root, "net"))) {
		ev.net.op = (enum rf_net_op)rf_net_op_from_name(fx_str(&d, n, "op"));
		ev.net.fd = (int)fx_int(&d, n, "fd", -1);
		ev.net.family = (int)fx_int(&d, n, "family", 0);
		ev.net.type = (int)fx_int(&d, n, "type", 0);
		ev.net.protocol = (int)fx_int(&d, n, "protocol", 0);
		fx_addr(s, &d, rf_doc_get(&d, n, "local"), &ev.net.local);
		fx_addr(s, &d, rf_doc_get(&d, n, "remote"), &ev.net.remote);
		ev.net.has_ret = rf_doc_get(&d, n, "ret") != NULL;
		ev.net.ret = fx_int(&d, n, "ret", 0);
	} else if ((n = rf_doc_get(&d, root, "fd"))) {
		ev.fd.oldfd = (int)fx_int(&d, n, "oldfd", 0);
		ev.fd.newfd = (int)fx_int(&d, n, "newfd", 0);
		ev.fd.old_is_socket = fx_bool(&d, n, "old_is_socket");
	} else if ((n = rf_doc_get(&d, root, "signal"))) {
		ev.signal.sig = (int)fx_int(&d, n, "sig", 0);
		ev.signal.target = (pid_t)fx_int(&d, n, "target", 0);
	} else if ((n = rf_doc_get(&d, root, "cred"))) {
		struct fy_node *ids = rf_doc_get(&d, n, "ids");
		void *it = NULL;
		int i = 0;

		ev.cred.op = (enum rf_cred_op)fx_int(&d, n, "op", 0);
		for (struct fy_node *x; ids && i < 3 && (x = fy_node_sequence_iterate(ids, &it));
		     i++)
			cr_assert_eq(rf_doc_i64(&d, x, "id", INT64_MIN, INT64_MAX, &ev.cred.ids[i]),
				     0);
	} else if ((n = rf_doc_get(&d, root, "mem"))) {
		ev.mem.op = (enum rf_memory_op)fx_int(&d, n, "op", 0);
		ev.mem.prot = (uint32_t)fx_int(&d, n, "prot", 0);
		ev.mem.name = fx_keep(s, fx_str(&d, n, "name"));
	} else if ((n = rf_doc_get(&d, root, "ns"))) {
		ev.ns.op = (enum rf_ns_op)fx_int(&d, n, "op", 0);
		ev.ns.flags = (uint64_t)fx_int(&d, n, "flags", 0);
		ev.ns.source = fx_keep(s, fx_str(&d, n, "source"));
		ev.ns.target = fx_keep(s, fx_str(&d, n, "target"));
		ev.ns.fstype = fx_keep(s, fx_str(&d, n, "fstype"));
	} else if ((n = rf_doc_get(&d, root, "ptrace"))) {
		ev.ptrace.op = (enum rf_ptrace_op)fx_int(&d, n, "op", 0);
		ev.ptrace.request = (long)fx_int(&d, n, "request", 0);
		ev.ptrace.target = (pid_t)fx_int(&d, n, "target", 0);
	} else if ((n = rf_doc_get(&d, root, "gap"))) {
		ev.gap.lost = (uint64_t)fx_int(&d, n, "lost", 0);
		ev.gap.where = "fixture";
	}
	rf_doc_done(&d);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		cr_assert(s->v);
	}
	s->v[s->n++] = ev;
}

static inline void fx_load(struct fx_stream *s, const char *rel)
{
	size_t len = 0;
	_cleanup_str_ char *text = read_fixture(rel, &len);
	char *line = text, *nl;

	*s = (struct fx_stream){ .latest = RF_HMAP_INIT_U64 };
	for (; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		fx_line(s, line, nl ? (size_t)(nl - line) : strlen(line), rel);
	}
}

static inline void fx_free(struct fx_stream *s)
{
	for (size_t i = 0; i < s->n_procs; i++)
		proc_free(s->procs[i]);
	free(s->procs);
	for (size_t i = 0; i < s->n_strs; i++)
		free(s->strs[i]);
	free(s->strs);
	free(s->v);
	rf_hmap_done(&s->latest, NULL);
}
