/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Syscall arguments into the event model's security kinds (RF_EV_FILE, NET, SIGNAL, PTRACE,
 * CRED, NAMESPACE, MODULE, BPF, MEMORY, FD), for sources that see each call with its raw
 * arguments and can read the caller's memory: the ptrace recorder today, a seccomp-notify
 * watcher next. The native architecture only: compat callers (i386 on x86_64) get RF_EV_SYSCALL
 * alone, as the event.h contract table says.
 *
 * A call is decoded in two steps: at its entry the arguments are read (strings and structs from
 * the caller's memory, before it can change them) into a struct rf_pending; at its exit the
 * result completes it and it becomes one event. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/hashmap.h"
#include "ringfence/event.h"

#define RF_DECODE_MAX_NR 1024

struct rf_decoder {
	uint32_t arch;
	uint8_t kind[RF_DECODE_MAX_NR]; /* nr -> enum dec_kind (decode.c), 0: not decoded */
	struct rf_hmap sockets; /* (tgid << 32 | fd) -> family << 16 | type, from socket() */
};

/* What the decoder needs from the source: the caller's memory and its fd/cwd names. */
struct rf_decode_io {
	/* Reads len bytes at addr of tid; 0 or a negative errno. */
	int (*read_mem)(pid_t tid, uint64_t addr, void *buf, size_t len);
	/* Reads a NUL-terminated string (at most size - 1 bytes); its length or -errno. */
	ssize_t (*read_str)(pid_t tid, uint64_t addr, char *buf, size_t size);
};

struct rf_pending {
	enum rf_event_kind kind; /* 0: nothing pending */
	int dec;		 /* the decoder's kind of the call */
	union {
		struct rf_ev_file file;
		struct rf_ev_net net;
		struct rf_ev_signal signal;
		struct rf_ev_ptrace ptrace;
		struct rf_ev_cred cred;
		struct rf_ev_namespace ns;
		struct rf_ev_module module;
		struct rf_ev_bpf bpf;
		struct rf_ev_memory mem;
		struct rf_ev_fd fd;
	};
	char *s1, *s2, *s3; /* owned strings the payload points into */
	char *gate_path;    /* rf_decode_preview's path, links resolved */
};

int rf_decoder_init(struct rf_decoder *d, uint32_t arch);
void rf_decoder_done(struct rf_decoder *d);
/* Whether (arch, nr) is a call the decoder turns into an event (a cheap table lookup). */
static inline bool rf_decoder_wants(const struct rf_decoder *d, uint32_t arch, int32_t nr)
{
	return arch == d->arch && nr >= 0 && nr < RF_DECODE_MAX_NR && d->kind[nr];
}

/* At the call's entry: fills *p (1), or 0 when this call is of no interest after all (an mmap
 * that is not executable ...). tid/tgid name the caller; cwd/dirfd-relative paths are made
 * absolute through /proc/tid. */
int rf_decode_entry(struct rf_decoder *d, const struct rf_decode_io *io, pid_t tid, pid_t tgid,
		    int32_t nr, const uint64_t args[6], struct rf_pending *p);
/* At the call's exit (has_ret false when the result is unknown): fills ev's payload and kind
 * from *p; the caller fills the header and dispatches, then calls rf_pending_done. A file that
 * was opened is named as the kernel resolved it (the caller must still be stopped). */
void rf_decode_exit(struct rf_decoder *d, pid_t tid, pid_t tgid, struct rf_pending *p, bool has_ret,
		    int64_t ret, struct rf_event *ev);
void rf_pending_done(struct rf_pending *p);
/* ev's kind and payload from *p, as decoded at the entry (no result). */
void rf_pending_event(const struct rf_pending *p, struct rf_event *ev);

/* gate.c: for a source that holds a call before it runs. The event the call will be, without
 * its result (the caller sets ev->gate and fills the header); file paths with their links
 * resolved as the kernel will (when the caller shares our root). */
void rf_decode_preview(pid_t tid, struct rf_pending *p, struct rf_event *ev);
/* At tid's syscall-entry (or seccomp) stop: skip the call; it fails with -err. 0, or -errno
 * (-EOPNOTSUPP on an architecture without the register layout here). */
int rf_ptrace_refuse_call(pid_t tid, int err);
/* The process exec'd or exited: forget its sockets. */
void rf_decoder_forget(struct rf_decoder *d, pid_t tgid);

/* exec-image.c: at a tracee's exec stop, a file event for each file mapped executable other
 * than `exe` (the ELF interpreter) and, with `with_inherited`, for each open file it inherited
 * (absolute paths only; access from the descriptor's flags). */
typedef void (*rf_exec_file_fn)(const struct rf_ev_file *f, void *userdata);
int rf_exec_image_files(pid_t tid, const char *exe, bool with_inherited, rf_exec_file_fn fn,
			void *userdata);
