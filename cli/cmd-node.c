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
#include "core/json-writer.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/k8s.h"
#include "ringfence/node.h"

#define NODE_HELP                                                                                  \
	"Usage: ringfence node install [--root DIR] [--prefix NAME] [--prune] [--dry-run] PROFILE...|DIR...\n" \
	"       ringfence node status  [--root DIR] [--prefix NAME] [--kubelet-config FILE]\n"       \
	"                              [--check-manifests FILE...]\n"                               \
	"       ringfence node agent   --source DIR [--root DIR] [--prefix NAME] [--resync SECONDS]\n" \
	"\n"                                                                                        \
	"install  validates every profile (seccomp in OCI, Docker or SPO form: *.json, *.yaml,\n"    \
	"         *.yml; AppArmor: *.apparmor), then writes each seccomp profile as plain OCI JSON\n" \
	"         to <root>/seccomp/<prefix>/<name>.json atomically and prints the\n"              \
	"         localhostProfile a pod uses. Nothing is written when any profile is invalid or a\n" \
	"         target file was not written by ringfence. --prune removes ringfence's profiles\n" \
	"         that are not in the set. AppArmor profiles are loaded with apparmor_parser -r\n"   \
	"         when the kernel has AppArmor (never over a loaded profile ringfence did not\n"   \
	"         load; unchanged ones are not reloaded), else checked and skipped.\n"             \
	"status   lists the profiles under <root>/seccomp (owner, sha256, valid), whether the\n"    \
	"         kubelet defaults to RuntimeDefault, and AppArmor availability. With\n"             \
	"         --check-manifests, the Localhost profiles the manifests reference that this node\n" \
	"         lacks (exit 1 when any).\n"                                                       \
	"agent    installs DIR with --prune, then again on every change of DIR (a mounted\n"        \
	"         ConfigMap's ..data swap included) and every --resync seconds (default 60);\n"     \
	"         logs each change; stops on SIGTERM/SIGINT. A bad update is logged and the node\n" \
	"         keeps its profiles.\n"                                                           \
	"\n"                                                                                        \
	"  --root DIR        kubelet root (default " RF_NODE_DEFAULT_ROOT ")\n"                       \
	"  --prefix NAME     subdirectory of <root>/seccomp (default " RF_NODE_DEFAULT_PREFIX ")\n"  \
	"  --sys DIR         the host's sysfs (AppArmor), when not at /sys (a container)\n"       \
	"  --proc DIR        the host's procfs (the kubelet), when not at /proc\n"                 \
	"  -j, --json        JSON on stdout (agent: one JSON object per line)\n"                    \
	"\n"                                                                                        \
	"Exit status: 0 ok, 1 failed (invalid profile, foreign file, missing referenced profile,\n" \
	"unrecoverable agent error), 2 usage error.\n"

enum { OPT_ROOT = 0x100, OPT_PREFIX, OPT_PRUNE, OPT_DRY_RUN, OPT_KUBELET_CONFIG,
       OPT_CHECK_MANIFESTS, OPT_SOURCE, OPT_RESYNC, OPT_DEBOUNCE, OPT_SYS, OPT_PROC };

struct node_args {
	struct rf_node_opts node;
	const char *kubelet_config;
	bool check_manifests;
	const char *source;
	unsigned resync, debounce_ms;
};

static int parse_uint(const char *s, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int parse_args(const char *sub, int argc, char **argv, struct node_args *a)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "prune", no_argument, NULL, OPT_PRUNE },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
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
	bool install = streq(sub, "install"), status = streq(sub, "status"), agent = streq(sub, "agent");
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
		case OPT_KUBELET_CONFIG:
		case OPT_CHECK_MANIFESTS:
			if (!status)
				return usage_error("node", "--%s is an option of 'node status'",
						   c == OPT_CHECK_MANIFESTS ? "check-manifests" : "kubelet-config");
			if (c == OPT_KUBELET_CONFIG)
				a->kubelet_config = optarg;
			else
				a->check_manifests = true;
			break;
		case OPT_SOURCE:
		case OPT_RESYNC:
		case OPT_DEBOUNCE:
			if (!agent)
				return usage_error("node", "--source, --resync and --debounce-ms are options "
							   "of 'node agent'");
			if (c == OPT_SOURCE)
				a->source = optarg;
			else if (parse_uint(optarg, c == OPT_RESYNC ? 86400 : 10000,
					    c == OPT_RESYNC ? &a->resync : &a->debounce_ms) < 0 ||
				 (c == OPT_DEBOUNCE && a->debounce_ms == 0))
				return usage_error("node", "--%s must be a number (%s), not '%s'",
						   c == OPT_RESYNC ? "resync" : "debounce-ms",
						   c == OPT_RESYNC ? "0..86400 seconds, 0 = never"
								   : "1..10000", optarg);
			break;
		case 'j': global.json = true; break;
		case 'p': global.json = global.pretty = true; break;
		case 'h': fputs(NODE_HELP, stdout); return 0;
		default: return usage_error("node", "invalid option for '%s'", sub);
		}
	}
	return -1;
}

