/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence k8s-audit`: Kubernetes API server audit events (log files or the webhook backend)
 * through the detection rules. Parses flags, builds the ruleset and the outputs, runs
 * rf_k8s_audit_detect until the input ends or a signal, and says what it saw. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/clock.h"
#include "core/macro.h"
#include "core/number.h"
#include "core/strv.h"
#include "ringfence/alert.h"
#include "ringfence/k8saudit.h"

#define K8S_AUDIT_HELP                                                                             \
	"Usage: ringfence k8s-audit [--rules FILE]... [--no-default-rules] [--ioc FILE]...\n"      \
	"                           [--pss-level baseline|restricted|none] [--suppress FILE]...\n" \
	"                           [--format text|json] [--output FILE] [--webhook URL]\n"        \
	"                           [--fail-on PRIORITY] [--follow] [--stats]\n"                   \
	"                           [--listen ADDR:PORT (--tls-cert F --tls-key F [--client-ca "   \
	"F]\n"                                                                                     \
	"                            | --insecure-http) [--port-file F]] [LOG...|-]\n"             \
	"\n"                                                                                       \
	"Evaluates Kubernetes API server audit events (audit.k8s.io/v1 Event) with detection\n"    \
	"rules and reports findings (docs/findings.md). Events come from LOG files, the API\n"     \
	"server's log backend (JSON Lines; gzip'd rotations read as they are; '-' is stdin), in\n" \
	"the order given, and/or from its webhook backend (--listen).\n"                           \
	"\n"                                                                                       \
	"  --rules FILE        rules file loaded after the built-in Kubernetes audit rules\n"      \
	"                      (repeatable; docs/rules.md, ka.* fields)\n"                         \
	"  --no-default-rules  leave the built-in rules out\n"                                     \
	"  --ioc FILE          threat-intel list (text, CSV, STIX-lite); requests from its IP\n"   \
	"                      addresses are findings (repeatable)\n"                              \
	"  --pss-level L       the Pod Security Standards level workloads are checked at when\n"   \
	"                      written: baseline (default), restricted, or none\n"                 \
	"  --suppress FILE     suppression file (docs/findings.md; repeatable)\n"                  \
	"  --format F          text (default) or json (ringfence.finding/v1, JSON Lines)\n"        \
	"  --output FILE       append findings to FILE instead of standard output\n"               \
	"  --webhook URL       also POST each finding's JSON to URL (retried, never blocking)\n"   \
	"  --fail-on P         exit 1 when a finding of priority P or more severe was reported\n"  \
	"                      (emergency ... debug)\n"                                            \
	"  --follow            keep reading the last LOG as it grows and across rotation\n"        \
	"                      (tail -F) until SIGINT or SIGTERM\n"                                \
	"  --listen ADDR:PORT  serve the API server's webhook backend (POSTed EventLists) over\n"  \
	"                      HTTPS with --tls-cert and --tls-key (PEM); --client-ca requires\n"  \
	"                      client certificates signed by that CA; --insecure-http serves\n"    \
	"                      plain HTTP. Port 0 picks one (--port-file F writes it to F).\n"     \
	"                      Runs until SIGINT or SIGTERM; accepted batches are evaluated.\n"    \
	"  --stats             say on stderr what was read, evaluated and reported\n"              \
	"\n"                                                                                       \
	"A line that is not an audit Event is reported with its file:line, counted and skipped.\n" \
	"Exit status: 0 done (findings or not); 1 --fail-on matched, or the input could not be\n"  \
	"read, held no audit event at all, or a rule or output could not be set up; 2 usage\n"     \
	"error.\n"

enum {
	OPT_RULES = 0x100,
	OPT_NO_DEFAULT,
	OPT_IOC,
	OPT_PSS,
	OPT_SUPPRESS,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_WEBHOOK,
	OPT_FAIL_ON,
	OPT_FOLLOW,
	OPT_LISTEN,
	OPT_CERT,
	OPT_KEY,
	OPT_CA,
	OPT_HTTP,
	OPT_PORT_FILE,
	OPT_STATS,
};

static int stop_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;

	(void)!write(stop_pipe[1], "s", 1);
	errno = saved;
}

struct run {
	struct rf_alerts alerts;
	bool fail_on_set;
	enum rf_priority fail_on;
	uint64_t at_or_above;
	uint64_t records;
};

static int on_finding(const struct rf_finding *f, void *userdata)
{
	struct run *run = userdata;
	int r = rf_alerts_finding(&run->alerts, f);

	run->records++;
	if (run->fail_on_set && rf_rule_priority(f->rule) <= run->fail_on)
		run->at_or_above++;
	return r;
}

static void print_stats(const struct rf_k8s_audit_detect_result *res, const struct run *run,
			uint64_t ns)
{
	double secs = (double)ns / 1e9;

	fprintf(stderr,
		"ringfence: k8s-audit: %llu events (%.0f/s), %llu bad lines or items skipped, "
		"%llu bytes of logs; webhook: %llu batches accepted, %llu refused\n",
		(unsigned long long)res->source.events,
		secs > 0 ? (double)res->source.events / secs : 0.0,
		(unsigned long long)res->source.bad, (unsigned long long)res->source.bytes,
		(unsigned long long)res->source.batches, (unsigned long long)res->source.rejected);
	fprintf(stderr,
		"ringfence: k8s-audit: %llu rule matches, %llu findings reported, %llu suppressed, "
		"%llu held back by the rate limit, %llu records written\n",
		(unsigned long long)res->detect.matches, (unsigned long long)res->detect.reported,
		(unsigned long long)res->detect.suppressed,
		(unsigned long long)res->detect.rate_limited, (unsigned long long)run->records);
	for (size_t i = 0; i < run->alerts.n; i++) {
		struct rf_alert_stats s;

		rf_alert_stats(run->alerts.v[i], &s);
		fprintf(stderr,
			"ringfence: output %s: %llu delivered, %llu failed, %llu dropped, "
			"%llu retries\n",
			rf_alert_name(run->alerts.v[i]), (unsigned long long)s.delivered,
			(unsigned long long)s.failed, (unsigned long long)s.dropped,
			(unsigned long long)s.retries);
	}
}

static int setup_outputs(struct run *run, enum rf_finding_format fmt, const char *output,
			 const char *webhook, struct rf_error *e)
{
	enum rf_alert_format af = fmt == RF_FINDING_JSON ? RF_ALERT_JSON : RF_ALERT_TEXT;
	struct rf_alert_out *o = NULL;
	int r;

	if (output && strcmp(output, "-") != 0)
		r = rf_alert_file_new(output, af, 0, 0, &o, e);
	else
		r = rf_alert_stdout_new(af, &o);
	if (r >= 0)
		r = rf_alerts_add(&run->alerts, o);
	if (r >= 0 && webhook) {
		struct rf_webhook_opts wo = { .url = webhook };

		r = rf_alert_webhook_new(&wo, &o, e);
		if (r >= 0)
			r = rf_alerts_add(&run->alerts, o);
	}
	return r;
}

static int open_port_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		fprintf(stderr, "ringfence: --port-file '%s': %s\n", path, strerror(errno));
	return fd;
}

static int k8s_audit(int argc, char **argv, struct rf_error *err)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
		{ "ioc", required_argument, NULL, OPT_IOC },
		{ "pss-level", required_argument, NULL, OPT_PSS },
		{ "suppress", required_argument, NULL, OPT_SUPPRESS },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "webhook", required_argument, NULL, OPT_WEBHOOK },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "tls-cert", required_argument, NULL, OPT_CERT },
		{ "tls-key", required_argument, NULL, OPT_KEY },
		{ "client-ca", required_argument, NULL, OPT_CA },
		{ "insecure-http", no_argument, NULL, OPT_HTTP },
		{ "port-file", required_argument, NULL, OPT_PORT_FILE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_strv_free_ char **rules = NULL, **iocs = NULL, **supp = NULL;
	_cleanup_(rf_ruleset_freep) struct rf_ruleset *rs = NULL;
	struct rf_k8s_audit_rules_opts ro = { 0 };
	struct rf_k8s_audit_opts so = { .stop_fd = -1, .ready_fd = -1, .port_fd = -1 };
	struct rf_k8s_audit_detect_result res = { 0 };
	enum rf_finding_format fmt = global.json ? RF_FINDING_JSON : RF_FINDING_TEXT;
	const char *output = NULL, *webhook = NULL, *port_file = NULL;
	struct run run = { 0 };
	bool stats = false;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t t0;
	int c, r, code = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_RULES:
		case OPT_IOC:
		case OPT_SUPPRESS:
			if (strv_extend(c == OPT_RULES ? &rules
					: c == OPT_IOC ? &iocs
						       : &supp,
					optarg) < 0)
				return print_error(NULL, -ENOMEM), EXIT_FOUND;
			break;
		case OPT_NO_DEFAULT: ro.no_default_rules = true; break;
		case OPT_PSS:
			ro.pss_level_set = true;
			if (streq(optarg, "none"))
				ro.pss_level = RF_PSS_PRIVILEGED;
			else if (rf_pss_level_from_string(optarg, &ro.pss_level) < 0 ||
				 ro.pss_level == RF_PSS_PRIVILEGED)
				return usage_error("k8s-audit",
						   "--pss-level must be baseline, "
						   "restricted or none, not '%s'",
						   optarg);
			break;
		case OPT_FORMAT:
			if (rf_finding_format_from_string(optarg, &fmt) < 0)
				return usage_error("k8s-audit",
						   "--format must be text or json, not "
						   "'%s'",
						   optarg);
			break;
		case OPT_OUTPUT: output = optarg; break;
		case OPT_WEBHOOK:
			if (strncmp(optarg, "http://", 7) != 0 &&
			    strncmp(optarg, "https://", 8) != 0)
				return usage_error("k8s-audit",
						   "--webhook must be an http:// or "
						   "https:// URL, not '%s'",
						   optarg);
			webhook = optarg;
			break;
		case OPT_FAIL_ON:
			if (rf_priority_from_string(optarg, &run.fail_on) < 0)
				return usage_error(
					"k8s-audit",
					"--fail-on must be a priority "
					"(emergency, alert, critical, error, warning, notice, "
					"informational, debug), not '%s'",
					optarg);
			run.fail_on_set = true;
			break;
		case OPT_FOLLOW: so.follow = true; break;
		case OPT_LISTEN: so.listen = optarg; break;
		case OPT_CERT: so.tls_cert = optarg; break;
		case OPT_KEY: so.tls_key = optarg; break;
		case OPT_CA: so.client_ca = optarg; break;
		case OPT_HTTP: so.insecure_http = true; break;
		case OPT_PORT_FILE: port_file = optarg; break;
		case OPT_STATS: stats = true; break;
		case 'h': fputs(K8S_AUDIT_HELP, stdout); return 0;
		default: return usage_error("k8s-audit", "invalid option");
		}
	}
	so.paths = argv + optind;
	if (optind >= argc && !so.listen)
		return usage_error("k8s-audit", "no audit log given (LOG...|-) and no --listen");
	if (so.follow && optind >= argc)
		return usage_error("k8s-audit", "--follow needs a LOG to follow");
	if (!so.listen &&
	    (so.tls_cert || so.tls_key || so.client_ca || so.insecure_http || port_file))
		return usage_error("k8s-audit", "--tls-cert, --tls-key, --client-ca, "
						"--insecure-http and --port-file go with --listen");
	if (so.listen && so.insecure_http && (so.tls_cert || so.tls_key || so.client_ca))
		return usage_error("k8s-audit", "--insecure-http serves plain HTTP: it takes no "
						"--tls-cert, --tls-key or --client-ca");
	if (so.listen && !so.insecure_http && (!so.tls_cert || !so.tls_key))
		return usage_error("k8s-audit", "--listen needs --tls-cert and --tls-key (or "
						"--insecure-http for plain HTTP)");
	if (ro.no_default_rules && !rules)
		return usage_error("k8s-audit",
				   "--no-default-rules leaves no rule: give --rules FILE");

	ro.files = rules;
	ro.ioc_files = iocs;
	if ((r = rf_ruleset_new(&rs)) < 0 || (r = rf_k8s_audit_rules(rs, &ro, err)) < 0)
		return print_error(err, r), EXIT_FOUND;
	if (global.verbose)
		STRV_FOREACH(w, rf_ruleset_warnings(rs))
			fprintf(stderr, "ringfence: note: %s\n", *w);
	if ((r = setup_outputs(&run, fmt, output, webhook, err)) < 0) {
		rf_alerts_done(&run.alerts);
		return print_error(err, r), EXIT_FOUND;
	}
	if (port_file && (so.port_fd = open_port_file(port_file)) < 0) {
		rf_alerts_done(&run.alerts);
		return EXIT_FOUND;
	}
	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		rf_alerts_done(&run.alerts);
		return print_error(NULL, -errno), EXIT_FOUND;
	}
	so.stop_fd = stop_pipe[0];
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);

	t0 = rf_now_ns();
	r = rf_k8s_audit_detect(&so, rs, NULL, supp, on_finding, &run, &res, err);
	rf_alerts_done(&run.alerts); /* the webhook drains its queue here */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	if (stats)
		print_stats(&res, &run, rf_now_ns() - t0);
	if (r < 0) {
		print_error(err, r);
		code = EXIT_FOUND;
	}
	if (res.source.bad)
		fprintf(stderr,
			"ringfence: k8s-audit: %llu line%s or webhook item%s skipped: not "
			"audit events (the first ones are named above)\n",
			(unsigned long long)res.source.bad, res.source.bad == 1 ? "" : "s",
			res.source.bad == 1 ? "" : "s");
	if (r >= 0 && !so.listen && !res.source.events && res.source.bad) {
		fprintf(stderr, "ringfence: k8s-audit: the input held no audit event\n");
		code = EXIT_FOUND;
	}
	if (run.at_or_above)
		code = EXIT_FOUND;
	return code;
}

int cmd_k8s_audit(int argc, char **argv)
{
	struct rf_error e = { 0 };
	int code = k8s_audit(argc, argv, &e);

	rf_error_clear(&e);
	return code;
}
