/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* event-dump: records a command with the ptrace source and writes every decoded event as one
 * JSON line, the fixtures of tests/data/events/ (read back by tests/unit/events.h). Raw
 * per-call RF_EV_SYSCALL events are left out (no default rule reads them; they would make the
 * fixtures enormous). A process's identity is written when it first appears and after each
 * fork or exec, not on every event.
 *   usage: event-dump OUT.jsonl [--container ID] -- CMD [ARG...]
 * --container stamps every process with a container id, to replay a host recording as a
 * container's. */
#include <arpa/inet.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/ipset.h"
#include "core/json-writer.h"
#include "core/netnames.h"
#include "ringfence/proc.h"
#include "ringfence/record.h"
#include "ringfence/sink.h"

struct dump {
	FILE *out;
	const char *container;
	struct rf_hmap seen; /* tgid -> 1 once its identity was written since its last change */
	unsigned long events;
};

static const char *const file_ops[] = {
	[RF_FILE_OPEN] = "open",     [RF_FILE_EXEC] = "exec",	[RF_FILE_MMAP] = "mmap",
	[RF_FILE_UNLINK] = "unlink", [RF_FILE_RMDIR] = "rmdir", [RF_FILE_MKDIR] = "mkdir",
	[RF_FILE_RENAME] = "rename", [RF_FILE_LINK] = "link",	[RF_FILE_SYMLINK] = "symlink",
	[RF_FILE_CHMOD] = "chmod",   [RF_FILE_CHOWN] = "chown", [RF_FILE_TRUNCATE] = "truncate",
};

static void str_field(struct rf_json *j, const char *name, const char *s)
{
	if (s)
		rf_json_string_field(j, name, s);
}

static void proc_obj(struct rf_json *j, const struct rf_proc *p, const char *container)
{
	rf_json_name(j, "proc");
	rf_json_start_object(j);
	rf_json_int_field(j, "tgid", p->tgid);
	rf_json_int_field(j, "ppid", p->ppid);
	rf_json_uint_field(j, "start_ns", p->start_ns);
	rf_json_string_field(j, "comm", p->comm);
	str_field(j, "exe", p->exe);
	if (p->argv) {
		rf_json_name(j, "argv");
		rf_json_start_array(j);
		for (char **a = p->argv; *a; a++)
			rf_json_string(j, *a);
		rf_json_end_array(j);
	}
	str_field(j, "cwd", p->cwd);
	if (p->ids_known) {
		rf_json_uint_field(j, "uid", p->uid);
		rf_json_uint_field(j, "euid", p->euid);
		rf_json_uint_field(j, "gid", p->gid);
		rf_json_uint_field(j, "egid", p->egid);
	}
	rf_json_string_field(j, "container_id", container ?: p->container_id);
	rf_json_string_field(j, "pod_uid", p->pod_uid);
	rf_json_end_object(j);
}

static void addr_obj(struct rf_json *j, const char *name, const struct rf_sockaddr *sa)
{
	char buf[64];
	struct rf_ip ip;

	if (!sa->family)
		return;
	rf_json_name(j, name);
	rf_json_start_object(j);
	rf_json_int_field(j, "family", sa->family);
	if (sa->family == AF_INET || sa->family == AF_INET6) {
		if (sa->family == AF_INET) {
			uint32_t a;

			memcpy(&a, sa->addr, 4);
			rf_ip_from_v4(ntohl(a), &ip);
		} else {
			memcpy(ip.b, sa->addr, 16);
		}
		rf_json_string_field(j, "addr", rf_ip_format(&ip, buf, sizeof(buf)));
		rf_json_uint_field(j, "port", sa->port);
	}
	str_field(j, "unix_path", sa->unix_path);
	rf_json_end_object(j);
}

