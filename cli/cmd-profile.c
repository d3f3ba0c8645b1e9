/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence profile show|lint|convert|diff|merge`: parse flags, call lib/seccomp and its
 * writers. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/arch.h"
#include "core/escape.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/caps.h"
#include "ringfence/profile.h"

#define PROFILE_HELP                                                                               \
	"Usage: ringfence profile show    [--format %1$s] [--caps LIST] [--kernel X.Y]\n"          \
	"                                 [--arch ARCH] [-o FILE] PROFILE\n"                       \
	"       ringfence profile lint    [--strict] [--json] PROFILE...\n"                        \
	"       ringfence profile convert --to %1$s [--caps LIST] [--kernel X.Y]\n"                \
	"                                 [--arch ARCH] [--name NAME] [--namespace NS]\n"          \
	"                                 [-o FILE] PROFILE\n"                                     \
	"       ringfence profile diff    [--json] [--caps LIST] [--kernel X.Y] [--arch ARCH] "    \
	"OLD NEW\n"                                                                                \
	"       ringfence profile merge   [--format %1$s] [--caps LIST] [-o FILE] PROFILE...\n"    \
	"\n"                                                                                       \
	"PROFILE is a file (OCI linux.seccomp object, a whole OCI config.json, Docker/moby or\n"   \
	"containers/common JSON, or a Security Profiles Operator SeccompProfile YAML; detected\n"  \
	"from its content), '-' for stdin, or the built-in name 'runtime/default'. A file of\n"    \
	"several SeccompProfiles ('---' between them) holds one profile per document: FILE#NAME\n" \
	"picks the one whose metadata.name is NAME (lint checks them all).\n"                      \
	"\n"                                                                                       \
	"Syscall names this machine's libseccomp does not know are kept on every path (show,\n"    \
	"convert, merge, diff); only run leaves them out, where runc does (an allow rule under\n"  \
	"a denying default: the syscall stays denied), and lint warns about them.\n"               \
	"\n"                                                                                       \
	"Limits per file: 16 MiB; 131072 values (keys, items, lists, objects); 4096 syscall\n"     \
	"rules per profile; 65536 names and 64 argument conditions per rule; 64 entries in\n"      \
	"architectures, flags, archMap, caps and arches; YAML lines of 65536 bytes.\n"             \
	"\n"                                                                                       \
	"show     prints the profile as a container runtime would apply it here: Docker\n"         \
	"         conditions (archMap, includes/excludes of caps, arches, minKernel) resolved "    \
	"for\n"                                                                                    \
	"         this machine, or for --caps/--arch/--kernel. --format docker keeps them.\n"      \
	"lint     validates; exit 1 when errors are found (--strict: warnings too, except\n"       \
	"         warnings about this machine's libseccomp: a syscall name or archMap arch it\n"   \
	"         does not know, which runtimes here skip).\n"                                     \
	"convert  writes the profile in another format (atomically with -o).\n"                    \
	"diff     per-architecture differences after resolution, by syscall name: '+' rule\n"      \
	"         added, '-' removed, '~' action, errno or argument conditions changed. The\n"     \
	"         native arch is the target's (--arch), not this machine's.\n"                     \
	"merge    the union of profiles with one default action (e.g. generated from several\n"    \
	"         runs): whatever any of them allows, the result allows.\n"                        \
	"\n"                                                                                       \
	"--caps LIST  resolve against this bounding set (e.g. 'ALL' or 'CHOWN,SETUID');\n"         \
	"             default: ringfence's own bounding set.\n"                                    \
	"\n"                                                                                       \
	"Formats (--format, --to):\n"

/* The usage lines name the output formats of ringfence/profile.h's table, and describe them. */
static void print_help(void)
{
	const struct rf_format_info *f;

	printf(PROFILE_HELP, profile_formats(true));
	for (size_t i = 0; (f = rf_format_info(i)); i++)
		if (f->output)
			printf("  %-8s %s\n", f->name, f->description);
}

struct show_opts {
	const char *format, *caps, *kernel, *arch, *output, *name, *ns;
	bool strict;
};

enum { OPT_CAPS = 0x100, OPT_KERNEL, OPT_ARCH, OPT_STRICT, OPT_NAME, OPT_NS, OPT_TO };

static int parse_sub_opts(const char *sub, int argc, char **argv, struct show_opts *o)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, OPT_TO },
		{ "output", required_argument, NULL, 'o' },
		{ "caps", required_argument, NULL, OPT_CAPS },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "namespace", required_argument, NULL, OPT_NS },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "f:o:jph", opts, NULL)) >= 0) {
		switch (c) {
		case 'f':
		case OPT_TO: o->format = optarg; break;
		case 'o': o->output = optarg; break;
		case OPT_CAPS: o->caps = optarg; break;
		case OPT_KERNEL: o->kernel = optarg; break;
		case OPT_ARCH: o->arch = optarg; break;
		case OPT_STRICT: o->strict = true; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_NS: o->ns = optarg; break;
		case 'j': global.json = true; break;
		case 'p': global.json = global.pretty = true; break;
		case 'h': print_help(); return 0;
		default: return usage_error("profile", "invalid option for '%s'", sub);
		}
	}
	return -1;
}

/* N, N.M or N.M.P: digits separated by single dots. */
static bool kernel_option_ok(const char *s)
{
	unsigned parts = 0;

	for (const char *p = s; *p; p++) {
		size_t digits = strspn(p, "0123456789");

		if (digits == 0 || ++parts > 3)
			return false;
		p += digits;
		if (*p == '\0')
			return true;
		if (*p != '.')
			return false;
	}
	return false; /* empty, or ends with a dot */
}

static int make_env(const struct show_opts *o, struct rf_resolve_env *env, char ***caps_out)
{
	struct rf_error e = { 0 };
	uint64_t set = 0;
	int r;

	if (o->caps)
		r = rf_caps_parse_list(o->caps, &set, &e);
	else
		r = rf_caps_bounding(&set);
	if (r >= 0)
		r = rf_caps_to_names(set, caps_out);
	if (r < 0 && o->caps && r != -ENOMEM) {
		r = usage_error("profile", "--caps: %s", e.message ?: strerror(-r));
		rf_error_clear(&e);
		return r;
	}
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return EXIT_FOUND;
	}
	env->caps = (const char *const *)*caps_out;
	/* uname's release may go on after X.Y ("6.1.0-18-amd64"); an option value may not go
	 * on with anything but more numbers ("5.10abc" is a typo, not 5.10). */
	if (o->kernel &&
	    (rf_parse_kernel_version(o->kernel, &env->kernel_major, &env->kernel_minor) < 0 ||
	     !kernel_option_ok(o->kernel)))
		return usage_error("profile", "--kernel '%s' is not a version like 5.10",
				   o->kernel);
	if (o->arch && !(env->native_arch = rf_arch_from_name(o->arch)))
		return usage_error("profile", "unknown architecture '%s'", o->arch);
	return 0;
}

static int load_or_print(const char *path, struct rf_profile **ret)
{
	struct rf_error e = { 0 };
	int r = rf_profile_load(path, ret, &e);

	if (r < 0)
		print_error(&e, r);
	rf_error_clear(&e);
	return r;
}

/* show and convert: resolve unless writing Docker, then write. */
static int show_or_convert(const char *sub, const struct show_opts *o, const char *path)
{
	_cleanup_(rf_profile_freep) struct rf_profile *p = NULL, *res = NULL;
	_cleanup_strv_free_ char **caps = NULL;
	struct rf_resolve_env env = { 0 };
	enum rf_profile_format fmt = RF_FORMAT_OCI;
	struct rf_error e = { 0 };
	int r;

	if (o->format && (fmt = rf_format_from_string(o->format)) == RF_FORMAT_UNKNOWN)
		return unknown_format("profile", o->format);
	if (fmt == RF_FORMAT_OCI_CONFIG)
		fmt = RF_FORMAT_OCI;
	if ((r = make_env(o, &env, &caps)) != 0)
		return r;
	if (load_or_print(path, &p) < 0)
		return EXIT_FOUND;
	if (fmt != RF_FORMAT_DOCKER) {
		r = rf_profile_resolve(p, &env, &res, &e);
		if (r < 0)
			goto fail;
		res->format = p->format;
	}
	if (o->name)
		free((res ?: p)->spo_name), (res ?: p)->spo_name = strdup(o->name);
	if (o->ns)
		free((res ?: p)->spo_namespace), (res ?: p)->spo_namespace = strdup(o->ns);
	r = rf_profile_write_file(res ?: p, fmt, o->output ?: "-", &e);
	if (r < 0)
		goto fail;
	return 0;
fail:
	print_error(&e, r);
	rf_error_clear(&e);
	return EXIT_FOUND;
}

/* Lints one profile of `path` (or reports why `path` could not be read, when p is NULL);
 * returns whether it fails the lint. */
static bool lint_one(const struct show_opts *o, struct rf_lint_writer *w, const char *path,
		     struct rf_profile *p, struct rf_error *e, int r)
{
	_cleanup_(rf_profile_freep) struct rf_profile *res = NULL;
	_cleanup_free_ char *label = NULL;
	/* The file part of FILE#NAME, so FILE:LINE points into the file ("-" for stdin). */
	const char *file = !p || !p->source || rf_profile_is_builtin_name(path) ? path
			   : streq(p->source, "<stdin>")			? "-"
										: p->source;
	const char *document = p && p->document ? p->spo_name : NULL;
	struct rf_lint l = { 0 };
	bool failed;

	/* A built-in is checked as resolved for this machine (its conditions decided); its
	 * source is data/runtime-default.json. */
	if (r >= 0 && rf_profile_is_builtin_name(path)) {
		r = rf_profile_resolve(p, NULL, &res, e);
		p = res;
	}
	if (r >= 0)
		rf_profile_lint(p, &l);
	/* A profile that could not be read is reported under the name it was given. */
	(void)rf_lint_writer_add(w, r < 0 ? path : file, document, r < 0 ? NULL : p, &l,
				 r < 0 ? e : NULL, r);
	failed = r < 0 || l.n_errors > 0 || (o->strict && l.n_warnings > l.n_host);
	fflush(stdout);
	if (document && asprintf(&label, "%s#%s", file, document) < 0)
		label = NULL;
	if (!global.json && r >= 0 && !global.quiet) {
		rf_fputs_escaped(label ?: path, stderr); /* NAME is the file's metadata.name */
		fprintf(stderr, ": %zu error(s), %zu warning(s)%s\n", l.n_errors, l.n_warnings,
			l.n_host ? " (some about this machine's libseccomp, see --help)" : "");
	}
	rf_lint_done(&l);
	return failed;
}

/* Every profile of every PATH: a file of several SeccompProfiles is linted document by
 * document, FILE#NAME lints one of them. */
static int do_lint(const struct show_opts *o, int n, char **paths)
{
	struct rf_lint_writer *w = NULL;
	bool failed = false;
	int r;

	r = rf_lint_writer_new(stdout, global.json ? RF_REPORT_JSON : RF_REPORT_TEXT, global.pretty,
			       &w);
	if (r < 0) {
		print_error(NULL, r);
		return EXIT_FOUND;
	}
	for (int i = 0; i < n; i++) {
		struct rf_profile **v = NULL;
		struct rf_error e = { 0 };
		size_t nv = 0;

		r = rf_profile_load_all(paths[i], &v, &nv, &e);
		if (r < 0)
			failed |= lint_one(o, w, paths[i], NULL, &e, r);
		for (size_t k = 0; r >= 0 && k < nv; k++)
			failed |= lint_one(o, w, paths[i], v[k], &e, 0);
		rf_profile_free_all(v, nv);
		rf_error_clear(&e);
	}
	(void)rf_lint_writer_finish(w);
	return failed ? EXIT_FOUND : 0;
}

static int do_diff(const struct show_opts *o, const char *a, const char *b)
{
	_cleanup_(rf_profile_freep) struct rf_profile *pa = NULL, *pb = NULL;
	_cleanup_strv_free_ char **caps = NULL;
	struct rf_resolve_env env = { 0 };
	struct rf_diff d = { 0 };
	struct rf_error e = { 0 };
	int r;

	if ((r = make_env(o, &env, &caps)) != 0)
		return r;
	if (load_or_print(a, &pa) < 0 || load_or_print(b, &pb) < 0)
		return EXIT_USAGE;
	r = rf_profile_diff(pa, pb, &env, &d, &e);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return EXIT_USAGE;
	}
	(void)rf_diff_write(&d, a, b, global.json ? RF_REPORT_JSON : RF_REPORT_TEXT, global.pretty,
			    stdout);
	r = d.n || d.default_change ? EXIT_FOUND : 0;
	rf_diff_done(&d);
	return r;
}

static int do_merge(const struct show_opts *o, int n, char **paths)
{
	_cleanup_strv_free_ char **caps = NULL;
	_cleanup_(rf_profile_freep) struct rf_profile *out = NULL;
	struct rf_profile **res = calloc((size_t)n, sizeof(*res));
	struct rf_resolve_env env = { 0 };
	enum rf_profile_format fmt = RF_FORMAT_OCI;
	struct rf_error e = { 0 };
	int r = 0;

	if (!res)
		return EXIT_USAGE;
	if (o->format && (fmt = rf_format_from_string(o->format)) == RF_FORMAT_UNKNOWN)
		r = unknown_format("profile", o->format);
	if (r == 0)
		r = make_env(o, &env, &caps);
	for (int i = 0; r == 0 && i < n; i++) {
		_cleanup_(rf_profile_freep) struct rf_profile *p = NULL;

		if (load_or_print(paths[i], &p) < 0)
			r = EXIT_FOUND;
		else if (rf_profile_resolve(p, &env, &res[i], &e) < 0)
			r = EXIT_FOUND;
	}
	if (r == 0 &&
	    (rf_profile_merge(res, (size_t)n, &out, &e) < 0 ||
	     rf_profile_write_file(
		     out,
		     fmt == RF_FORMAT_DOCKER || fmt == RF_FORMAT_OCI_CONFIG ? RF_FORMAT_OCI : fmt,
		     o->output ?: "-", &e) < 0))
		r = EXIT_FOUND;
	if (rf_error_is_set(&e))
		print_error(&e, -EINVAL);
	rf_error_clear(&e);
	for (int i = 0; i < n; i++)
		rf_profile_free(res[i]);
	free(res);
	return r;
}

int cmd_profile(int argc, char **argv)
{
	struct show_opts o = { 0 };
	const char *sub;
	int r;

	if (argc < 2)
		return usage_error("profile",
				   "missing subcommand (show, lint, convert, diff, merge)");
	sub = argv[1];
	if (streq(sub, "--help") || streq(sub, "-h") || streq(sub, "help")) {
		print_help();
		return 0;
	}
	r = parse_sub_opts(sub, argc - 1, argv + 1, &o);
	if (r >= 0)
		return r;
	argc -= 1 + optind;
	argv += 1 + optind;
	if (streq(sub, "show") || streq(sub, "convert")) {
		if (argc != 1)
			return usage_error("profile", "%s takes exactly one PROFILE", sub);
		if (streq(sub, "convert") && !o.format)
			return usage_error("profile", "convert needs --to %s",
					   profile_formats(true));
		return show_or_convert(sub, &o, argv[0]);
	}
	if (streq(sub, "lint")) {
		if (argc < 1)
			return usage_error("profile", "lint needs at least one PROFILE");
		return do_lint(&o, argc, argv);
	}
	if (streq(sub, "diff")) {
		if (argc != 2)
			return usage_error("profile", "diff takes OLD and NEW");
		return do_diff(&o, argv[0], argv[1]);
	}
	if (streq(sub, "merge")) {
		if (argc < 1)
			return usage_error("profile", "merge needs at least one PROFILE");
		return do_merge(&o, argc, argv);
	}
	return usage_error("profile", "unknown subcommand '%s'", sub);
}
