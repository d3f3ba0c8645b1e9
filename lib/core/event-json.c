/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One event as a JSON object (`watch --dump-events`, test fixtures, a finding's triggering
 * event): the header, the process as the table knows it, and the kind's payload, with names
 * instead of numbers where the event model has them. */
#include <arpa/inet.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "event-json.h"
#include "macro.h"
#include "netnames.h"
#include "ringfence/proc.h"

static void sockaddr(struct rf_json *j, const char *name, const struct rf_sockaddr *sa)
{
	char buf[64];

	if (!sa->family)
		return;
	rf_json_name(j, name);
	rf_json_start_object(j);
	rf_json_string_field(j, "family", rf_af_name(sa->family) ?: "unknown");
	if (sa->family == AF_INET || sa->family == AF_INET6) {
		if (inet_ntop(sa->family, sa->addr, buf, sizeof(buf)))
			rf_json_string_field(j, "addr", buf);
		rf_json_uint_field(j, "port", sa->port);
	}
	if (sa->unix_path)
		rf_json_string_field(j, "path", sa->unix_path);
	rf_json_end_object(j);
}

static void access_words(struct rf_json *j, uint32_t bits)
{
	rf_json_name(j, "access");
	rf_json_start_array(j);
	for (uint32_t b = 1; b; b <<= 1)
		if ((bits & b) && rf_file_access_name(b))
			rf_json_string(j, rf_file_access_name(b));
	rf_json_end_array(j);
}

static void strv_field(struct rf_json *j, const char *name, char *const *v)
{
	rf_json_name(j, name);
	rf_json_start_array(j);
	for (; v && *v; v++)
		rf_json_string(j, *v);
	rf_json_end_array(j);
}

void rf_proc_write_json(struct rf_json *j, const struct rf_proc *p)
{
	rf_json_start_object(j);
	rf_json_int_field(j, "pid", p->tgid);
	rf_json_int_field(j, "ppid", p->ppid);
	rf_json_string_field(j, "comm", p->comm);
	rf_json_string_field(j, "exe", p->exe);
	strv_field(j, "argv", p->argv);
	if (p->ids_known) {
		rf_json_uint_field(j, "uid", p->uid);
		rf_json_uint_field(j, "euid", p->euid);
	}
	if (p->container_id[0])
		rf_json_string_field(j, "container_id", p->container_id);
	if (p->pod_uid[0])
		rf_json_string_field(j, "pod_uid", p->pod_uid);
	rf_json_end_object(j);
}

