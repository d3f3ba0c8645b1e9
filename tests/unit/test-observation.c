/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Observation aggregation, its JSON round trip and merge; the builder that turns it into a
 * profile; the union of profiles. Events are made by hand: (arch, nr) pairs from libseccomp. */
#include <seccomp.h>
#include <sys/mman.h>

#include "unit.h"
#include "ringfence/builder.h"
#include "ringfence/observation.h"
#include "ringfence/proc.h"

static int nr_of(const char *name, uint32_t arch)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	cr_assert(nr >= 0, "%s has no number on arch 0x%x", name, arch);
	return nr;
}

static void feed(struct rf_observation *o, uint32_t arch, const char *name, uint64_t a0,
		 uint64_t a1, uint64_t a2)
{
	static const struct rf_proc proc = { .tgid = 42, .exe = (char *)"/bin/x" };
	struct rf_event ev = { .kind = RF_EV_SYSCALL, .tgid = 42, .tid = 42, .proc = &proc };

	memcpy(ev.comm, "x", 2);
	ev.sc.id.arch = arch;
	ev.sc.id.nr = nr_of(name, arch);
	ev.sc.args_known = 0x3f;
	ev.sc.args[0] = a0;
	ev.sc.args[1] = a1;
	ev.sc.args[2] = a2;
	expect_i(rf_obs_add_event(&ev, o), 0);
}

static const struct rf_obs_syscall *find(const struct rf_observation *o, const char *name,
					 uint32_t arch)
{
	for (size_t i = 0; i < o->n_syscalls; i++)
		if (o->syscalls[i].arch == arch && o->syscalls[i].name &&
		    strcmp(o->syscalls[i].name, name) == 0)
			return &o->syscalls[i];
	return NULL;
}

static char *obs_to_string(const struct rf_observation *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	expect_i(rf_obs_write(o, f, NULL), 0);
	fclose(f);
	return buf;
}

static char *profile_to_string(const struct rf_profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	expect_i(rf_profile_write(p, RF_FORMAT_OCI, f, NULL), 0);
	fclose(f);
	return buf;
}

Test(observation, counts_and_first_seen_order)
{
	struct rf_observation *o = rf_obs_new();
	const struct rf_obs_syscall *w, *r;

	feed(o, SCMP_ARCH_X86_64, "write", 1, 0, 0);
	feed(o, SCMP_ARCH_X86_64, "read", 0, 0, 0);
	feed(o, SCMP_ARCH_X86_64, "write", 2, 0, 0);
	w = find(o, "write", SCMP_ARCH_X86_64);
	r = find(o, "read", SCMP_ARCH_X86_64);
	cr_assert(w && r);
	expect_u(w->count, 2);
	expect_u(w->first_seen, 1);
	expect_u(r->first_seen, 2);
	expect_str(w->first_comm, "x");
	expect_str(w->first_exe, "/bin/x");
	expect_i(w->first_pid, 42);
	rf_obs_free(o);
}

Test(observation, same_number_on_two_arches_is_two_syscalls)
{
	struct rf_observation *o = rf_obs_new();

	feed(o, SCMP_ARCH_X86_64, "getpid", 0, 0, 0);
	feed(o, SCMP_ARCH_X86, "getpid", 0, 0, 0);
	expect_u(o->n_syscalls, 2);
	cr_assert_not_null(find(o, "getpid", SCMP_ARCH_X86));
	rf_obs_free(o);
}

Test(observation, unknown_number_is_kept_unnamed)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_event ev = { .kind = RF_EV_SYSCALL, .sc.id = { SCMP_ARCH_X86_64, 4000 } };

	expect_i(rf_obs_add_event(&ev, o), 0);
	expect_u(o->n_syscalls, 1);
	cr_assert_null(o->syscalls[0].name);
	expect_u(o->unknown, 1);
	rf_obs_free(o);
}

Test(observation, tracks_multiplexer_arguments_and_overflows)
{
	struct rf_observation *o = rf_obs_new();
	const struct rf_obs_syscall *s;

	feed(o, SCMP_ARCH_X86_64, "socket", 2, 1, 0);
	feed(o, SCMP_ARCH_X86_64, "socket", 10, 1, 0);
	feed(o, SCMP_ARCH_X86_64, "socket", 2, 1, 0);
	s = find(o, "socket", SCMP_ARCH_X86_64);
	expect_i(s->args[0].index, 0);
	expect_u(s->args[0].n, 2);
	expect_i(s->args[1].index, 1);
	expect_u(s->args[1].n, 1);
	for (uint64_t v = 0; v < RF_OBS_MAX_ARG_VALUES + 1; v++)
		feed(o, SCMP_ARCH_X86_64, "ioctl", 0, 0x5400 + v, 0);
	s = find(o, "ioctl", SCMP_ARCH_X86_64);
	expect_i(s->args[0].index, 1);
	cr_assert(s->args[0].overflow, "ioctl values past the limit must overflow");
	rf_obs_free(o);
}

