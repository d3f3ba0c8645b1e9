/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ringfence's entry point: global options, the command table, and the single place errors are
 * printed. Commands live in cmd-*.c; the work itself lives in lib/. */
#include <getopt.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "core/macro.h"
#include "ringfence/log.h"

struct global_opts global;

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "profile", cmd_profile, "show, lint, convert and diff seccomp profiles" },
	{ "run", cmd_run, "run a command under a profile and capability set" },
	{ "record", cmd_record, "record a command's syscalls; write a profile and an observation" },
	{ "generate", cmd_generate, "build profiles from observations or strace logs" },
	{ "oci-hook", cmd_oci_hook, "OCI prestart hook: record a container (ebpf), write its profile" },
	{ "audit", cmd_audit, "check Kubernetes workloads against Pod Security Standards" },
	{ "node", cmd_node, "install profiles for the kubelet, report node readiness, sync agent" },
};

/* Named in DESIGN.md's CLI contract, not built yet: say so instead of "unknown command". */
static const char *const planned[] = { "apparmor", "watch", "k8s-audit" };

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ringfence%s%s: ", cmd ? " " : "", cmd ?: "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ringfence%s%s --help'.\n", cmd ? " " : "", cmd ?: "");
	return EXIT_USAGE;
}

void print_error(const struct rf_error *e, int r)
{
	fprintf(stderr, "ringfence: %s\n", e && e->message ? e->message : strerror(r < 0 ? -r : r));
}

int finish_stdout(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ringfence: writing to stdout failed\n");
		return code ? code : EXIT_FOUND;
	}
	return code;
}

static void log_to_stderr(enum rf_log_level level, const char *msg, void *userdata)
{
	static const char *const prefix[] = { "error: ", "warning: ", "note: ", "", "debug: " };

	if (global.quiet && level > RF_LOG_ERROR)
		return;
	if (level >= RF_LOG_INFO && global.verbose < (int)(level - RF_LOG_NOTICE))
		return;
	fprintf(stderr, "ringfence: %s%s\n", prefix[level], msg);
}

static void print_features(void)
{
	const struct scmp_version *v = seccomp_version();
	bool btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	long notify = syscall(SYS_seccomp, 3 /* SECCOMP_GET_NOTIF_SIZES */, 0, (void *)0);

	printf("ringfence %s\n", RF_VERSION);
	printf("libseccomp %u.%u.%u (api level %u)\n", v->major, v->minor, v->micro,
	       seccomp_api_get());
	printf("features: seccomp-notify=%s btf=%s ebpf=not-built\n",
	       notify < 0 && errno == EINVAL ? "no" : "yes", btf ? "yes" : "no");
}

static void print_help(void)
{
	printf("Usage: ringfence [OPTIONS] COMMAND [ARGS]\n\n"
	       "Least privilege for containers: seccomp profiles, capabilities, enforcement.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\nPlanned, not built yet: ");
	for (size_t i = 0; i < ELEMENTSOF(planned); i++)
		printf("%s%s", i ? ", " : "", planned[i]);
	printf("\n\nOptions:\n"
	       "  -j, --json      machine-readable output on stdout\n"
	       "  -p, --pretty    indented JSON (implies --json)\n"
	       "  -v, --verbose   more messages on stderr (repeatable)\n"
	       "  -q, --quiet     only errors on stderr\n"
	       "  -V, --version   versions and kernel features\n"
	       "  -h, --help      this text\n\n"
	       "'ringfence COMMAND --help' describes a command. See ringfence(1).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },    { "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' }, { "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' }, { "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	rf_log_set_handler(log_to_stderr, NULL);
	/* '+': stop at the command name so its own options are left for it. */
	while ((c = getopt_long(argc, argv, "+jpvqVh", opts, NULL)) >= 0) {
		switch (c) {
		case 'j': global.json = true; break;
		case 'p': global.json = global.pretty = true; break;
		case 'v': global.verbose++; break;
		case 'q': global.quiet = true; break;
		case 'V': print_features(); return finish_stdout(0);
		case 'h': print_help(); return finish_stdout(0);
		default: return usage_error(NULL, "invalid option");
		}
	}
	if (optind >= argc)
		return usage_error(NULL, "no command given");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (streq(argv[optind], commands[i].name)) {
			int r;
			argc -= optind;
			argv += optind;
			optind = 0; /* reset getopt for the command */
			r = commands[i].fn(argc, argv);
			return finish_stdout(r);
		}
	for (size_t i = 0; i < ELEMENTSOF(planned); i++)
		if (streq(argv[optind], planned[i])) {
			fprintf(stderr,
				"ringfence: '%s' is planned but not implemented yet (see README, "
				"\"Status\")\n",
				planned[i]);
			return EXIT_USAGE;
		}
	return usage_error(NULL, "unknown command '%s'", argv[optind]);
}
