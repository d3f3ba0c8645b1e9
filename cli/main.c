/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ringfence's entry point: global options, the command table, and the single place errors are
 * printed. Commands live in cmd-*.c; the work itself lives in lib/. */
#include <errno.h>
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
#include "core/json-writer.h"
#include "core/macro.h"
#include "ringfence/ebpf.h"
#include "ringfence/log.h"
#include "ringfence/profile.h"

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
	{ "oci-hook", cmd_oci_hook,
	  "OCI prestart hook: record a container (ebpf), write its profile" },
	{ "audit", cmd_audit, "check Kubernetes workloads against Pod Security Standards" },
	{ "node", cmd_node, "install profiles for the kubelet, report node readiness, sync agent" },
	{ "watch", cmd_watch, "detect threats at run time: rules over live events, findings" },
	{ "apparmor", cmd_apparmor,
	  "AppArmor profiles from a bane-style TOML or recordings; lint" },
	{ "k8s-audit", cmd_k8s_audit,
	  "detections over Kubernetes API server audit logs and webhooks" },
	{ "baseline", cmd_baseline, "merge and show learned baselines (watch --learn)" },
};

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

const char *profile_formats(bool usage)
{
	static char *names[2]; /* made once, kept for the life of the process */

	if (!names[usage])
		names[usage] = rf_format_names(usage ? "|" : ", ");
	return names[usage] ?: "?";
}

int unknown_format(const char *cmd, const char *s)
{
	return usage_error(cmd, "unknown format '%s' (%s)", s, profile_formats(false));
}

void print_error(const struct rf_error *e, int r)
{
	fprintf(stderr, "ringfence: %s\n", e && e->message ? e->message : strerror(r < 0 ? -r : r));
}

int finish_stdout(int code)
{
	static bool reported; /* a command checks before it returns, main once more: say it once */

	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (!reported)
			fprintf(stderr, "ringfence: writing to standard output failed: %s\n",
				strerror(errno ?: EIO));
		reported = true;
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

/* What this build and this kernel can do: -V as text, --json -V as a document. */
static void print_features(void)
{
	const struct scmp_version *v = seccomp_version();
	bool btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	long notify = syscall(SYS_seccomp, 3 /* SECCOMP_GET_NOTIF_SIZES */, 0, (void *)0);
	bool has_notify = !(notify < 0 && errno == EINVAL);
	struct rf_error e = { 0 };
	const char *ebpf = !rf_ebpf_built() ? "not-built" : rf_ebpf_probe(&e) >= 0 ? "yes" : "no";
	_cleanup_free_ char *libseccomp = NULL;
	struct rf_json j;

	if (asprintf(&libseccomp, "%u.%u.%u", v->major, v->minor, v->micro) < 0)
		libseccomp = NULL;
	if (!global.json) {
		printf("ringfence %s\n", RF_VERSION);
		printf("libseccomp %s (api level %u)\n", libseccomp ?: "?", seccomp_api_get());
		printf("features: seccomp-notify=%s btf=%s ebpf=%s\n", has_notify ? "yes" : "no",
		       btf ? "yes" : "no", ebpf);
		if (e.message)
			printf("ebpf: %s\n", e.message);
		rf_error_clear(&e);
		return;
	}
	rf_json_init(&j, stdout, global.pretty);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", "ringfence.version/v1");
	rf_json_string_field(&j, "version", RF_VERSION);
	rf_json_string_field(&j, "libseccomp", libseccomp);
	rf_json_uint_field(&j, "libseccomp_api", seccomp_api_get());
	rf_json_name(&j, "features");
	rf_json_start_object(&j);
	rf_json_bool_field(&j, "seccomp_notify", has_notify);
	rf_json_bool_field(&j, "btf", btf);
	rf_json_string_field(&j, "ebpf", ebpf);
	if (e.message)
		rf_json_string_field(&j, "ebpf_reason", e.message);
	rf_json_end_object(&j);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	rf_error_clear(&e);
}

static void print_help(void)
{
	printf("Usage: ringfence [OPTIONS] COMMAND [ARGS]\n\n"
	       "Least privilege for containers: seccomp profiles, capabilities, enforcement.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\nOptions:\n"
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
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool version = false;
	int c;

	rf_log_set_handler(log_to_stderr, NULL);
	/* '+': stop at the command name so its own options are left for it. */
	while ((c = getopt_long(argc, argv, "+jpvqVh", opts, NULL)) >= 0) {
		switch (c) {
		case 'j': global.json = true; break;
		case 'p': global.json = global.pretty = true; break;
		case 'v': global.verbose++; break;
		case 'q': global.quiet = true; break;
		case 'V': version = true; break;
		case 'h': print_help(); return finish_stdout(0);
		default: return usage_error(NULL, "invalid option");
		}
	}
	if (version) {
		print_features();
		return finish_stdout(0);
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
	return usage_error(NULL, "unknown command '%s'", argv[optind]);
}
