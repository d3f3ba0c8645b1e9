/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Baseline memory per workload: N synthetic workloads learnt from generated events, in three
 * shapes: "typical" (what nginx learnt in t1100: a handful of each), "full" (every set filled to
 * its budget with 40-byte paths) and "worst" (every set at its budget with paths of the longest
 * length kept, 1024 bytes). Prints the bytes the baseline accounts for per workload, the heap
 * growth malloc reports (allocator overhead included), the document's size per workload and
 * the learning rate. Usage: baseline-memory [N] (default 1000, at most the workload budget). */
#include <arpa/inet.h>
#include <malloc.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "ringfence/baseline.h"
#include "ringfence/proc.h"

enum shape { TYPICAL, FULL, WORST };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A path of `len` bytes naming item i of workload w. */
static void path_of(char *buf, size_t len, const char *what, unsigned w, unsigned i)
{
	int n = snprintf(buf, len + 1, "/srv/w%05u/%s/%05u/", w, what, i);

	if (n >= 0 && (size_t)n < len) {
		memset(buf + n, 'x', len - (size_t)n);
		buf[len] = '\0';
	}
}

struct counts {
	unsigned exes, edges, listen, connect, dirs, libs, caps, syscalls;
	size_t path_len;
};

static struct counts counts_of(enum shape s, const struct rf_baseline_budgets *bg)
{
	if (s == TYPICAL) /* nginx in t1100, with a few more of each to be safe */
		return (struct counts){ 2, 1, 2, 4, 3, 8, 2, 60, 40 };
	return (struct counts){ (unsigned)bg->executables,
				(unsigned)bg->edges,
				(unsigned)bg->listen,
				(unsigned)bg->connect,
				(unsigned)bg->directories,
				(unsigned)bg->libraries,
				(unsigned)bg->capabilities,
				(unsigned)bg->syscalls,
				s == FULL ? 40 : RF_BASELINE_MAX_ITEM };
}

static uint64_t learn_workload(struct rf_baseline_learner *l, unsigned w, const struct counts *c)
{
	char exe[RF_BASELINE_MAX_ITEM + 1], mexe[RF_BASELINE_MAX_ITEM + 1];
	char p[RF_BASELINE_MAX_ITEM + 1];
	/* leader (the workload's key) -> mid (varies: the edges' parents) -> child */
	struct rf_proc lead = { .tgid = 1000 + (pid_t)w, .exe = exe };
	struct rf_proc mid = { .tgid = 400000 + (pid_t)w, .parent = &lead, .exe = mexe };
	struct rf_proc child = { .tgid = 500000 + (pid_t)w, .parent = &mid, .exe = p };
	struct rf_event ev;
	uint64_t n = 0;

	path_of(exe, c->path_len, "bin", w, 0);
	for (unsigned i = 0; i < c->exes || i < c->edges; i++, n++) {
		path_of(p, c->path_len, "exe", w, c->exes ? i % c->exes : 0);
		path_of(mexe, c->path_len, "mid", w, c->exes ? i / c->exes : 0);
		ev = (struct rf_event){ .kind = RF_EV_EXEC,
					.tgid = child.tgid,
					.proc = &child,
					.exec = { .path = p } };
		(void)rf_baseline_learn_event(l, &ev);
	}
	lead.exe = exe;
	for (unsigned i = 0; i < c->listen; i++, n++) {
		ev = (struct rf_event){ .kind = RF_EV_NET,
					.tgid = lead.tgid,
					.proc = &lead,
					.net = { .op = RF_NET_BIND,
						 .local = { .family = AF_INET,
							    .port = (uint16_t)(1024 + i) } } };
		(void)rf_baseline_learn_event(l, &ev);
	}
	for (unsigned i = 0; i < c->connect; i++, n++) {
		uint32_t a = htonl(0x0a000000u | (w << 8) | i);

		ev = (struct rf_event){ .kind = RF_EV_NET,
					.tgid = lead.tgid,
					.proc = &lead,
					.net = { .op = RF_NET_CONNECT,
						 .remote = { .family = AF_INET, .port = 443 } } };
		memcpy(ev.net.remote.addr, &a, 4);
		(void)rf_baseline_learn_event(l, &ev);
	}
	for (unsigned i = 0; i < c->dirs; i++, n++) {
		char f[RF_BASELINE_MAX_ITEM + 8];

		path_of(p, c->path_len - 2, "dir", w, i);
		(void)snprintf(f, sizeof(f), "%s/f", p);
		ev = (struct rf_event){ .kind = RF_EV_FILE,
					.tgid = lead.tgid,
					.proc = &lead,
					.origin = { 1, 2 },
					.file = { .op = RF_FILE_OPEN,
						  .path = f,
						  .access = RF_ACC_WRITE | RF_ACC_CREATE } };
		(void)rf_baseline_learn_event(l, &ev);
	}
	for (unsigned i = 0; i < c->libs; i++, n++) {
		path_of(p, c->path_len - 3, "lib", w, i);
		strcat(p, ".so");
		ev = (struct rf_event){
			.kind = RF_EV_FILE,
			.tgid = lead.tgid,
			.proc = &lead,
			.file = { .op = RF_FILE_OPEN, .path = p, .access = RF_ACC_READ }
		};
		(void)rf_baseline_learn_event(l, &ev);
	}
	for (unsigned i = 0; i < c->caps; i++, n++) {
		ev = (struct rf_event){ .kind = RF_EV_CAPABILITY,
					.tgid = lead.tgid,
					.proc = &lead,
					.cap = { .cap = (int)i, .granted = true } };
		(void)rf_baseline_learn_event(l, &ev);
	}
	for (unsigned i = 0; i < c->syscalls; i++, n++) {
		ev = (struct rf_event){ .kind = RF_EV_SYSCALL,
					.tgid = lead.tgid,
					.proc = &lead,
					.sc = { .id = { SCMP_ARCH_X86_64, (int32_t)i },
						.count = 1 } };
		(void)rf_baseline_learn_event(l, &ev);
	}
	return n;
}

