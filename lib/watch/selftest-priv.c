/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Selftest behaviours of the privilege and escape rules. Namespace changes and mounts stay in
 * namespaces the performer's child makes for itself and leaves with its exit; the module "load"
 * hands the kernel four bytes that are no module; the BPF program is `return 0` as a socket
 * filter attached nowhere; setuid(0) and userfaultfd are attempted as nobody. */
#include <errno.h>
#include <linux/bpf.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/macro.h"
#include "selftest-internal.h"

static int setuid_root(const struct st_ctx *c)
{
	(void)setuid(0); /* EPERM: the attempt is the behaviour */
	return 0;
}

static int setuid_self(const struct st_ctx *c)
{
	(void)setuid(getuid());
	return 0;
}

static int unshare_uts(const struct st_ctx *c)
{
	return unshare(CLONE_NEWUTS) < 0 ? 2 : 0;
}

static int private_mount(const struct st_ctx *c)
{
	char p[4096];

	if (unshare(CLONE_NEWNS) < 0)
		return 2;
	st_mark(c); /* the unshare is another rule's behaviour */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 2;
	if (mount("ringfence-selftest", st_path(c, p, sizeof(p), "mnt"), "tmpfs",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k") < 0)
		return 2;
	(void)umount2(p, MNT_DETACH);
	return 0;
}

static int module_load(const struct st_ctx *c)
{
	static const char not_a_module[4] = { 0x7f, 'E', 'L', 'F' };

	/* ENOSYS without module support, EPERM without CAP_SYS_MODULE, else ENOEXEC. */
	(void)syscall(SYS_init_module, not_a_module, sizeof(not_a_module), "");
	return 0;
}

static int uffd(const struct st_ctx *c)
{
	long fd = syscall(SYS_userfaultfd, 02000000 /* O_CLOEXEC */);

	if (fd >= 0)
		close((int)fd);
	return 0;
}

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int bpf_prog(const struct st_ctx *c)
{
	/* r0 = 0; exit */
	struct bpf_insn insns[2] = { { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
				     { .code = BPF_JMP | BPF_EXIT } };
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uint64_t)(uintptr_t) "GPL";
	fd = bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		close((int)fd);
	return 0;
}

static int bpf_map(const struct st_ctx *c)
{
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	fd = bpf(BPF_MAP_CREATE, &a);
	if (fd >= 0)
		close((int)fd);
	return 0;
}

#define A(w, f)                                                                                    \
	{                                                                                          \
		.what = w, .fn = f                                                                 \
	}

const struct st_behaviour st_priv[] = {
	{ "Non-sudo setuid to root",
	  { .what = "setuid(0) as nobody",
	    .as = "rf-selftest",
	    .needs = ST_UNPRIV,
	    .fn = setuid_root },
	  { .what = "setuid(own uid) as nobody",
	    .as = "rf-selftest",
	    .needs = ST_UNPRIV,
	    .fn = setuid_self },
	  "refused (EPERM): the attempt is what the rule sees" },
	{ "Namespace change in container",
	  { .what = "unshare(CLONE_NEWUTS) in the container",
	    .as = "rf-selftest",
	    .needs = ST_CONTAINER,
	    .fn = unshare_uts },
	  { .what = "unshare(CLONE_NEWUTS) on the host", .needs = ST_ROOT, .fn = unshare_uts },
	  NULL },
	{ "Mount in container",
	  { .what = "mount a tmpfs on <dir>/mnt in a private mount namespace, in the container",
	    .as = "rf-selftest",
	    .needs = ST_CONTAINER,
	    .fn = private_mount },
	  { .what = "the same on the host", .needs = ST_ROOT, .fn = private_mount },
	  NULL },
	{ "Kernel module loaded",
	  A("init_module with 4 bytes that are no module", module_load),
	  { .what = "modprobe calls init_module the same way",
	    .as = "modprobe",
	    .fn = module_load },
	  "the kernel refuses it (ENOSYS without module support, else EPERM or ENOEXEC): the "
	  "attempt is what the rule sees",
	  "init_module" },
	{ "Userfaultfd by unprivileged user",
	  { .what = "userfaultfd as nobody", .as = "rf-selftest", .needs = ST_UNPRIV, .fn = uffd },
	  { .what = "userfaultfd as root", .needs = ST_ROOT, .fn = uffd },
	  NULL },
	{ "BPF program loaded",
	  A("bpf(BPF_PROG_LOAD) of a 2-instruction socket filter, attached nowhere", bpf_prog),
	  A("bpf(BPF_MAP_CREATE) of a 1-entry array", bpf_map), NULL },
};
const size_t st_priv_n = ELEMENTSOF(st_priv);