static void json_change(struct rf_json *j, const struct rf_node_change *c)
{
	rf_json_start_object(j);
	rf_json_string_field(j, "kind", c->kind == RF_NODE_SECCOMP ? "seccomp" : "apparmor");
	rf_json_string_field(j, "action", rf_node_action_to_string(c->action));
	rf_json_string_field(j, "name", c->name);
	if (c->localhost_profile)
		rf_json_string_field(j, "localhost_profile", c->localhost_profile);
	if (c->path)
		rf_json_string_field(j, "path", c->path);
	if (c->source)
		rf_json_string_field(j, "source", c->source);
	if (*c->sha256)
		rf_json_string_field(j, "sha256", c->sha256);
	rf_json_end_object(j);
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
	for (char **s = res.notes; s && *s; s++)
		fprintf(stderr, "ringfence: note: %s\n", *s);
	if (global.json) {
		struct rf_json j;

		rf_json_init(&j, stdout, global.pretty);
		rf_json_start_object(&j);
		rf_json_string_field(&j, "schema", "ringfence.node-install/v1");
		rf_json_bool_field(&j, "dry_run", a->node.dry_run);
		rf_json_name(&j, "changes");
		rf_json_start_array(&j);
		for (size_t i = 0; i < res.n; i++)
			json_change(&j, &res.items[i]);
		rf_json_end_array(&j);
		rf_json_end_object(&j);
		rf_json_finish(&j);
	} else {
		for (size_t i = 0; i < res.n; i++) {
			const struct rf_node_change *c = &res.items[i];

			if (c->kind == RF_NODE_SECCOMP)
				printf("%-9s localhostProfile: %-40s sha256:%.12s\n",
				       rf_node_action_to_string(c->action), c->localhost_profile,
				       c->sha256);
			else
				printf("%-9s apparmor profile: %s (%s)\n",
				       rf_node_action_to_string(c->action), c->name, c->source);
		}
		if (a->node.dry_run)
			printf("(dry run: nothing was written)\n");
	}
	rf_node_result_done(&res);
	return finish_stdout(0);
}

struct checked_ref {
	const struct rf_profile_ref *ref;
	char *problem;
};

