/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CONFORMANCE: every upstream Pod Security Admission fixture
 * ($RF_SRC/../shared/conformance/pod-security/<level>/v1.<minor>/{pass,fail}/NAME.yaml) evaluated
 * at its level and version must agree with its directory: pass -> no violation, fail -> at least
 * one, and one of them is the check the file name targets (or the restricted check overriding
 * it). Every disagreement is printed. Skipped, with the reason, when the fixtures are absent. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ringfence/k8s.h"

static char root[4096];

static bool have_fixtures(void)
{
	const char *src = getenv("RF_SRC");
	struct stat st;

	snprintf(root, sizeof(root), "%s/../shared/conformance/pod-security", src ? src : ".");
	return stat(root, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "seccompprofile_restricted2.yaml" -> "seccompprofile_restricted" */
static void check_of(const char *file, char *out, size_t n)
{
	size_t l = strcspn(file, ".");

	while (l > 0 && file[l - 1] >= '0' && file[l - 1] <= '9')
		l--;
	snprintf(out, n, "%.*s", (int)l, file);
}

static bool names_check(const struct rf_audit_workload *w, const char *want, bool restricted)
{
	static const char *const overrides[][2] = {
		{ "capabilities_baseline", "capabilities_restricted" },
		{ "hostpathvolumes", "restrictedvolumes" },
		{ "seccompprofile_baseline", "seccompprofile_restricted" },
		{ "procmount", "procmount_restricted" },
	};

	for (size_t v = 0; v < w->n_violations; v++) {
		const char *id = w->violations[v].check;

		if (!strcasecmp(id, want))
			return true;
		for (size_t k = 0; restricted && k < sizeof(overrides) / sizeof(overrides[0]); k++)
			if (!strcasecmp(want, overrides[k][0]) && !strcasecmp(id, overrides[k][1]))
				return true;
	}
	return false;
}

struct tally {
	unsigned total, agree, named;
};

static void run_dir(const char *level, unsigned minor, const char *expect, struct tally *t)
{
	char dir[4608];
	struct dirent **ents = NULL;
	int n;

	snprintf(dir, sizeof(dir), "%s/%s/v1.%u/%s", root, level, minor, expect);
	n = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char path[8192], want[256];
		struct rf_audit *a = NULL;
		struct rf_audit_opts o = { .level_set = true,
					   .version_set = true,
					   .version = { .minor = minor } };
		struct rf_error e = { 0 };
		const struct rf_audit_workload *w;
		bool pass_expected = !strcmp(expect, "pass"), ok;

		if (!strstr(ents[i]->d_name, ".yaml")) {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		rf_pss_level_from_string(level, &o.level);
		cr_assert_eq(rf_audit_new(&a), 0);
		cr_assert_eq(rf_audit_add_path(a, path, &e), 0, "%s", e.message);
		cr_assert_eq(rf_audit_run(a, &o), 0);
		t->total++;
		w = rf_audit_workload(a, 0);
		if (rf_audit_n_errors(a) || !w || w->error || rf_audit_n_workloads(a) != 1) {
			printf("DISAGREE %s: not evaluated: %s\n", path,
			       rf_audit_n_errors(a) ? rf_audit_error(a, 0)
			       : w		    ? w->error
						    : "no workload");
		} else {
			ok = pass_expected ? w->n_violations == 0 : w->n_violations > 0;
			if (!ok) {
				printf("DISAGREE %s: expected %s, got %zu violation(s)%s%s%s\n",
				       path, expect, w->n_violations, w->n_violations ? ": " : "",
				       w->n_violations ? w->violations[0].reason : "",
				       w->n_violations ? "" : "");
				for (size_t v = 0; v < w->n_violations; v++)
					printf("    %s: %s\n", w->violations[v].check,
					       w->violations[v].detail);
			} else {
				t->agree++;
				check_of(ents[i]->d_name, want, sizeof(want));
				if (pass_expected || !strncmp(want, "base", 4) ||
				    names_check(w, want, !strcmp(level, "restricted")))
					t->named++;
				else
					printf("NOTE %s: fails, but not on check %s\n", path, want);
			}
		}
		rf_audit_free(a);
		rf_error_clear(&e);
		free(ents[i]);
	}
	free(ents);
}

Test(conformance, upstream_fixtures, .timeout = 120)
{
	static const char *const levels[] = { "baseline", "restricted" };
	struct tally t = { 0 };

	if (!have_fixtures())
		cr_skip("no upstream fixtures at %s (expected "
			"$RF_SRC/../shared/conformance/pod-security)",
			root);
	for (size_t l = 0; l < 2; l++)
		for (unsigned minor = 0; minor <= RF_PSS_NEWEST_MINOR; minor++) {
			run_dir(levels[l], minor, "pass", &t);
			run_dir(levels[l], minor, "fail", &t);
		}
	printf("CONFORMANCE: %u/%u upstream fixtures agree (%u fail on the named check)\n", t.agree,
	       t.total, t.named);
	cr_expect_eq(t.total, 4537, "expected 4537 fixtures, found %u", t.total);
	cr_assert_eq(t.agree, t.total, "%u of %u fixtures disagree", t.total - t.agree, t.total);
	cr_assert_eq(t.named, t.total, "%u fixtures fail on another check", t.total - t.named);
}

/* --fix on every fixture whose failures are all fixable; the patched text must then pass. */
static void fix_dir(const char *level, unsigned minor, unsigned *tried, unsigned *passed)
{
	char dir[4608];
	struct dirent **ents = NULL;
	int n;

	snprintf(dir, sizeof(dir), "%s/%s/v1.%u/fail", root, level, minor);
	n = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char path[8192], *buf = NULL;
		size_t len = 0, manual = 0;
		struct rf_audit *a = NULL, *b = NULL;
		struct rf_audit_opts o = { .level_set = true,
					   .version_set = true,
					   .version = { .minor = minor } };
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		free(ents[i]);
		rf_pss_level_from_string(level, &o.level);
		cr_assert_eq(rf_audit_new(&a), 0);
		rf_audit_set_keep_documents(a, true);
		cr_assert_eq(rf_audit_add_path(a, path, NULL), 0);
		cr_assert_eq(rf_audit_run(a, &o), 0);
		f = open_memstream(&buf, &len);
		cr_assert_eq(rf_audit_fix(a, f, false, &manual, NULL), 0);
		fclose(f);
		if (manual == 0) {
			(*tried)++;
			cr_assert_eq(rf_audit_new(&b), 0);
			cr_assert_eq(rf_audit_add_text(b, path, buf, len, NULL), 0);
			cr_assert_eq(rf_audit_run(b, &o), 0);
			if (rf_audit_n_errors(b) == 0 && rf_audit_n_failed(b) == 0 &&
			    !rf_audit_workload(b, 0)->error)
				(*passed)++;
			else
				printf("FIX FAILED %s (%s:v1.%u):\n%s\n", path, level, minor, buf);
			rf_audit_free(b);
		}
		free(buf);
		rf_audit_free(a);
	}
	free(ents);
}

Test(conformance, fix_output_passes_reaudit, .timeout = 120)
{
	static const char *const levels[] = { "baseline", "restricted" };
	unsigned tried = 0, passed = 0;

	if (!have_fixtures())
		cr_skip("no upstream fixtures at %s", root);
	for (size_t l = 0; l < 2; l++)
		for (unsigned minor = 0; minor <= RF_PSS_NEWEST_MINOR; minor++)
			fix_dir(levels[l], minor, &tried, &passed);
	printf("FIX: %u/%u fixable upstream fail fixtures pass after --fix\n", passed, tried);
	cr_expect_gt(tried, 0);
	cr_assert_eq(passed, tried);
}
