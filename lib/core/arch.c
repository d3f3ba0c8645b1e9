/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Arch naming on top of libseccomp's own arch list; see arch.h. The only table here maps
 * libseccomp's arch names to the Go names Docker profiles use, which libseccomp cannot know. */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "arch.h"
#include "macro.h"

struct arch_name {
	const char *seccomp; /* libseccomp's name, resolved with seccomp_arch_resolve_name */
	const char *oci;     /* runtime-spec spelling */
	const char *go;	     /* Docker includes/excludes spelling (Go's GOARCH, moby's extras) */
};

static const struct arch_name arch_names[] = {
	{ "x86_64", "SCMP_ARCH_X86_64", "amd64" },
	{ "x86", "SCMP_ARCH_X86", "x86" },
	{ "x32", "SCMP_ARCH_X32", "x32" },
	{ "aarch64", "SCMP_ARCH_AARCH64", "arm64" },
	{ "arm", "SCMP_ARCH_ARM", "arm" },
	{ "mips", "SCMP_ARCH_MIPS", "mips" },
	{ "mipsel", "SCMP_ARCH_MIPSEL", "mipsle" },
	{ "mips64", "SCMP_ARCH_MIPS64", "mips64" },
	{ "mipsel64", "SCMP_ARCH_MIPSEL64", "mips64le" },
	{ "mips64n32", "SCMP_ARCH_MIPS64N32", "mips64n32" },
	{ "mipsel64n32", "SCMP_ARCH_MIPSEL64N32", "mipsel64n32" },
	{ "parisc", "SCMP_ARCH_PARISC", NULL },
	{ "parisc64", "SCMP_ARCH_PARISC64", NULL },
	{ "ppc", "SCMP_ARCH_PPC", "ppc" },
	{ "ppc64", "SCMP_ARCH_PPC64", "ppc64" },
	{ "ppc64le", "SCMP_ARCH_PPC64LE", "ppc64le" },
	{ "s390", "SCMP_ARCH_S390", "s390" },
	{ "s390x", "SCMP_ARCH_S390X", "s390x" },
	{ "riscv64", "SCMP_ARCH_RISCV64", "riscv64" },
};

static const struct arch_name *find_token(uint32_t token)
{
	for (size_t i = 0; token && i < ELEMENTSOF(arch_names); i++)
		if (seccomp_arch_resolve_name(arch_names[i].seccomp) == token)
			return &arch_names[i];
	return NULL;
}

uint32_t rf_arch_from_name(const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(arch_names); i++) {
		const struct arch_name *a = &arch_names[i];
		if (streq(name, a->oci) || streq(name, a->seccomp) || (a->go && streq(name, a->go)))
			return seccomp_arch_resolve_name(a->seccomp);
	}
	if (streq(name, "386")) /* GOARCH spelling of x86 */
		return seccomp_arch_resolve_name("x86");
	return 0;
}

const char *rf_arch_oci_name(uint32_t token)
{
	const struct arch_name *a = find_token(token);
	return a ? a->oci : NULL;
}

const char *rf_arch_seccomp_name(uint32_t token)
{
	const struct arch_name *a = find_token(token);
	return a ? a->seccomp : NULL;
}

const char *rf_arch_go_name(uint32_t token)
{
	const struct arch_name *a = find_token(token);
	return a ? a->go : NULL;
}

uint32_t rf_arch_native(void)
{
	return seccomp_arch_native();
}

int rf_parse_kernel_version(const char *s, unsigned *ret_major, unsigned *ret_minor)
{
	unsigned long ma, mi = 0;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	ma = strtoul(s, &end, 10);
	if (errno || ma > 1000)
		return -EINVAL;
	if (*end == '.') {
		s = end + 1;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		mi = strtoul(s, &end, 10);
		if (errno || mi > 1000)
			return -EINVAL;
	}
	*ret_major = (unsigned)ma;
	*ret_minor = (unsigned)mi;
	return 0;
}

int rf_kernel_version(unsigned *ret_major, unsigned *ret_minor)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	return rf_parse_kernel_version(u.release, ret_major, ret_minor);
}
