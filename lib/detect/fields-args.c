/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The field table, part two: files (fd.*, fs.path.*, file.access), sockets (fd.sip ...,
 * net.*) and call arguments (evt.arg.*). Paths are normalised lexically once per event (".",
 * "..", "//"), so "/tmp/../etc/shadow" is "/etc/shadow" whatever the source resolved. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "core/macro.h"
#include "core/netnames.h"
#include "detect-internal.h"

#define K(kind) RF_EV_BIT(RF_EV_##kind)

static void set_str(struct rf_val *v, const char *s)
{
	v->s = s;
	v->len = strlen(s);
	v->nul = true;
}

ssize_t path_normalize(const char *path, const char *base, size_t base_len, char *buf, size_t size)
{
	size_t n = 1;

	if (size < 2)
		return -1;
	buf[0] = '/';
	for (int part = 0; part < 2; part++) {
		const char *s = part ? path : base;
		size_t len = part ? strlen(path) : base_len, i = 0;

		if (!part && (path[0] == '/' || !base))
			continue;
		while (i < len) {
			size_t start, clen;

			while (i < len && s[i] == '/')
				i++;
			start = i;
			while (i < len && s[i] != '/')
				i++;
			clen = i - start;
			if (clen == 0 || (clen == 1 && s[start] == '.'))
				continue;
			if (clen == 2 && s[start] == '.' && s[start + 1] == '.') {
				while (n > 1 && buf[n - 1] != '/')
					n--;
				if (n > 1)
					n--;
				continue;
			}
			if (n + 1 + clen >= size)
				return -1;
			if (n > 1)
				buf[n++] = '/';
			memcpy(buf + n, s + start, clen);
			n += clen;
		}
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

static bool two_paths(const struct rf_event *ev)
{
	return ev->file.op == RF_FILE_RENAME || ev->file.op == RF_FILE_LINK ||
	       ev->file.op == RF_FILE_SYMLINK;
}

/* Slot 0: the event's path (a symlink's text resolved against the link's directory);
 * slot 1: path2. NULL when the event has none. */
static int norm(struct eval_ctx *c, int slot, struct rf_val *v)
{
	const struct rf_event *ev = c->ev;
	const char *raw = slot ? ev->file.path2 : ev->file.path, *base = NULL;
	size_t base_len = 0;
	ssize_t n;

	if (ev->kind != RF_EV_FILE || !raw)
		return 0;
	if (c->path_gen[slot] != c->gen) {
		struct rf_val dir;

		c->path_gen[slot] = c->gen;
		c->path_ok[slot] = false;
		if (slot == 0 && ev->file.op == RF_FILE_SYMLINK && raw[0] != '/' &&
		    norm(c, 1, &dir)) {
			const char *slash = memrchr(dir.s, '/', dir.len);

			base = dir.s;
			base_len = slash ? (size_t)(slash - dir.s) : 0;
		}
		if (raw[0] != '/' && !base) {
			/* A path the source could not anchor stays as written. */
			n = (ssize_t)snprintf(c->path[slot], sizeof(c->path[slot]), "%s", raw);
			if (n >= (ssize_t)sizeof(c->path[slot]))
				n = -1;
		} else {
			n = path_normalize(raw, base, base_len, c->path[slot],
					   sizeof(c->path[slot]));
		}
		if (n < 0)
			return 0;
		c->path_len[slot] = (size_t)n;
		c->path_ok[slot] = true;
	}
	if (!c->path_ok[slot])
		return 0;
	v->s = c->path[slot];
	v->len = c->path_len[slot];
	v->nul = true;
	return 1;
}

static const struct rf_sockaddr *unix_addr(const struct rf_ev_net *n)
{
	if (n->remote.unix_path)
		return &n->remote;
	return n->local.unix_path ? &n->local : NULL;
}

static int get_fd_name(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_sockaddr *un;

	if (nth)
		return 0;
	if (c->ev->kind == RF_EV_NET) {
		if (!(un = unix_addr(&c->ev->net)))
			return 0;
		set_str(v, un->unix_path);
		return 1;
	}
	return c->ev->kind == RF_EV_FILE && norm(c, two_paths(c->ev) ? 1 : 0, v);
}

static int get_fd_dir(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const char *slash;

	if (!get_fd_name(c, r, nth, v) || v->s[0] != '/')
		return 0;
	slash = memrchr(v->s, '/', v->len);
	if (streq(r->f->name, "fd.filename")) {
		v->len -= (size_t)(slash + 1 - v->s);
		v->s = slash + 1;
	} else {
		v->len = slash == v->s ? 1 : (size_t)(slash - v->s);
		v->nul = v->len == strlen(v->s);
	}
	return 1;
}

static int get_fs_path(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const char *n = r->f->name;

	if (nth || c->ev->kind != RF_EV_FILE)
		return 0;
	if (streq(n, "fs.path.name"))
		return norm(c, two_paths(c->ev) ? 1 : 0, v);
	if (!two_paths(c->ev))
		return 0;
	return norm(c, streq(n, "fs.path.source") ? 0 : 1, v);
}

static int get_fd_num(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_event *ev = c->ev;

	if (nth)
		return 0;
	if (ev->kind == RF_EV_FILE && ev->file.op == RF_FILE_OPEN && ev->file.has_ret)
		v->i = ev->file.ret;
	else if (ev->kind == RF_EV_NET && ev->net.fd >= 0)
		v->i = ev->net.fd;
	else if (ev->kind == RF_EV_FD)
		v->i = ev->fd.newfd;
	else
		return 0;
	return 1;
}

static int sock_family(const struct rf_ev_net *n)
{
	return n->family ?: n->remote.family ?: n->local.family;
}

static int get_fd_type(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	bool typechar = streq(r->f->name, "fd.typechar");
	const struct rf_event *ev = c->ev;
	const char *t;

	if (nth)
		return 0;
	if (ev->kind == RF_EV_FILE) {
		t = ev->file.access & RF_ACC_DIR ? "directory" : "file";
	} else if (ev->kind == RF_EV_NET) {
		int fam = sock_family(&ev->net);

		t = fam == AF_INET	? "ipv4"
		    : fam == AF_INET6	? "ipv6"
		    : fam == AF_UNIX	? "unix"
		    : fam == AF_NETLINK ? "netlink"
					: "socket";
	} else if (ev->kind == RF_EV_FD && ev->fd.old_is_socket) {
		t = "socket";
	} else {
		return 0;
	}
	if (typechar) {
		/* Falco's letters: f d 4 6 u n, and s for a socket of unknown family. */
		static const char *const letters[][2] = {
			{ "file", "f" }, { "directory", "d" }, { "ipv4", "4" },	  { "ipv6", "6" },
			{ "unix", "u" }, { "netlink", "n" },   { "socket", "s" },
		};

		for (size_t i = 0; i < ELEMENTSOF(letters); i++)
			if (streq(letters[i][0], t))
				t = letters[i][1];
	}
	set_str(v, t);
	return 1;
}

/* Server and client ends: a connect or send goes to the server (remote); bind, listen and
 * accept are the server (local). */
static const struct rf_sockaddr *endpoint(const struct rf_ev_net *n, char which)
{
	bool outbound = n->op == RF_NET_CONNECT || n->op == RF_NET_SEND || n->op == RF_NET_STATE;

	switch (which) {
	case 's': return outbound ? &n->remote : &n->local;
	case 'c': return outbound ? &n->local : &n->remote;
	case 'l': return &n->local;
	default: return &n->remote; /* 'r', 'd' */
	}
}

static int get_ip_port(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const char *n = r->f->name + 3; /* "sip", "snet", "sport" ... */
	const struct rf_sockaddr *sa;

	if (nth || c->ev->kind != RF_EV_NET)
		return 0;
	sa = endpoint(&c->ev->net, n[0]);
	if (sa->family != AF_INET && sa->family != AF_INET6)
		return 0;
	if (r->f->type == FT_PORT) {
		v->i = sa->port;
		return sa->port != 0;
	}
	return rf_ip_from_family(sa->family, sa->addr, &v->ip) >= 0;
}

static int get_l4proto(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_ev_net *n = &c->ev->net;
	int fam;

	if (nth || c->ev->kind != RF_EV_NET)
		return 0;
	fam = sock_family(n);
	if (fam != AF_INET && fam != AF_INET6)
		return 0;
	if (n->protocol == IPPROTO_ICMP || n->protocol == IPPROTO_ICMPV6)
		set_str(v, "icmp");
	else if (n->type == SOCK_RAW)
		set_str(v, "raw");
	else if (n->type == SOCK_STREAM || n->protocol == IPPROTO_TCP)
		set_str(v, "tcp");
	else if (n->type == SOCK_DGRAM || n->protocol == IPPROTO_UDP)
		set_str(v, "udp");
	else
		return 0;
	return 1;
}

static int get_net_words(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_ev_net *n = &c->ev->net;
	const char *s = NULL;

	if (nth || c->ev->kind != RF_EV_NET)
		return 0;
	if (streq(r->f->name, "net.family") || streq(r->f->name, "fd.sockfamily")) {
		int fam = sock_family(n);

		s = r->f->name[0] == 'f' ? (fam == AF_INET || fam == AF_INET6 ? "ip"
					    : fam == AF_UNIX		      ? "unix"
									      : NULL)
					 : rf_af_name(fam);
	} else if (streq(r->f->name, "net.type")) {
		s = rf_socktype_name(n->type);
	} else {
		s = rf_net_op_name(n->op);
	}
	if (!s)
		return 0;
	set_str(v, s);
	return 1;
}

/* ---- file ---- */

static int get_file_access(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	if (nth || c->ev->kind != RF_EV_FILE)
		return 0;
	v->i = c->ev->file.access;
	return 1;
}

static int get_is_open(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_ev_file *f = &c->ev->file;
	const char *n = r->f->name + strlen("evt.is_open_");

	if (nth || c->ev->kind != RF_EV_FILE || f->op != RF_FILE_OPEN)
		return 0;
	v->i = streq(n, "read")	   ? !!(f->access & RF_ACC_READ)
	       : streq(n, "write") ? !!(f->access & (RF_ACC_WRITE | RF_ACC_APPEND | RF_ACC_CREATE))
				   : !!(f->access & RF_ACC_EXEC);
	return 1;
}

/* ---- arguments ---- */

static int get_arg(struct eval_ctx *c, const struct fref *r, unsigned nth, struct rf_val *v)
{
	const struct rf_event *ev = c->ev;
	const char *n = r->f->name + strlen("evt.arg."), *s = NULL;
	bool is_int = r->f->type != FT_STR;

	if (nth)
		return 0;
	switch (ev->kind) {
	case RF_EV_FILE:
		if (streq(n, "flags") && ev->file.op == RF_FILE_OPEN && ev->file.flags >= 0)
			v->i = (uint32_t)ev->file.flags;
		else if (streq(n, "mode") &&
			 (ev->file.op == RF_FILE_CHMOD ||
			  (ev->file.op == RF_FILE_OPEN && ev->file.access & RF_ACC_CREATE) ||
			  ev->file.op == RF_FILE_MKDIR))
			v->i = ev->file.mode;
		else if (streq(n, "oldpath") &&
			 (ev->file.op == RF_FILE_LINK || ev->file.op == RF_FILE_RENAME))
			s = ev->file.path;
		else if (streq(n, "newpath") &&
			 (ev->file.op == RF_FILE_LINK || ev->file.op == RF_FILE_RENAME))
			s = ev->file.path2;
		else if (streq(n, "target") && ev->file.op == RF_FILE_SYMLINK)
			s = ev->file.path;
		else if (streq(n, "linkpath") && ev->file.op == RF_FILE_SYMLINK)
			s = ev->file.path2;
		else
			return 0;
		break;
	case RF_EV_NAMESPACE:
		if (streq(n, "flags") || (streq(n, "nstype") && ev->ns.op == RF_NS_SETNS))
			v->i = (int64_t)ev->ns.flags;
		else if (streq(n, "dev"))
			s = ev->ns.source;
		else if (streq(n, "dir"))
			s = ev->ns.target;
		else if (streq(n, "type"))
			s = ev->ns.fstype;
		else
			return 0;
		break;
	case RF_EV_PTRACE:
		if (streq(n, "pid")) {
			v->i = ev->ptrace.target;
		} else if (streq(n, "request") && ev->ptrace.op == RF_PTRACE_REQUEST) {
			static const struct {
				long req;
				const char *name;
			} reqs[] = {
				{ PTRACE_TRACEME, "PTRACE_TRACEME" },
				{ PTRACE_PEEKTEXT, "PTRACE_PEEKTEXT" },
				{ PTRACE_PEEKDATA, "PTRACE_PEEKDATA" },
				{ PTRACE_PEEKUSER, "PTRACE_PEEKUSR" },
				{ PTRACE_POKETEXT, "PTRACE_POKETEXT" },
				{ PTRACE_POKEDATA, "PTRACE_POKEDATA" },
				{ PTRACE_POKEUSER, "PTRACE_POKEUSR" },
				{ PTRACE_CONT, "PTRACE_CONT" },
				{ PTRACE_KILL, "PTRACE_KILL" },
				{ PTRACE_SINGLESTEP, "PTRACE_SINGLESTEP" },
				{ PTRACE_GETREGS, "PTRACE_GETREGS" },
				{ PTRACE_SETREGS, "PTRACE_SETREGS" },
				{ PTRACE_ATTACH, "PTRACE_ATTACH" },
				{ PTRACE_DETACH, "PTRACE_DETACH" },
				{ PTRACE_SYSCALL, "PTRACE_SYSCALL" },
				{ PTRACE_SETOPTIONS, "PTRACE_SETOPTIONS" },
				{ PTRACE_GETREGSET, "PTRACE_GETREGSET" },
				{ PTRACE_SETREGSET, "PTRACE_SETREGSET" },
				{ PTRACE_SEIZE, "PTRACE_SEIZE" },
				{ PTRACE_INTERRUPT, "PTRACE_INTERRUPT" },
				{ PTRACE_LISTEN, "PTRACE_LISTEN" },
			};

			for (size_t i = 0; i < ELEMENTSOF(reqs); i++)
				if (reqs[i].req == ev->ptrace.request)
					s = reqs[i].name;
			if (!s) {
				(void)snprintf(c->tmp, sizeof(c->tmp), "%ld", ev->ptrace.request);
				s = c->tmp;
			}
		} else {
			return 0;
		}
		break;
	case RF_EV_SIGNAL:
		if (streq(n, "pid")) {
			v->i = ev->signal.target;
		} else if (streq(n, "sig")) {
			const char *abbrev = sigabbrev_np(ev->signal.sig);

			if (abbrev)
				(void)snprintf(c->tmp, sizeof(c->tmp), "SIG%s", abbrev);
			else
				(void)snprintf(c->tmp, sizeof(c->tmp), "%d", ev->signal.sig);
			s = c->tmp;
		} else {
			return 0;
		}
		break;
	case RF_EV_CRED: {
		bool uid = ev->cred.op == RF_CRED_SETUID, gid = ev->cred.op == RF_CRED_SETGID;
		/* The id the caller becomes: the effective one when it is changed. */
		int64_t id = ev->cred.ids[1] >= 0 ? ev->cred.ids[1] : ev->cred.ids[0];

		if ((streq(n, "uid") && uid) || (streq(n, "gid") && gid))
			v->i = id;
		else if (streq(n, "ruid") && uid)
			v->i = ev->cred.ids[0];
		else if (streq(n, "euid") && uid)
			v->i = ev->cred.ids[1];
		else if (streq(n, "suid") && uid)
			v->i = ev->cred.ids[2];
		else
			return 0;
		if (v->i < 0)
			return 0;
		break;
	}
	case RF_EV_MODULE:
	case RF_EV_MEMORY:
		if (streq(n, "name"))
			s = ev->kind == RF_EV_MODULE ? ev->module.name : ev->mem.name;
		else if (streq(n, "prot") && ev->kind == RF_EV_MEMORY)
			v->i = ev->mem.prot;
		else
			return 0;
		if (!is_int && !s)
			return 0;
		break;
	case RF_EV_BPF:
		if (streq(n, "cmd")) {
			static const struct {
				int cmd;
				const char *name;
			} cmds[] = {
				{ BPF_MAP_CREATE, "BPF_MAP_CREATE" },
				{ BPF_MAP_LOOKUP_ELEM, "BPF_MAP_LOOKUP_ELEM" },
				{ BPF_MAP_UPDATE_ELEM, "BPF_MAP_UPDATE_ELEM" },
				{ BPF_MAP_DELETE_ELEM, "BPF_MAP_DELETE_ELEM" },
				{ BPF_MAP_GET_NEXT_KEY, "BPF_MAP_GET_NEXT_KEY" },
				{ BPF_PROG_LOAD, "BPF_PROG_LOAD" },
				{ BPF_OBJ_PIN, "BPF_OBJ_PIN" },
				{ BPF_OBJ_GET, "BPF_OBJ_GET" },
				{ BPF_PROG_ATTACH, "BPF_PROG_ATTACH" },
				{ BPF_PROG_DETACH, "BPF_PROG_DETACH" },
				{ BPF_BTF_LOAD, "BPF_BTF_LOAD" },
				{ BPF_LINK_CREATE, "BPF_LINK_CREATE" },
				{ BPF_RAW_TRACEPOINT_OPEN, "BPF_RAW_TRACEPOINT_OPEN" },
			};

			for (size_t i = 0; i < ELEMENTSOF(cmds); i++)
				if (cmds[i].cmd == ev->bpf.cmd)
					s = cmds[i].name;
			if (!s) {
				(void)snprintf(c->tmp, sizeof(c->tmp), "%d", ev->bpf.cmd);
				s = c->tmp;
			}
		} else if (streq(n, "prog_type") && ev->bpf.cmd == BPF_PROG_LOAD) {
			v->i = ev->bpf.prog_type;
		} else {
			return 0;
		}
		break;
	case RF_EV_FD:
		if (streq(n, "oldfd"))
			v->i = ev->fd.oldfd;
		else if (streq(n, "newfd"))
			v->i = ev->fd.newfd;
		else
			return 0;
		break;
	case RF_EV_NET:
		if (streq(n, "domain"))
			s = rf_af_name(sock_family(&ev->net));
		else
			return 0;
		break;
	case RF_EV_GAP:
		if (streq(n, "lost"))
			v->i = (int64_t)ev->gap.lost;
		else
			return 0;
		break;
	default: return 0;
	}
	if (!is_int) {
		if (!s)
			return 0;
		set_str(v, s);
	}
	return 1;
}

static const struct flagname open_flags[] = {
	{ "O_RDONLY", O_ACCMODE, O_RDONLY, K(FILE) },
	{ "O_WRONLY", O_ACCMODE, O_WRONLY, K(FILE) },
	{ "O_RDWR", O_ACCMODE, O_RDWR, K(FILE) },
	{ "O_CREAT", O_CREAT, O_CREAT, K(FILE) },
	{ "O_EXCL", O_EXCL, O_EXCL, K(FILE) },
	{ "O_NOCTTY", O_NOCTTY, O_NOCTTY, K(FILE) },
	{ "O_TRUNC", O_TRUNC, O_TRUNC, K(FILE) },
	{ "O_APPEND", O_APPEND, O_APPEND, K(FILE) },
	{ "O_NONBLOCK", O_NONBLOCK, O_NONBLOCK, K(FILE) },
	{ "O_DSYNC", O_DSYNC, O_DSYNC, K(FILE) },
	{ "O_SYNC", O_SYNC, O_SYNC, K(FILE) },
	{ "O_DIRECTORY", O_DIRECTORY, O_DIRECTORY, K(FILE) },
	{ "O_NOFOLLOW", O_NOFOLLOW, O_NOFOLLOW, K(FILE) },
	{ "O_CLOEXEC", O_CLOEXEC, O_CLOEXEC, K(FILE) },
	{ "O_PATH", O_PATH, O_PATH, K(FILE) },
	{ "O_TMPFILE", O_TMPFILE, O_TMPFILE, K(FILE) },
	{ "O_NOATIME", O_NOATIME, O_NOATIME, K(FILE) },
	{ "O_DIRECT", O_DIRECT, O_DIRECT, K(FILE) },
	{ "CLONE_NEWNS", CLONE_NEWNS, CLONE_NEWNS, K(NAMESPACE) },
	{ "CLONE_NEWUTS", CLONE_NEWUTS, CLONE_NEWUTS, K(NAMESPACE) },
	{ "CLONE_NEWIPC", CLONE_NEWIPC, CLONE_NEWIPC, K(NAMESPACE) },
	{ "CLONE_NEWUSER", CLONE_NEWUSER, CLONE_NEWUSER, K(NAMESPACE) },
	{ "CLONE_NEWPID", CLONE_NEWPID, CLONE_NEWPID, K(NAMESPACE) },
	{ "CLONE_NEWNET", CLONE_NEWNET, CLONE_NEWNET, K(NAMESPACE) },
	{ "CLONE_NEWCGROUP", CLONE_NEWCGROUP, CLONE_NEWCGROUP, K(NAMESPACE) },
	{ "MS_RDONLY", MS_RDONLY, MS_RDONLY, K(NAMESPACE) },
	{ "MS_NOSUID", MS_NOSUID, MS_NOSUID, K(NAMESPACE) },
	{ "MS_NODEV", MS_NODEV, MS_NODEV, K(NAMESPACE) },
	{ "MS_NOEXEC", MS_NOEXEC, MS_NOEXEC, K(NAMESPACE) },
	{ "MS_REMOUNT", MS_REMOUNT, MS_REMOUNT, K(NAMESPACE) },
	{ "MS_BIND", MS_BIND, MS_BIND, K(NAMESPACE) },
	{ "MS_MOVE", MS_MOVE, MS_MOVE, K(NAMESPACE) },
	{ "MS_REC", MS_REC, MS_REC, K(NAMESPACE) },
	{ "MS_PRIVATE", MS_PRIVATE, MS_PRIVATE, K(NAMESPACE) },
	{ "MS_SHARED", MS_SHARED, MS_SHARED, K(NAMESPACE) },
	{ "MS_SLAVE", MS_SLAVE, MS_SLAVE, K(NAMESPACE) },
	{ NULL, 0, 0, 0 },
};

static const struct flagname mode_bits[] = {
	{ "S_ISUID", S_ISUID, S_ISUID, 0 },
	{ "S_ISGID", S_ISGID, S_ISGID, 0 },
	{ "S_ISVTX", S_ISVTX, S_ISVTX, 0 },
	{ "S_IRUSR", S_IRUSR, S_IRUSR, 0 },
	{ "S_IWUSR", S_IWUSR, S_IWUSR, 0 },
	{ "S_IXUSR", S_IXUSR, S_IXUSR, 0 },
	{ "S_IRGRP", S_IRGRP, S_IRGRP, 0 },
	{ "S_IWGRP", S_IWGRP, S_IWGRP, 0 },
	{ "S_IXGRP", S_IXGRP, S_IXGRP, 0 },
	{ "S_IROTH", S_IROTH, S_IROTH, 0 },
	{ "S_IWOTH", S_IWOTH, S_IWOTH, 0 },
	{ "S_IXOTH", S_IXOTH, S_IXOTH, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct flagname prot_bits[] = {
	{ "PROT_READ", PROT_READ, PROT_READ, 0 },
	{ "PROT_WRITE", PROT_WRITE, PROT_WRITE, 0 },
	{ "PROT_EXEC", PROT_EXEC, PROT_EXEC, 0 },
	{ NULL, 0, 0, 0 },
};

/* The words of netnames.h (observations and AppArmor use the same). */
static const struct flagname access_words[] = {
	{ "read", RF_ACC_READ, RF_ACC_READ, 0 },
	{ "write", RF_ACC_WRITE, RF_ACC_WRITE, 0 },
	{ "append", RF_ACC_APPEND, RF_ACC_APPEND, 0 },
	{ "create", RF_ACC_CREATE, RF_ACC_CREATE, 0 },
	{ "exec", RF_ACC_EXEC, RF_ACC_EXEC, 0 },
	{ "mmap-exec", RF_ACC_MMAP_EXEC, RF_ACC_MMAP_EXEC, 0 },
	{ "delete", RF_ACC_DELETE, RF_ACC_DELETE, 0 },
	{ "link", RF_ACC_LINK, RF_ACC_LINK, 0 },
	{ "lock", RF_ACC_LOCK, RF_ACC_LOCK, 0 },
	{ "chmod", RF_ACC_CHMOD, RF_ACC_CHMOD, 0 },
	{ "chown", RF_ACC_CHOWN, RF_ACC_CHOWN, 0 },
	{ "rename", RF_ACC_RENAME, RF_ACC_RENAME, 0 },
	{ "dir", RF_ACC_DIR, RF_ACC_DIR, 0 },
	{ NULL, 0, 0, 0 },
};

#define FILE_ K(FILE)
#define NET_  K(NET)
#define PATHS RF_FIELD_PATHS

const struct field rf_fields_args[] = {
	{ "fd.name", FT_STR, FILE_ | NET_, FF_PATH | FF_NO_IP_VALUE, PATHS, 0, get_fd_name, NULL,
	  "file path (normalised; the new name for rename/link/symlink), unix socket path" },
	{ "fd.directory", FT_STR, FILE_, FF_PATH, PATHS, 0, get_fd_dir, NULL, "" },
	{ "fd.filename", FT_STR, FILE_, FF_PATH, PATHS, 0, get_fd_dir, NULL, "" },
	{ "fs.path.name", FT_STR, FILE_, FF_PATH, PATHS, 0, get_fs_path, NULL, "" },
	{ "fs.path.source", FT_STR, FILE_, FF_PATH, PATHS, 0, get_fs_path, NULL,
	  "rename/link source, symlink target (resolved against the link's directory)" },
	{ "fs.path.target", FT_STR, FILE_, FF_PATH, PATHS, 0, get_fs_path, NULL,
	  "rename destination, new link" },
	{ "fd.num", FT_INT, FILE_ | NET_ | K(FD), 0, 0, 0, get_fd_num, NULL, "" },
	{ "fd.type", FT_STR, FILE_ | NET_ | K(FD), 0, 0, 0, get_fd_type, NULL, "" },
	{ "fd.typechar", FT_STR, FILE_ | NET_ | K(FD), 0, 0, 0, get_fd_type, NULL, "" },
	{ "fd.sip", FT_IP, NET_, 0, 0, 0, get_ip_port, NULL, "server address" },
	{ "fd.cip", FT_IP, NET_, 0, 0, 0, get_ip_port, NULL, "client address" },
	{ "fd.lip", FT_IP, NET_, 0, 0, 0, get_ip_port, NULL, "local address" },
	{ "fd.rip", FT_IP, NET_, 0, 0, 0, get_ip_port, NULL, "remote address" },
	{ "fd.dip", FT_IP, NET_, 0, 0, 0, get_ip_port, NULL, "destination (remote) address" },
	{ "fd.snet", FT_IP, NET_, 0, 0, 0, get_ip_port, NULL, "fd.sip, for CIDR values" },
	{ "fd.cnet", FT_IP, NET_, 0, 0, 0, get_ip_port, NULL, "fd.cip, for CIDR values" },
	{ "fd.lnet", FT_IP, NET_, 0, 0, 0, get_ip_port, NULL, "" },
	{ "fd.rnet", FT_IP, NET_, 0, 0, 0, get_ip_port, NULL, "" },
	{ "fd.sport", FT_PORT, NET_, 0, 0, 0, get_ip_port, NULL, "" },
	{ "fd.cport", FT_PORT, NET_, 0, 0, 0, get_ip_port, NULL, "" },
	{ "fd.lport", FT_PORT, NET_, 0, 0, 0, get_ip_port, NULL, "" },
	{ "fd.rport", FT_PORT, NET_, 0, 0, 0, get_ip_port, NULL, "" },
	{ "fd.dport", FT_PORT, NET_, 0, 0, 0, get_ip_port, NULL, "" },
	{ "fd.l4proto", FT_STR, NET_, 0, 0, 0, get_l4proto, NULL, "tcp, udp, icmp, raw" },
	{ "fd.sockfamily", FT_STR, NET_, 0, 0, 0, get_net_words, NULL, "ip, unix" },
	{ "net.family", FT_STR, NET_, 0, 0, 0, get_net_words, NULL,
	  "inet, inet6, unix, packet ..." },
	{ "net.type", FT_STR, NET_, 0, 0, 0, get_net_words, NULL, "stream, dgram, raw ..." },
	{ "net.op", FT_STR, NET_, 0, 0, 0, get_net_words, NULL, "socket, connect, bind ..." },
	{ "file.access", FT_FLAGS, FILE_, 0, 0, 0, get_file_access, access_words,
	  "read write append create exec mmap-exec delete link lock chmod chown rename dir" },
	{ "evt.is_open_read", FT_BOOL, FILE_, 0, 0, 0, get_is_open, NULL, "" },
	{ "evt.is_open_write", FT_BOOL, FILE_, 0, 0, 0, get_is_open, NULL, "" },
	{ "evt.is_open_exec", FT_BOOL, FILE_, 0, 0, 0, get_is_open, NULL, "" },
	{ "evt.arg.flags", FT_FLAGS, FILE_ | K(NAMESPACE), 0, RF_FIELD_ARGS, 0, get_arg, open_flags,
	  "open(2) flags; mount flags; unshare CLONE_NEW* flags" },
	{ "evt.arg.nstype", FT_FLAGS, K(NAMESPACE), 0, RF_FIELD_ARGS, 0, get_arg, open_flags, "" },
	{ "evt.arg.mode", FT_FLAGS, FILE_, 0, RF_FIELD_ARGS, 0, get_arg, mode_bits, "" },
	{ "evt.arg.oldpath", FT_STR, FILE_, FF_PATH, PATHS, 0, get_arg, NULL, "" },
	{ "evt.arg.newpath", FT_STR, FILE_, FF_PATH, PATHS, 0, get_arg, NULL, "" },
	{ "evt.arg.target", FT_STR, FILE_, FF_PATH, PATHS, 0, get_arg, NULL, "" },
	{ "evt.arg.linkpath", FT_STR, FILE_, FF_PATH, PATHS, 0, get_arg, NULL, "" },
	{ "evt.arg.dev", FT_STR, K(NAMESPACE), 0, 0, 0, get_arg, NULL, "mount source" },
	{ "evt.arg.dir", FT_STR, K(NAMESPACE), 0, 0, 0, get_arg, NULL, "mount/chroot target" },
	{ "evt.arg.type", FT_STR, K(NAMESPACE), 0, 0, 0, get_arg, NULL, "mount fstype" },
	{ "evt.arg.request", FT_STR, K(PTRACE), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "PTRACE_*" },
	{ "evt.arg.pid", FT_INT, K(PTRACE) | K(SIGNAL), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "" },
	{ "evt.arg.sig", FT_STR, K(SIGNAL), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "SIGKILL ..." },
	{ "evt.arg.uid", FT_INT, K(CRED), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "uid becoming" },
	{ "evt.arg.ruid", FT_INT, K(CRED), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "" },
	{ "evt.arg.euid", FT_INT, K(CRED), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "" },
	{ "evt.arg.suid", FT_INT, K(CRED), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "" },
	{ "evt.arg.gid", FT_INT, K(CRED), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "" },
	{ "evt.arg.name", FT_STR, K(MODULE) | K(MEMORY), 0, RF_FIELD_ARGS, 0, get_arg, NULL,
	  "module name or path; memfd name" },
	{ "evt.arg.prot", FT_FLAGS, K(MEMORY), 0, RF_FIELD_ARGS, 0, get_arg, prot_bits, "" },
	{ "evt.arg.cmd", FT_STR, K(BPF), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "BPF_PROG_LOAD ..." },
	{ "evt.arg.prog_type", FT_INT, K(BPF), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "" },
	{ "evt.arg.oldfd", FT_INT, K(FD), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "" },
	{ "evt.arg.newfd", FT_INT, K(FD), 0, RF_FIELD_ARGS, 0, get_arg, NULL, "" },
	{ "evt.arg.domain", FT_STR, NET_, 0, RF_FIELD_ARGS, 0, get_arg, NULL, "inet, packet ..." },
	{ "evt.arg.lost", FT_INT, K(GAP), 0, 0, 0, get_arg, NULL, "events lost" },
};

const size_t rf_fields_args_n = ELEMENTSOF(rf_fields_args);
