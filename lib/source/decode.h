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

/* The decoder's per-socket tables' key: (tgid << 32 | fd). */
static inline uint64_t rf_decode_fd_key(pid_t tgid, int64_t fd)
{
	return (uint64_t)(uint32_t)tgid << 32 | (uint32_t)fd;
}

struct rf_decoder {
	uint32_t arch;
	uint8_t kind[RF_DECODE_MAX_NR]; /* nr -> enum dec_kind (decode.c), 0: not decoded */
	struct rf_hmap sockets; /* (tgid << 32 | fd) -> family << 16 | type, from socket() */
	/* (tgid << 32 | fd) -> the port-53 server a socket connect()ed to (a struct
	 * rf_sockaddr): where its answers come from when recv names no sender */
	struct rf_hmap dns_servers;
	bool learn_dns;
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
	struct { /* recvfrom/recvmsg: where the message and its sender will be */
		uint64_t buf, cap, addr, addrlen;
	} recv;
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
void rf_decode_exit(struct rf_decoder *d, const struct rf_decode_io *io, pid_t tid, pid_t tgid,
		    struct rf_pending *p, bool has_ret, int64_t ret, struct rf_event *ev);
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

/* decode-dns.c: the DNS answers a traced process receives, so domains are learned from them
 * (ringfence never resolves names itself), as the eBPF program does. Off by default: every
 * recvfrom and recvmsg then costs an exit stop. */
void rf_decoder_learn_dns(struct rf_decoder *d);
/* A recvfrom (msg false) or recvmsg at its entry: 1 when its result must be looked at. */
int rf_decode_recv_entry(struct rf_decoder *d, const struct rf_decode_io *io, pid_t tid, pid_t tgid,
			 bool msg, const uint64_t *a, struct rf_pending *p);
/* At its exit: true when it returned a message from port 53 (then p->net holds it as an
 * RF_NET_DNS_ANSWER with data), false when it is no event at all. */
bool rf_decode_recv_exit(struct rf_decoder *d, const struct rf_decode_io *io, pid_t tid, pid_t tgid,
			 struct rf_pending *p, bool has_ret, int64_t ret);
/* A connect that reached port 53: its later answers come from there. */
void rf_decoder_note_dns_server(struct rf_decoder *d, pid_t tgid, const struct rf_pending *p,
				bool has_ret, int64_t ret);
/* A new socket (socket, accept) under fd: forget any server the old one connected to. */
void rf_decoder_new_socket(struct rf_decoder *d, pid_t tgid, int64_t fd);
void rf_decoder_forget_dns(struct rf_decoder *d, pid_t tgid);
/* A sockaddr in the caller's memory (decode.c). */
void rf_decode_sockaddr(const struct rf_decode_io *io, pid_t tid, uint64_t addr, uint64_t len,
			struct rf_sockaddr *sa, char **ret_unix);
