/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence watch`: runtime threat detection. Options become a struct rf_watch_config and its
 * outputs; lib/watch/session.c does the work. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "core/number.h"
#include "core/strv.h"
#include "ringfence/alert.h"
#include "ringfence/intel.h"
#include "ringfence/rules.h"
#include "ringfence/run.h"
#include "ringfence/selftest.h"
#include "ringfence/watch.h"

#define WATCH_HELP                                                                                 \
	"Usage: ringfence watch [--rules FILE]... [--no-default-rules] [--suppress FILE]...\n"     \
	"                       [--ioc FILE]... [--kill [--dry-run]]\n"                            \
	"                       [--backend auto|ebpf|ptrace] [--format text|json] [--output "      \
	"FILE]\n"                                                                                  \
	"                       [--syslog[=SOCKET]] [--webhook URL] [--fail-on PRIORITY] "         \
	"[--stats[=SEC]]\n"                                                                        \
	"                       [--learn DURATION | --mode monitor|protect] [--baseline FILE]\n"   \
	"                       ( --all | --cgroup PATH | --pid PID | -- CMD [ARG...] )\n"         \
	"       ringfence watch --list-rules [--rules FILE]... [--no-default-rules]\n"             \
	"       ringfence [--json] watch --selftest [--backend auto|ebpf|ptrace]\n"                \
	"\n"                                                                                       \
	"Detects threats at run time: every event of the watched processes goes through the "      \
	"rules\n"                                                                                  \
	"(the default set, data/rules/ringfence-default.yaml, then each --rules file, which may\n" \
	"append to or override it); a match is a finding (docs/findings.md), written at once.\n"   \
	"\n"                                                                                       \
	"What to watch:\n"                                                                         \
	"  --all             every process of the node (ebpf)\n"                                   \
	"  --cgroup PATH     a cgroup v2 directory and below, e.g. a container's (ebpf)\n"         \
	"  --pid PID         a running process and its future children\n"                          \
	"  -- CMD [ARG...]   a command and its children; ends with it\n"                           \
	"  --backend B       ebpf: tracepoints, root; ptrace: no privileges, a command or --pid\n" \
	"                    only, slower; auto (default): ebpf when it loads, else ptrace\n"      \
	"Rules:\n"                                                                                 \
	"  --rules FILE      a rule file (YAML, Falco's format: rules, macros, lists, "            \
	"exceptions)\n"                                                                            \
	"  --no-default-rules  only the --rules files\n"                                           \
	"  --suppress FILE   findings matching an entry are counted, not reported\n"               \
	"  --ioc FILE        threat list (IPs/CIDRs, domains, SHA-256; text, CSV or STIX-lite\n"   \
	"                    JSON); adds the ioc rules; reloaded on SIGHUP and when it changes\n"  \
	"  --k8s-metadata FILE  container and pod names for findings, from `crictl ps -o json`\n"  \
	"                    or `kubectl get pods -o json` output; re-read when it changes\n"      \
	"  --rate-limit N/SEC  findings per rule, container and process per window (10/60)\n"      \
	"  --kill            stop the process of a finding of a rule with 'action: kill'\n"        \
	"                    (SIGKILL; never ringfence, PID 1 or kernel threads); refuse the\n"    \
	"                    call of an 'action: deny' rule before it runs (ptrace: EPERM);\n"     \
	"                    --dry-run: only say what would have been killed or denied\n"          \
	"  --list-rules      print the rules (name, priority, finding type, MITRE ids) and "       \
	"exit;\n"                                                                                  \
	"                    --ioc lists are loaded and counted too\n"                             \
	"  --selftest        perform every default rule's behaviour safely (throwaway dir, fake\n" \
	"                    container cgroup, own network namespace) and a benign near miss,\n"   \
	"                    watched with --backend; per rule: detected/missed/skipped, "          \
	"latency;\n"                                                                               \
	"                    exit 1 when one was missed or a near miss fired\n"                    \
	"Learned baselines (docs/baseline.md):\n"                                                  \
	"  --learn DURATION  watch that long (30s, 10m, 1h, 2d; a command is then sent SIGTERM)\n" \
	"                    and write what each workload did to --baseline FILE\n"                \
	"  --baseline FILE   without --learn: what a workload never did is a finding\n"            \
	"  --mode M          monitor (default): alert; protect: the baseline and drift rules "     \
	"ask\n"                                                                                    \
	"                    for kill (the finding's action)\n"                                    \
	"Findings go to:\n"                                                                        \
	"  standard output   in --format text (default) or json (JSON Lines); --no-stdout: not\n"  \
	"  --output FILE     JSON Lines appended; rotated past --output-max-mb (100) keeping\n"    \
	"                    --output-keep (5) old files\n"                                        \
	"  --syslog[=SOCKET] syslog datagrams (default /dev/log), facility auth\n"                 \
	"  --webhook URL     an HTTP(S) POST per finding, retried with backoff from a bounded\n"   \
	"                    queue; --webhook-header 'Name: value' (repeatable), --webhook-ca "    \
	"FILE\n"                                                                                   \
	"  --dump-events FILE  every event as a JSON line (for writing and testing rules)\n"       \
	"  --stats[=SEC]     counters at the end (always, one line) and every SEC seconds\n"       \
	"  --fail-on PRIO    exit 1 when a finding of this priority or worse was reported\n"       \
	"\n"                                                                                       \
	"Drop counters (events the kernel could not deliver) are printed at the end; a finding\n"  \
	"whose inputs overlap a loss says \"coverage\": \"partial\". Stop with Ctrl-C (a "         \
	"command:\n"                                                                               \
	"when it ends); SIGHUP reloads the --ioc lists (a command: SIGHUP is passed to it).\n"     \
	"Exit status: 0; 1 with --fail-on met; a command's own status when it\n"                   \
	"failed; 125 when watching could not start; 2 usage.\n"

enum {
	OPT_RULES = 0x100,
	OPT_NO_DEFAULT,
	OPT_SUPPRESS,
	OPT_BACKEND,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_OUT_MAX,
	OPT_OUT_KEEP,
	OPT_SYSLOG,
	OPT_WEBHOOK,
	OPT_WEBHOOK_HEADER,
	OPT_WEBHOOK_CA,
	OPT_DUMP,
	OPT_STATS,
	OPT_FAIL_ON,
	OPT_LIST,
	OPT_ALL,
	OPT_CGROUP,
	OPT_PID,
	OPT_META,
	OPT_RATE,
	OPT_NO_STDOUT,
	OPT_IOC,
	OPT_KILL,
	OPT_DRY_RUN,
	OPT_SELFTEST,
	OPT_LEARN,
	OPT_BASELINE,
	OPT_MODE
};

struct watch_cli {
	struct rf_watch_config c;
	char **rules, **suppress, **headers, **ioc;
	enum rf_alert_format format;
	const char *output, *syslog, *webhook, *webhook_ca, *dump;
	bool want_syslog, no_stdout, list, stats, selftest, mode_given;
	unsigned out_max_mb, out_keep;
	uint64_t learn_s;
	const char *learn_arg;
};

static int stop_pipe[2] = { -1, -1 };
static int reload_pipe[2] = { -1, -1 };
static volatile pid_t forward_pid;
static volatile sig_atomic_t learn_over;

static void on_stop_signal(int sig)
{
	int saved = errno;

	(void)!write(stop_pipe[1], "s", 1);
	errno = saved;
}

static void on_reload_signal(int sig)
{
	int saved = errno;

	(void)!write(reload_pipe[1], "r", 1);
	errno = saved;
}

static void on_terminal_signal(int sig)
{
}

static void on_forward_signal(int sig)
{
	if (forward_pid > 0)
		(void)kill(forward_pid, sig);
}

/* --learn is over: stop watching; a command ends (learning ends with it). */
static void on_learn_over(int sig)
{
	learn_over = 1;
	on_stop_signal(sig);
	on_forward_signal(SIGTERM);
}

static int parse_rate(const char *s, struct rf_watch_config *c)
{
	const char *slash = strchr(s, '/');
	_cleanup_free_ char *n = slash ? strndup(s, (size_t)(slash - s)) : NULL;
	unsigned burst, sec;

	if (!slash || !n || rf_parse_unsigned(n, 1000000, &burst) < 0 || burst == 0 ||
	    rf_parse_unsigned(slash + 1, 86400, &sec) < 0 || sec == 0)
		return -EINVAL;
	c->rate_burst = burst;
	c->rate_window_ns = (uint64_t)sec * 1000000000u;
	return 0;
}

static int parse(int argc, char **argv, struct watch_cli *o)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
		{ "suppress", required_argument, NULL, OPT_SUPPRESS },
		{ "k8s-metadata", required_argument, NULL, OPT_META },
		{ "ioc", required_argument, NULL, OPT_IOC },
		{ "kill", no_argument, NULL, OPT_KILL },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "rate-limit", required_argument, NULL, OPT_RATE },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "no-stdout", no_argument, NULL, OPT_NO_STDOUT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "output-max-mb", required_argument, NULL, OPT_OUT_MAX },
		{ "output-keep", required_argument, NULL, OPT_OUT_KEEP },
		{ "syslog", optional_argument, NULL, OPT_SYSLOG },
		{ "webhook", required_argument, NULL, OPT_WEBHOOK },
		{ "webhook-header", required_argument, NULL, OPT_WEBHOOK_HEADER },
		{ "webhook-ca", required_argument, NULL, OPT_WEBHOOK_CA },
		{ "dump-events", required_argument, NULL, OPT_DUMP },
		{ "stats", optional_argument, NULL, OPT_STATS },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "list-rules", no_argument, NULL, OPT_LIST },
		{ "selftest", no_argument, NULL, OPT_SELFTEST },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "learn", required_argument, NULL, OPT_LEARN },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct rf_watch_config *c = &o->c;
	enum rf_priority prio;
	unsigned v;
	int ch;

	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) >= 0) {
		switch (ch) {
		case OPT_RULES:
			if (strv_extend(&o->rules, optarg) < 0)
				return RF_EXIT_FAILED;
			break;
		case OPT_NO_DEFAULT: c->no_default_rules = true; break;
		case OPT_SUPPRESS:
			if (strv_extend(&o->suppress, optarg) < 0)
				return RF_EXIT_FAILED;
			break;
		case OPT_META: c->container_names = optarg; break;
		case OPT_KILL: c->kill = true; break;
		case OPT_DRY_RUN: c->dry_run = true; break;
		case OPT_IOC:
			if (strv_extend(&o->ioc, optarg) < 0)
				return RF_EXIT_FAILED;
			break;
		case OPT_RATE:
			if (parse_rate(optarg, c) < 0)
				return usage_error("watch",
						   "--rate-limit '%s': N/SECONDS, e.g. 10/60",
						   optarg);
			break;
		case OPT_BACKEND:
			if (rf_watch_backend_from_string(optarg, &c->source.backend) < 0)
				return usage_error("watch", "--backend '%s': auto, ebpf or ptrace",
						   optarg);
			break;
		case OPT_FORMAT:
			if (streq(optarg, "text"))
				o->format = RF_ALERT_TEXT;
			else if (streq(optarg, "json"))
				o->format = RF_ALERT_JSON;
			else
				return usage_error("watch", "--format '%s': text or json", optarg);
			break;
		case OPT_NO_STDOUT: o->no_stdout = true; break;
		case OPT_OUTPUT: o->output = optarg; break;
		case OPT_OUT_MAX:
			if (rf_parse_unsigned(optarg, 1u << 20, &v) < 0 || v == 0)
				return usage_error("watch", "--output-max-mb '%s': 1..%u", optarg,
						   1u << 20);
			o->out_max_mb = v;
			break;
		case OPT_OUT_KEEP:
			if (rf_parse_unsigned(optarg, 1000, &v) < 0)
				return usage_error("watch", "--output-keep '%s': 0..1000", optarg);
			o->out_keep = v;
			break;
		case OPT_SYSLOG:
			o->want_syslog = true;
			o->syslog = optarg;
			break;
		case OPT_WEBHOOK: o->webhook = optarg; break;
		case OPT_WEBHOOK_HEADER:
			if (!strchr(optarg, ':') || strpbrk(optarg, "\r\n"))
				return usage_error("watch",
						   "--webhook-header '%s': 'Name: value' "
						   "on one line",
						   optarg);
			if (strv_extend(&o->headers, optarg) < 0)
				return RF_EXIT_FAILED;
			break;
		case OPT_WEBHOOK_CA: o->webhook_ca = optarg; break;
		case OPT_DUMP: o->dump = optarg; break;
		case OPT_STATS:
			o->stats = true;
			if (optarg) {
				if (rf_parse_unsigned(optarg, 86400, &v) < 0 || v == 0)
					return usage_error("watch", "--stats=%s: seconds, 1..86400",
							   optarg);
				c->stats_interval_ns = (uint64_t)v * 1000000000u;
			}
			break;
		case OPT_FAIL_ON:
			if (rf_priority_from_string(optarg, &prio) < 0)
				return usage_error("watch",
						   "--fail-on '%s': emergency, alert, "
						   "critical, error, warning, notice, "
						   "informational or debug",
						   optarg);
			c->fail_on = (int)prio;
			break;
		case OPT_LIST: o->list = true; break;
		case OPT_SELFTEST: o->selftest = true; break;
		case OPT_ALL: c->source.all = true; break;
		case OPT_CGROUP: c->source.cgroup = optarg; break;
		case OPT_PID:
			if (rf_parse_unsigned(optarg, INT32_MAX, &v) < 0 || v == 0)
				return usage_error("watch", "--pid '%s' is not a pid (1..%d)",
						   optarg, INT32_MAX);
			c->source.pid = (pid_t)v;
			break;
		case OPT_LEARN:
			if (rf_parse_duration_s(optarg, 366 * 86400, &o->learn_s) < 0 ||
			    !o->learn_s)
				return usage_error("watch",
						   "--learn '%s': a duration such as 30s, 10m, "
						   "1h or 2d (at most 366d)",
						   optarg);
			c->learn = true;
			o->learn_arg = optarg;
			break;
		case OPT_BASELINE: c->baseline = optarg; break;
		case OPT_MODE:
			if (!streq(optarg, "monitor") && !streq(optarg, "protect"))
				return usage_error("watch", "--mode '%s': monitor or protect",
						   optarg);
			c->protect = streq(optarg, "protect");
			o->mode_given = true;
			break;
		case 'h': printf(WATCH_HELP); return 0;
		default: return usage_error("watch", "invalid option");
		}
	}
	c->source.argv = optind < argc ? argv + optind : NULL;
	if (o->selftest)
		return c->source.argv || c->source.all || c->source.cgroup || c->source.pid ||
				       o->list
			       ? usage_error("watch", "--selftest watches its own performer")
			       : -1;
	if (o->list)
		return c->source.argv || c->source.all || c->source.cgroup || c->source.pid
			       ? usage_error("watch", "--list-rules watches nothing")
			       : -1;
	if (c->source.all + (c->source.cgroup != NULL) + (c->source.pid > 0) +
		    (c->source.argv != NULL) !=
	    1)
		return usage_error("watch", "give one of --all, --cgroup PATH, --pid PID, -- CMD");
	if (c->source.backend == RF_WATCH_PTRACE && (c->source.all || c->source.cgroup))
		return usage_error("watch", "the ptrace backend watches a command or --pid, not %s",
				   c->source.all ? "--all" : "--cgroup");
	if ((c->learn || o->mode_given) && !c->baseline)
		return usage_error("watch", "%s needs --baseline FILE",
				   c->learn ? "--learn" : "--mode");
	if (c->learn && o->mode_given)
		return usage_error("watch", "--mode applies to a baseline read, not one learnt");
	if (o->no_stdout && !o->output && !o->want_syslog && !o->webhook)
		return usage_error("watch", "--no-stdout leaves findings nowhere: add --output, "
					    "--syslog or --webhook");
	return -1;
}

static int list_rules(const struct rf_watch_config *c)
{
	struct rf_ruleset *rs = NULL;
	struct rf_error e = { 0 };
	struct rf_json j;
	int r = rf_watch_rules(c, &rs, &e);

	if (r >= 0 && c->ioc_files && c->ioc_files[0]) {
		/* The lists are checked too: --list-rules is also "is my configuration good". */
		struct rf_intel *in = NULL;
		struct rf_intel_stats st;

		r = rf_intel_new(
			&(struct rf_intel_opts){ .ioc_files = c->ioc_files, .watch_files_ms = -1u },
			&in, &e);
		if (r >= 0) {
			rf_intel_stats(in, &st);
			if (!global.quiet)
				fprintf(stderr,
					"ringfence: threat lists: %zu addresses, %zu domains, "
					"%zu zones, %zu hashes\n",
					st.counts.ips, st.counts.domains, st.counts.zones,
					st.counts.hashes);
			rf_intel_free(in);
		}
	}
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		rf_ruleset_free(rs);
		return RF_EXIT_FAILED;
	}
	if (global.json) {
		rf_json_init(&j, stdout, global.pretty);
		rf_json_start_array(&j);
	}
	for (size_t i = 0; i < rf_ruleset_count(rs); i++) {
		const struct rf_rule *rule = rf_ruleset_rule(rs, i);
		char *const *m = rf_rule_mitre(rule);

		if (global.json) {
			rf_json_start_object(&j);
			rf_json_string_field(&j, "rule", rf_rule_name(rule));
			rf_json_string_field(&j, "priority",
					     rf_priority_name(rf_rule_priority(rule)));
			rf_json_string_field(&j, "type", rf_rule_finding_type(rule));
			rf_json_name(&j, "mitre");
			rf_json_start_array(&j);
			STRV_FOREACH(t, m)
				rf_json_string(&j, *t);
			rf_json_end_array(&j);
			rf_json_bool_field(&j, "enabled", rf_rule_enabled(rule));
			rf_json_string_field(&j, "origin", rf_rule_origin(rule));
			rf_json_end_object(&j);
			continue;
		}
		printf("%-13s %-55s %s%s%s\n", rf_priority_name(rf_rule_priority(rule)),
		       rf_rule_finding_type(rule), rf_rule_name(rule),
		       rf_rule_enabled(rule) ? "" : " (disabled)", "");
	}
	if (global.json) {
		rf_json_end_array(&j);
		rf_json_finish(&j);
		putchar('\n');
	}
	rf_ruleset_free(rs);
	return finish_stdout(0);
}

static int add_outputs(struct watch_cli *o, struct rf_alerts *a)
{
	struct rf_alert_out *out = NULL;
	struct rf_error e = { 0 };
	int r = 0;

	if (!o->no_stdout && (r = rf_alert_stdout_new(o->format, &out)) >= 0)
		r = rf_alerts_add(a, out);
	if (r >= 0 && o->output &&
	    (r = rf_alert_file_new(o->output, RF_ALERT_JSON, (uint64_t)(o->out_max_mb ?: 100) << 20,
				   o->out_keep ?: 5, &out, &e)) >= 0)
		r = rf_alerts_add(a, out);
	if (r >= 0 && o->want_syslog &&
	    (r = rf_alert_syslog_new(o->syslog, RF_ALERT_JSON, &out, &e)) >= 0)
		r = rf_alerts_add(a, out);
	if (r >= 0 && o->webhook &&
	    (r = rf_alert_webhook_new(
		     &(struct rf_webhook_opts){ .url = o->webhook,
						.headers = (const char *const *)o->headers,
						.ca_file = o->webhook_ca },
		     &out, &e)) >= 0)
		r = rf_alerts_add(a, out);
	if (r < 0)
		print_error(&e, r);
	rf_error_clear(&e);
	return r;
}

static void install_signals(const struct rf_watch_opts *s)
{
	struct sigaction stop = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART };
	struct sigaction fwd = { .sa_handler = on_forward_signal, .sa_flags = SA_RESTART };
	struct sigaction ign = { .sa_handler = on_terminal_signal, .sa_flags = SA_RESTART };
	struct sigaction reload = { .sa_handler = on_reload_signal, .sa_flags = SA_RESTART };

	if (!s->argv) {
		/* A daemon's convention: SIGHUP reloads (the threat lists), it does not stop. */
		(void)sigaction(SIGINT, &stop, NULL);
		(void)sigaction(SIGTERM, &stop, NULL);
		(void)sigaction(SIGHUP, &reload, NULL);
		return;
	}
	/* As record: the terminal's Ctrl-C reaches the command's process group itself. */
	(void)sigaction(SIGINT, &ign, NULL);
	(void)sigaction(SIGQUIT, &ign, NULL);
	(void)sigaction(SIGTERM, &fwd, NULL);
	(void)sigaction(SIGHUP, &fwd, NULL);
}

int cmd_watch(int argc, char **argv)
{
	struct watch_cli o = { .c = { .fail_on = -1 } };
	struct rf_alerts alerts = { 0 };
	struct rf_watch_summary sum;
	struct rf_error e = { 0 };
	_cleanup_fclose_ FILE *dump = NULL;
	int r, code = RF_EXIT_FAILED;

	if (argc > 1 && streq(argv[1], RF_SELFTEST_CHILD_OPT))
		rf_selftest_child(argc, argv); /* the selftest's performer; does not return */
	r = parse(argc, argv, &o);
	if (r >= 0)
		goto out;
	if (o.selftest) {
		r = watch_selftest(o.c.source.backend);
		goto out;
	}
	o.c.rule_files = o.rules;
	o.c.suppress_files = o.suppress;
	o.c.ioc_files = o.ioc;
	if (o.list) {
		r = list_rules(&o.c);
		goto out;
	}
	if (o.c.source.argv) {
		_cleanup_free_ char *path = NULL;

		if (rf_find_executable(o.c.source.argv[0], &path, &code, &e) < 0) {
			print_error(&e, -ENOENT);
			r = code;
			goto out;
		}
	}
	if (o.dump && !(dump = fopen(o.dump, "we"))) {
		fprintf(stderr, "ringfence: %s: %s\n", o.dump, strerror(errno));
		r = RF_EXIT_FAILED;
		goto out;
	}
	if (add_outputs(&o, &alerts) < 0 || pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(reload_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		r = RF_EXIT_FAILED;
		goto out;
	}
	o.c.alerts = &alerts;
	o.c.dump_events = dump;
	o.c.diag = global.quiet ? NULL : stderr;
	o.c.verbose = global.verbose > 0;
	o.c.source.stop_fd = stop_pipe[0];
	o.c.reload_fd = reload_pipe[0];
	o.c.source.child_pid = &forward_pid;
	install_signals(&o.c.source);
	if (o.c.learn) {
		struct sigaction alarm = { .sa_handler = on_learn_over, .sa_flags = SA_RESTART };
		struct itimerval t = { .it_value.tv_sec = (time_t)o.learn_s };

		(void)sigaction(SIGALRM, &alarm, NULL);
		(void)setitimer(ITIMER_REAL, &t, NULL);
		if (!global.quiet)
			fprintf(stderr, "ringfence: learning for %s into %s\n", o.learn_arg,
				o.c.baseline);
	}
	r = rf_watch_session(&o.c, &sum, &e);
	/* A command that ended before the learning time: no SIGTERM for a pid since reused. */
	(void)setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, NULL);
	rf_alerts_close(&alerts); /* drains the webhook queue: its counters are final after */
	if (r < 0) {
		print_error(&e, r);
		r = RF_EXIT_FAILED;
		goto out;
	}
	if (!global.quiet || o.stats)
		rf_watch_summary_write(&sum, o.stats ? &alerts : NULL, stderr);
	if (dump && fflush(dump) != 0) {
		fprintf(stderr, "ringfence: %s: %s\n", o.dump, strerror(errno));
		r = RF_EXIT_FAILED;
		goto out;
	}
	/* A command that --learn ended with its SIGTERM did what was asked of it. */
	if (learn_over && sum.watch.wait_status > 0 && WIFSIGNALED(sum.watch.wait_status) &&
	    WTERMSIG(sum.watch.wait_status) == SIGTERM)
		sum.watch.wait_status = 0;
	if (o.c.source.argv && sum.watch.wait_status >= 0 && sum.watch.wait_status != 0)
		r = leave_like_child(sum.watch.wait_status);
	else
		r = sum.at_fail_on ? EXIT_FOUND : 0;
	r = finish_stdout(r);
out:
	rf_alerts_done(&alerts);
	rf_error_clear(&e);
	strv_free(o.rules);
	strv_free(o.suppress);
	strv_free(o.headers);
	strv_free(o.ioc);
	return r;
}