static void run(enum shape s, unsigned n)
{
	static const char *const names[] = { "typical", "full (40-byte paths)",
					     "worst (1024-byte paths)" };
	struct rf_baseline_budgets bg;
	struct rf_baseline *b = NULL;
	struct rf_baseline_learner *l = NULL;
	struct rf_baseline_stats st;
	struct mallinfo2 m0, m1;
	struct counts c;
	uint64_t t0, t1, events = 0;
	char *doc = NULL;
	size_t doc_len = 0, items = 0;
	FILE *f;

	rf_baseline_budgets_default(&bg);
	c = counts_of(s, &bg);
	m0 = mallinfo2();
	if (rf_baseline_new(&bg, &b) < 0 ||
	    rf_baseline_learner_new(
		    b, &(struct rf_baseline_learn_opts){ .self = 1, .no_stat = true }, &l) < 0) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	t0 = now_ns();
	for (unsigned w = 0; w < n; w++)
		events += learn_workload(l, w, &c);
	t1 = now_ns();
	m1 = mallinfo2();
	rf_baseline_stats(b, &st);
	for (int k = 0; k < RF_BL_SETS; k++)
		items += st.items[k];
	f = open_memstream(&doc, &doc_len);
	if (f) {
		(void)rf_baseline_write(b, f, true, NULL);
		fclose(f);
	}
	printf("%-24s %5zu workloads %7zu items/workload  %9.0f B/workload (accounted)  "
	       "%9.0f B/workload (heap)  %8.0f B/workload (JSON)  %5.2f M events/s\n",
	       names[s], st.workloads, st.workloads ? items / st.workloads : 0,
	       st.workloads ? (double)st.bytes / (double)st.workloads : 0,
	       st.workloads ? (double)(m1.uordblks - m0.uordblks) / (double)st.workloads : 0,
	       st.workloads ? (double)doc_len / (double)st.workloads : 0,
	       t1 > t0 ? (double)events * 1e3 / (double)(t1 - t0) : 0);
	free(doc);
	rf_baseline_learner_free(l);
	rf_baseline_free(b);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
	struct rf_baseline_budgets bg;

	rf_baseline_budgets_default(&bg);
	if (!n || n > bg.workloads)
		n = (unsigned)bg.workloads;
	printf("budgets: %zu workloads; per workload %zu executables, %zu edges, %zu listen, %zu "
	       "connect (+%zu networks), %zu directories, %zu libraries, %zu capabilities, %zu "
	       "syscalls\n",
	       bg.workloads, bg.executables, bg.edges, bg.listen, bg.connect, bg.connect_prefixes,
	       bg.directories, bg.libraries, bg.capabilities, bg.syscalls);
	run(TYPICAL, n);
	run(FULL, n);
	run(WORST, n > 100 ? 100 : n); /* 100 MiB is enough to show the bound */
	return 0;
}
