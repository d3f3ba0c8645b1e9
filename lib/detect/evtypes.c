/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* evt.type: which syscall (or canonical name) an event stands for, as a small integer so the
 * index is an array lookup. Syscall numbers come from libseccomp for every architecture the
 * sources report; the only table here says which decoded event kind each syscall becomes, the
 * event contract of ringfence/event.h (the decoders in lib/source follow the same list). */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strv.h"
#include "detect-internal.h"

/* Syscalls the sources decode into a richer event kind: a rule naming one of these matches
 * that decoded event, never the raw RF_EV_SYSCALL of the same call (which would fire twice). */
static const struct {
	const char *name;
	uint32_t kinds;
} decoded[] = {
#define F RF_EV_BIT(RF_EV_FILE)
#define N RF_EV_BIT(RF_EV_NET)
	{ "open", F },
	{ "openat", F },
	{ "openat2", F },
	{ "creat", F },
	{ "unlink", F },
	{ "unlinkat", F },
	{ "rmdir", F },
	{ "mkdir", F },
	{ "mkdirat", F },
	{ "rename", F },
	{ "renameat", F },
	{ "renameat2", F },
	{ "link", F },
	{ "linkat", F },
	{ "symlink", F },
	{ "symlinkat", F },
	{ "chmod", F },
	{ "fchmodat", F },
	{ "fchmodat2", F },
	{ "fchmod", F },
	{ "chown", F },
	{ "lchown", F },
	{ "fchownat", F },
	{ "truncate", F },
	{ "socket", N },
	{ "connect", N },
	{ "bind", N },
	{ "listen", N },
	{ "accept", N },
	{ "accept4", N },
	{ "sendto", N },
	{ "sendmsg", N },
	{ "recvfrom", N },
	{ "recvmsg", N },
#undef F
#undef N
	{ "kill", RF_EV_BIT(RF_EV_SIGNAL) },
	{ "tkill", RF_EV_BIT(RF_EV_SIGNAL) },
	{ "tgkill", RF_EV_BIT(RF_EV_SIGNAL) },
	{ "ptrace", RF_EV_BIT(RF_EV_PTRACE) },
	{ "process_vm_writev", RF_EV_BIT(RF_EV_PTRACE) },
	{ "process_vm_readv", RF_EV_BIT(RF_EV_PTRACE) },
	{ "setuid", RF_EV_BIT(RF_EV_CRED) },
	{ "setgid", RF_EV_BIT(RF_EV_CRED) },
	{ "setreuid", RF_EV_BIT(RF_EV_CRED) },
	{ "setregid", RF_EV_BIT(RF_EV_CRED) },
	{ "setresuid", RF_EV_BIT(RF_EV_CRED) },
	{ "setresgid", RF_EV_BIT(RF_EV_CRED) },
	{ "setgroups", RF_EV_BIT(RF_EV_CRED) },
	{ "capset", RF_EV_BIT(RF_EV_CRED) },
	{ "mount", RF_EV_BIT(RF_EV_NAMESPACE) },
	{ "umount2", RF_EV_BIT(RF_EV_NAMESPACE) },
	{ "unshare", RF_EV_BIT(RF_EV_NAMESPACE) },
	{ "setns", RF_EV_BIT(RF_EV_NAMESPACE) },
	{ "pivot_root", RF_EV_BIT(RF_EV_NAMESPACE) },
	{ "chroot", RF_EV_BIT(RF_EV_NAMESPACE) },
	{ "init_module", RF_EV_BIT(RF_EV_MODULE) },
	{ "finit_module", RF_EV_BIT(RF_EV_MODULE) },
	{ "delete_module", RF_EV_BIT(RF_EV_MODULE) },
	{ "bpf", RF_EV_BIT(RF_EV_BPF) },
	{ "memfd_create", RF_EV_BIT(RF_EV_MEMORY) },
	{ "mmap", RF_EV_BIT(RF_EV_MEMORY) | RF_EV_BIT(RF_EV_FILE) },
	{ "mprotect", RF_EV_BIT(RF_EV_MEMORY) },
	{ "userfaultfd", RF_EV_BIT(RF_EV_MEMORY) },
	{ "dup2", RF_EV_BIT(RF_EV_FD) },
	{ "dup3", RF_EV_BIT(RF_EV_FD) },
	{ "execve", RF_EV_BIT(RF_EV_EXEC) },
	{ "execveat", RF_EV_BIT(RF_EV_EXEC) },
	{ "clone", RF_EV_BIT(RF_EV_FORK) },
	{ "clone3", RF_EV_BIT(RF_EV_FORK) },
	{ "fork", RF_EV_BIT(RF_EV_FORK) },
	{ "vfork", RF_EV_BIT(RF_EV_FORK) },
};

