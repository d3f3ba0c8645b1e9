/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* event-rate: events per second through the sink chain (rf_sinks_emit), measured in one run:
 *   dispatch only      a chain with one consumer that does nothing (the dispatch itself)
 *   observation        the observation consumer (hash-indexed rows, argument sets)
 *   observation + 3    the observation and three more do-nothing consumers
 * over a synthetic ptrace-shaped stream: per-call RF_EV_SYSCALL events with arguments, cycling
 * over 64 real x86_64/aarch64 syscalls, with a file open every 16th event.
 *   usage: event-rate [EVENTS]   (default 20000000) */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "ringfence/observation.h"
#include "ringfence/sink.h"

static int nothing(const struct rf_event *ev, void *self)
{
	(*(uint64_t *)self)++;
	return 0;
}

static const char *const names[] = {
	"read",	       "write",	      "openat",	    "close",	  "fstat",	  "lseek",
	"mmap",	       "mprotect",    "munmap",	    "brk",	  "rt_sigaction", "rt_sigprocmask",
	"ioctl",       "pread64",     "pwrite64",   "readv",	  "writev",	  "sched_yield",
	"mremap",      "msync",	      "madvise",    "dup",	  "dup3",	  "nanosleep",
	"getpid",      "sendfile",    "socket",	    "connect",	  "accept",	  "sendto",
	"recvfrom",    "sendmsg",     "recvmsg",    "shutdown",	  "bind",	  "listen",
	"getsockname", "getpeername", "socketpair", "setsockopt", "getsockopt",	  "clone",
	"execve",      "exit",	      "wait4",	    "kill",	  "uname",	  "fcntl",
	"flock",       "fsync",	      "fdatasync",  "truncate",	  "ftruncate",	  "getdents64",
	"getcwd",      "chdir",	      "fchdir",	    "renameat",	  "mkdirat",	  "unlinkat",
	"linkat",      "fchmod",      "fchown",	    "umask",
};

static double run(struct rf_sinks *s, const struct rf_event *evs, size_t n, uint64_t total)
{
	uint64_t t0 = rf_now_ns();

	for (uint64_t i = 0; i < total; i++)
		if (rf_sinks_emit(&evs[i % n], s) < 0)
			return -1;
	return (double)total / ((double)(rf_now_ns() - t0) / 1e9);
}

int main(int argc, char **argv)
{
	uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000, sink_calls[4] = { 0 };
	static const struct rf_source_info src = { .name = "bench", .kinds = ~0u, .fields = ~0u };
	static const struct rf_proc *none = NULL;
	uint32_t arch = seccomp_arch_native();
	struct rf_event evs[1024];
	size_t n = 0;
	double base = 0, rate;

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		int nr = seccomp_syscall_resolve_name_arch(arch, names[i % 64]);

		if (nr < 0)
			continue;
		evs[n] = (struct rf_event){ .kind = RF_EV_SYSCALL,
					    .tgid = 100 + (pid_t)(i % 7),
					    .tid = 100 + (pid_t)(i % 13),
					    .proc = none,
					    .sc = { .id = { arch, nr },
						    .count = 1,
						    .args_known = 0x3f,
						    .args = { i % 5, i % 3, 0x10 + i % 4 } } };
		if (i % 16 == 15)
			evs[n] = (struct rf_event){ .kind = RF_EV_FILE,
						    .tgid = 100,
						    .file = { .op = RF_FILE_OPEN,
							      .path = "/etc/hosts",
							      .access = RF_ACC_READ } };
		n++;
	}
	for (int variant = 0; variant < 3; variant++) {
		struct rf_observation *o = rf_obs_new();
		struct rf_sinks s = { 0 };
		struct rf_sink k = { .name = "nothing", .on_event = nothing };
		static const char *const label[] = { "dispatch only (1 empty consumer)",
						     "observation", "observation + 3 empty" };

		if (variant == 0) {
			k.self = &sink_calls[0];
			rf_sinks_add(&s, &k);
		} else {
			rf_obs_sink(o, &k);
			rf_sinks_add(&s, &k);
			for (int i = 1; variant == 2 && i < 4; i++) {
				struct rf_sink e = { .name = "nothing",
						     .on_event = nothing,
						     .self = &sink_calls[i] };
				rf_sinks_add(&s, &e);
			}
		}
		rf_sinks_begin(&s, &src, NULL);
		(void)run(&s, evs, n, total / 10); /* warm-up: the observation's rows exist */
		rate = run(&s, evs, n, total);
		if (variant == 0)
			base = rate;
		printf("  %-34s %7.2f M events/s%s", label[variant], rate / 1e6,
		       variant ? "" : "\n");
		if (variant)
			printf("   x%.2f of dispatch only\n", base / rate);
		rf_obs_free(o);
	}
	return 0;
}