Test(observation, exec_paths_are_unique_in_order)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_event ev = { .kind = RF_EV_EXEC, .exec.path = "/bin/sh" };

	rf_obs_add_event(&ev, o);
	ev.exec.path = "/bin/ls";
	rf_obs_add_event(&ev, o);
	ev.exec.path = "/bin/sh";
	rf_obs_add_event(&ev, o);
	expect_u(strv_length(o->execs), 2);
	expect_str(o->execs[1], "/bin/ls");
	rf_obs_free(o);
}

Test(observation, json_round_trip_is_byte_identical)
{
	struct rf_observation *o = rf_obs_new(), *back = NULL;
	struct rf_error e = { 0 };
	char *a, *b;

	o->backend = strdup("ptrace");
	strv_extend(&o->command, "ls");
	feed(o, SCMP_ARCH_X86_64, "socket", 2, 1, 0);
	feed(o, SCMP_ARCH_X86, "read", 0, 0, 0);
	feed(o, SCMP_ARCH_X86_64, "mprotect", 0, 0, PROT_READ);
	a = obs_to_string(o);
	expect_i(rf_obs_parse(a, strlen(a), "a.json", &back, &e), 0);
	b = obs_to_string(back);
	expect_str(b, a);
	expect_contains(a, "\"schema\": \"ringfence.observation/v1\"");
	free(a);
	free(b);
	rf_obs_free(o);
	rf_obs_free(back);
	rf_error_clear(&e);
}

Test(observation, parse_rejects_other_documents)
{
	struct rf_observation *o = NULL;
	struct rf_error e = { 0 };
	const char *doc = "{\"schema\": \"ringfence.run-report/v1\"}";

	expect_i(rf_obs_parse(doc, strlen(doc), "r.json", &o, &e), -EINVAL);
	expect_contains(e.message, "not a ringfence.observation/v1 document");
	rf_error_clear(&e);
}

Test(observation, merge_adds_counts_and_support)
{
	struct rf_observation *a = rf_obs_new(), *b = rf_obs_new();
	const struct rf_obs_syscall *s;

	feed(a, SCMP_ARCH_X86_64, "read", 0, 0, 0);
	feed(b, SCMP_ARCH_X86_64, "read", 0, 0, 0);
	feed(b, SCMP_ARCH_X86_64, "socket", 10, 1, 0);
	feed(a, SCMP_ARCH_X86_64, "socket", 2, 1, 0);
	expect_i(rf_obs_merge(a, b), 0);
	expect_u(a->observations, 2);
	s = find(a, "read", SCMP_ARCH_X86_64);
	expect_u(s->support, 2);
	expect_u(s->count, 2);
	s = find(a, "socket", SCMP_ARCH_X86_64);
	expect_u(s->args[0].n, 2);
	rf_obs_free(a);
	rf_obs_free(b);
}

Test(builder, allow_list_sorted_with_native_and_seen_arches)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_profile *p = NULL;

	feed(o, SCMP_ARCH_X86_64, "write", 0, 0, 0);
	feed(o, SCMP_ARCH_X86, "read", 0, 0, 0);
	feed(o, SCMP_ARCH_X86_64, "exit_group", 0, 0, 0);
	expect_i(rf_profile_from_observation(o, NULL, &p, NULL), 0);
	expect_u(p->default_action, RF_ACT_ERRNO);
	expect_u(p->default_errno_ret, EPERM);
	expect_str(p->architectures[0], "SCMP_ARCH_X86_64");
	expect_str(p->architectures[1], "SCMP_ARCH_X86");
	expect_u(p->n_rules, 1);
	expect_str(p->rules[0].names[0], "exit_group");
	expect_str(p->rules[0].names[1], "read");
	expect_str(p->rules[0].names[2], "write");
	rf_profile_free(p);
	rf_obs_free(o);
}

Test(builder, default_errno_and_min_support)
{
	struct rf_observation *a = rf_obs_new(), *b = rf_obs_new();
	struct rf_build_opts opts = { .default_errno = ENOSYS, .min_support = 2 };
	struct rf_profile *p = NULL;

	feed(a, SCMP_ARCH_X86_64, "read", 0, 0, 0);
	feed(b, SCMP_ARCH_X86_64, "read", 0, 0, 0);
	feed(b, SCMP_ARCH_X86_64, "uname", 0, 0, 0);
	rf_obs_merge(a, b);
	expect_i(rf_profile_from_observation(a, &opts, &p, NULL), 0);
	expect_u(p->default_errno_ret, ENOSYS);
	expect_u(p->rules[0].n_names, 1);
	expect_str(p->rules[0].names[0], "read");
	rf_profile_free(p);
	rf_obs_free(a);
	rf_obs_free(b);
}