static int on_event(const struct rf_event *ev, void *self)
{
	struct dump *d = self;
	struct rf_json j;
	char *name;

	if (ev->kind == RF_EV_SYSCALL || ev->kind == RF_EV_SYSCALL_TOTAL || ev->kind == RF_EV_ARGS)
		return 0;
	d->events++;
	rf_json_init(&j, d->out, false);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "kind", rf_event_kind_name(ev->kind));
	rf_json_uint_field(&j, "time_ns", ev->time_ns);
	rf_json_int_field(&j, "tgid", ev->tgid);
	rf_json_int_field(&j, "tid", ev->tid);
	rf_json_int_field(&j, "ppid", ev->ppid);
	rf_json_string_field(&j, "comm", ev->comm);
	if (ev->origin.arch &&
	    (name = seccomp_syscall_resolve_num_arch(ev->origin.arch, ev->origin.nr))) {
		rf_json_string_field(&j, "origin", name);
		free(name);
	}
	if (ev->proc &&
	    (!rf_hmap_get_u64(&d->seen, (uint64_t)ev->tgid) || ev->kind == RF_EV_EXEC)) {
		proc_obj(&j, ev->proc, d->container);
		(void)rf_hmap_put_u64(&d->seen, (uint64_t)ev->tgid, (void *)1, NULL);
	}
	switch (ev->kind) {
	case RF_EV_EXEC:
		rf_json_name(&j, "exec");
		rf_json_start_object(&j);
		str_field(&j, "path", ev->exec.path);
		rf_json_bool_field(&j, "is_memfd", ev->exec.is_memfd);
		rf_json_end_object(&j);
		break;
	case RF_EV_FORK:
		rf_json_name(&j, "fork");
		rf_json_start_object(&j);
		rf_json_int_field(&j, "child_tgid", ev->fork.child_tgid);
		rf_json_int_field(&j, "child_tid", ev->fork.child_tid);
		rf_json_bool_field(&j, "thread", ev->fork.thread);
		rf_json_end_object(&j);
		/* The child's identity comes with its first own event. */
		(void)rf_hmap_remove_u64(&d->seen, (uint64_t)ev->fork.child_tgid);
		break;
	case RF_EV_EXIT:
		if (ev->exit.group_dead)
			(void)rf_hmap_remove_u64(&d->seen, (uint64_t)ev->tgid);
		break;
	case RF_EV_FILE:
		rf_json_name(&j, "file");
		rf_json_start_object(&j);
		rf_json_string_field(&j, "op", file_ops[ev->file.op]);
		str_field(&j, "path", ev->file.path);
		str_field(&j, "path2", ev->file.path2);
		rf_json_uint_field(&j, "access", ev->file.access);
		rf_json_int_field(&j, "flags", ev->file.flags);
		rf_json_uint_field(&j, "mode", ev->file.mode);
		if (ev->file.has_ret)
			rf_json_int_field(&j, "ret", ev->file.ret);
		rf_json_end_object(&j);
		break;
	case RF_EV_NET:
		rf_json_name(&j, "net");
		rf_json_start_object(&j);
		rf_json_string_field(&j, "op", rf_net_op_name(ev->net.op) ?: "?");
		rf_json_int_field(&j, "fd", ev->net.fd);
		rf_json_int_field(&j, "family", ev->net.family);
		rf_json_int_field(&j, "type", ev->net.type);
		rf_json_int_field(&j, "protocol", ev->net.protocol);
		addr_obj(&j, "local", &ev->net.local);
		addr_obj(&j, "remote", &ev->net.remote);
		if (ev->net.has_ret)
			rf_json_int_field(&j, "ret", ev->net.ret);
		rf_json_end_object(&j);
		break;
	case RF_EV_SIGNAL:
		rf_json_name(&j, "signal");
		rf_json_start_object(&j);
		rf_json_int_field(&j, "sig", ev->signal.sig);
		rf_json_int_field(&j, "target", ev->signal.target);
		rf_json_end_object(&j);
		break;
	case RF_EV_FD:
		rf_json_name(&j, "fd");
		rf_json_start_object(&j);
		rf_json_int_field(&j, "oldfd", ev->fd.oldfd);
		rf_json_int_field(&j, "newfd", ev->fd.newfd);
		rf_json_bool_field(&j, "old_is_socket", ev->fd.old_is_socket);
		rf_json_end_object(&j);
		break;
	case RF_EV_MEMORY:
		rf_json_name(&j, "mem");
		rf_json_start_object(&j);
		rf_json_int_field(&j, "op", ev->mem.op);
		rf_json_uint_field(&j, "prot", ev->mem.prot);
		str_field(&j, "name", ev->mem.name);
		rf_json_end_object(&j);
		break;
	case RF_EV_CRED:
		rf_json_name(&j, "cred");
		rf_json_start_object(&j);
		rf_json_int_field(&j, "op", ev->cred.op);
		rf_json_name(&j, "ids");
		rf_json_start_array(&j);
		for (int i = 0; i < 3; i++)
			rf_json_int(&j, ev->cred.ids[i]);
		rf_json_end_array(&j);
		rf_json_end_object(&j);
		break;
	case RF_EV_NAMESPACE:
		rf_json_name(&j, "ns");
		rf_json_start_object(&j);
		rf_json_int_field(&j, "op", ev->ns.op);
		rf_json_uint_field(&j, "flags", ev->ns.flags);
		str_field(&j, "source", ev->ns.source);
		str_field(&j, "target", ev->ns.target);
		str_field(&j, "fstype", ev->ns.fstype);
		rf_json_end_object(&j);
		break;
	case RF_EV_PTRACE:
		rf_json_name(&j, "ptrace");
		rf_json_start_object(&j);
		rf_json_int_field(&j, "op", ev->ptrace.op);
		rf_json_int_field(&j, "request", ev->ptrace.request);
		rf_json_int_field(&j, "target", ev->ptrace.target);
		rf_json_end_object(&j);
		break;
	case RF_EV_GAP:
		rf_json_name(&j, "gap");
		rf_json_start_object(&j);
		rf_json_uint_field(&j, "lost", ev->gap.lost);
		rf_json_end_object(&j);
		break;
	default: break;
	}
	rf_json_end_object(&j);
	rf_json_finish(&j);
	return ferror(d->out) ? -EIO : 0;
}

