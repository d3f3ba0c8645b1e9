/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* runc's -ENOSYS stub, so `run` judges like runc does: when the default action denies, a syscall
 * numbered above every syscall the profile names (per architecture) fails with ENOSYS instead of
 * the default. Newer syscalls than the profile's author knew then look "not implemented", and
 * libc falls back to older ones (clone3 → clone, statx → fstatat, faccessat2 → faccessat) rather
 * than failing with EPERM. The stub is prepended to libseccomp's program; that program re-reads
 * the arch itself, so the two compose. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/filter.h"

#define X32_SYSCALL_BIT 0x40000000u
#define MAX_ARCHES	24

struct insn {
	uint16_t code;
	uint32_t k;
	int jt, jf; /* labels (-1 = next instruction) */
};

enum { L_END = 1000, L_ENOSYS = 1001 };

struct stub {
	struct insn v[4 * MAX_ARCHES + 8];
	int label_pc[MAX_ARCHES * 4 + 2]; /* block labels */
	size_t n;
};

static void emit(struct stub *s, uint16_t code, uint32_t k, int jt, int jf)
{
	s->v[s->n++] = (struct insn){ code, k, jt, jf };
}

/* Runc's rule for when the stub applies (patchbpf.generatePatch). */
static bool stub_applies(const struct rf_profile *p)
{
	switch (p->default_action) {
	case RF_ACT_ALLOW:
	case RF_ACT_LOG:
	case RF_ACT_TRACE: /* a tracer is expected to handle new syscalls itself */ return false;
	case RF_ACT_ERRNO: return !(p->has_default_errno_ret && p->default_errno_ret == ENOSYS);
	default: return true;
	}
}

static int64_t last_syscall(const struct rf_profile *p, uint32_t arch)
{
	int64_t max = -1;

	for (size_t i = 0; i < p->n_rules; i++)
		STRV_FOREACH(n, p->rules[i].names) {
			int nr = seccomp_syscall_resolve_name_arch(arch, *n);
			if (nr >= 0 && nr > max)
				max = nr;
		}
	return max;
}

static int collect_arches(const struct rf_profile *p, uint32_t *out, size_t *n)
{
	uint32_t native = rf_arch_native();

	out[(*n)++] = native;
	STRV_FOREACH(a, p->architectures) {
		uint32_t t = rf_arch_from_name(*a);
		bool dup = false;

		for (size_t i = 0; i < *n; i++)
			dup |= out[i] == t;
		if (!t || dup)
			continue;
		if (*n >= MAX_ARCHES)
			return -E2BIG;
		out[(*n)++] = t;
	}
	return 0;
}

static int build_stub(const struct rf_profile *p, uint32_t deny, struct stub *s)
{
	uint32_t arches[MAX_ARCHES];
	size_t na = 0;
	bool has_x32 = false;
	int r, label = 0;

	r = collect_arches(p, arches, &na);
	if (r < 0)
		return r;
	for (size_t i = 0; i < na; i++)
		has_x32 |= arches[i] == SCMP_ARCH_X32;
	emit(s, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), -1, -1);
	for (size_t i = 0; i < na; i++) {
		int64_t max = last_syscall(p, arches[i]), max32;

		if (arches[i] == SCMP_ARCH_X32 || max < 0)
			continue; /* x32 is checked under x86_64's audit arch */
		/* jeq arch → body (next), else → next block (label) */
		emit(s, BPF_JMP | BPF_JEQ | BPF_K, arches[i], -1, label);
		emit(s, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), -1, -1);
		if (arches[i] == SCMP_ARCH_X86_64 && has_x32) {
			max32 = last_syscall(p, SCMP_ARCH_X32);
			emit(s, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, label + 1, -1);
			emit(s, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)max, L_ENOSYS, L_END);
			s->label_pc[label + 1] = (int)s->n;
			if (max32 >= 0)
				emit(s, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)max32, L_ENOSYS,
				     L_END);
			else
				emit(s, BPF_JMP | BPF_JA, 0, L_END, L_END);
		} else {
			emit(s, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)max, L_ENOSYS, L_END);
		}
		s->label_pc[label] = (int)s->n;
		label += 2;
	}
	emit(s, BPF_JMP | BPF_JA, 0, L_END, L_END);
	emit(s, BPF_RET | BPF_K, deny, -1, -1);
	return 0;
}

static int resolve(const struct stub *s, size_t pc, int label, uint32_t *off)
{
	int target;

	if (label == -1)
		return (*off = 0), 0;
	if (label == L_END)
		target = (int)s->n;
	else if (label == L_ENOSYS)
		target = (int)s->n - 1;
	else
		target = s->label_pc[label];
	if (target <= (int)pc || target - (int)pc - 1 > 255)
		return -EINVAL;
	*off = (uint32_t)(target - (int)pc - 1);
	return 0;
}

int rf_filter_program(const struct rf_profile *p, scmp_filter_ctx ctx, enum rf_filter_mode mode,
		      struct sock_filter **ret, size_t *ret_n, struct rf_error *reterr)
{
	_cleanup_free_ struct sock_filter *body = NULL, *out = NULL;
	struct stub s = { .n = 0 };
	uint32_t deny =
		mode == RF_FILTER_ENFORCE ? SECCOMP_RET_ERRNO | ENOSYS : SECCOMP_RET_USER_NOTIF;
	size_t nbody = 0;
	int r;

	r = rf_filter_export(ctx, &body, &nbody, reterr);
	if (r < 0)
		return r;
	if (stub_applies(p) && (r = build_stub(p, deny, &s)) < 0)
		return rf_error_set(reterr, r, "cannot build the ENOSYS stub: %s", strerror(-r));
	if (s.n + nbody > BPF_MAXINSNS)
		return rf_error_set(reterr, -E2BIG,
				    "the filter has %zu instructions; the kernel "
				    "accepts %d",
				    s.n + nbody, BPF_MAXINSNS);
	out = calloc(s.n + nbody, sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < s.n; i++) {
		uint32_t jt = 0, jf = 0, k = s.v[i].k;

		if (BPF_CLASS(s.v[i].code) == BPF_JMP) {
			bool ja = BPF_OP(s.v[i].code) == BPF_JA;
			if (resolve(&s, i, s.v[i].jt, ja ? &k : &jt) < 0 ||
			    (!ja && resolve(&s, i, s.v[i].jf, &jf) < 0))
				return rf_error_set(reterr, -EINVAL,
						    "ENOSYS stub jump out of range");
		}
		out[i] = (struct sock_filter){ s.v[i].code, (uint8_t)jt, (uint8_t)jf, k };
	}
	memcpy(out + s.n, body, nbody * sizeof(*body));
	*ret_n = s.n + nbody;
	*ret = TAKE_PTR(out);
	return 0;
}