/* Names that are no syscall: what an event of that kind is called when no syscall made it. */
static const struct {
	const char *name;
	uint32_t kinds;
} canonical[] = {
	{ "procexit", RF_EV_BIT(RF_EV_EXIT) },
	{ "capable", RF_EV_BIT(RF_EV_CAPABILITY) },
	{ "gap", RF_EV_BIT(RF_EV_GAP) },
	{ "tcp_state", RF_EV_BIT(RF_EV_NET) },
};

/* The architectures events arrive with (the native one first). */
static uint32_t arches[8];
static size_t n_arches;

static void init_arches(void)
{
	static const char *const names[] = { "x86_64", "x86", "x32", "aarch64", "arm" };
	uint32_t native = seccomp_arch_native();

	if (n_arches)
		return;
	arches[n_arches++] = native;
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		uint32_t a = seccomp_arch_resolve_name(names[i]);

		if (a && a != native && n_arches < ELEMENTSOF(arches))
			arches[n_arches++] = a;
	}
}

static uint64_t nr_key(uint32_t arch, int32_t nr)
{
	return (uint64_t)arch << 32 | (uint32_t)nr;
}

bool evtypes_is_syscall(const char *name)
{
	init_arches();
	for (size_t i = 0; i < n_arches; i++)
		if (seccomp_syscall_resolve_name_arch(arches[i], name) >= 0)
			return true;
	return false;
}

uint32_t evtypes_producers(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(decoded); i++)
		if (streq(decoded[i].name, name))
			return decoded[i].kinds;
	for (size_t i = 0; i < ELEMENTSOF(canonical); i++)
		if (streq(canonical[i].name, name))
			return canonical[i].kinds;
	return evtypes_is_syscall(name) ? RF_EV_BIT(RF_EV_SYSCALL) : 0;
}

int evtypes_syscalls_of_kinds(uint32_t kinds, char ***names)
{
	for (size_t i = 0; i < ELEMENTSOF(decoded); i++)
		if ((decoded[i].kinds & kinds) && evtypes_is_syscall(decoded[i].name)) {
			int r = strv_extend_unique(names, decoded[i].name);

			if (r < 0)
				return r;
		}
	return 0;
}