Test(builder, unknown_numbers_are_never_named)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_event ev = { .kind = RF_EV_SYSCALL, .sc.id = { SCMP_ARCH_X86_64, 4000 } };
	struct rf_profile *p = NULL;
	char *s;

	rf_obs_add_event(&ev, o);
	feed(o, SCMP_ARCH_X86_64, "read", 0, 0, 0);
	expect_i(rf_profile_from_observation(o, NULL, &p, NULL), 0);
	s = profile_to_string(p);
	cr_assert(!strstr(s, "4000"), "an unknown number must not appear: %s", s);
	expect_u(p->rules[0].n_names, 1);
	free(s);
	rf_profile_free(p);
	rf_obs_free(o);
}

Test(builder, args_one_rule_per_value_on_one_index)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_build_opts opts = { .args = true };
	struct rf_profile *p = NULL;
	unsigned socket_rules = 0;

	feed(o, SCMP_ARCH_X86_64, "read", 0, 0, 0);
	feed(o, SCMP_ARCH_X86_64, "socket", 2, 1, 0);
	feed(o, SCMP_ARCH_X86_64, "socket", 1, 2, 0);
	expect_i(rf_profile_from_observation(o, &opts, &p, NULL), 0);
	for (size_t i = 0; i < p->n_rules; i++) {
		if (!strv_contains(p->rules[i].names, "socket"))
			continue;
		socket_rules++;
		expect_u(p->rules[i].n_args, 1);
		expect_u(p->rules[i].args[0].index, 0);
		expect_u(p->rules[i].args[0].op, RF_CMP_EQ);
	}
	expect_u(socket_rules, 2);
	cr_assert(!strv_contains(p->rules[0].names, "socket"),
		  "socket must not be allowed plainly");
	rf_profile_free(p);
	rf_obs_free(o);
}

Test(builder, too_many_values_fall_back_to_name_only)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_build_opts opts = { .args = true };
	struct rf_profile *p = NULL;

	for (uint64_t v = 0; v < RF_BUILD_MAX_ARG_RULES + 1; v++)
		feed(o, SCMP_ARCH_X86_64, "prctl", v, 0, 0);
	expect_i(rf_profile_from_observation(o, &opts, &p, NULL), 0);
	expect_u(p->n_rules, 1);
	cr_assert(strv_contains(p->rules[0].names, "prctl"));
	cr_assert_not_null(p->rules[0].comment, "the fallback must be annotated");
	rf_profile_free(p);
	rf_obs_free(o);
}

Test(builder, wx_rule_only_without_exec_mappings)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_build_opts opts = { .args = true };
	struct rf_profile *p = NULL;
	bool wx = false;

	feed(o, SCMP_ARCH_X86_64, "mprotect", 0, 0, PROT_READ);
	feed(o, SCMP_ARCH_X86_64, "mmap", 0, 0, PROT_READ | PROT_EXEC);
	expect_i(rf_profile_from_observation(o, &opts, &p, NULL), 0);
	cr_assert(strv_contains(p->rules[0].names, "mmap"), "mmap saw PROT_EXEC: name-only");
	for (size_t i = 1; i < p->n_rules; i++)
		if (strv_contains(p->rules[i].names, "mprotect")) {
			expect_u(p->rules[i].args[0].op, RF_CMP_MASKED_EQ);
			expect_u(p->rules[i].args[0].value, PROT_EXEC);
			expect_u(p->rules[i].args[0].value_two, 0);
			wx = true;
		}
	cr_assert(wx, "mprotect never saw PROT_EXEC: it must get a W^X rule");
	rf_profile_free(p);
	rf_obs_free(o);
}

Test(builder, fast_set_is_always_allowed)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_profile *p = NULL;

	o->fast = true;
	strv_extend(&o->fast_syscalls, "futex");
	feed(o, SCMP_ARCH_X86_64, "exit_group", 0, 0, 0);
	expect_i(rf_profile_from_observation(o, NULL, &p, NULL), 0);
	cr_assert(strv_contains(p->rules[0].names, "futex"));
	rf_profile_free(p);
	rf_obs_free(o);
}

/* A container recording with the bootstrap cut where runc init made a call after the cut. */
static struct rf_observation *runc_recording(bool runc_after_cut)
{
	struct rf_observation *o = rf_obs_new();
	static const struct rf_proc proc = { .tgid = 7, .exe = (char *)"/usr/bin/runc" };
	struct rf_event ev = { .kind = RF_EV_SYSCALL, .tgid = 7, .tid = 7, .proc = &proc };