static void payload(struct rf_json *j, const struct rf_event *ev)
{
	_cleanup_free_ char *name = NULL;

	switch (ev->kind) {
	case RF_EV_SYSCALL:
	case RF_EV_SYSCALL_TOTAL:
	case RF_EV_ARGS:
		name = seccomp_syscall_resolve_num_arch(ev->sc.id.arch, ev->sc.id.nr);
		rf_json_string_field(j, "syscall", name);
		rf_json_int_field(j, "nr", ev->sc.id.nr);
		if (ev->kind == RF_EV_SYSCALL_TOTAL)
			rf_json_uint_field(j, "count", ev->sc.count);
		if (ev->sc.args_known) {
			rf_json_name(j, "args");
			rf_json_start_array(j);
			for (int i = 0; i < 6; i++)
				if (ev->sc.args_known & (1u << i))
					rf_json_hex(j, ev->sc.args[i]);
				else
					rf_json_null(j);
			rf_json_end_array(j);
		}
		if (ev->sc.has_ret)
			rf_json_int_field(j, "ret", ev->sc.ret);
		if (ev->sc.has_verdict) {
			rf_json_name(j, "verdict");
			rf_json_hex(j, ev->sc.verdict);
		}
		break;
	case RF_EV_EXEC:
		rf_json_string_field(j, "path", ev->exec.path);
		strv_field(j, "argv", ev->exec.argv);
		rf_json_bool_field(j, "memfd", ev->exec.is_memfd);
		rf_json_bool_field(j, "upper_layer", ev->exec.upper_layer);
		break;
	case RF_EV_FORK:
		rf_json_int_field(j, "child_pid", ev->fork.child_tgid);
		rf_json_int_field(j, "child_tid", ev->fork.child_tid);
		rf_json_bool_field(j, "thread", ev->fork.thread);
		break;
	case RF_EV_EXIT:
		if (ev->exit.has_status)
			rf_json_int_field(j, "status", ev->exit.status);
		rf_json_bool_field(j, "group_dead", ev->exit.group_dead);
		break;
	case RF_EV_CAPABILITY:
		rf_json_int_field(j, "cap", ev->cap.cap);
		rf_json_bool_field(j, "granted", ev->cap.granted);
		break;
	case RF_EV_FILE:
		rf_json_int_field(j, "op", ev->file.op);
		rf_json_string_field(j, "path", ev->file.path);
		if (ev->file.path2)
			rf_json_string_field(j, "path2", ev->file.path2);
		access_words(j, ev->file.access);
		if (ev->file.flags >= 0) {
			rf_json_name(j, "flags");
			rf_json_hex(j, (uint64_t)(unsigned)ev->file.flags);
		}
		if (ev->file.has_ret)
			rf_json_int_field(j, "ret", ev->file.ret);
		break;
	case RF_EV_NET:
		rf_json_string_field(j, "op", rf_net_op_name(ev->net.op) ?: "unknown");
		if (ev->net.family)
			rf_json_string_field(j, "family", rf_af_name(ev->net.family) ?: "unknown");
		if (ev->net.type)
			rf_json_string_field(j, "type",
					     rf_socktype_name(ev->net.type) ?: "unknown");
		sockaddr(j, "local", &ev->net.local);
		sockaddr(j, "remote", &ev->net.remote);
		if (ev->net.has_ret)
			rf_json_int_field(j, "ret", ev->net.ret);
		if (ev->net.data)
			rf_json_uint_field(j, "data_bytes", ev->net.data_len);
		break;
	case RF_EV_SIGNAL:
		rf_json_string_field(j, "signal", sigabbrev_np(ev->signal.sig) ?: "unknown");
		rf_json_int_field(j, "target", ev->signal.target);
		break;
	case RF_EV_PTRACE:
		rf_json_int_field(j, "op", ev->ptrace.op);
		rf_json_int_field(j, "request", ev->ptrace.request);
		rf_json_int_field(j, "target", ev->ptrace.target);
		break;
	case RF_EV_CRED:
		rf_json_int_field(j, "op", ev->cred.op);
		rf_json_name(j, "ids");
		rf_json_start_array(j);
		for (int i = 0; i < 3; i++)
			rf_json_int(j, ev->cred.ids[i]);
		rf_json_end_array(j);
		break;
	case RF_EV_NAMESPACE:
		rf_json_int_field(j, "op", ev->ns.op);
		rf_json_name(j, "flags");
		rf_json_hex(j, ev->ns.flags);
		rf_json_string_field(j, "source", ev->ns.source);
		rf_json_string_field(j, "target", ev->ns.target);
		break;
	case RF_EV_MODULE:
		rf_json_int_field(j, "op", ev->module.op);
		rf_json_string_field(j, "name", ev->module.name);
		break;
	case RF_EV_BPF:
		rf_json_int_field(j, "cmd", ev->bpf.cmd);
		rf_json_uint_field(j, "prog_type", ev->bpf.prog_type);
		break;
	case RF_EV_MEMORY:
		rf_json_int_field(j, "op", ev->mem.op);
		rf_json_name(j, "prot");
		rf_json_hex(j, ev->mem.prot);
		if (ev->mem.name)
			rf_json_string_field(j, "name", ev->mem.name);
		break;
	case RF_EV_FD:
		rf_json_int_field(j, "oldfd", ev->fd.oldfd);
		rf_json_int_field(j, "newfd", ev->fd.newfd);
		rf_json_bool_field(j, "old_is_socket", ev->fd.old_is_socket);
		break;
	case RF_EV_GAP:
		rf_json_uint_field(j, "lost", ev->gap.lost);
		rf_json_string_field(j, "where", ev->gap.where);
		break;
	default: break;
	}
}

void rf_event_write_json(struct rf_json *j, const struct rf_event *ev)
{
	_cleanup_free_ char *origin = NULL;

	rf_json_start_object(j);
	rf_json_string_field(j, "kind", rf_event_kind_name(ev->kind));
	rf_json_uint_field(j, "time_ns", ev->time_ns);
	rf_json_int_field(j, "pid", ev->tgid);
	rf_json_int_field(j, "tid", ev->tid);
	rf_json_int_field(j, "ppid", ev->ppid);
	rf_json_string_field(j, "comm", ev->comm);
	if (ev->cgroup_id)
		rf_json_uint_field(j, "cgroup_id", ev->cgroup_id);
	if (ev->origin.arch &&
	    (origin = seccomp_syscall_resolve_num_arch(ev->origin.arch, ev->origin.nr)))
		rf_json_string_field(j, "origin", origin);
	if (ev->bootstrap)
		rf_json_bool_field(j, "bootstrap", true);
	if (ev->proc) {
		rf_json_name(j, "proc");
		rf_proc_write_json(j, ev->proc);
	}
	payload(j, ev);
	rf_json_end_object(j);
}
