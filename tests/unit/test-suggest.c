/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability suggestions: eBPF checks (noise, refusals), inference from syscalls and their
 * arguments (data/cap-inference.txt), set-ID executables, and the YAML fragment. */
#include <linux/capability.h>
#include <seccomp.h>
#include <sys/stat.h>

#include "unit.h"
#include "core/macro.h"
#include "ringfence/observation.h"
#include "ringfence/suggest.h"

static void feed(struct rf_observation *o, const char *name, uint64_t a0, uint64_t a1)
{
	struct rf_event ev = { .kind = RF_EV_SYSCALL, .tgid = 42, .tid = 42 };

	ev.sc.id.arch = SCMP_ARCH_X86_64;
	ev.sc.id.nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
	cr_assert(ev.sc.id.nr >= 0);
	ev.sc.args_known = 0x3f;
	ev.sc.args[0] = a0;
	ev.sc.args[1] = a1;
	cr_assert_eq(rf_obs_add_event(&ev, o), 0);
}

static struct rf_caps_suggestion *suggest(struct rf_observation *o, const char *backend)
{
	struct rf_caps_suggestion *s = NULL;
	struct rf_error e = { 0 };

	o->backend = strdup(backend);
	cr_assert_eq(rf_caps_suggest(o, &s, &e), 0, "%s", e.message ?: "");
	return s;
}

#define BIT(c) (UINT64_C(1) << (c))

Test(suggest, ptrace_inference)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	_cleanup_(rf_caps_suggestion_freep) struct rf_caps_suggestion *s = NULL;
	_cleanup_free_ char *list = NULL;

	feed(o, "fchownat", 0, 0);
	feed(o, "socket", 2 /* AF_INET */, 3 | 0x80000 /* SOCK_RAW|SOCK_CLOEXEC */);
	feed(o, "bind", 3, 0);
	feed(o, "setresuid", 0, 0);
	feed(o, "unshare", 0x10000000 /* CLONE_NEWUSER only */, 0);
	feed(o, "kill", 1, 9);
	s = suggest(o, "ptrace");
	cr_assert(!s->from_events);
	cr_assert_eq(s->add, BIT(CAP_CHOWN) | BIT(CAP_NET_RAW) | BIT(CAP_SETUID));
	cr_assert_eq(s->possible, BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_KILL));
	cr_assert_eq(rf_caps_suggestion_add_list(s, &list), 0);
	cr_assert_str_eq(list, "CHOWN,SETUID,NET_RAW");
}

Test(suggest, namespace_flags_and_packet_sockets)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	_cleanup_(rf_caps_suggestion_freep) struct rf_caps_suggestion *s = NULL;

	feed(o, "unshare", 0x00020000 /* CLONE_NEWNS */, 0);
	feed(o, "socket", 17 /* AF_PACKET */, 2);
	feed(o, "socket", 1 /* AF_UNIX */, 1);
	s = suggest(o, "ptrace");
	cr_assert_eq(s->add, BIT(CAP_SYS_ADMIN) | BIT(CAP_NET_RAW));
}

Test(suggest, ebpf_noise_and_refusals)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	_cleanup_(rf_caps_suggestion_freep) struct rf_caps_suggestion *s = NULL;

	feed(o, "fchownat", 0, 0);
	o->caps_used = BIT(CAP_CHOWN) | BIT(CAP_SYS_ADMIN) | BIT(CAP_DAC_OVERRIDE);
	o->caps_refused = BIT(CAP_DAC_OVERRIDE) | BIT(CAP_SYS_NICE);
	s = suggest(o, "ebpf");
	cr_assert(s->from_events);
	cr_assert_eq(s->add, BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE), "SYS_ADMIN alone is noise");
	cr_assert_eq(s->ignored, BIT(CAP_SYS_ADMIN));
	cr_assert_eq(s->refused, BIT(CAP_SYS_NICE), "refused then granted is not a refusal");
}

Test(suggest, ebpf_sys_admin_corroborated)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	_cleanup_(rf_caps_suggestion_freep) struct rf_caps_suggestion *s = NULL;

	feed(o, "mount", 0, 0);
	o->caps_used = BIT(CAP_SYS_ADMIN);
	s = suggest(o, "ebpf");
	cr_assert_eq(s->add, BIT(CAP_SYS_ADMIN));
	cr_assert_eq(s->ignored, 0);
}

Test(suggest, setuid_exec_and_yaml)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	_cleanup_(rf_caps_suggestion_freep) struct rf_caps_suggestion *s = NULL;
	char path[] = "/tmp/rf-suggest-XXXXXX", *text = NULL;
	size_t len = 0;
	FILE *f;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	cr_assert_eq(fchmod(fd, 04755), 0);
	close(fd);
	cr_assert_eq(strv_extend(&o->execs, path), 0);
	s = suggest(o, "ebpf");
	unlink(path);
	cr_assert(s->escalation);
	cr_assert(strstr(s->escalation_why, "set-user-ID"));
	f = open_memstream(&text, &len);
	cr_assert_eq(rf_caps_suggestion_write_yaml(s, f), 0);
	fclose(f);
	cr_assert(strstr(text, "securityContext:\n  # "));
	cr_assert(strstr(text, "  allowPrivilegeEscalation: true\n"));
	cr_assert(strstr(text, "    drop:\n    - ALL\n    add: []\n"));
	cr_assert(strstr(text, "runAsNonRoot"));
	free(text);
}
