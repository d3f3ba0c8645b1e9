/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence run`: parse flags, call rf_run, and leave with the command's own status. */
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "cli.h"
#include "core/macro.h"
#include "core/number.h"
#include "ringfence/caps.h"
#include "ringfence/run.h"

#define RUN_HELP                                                                                   \
	"Usage: ringfence run [--seccomp FILE|runtime/default|unconfined] [--complain]\n"          \
	"                     [--report FILE] [--cap-drop LIST] [--cap-add LIST]\n"                \
	"                     [--no-new-privs] [--user UID[:GID]] [-q] -- CMD [ARG...]\n"          \
	"\n"                                                                                       \
	"Runs CMD under a seccomp profile and a capability set, as a container runtime would\n"    \
	"(runc's semantics: same-index argument conditions ORed, rules equal to the default\n"     \
	"skipped, native architecture always included).\n"                                         \
	"\n"                                                                                       \
	"  --seccomp P      profile file (OCI, config.json, Docker, SPO YAML), the built-in\n"     \
	"                   'runtime/default', or 'unconfined' (default).\n"                       \
	"  --complain       allow everything, but report each call the profile would deny\n"       \
	"                   (through a seccomp user-notification listener; allowed calls cost\n"   \
	"                   nothing). NOT A SECURITY BOUNDARY: the workload runs unconfined in\n"  \
	"                   effect. Use it to test a profile, never to protect.\n"                 \
	"  --report FILE    write a JSON report of denied (or, with --complain, would-be "         \
	"denied)\n"                                                                                \
	"                   calls: syscall, arch, count, first pid/comm/exe/args. In enforce "     \
	"mode\n"                                                                                   \
	"                   SCMP_ACT_ERRNO denials are observed exactly (answered with the same\n" \
	"                   errno); KILL/TRAP verdicts stay in the kernel and show as the exit\n"  \
	"                   signal.\n"                                                             \
	"  --cap-drop LIST  drop capabilities (ALL, SYS_ADMIN, CAP_NET_RAW, ...), "                \
	"comma-separated\n"                                                                        \
	"  --cap-add LIST   keep/add capabilities after --cap-drop (e.g. --cap-drop ALL\n"         \
	"                   --cap-add NET_BIND_SERVICE); sets bounding, permitted, effective,\n"   \
	"                   inheritable and, for a non-root user, ambient.\n"                      \
	"  --no-new-privs   set no_new_privs; then the filter is loaded last, just before exec.\n" \
	"                   Without it the filter is loaded first (while ringfence still holds\n"  \
	"                   CAP_SYS_ADMIN) and governs the calls ringfence makes to drop\n"        \
	"                   privileges (capset, prctl, setresuid, setgroups) and execve, as\n"     \
	"                   runc does. A process without CAP_SYS_ADMIN can only install a "        \
	"filter\n"                                                                                 \
	"                   under no_new_privs, so ringfence then sets it and says so.\n"          \
	"  --user UID[:GID] switch to this user (numeric, or a name) before exec.\n"               \
	"\n"                                                                                       \
	"Exit status: the command's own; 125 when ringfence fails before exec (bad profile, "      \
	"filter\n"                                                                                 \
	"cannot load: the command never runs unconfined by accident) or the --report cannot be\n"  \
	"written; 126 not executable; 127 not found; 2 usage error (a bad option value). A\n"      \
	"command killed by a signal makes ringfence die of the same signal.\n"

enum {
	OPT_SECCOMP = 0x100,
	OPT_COMPLAIN,
	OPT_REPORT,
	OPT_CAP_DROP,
	OPT_CAP_ADD,
	OPT_NNP,
	OPT_USER
};

/* A numeric id is 0..4294967294: (uid_t)-1 means "no change" to setresuid(2), and anything
 * wider wraps when cast (4294967296 was uid 0, root). Names are looked up. */
static int parse_id(const char *s, bool group, long *ret, long *ret_group)
{
	uint64_t v;
	int r = rf_parse_u64(s, RF_CAPS_ID_MAX, &v);

	if (r == -ERANGE)
		return r;
	if (r >= 0) {
		*ret = (long)v;
		return 0;
	}
	if (group) {
		struct group *gr = getgrnam(s);
		if (!gr)
			return -ENOENT;
		*ret = (long)gr->gr_gid;
	} else {
		struct passwd *pw = getpwnam(s);
		if (!pw)
			return -ENOENT;
		*ret = (long)pw->pw_uid;
		*ret_group = (long)pw->pw_gid;
	}
	return 0;
}

static int parse_user(const char *s, long *uid, long *gid)
{
	const char *colon = strchr(s, ':');
	_cleanup_free_ char *name = colon ? strndup(s, (size_t)(colon - s)) : strdup(s);
	long u = -1, g = -1;
	int r;

	if (!name)
		return -ENOMEM;
	r = parse_id(name, false, &u, &g);
	if (r < 0)
		return r;
	if (g < 0) {
		struct passwd *pw = getpwuid((uid_t)u);
		g = pw ? (long)pw->pw_gid : u;
	}
	if (colon && (r = parse_id(colon + 1, true, &g, NULL)) < 0)
		return r;
	*uid = u;
	*gid = g;
	return 0;
}

int leave_like_child(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct rlimit no_core = { 0, 0 };

		fflush(NULL);
		(void)setrlimit(RLIMIT_CORE, &no_core); /* the child already dumped, if it could */
		(void)signal(sig, SIG_DFL);
		(void)raise(sig);
		return 128 + sig; /* signals that do not kill by default */
	}
	return WEXITSTATUS(status);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seccomp", required_argument, NULL, OPT_SECCOMP },
		{ "complain", no_argument, NULL, OPT_COMPLAIN },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
		{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
		{ "no-new-privs", no_argument, NULL, OPT_NNP },
		{ "user", required_argument, NULL, OPT_USER },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct rf_run_opts o = { .uid = -1, .gid = -1, .quiet = global.quiet };
	struct rf_error e = { 0 };
	int c, r, status;

	while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_SECCOMP: o.seccomp = optarg; break;
		case OPT_COMPLAIN: o.complain = true; break;
		case OPT_REPORT: o.report = optarg; break;
		case OPT_CAP_DROP:
		case OPT_CAP_ADD:
			/* A bad value is a usage error (2), as everywhere, not a failed run. */
			if ((r = rf_caps_parse_list(optarg, &(uint64_t){ 0 }, &e)) < 0) {
				r = usage_error("run", "--%s: %s",
						c == OPT_CAP_ADD ? "cap-add" : "cap-drop",
						e.message ?: strerror(-r));
				rf_error_clear(&e);
				return r;
			}
			*(c == OPT_CAP_ADD ? &o.cap_add : &o.cap_drop) = optarg;
			break;
		case OPT_NNP: o.no_new_privs = true; break;
		case OPT_USER:
			r = parse_user(optarg, &o.uid, &o.gid);
			if (r == -ERANGE)
				return usage_error("run", "--user '%s': a UID or GID is 0..%u",
						   optarg, RF_CAPS_ID_MAX);
			if (r < 0)
				return usage_error("run",
						   "--user '%s' is not a user or "
						   "UID[:GID] (names or numbers)",
						   optarg);
			break;
		case 'q': o.quiet = global.quiet = true; break;
		case 'h': fputs(RUN_HELP, stdout); return 0;
		default: return usage_error("run", "invalid option");
		}
	}
	if (optind >= argc)
		return usage_error("run",
				   "no command given (ringfence run [OPTIONS] -- CMD [ARG...])");
	o.argv = argv + optind;
	if (o.complain && !o.seccomp)
		return usage_error("run", "--complain needs --seccomp PROFILE");
	fflush(stdout);
	r = rf_run(&o, &status, &e);
	if (r < 0)
		print_error(&e, r);
	rf_error_clear(&e);
	return leave_like_child(status);
}
