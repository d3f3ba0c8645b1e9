/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence oci-hook`: a prestart hook with oci-seccomp-bpf-hook's contract. It reads the
 * container state on stdin and, when the annotation io.containers.trace-syscall asks for it
 * ("[if:/abs/in.json;]of:/abs/out.json"), starts the eBPF recorder on the container's process
 * tree in a fully detached daemon (runc waits for the hook's stdout/stderr to close), returns as
 * soon as the recorder is live, and writes a plain OCI linux.seccomp object when the container
 * exits. The container's runtime bootstrap is cut off at its own seccomp() call and kept in the
 * observation (of + ".observation.json"); errors of the daemon go to of + ".error". */
#include <fcntl.h>
#include <libfyaml.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "ringfence/builder.h"
#include "ringfence/ebpf.h"
#include "ringfence/observation.h"
#include "ringfence/profile.h"

#define ANNOTATION "io.containers.trace-syscall"

struct hook {
	pid_t pid;
	char *bundle;
	char *in, *out;
	bool no_new_privs;
};

static const char *scalar(struct fy_node *map, const char *path)
{
	struct fy_node *n = map ? fy_node_by_path(map, path, FY_NT, FYNWF_DONT_FOLLOW) : NULL;

	return n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
}

/* "if:/a;of:/b" or "of:/b"; both paths absolute. */
static int parse_annotation(const char *v, struct hook *h)
{
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char **dst = !strncmp(tok, "if:", 3) ? &h->in : !strncmp(tok, "of:", 3) ? &h->out
											 : NULL;
		if (!dst || tok[3] != '/' || *dst)
			return -EINVAL;
		*dst = strdup(tok + 3);
		if (!*dst)
			return -ENOMEM;
	}
	return h->out ? 0 : -EINVAL;
}

static int read_state(struct hook *h)
{
	_cleanup_free_ char *text = NULL, *cfg_path = NULL, *cfg = NULL;
	struct fy_document *state = NULL, *config = NULL;
	const char *pid, *bundle, *ann, *nnp;
	size_t len = 0;
	int r;

	r = rf_read_file("-", 1 << 20, &text, &len, NULL);
	if (r < 0 || !(state = fy_document_build_from_string(NULL, text, len)))
		return -EINVAL;
	pid = scalar(fy_document_root(state), "/pid");
	bundle = scalar(fy_document_root(state), "/bundle");
	ann = scalar(fy_document_root(state), "/annotations/" ANNOTATION);
	h->pid = pid ? (pid_t)strtol(pid, NULL, 10) : 0;
	h->bundle = bundle ? strdup(bundle) : NULL;
	if (h->bundle && asprintf(&cfg_path, "%s/config.json", h->bundle) >= 0 &&
	    rf_read_file(cfg_path, 64 << 20, &cfg, &len, NULL) >= 0 &&
	    (config = fy_document_build_from_string(NULL, cfg, len))) {
		if (!ann)
			ann = scalar(fy_document_root(config), "/annotations/" ANNOTATION);
		nnp = scalar(fy_document_root(config), "/process/noNewPrivileges");
		h->no_new_privs = nnp && streq(nnp, "true");
	}
	r = ann ? parse_annotation(ann, h) : 1;
	fy_document_destroy(state);
	if (config)
		fy_document_destroy(config);
	return r;
}

static void write_error(const struct hook *h, const char *msg)
{
	_cleanup_free_ char *path = NULL;
	FILE *f;

	if (asprintf(&path, "%s.error", h->out) < 0 || !(f = fopen(path, "we")))
		return;
	fprintf(f, "ringfence oci-hook: %s\n", msg);
	fclose(f);
}

static int finish(const struct hook *h, struct rf_observation *obs, struct rf_error *e)
{
	_cleanup_(rf_profile_freep) struct rf_profile *gen = NULL, *in = NULL, *merged = NULL;
	_cleanup_free_ char *obs_path = NULL;
	int r;

	if (asprintf(&obs_path, "%s.observation.json", h->out) < 0)
		return -ENOMEM;
	r = rf_obs_write_file(obs, obs_path, e);
	if (r >= 0)
		r = rf_profile_from_observation(obs, NULL, &gen, e);
	if (r >= 0 && h->in) {
		struct rf_profile *both[2];

		r = rf_profile_load(h->in, &in, e);
		both[0] = in;
		both[1] = gen;
		if (r >= 0)
			r = rf_profile_merge(both, 2, &merged, e);
	}
	if (r >= 0)
		r = rf_profile_write_file(merged ?: gen, RF_FORMAT_OCI, h->out, e);
	return r;
}

/* The daemon: detached from runc's pipes and session, records until the container is gone. */
static void run_daemon(struct hook *h, int ready)
{
	_cleanup_(rf_obs_freep) struct rf_observation *obs = rf_obs_new();
	struct rf_ebpf_opts eo = { .pid = h->pid, .bootstrap_cut = true, .ready_fd = ready };
	struct rf_error e = { 0 };
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (devnull >= 0) {
		(void)dup3(devnull, STDIN_FILENO, 0);
		(void)dup3(devnull, STDOUT_FILENO, 0);
		(void)dup3(devnull, STDERR_FILENO, 0);
	}
	if (!obs || !(obs->backend = strdup("ebpf"))) {
		write_error(h, "out of memory");
		_exit(1);
	}
	obs->no_new_privs = h->no_new_privs;
	if (rf_ebpf_record(&eo, NULL, rf_obs_add_event, obs, NULL, &e) < 0 || finish(h, obs, &e) < 0) {
		write_error(h, e.message ?: "recording failed");
		_exit(1);
	}
	_exit(0);
}

static void hook_done(struct hook *h)
{
	free(h->bundle);
	free(h->in);
	free(h->out);
}

int cmd_oci_hook(int argc, char **argv)
{
	_cleanup_(hook_done) struct hook h = { 0 };
	struct pollfd pfd;
	int p[2], r;
	char c;
	pid_t pid;

	if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
		printf("Usage: ringfence oci-hook   (as an OCI prestart hook; state on stdin)\n\n"
		       "Records the container when its annotation " ANNOTATION " is\n"
		       "\"[if:/abs/in.json;]of:/abs/out.json\"; writes a plain OCI linux.seccomp\n"
		       "object to out.json when the container exits (merged with in.json).\n");
		return 0;
	}
	r = read_state(&h);
	if (r == 1)
		return 0; /* not asked to trace this container */
	if (r < 0 || h.pid <= 0) {
		fprintf(stderr, "ringfence: oci-hook: bad container state or annotation '%s'\n",
			ANNOTATION);
		return 1;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(p[0]);
		(void)setsid();
		if (fork() != 0)
			_exit(0); /* the daemon is reparented; runc never waits for it */
		run_daemon(&h, p[1]);
	}
	close(p[1]);
	(void)waitpid(pid, NULL, 0);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	/* Go on only once the recorder is live: the container must not run unrecorded. */
	if (poll(&pfd, 1, 20000) <= 0 || read(p[0], &c, 1) != 1) {
		fprintf(stderr, "ringfence: oci-hook: the recorder did not start (see %s.error)\n",
			h.out);
		return 1;
	}
	return 0;
}
