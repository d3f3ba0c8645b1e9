/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence apparmor from-toml|from-observation|lint`: AppArmor profiles from a bane-style TOML
 * file or from recordings, and checks of a profile. Flags and output here; lib/apparmor does the
 * work. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "ringfence/apparmor.h"
#include "ringfence/node.h"
#include "ringfence/observation.h"

#define APPARMOR_HELP                                                                              \
	"Usage: ringfence apparmor from-toml FILE [OPTIONS]\n"                                     \
	"       ringfence apparmor from-observation OBS.json... [--partial] [OPTIONS]\n"           \
	"       ringfence apparmor lint PROFILE [--against OBS.json]\n"                            \
	"\n"                                                                                       \
	"from-toml         a profile from bane's TOML schema (Name; [Filesystem] ReadOnlyPaths,\n" \
	"                  LogOnWritePaths, WritablePaths, AllowExec, DenyExec; [Network] Raw,\n"  \
	"                  Packet, Protocols; [Capabilities] Allow, Deny) on top of today's\n"     \
	"                  container default. Every value must be one path glob, name, protocol\n" \
	"                  or capability: anything that could add a rule is an error "             \
	"(file:line).\n"                                                                           \
	"from-observation  a least-privilege profile from what recordings did ('record\n"          \
	"                  --observation'; several are merged): executables (ix), files "          \
	"(globbed:\n"                                                                              \
	"                  see ringfence-apparmor(1)), sockets, capabilities, signals, ptrace.\n"  \
	"                  An eBPF observation has no file or socket events and is refused\n"      \
	"                  unless --partial (files and networking then allowed whole).\n"          \
	"lint              checks a profile (and, with --against, replays an observation's file\n" \
	"                  accesses against its rules); apparmor_parser -Q -K compiles it when\n"  \
	"                  installed. Exit 1 on errors.\n"                                         \
	"\n"                                                                                       \
	"  --mode M          enforce (default) or complain: flags=(complain) and 'audit' in\n"     \
	"                    place of every 'deny', so nothing is blocked, only logged\n"          \
	"  -o, --output FILE the profile (default stdout); NAME.apparmor is what 'node install'\n" \
	"                    loads, and names the profile NAME unless --name or Name says else\n"  \
	"  --name NAME       the profile's name (letters, digits, '_', '.', '-')\n"                \
	"  --k8s FILE        also write the Kubernetes securityContext.appArmorProfile fragment\n" \
	"                    and the pre-1.30 annotation ('-' = stdout)\n"                         \
	"  --container NAME  the container named in the annotation\n"                              \
	"  --against OBS     lint: the observation to replay\n"                                    \
	"\n"                                                                                       \
	"Exit status: 0 ok, 1 failed (invalid input, refused observation, lint errors), 2 "        \
	"usage.\n"

enum { OPT_MODE = 0x100, OPT_NAME, OPT_K8S, OPT_CONTAINER, OPT_PARTIAL, OPT_AGAINST };

struct aa_args {
	const char *output, *name, *k8s, *container, *against;
	enum rf_aa_mode mode;
	bool partial;
};

static int parse_args(int argc, char **argv, struct aa_args *a)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "k8s", required_argument, NULL, OPT_K8S },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "against", required_argument, NULL, OPT_AGAINST },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 0; /* a fresh scan: GNU order (options after FILE), not main's '+' */
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_MODE:
			if (rf_aa_mode_from_string(optarg, &a->mode) < 0)
				return usage_error("apparmor",
						   "--mode must be enforce or complain, "
						   "not '%s'",
						   optarg);
			break;
		case 'o': a->output = optarg; break;
		case OPT_NAME:
			if (!rf_aa_name_valid(optarg))
				return usage_error("apparmor",
						   "--name '%s': letters, digits, '_', '.' "
						   "and '-', starting with a letter or digit",
						   optarg);
			a->name = optarg;
			break;
		case OPT_K8S: a->k8s = optarg; break;
		case OPT_CONTAINER:
			if (!rf_aa_name_valid(optarg))
				return usage_error("apparmor",
						   "--container '%s' is not a container "
						   "name",
						   optarg);
			a->container = optarg;
			break;
		case OPT_PARTIAL: a->partial = true; break;
		case OPT_AGAINST: a->against = optarg; break;
		case 'h': fputs(APPARMOR_HELP, stdout); return 0;
		default: return usage_error("apparmor", "invalid option");
		}
	}
	if (a->k8s && streq(a->k8s, "-") && (!a->output || streq(a->output, "-")))
		return usage_error("apparmor", "--k8s - and the profile cannot both go to stdout");
	return -1;
}

/* "web.apparmor" -> "web": the name a profile written there gets unless told otherwise. */
static char *name_from_output(const char *out)
{
	const char *base = out ? strrchr(out, '/') : NULL;
	size_t n;
	char *name;

	if (!out || streq(out, "-"))
		return NULL;
	base = base ? base + 1 : out;
	n = strlen(base);
	if (n <= 9 || !streq(base + n - 9, ".apparmor"))
		return NULL;
	name = strndup(base, n - 9);
	if (name && !rf_aa_name_valid(name)) {
		free(name);
		return NULL;
	}
	return name;
}

static int load_observations(char **paths, int n, struct rf_observation **ret)
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

struct k8s_args {
	const char *profile, *container;
};

static int k8s_cb(FILE *f, void *userdata)
{
	const struct k8s_args *k = userdata;

	return rf_aa_write_k8s(k->profile, k->container, f);
}

static int write_k8s(const struct aa_args *a, const char *profile)
{
	struct k8s_args k = { profile, a->container };
	struct rf_error e = { 0 };
	int r;

	if (!a->k8s)
		return 0;
	r = rf_write_file_atomic(a->k8s, k8s_cb, &k, &e);
	if (r < 0)
		print_error(&e, r);
	rf_error_clear(&e);
	return r;
}

static int build(const char *sub, char **inputs, int n, const struct aa_args *a)
{
	_cleanup_(rf_aa_config_freep) struct rf_aa_config *c = NULL;
	_cleanup_(rf_obs_freep) struct rf_observation *obs = NULL;
	_cleanup_(rf_aa_profile_freep) struct rf_aa_profile *p = NULL;
	_cleanup_free_ char *from_file = name_from_output(a->output);
	struct rf_aa_opts o = { .name = a->name, .mode = a->mode, .partial = a->partial };
	struct rf_error e = { 0 };
	int r;

	if (streq(sub, "from-toml")) {
		if (n != 1)
			return usage_error("apparmor", "from-toml takes one FILE");
		r = rf_aa_config_load(inputs[0], &c, &e);
		if (r >= 0) {
			o.name = o.name ?: c->name ? NULL : from_file;
			r = rf_aa_from_config(c, &o, &p, &e);
		}
	} else {
		if (n < 1)
			return usage_error("apparmor", "from-observation takes OBS.json...");
		if (load_observations(inputs, n, &obs) < 0)
			return EXIT_FOUND;
		o.name = o.name ?: from_file;
		r = rf_aa_from_observation(obs, &o, &p, &e);
	}
	if (r >= 0)
		r = rf_aa_profile_write_file(p, a->output ?: "-", &e);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return EXIT_FOUND;
	}
	if (from_file && !streq(from_file, p->name) && !global.quiet)
		fprintf(stderr,
			"ringfence: note: %s defines profile '%s' (not '%s'): the kubelet's "
			"localhostProfile is '%s'\n",
			a->output, p->name, from_file, p->name);
	return write_k8s(a, p->name) < 0 ? EXIT_FOUND : 0;
}

static const char *const severity[] = { "", "error", "warning", "note" };

/* Our checks, then the parser's compile when it is installed. */
static int lint(char **inputs, int n, const char *against)
{
	_cleanup_(rf_aa_profile_freep) struct rf_aa_profile *p = NULL;
	_cleanup_(rf_obs_freep) struct rf_observation *obs = NULL;
	struct rf_apparmor_info aa = { 0 };
	struct rf_aa_lint l = { 0 };
	struct rf_error e = { 0 };
	size_t errors = 0;
	int r;

	if (n != 1)
		return usage_error("apparmor", "lint takes one PROFILE");
	if (against && load_observations((char **)&against, 1, &obs) < 0)
		return EXIT_FOUND;
	r = rf_aa_profile_load(inputs[0], &p, &e);
	if (r >= 0)
		r = rf_aa_lint(p, obs, &l);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return EXIT_FOUND;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct rf_aa_lint_item *it = &l.items[i];

		errors += it->severity == RF_AA_LINT_ERROR;
		if (it->line)
			printf("%s:%u: %s: %s [%s]\n", inputs[0], it->line, severity[it->severity],
			       it->message, it->code);
		else
			printf("%s: %s: %s [%s]\n", inputs[0], severity[it->severity], it->message,
			       it->code);
	}
	rf_aa_lint_done(&l);
	if (rf_apparmor_probe(NULL, &aa) >= 0 && aa.parser && !streq(inputs[0], "-")) {
		char **names = NULL;

		if (rf_apparmor_parser_check(aa.parser, inputs[0], &names, &e) < 0) {
			printf("%s: error: %s [apparmor_parser]\n", inputs[0],
			       e.detail ?: e.message);
			errors++;
		}
		for (char **nm = names; nm && *nm; nm++)
			free(*nm);
		free(names);
		rf_error_clear(&e);
	} else if (!global.quiet) {
		fprintf(stderr, "ringfence: note: apparmor_parser is not installed: the profile "
				"was not compiled\n");
	}
	rf_apparmor_info_done(&aa);
	return errors ? EXIT_FOUND : 0;
}

int cmd_apparmor(int argc, char **argv)
{
	struct aa_args a = { 0 };
	const char *sub;
	int r;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fputs(APPARMOR_HELP, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	if (!streq(sub, "from-toml") && !streq(sub, "from-observation") && !streq(sub, "lint"))
		return usage_error("apparmor",
				   "unknown subcommand '%s' (from-toml, "
				   "from-observation, lint)",
				   sub);
	r = parse_args(argc - 1, argv + 1, &a);
	if (r >= 0)
		return r;
	if (a.partial && !streq(sub, "from-observation"))
		return usage_error("apparmor", "--partial is an option of from-observation");
	if (a.against && !streq(sub, "lint"))
		return usage_error("apparmor", "--against is an option of lint");
	if (streq(sub, "lint"))
		return lint(argv + 1 + optind, argc - 1 - optind, a.against);
	return build(sub, argv + 1 + optind, argc - 1 - optind, &a);
}
