/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI prestart hook of ringfence/oci.h: the state and config are read through the document
 * layer, the recording is rf_record() with the bootstrap cut, the outputs rf_outputs_write(). */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/doc.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "ringfence/oci.h"
#include "ringfence/outputs.h"
#include "ringfence/record.h"

#define CONFIG_MAX_BYTES (64u << 20)

void rf_oci_hook_done(struct rf_oci_hook *h)
{
	free(h->bundle);
	free(h->in);
	free(h->out);
	*h = (struct rf_oci_hook){ 0 };
}

/* "if:/a;of:/b" or "of:/b"; both paths absolute, each at most once. */
static int parse_annotation(const char *v, struct rf_oci_hook *h, struct rf_error *reterr)
{
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char **dst = !strncmp(tok, "if:", 3)   ? &h->in
			     : !strncmp(tok, "of:", 3) ? &h->out
						       : NULL;

		if (!dst || tok[3] != '/' || *dst)
			return rf_error_set(reterr, -EINVAL,
					    "annotation " RF_OCI_TRACE_ANNOTATION " '%s': expected "
					    "\"[if:/abs/in.json;]of:/abs/out.json\"",
					    v);
		*dst = strdup(tok + 3);
		if (!*dst)
			return -ENOMEM;
	}
	return h->out ? 1
		      : rf_error_set(reterr, -EINVAL,
				     "annotation " RF_OCI_TRACE_ANNOTATION " '%s' has no of:", v);
}

static const char *annotation(struct rf_doc *d)
{
	struct fy_node *n = rf_doc_get(d, rf_doc_get(d, rf_doc_root(d), "annotations"),
				       RF_OCI_TRACE_ANNOTATION);
	const char *s = NULL;

	return n && rf_doc_str(d, n, RF_OCI_TRACE_ANNOTATION, &s, NULL) >= 0 ? s : NULL;
}

int rf_oci_hook_parse(const char *state, size_t len, struct rf_oci_hook *ret,
		      struct rf_error *reterr)
{
	_cleanup_free_ char *cfg_path = NULL, *cfg_text = NULL;
	struct rf_doc st = { 0 }, cfg = { 0 };
	struct rf_oci_hook h = { 0 };
	const char *ann;
	bool have_cfg = false;
	int64_t pid = 0;
	int r;

	r = rf_doc_load(state, len, "<container state>", RF_DOC_JSON, 0, &st, reterr);
	if (r < 0)
		return r;
	r = rf_doc_i64(&st, rf_doc_need(&st, rf_doc_root(&st), "state", "pid"), "pid", 1, INT32_MAX,
		       &pid);
	if (r >= 0)
		r = rf_doc_strdup(&st, rf_doc_need(&st, rf_doc_root(&st), "state", "bundle"),
				  "bundle", &h.bundle);
	if (r < 0)
		goto out;
	h.pid = (pid_t)pid;
	/* The annotation may be in the state or only in config.json. */
	if (asprintf(&cfg_path, "%s/config.json", h.bundle) < 0) {
		r = -ENOMEM;
		goto out;
	}
	have_cfg = rf_doc_load_file(cfg_path, CONFIG_MAX_BYTES, RF_DOC_JSON, 0, &cfg_text, &cfg,
				    NULL) >= 0;
	ann = annotation(&st) ?: have_cfg ? annotation(&cfg) : NULL;
	if (!ann) {
		r = 0;
		goto out;
	}
	r = parse_annotation(ann, &h, reterr);
	if (r > 0 && have_cfg) {
		struct fy_node *nnp = rf_doc_get(
			&cfg, rf_doc_get(&cfg, rf_doc_root(&cfg), "process"), "noNewPrivileges");
		if (nnp && rf_doc_bool(&cfg, nnp, "noNewPrivileges", &h.no_new_privs) < 0)
			h.no_new_privs = false;
	}
out:
	rf_doc_done(&st);
	rf_doc_done(&cfg);
	if (r > 0)
		*ret = h;
	else
		rf_oci_hook_done(&h);
	return r;
}

int rf_oci_hook_record(const struct rf_oci_hook *h, int ready_fd, struct rf_error *reterr)
{
	_cleanup_(rf_obs_freep) struct rf_observation *obs = rf_obs_new();
	_cleanup_(rf_profile_freep) struct rf_profile *in = NULL;
	_cleanup_free_ char *obs_path = NULL;
	struct rf_record_opts ro = { .backend = RF_BACKEND_EBPF,
				     .pid = h->pid,
				     .bootstrap_cut = true,
				     .ready_fd = ready_fd,
				     .stop_fd = -1 };
	struct rf_sinks sinks = { 0 };
	struct rf_sink obs_sink;
	int r;

	if (!obs || asprintf(&obs_path, "%s.observation.json", h->out) < 0)
		return -ENOMEM;
	rf_obs_sink(obs, &obs_sink);
	(void)rf_sinks_add(&sinks, &obs_sink);
	r = rf_record(&ro, &sinks, NULL, reterr);
	if (r < 0)
		return r;
	obs->no_new_privs = h->no_new_privs;
	if (h->in && (r = rf_profile_load(h->in, &in, reterr)) < 0)
		return r;
	return rf_outputs_write(obs,
				&(struct rf_outputs){ .observation = obs_path,
						      .seccomp = h->out,
						      .merge_with = in },
				reterr);
}

static void write_error(const struct rf_oci_hook *h, const char *msg)
{
	_cleanup_free_ char *path = NULL;
	FILE *f;

	if (asprintf(&path, "%s.error", h->out) < 0 || !(f = fopen(path, "we")))
		return;
	fprintf(f, "ringfence oci-hook: %s\n", msg);
	fclose(f);
}

/* The daemon: detached from the runtime's pipes and session, records until the container is
 * gone. Never returns. */
_Noreturn static void run_daemon(const struct rf_oci_hook *h, int ready)
{
	struct rf_error e = { 0 };
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (devnull >= 0) {
		(void)dup3(devnull, STDIN_FILENO, 0);
		(void)dup3(devnull, STDOUT_FILENO, 0);
		(void)dup3(devnull, STDERR_FILENO, 0);
	}
	if (rf_oci_hook_record(h, ready, &e) < 0) {
		write_error(h, e.message ?: "recording failed");
		_exit(1);
	}
	_exit(0);
}

int rf_oci_hook_run(const char *state, size_t len, struct rf_error *reterr)
{
	struct rf_oci_hook h = { 0 };
	struct pollfd pfd;
	int p[2], r;
	char c;
	pid_t pid;

	r = rf_oci_hook_parse(state, len, &h, reterr);
	if (r <= 0)
		return r; /* 0: not asked to record this container */
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = rf_error_set(reterr, -errno, "pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = rf_error_set(reterr, -errno, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		close(p[0]);
		(void)setsid();
		if (fork() != 0)
			_exit(0); /* the daemon is reparented; the runtime never waits for it */
		run_daemon(&h, p[1]);
	}
	close(p[1]);
	(void)waitpid(pid, NULL, 0);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	/* Go on only once the recorder is live: the container must not run unrecorded. */
	if (poll(&pfd, 1, 20000) <= 0 || read(p[0], &c, 1) != 1)
		r = rf_error_set(reterr, -ETIMEDOUT, "the recorder did not start (see %s.error)",
				 h.out);
	else
		r = 0;
	close(p[0]);
out:
	rf_oci_hook_done(&h);
	return r;
}
