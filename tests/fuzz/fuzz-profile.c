/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the profile parser: any byte string goes through rf_profile_parse_all, and
 * every profile that parses is then linted, resolved, written in every format and compiled to a
 * libseccomp filter, so the whole path a hostile file takes through `ringfence` is covered. */
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/error.h"
#include "ringfence/filter.h"
#include "ringfence/log.h"
#include "ringfence/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A fixed machine so a run does not depend on where it happens: x86_64, kernel 5.10 and a
 * container's default capability set, as Docker would resolve the profile. */
static const char *const fuzz_caps[] = { "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
					 "CAP_KILL",  "CAP_SETUID",	  "CAP_NET_BIND_SERVICE",
					 NULL };

static void drop_log(enum rf_log_level level, const char *msg, void *userdata)
{
	(void)level;
	(void)msg;
	(void)userdata;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rf_log_set_handler(drop_log, NULL);
	return 0;
}

/* Writes `p` in `fmt` to a memory stream; the text is thrown away, only crashes matter. */
static void write_to_memory(const struct rf_profile *p, enum rf_profile_format fmt)
{
	struct rf_error e = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	(void)rf_profile_write(p, fmt, f, &e);
	fclose(f);
	free(buf);
	rf_error_clear(&e);
}

static void build_filter(const struct rf_profile *p, enum rf_filter_mode mode)
{
	struct rf_error e = { 0 };
	scmp_filter_ctx ctx = NULL;

	if (rf_filter_build(p, mode, &ctx, &e) >= 0)
		seccomp_release(ctx);
	rf_error_clear(&e);
}

static void exercise(const struct rf_profile *p)
{
	const struct rf_resolve_env env = {
		.native_arch = SCMP_ARCH_X86_64,
		.caps = fuzz_caps,
		.kernel_major = 5,
		.kernel_minor = 10,
	};
	struct rf_profile *res = NULL;
	struct rf_error e = { 0 };
	struct rf_lint l = { 0 };

	if (rf_profile_lint(p, &l) >= 0)
		rf_lint_done(&l);
	/* Docker output keeps conditions, so it is the one format the unresolved model can take. */
	write_to_memory(p, RF_FORMAT_DOCKER);
	if (rf_profile_resolve(p, &env, &res, &e) >= 0) {
		memset(&l, 0, sizeof(l));
		if (rf_profile_lint(res, &l) >= 0)
			rf_lint_done(&l);
		write_to_memory(res, RF_FORMAT_OCI);
		write_to_memory(res, RF_FORMAT_SPO);
		write_to_memory(res, RF_FORMAT_DOCKER);
		build_filter(res, RF_FILTER_ENFORCE);
		build_filter(res, RF_FILTER_COMPLAIN);
		rf_profile_free(res);
	}
	rf_error_clear(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rf_profile **v = NULL;
	struct rf_error e = { 0 };
	size_t n = 0;

	/* Every profile of the file: one, or each SeccompProfile of a multi-document stream. */
	if (rf_profile_parse_all((const char *)data, size, "fuzz", &v, &n, &e) >= 0) {
		for (size_t i = 0; i < n; i++)
			exercise(v[i]);
		rf_profile_free_all(v, n);
	}
	rf_error_clear(&e);
	return 0;
}