int main(int argc, char **argv)
{
	static const struct rf_source_info *src;
	struct dump d = { .seen = RF_HMAP_INIT_U64 };
	struct rf_record_opts ro = { .backend = RF_BACKEND_PTRACE, .stop_fd = -1 };
	struct rf_record_result res = { 0 };
	struct rf_sinks sinks = { 0 };
	struct rf_sink k = { .name = "event-dump", .on_event = on_event, .self = &d };
	struct rf_error e = { 0 };
	int i = 2, r;

	if (argc < 4) {
		fprintf(stderr, "usage: event-dump OUT.jsonl [--container ID] -- CMD [ARG...]\n");
		return 2;
	}
	if (!strcmp(argv[i], "--container")) {
		d.container = argv[i + 1];
		i += 2;
	}
	if (i >= argc || strcmp(argv[i], "--")) {
		fprintf(stderr, "event-dump: expected -- CMD\n");
		return 2;
	}
	d.out = fopen(argv[1], "we");
	if (!d.out) {
		perror(argv[1]);
		return 1;
	}
	ro.argv = argv + i + 1;
	(void)src;
	(void)rf_sinks_add(&sinks, &k);
	r = rf_record(&ro, &sinks, &res, &e);
	if (r < 0)
		fprintf(stderr, "event-dump: %s\n", e.message ?: strerror(-r));
	fclose(d.out);
	fprintf(stderr, "event-dump: %lu events\n", d.events);
	rf_hmap_done(&d.seen, NULL);
	rf_error_clear(&e);
	return r < 0 ? 1 : 0;
}
