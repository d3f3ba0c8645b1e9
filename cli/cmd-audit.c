/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence audit`: check Kubernetes workloads against the Pod Security Standards. Parses
 * flags, calls lib/k8s, prints the report; --fix prints or writes the patched manifests. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/escape.h"
#include "core/macro.h"
#include "ringfence/k8s.h"
#include "ringfence/node.h"

#define AUDIT_HELP                                                                                 \
	"Usage: ringfence audit [--level baseline|restricted] [--version v1.N|latest]\n"           \
	"                       [--format text|json|sarif] [--fix [--write]]\n"                    \
	"                       [--check-node [--root DIR] [--sys DIR]] FILE...|-\n"               \
	"\n"                                                                                       \
	"Checks Pods, ReplicationControllers, PodTemplates, ReplicaSets, Deployments,\n"           \
	"StatefulSets, DaemonSets, Jobs and CronJobs against the Kubernetes Pod Security\n"        \
	"Standards, exactly as Pod Security Admission would at that level and policy version.\n"   \
	"FILE may be a directory (read recursively: *.yaml, *.yml, *.json; symlinks to\n"          \
	"directories inside it are not followed) or '-' for stdin. A file is read once, however\n" \
	"many names reach it.\n"                                                                   \
	"Multi-document YAML and List kinds are read. Kinds count in their API group only "        \
	"(core,\n"                                                                                 \
	"apps, batch), as admission sees them: a DaemonSet of apps.kruise.io, other kinds and\n"   \
	"a Namespace of another group are counted and skipped.\n"                                  \
	"After a syntax error, reading goes on at the next '---' line (100 times per file at\n"    \
	"most).\n"                                                                                 \
	"\n"                                                                                       \
	"The policy comes from pod-security.kubernetes.io/{enforce,audit,warn}[-version] labels\n" \
	"of Namespace objects in the input (the most restrictive one), else restricted:latest;\n"  \
	"--level and --version override it. Versions newer than v1." RF_STR(                       \
		RF_PSS_NEWEST_MINOR) " are treated as v1." RF_STR(RF_PSS_NEWEST_MINOR) ".\n"       \
										       "\n"        \
										       "--fix    " \
										       " print "   \
										       "the "      \
										       "manifests" \
										       " with "    \
										       "the "      \
										       "minimal "  \
										       "changes "  \
										       "that "     \
										       "make "     \
										       "them "     \
										       "pass "     \
										       "(seccomp"  \
										       "\n"        \
										       "         " \
										       " RuntimeD" \
										       "efault, "  \
										       "allowPriv" \
										       "ilegeEsca" \
										       "lation: "  \
										       "false, "   \
										       "capabilit" \
										       "ies drop " \
										       "ALL,\n"    \
										       "         " \
										       " runAsNon" \
										       "Root: "    \
										       "true, "    \
										       "AppArmor " \
										       "RuntimeDe" \
										       "fault); "  \
										       "say what " \
										       "needs a "  \
										       "person\n"  \
										       "--write  " \
										       " with "    \
										       "--fix: "   \
										       "change "   \
										       "the "      \
										       "files in " \
										       "place "    \
										       "(atomical" \
										       "ly)\n"     \
										       "--check-"  \
										       "node  "    \
										       "also "     \
										       "report "   \
										       "workloads" \
										       " whose "   \
										       "Localhost" \
										       " AppArmor" \
										       " (or "     \
										       "seccomp) " \
										       "profile "  \
										       "this\n"    \
										       "         " \
										       " node "    \
										       "does not " \
										       "have: "    \
										       "not "      \
										       "loaded "   \
										       "(AppArmor" \
										       "), not "   \
										       "under "    \
										       "--root's " \
										       "seccomp\n" \
										       "         " \
										       " director" \
										       "y; "       \
										       "--sys: "   \
										       "the "      \
										       "host's "   \
										       "sysfs "    \
										       "when not " \
										       "at /sys\n" \
										       "\n"        \
										       "Exit "     \
										       "status: "  \
										       "0 every "  \
										       "workload " \
										       "passes, "  \
										       "1 a "      \
										       "check "    \
										       "failed "   \
										       "or a "     \
										       "document " \
										       "could "    \
										       "not be\n"  \
										       "read, 2 "  \
										       "usage "    \
										       "error.\n"

#define RF_STR2(x) #x
#define RF_STR(x)  RF_STR2(x)

enum { OPT_LEVEL = 0x100, OPT_VERSION, OPT_FIX, OPT_WRITE, OPT_CHECK_NODE, OPT_ROOT, OPT_SYS };

static void print_line(const char *msg)
{
	fputs("ringfence: ", stderr);
	rf_fputs_escaped(msg, stderr); /* file names come from directories */
	fputc('\n', stderr);
}

static void print_errors(const struct rf_audit *a)
{
	for (size_t i = 0; i < rf_audit_n_errors(a); i++)
		print_line(rf_audit_error(a, i));
	for (size_t i = 0; i < rf_audit_n_workloads(a); i++) {
		const struct rf_audit_workload *w = rf_audit_workload(a, i);
		if (w->error)
			print_line(w->error);
	}
}

static bool any_workload_error(const struct rf_audit *a)
{
	for (size_t i = 0; i < rf_audit_n_workloads(a); i++)
		if (rf_audit_workload(a, i)->error)
			return true;
	return false;
}

/* The Localhost profiles the workloads reference that this node lacks (the check of `node
 * status --check-manifests`): one line each, on stdout after a text report, else on stderr so
 * JSON and SARIF stay documents. Returns how many, or a negative errno. */
static int check_node(struct rf_audit *a, const char *root, const char *sys, bool text)
{
	struct rf_node_status s = { 0 };
	struct rf_node_opts o = { .root = root, .sys = sys };
	struct rf_node_refs refs = { 0 };
	struct rf_error e = { 0 };
	int r = rf_node_status(&o, NULL, &s, &e);

	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return r;
	}
	r = rf_node_check_refs(&s, a, &refs);
	for (size_t i = 0; r >= 0 && i < refs.n; i++)
		if (refs.problems[i])
			rf_node_ref_write_line(
				&refs.refs[i], refs.problems[i],
				text ? "node: " : "ringfence: ", text ? stdout : stderr);
	if (r >= 0)
		r = (int)refs.n_missing;
	rf_node_refs_done(&refs);
	rf_node_status_done(&s);
	return r;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "version", required_argument, NULL, OPT_VERSION },
		{ "format", required_argument, NULL, 'f' },
		{ "fix", no_argument, NULL, OPT_FIX },
		{ "write", no_argument, NULL, OPT_WRITE },
		{ "check-node", no_argument, NULL, OPT_CHECK_NODE },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "sys", required_argument, NULL, OPT_SYS },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_(rf_audit_freep) struct rf_audit *a = NULL;
	struct rf_audit_opts o = { 0 };
	enum rf_audit_format fmt = global.json ? RF_AUDIT_JSON : RF_AUDIT_TEXT;
	bool fix = false, write = false, check = false;
	const char *root = NULL, *sys = NULL;
	int c, r, missing = 0;

	while ((c = getopt_long(argc, argv, "f:jph", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_LEVEL:
			if (rf_pss_level_from_string(optarg, &o.level) < 0 ||
			    o.level == RF_PSS_PRIVILEGED)
				return usage_error(
					"audit", "--level must be baseline or restricted, not '%s'",
					optarg);
			o.level_set = true;
			break;
		case OPT_VERSION:
			if (rf_pss_version_parse(optarg, &o.version) < 0)
				return usage_error("audit",
						   "--version must be v1.N or latest, not '%s'",
						   optarg);
			o.version_set = true;
			break;
		case 'f':
			if (rf_audit_format_from_string(optarg, &fmt) < 0)
				return usage_error("audit",
						   "--format must be text, json or sarif, not '%s'",
						   optarg);
			break;
		case OPT_FIX: fix = true; break;
		case OPT_WRITE: write = true; break;
		case OPT_CHECK_NODE: check = true; break;
		case OPT_ROOT: root = optarg; break;
		case OPT_SYS: sys = optarg; break;
		case 'j': fmt = RF_AUDIT_JSON; break;
		case 'p':
			fmt = RF_AUDIT_JSON;
			global.pretty = true;
			break;
		case 'h': fputs(AUDIT_HELP, stdout); return 0;
		default: return usage_error("audit", "invalid option");
		}
	}
	if (optind >= argc)
		return usage_error("audit", "no input: give FILE..., a directory or '-'");
	if (write && !fix)
		return usage_error("audit", "--write needs --fix");
	if ((root || sys) && !check)
		return usage_error("audit", "--root and --sys are options of --check-node");
	if (check && fix)
		return usage_error("audit", "--check-node and --fix do not go together");
	if ((r = rf_audit_new(&a)) < 0)
		return print_error(NULL, r), EXIT_FOUND;
	rf_audit_set_keep_comments(a, fix);
	for (int i = optind; i < argc; i++) {
		struct rf_error e = { 0 };

		r = rf_audit_add_path(a, argv[i], &e);
		if (r < 0) {
			print_error(&e, r);
			rf_error_clear(&e);
			return EXIT_FOUND;
		}
	}
	if ((r = rf_audit_run(a, &o)) < 0)
		return print_error(NULL, r), EXIT_FOUND;
	if (fix) {
		struct rf_error e = { 0 };
		size_t manual = 0;

		r = rf_audit_fix(a, write ? NULL : stdout, write, &manual, &e);
		print_errors(a);
		if (r < 0) {
			print_error(&e, r);
			rf_error_clear(&e);
			return EXIT_FOUND;
		}
		/* What is left for a person goes to stderr: stdout carries the manifests. */
		if (manual || rf_audit_n_failed(a))
			(void)rf_audit_write(a, RF_AUDIT_TEXT, false, stderr);
		return manual || rf_audit_n_errors(a) || any_workload_error(a) ? EXIT_FOUND : 0;
	}
	print_errors(a);
	if ((r = rf_audit_write(a, fmt, global.pretty, stdout)) < 0)
		return print_error(NULL, r), EXIT_FOUND;
	if (check && (missing = check_node(a, root, sys, fmt == RF_AUDIT_TEXT)) < 0)
		return EXIT_FOUND;
	return rf_audit_n_failed(a) || rf_audit_n_errors(a) || any_workload_error(a) || missing
		       ? EXIT_FOUND
		       : 0;
}