static int add_name(struct evtypes *t, const char *name, uint32_t *ret)
{
	_cleanup_free_ char *copy = NULL;
	uint32_t id;
	int r;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **v = realloc(t->names, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->names = v;
		t->cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	id = (uint32_t)t->n;
	r = rf_hmap_put_str(&t->by_name, copy, (void *)(uintptr_t)(id + 1), NULL);
	if (r < 0)
		return r;
	t->names[t->n++] = TAKE_PTR(copy);
	/* Every number this name has on an architecture the sources report. */
	for (size_t i = 0; i < n_arches && id; i++) {
		int nr = seccomp_syscall_resolve_name_arch(arches[i], name);

		if (nr >= 0) {
			r = rf_hmap_put_u64(&t->by_nr, nr_key(arches[i], nr),
					    (void *)(uintptr_t)(id + 1), NULL);
			if (r < 0)
				return r;
		}
	}
	*ret = id;
	return 0;
}

int evtypes_init(struct evtypes *t)
{
	/* What an event without an origin is called, per kind and operation. */
	static const struct {
		enum rf_event_kind kind;
		int op;
		const char *name;
	} canon[] = {
		{ RF_EV_EXEC, 0, "execve" },
		{ RF_EV_FORK, 0, "clone" },
		{ RF_EV_EXIT, 0, "procexit" },
		{ RF_EV_CAPABILITY, 0, "capable" },
		{ RF_EV_GAP, 0, "gap" },
		{ RF_EV_FILE, RF_FILE_OPEN, "openat" },
		{ RF_EV_FILE, RF_FILE_EXEC, "execve" },
		{ RF_EV_FILE, RF_FILE_MMAP, "mmap" },
		{ RF_EV_FILE, RF_FILE_UNLINK, "unlinkat" },
		{ RF_EV_FILE, RF_FILE_RMDIR, "unlinkat" },
		{ RF_EV_FILE, RF_FILE_MKDIR, "mkdirat" },
		{ RF_EV_FILE, RF_FILE_RENAME, "renameat" },
		{ RF_EV_FILE, RF_FILE_LINK, "linkat" },
		{ RF_EV_FILE, RF_FILE_SYMLINK, "symlinkat" },
		{ RF_EV_FILE, RF_FILE_CHMOD, "fchmodat" },
		{ RF_EV_FILE, RF_FILE_CHOWN, "fchownat" },
		{ RF_EV_FILE, RF_FILE_TRUNCATE, "truncate" },
		{ RF_EV_NET, RF_NET_SOCKET, "socket" },
		{ RF_EV_NET, RF_NET_CONNECT, "connect" },
		{ RF_EV_NET, RF_NET_BIND, "bind" },
		{ RF_EV_NET, RF_NET_LISTEN, "listen" },
		{ RF_EV_NET, RF_NET_ACCEPT, "accept" },
		{ RF_EV_NET, RF_NET_SEND, "sendto" },
		{ RF_EV_NET, RF_NET_STATE, "tcp_state" },
		{ RF_EV_SIGNAL, 0, "kill" },
		{ RF_EV_PTRACE, RF_PTRACE_REQUEST, "ptrace" },
		{ RF_EV_PTRACE, RF_PTRACE_VM_WRITE, "process_vm_writev" },
		{ RF_EV_PTRACE, RF_PTRACE_VM_READ, "process_vm_readv" },
		{ RF_EV_PTRACE, RF_PTRACE_PROC_MEM_WRITE, "pwrite64" },
		{ RF_EV_CRED, RF_CRED_SETUID, "setresuid" },
		{ RF_EV_CRED, RF_CRED_SETGID, "setresgid" },
		{ RF_EV_CRED, RF_CRED_SETGROUPS, "setgroups" },
		{ RF_EV_CRED, RF_CRED_CAPSET, "capset" },
		{ RF_EV_NAMESPACE, RF_NS_MOUNT, "mount" },
		{ RF_EV_NAMESPACE, RF_NS_UMOUNT, "umount2" },
		{ RF_EV_NAMESPACE, RF_NS_UNSHARE, "unshare" },
		{ RF_EV_NAMESPACE, RF_NS_SETNS, "setns" },
		{ RF_EV_NAMESPACE, RF_NS_PIVOT_ROOT, "pivot_root" },
		{ RF_EV_NAMESPACE, RF_NS_CHROOT, "chroot" },
		{ RF_EV_MODULE, RF_MODULE_LOAD, "finit_module" },
		{ RF_EV_MODULE, RF_MODULE_UNLOAD, "delete_module" },
		{ RF_EV_BPF, 0, "bpf" },
		{ RF_EV_MEMORY, RF_MEM_WX_MAP, "mmap" },
		{ RF_EV_MEMORY, RF_MEM_WX_PROTECT, "mprotect" },
		{ RF_EV_MEMORY, RF_MEM_USERFAULTFD, "userfaultfd" },
		{ RF_EV_MEMORY, RF_MEM_MEMFD_CREATE, "memfd_create" },
		{ RF_EV_FD, 0, "dup2" },
	};
	uint32_t id;
	int r;

	init_arches();
	*t = (struct evtypes){ .by_name = RF_HMAP_INIT_STR, .by_nr = RF_HMAP_INIT_U64 };
	r = add_name(t, "", &id); /* id 0: every type no rule names */
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(canon); i++) {
		r = evtypes_intern(t, canon[i].name, &id);
		if (r < 0)
			return r;
		/* Kinds with a single name use op 0 for every op. */
		if (canon[i].op == 0)
			for (size_t op = 0; op < ELEMENTSOF(t->canon[0]); op++)
				t->canon[canon[i].kind][op] = id;
		else
			t->canon[canon[i].kind][canon[i].op] = id;
	}
	return 0;
}

