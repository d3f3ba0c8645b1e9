/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The eBPF security event source of `watch` (bpf/watch.bpf.c): process, file, network and
 * privilege events of a whole node, a cgroup, a process tree or a command, at the cost of the
 * tracepoints the consumers actually need. Root (CAP_BPF + CAP_PERFMON + CAP_SYS_RESOURCE). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringfence/addr-feed.h"
#include "ringfence/error.h"
#include "ringfence/event.h"

struct rf_proctab;

/* What the consumers need, so only that is attached and sent (rules compute it). */
struct rf_watch_needs {
	char **syscalls;      /* names to decode at syscall entry (NULL-terminated); NULL or
			       * empty: no syscall tracepoint at all */
	char **path_prefixes; /* file events only for paths starting with one of these; NULL:
			       * every path (relative paths and paths with "/." always pass) */
	bool write_all;	      /* with path_prefixes: they filter only read-only opens; every
			       * other file event (writes, creates, unlinks ...) at any path */
	bool tcp_state;	      /* TCP connect/listen from sock:inet_sock_set_state */
	bool signals;	      /* signal:signal_generate */
	bool io_uring;	      /* io_uring:io_uring_submit_req (open/connect through io_uring) */
	bool capabilities;    /* capability:cap_capable */
	/* Held until the verdict (`watch --kill`): the program stops the process at these
	 * events (bpf_send_signal(SIGSTOP) at the tracepoint, before it returns to user space)
	 * and the source resumes it (SIGCONT) once the consumers have seen the event, so a kill
	 * lands before it runs another instruction. */
	char **hold_syscalls; /* of `syscalls` */
	bool hold_exec;	      /* execs (sched_process_exec: before the new image runs) */
	bool hold_signals;    /* signals sent to another process (signal:signal_generate) */
	bool hold_caps;	      /* capability checks (capability:cap_capable) */
	/* Outbound events to IP addresses (connect, sendto/sendmsg with an address, TCP
	 * SYN_SENT) only to these prefixes ("192.0.2.0/24") and to what addr_feed gives: an LPM
	 * trie in the kernel. NULL: to every address. */
	char **addr_prefixes;
	const struct rf_addr_feed *addr_feed;
};

struct rf_ebpf_watch_opts {
	bool all;	    /* the whole node, or */
	const char *cgroup; /* a cgroup v2 directory and below, or */
	pid_t pid;	    /* a process tree, or */
	char *const *argv;  /* a command */
	const struct rf_watch_needs *needs;
	int stop_fd;  /* readable: stop (for a command: it is waited for, unwatched) */
	int ready_fd; /* > 0: written and closed once live */
	void (*on_live)(void *userdata); /* called once live (the programs attached) */
	void *live_userdata;
	struct rf_proctab *procs;
	volatile pid_t *child_pid;
	unsigned gap_poll_ms; /* how often loss counters become RF_EV_GAP events (0: 250) */
};

struct rf_ebpf_watch_result {
	int wait_status;    /* of the command, -1 otherwise */
	uint64_t events[2]; /* records received per ring: [0] critical, [1] bulk */
	uint64_t lost[2];   /* records the kernel could not deliver, per ring */
	uint64_t duration_ns;
	unsigned tracepoints;	 /* programs attached */
	uint64_t held;		 /* events the process was stopped at until user space saw them */
	int addr_filter;	 /* the outbound address filter: 0 not asked for, 1 on, -errno
				  * off since that failure (every connection went to user space) */
	uint64_t addr_dropped;	 /* outbound events the address filter kept in the kernel */
	uint64_t addr_prefixes;	 /* in the filter's trie at the end */
	uint64_t addr_refills;	 /* the trie refilled (a threat list reloaded) */
	unsigned syscall_events; /* per-call syscall exit tracepoints attached (sys_exit_<name>) */
	char syscalls_raw[256];	 /* non-empty: the raw sys_exit instead (every syscall of the
				  * node runs the program), and why */
	char syscalls_absent[256]; /* needed syscalls this kernel does not implement */
};

extern const struct rf_source_info rf_ebpf_watch_source;

/* Whether the security event program loads here (-ENOTSUP when not built). */
int rf_ebpf_watch_probe(struct rf_error *reterr);
int rf_ebpf_watch(const struct rf_ebpf_watch_opts *o, rf_event_fn fn, void *userdata,
		  struct rf_ebpf_watch_result *ret, struct rf_error *reterr);
