/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A classic-BPF interpreter for seccomp programs, with the kernel's checks (seccomp_check_filter
 * subset): the listener uses it to know what the original profile would have done with a
 * notified syscall, and tests use it to check filters without loading them. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ringfence/filter.h"

#define SIM_MAX_INSNS 4096 /* BPF_MAXINSNS: the kernel's own limit */

static int load_word(const struct seccomp_data *d, uint32_t off, uint32_t *ret)
{
	if (off % 4 != 0 || off + 4 > sizeof(*d))
		return -EINVAL;
	memcpy(ret, (const char *)d + off, 4);
	return 0;
}

static int alu(uint16_t code, uint32_t *a, uint32_t v)
{
	switch (BPF_OP(code)) {
	case BPF_ADD: *a += v; return 0;
	case BPF_SUB: *a -= v; return 0;
	case BPF_MUL: *a *= v; return 0;
	case BPF_DIV:
		if (!v)
			return -EINVAL;
		*a /= v;
		return 0;
	case BPF_MOD:
		if (!v)
			return -EINVAL;
		*a %= v;
		return 0;
	case BPF_OR: *a |= v; return 0;
	case BPF_AND: *a &= v; return 0;
	case BPF_XOR: *a ^= v; return 0;
	case BPF_LSH: *a = v < 32 ? *a << v : 0; return 0;
	case BPF_RSH: *a = v < 32 ? *a >> v : 0; return 0;
	case BPF_NEG: *a = -*a; return 0;
	default: return -EINVAL;
	}
}

static int jump(uint16_t code, uint32_t a, uint32_t v, bool *ret)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ: *ret = a == v; return 0;
	case BPF_JGT: *ret = a > v; return 0;
	case BPF_JGE: *ret = a >= v; return 0;
	case BPF_JSET: *ret = (a & v) != 0; return 0;
	default: return -EINVAL;
	}
}

int64_t rf_bpf_sim_run(const struct sock_filter *prog, size_t n, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	size_t pc = 0;

	if (!prog || n == 0 || n > SIM_MAX_INSNS)
		return -EINVAL;
	while (pc < n) {
		const struct sock_filter *f = &prog[pc++];
		uint32_t v;
		bool taken;
		int r;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
				if (load_word(d, f->k, &a) < 0)
					return -EINVAL;
			} else if (f->code == (BPF_LD | BPF_W | BPF_LEN)) {
				a = sizeof(*d);
			} else if (f->code == (BPF_LD | BPF_IMM)) {
				a = f->k;
			} else if (f->code == (BPF_LD | BPF_MEM) && f->k < BPF_MEMWORDS) {
				a = mem[f->k];
			} else {
				return -EINVAL;
			}
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_W | BPF_LEN))
				x = sizeof(*d);
			else if (f->code == (BPF_LDX | BPF_IMM))
				x = f->k;
			else if (f->code == (BPF_LDX | BPF_MEM) && f->k < BPF_MEMWORDS)
				x = mem[f->k];
			else
				return -EINVAL;
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return -EINVAL;
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			v = BPF_SRC(f->code) == BPF_X ? x : f->k;
			if (alu(f->code, &a, v) < 0)
				return -EINVAL;
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				if (f->k >= n - pc)
					return -EINVAL;
				pc += f->k;
				break;
			}
			v = BPF_SRC(f->code) == BPF_X ? x : f->k;
			r = jump(f->code, a, v, &taken);
			if (r < 0)
				return r;
			if ((taken ? f->jt : f->jf) >= n - pc)
				return -EINVAL;
			pc += taken ? f->jt : f->jf;
			break;
		case BPF_RET: return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default: return -EINVAL;
		}
	}
	return -EINVAL; /* fell off the end: the kernel rejects such programs */
}
