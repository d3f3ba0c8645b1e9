/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rules-rate: events per second through the detection engine (rf_detect_event: evaluation,
 * drift bookkeeping, coverage accounting), measured in one run:
 *   no rules        an empty ruleset (the engine's own per-event cost)
 *   default rules   data/rules/ringfence-default.yaml
 *   + baseline      the default rules and data/rules/baseline.yaml over a baseline learnt from
 *                   the same stream (so no deviation: the lookups are what is measured)
 * over a synthetic stream shaped like what the ptrace source sends a container workload's
 * consumers: opens of libraries and data files (reads, writes below /tmp and /var/log with
 * append), connects and accepts, forks, execs and exits, dup2 of pipes, over 16 processes with
 * 4-level ancestries inside a container. No event of the stream matches a default rule, as on a
 * normal workload; the findings path is not what is measured.
 *   usage: rules-rate [EVENTS]   (default 5000000) */
#include <arpa/inet.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "ringfence/baseline.h"
#include "ringfence/detect.h"
#include "ringfence/proc.h"

#define NPROC 16

static struct rf_proc procs[NPROC + 4];
static char *argvs[NPROC + 4][4];

static int count(const struct rf_finding *f, void *userdata)
{
	(*(unsigned long *)userdata)++;
	return 0;
}

static void make_procs(void)
{
	static const char *const names[] = { "python3", "nginx", "redis-server", "node" };

	for (int i = 0; i < NPROC + 4; i++) {
		struct rf_proc *p = &procs[i];
		const char *n = i < 4 ? (i == 0	  ? "containerd-shim"
					 : i == 1 ? "runc:[2:INIT]"
					 : i == 2 ? "tini"
						  : "sh")
				      : names[i % 4];

		p->tgid = 1000 + i;
		p->ppid = i ? 1000 + (i < 4 ? i - 1 : 3) : 1;
		p->parent = i ? &procs[i < 4 ? i - 1 : 3] : NULL;
		p->start_ns = 1000 + (uint64_t)i;
		snprintf(p->comm, sizeof(p->comm), "%s", n);
		argvs[i][0] = (char *)n;
		argvs[i][1] = (char *)"--serve";
		argvs[i][2] = (char *)"/srv/app";
		p->argv = argvs[i];
		p->exe = (char *)(i % 4 == 0 ? "/usr/bin/python3.11" : "/usr/sbin/nginx");
		p->cwd = (char *)"/srv";
		p->ids_known = true;
		p->uid = p->euid = 33;
		if (i >= 1)
			memcpy(p->container_id,
			       "4f1c0a7d9e2b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5",
			       65);
	}
}

static struct rf_syscall_id sc(const char *name)
{
	uint32_t arch = seccomp_arch_native();

	return (struct rf_syscall_id){ arch, seccomp_syscall_resolve_name_arch(arch, name) };
}

static size_t make_stream(struct rf_event *evs, size_t max)
{
	static const char *const reads[] = {
		"/usr/lib/x86_64-linux-gnu/libssl.so.3",
		"/etc/hosts",
		"/etc/resolv.conf",
		"/srv/app/static/index.html",
		"/usr/lib/python3.11/json/__init__.py",
		"/etc/passwd",
		"/proc/self/status",
		"/srv/app/templates/base.html",
	};
	static const char *const writes[] = { "/tmp/upload-1", "/var/log/app/access.log",
					      "/srv/app/cache/entry", "/tmp/session" };
	size_t n = 0;

	for (size_t i = 0; n < max; i++) {
		const struct rf_proc *p = &procs[4 + i % NPROC];
		struct rf_event ev = { .time_ns = 1000000 + i,
				       .tgid = p->tgid,
				       .tid = p->tgid,
				       .ppid = p->ppid,
				       .proc = p };

		memcpy(ev.comm, p->comm, sizeof(ev.comm));
		switch (i % 16) {
		case 0:
		case 1:
		case 2:
		case 3:
		case 4:
		case 5:
		case 6: /* reads: 7/16 */
			ev.kind = RF_EV_FILE;
			ev.origin = sc("openat");
			ev.file = (struct rf_ev_file){ .op = RF_FILE_OPEN,
						       .path = reads[i % 8],
						       .access = RF_ACC_READ,
						       .flags = O_RDONLY,
						       .has_ret = true,
						       .ret = 5 };
			break;
		case 7:
		case 8: /* writes */
			ev.kind = RF_EV_FILE;
			ev.origin = sc("openat");
			ev.file = (struct rf_ev_file){ .op = RF_FILE_OPEN,
						       .path = writes[i % 4],
						       .access = RF_ACC_WRITE | RF_ACC_APPEND |
								 RF_ACC_CREATE,
						       .flags = O_WRONLY | O_APPEND | O_CREAT,
						       .has_ret = true,
						       .ret = 6 };
			break;
		case 9:
		case 10: /* network */
			ev.kind = RF_EV_NET;
			ev.origin = sc(i % 2 ? "connect" : "accept4");
			ev.net = (struct rf_ev_net){ .op = i % 2 ? RF_NET_CONNECT : RF_NET_ACCEPT,
						     .fd = 7,
						     .family = AF_INET,
						     .type = SOCK_STREAM,
						     .has_ret = true };
			ev.net.remote.family = AF_INET;
			ev.net.remote.port = 5432;
			inet_pton(AF_INET, "10.20.30.40", ev.net.remote.addr);
			break;
		case 11:
			ev.kind = RF_EV_FILE;
			ev.origin = sc("unlinkat");
			ev.file = (struct rf_ev_file){ .op = RF_FILE_UNLINK,
						       .path = "/tmp/upload-1",
						       .access = RF_ACC_DELETE,
						       .flags = -1,
						       .has_ret = true };
			break;
		case 12:
			ev.kind = RF_EV_FORK;
			ev.fork = (struct rf_ev_fork){ .child_tgid = p->tgid + 100,
						       .child_tid = p->tgid + 100 };
			break;
		case 13:
			ev.kind = RF_EV_EXEC;
			ev.exec = (struct rf_ev_exec){ .path = p->exe, .argv = p->argv };
			break;
		case 14:
			ev.kind = RF_EV_FD;
			ev.origin = sc("dup2");
			ev.fd = (struct rf_ev_fd){ .oldfd = 4, .newfd = 1 };
			break;
		default:
			ev.kind = RF_EV_EXIT;
			ev.exit = (struct rf_ev_exit){ .has_status = true, .group_dead = true };
			break;
		}
		evs[n++] = ev;
	}
	return n;
}

static double run(struct rf_detect *d, const struct rf_event *evs, size_t n, uint64_t total)
{
	uint64_t t0 = rf_now_ns();

	for (uint64_t i = 0; i < total; i++)
		if (rf_detect_event(d, &evs[i % n]) < 0)
			return -1;
	return (double)total / ((double)(rf_now_ns() - t0) / 1e9);
}

int main(int argc, char **argv)
{
	uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
	static struct rf_event evs[4096];
	size_t n;
	double rate[3] = { 0, 0, 0 };
	unsigned long findings = 0;
	static const char *const names[] = { "no rules", "default rules", "default + baseline" };
	struct rf_baseline *bl = NULL;
	struct rf_baseline_learner *l = NULL;

	make_procs();
	n = make_stream(evs, sizeof(evs) / sizeof(evs[0]));
	if (rf_baseline_new(NULL, &bl) < 0 || rf_baseline_learner_new(bl, NULL, &l) < 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		(void)rf_baseline_learn_event(l, &evs[i]);
	rf_baseline_learner_free(l);
	for (int variant = 0; variant < 3; variant++) {
		struct rf_ruleset *rs = NULL;
		struct rf_detect *d = NULL;
		struct rf_error err = { 0 };
		struct rf_sink k;

		if (rf_ruleset_new(&rs) < 0 ||
		    (variant >= 1 && rf_ruleset_load_default(rs, &err) < 0) ||
		    (variant == 2 && rf_baseline_load_rules(rs, false, &err) < 0) ||
		    rf_ruleset_compile(rs, &err) < 0 ||
		    rf_detect_new(rs,
				  &(struct rf_detect_opts){ .baseline = variant == 2 ? bl : NULL },
				  &d) < 0 ||
		    rf_detect_sink(d, count, &findings, &k) < 0) {
			fprintf(stderr, "rules-rate: %s\n", err.message ?: "setup failed");
			return 1;
		}
		(void)run(d, evs, n, total / 10); /* warm-up: caches, the drift set */
		for (int best = 0; best < 3; best++) {
			double r = run(d, evs, n, total);

			if (r > rate[variant])
				rate[variant] = r;
		}
		printf("  %-28s %7.2f M events/s  (%zu rules enabled)\n", names[variant],
		       rate[variant] / 1e6, rf_ruleset_enabled_count(rs));
		rf_detect_free(d);
		rf_ruleset_free(rs);
		rf_error_clear(&err);
	}
	printf("  default rules cost x%.2f of no rules, the baseline rules x%.2f of the default "
	       "ones; findings: %lu\n",
	       rate[0] / rate[1], rate[1] / rate[2], findings);
	rf_baseline_free(bl);
	return findings ? 2 : 0;
}
