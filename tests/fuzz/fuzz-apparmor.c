/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the two AppArmor readers: bane's TOML (rf_aa_config_parse; a file that
 * reads is built into a profile, in both modes, and written) and the profile reader
 * (rf_aa_profile_parse; a profile that reads is linted, its file rules matched against a few
 * paths, and written back). The first byte picks the reader. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/apparmor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_null(const struct rf_aa_profile *p)
{
	FILE *f = fopen("/dev/null", "w");

	if (f) {
		(void)rf_aa_profile_write(p, f);
		fclose(f);
	}
}

static void toml(const char *text, size_t len)
{
	struct rf_aa_config *c = NULL;
	struct rf_error e = { 0 };

	if (rf_aa_config_parse(text, len, "fuzz.toml", &c, &e) == 0) {
		for (int mode = RF_AA_ENFORCE; mode <= RF_AA_COMPLAIN; mode++) {
			struct rf_aa_profile *p = NULL;

			if (rf_aa_from_config(c, &(struct rf_aa_opts){ .name = "f", .mode = mode },
					      &p, NULL) == 0) {
				write_null(p);
				rf_aa_profile_free(p);
			}
		}
		rf_aa_config_free(c);
	}
	rf_error_clear(&e);
}

static void profile(const char *text, size_t len)
{
	static const char *const paths[] = { "/", "/etc/passwd", "/proc/1/status", "/a/b/c/" };
	struct rf_aa_profile *p = NULL;
	struct rf_error e = { 0 };

	if (rf_aa_profile_parse(text, len, "fuzz.apparmor", &p, &e) == 0) {
		struct rf_aa_lint l = { 0 };
		uint32_t missing, denied;

		if (rf_aa_lint(p, NULL, &l) == 0)
			rf_aa_lint_done(&l);
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			(void)rf_aa_check_access(p, paths[i], false, RF_AA_PERM_R | RF_AA_PERM_W,
						 &missing, &denied);
		if (rf_aa_name_valid(p->name))
			write_null(p);
		rf_aa_profile_free(p);
	}
	rf_error_clear(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1)
		profile(text, size - 1);
	else
		toml(text, size - 1);
	free(text);
	return 0;
}