static int check_manifests(const struct rf_node_status *s, char **files, size_t n,
			   struct rf_audit **ret_audit, struct rf_profile_ref **ret_refs,
			   size_t *ret_n, struct checked_ref **ret_checked)
{
	_cleanup_(rf_audit_freep) struct rf_audit *a = NULL;
	struct checked_ref *checked;
	int r;

	if ((r = rf_audit_new(&a)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct rf_error e = {};

		if ((r = rf_audit_add_path(a, files[i], &e)) < 0) {
			print_error(&e, r);
			rf_error_clear(&e);
			return r;
		}
	}
	for (size_t i = 0; i < rf_audit_n_errors(a); i++)
		fprintf(stderr, "ringfence: %s\n", rf_audit_error(a, i));
	if ((r = rf_audit_profile_refs(a, ret_refs, ret_n)) < 0)
		return r;
	checked = calloc(*ret_n + 1, sizeof(*checked));
	if (!checked)
		return -ENOMEM;
	for (size_t i = 0; i < *ret_n; i++) {
		errno = 0;
		checked[i] = (struct checked_ref){ &(*ret_refs)[i], rf_node_ref_problem(s, &(*ret_refs)[i]) };
		if (!checked[i].problem && errno == ENOMEM) {
			for (size_t k = 0; k < i; k++)
				free(checked[k].problem);
			free(checked);
			return -ENOMEM;
		}
	}
	*ret_checked = checked;
	*ret_audit = TAKE_PTR(a);
	return (int)rf_audit_n_errors(*ret_audit);
}

static void print_status_json(const struct rf_node_status *s, const struct checked_ref *checked,
			      size_t n_refs, bool with_refs)
{
	struct rf_json j;

	rf_json_init(&j, stdout, global.pretty);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", "ringfence.node-status/v1");
	rf_json_string_field(&j, "seccomp_dir", s->seccomp_dir);
	rf_json_name(&j, "profiles");
	rf_json_start_array(&j);
	for (size_t i = 0; i < s->n_profiles; i++) {
		const struct rf_node_profile *p = &s->profiles[i];

		rf_json_start_object(&j);
		rf_json_string_field(&j, "localhost_profile", p->localhost_profile);
		rf_json_string_field(&j, "sha256", p->sha256);
		rf_json_string_field(&j, "owner", rf_node_owner_to_string(p->owner));
		rf_json_bool_field(&j, "valid", !p->error);
		if (p->error)
			rf_json_string_field(&j, "error", p->error);
		rf_json_end_object(&j);
	}
	rf_json_end_array(&j);
	rf_json_name(&j, "kubelet");
	rf_json_start_object(&j);
	if (s->kubelet.pid)
		rf_json_int_field(&j, "pid", s->kubelet.pid);
	if (s->kubelet.config_path)
		rf_json_string_field(&j, "config", s->kubelet.config_path);
	rf_json_name(&j, "seccomp_default");
	if (s->kubelet.seccomp_default == RF_TRI_UNKNOWN)
		rf_json_null(&j);
	else
		rf_json_bool(&j, s->kubelet.seccomp_default == RF_TRI_YES);
	if (s->kubelet.seccomp_default_source)
		rf_json_string_field(&j, "seccomp_default_source", s->kubelet.seccomp_default_source);
	if (s->kubelet.error)
		rf_json_string_field(&j, "error", s->kubelet.error);
	rf_json_end_object(&j);
	rf_json_name(&j, "apparmor");
	rf_json_start_object(&j);
	rf_json_bool_field(&j, "enabled", s->apparmor.enabled);
	if (s->apparmor.why_not)
		rf_json_string_field(&j, "why_not", s->apparmor.why_not);
	if (s->apparmor.enabled) {
		rf_json_name(&j, "profiles");
		rf_json_start_array(&j);
		for (char **p = s->apparmor.profiles; p && *p; p++)
			rf_json_string(&j, *p);
		rf_json_end_array(&j);
	}
	rf_json_bool_field(&j, "parser", s->apparmor.parser != NULL);
	rf_json_end_object(&j);
	if (with_refs) {
		rf_json_name(&j, "references");
		rf_json_start_array(&j);
		for (size_t i = 0; i < n_refs; i++) {
			const struct rf_profile_ref *r = checked[i].ref;

			rf_json_start_object(&j);
			rf_json_string_field(&j, "file", r->file);
			rf_json_uint_field(&j, "line", r->line);
			rf_json_uint_field(&j, "column", r->column);
			rf_json_string_field(&j, "kind", r->kind);
			if (r->namespace)
				rf_json_string_field(&j, "namespace", r->namespace);
			rf_json_string_field(&j, "name", r->name ?: "");
			if (r->container)
				rf_json_string_field(&j, "container", r->container);
			rf_json_string_field(&j, "type", r->apparmor ? "apparmor" : "seccomp");
			rf_json_string_field(&j, "profile", r->profile);
			rf_json_string_field(&j, "field", r->field);
			rf_json_bool_field(&j, "present", !checked[i].problem);
			if (checked[i].problem)
				rf_json_string_field(&j, "problem", checked[i].problem);
			rf_json_end_object(&j);
		}
		rf_json_end_array(&j);
	}
	rf_json_end_object(&j);
	rf_json_finish(&j);
}

static void print_status_text(const struct rf_node_status *s, const struct checked_ref *checked,
			      size_t n_refs, bool with_refs)
{
	printf("seccomp directory: %s\n", s->seccomp_dir);
	if (!s->n_profiles)
		printf("  (no profiles)\n");
	for (size_t i = 0; i < s->n_profiles; i++) {
		const struct rf_node_profile *p = &s->profiles[i];

		printf("  %-40s %-18s sha256:%.12s %s%s\n", p->localhost_profile,
		       rf_node_owner_to_string(p->owner), p->sha256, p->error ? "INVALID: " : "valid",
		       p->error ?: "");
	}
	printf("kubelet seccomp default (RuntimeDefault for every pod): %s (%s)\n",
	       s->kubelet.seccomp_default == RF_TRI_YES  ? "yes"
	       : s->kubelet.seccomp_default == RF_TRI_NO ? "no"
						     : "unknown",
	       s->kubelet.seccomp_default_source ?: "no source");
	if (s->kubelet.error)
		printf("  kubelet config problem: %s\n", s->kubelet.error);
	if (s->apparmor.enabled)
		printf("apparmor: enabled, %zu profiles loaded\n", strv_length(s->apparmor.profiles));
	else
		printf("apparmor: not available (%s)\n", s->apparmor.why_not ?: "off");
	if (!with_refs)
		return;
	printf("manifests: %zu Localhost profile reference%s\n", n_refs, n_refs == 1 ? "" : "s");
	for (size_t i = 0; i < n_refs; i++) {
		const struct rf_profile_ref *r = checked[i].ref;

		printf("  %s:%u:%u: %s %s%s%s%s%s: %s\n", r->file, r->line, r->column, r->kind,
		       r->namespace ?: "", r->namespace ? "/" : "", r->name ?: "",
		       r->container ? " container " : "", r->container ?: "",
		       checked[i].problem ?: "present");
	}
}

static int do_status(struct node_args *a, char **files, size_t n)
{
	_cleanup_(rf_audit_freep) struct rf_audit *audit = NULL;
	struct rf_node_status s = {};
	struct rf_profile_ref *refs = NULL;
	struct checked_ref *checked = NULL;
	size_t n_refs = 0, missing = 0;
	struct rf_error e = {};
	int r, code = 0;

	if (n && !a->check_manifests)
		return usage_error("node", "status takes no arguments (did you mean --check-manifests FILE...?)");
	if (a->check_manifests && !n)
		return usage_error("node", "--check-manifests needs FILE... (or a directory, or '-')");
	r = rf_node_status(&a->node, a->kubelet_config, &s, &e);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return EXIT_FOUND;
	}
	if (a->check_manifests) {
		r = check_manifests(&s, files, n, &audit, &refs, &n_refs, &checked);
		if (r < 0) {
			if (r == -ENOMEM)
				print_error(NULL, r);
			rf_profile_refs_free(refs, n_refs);
			rf_node_status_done(&s);
			return EXIT_FOUND;
		}
		if (r > 0)
			code = EXIT_FOUND; /* a manifest that could not be read was not checked */
		for (size_t i = 0; i < n_refs; i++)
			missing += checked[i].problem != NULL;
	}
	if (global.json)
		print_status_json(&s, checked, n_refs, a->check_manifests);
	else
		print_status_text(&s, checked, n_refs, a->check_manifests);
	if (missing) {
		fprintf(stderr, "ringfence: %zu referenced profile%s not usable on this node\n", missing,
			missing == 1 ? " is" : "s are");
		code = EXIT_FOUND;
	}
	for (size_t i = 0; checked && i < n_refs; i++)
		free(checked[i].problem);
	free(checked);
	rf_profile_refs_free(refs, n_refs);
	rf_node_status_done(&s);
	return finish_stdout(code);
}

