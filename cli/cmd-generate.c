/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence generate`: observations (merged), strace logs or learned baselines -> observation
 * and profiles. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/macro.h"
#include "core/number.h"
#include "core/strv.h"
#include "ringfence/baseline.h"
#include "ringfence/builder.h"
#include "ringfence/observation.h"
#include "ringfence/outputs.h"
#include "ringfence/strace_log.h"

#define GENERATE_HELP                                                                              \
	"Usage: ringfence generate (--from OBS.json... | --from-strace LOG... |\n"                 \
	"                           --from-baseline FILE... [--workload KEY])\n"                   \
	"                          [--seccomp FILE] [--format %s] [--observation OUT]\n"           \
	"                          [--args] [--default-errno N|ENOSYS] [--min-support N]\n"        \
	"                          [--ignore-unknown] [--caps FILE] [--apparmor FILE]\n"           \
	"                          [--runtime-base auto|runc|none]\n"                              \
	"\n"                                                                                       \
	"--from OBS.json     observations written by 'record --observation'; several are merged\n" \
	"                    (union; each syscall remembers how many observations saw it).\n"      \
	"--from-strace LOG   logs of strace, strace -f or strace -ff (give every per-pid file):\n" \
	"                    one recording. Unknown syscall names stop with file:line unless\n"    \
	"                    --ignore-unknown. 32-bit personality switches are followed.\n"        \
	"--from-baseline FILE  baselines of 'watch --learn' (several are merged): every "          \
	"workload,\n"                                                                              \
	"                    or the one --workload KEY names. A seccomp profile needs syscalls\n"  \
	"                    (learnt with ptrace); capabilities are the checks eBPF saw, else\n"   \
	"                    inferred from syscalls; the AppArmor profile allows files and\n"      \
	"                    networking whole (a baseline keeps no file read; docs/baseline.md)\n" \
	"--seccomp FILE      write the profile here ('-' = stdout, the default unless\n"           \
	"                    --observation - or --caps - takes stdout)\n"                          \
	"--observation OUT   also write the (merged) observation\n"                                \
	"--caps FILE         suggested capabilities as a Kubernetes securityContext (YAML)\n"      \
	"--apparmor FILE     an AppArmor profile of the files, sockets and executables seen\n"     \
	"                    (NAME.apparmor is profile NAME; see ringfence-apparmor(1))\n"         \
	"--min-support N     only syscalls seen by at least N of the merged observations\n"        \
	"--args, --default-errno, --runtime-base: as for 'ringfence record'.\n"

enum {
	OPT_FROM = 0x100,
	OPT_FROM_STRACE,
	OPT_SECCOMP,
	OPT_FORMAT,
	OPT_OBS,
	OPT_ARGS,
	OPT_ERRNO,
	OPT_MIN,
	OPT_IGNORE,
	OPT_CAPS,
	OPT_RUNTIME_BASE,
	OPT_APPARMOR,
	OPT_FROM_BASELINE,
	OPT_WORKLOAD
};

struct gen_opts {
	bool strace, args, ignore_unknown;
	const char *seccomp, *format, *observation, *caps, *apparmor, *workload;
	uint32_t default_errno;
	unsigned min_support;
	int runtime_base; /* enum rf_runtime_base */
};

static int load_observations(int n, char **paths, struct rf_observation **ret)
{
	_cleanup_(rf_obs_freep) struct rf_observation *all = NULL;

	for (int i = 0; i < n; i++) {
		_cleanup_(rf_obs_freep) struct rf_observation *o = NULL;
		struct rf_error e = { 0 };
		int r = rf_obs_load(paths[i], &o, &e);

		if (r < 0) {
			print_error(&e, r);
			rf_error_clear(&e);
			return r;
		}
		if (!all)
			all = TAKE_PTR(o);
		else if ((r = rf_obs_merge(all, o)) < 0)
			return r;
	}
	*ret = TAKE_PTR(all);
	return 0;
}

static int load_strace(int n, char **paths, const struct gen_opts *g, struct rf_observation **ret)
{
	_cleanup_(rf_obs_freep) struct rf_observation *o = rf_obs_new();
	struct rf_strace_opts so = { .ignore_unknown = g->ignore_unknown };
	struct rf_sinks sinks = { 0 };
	struct rf_sink obs_sink;
	struct rf_error e = { 0 };
	int r;

	if (!o)
		return -ENOMEM;
	rf_obs_sink(o, &obs_sink);
	(void)rf_sinks_add(&sinks, &obs_sink);
	r = rf_strace_import(paths, (size_t)n, &so, &sinks, &e);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return r;
	}
	*ret = TAKE_PTR(o);
	return 0;
}

/* Baselines merged, as the observation of one workload or of all. */
static int load_baselines(int n, char **paths, const struct gen_opts *g, bool want_seccomp,
			  struct rf_observation **ret)
{
	_cleanup_(rf_baseline_freep) struct rf_baseline *all = NULL;
	struct rf_error e = { 0 };
	int r = 0;

	for (int i = 0; r >= 0 && i < n; i++) {
		_cleanup_(rf_baseline_freep) struct rf_baseline *b = NULL;

		r = rf_baseline_load(paths[i], &b, &e);
		if (r >= 0 && !all)
			all = TAKE_PTR(b);
		else if (r >= 0 && (r = rf_baseline_merge(all, b)) < 0)
			r = rf_error_set(&e, r, "merging %s: %s", paths[i], strerror(-r));
	}
	/* A profile of syscalls nobody saw would allow nothing: refused, as AppArmor refuses
	 * an observation without files. */
	if (r >= 0 && want_seccomp && !rf_baseline_recorded(all, g->workload, RF_BL_SYSCALLS))
		r = rf_error_set(&e, -EOPNOTSUPP,
				 "the baseline has no system calls (the eBPF watch "
				 "does not report them one by one): learn with --backend ptrace "
				 "for a seccomp profile, or ask only for --caps or --apparmor");
	if (r >= 0 && g->caps && !rf_baseline_recorded(all, g->workload, RF_BL_CAPABILITIES) &&
	    !rf_baseline_recorded(all, g->workload, RF_BL_SYSCALLS))
		r = rf_error_set(&e, -EOPNOTSUPP,
				 "the baseline has neither capability checks nor "
				 "system calls to infer capabilities from");
	if (r >= 0)
		r = rf_baseline_to_observation(all, g->workload, ret, &e);
	if (r < 0)
		print_error(&e, r);
	rf_error_clear(&e);
	return r;
}

static bool stdout_taken(const char *path)
{
	return path && streq(path, "-");
}

int cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", no_argument, NULL, OPT_FROM },
		{ "from-strace", no_argument, NULL, OPT_FROM_STRACE },
		{ "seccomp", required_argument, NULL, OPT_SECCOMP },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "observation", required_argument, NULL, OPT_OBS },
		{ "args", no_argument, NULL, OPT_ARGS },
		{ "default-errno", required_argument, NULL, OPT_ERRNO },
		{ "min-support", required_argument, NULL, OPT_MIN },
		{ "ignore-unknown", no_argument, NULL, OPT_IGNORE },
		{ "runtime-base", required_argument, NULL, OPT_RUNTIME_BASE },
		{ "caps", required_argument, NULL, OPT_CAPS },
		{ "apparmor", required_argument, NULL, OPT_APPARMOR },
		{ "from-baseline", no_argument, NULL, OPT_FROM_BASELINE },
		{ "workload", required_argument, NULL, OPT_WORKLOAD },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_(rf_obs_freep) struct rf_observation *obs = NULL;
	struct gen_opts g = { 0 };
	bool from = false, from_strace = false, from_baseline = false;
	const char *seccomp_out;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_FROM: from = true; break;
		case OPT_FROM_STRACE: from_strace = true; break;
		case OPT_FROM_BASELINE: from_baseline = true; break;
		case OPT_WORKLOAD: g.workload = optarg; break;
		case OPT_SECCOMP: g.seccomp = optarg; break;
		case OPT_FORMAT: g.format = optarg; break;
		case OPT_OBS: g.observation = optarg; break;
		case OPT_ARGS: g.args = true; break;
		case OPT_IGNORE: g.ignore_unknown = true; break;
		case OPT_CAPS: g.caps = optarg; break;
		case OPT_APPARMOR: g.apparmor = optarg; break;
		case OPT_RUNTIME_BASE:
			if (parse_runtime_base("generate", optarg, &g.runtime_base) != 0)
				return EXIT_USAGE;
			break;
		case OPT_ERRNO:
			if (parse_errno_name(optarg, &g.default_errno) < 0)
				return usage_error("generate",
						   "--default-errno '%s' is not an errno", optarg);
			break;
		case OPT_MIN:
			if (rf_parse_unsigned(optarg, UINT_MAX, &g.min_support) < 0 ||
			    g.min_support == 0)
				return usage_error("generate",
						   "--min-support needs a number 1..%u, not '%s'",
						   UINT_MAX, optarg);
			break;
		case 'h': printf(GENERATE_HELP, profile_formats(true)); return 0;
		default: return usage_error("generate", "invalid option");
		}
	}
	if (from + from_strace + from_baseline != 1)
		return usage_error("generate", "give --from OBS.json..., --from-strace LOG... or "
					       "--from-baseline FILE...");
	if (g.workload && !from_baseline)
		return usage_error("generate", "--workload selects a workload of --from-baseline");
	if (optind >= argc)
		return usage_error("generate", "no input files");
	if (g.format && rf_format_from_string(g.format) == RF_FORMAT_UNKNOWN)
		return unknown_format("generate", g.format);
	if (stdout_taken(g.seccomp) + stdout_taken(g.observation) + stdout_taken(g.caps) > 1)
		return usage_error("generate", "only one of --seccomp, --observation and --caps "
					       "can write to stdout ('-')");
	seccomp_out = g.seccomp
			      ?: (stdout_taken(g.observation) || stdout_taken(g.caps) ||
						  stdout_taken(g.apparmor)
					  ? NULL
					  : "-");
	if (from_baseline && !g.seccomp && (g.caps || g.apparmor || g.observation))
		seccomp_out = NULL; /* asking for other outputs: no profile on stdout by default */
	r = from ? load_observations(argc - optind, argv + optind, &obs)
	    : from_strace
		    ? load_strace(argc - optind, argv + optind, &g, &obs)
		    : load_baselines(argc - optind, argv + optind, &g, seccomp_out != NULL, &obs);
	if (r < 0)
		return EXIT_FOUND;
	/* --min-support filters the profile; the observation written keeps everything. The
	 * profile goes to stdout unless --seccomp says otherwise, or stdout is already given to
	 * --observation -, --caps - or --apparmor -. */
	r = write_outputs(obs,
			  &(struct rf_outputs){ .observation = g.observation,
						.seccomp = seccomp_out,
						.format = g.format ? rf_format_from_string(g.format)
								   : RF_FORMAT_OCI,
						.build = { .args = g.args,
							   .default_errno = g.default_errno,
							   .min_support = g.min_support,
							   .runtime_base = g.runtime_base },
						.caps = g.caps,
						.caps_summary = global.quiet ? NULL : stderr,
						.apparmor = g.apparmor,
						.apparmor_partial = from_baseline });
	return r < 0 ? EXIT_FOUND : 0;
}