void evtypes_done(struct evtypes *t)
{
	rf_hmap_done(&t->by_name, NULL);
	rf_hmap_done(&t->by_nr, NULL);
	for (size_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	*t = (struct evtypes){ 0 };
}

int evtypes_intern(struct evtypes *t, const char *name, uint32_t *ret)
{
	uintptr_t v = (uintptr_t)rf_hmap_get_str(&t->by_name, name);

	if (v) {
		*ret = (uint32_t)(v - 1);
		return 0;
	}
	if (!evtypes_producers(name))
		return -EINVAL;
	return add_name(t, name, ret);
}

uint32_t evtypes_of_event(const struct evtypes *t, const struct rf_event *ev)
{
	const struct rf_syscall_id *id = NULL;
	int op = 0;

	if (ev->origin.arch)
		id = &ev->origin;
	else if (ev->kind == RF_EV_SYSCALL || ev->kind == RF_EV_SYSCALL_TOTAL ||
		 ev->kind == RF_EV_ARGS)
		id = &ev->sc.id;
	if (id)
		return (uint32_t)((uintptr_t)rf_hmap_get_u64(&t->by_nr, nr_key(id->arch, id->nr))
					  ?: 1) -
		       1;
	if (ev->kind <= 0 || ev->kind >= RF_EV_KIND_MAX)
		return 0;
	switch (ev->kind) {
	case RF_EV_FILE: op = ev->file.op; break;
	case RF_EV_NET: op = ev->net.op; break;
	case RF_EV_PTRACE: op = ev->ptrace.op; break;
	case RF_EV_CRED: op = ev->cred.op; break;
	case RF_EV_NAMESPACE: op = ev->ns.op; break;
	case RF_EV_MODULE: op = ev->module.op; break;
	case RF_EV_MEMORY: op = ev->mem.op; break;
	default: break;
	}
	if (op < 0 || op >= (int)ELEMENTSOF(t->canon[0]))
		return 0;
	return t->canon[ev->kind][op];
}

const char *evtype_name(const struct evtypes *t, const struct rf_event *ev, char *buf, size_t size)
{
	const struct rf_syscall_id *id = NULL;
	char *name;

	if (ev->origin.arch)
		id = &ev->origin;
	else if (ev->kind == RF_EV_SYSCALL || ev->kind == RF_EV_SYSCALL_TOTAL ||
		 ev->kind == RF_EV_ARGS)
		id = &ev->sc.id;
	if (id) {
		name = seccomp_syscall_resolve_num_arch(id->arch, id->nr);
		(void)snprintf(buf, size, "%s", name ?: "unknown");
		free(name);
		return buf;
	}
	(void)snprintf(buf, size, "%s", t->names[evtypes_of_event(t, ev)]);
	return buf;
}