static void agent_log(const struct rf_node_change *c, const struct rf_error *err, const char *note,
		      void *userdata)
{
	const char *msg = err && err->message ? err->message : note ?: "?";
	char when[32];
	time_t t = time(NULL);
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	if (global.json) {
		struct rf_json j;

		rf_json_init(&j, stdout, false);
		rf_json_start_object(&j);
		rf_json_string_field(&j, "time", when);
		rf_json_string_field(&j, "event", c ? rf_node_action_to_string(c->action)
						    : err ? "sync_failed" : "note");
		if (c) {
			rf_json_name(&j, "change");
			json_change(&j, c);
		} else {
			rf_json_string_field(&j, err ? "error" : "note", msg);
		}
		rf_json_end_object(&j);
		rf_json_finish(&j);
		fflush(stdout);
	} else if (c) {
		fprintf(stderr, "%s ringfence: %s %s %s%s%s\n", when, rf_node_action_to_string(c->action),
			c->kind == RF_NODE_SECCOMP ? "seccomp" : "apparmor",
			c->localhost_profile ?: c->name, *c->sha256 ? " sha256:" : "", c->sha256);
	} else if (err) {
		/* A failure while reading the input changed nothing; one while writing may have
		 * changed part of the node (the next sync finishes it). */
		fprintf(stderr, "%s ringfence: sync failed: %s\n", when, msg);
	} else {
		fprintf(stderr, "%s ringfence: note: %s\n", when, msg);
	}
}

static int do_agent(struct node_args *a, size_t n_args)
{
	struct rf_node_agent_opts o = { .node = a->node, .source = a->source,
					.resync_seconds = a->resync, .debounce_ms = a->debounce_ms,
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
			a->node.root ?: RF_NODE_DEFAULT_ROOT, a->node.prefix ?: RF_NODE_DEFAULT_PREFIX,
			a->source);
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
		return do_status(&a, argv + optind, (size_t)(argc - optind));
	return do_agent(&a, (size_t)(argc - optind));
}