	strv_extend(&o->bootstrap, "x86_64:clone");
	memcpy(ev.comm, runc_after_cut ? "runc:[2:INIT]" : "sh", runc_after_cut ? 14 : 3);
	ev.sc.id.arch = SCMP_ARCH_X86_64;
	ev.sc.id.nr = nr_of("execve", SCMP_ARCH_X86_64);
	expect_i(rf_obs_add_event(&ev, o), 0);
	feed(o, SCMP_ARCH_X86_64, "exit_group", 0, 0, 0);
	return o;
}

static bool builds_with(struct rf_observation *o, enum rf_runtime_base base, const char *name)
{
	struct rf_build_opts bo = { .runtime_base = base };
	struct rf_profile *p = NULL;
	bool has;

	expect_i(rf_profile_from_observation(o, &bo, &p, NULL), 0);
	has = strv_contains(p->rules[0].names, name);
	rf_profile_free(p);
	return has;
}

Test(builder, runc_tail_added_when_runc_init_is_seen_after_the_cut)
{
	struct rf_observation *runc = runc_recording(true), *other = runc_recording(false);
	enum rf_runtime_base b;

	/* futex: Go's thread parking, in runc init's tail only sometimes (data/runc-tail.txt). */
	cr_assert(builds_with(runc, RF_RUNTIME_BASE_AUTO, "futex"));
	cr_assert(builds_with(runc, RF_RUNTIME_BASE_AUTO, "nanosleep"));
	cr_assert_not(builds_with(runc, RF_RUNTIME_BASE_NONE, "futex"));
	cr_assert_not(builds_with(other, RF_RUNTIME_BASE_AUTO, "futex"));
	cr_assert(builds_with(other, RF_RUNTIME_BASE_RUNC, "futex"));
	/* The comment lines of the data file never become names. */
	cr_assert_not(builds_with(other, RF_RUNTIME_BASE_RUNC, "Go"));
	expect_i(rf_runtime_base_from_string("runc", &b), 0);
	expect_i(b, RF_RUNTIME_BASE_RUNC);
	expect_i(rf_runtime_base_from_string("crun", &b), -EINVAL);
	rf_obs_free(runc);
	rf_obs_free(other);
}

Test(merge, union_of_allow_lists)
{
	const char *a = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\","
			"\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"socket\"],"
			"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2,\"op\":"
			"\"SCMP_CMP_EQ\"}]}]}";
	const char *b = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"close\","
			"\"socket\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	struct rf_profile *in[2] = { NULL, NULL }, *out = NULL;

	expect_i(rf_profile_parse(a, strlen(a), "a", &in[0], NULL), 0);
	expect_i(rf_profile_parse(b, strlen(b), "b", &in[1], NULL), 0);
	expect_i(rf_profile_merge(in, 2, &out, NULL), 0);
	expect_u(out->n_rules, 1); /* socket's conditional rule is shadowed by b's plain allow */
	expect_u(out->rules[0].n_names, 4);
	expect_str(out->rules[0].names[0], "close");
	expect_str(out->rules[0].names[2], "socket");
	rf_profile_free(in[0]);
	rf_profile_free(in[1]);
	rf_profile_free(out);
}

Test(merge, refuses_different_defaults)
{
	const char *a = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}";
	const char *b = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}";
	struct rf_profile *in[2] = { NULL, NULL }, *out = NULL;
	struct rf_error e = { 0 };

	rf_profile_parse(a, strlen(a), "a", &in[0], NULL);
	rf_profile_parse(b, strlen(b), "b", &in[1], NULL);
	expect_i(rf_profile_merge(in, 2, &out, &e), -EINVAL);
	expect_contains(e.message, "default action differs");
	rf_profile_free(in[0]);
	rf_profile_free(in[1]);
	rf_error_clear(&e);
}

Test(observation, unknown_argument_values_never_become_rules)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_event ev = { .kind = RF_EV_SYSCALL, .sc.args_known = 0x3e /* arg0 symbolic */ };
	struct rf_build_opts opts = { .args = true };
	struct rf_profile *p = NULL;

	ev.sc.id.arch = SCMP_ARCH_X86_64;
	ev.sc.id.nr = nr_of("socket", SCMP_ARCH_X86_64);
	expect_i(rf_obs_add_event(&ev, o), 0);
	cr_assert(o->syscalls[0].args[0].overflow, "an unknown family must poison the value set");
	expect_i(rf_profile_from_observation(o, &opts, &p, NULL), 0);
	expect_u(p->n_rules, 1);
	cr_assert(strv_contains(p->rules[0].names, "socket"), "socket stays name-only");
	rf_profile_free(p);
	rf_obs_free(o);
}
