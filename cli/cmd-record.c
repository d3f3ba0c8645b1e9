/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence record`: trace a command (or attach to a process), write the observation and the
 * profile built from it, and leave with the command's own status. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "core/errno-name.h"
#include "core/macro.h"
#include "core/number.h"
#include "core/strv.h"
#include "ringfence/builder.h"
#include "ringfence/observation.h"
#include "ringfence/outputs.h"
#include "ringfence/ptrace.h"
#include "ringfence/record.h"
#include "ringfence/run.h"

#define RECORD_HELP                                                                                \
	"Usage: ringfence record [--backend auto|ptrace|ebpf] [-o PROFILE] [--format %s]\n"        \
	"                        [--observation OBS.json] [--args] [--default-errno N|ENOSYS]\n"   \
	"                        [--fast] [--caps-out FILE] [--apparmor-out FILE]\n"               \
	"                        [--runtime-base auto|runc|none]\n"                                \
	"                        ( -- CMD [ARG...] | --pid PID | --cgroup PATH )\n"                \
	"\n"                                                                                       \
	"Records every syscall a command and all its children and threads make, as (arch, nr)\n"   \
	"(a 32-bit program is recorded under SCMP_ARCH_X86), then writes a least-privilege\n"      \
	"seccomp profile (-o) and/or the observation it was built from (--observation; feed it\n"  \
	"to 'ringfence generate' later, or merge several). At least one of the two is needed.\n"   \
	"\n"                                                                                       \
	"  --backend B       ebpf: CO-RE tracepoints, near-zero overhead, root only; ptrace:\n"    \
	"                    unprivileged, one stop per syscall; auto (default): ebpf when it\n"   \
	"                    loads here, else ptrace, and says which on stderr\n"                  \
	"  --cgroup PATH     (ebpf) every task in a cgroup v2 directory and below, e.g. a\n"       \
	"                    container's; stop with Ctrl-C\n"                                      \
	"  --args            argument rules for multiplexers with few observed values (socket\n"   \
	"                    family, clone flags, personality, prctl option, ioctl request, W^X\n" \
	"                    for mmap/mprotect when no executable mapping was made)\n"             \
	"  --default-errno E errno of the default action (default EPERM; ENOSYS or a number)\n"    \
	"  --fast            do not stop on these hot syscalls; they are always allowed in the\n"  \
	"                    profile and listed in the observation:\n"                             \
	"                    %s\n"                                                                 \
	"  --runtime-base B  add what the container runtime makes after installing the\n"          \
	"                    container's filter: runc (data/runc-tail.txt), none, or auto\n"       \
	"                    (default: runc's when runc init is seen after the bootstrap cut)\n"   \
	"  --caps-out FILE   suggested capabilities as a Kubernetes securityContext (YAML),\n"     \
	"                    with the reason for each; a summary goes to stderr\n"                 \
	"  --apparmor-out FILE  an AppArmor profile of what the command did (files, sockets,\n"    \
	"                    executables; NAME.apparmor is profile NAME); needs ptrace, which\n"   \
	"                    --backend auto then picks\n"                                          \
	"  --pid PID         attach to every thread of a running process and its future\n"         \
	"                    children; stop with Ctrl-C (or when it exits), then write.\n"         \
	"\n"                                                                                       \
	"The command's stdin/stdout/stderr, signals and exit status are its own; Ctrl-C reaches\n" \
	"it and the recording is still written. Exit status: the command's (125 if recording\n"    \
	"failed, 126/127 as for run).\n"

enum {
	OPT_BACKEND = 0x100,
	OPT_FORMAT,
	OPT_OBS,
	OPT_ARGS,
	OPT_ERRNO,
	OPT_FAST,
	OPT_PID,
	OPT_CGROUP,
	OPT_CAPS_OUT,
	OPT_RUNTIME_BASE,
	OPT_APPARMOR_OUT
};

struct record_opts {
	const char *output, *observation, *format, *cgroup, *caps_out, *apparmor_out;
	enum rf_backend backend;
	bool args, fast;
	uint32_t default_errno;
	int runtime_base; /* enum rf_runtime_base */
	pid_t pid;
	char **argv;
};

static int stop_pipe[2] = { -1, -1 };
static volatile pid_t forward_pid;

/* The recorder watches the read end: a byte written here stops an attached recording. */
static void on_stop_signal(int sig)
{
	int saved = errno;

	(void)!write(stop_pipe[1], "s", 1);
	errno = saved;
}

/* A handler, not SIG_IGN: an ignored disposition would survive the command's execve and Ctrl-C
 * would no longer reach it; a handler is reset to the default there. */
static void on_terminal_signal(int sig)
{
}

static void on_forward_signal(int sig)
{
	if (forward_pid > 0)
		(void)kill(forward_pid, sig);
}

static void print_help(void)
{
	_cleanup_free_ char *list = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&list, &len);

	for (size_t i = 0; f && rf_ptrace_fast_syscalls[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", rf_ptrace_fast_syscalls[i]);
	if (f)
		fclose(f);
	printf(RECORD_HELP, profile_formats(true), list ?: "");
}

int parse_errno_name(const char *s, uint32_t *ret)
{
	int e = rf_errno_from_name_len(s, strlen(s), true);
	unsigned v;

	if (e > 0) {
		*ret = (uint32_t)e;
		return 0;
	}
	if (rf_parse_unsigned(s, 4095, &v) < 0 || v == 0)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static int parse(int argc, char **argv, struct record_opts *o)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "observation", required_argument, NULL, OPT_OBS },
		{ "args", no_argument, NULL, OPT_ARGS },
		{ "default-errno", required_argument, NULL, OPT_ERRNO },
		{ "fast", no_argument, NULL, OPT_FAST },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "caps-out", required_argument, NULL, OPT_CAPS_OUT },
		{ "apparmor-out", required_argument, NULL, OPT_APPARMOR_OUT },
		{ "runtime-base", required_argument, NULL, OPT_RUNTIME_BASE },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	unsigned pid;
	int c;

	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_BACKEND:
			if (rf_backend_from_string(optarg, &o->backend) < 0)
				return usage_error("record", "--backend '%s': auto, ptrace or ebpf",
						   optarg);
			break;
		case 'o': o->output = optarg; break;
		case OPT_FORMAT: o->format = optarg; break;
		case OPT_OBS: o->observation = optarg; break;
		case OPT_ARGS: o->args = true; break;
		case OPT_FAST: o->fast = true; break;
		case OPT_ERRNO:
			if (parse_errno_name(optarg, &o->default_errno) < 0)
				return usage_error("record", "--default-errno '%s' is not an errno",
						   optarg);
			break;
		case OPT_PID:
			/* A pid_t is an int: a wider number must not wrap onto another process
			 * (4294967297 was pid 1). */
			if (rf_parse_unsigned(optarg, INT32_MAX, &pid) < 0 || pid == 0)
				return usage_error("record", "--pid '%s' is not a pid (1..%d)",
						   optarg, INT32_MAX);
			o->pid = (pid_t)pid;
			break;
		case OPT_CGROUP: o->cgroup = optarg; break;
		case OPT_CAPS_OUT: o->caps_out = optarg; break;
		case OPT_APPARMOR_OUT: o->apparmor_out = optarg; break;
		case OPT_RUNTIME_BASE:
			if (parse_runtime_base("record", optarg, &o->runtime_base) != 0)
				return EXIT_USAGE;
			break;
		case 'h': print_help(); return 0;
		default: return usage_error("record", "invalid option");
		}
	}
	if (o->cgroup && o->backend == RF_BACKEND_PTRACE)
		return usage_error("record", "--cgroup needs the ebpf backend");
	if (o->fast && o->backend == RF_BACKEND_EBPF)
		return usage_error("record", "--fast is a ptrace option (ebpf records everything)");
	if (!o->output && !o->observation && !o->caps_out && !o->apparmor_out)
		return usage_error("record", "say where to write: -o PROFILE, --observation FILE, "
					     "--caps-out FILE and/or --apparmor-out FILE");
	/* Only ptrace decodes files and sockets today (eBPF's own file events are to come). */
	if (o->apparmor_out && (o->backend == RF_BACKEND_EBPF || o->cgroup))
		return usage_error("record", "--apparmor-out needs file events: --backend ptrace");
	if (o->apparmor_out)
		o->backend = RF_BACKEND_PTRACE;
	if ((optind < argc) + (o->pid > 0) + (o->cgroup != NULL) != 1)
		return usage_error("record",
				   "give one of -- CMD [ARG...], --pid PID, --cgroup PATH");
	if (o->format && rf_format_from_string(o->format) == RF_FORMAT_UNKNOWN)
		return unknown_format("record", o->format);
	o->argv = optind < argc ? argv + optind : NULL;
	return -1;
}

static void install_signals(const struct record_opts *o)
{
	struct sigaction stop = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART };
	struct sigaction fwd = { .sa_handler = on_forward_signal, .sa_flags = SA_RESTART };
	struct sigaction ign = { .sa_handler = on_terminal_signal, .sa_flags = SA_RESTART };

	if (o->pid > 0 || o->cgroup) {
		(void)sigaction(SIGINT, &stop, NULL);
		(void)sigaction(SIGTERM, &stop, NULL);
		(void)sigaction(SIGHUP, &stop, NULL);
		return;
	}
	/* The terminal's Ctrl-C and Ctrl-\ reach the command's process group directly; the
	 * recorder keeps going until the command is done, then writes. */
	(void)sigaction(SIGINT, &ign, NULL);
	(void)sigaction(SIGQUIT, &ign, NULL);
	(void)sigaction(SIGTERM, &fwd, NULL);
	(void)sigaction(SIGHUP, &fwd, NULL);
}

int parse_runtime_base(const char *cmd, const char *s, int *ret)
{
	enum rf_runtime_base b;

	if (rf_runtime_base_from_string(s, &b) < 0)
		return usage_error(cmd, "--runtime-base must be auto, runc or none, not '%s'", s);
	*ret = (int)b;
	return 0;
}

int write_outputs(const struct rf_observation *obs, const struct rf_outputs *out)
{
	struct rf_error e = { 0 };
	int r = rf_outputs_write(obs, out, &e);

	if (r < 0)
		print_error(&e, r);
	rf_error_clear(&e);
	return r;
}

int cmd_record(int argc, char **argv)
{
	_cleanup_(rf_obs_freep) struct rf_observation *obs = rf_obs_new();
	struct record_opts o = { 0 };
	struct rf_record_opts ro;
	struct rf_record_result res = { 0 };
	struct rf_sinks sinks = { 0 };
	struct rf_sink obs_sink;
	struct rf_error e = { 0 };
	int r, code = RF_EXIT_FAILED;

	r = parse(argc, argv, &o);
	if (r >= 0)
		return r;
	if (!obs)
		return RF_EXIT_FAILED;
	if (o.argv) {
		_cleanup_free_ char *path = NULL;
		if (rf_find_executable(o.argv[0], &path, &code, &e) < 0) {
			print_error(&e, -ENOENT);
			rf_error_clear(&e);
			return code;
		}
	}
	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return RF_EXIT_FAILED;
	rf_obs_sink(obs, &obs_sink);
	(void)rf_sinks_add(&sinks, &obs_sink);
	ro = (struct rf_record_opts){ .backend = o.backend,
				      .argv = o.argv,
				      .pid = o.pid,
				      .cgroup = o.cgroup,
				      .fast = o.fast,
				      .stop_fd = stop_pipe[0],
				      .child_pid = &forward_pid };
	{
		_cleanup_free_ char *why = NULL;

		r = rf_record_choose(&ro, &sinks, &ro.backend, &why, &e);
		if (r < 0) {
			print_error(&e, r);
			rf_error_clear(&e);
			return RF_EXIT_FAILED;
		}
		if (!global.quiet && why)
			fprintf(stderr, "ringfence: recording with ptrace (ebpf unavailable: %s)\n",
				why);
		else if (!global.quiet && ro.backend == RF_BACKEND_EBPF)
			fprintf(stderr, "ringfence: recording with ebpf\n");
	}
	install_signals(&o);
	r = rf_record(&ro, &sinks, &res, &e);
	if (r >= 0 && res.lost)
		fprintf(stderr,
			"ringfence: warning: the kernel side lost %llu records "
			"(ring buffer or map full); the observation says so\n",
			(unsigned long long)res.lost);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return RF_EXIT_FAILED;
	}
	if (write_outputs(obs,
			  &(struct rf_outputs){ .observation = o.observation,
						.seccomp = o.output,
						.format = o.format ? rf_format_from_string(o.format)
								   : RF_FORMAT_OCI,
						.build = { .args = o.args,
							   .default_errno = o.default_errno,
							   .runtime_base = o.runtime_base },
						.caps = o.caps_out,
						.caps_summary = global.quiet ? NULL : stderr,
						.apparmor = o.apparmor_out }) < 0)
		return RF_EXIT_FAILED;
	if (!global.quiet)
		fprintf(stderr, "ringfence: recorded %zu distinct syscalls (%.3f s)\n",
			obs->n_syscalls, res.duration_ns / 1e9);
	/* An attached process is not ours: its status is its parent's business. */
	if (o.pid > 0 || res.wait_status < 0)
		return 0;
	return leave_like_child(res.wait_status);
}
