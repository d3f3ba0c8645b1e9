/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence node install|status|agent`: put profiles where the kubelet finds them, say what a
 * node has, keep a node in sync with a ConfigMap. Flags and output here; lib/node does the work. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/escape.h"
#include "core/macro.h"
#include "core/number.h"
#include "ringfence/node.h"

#define NODE_HELP                                                                                  \
	"Usage: ringfence node install [--root DIR] [--prefix NAME] [--prune [--allow-empty]]\n"   \
	"                              [--dry-run] PROFILE...|DIR...\n"                            \
	"       ringfence node status  [--root DIR] [--prefix NAME] [--kubelet-config FILE]\n"     \
	"                              [--check-manifests FILE...]\n"                              \
	"       ringfence node agent   --source DIR [--root DIR] [--prefix NAME] [--resync "       \
	"SECONDS]\n"                                                                               \
	"                              [--allow-empty]\n"                                          \
	"\n"                                                                                       \
	"install  validates every profile (seccomp in OCI, Docker or SPO form: *.json, *.yaml,\n"  \
	"         *.yml; AppArmor: *.apparmor), then writes each seccomp profile as plain OCI "    \
	"JSON\n"                                                                                   \
	"         to <root>/seccomp/<prefix>/<name>.json atomically and prints the\n"              \
	"         localhostProfile a pod uses. Nothing is written when any profile is invalid or " \
	"a\n"                                                                                      \
	"         target file was not written by ringfence. --prune removes ringfence's "          \
	"profiles\n"                                                                               \
	"         that are not in the set; a set with no profile at all is refused unless\n"       \
	"         --allow-empty (an empty directory would otherwise empty the node). AppArmor\n"   \
	"         profiles are loaded with apparmor_parser -r\n"                                   \
	"         when the kernel has AppArmor (never over a loaded profile ringfence did not\n"   \
	"         load; unchanged ones are not reloaded), else checked and skipped.\n"             \
	"status   lists the profiles under <root>/seccomp (owner, sha256, valid), whether the\n"   \
	"         kubelet defaults to RuntimeDefault, and AppArmor availability. With\n"           \
	"         --check-manifests, the Localhost profiles the manifests reference that this "    \
	"node\n"                                                                                   \
	"         lacks (exit 1 when any).\n"                                                      \
	"agent    installs DIR with --prune, then again on every change of DIR (a mounted\n"       \
	"         ConfigMap's ..data swap included) and every --resync seconds (default 60);\n"    \
	"         logs each change; stops on SIGTERM/SIGINT. A bad update is logged and the "      \
	"node\n"                                                                                   \
	"         keeps its profiles.\n"                                                           \
	"\n"                                                                                       \
	"  --root DIR        kubelet root (default " RF_NODE_DEFAULT_ROOT ")\n"                    \
	"  --prefix NAME     subdirectory of <root>/seccomp (default " RF_NODE_DEFAULT_PREFIX      \
	")\n"                                                                                      \
	"  --sys DIR         the host's sysfs (AppArmor), when not at /sys (a container)\n"        \
	"  --proc DIR        the host's procfs (the kubelet), when not at /proc\n"                 \
	"  -j, --json        JSON on stdout (agent: one JSON object per line)\n"                   \
	"\n"                                                                                       \
	"Exit status: 0 ok, 1 failed (invalid profile, foreign file, missing referenced "          \
	"profile,\n"                                                                               \
	"unrecoverable agent error), 2 usage error.\n"

enum {
	OPT_ROOT = 0x100,
	OPT_PREFIX,
	OPT_PRUNE,
	OPT_DRY_RUN,
	OPT_KUBELET_CONFIG,
	OPT_CHECK_MANIFESTS,
	OPT_SOURCE,
	OPT_RESYNC,
	OPT_DEBOUNCE,
	OPT_SYS,
	OPT_PROC,
	OPT_ALLOW_EMPTY
};

struct node_args {
	struct rf_node_opts node;
	const char *kubelet_config;
	bool check_manifests;
	const char *source;
	unsigned resync, debounce_ms;
};

static int parse_args(const char *sub, int argc, char **argv, struct node_args *a)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "prune", no_argument, NULL, OPT_PRUNE },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
		{ "kubelet-config", required_argument, NULL, OPT_KUBELET_CONFIG },
		{ "check-manifests", no_argument, NULL, OPT_CHECK_MANIFESTS },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "resync", required_argument, NULL, OPT_RESYNC },
		{ "debounce-ms", required_argument, NULL, OPT_DEBOUNCE },
		{ "sys", required_argument, NULL, OPT_SYS },
		{ "proc", required_argument, NULL, OPT_PROC },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool install = streq(sub, "install"), status = streq(sub, "status"),
	     agent = streq(sub, "agent");
	int c;

	a->resync = 60;
	a->debounce_ms = 100;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jph", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_ROOT: a->node.root = optarg; break;
		case OPT_PREFIX: a->node.prefix = optarg; break;
		case OPT_SYS: a->node.sys = optarg; break;
		case OPT_PROC: a->node.proc = optarg; break;
		case OPT_PRUNE:
		case OPT_DRY_RUN:
			if (!install)
				return usage_error("node", "--%s is an option of 'node install'",
						   c == OPT_PRUNE ? "prune" : "dry-run");
			*(c == OPT_PRUNE ? &a->node.prune : &a->node.dry_run) = true;
			break;
		case OPT_ALLOW_EMPTY:
			if (!install && !agent)
				return usage_error("node",
						   "--allow-empty is an option of 'node install "
						   "--prune' and 'node agent'");
			a->node.allow_empty = true;
			break;
		case OPT_KUBELET_CONFIG:
		case OPT_CHECK_MANIFESTS:
			if (!status)
				return usage_error("node", "--%s is an option of 'node status'",
						   c == OPT_CHECK_MANIFESTS ? "check-manifests"
									    : "kubelet-config");
			if (c == OPT_KUBELET_CONFIG)
				a->kubelet_config = optarg;
			else
				a->check_manifests = true;
			break;
		case OPT_SOURCE:
		case OPT_RESYNC:
		case OPT_DEBOUNCE:
			if (!agent)
				return usage_error(
					"node", "--source, --resync and --debounce-ms are options "
						"of 'node agent'");
			if (c == OPT_SOURCE)
				a->source = optarg;
			else if (rf_parse_unsigned(optarg, c == OPT_RESYNC ? 86400 : 10000,
						   c == OPT_RESYNC ? &a->resync : &a->debounce_ms) <
					 0 ||
				 (c == OPT_DEBOUNCE && a->debounce_ms == 0))
				return usage_error("node", "--%s must be a number (%s), not '%s'",
						   c == OPT_RESYNC ? "resync" : "debounce-ms",
						   c == OPT_RESYNC ? "0..86400 seconds, 0 = never"
								   : "1..10000",
						   optarg);
			break;
		case 'j': global.json = true; break;
		case 'p': global.json = global.pretty = true; break;
		case 'h': fputs(NODE_HELP, stdout); return 0;
		default: return usage_error("node", "invalid option for '%s'", sub);
		}
	}
	return -1;
}

static int do_install(struct node_args *a, char **inputs, size_t n)
{
	struct rf_node_result res = {};
	struct rf_error e = {};
	int r;

	if (n == 0)
		return usage_error("node", "install: no profiles given (PROFILE... or DIR...)");
	r = rf_node_install(&a->node, inputs, n, &res, &e);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return EXIT_FOUND;
	}
	for (char **s = res.notes; s && *s; s++) {
		fputs("ringfence: note: ", stderr);
		rf_fputs_escaped(*s, stderr);
		fputc('\n', stderr);
	}
	(void)rf_node_install_write(&res, a->node.dry_run,
				    global.json ? RF_NODE_JSON : RF_NODE_TEXT, global.pretty,
				    stdout);
	rf_node_result_done(&res);
	return finish_stdout(0);
}

/* JSON Lines on stdout (flushed: a log is read as it grows), text on stderr. */
static void agent_log(const struct rf_node_change *c, const struct rf_error *err, const char *note,
		      void *userdata)
{
	(void)rf_node_agent_log_write(c, err, note, time(NULL),
				      global.json ? RF_NODE_JSON : RF_NODE_TEXT,
				      global.json ? stdout : stderr);
	if (global.json)
		fflush(stdout);
}

static int do_agent(struct node_args *a, size_t n_args)
{
	struct rf_node_agent_opts o = { .node = a->node,
					.source = a->source,
					.resync_seconds = a->resync,
					.debounce_ms = a->debounce_ms,
					.log = agent_log };
	_cleanup_close_ int sfd = -EBADF;
	struct rf_error e = {};
	sigset_t mask;
	int r;

	if (!a->source)
		return usage_error("node", "agent needs --source DIR");
	if (n_args)
		return usage_error("node", "agent takes no arguments besides options");
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		fprintf(stderr, "ringfence: signalfd: %s\n", strerror(errno));
		return EXIT_FOUND;
	}
	o.stop_fd = sfd;
	if (!global.quiet)
		fprintf(stderr, "ringfence: node agent: keeping %s/seccomp/%s in sync with %s\n",
			a->node.root ?: RF_NODE_DEFAULT_ROOT,
			a->node.prefix ?: RF_NODE_DEFAULT_PREFIX, a->source);
	r = rf_node_agent_run(&o, &e);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return EXIT_FOUND;
	}
	return finish_stdout(0);
}

int cmd_node(int argc, char **argv)
{
	struct node_args a = {};
	const char *sub;
	int r;

	if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h")) {
		fputs(NODE_HELP, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	if (!streq(sub, "install") && !streq(sub, "status") && !streq(sub, "agent"))
		return usage_error("node", "unknown subcommand '%s' (install, status, agent)", sub);
	if ((r = parse_args(sub, argc - 1, argv + 1, &a)) >= 0)
		return r;
	argc--, argv++;
	if (streq(sub, "install"))
		return do_install(&a, argv + optind, (size_t)(argc - optind));
	if (streq(sub, "status"))
		return node_status(&a.node, a.kubelet_config, a.check_manifests, argv + optind,
				   (size_t)(argc - optind));
	return do_agent(&a, (size_t)(argc - optind));
}
