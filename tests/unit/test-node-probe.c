/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/node/kubelet.c: the kubelet's seccompDefault read from a fake /proc tree and config files
 * (flag over file, pflag syntax, relative --config, fallbacks, bad configs), one real process
 * found by its comm, and the AppArmor probe on this machine. */
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/macro.h"
#include "ringfence/node.h"
#include "unit.h"

static char tmp[] = "/tmp/rf-node-probe-XXXXXX";

static char *tpath(const char *rel)
{
	char *p = NULL;

	cr_assert(asprintf(&p, "%s/%s", tmp, rel) >= 0);
	return p;
}

static void put(const char *rel, const char *data, size_t len)
{
	_cleanup_str_ char *p = tpath(rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	cr_assert(fd >= 0, "create %s: %m", p);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(close(fd), 0);
}

static void put_str(const char *rel, const char *data)
{
	put(rel, data, strlen(data));
}

static void mkdir_rel(const char *rel)
{
	_cleanup_str_ char *p = tpath(rel);

	cr_assert(mkdir(p, 0755) == 0, "mkdir %s: %m", p);
}

static void fake_cmdline(const char *pid, const char *const *argv)
{
	char rel[128], buf[4096];
	size_t len = 0;

	for (; argv && *argv; argv++) {
		size_t n = strlen(*argv) + 1;

		cr_assert(len + n <= sizeof(buf));
		memcpy(buf + len, *argv, n);
		len += n;
	}
	snprintf(rel, sizeof(rel), "proc/%s/cmdline", pid);
	put(rel, buf, len);
}

/* A process directory <tmp>/proc/<pid> with comm and a NUL-separated cmdline. */
static void fake_proc(const char *pid, const char *comm, const char *const *argv)
{
	char rel[128], buf[64];

	snprintf(rel, sizeof(rel), "proc/%s", pid);
	mkdir_rel(rel);
	snprintf(rel, sizeof(rel), "proc/%s/comm", pid);
	snprintf(buf, sizeof(buf), "%s\n", comm);
	put_str(rel, buf);
	fake_cmdline(pid, argv);
}

/* /proc with init, a kubelet at 42 (argv given), another one at 77 and a non-pid entry. */
static void setup_tree(const char *const *kubelet_argv)
{
	static const char *const init_argv[] = { "/sbin/init", NULL };
	static const char *const other_argv[] = { "kubelet", "--seccomp-default=false", NULL };
	_cleanup_str_ char *work = tpath("work"), *cwd = tpath("proc/42/cwd");

	mkdir_rel("proc");
	mkdir_rel("proc/self");
	mkdir_rel("work");
	mkdir_rel("root");
	fake_proc("1", "systemd", init_argv);
	if (kubelet_argv) {
		fake_proc("77", "kubelet", other_argv);
		fake_proc("42", "kubelet", kubelet_argv);
		cr_assert(symlink(work, cwd) == 0);
	}
}

static void make_tmp(void)
{
	cr_assert_not_null(mkdtemp(tmp));
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void cleanup_tree(void)
{
	if (tmp[strlen(tmp) - 1] != 'X')
		(void)nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct rf_kubelet_info probe(const char *config_path)
{
	_cleanup_str_ char *proc = tpath("proc"), *root = tpath("root");
	struct rf_kubelet_info k = { 0 };

	expect_i(rf_kubelet_probe(proc, root, config_path, &k), 0);
	cr_assert_not_null(k.seccomp_default_source);
	return k;
}

#define _cleanup_kubelet_ __attribute__((cleanup(rf_kubelet_info_done)))

TestSuite(kubelet, .init = make_tmp, .fini = cleanup_tree);
TestSuite(apparmor, .init = make_tmp, .fini = cleanup_tree);

Test(kubelet, flag_alone)
{
	static const char *const argv[] = { "/usr/bin/kubelet", "--v=2", "--seccomp-default",
					    NULL };
	setup_tree(argv);
	_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

	expect_i(k.pid, 42);
	expect_i(k.seccomp_default, RF_TRI_YES);
	expect_str(k.seccomp_default_source, "--seccomp-default flag of kubelet pid 42");
	cr_assert_null(k.config_path);
	cr_assert_null(k.error);
}

Test(kubelet, flag_false_wins_over_config)
{
	_cleanup_str_ char *cfg = tpath("kubelet.yaml");
	const char *argv[] = { "kubelet", "--config", cfg, "--seccomp-default=false", NULL };
	setup_tree(argv);
	put_str("kubelet.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\n"
				"kind: KubeletConfiguration\nseccompDefault: true\n");
	_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

	expect_i(k.seccomp_default, RF_TRI_NO);
	expect_str(k.config_path, cfg);
	expect_str(k.seccomp_default_source, "--seccomp-default flag of kubelet pid 42");
	cr_assert_null(k.error);
}

Test(kubelet, relative_config_against_cwd)
{
	static const char *const argv[] = { "kubelet", "--config=relative.yaml", NULL };
	_cleanup_str_ char *cfg = NULL, *src = NULL;
	setup_tree(argv);
	put_str("work/relative.yaml",
		"{\"kind\": \"KubeletConfiguration\", \"seccompDefault\": true}");
	cfg = tpath("work/relative.yaml");
	_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

	expect_i(k.seccomp_default, RF_TRI_YES);
	expect_str(k.config_path, cfg);
	cr_assert(asprintf(&src, "seccompDefault in %s", cfg) >= 0);
	expect_str(k.seccomp_default_source, src);
	cr_assert_null(k.error);
}

Test(kubelet, config_dir_dropins_override_in_name_order)
{
	_cleanup_str_ char *cfg = tpath("kubelet.yaml"), *want = NULL, *src = NULL;
	const char *argv[] = { "kubelet", "--config", cfg, "--config-dir=conf.d", NULL };
	setup_tree(argv);
	mkdir_rel("work/conf.d");
	put_str("kubelet.yaml", "kind: KubeletConfiguration\nseccompDefault: false\n");
	put_str("work/conf.d/10-seccomp.conf",
		"kind: KubeletConfiguration\nseccompDefault: true\n");
	put_str("work/conf.d/20-other.conf", "kind: KubeletConfiguration\nmaxPods: 50\n");
	put_str("work/conf.d/05-ignored.yaml",
		"kind: KubeletConfiguration\nseccompDefault: false\n");
	_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

	want = tpath("work/conf.d/10-seccomp.conf");
	cr_assert(asprintf(&src, "seccompDefault in %s (--config-dir drop-in)", want) >= 0);
	expect_i(k.seccomp_default, RF_TRI_YES);
	expect_str(k.seccomp_default_source, src);
	cr_assert_null(k.error);
}

Test(kubelet, flag_wins_over_dropins_and_bad_dropin_is_an_error)
{
	const char *argv[] = { "kubelet", "--config-dir", "conf.d", NULL };
	const char *argv2[] = { "kubelet", "--config-dir", "conf.d", "--seccomp-default", NULL };
	setup_tree(argv);
	mkdir_rel("work/conf.d");
	put_str("work/conf.d/10-bad.conf", "kind: KubeletConfiguration\nseccompDefault: \"yes\"\n");
	{
		_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

		expect_i(k.seccomp_default, RF_TRI_UNKNOWN);
		cr_assert_not_null(k.error);
		cr_assert(strstr(k.error, "10-bad.conf"), "%s", k.error);
	}
	fake_cmdline("42", argv2);
	{
		_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

		expect_i(k.seccomp_default, RF_TRI_YES);
		expect_str(k.seccomp_default_source, "--seccomp-default flag of kubelet pid 42");
	}
}

Test(kubelet, pflag_syntax)
{
	static const struct {
		const char *argv[6];
		enum rf_tristate want;
	} cases[] = {
		/* a bool flag takes no separate value */
		{ { "kubelet", "--seccomp-default", "false", NULL }, RF_TRI_YES },
		/* the last occurrence wins; strconv.ParseBool spellings */
		{ { "kubelet", "--seccomp-default", "--seccomp-default=F", NULL }, RF_TRI_NO },
		{ { "kubelet", "--seccomp-default=0", "--seccomp-default=TRUE", NULL },
		  RF_TRI_YES },
		/* '_' in a name is '-' */
		{ { "kubelet", "--seccomp-default", "--seccomp_default=false", NULL }, RF_TRI_NO },
		/* "--" ends the flags; argv[0] is not a flag */
		{ { "--seccomp-default", "--v=2", "--", "--seccomp-default", NULL }, RF_TRI_NO },
		/* look-alikes are other flags */
		{ { "kubelet", "--seccomp-defaults", "-seccomp-default", "--configs=x", NULL },
		  RF_TRI_NO },
	};

	setup_tree(cases[0].argv);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		fake_cmdline("42", cases[i].argv);
		_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

		cr_assert_eq(k.seccomp_default, cases[i].want, "case %zu: got %d (%s)", i,
			     k.seccomp_default, k.seccomp_default_source);
		cr_assert_null(k.config_path, "case %zu", i);
	}
}

Test(kubelet, bad_flag_value)
{
	static const char *const argv[] = { "kubelet", "--seccomp-default=yes", NULL };
	setup_tree(argv);
	_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

	expect_contains(k.error, "invalid --seccomp-default value 'yes'");
	expect_i(k.seccomp_default,
		 RF_TRI_NO); /* no flag in effect, no config: the kubelet default */
}

Test(kubelet, no_process_falls_back)
{
	_cleanup_str_ char *explicit = tpath("explicit.yaml"), *rootcfg = tpath("root/config.yaml");
	_cleanup_str_ char *src = NULL;
	setup_tree(NULL);
	put_str("explicit.yaml", "kind: KubeletConfiguration\nseccompDefault: yes\n");
	put_str("tabs.json",
		"{\n\t\"kind\": \"KubeletConfiguration\",\n\t\"seccompDefault\": false\n}\n");
	put_str("root/config.yaml", "kind: KubeletConfiguration\nmaxPods: 10\n");

	_cleanup_kubelet_ struct rf_kubelet_info a = probe(explicit);
	expect_i(a.pid, 0);
	expect_i(a.seccomp_default, RF_TRI_YES); /* YAML 1.1, as the kubelet decodes it */
	expect_str(a.config_path, explicit);

	_cleanup_str_ char *json = tpath("tabs.json");
	_cleanup_kubelet_ struct rf_kubelet_info j = probe(json);
	expect_i(j.seccomp_default, RF_TRI_NO);
	cr_assert_null(j.error, "%s", j.error);
	expect_contains(j.seccomp_default_source, "seccompDefault in ");

	_cleanup_kubelet_ struct rf_kubelet_info b = probe(NULL);
	expect_i(b.seccomp_default, RF_TRI_NO);
	expect_str(b.config_path, rootcfg);
	cr_assert(asprintf(&src, "seccompDefault unset in %s (kubelet default: false)", rootcfg) >=
		  0);
	expect_str(b.seccomp_default_source, src);
	cr_assert_null(b.error);
}

Test(kubelet, kubelet_without_config_reads_no_file)
{
	static const char *const argv[] = { "kubelet", "--v=2", NULL };
	setup_tree(argv);
	put_str("root/config.yaml", "kind: KubeletConfiguration\nseccompDefault: true\n");
	_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

	expect_i(k.seccomp_default, RF_TRI_NO);
	cr_assert_null(k.config_path);
	expect_contains(k.seccomp_default_source, "without --config");
}

Test(kubelet, string_value_is_an_error)
{
	_cleanup_str_ char *cfg = tpath("root/config.yaml");
	setup_tree(NULL);
	put_str("root/config.yaml", "kind: KubeletConfiguration\nseccompDefault: \"yes\"\n");
	_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

	expect_i(k.seccomp_default, RF_TRI_UNKNOWN);
	expect_contains(k.error, cfg);
	expect_contains(k.error, "seccompDefault must be true or false");
}

Test(kubelet, invalid_yaml_is_an_error)
{
	static const char *const bad[] = { "kind: [unclosed\n", "", "- a list\n",
					   "kind: Pod\nseccompDefault: true\n", "\xff\xfe: x\n" };

	setup_tree(NULL);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_str_ char *cfg = tpath("bad.yaml");
		put_str("bad.yaml", bad[i]);
		_cleanup_kubelet_ struct rf_kubelet_info k = probe(cfg);

		expect_i(k.seccomp_default, RF_TRI_UNKNOWN);
		expect_contains(k.error, cfg);
	}
}

Test(kubelet, flag_decides_despite_bad_config)
{
	static const char *const argv[] = { "kubelet", "--config", "missing.yaml",
					    "--seccomp-default", NULL };
	setup_tree(argv);
	_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

	expect_i(k.seccomp_default, RF_TRI_YES);
	expect_contains(k.error, "missing.yaml");
}

Test(kubelet, nothing_found)
{
	setup_tree(NULL);
	_cleanup_kubelet_ struct rf_kubelet_info k = probe(NULL);

	expect_i(k.pid, 0);
	expect_i(k.seccomp_default, RF_TRI_UNKNOWN);
	expect_str(k.seccomp_default_source, "no kubelet process and no config file found");
	cr_assert_null(k.config_path);
	cr_assert_null(k.error);

	/* no /proc at all is the same answer */
	struct rf_kubelet_info z = { 0 };
	_cleanup_str_ char *none = tpath("nonexistent");
	expect_i(rf_kubelet_probe(none, none, NULL, &z), 0);
	expect_i(z.seccomp_default, RF_TRI_UNKNOWN);
	rf_kubelet_info_done(&z);
	rf_kubelet_info_done(&z); /* safe twice and on zeroed structs */
}

/* A real child whose comm is "kubelet" (its cmdline stays the test binary's). */
Test(kubelet, real_process)
{
	_cleanup_str_ char *root = NULL;
	char comm_path[64], comm[32] = "";
	pid_t child = fork();

	cr_assert(child >= 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "kubelet");
		for (;;)
			pause();
	}
	snprintf(comm_path, sizeof(comm_path), "/proc/%d/comm", (int)child);
	for (int i = 0; i < 500 && strncmp(comm, "kubelet\n", 8); i++) {
		FILE *f = fopen(comm_path, "re");

		if (f) {
			(void)!fgets(comm, sizeof(comm), f);
			fclose(f);
		}
		usleep(10000);
	}
	setup_tree(NULL);
	root = tpath("root");
	struct rf_kubelet_info k = { 0 };
	int r = rf_kubelet_probe("/proc", root, NULL, &k);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	expect_i(r, 0);
	expect_i(k.pid, child);
	cr_assert_not_null(k.seccomp_default_source);
	rf_kubelet_info_done(&k);
}

