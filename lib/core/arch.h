/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Architecture naming: SCMP_ARCH_* (OCI), libseccomp names ("x86_64") and Docker/Go names
 * ("amd64") mapped onto libseccomp's arch tokens. Syscall identity is (token, nr). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Token for "SCMP_ARCH_X86_64", "x86_64" or "amd64"; 0 when unknown to this libseccomp. */
uint32_t rf_arch_from_name(const char *name);
/* "SCMP_ARCH_X86_64" for a token, NULL when unknown. Static storage. */
const char *rf_arch_oci_name(uint32_t token);
/* "x86_64" for a token, NULL when unknown. Static storage. */
const char *rf_arch_seccomp_name(uint32_t token);
/* The Docker/Go name ("amd64") for a token, NULL when none. */
const char *rf_arch_go_name(uint32_t token);
uint32_t rf_arch_native(void);

/* Kernel release of this machine as major.minor. */
int rf_kernel_version(unsigned *ret_major, unsigned *ret_minor);
/* Parse "4.8" or "5.10.3-foo"; returns -EINVAL on junk. */
int rf_parse_kernel_version(const char *s, unsigned *ret_major, unsigned *ret_minor);