Test(apparmor, this_machine)
{
	struct rf_apparmor_info a = { 0 };
	struct stat st;

	expect_i(rf_apparmor_probe(NULL, &a), 0);
	if (access("/sys/module/apparmor", F_OK) < 0) {
		cr_assert(!a.enabled);
		expect_contains(a.why_not, "/sys/module/apparmor");
		cr_assert_null(a.profiles);
	} else if (a.enabled) {
		cr_assert_null(a.why_not);
		for (size_t i = 0; a.profiles && a.profiles[i] && a.profiles[i + 1]; i++)
			cr_assert(strcmp(a.profiles[i], a.profiles[i + 1]) < 0);
	} else {
		cr_assert_not_null(a.why_not);
	}
	if (a.parser) {
		cr_assert(a.parser[0] == '/', "parser %s", a.parser);
		cr_assert(stat(a.parser, &st) == 0 && S_ISREG(st.st_mode));
		cr_assert(access(a.parser, X_OK) == 0);
	}
	rf_apparmor_info_done(&a);
	rf_apparmor_info_done(&a);
}

Test(apparmor, parser_search_ignores_relative_path)
{
	struct rf_apparmor_info a = { 0 };

	put_str("apparmor_parser", "#!/bin/sh\n");
	_cleanup_str_ char *fake = tpath("apparmor_parser");
	cr_assert(chmod(fake, 0755) == 0);
	cr_assert(chdir(tmp) == 0);
	cr_assert(setenv("PATH", ":.:relative", 1) == 0);
	expect_i(rf_apparmor_probe(NULL, &a), 0);
	if (a.parser)
		cr_assert(streq(a.parser, "/sbin/apparmor_parser") ||
				  streq(a.parser, "/usr/sbin/apparmor_parser"),
			  "parser %s", a.parser);
	cr_assert(setenv("PATH", tmp, 1) == 0);
	rf_apparmor_info_done(&a);
	expect_i(rf_apparmor_probe(NULL, &a), 0);
	expect_str(a.parser, fake);
	rf_apparmor_info_done(&a);
}
