/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence run`: resolve the profile and capability set, then confine and exec. The order of
 * the steps follows runc: with no_new_privs the filter is loaded last, just before execve;
 * without it (possible only while we hold CAP_SYS_ADMIN) it is loaded first, before privileges
 * are dropped, so the profile also governs those calls. */
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arch.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/caps.h"
#include "ringfence/filter.h"
#include "ringfence/log.h"
#include "ringfence/proc.h"
#include "ringfence/profile.h"
#include "ringfence/run.h"
#include "run-internal.h"

extern char **environ;

struct plan {
	bool confined;
	struct rf_profile *profile; /* resolved; its flags are used at load time */
	struct sock_filter
		*kernel_prog; /* what is loaded (listener modes: notify instead of deny) */
	size_t kernel_len;
	struct sock_filter *prog; /* the profile's own verdicts, for the listener and checks */
	size_t prog_len;
	bool listener;
	bool nnp, filter_first, set_caps;
	bool listener_complain; /* complain mode lets everything through */
	uint64_t keep;
	long uid, gid;
	char *path; /* resolved executable */
	const char *profile_name;
};

static void plan_done(struct plan *p)
{
	rf_profile_free(p->profile);
	free(p->kernel_prog);
	free(p->prog);
	free(p->path);
}

int rf_find_executable(const char *cmd, char **ret, int *ret_code, struct rf_error *reterr)
{
	const char *pathenv = getenv("PATH") ?: "/usr/local/bin:/usr/bin:/bin";
	_cleanup_free_ char *copy = NULL;
	bool denied = false;
	char *save = NULL;

	if (strchr(cmd, '/')) {
		if (access(cmd, X_OK) == 0)
			return (*ret = strdup(cmd)) ? 0 : -ENOMEM;
		*ret_code = errno == ENOENT ? RF_EXIT_NOT_FOUND : RF_EXIT_CANNOT_EXEC;
		return rf_error_set(reterr, -errno, "cannot run '%s': %s", cmd, strerror(errno));
	}
	copy = strdup(pathenv);
	if (!copy)
		return -ENOMEM;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = NULL;
		struct stat st;

		if (asprintf(&p, "%s/%s", *dir ? dir : ".", cmd) < 0)
			return -ENOMEM;
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (access(p, X_OK) == 0) {
			*ret = TAKE_PTR(p);
			return 0;
		}
		denied = true;
	}
	*ret_code = denied ? RF_EXIT_CANNOT_EXEC : RF_EXIT_NOT_FOUND;
	return rf_error_set(reterr, denied ? -EACCES : -ENOENT, "cannot run '%s': %s", cmd,
			    denied ? "Permission denied" : "command not found");
}

static int plan_caps(const struct rf_run_opts *o, struct plan *pl, struct rf_error *reterr)
{
	uint64_t bound, drop = 0, add = 0;
	int r;

	r = rf_caps_bounding(&bound);
	if (r < 0)
		return rf_error_set(reterr, r, "cannot read the bounding set");
	if ((o->cap_drop && (r = rf_caps_parse_list(o->cap_drop, &drop, reterr)) < 0) ||
	    (o->cap_add && (r = rf_caps_parse_list(o->cap_add, &add, reterr)) < 0))
		return r;
	if (add & ~bound)
		return rf_error_set(
			reterr, -EPERM,
			"--cap-add asks for capabilities ringfence does not hold itself "
			"(bounding set 0x%llx)",
			(unsigned long long)bound);
	pl->keep = (bound & ~drop) | add;
	pl->set_caps = o->cap_drop || o->cap_add || o->uid >= 0;
	return 0;
}

/* What `profile lint` calls an error, `run` refuses: a profile with conflicting actions for
 * one syscall ran silently with whichever verdict libseccomp picked. */
static int check_lint(const struct rf_profile *p, const char *name, struct rf_error *reterr)
{
	struct rf_lint l = { 0 };
	int r = rf_profile_lint(p, &l);

	for (size_t i = 0; r >= 0 && i < l.n; i++) {
		const struct rf_lint_item *f = &l.items[i];

		if (f->severity != RF_LINT_ERROR)
			continue;
		r = rf_error_set_at(reterr, -EINVAL, name, f->line,
				    "%s [%s]; 'ringfence profile lint' reports it too, and run "
				    "refuses a profile with errors",
				    f->message, f->code);
	}
	rf_lint_done(&l);
	return r;
}

static int plan_profile(const struct rf_run_opts *o, struct plan *pl, struct rf_error *reterr)
{
	_cleanup_(rf_profile_freep) struct rf_profile *raw = NULL, *res = NULL;
	_cleanup_strv_free_ char **caps = NULL;
	_cleanup_(rf_seccomp_releasep) scmp_filter_ctx orig = NULL, ctx = NULL;
	enum rf_filter_mode mode = o->complain ? RF_FILTER_COMPLAIN
				   : o->report ? RF_FILTER_ENFORCE_REPORT
					       : RF_FILTER_ENFORCE;
	struct rf_resolve_env env = { 0 };
	int r;

	pl->profile_name = o->seccomp ?: "unconfined";
	if (!o->seccomp || streq(o->seccomp, "unconfined")) {
		if (o->complain)
			return rf_error_set(reterr, -EINVAL, "--complain needs a profile");
		return 0;
	}
	r = rf_profile_load(o->seccomp, &raw, reterr);
	if (r < 0)
		return r;
	/* Docker conditions are decided against the capabilities the command will really have. */
	r = rf_caps_to_names(pl->keep, &caps);
	if (r < 0)
		return r;
	env.caps = (const char *const *)caps;
	r = rf_profile_resolve(raw, &env, &res, reterr);
	if (r >= 0)
		r = check_lint(res, o->seccomp, reterr);
	if (r < 0)
		return r;
	r = rf_filter_build(res, RF_FILTER_ENFORCE, &orig, reterr);
	if (r >= 0)
		r = rf_filter_program(res, orig, RF_FILTER_ENFORCE, &pl->prog, &pl->prog_len,
				      reterr);
	if (r >= 0)
		r = rf_filter_build_ex(res, mode, false, &ctx, reterr);
	if (r >= 0)
		r = rf_filter_program(res, ctx, mode, &pl->kernel_prog, &pl->kernel_len, reterr);
	if (r < 0)
		return r;
	pl->listener = mode != RF_FILTER_ENFORCE;
	pl->confined = true;
	pl->profile = TAKE_PTR(res);
	return 0;
}

/* After the filter is in place the child waits here until the parent holds the listener; the
 * read is either allowed by the profile or itself notified, and blocks in both cases. */
static int park(int fd)
{
	char c;

	if (fd < 0)
		return 0;
	while (read(fd, &c, 1) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int load_filter(struct plan *pl, int park_fd, struct rf_error *reterr)
{
	int listener = -EBADF;
	int r = rf_filter_load(pl->kernel_prog, pl->kernel_len, pl->profile, pl->listener,
			       &listener, reterr);

	if (r < 0)
		return r;
	/* The parent takes its own copy with pidfd_getfd; execve closes ours (O_CLOEXEC). */
	r = park(park_fd);
	if (r < 0)
		return rf_error_set(reterr, r, "waiting for the listener: %s", strerror(-r));
	return 0;
}

/* Everything between "profile decided" and execve, in runc's order. Returns only on failure. */
static int confine_and_exec(struct plan *pl, char *const *argv, int park_fd, int *ret_code,
			    struct rf_error *reterr)
{
	int r;

	*ret_code = RF_EXIT_FAILED;
	if (pl->confined && pl->filter_first && (r = load_filter(pl, park_fd, reterr)) < 0)
		return r;
	if (pl->set_caps && (r = rf_caps_apply(pl->keep, pl->uid, pl->gid, reterr)) < 0)
		return r;
	if (pl->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return rf_error_set(reterr, -errno, "cannot set no_new_privs: %s", strerror(errno));
	if (pl->confined && !pl->filter_first && (r = load_filter(pl, park_fd, reterr)) < 0)
		return r;
	execve(pl->path, argv, environ);
	r = -errno;
	*ret_code = r == -ENOENT ? RF_EXIT_NOT_FOUND : RF_EXIT_CANNOT_EXEC;
	return rf_error_set(reterr, r, "cannot execute '%s': %s%s", pl->path, strerror(-r),
			    pl->confined && r == -EPERM ? " (does the profile allow execve?)" : "");
}

/* A report that cannot be written would be lost after the run: refuse before it starts. */
static int check_report_path(const char *path, struct rf_error *reterr)
{
	_cleanup_free_ char *dir = NULL;
	const char *slash;
	struct stat st;

	if (!path || streq(path, "-"))
		return 0;
	slash = strrchr(path, '/');
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return -ENOMEM;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return rf_error_set(reterr, -EISDIR, "--report '%s' is a directory", path);
	if (access(dir, W_OK) < 0)
		return rf_error_set(reterr, -errno, "--report '%s': cannot write in '%s': %s", path,
				    dir, strerror(errno));
	return 0;
}

struct own_call {
	const char *name;
	int64_t arg0; /* -1: not fixed */
	bool when_caps, when_user;
	const char *why;
};

/* Calls ringfence makes after the filter is in place. With no_new_privs that is only execve;
 * loaded first (runc's order without no_new_privs) it also covers dropping privileges. */
static const struct own_call own_calls[] = {
	{ "execve", -1, false, false, "to start the command" },
	{ "prctl", PR_CAPBSET_DROP, true, false, "to drop capabilities from the bounding set" },
	{ "capget", -1, true, false, "to set the capability sets" },
	{ "capset", -1, true, false, "to set the capability sets" },
	{ "prctl", PR_CAP_AMBIENT, true, false, "to set ambient capabilities" },
	{ "prctl", PR_SET_KEEPCAPS, false, true, "to keep capabilities across --user" },
	{ "setgroups", -1, false, true, "to switch --user" },
	{ "setresgid", -1, false, true, "to switch --user" },
	{ "setresuid", -1, false, true, "to switch --user" },
};

/* Values an argument ringfence does not fix may take (0, a flag, a pointer, all ones): an
 * allow that depends on arguments must hold for every one of them. */
static const uint64_t any_values[] = { 0, 1, 0x7ffc00001000, UINT64_MAX };

/* The verdict for a call whose first `n_known` arguments are `known`: the first that is not
 * ALLOW or LOG over every value of the others. */
static uint32_t verdict_of(const struct plan *pl, int nr, const uint64_t *known, size_t n_known)
{
	for (size_t v = 0; v < ELEMENTSOF(any_values); v++) {
		struct seccomp_data d = { .arch = rf_arch_native(), .nr = nr };
		int64_t res;
		uint32_t act;

		for (size_t i = 0; i < 6; i++)
			d.args[i] = i < n_known ? known[i] : any_values[v];
		res = rf_bpf_sim_run(pl->prog, pl->prog_len, &d);
		act = res < 0 ? SECCOMP_RET_KILL_PROCESS : (uint32_t)res & SECCOMP_RET_ACTION_FULL;
		if (act != SECCOMP_RET_ALLOW && act != SECCOMP_RET_LOG)
			return act;
	}
	return SECCOMP_RET_ALLOW;
}

/* Refuse up front, with a reason, a profile that would kill or fail ringfence's own calls
 * between loading the filter and execve: the process can no longer even print why (write is
 * usually denied too), and with exit_group denied libc ends in SIGSEGV. execve is checked
 * with the exact pointers it will get, so an allow with argument conditions counts only if
 * it really matches. */
static int check_own_calls(const struct plan *pl, char *const *argv, struct rf_error *reterr)
{
	for (size_t i = 0; pl->confined && i < ELEMENTSOF(own_calls); i++) {
		const struct own_call *c = &own_calls[i];
		uint64_t known[3];
		size_t n_known = 0;

		if (c->when_caps && !(pl->filter_first && pl->set_caps))
			continue;
		if (c->when_user && !(pl->filter_first && pl->uid >= 0))
			continue;
		if (streq(c->name, "execve")) {
			known[0] = (uintptr_t)pl->path;
			known[1] = (uintptr_t)argv;
			known[2] = (uintptr_t)environ;
			n_known = 3;
		} else if (streq(c->name, "setresuid") || streq(c->name, "setresgid")) {
			known[0] = known[1] = known[2] =
				(uint64_t)(streq(c->name, "setresuid") ? pl->uid : pl->gid);
			n_known = 3;
		} else if (c->arg0 >= 0) {
			known[n_known++] = (uint64_t)c->arg0;
		}
		if (pl->listener_complain || verdict_of(pl, seccomp_syscall_resolve_name(c->name),
							known, n_known) == SECCOMP_RET_ALLOW)
			continue;
		return rf_error_set(reterr, -EPERM,
				    "the profile does not allow '%s'%s, which ringfence must call "
				    "%s after installing the filter%s",
				    c->name, n_known ? " with the arguments it needs" : "", c->why,
				    streq(c->name, "execve")
					    ? ""
					    : " (runc has the same need; allow it, or pass "
					      "--no-new-privs so the filter is loaded last)");
	}
	return 0;
}

static int plan_build(const struct rf_run_opts *o, struct plan *pl, int *ret_code,
		      struct rf_error *reterr)
{
	bool sysadmin;
	int r;

	r = rf_caps_check_ids(o->uid, o->gid, reterr);
	if (r < 0)
		return r;
	pl->uid = o->uid;
	pl->gid = o->gid;
	r = plan_caps(o, pl, reterr);
	if (r >= 0)
		r = plan_profile(o, pl, reterr);
	if (r < 0)
		return r;
	r = rf_find_executable(o->argv[0], &pl->path, ret_code, reterr);
	if (r < 0)
		return r;
	r = check_report_path(o->report, reterr);
	if (r < 0)
		return r;
	sysadmin = rf_caps_have_effective(CAP_SYS_ADMIN);
	pl->nnp = o->no_new_privs || (pl->confined && !sysadmin);
	pl->filter_first = pl->confined && !pl->nnp;
	if (pl->confined && !o->no_new_privs && !sysadmin && !o->quiet)
		rf_log(RF_LOG_NOTICE,
		       "setting no_new_privs: the kernel only lets a process without "
		       "CAP_SYS_ADMIN install a seccomp filter under no_new_privs (setuid and "
		       "file-capability programs will not gain privileges); pass "
		       "--no-new-privs to make this explicit");
	pl->listener_complain = o->complain;
	return check_own_calls(pl, o->argv, reterr);
}

static pid_t forward_to;

static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	/* Terminal signals already reached the child's process group; only relay kill(2)s. */
	if (forward_to > 0 && si && si->si_code != SI_KERNEL)
		(void)kill(forward_to, sig);
}

static void install_forwarding(pid_t child)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2 };
	struct sigaction sa = { .sa_sigaction = forward_signal,
				.sa_flags = SA_SIGINFO | SA_RESTART };

	forward_to = child;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

struct child_error {
	int code; /* exit code the child used */
	int err;  /* negative errno */
	char msg[1024];
};

static void child_main(struct plan *pl, char *const *argv, int park_fd, int err_fd)
{
	struct rf_error e = { 0 };
	struct child_error ce = { 0 };
	int code;

	ce.err = confine_and_exec(pl, argv, park_fd, &code, &e);
	ce.code = code;
	(void)snprintf(ce.msg, sizeof(ce.msg), "%s", e.message ?: "failed before exec");
	(void)!write(err_fd, &ce, sizeof(ce));
	_exit(code);
}

static int run_with_listener(const struct rf_run_opts *o, struct plan *pl, int *ret_status,
			     struct rf_error *reterr)
{
	struct rf_report rep = { .mode = o->complain ? "complain" : "enforce",
				 .profile = pl->profile_name,
				 .index = RF_HMAP_INIT_STR };
	_cleanup_(rf_proctab_freep) struct rf_proctab *procs = NULL;
	_cleanup_close_ int pidfd = -EBADF, notify_fd = -EBADF;
	struct rf_sinks sinks = { 0 };
	struct rf_sink report_sink;
	struct rf_recording meta = { .backend = rf_listener_source.name,
				     .source_fields = rf_listener_source.fields,
				     .command = o->argv,
				     .exit_status = -1 };
	int park[2], errp[2], r, status = 0;
	char self[4096] = "";
	struct child_error ce = { 0 };
	ssize_t n;
	pid_t pid;

	rf_report_sink(&rep, &report_sink);
	r = rf_proctab_new(NULL, &procs);
	if (r >= 0)
		r = rf_sinks_add(&sinks, &report_sink);
	if (r >= 0)
		r = rf_sinks_begin(&sinks, &rf_listener_source, reterr);
	if (r < 0) {
		rf_report_done(&rep);
		return r;
	}
	if (pipe2(park, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		return rf_error_set(reterr, -errno, "pipe: %s", strerror(errno));
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return rf_error_set(reterr, -errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(park[1]);
		close(errp[0]);
		child_main(pl, o->argv, park[0], errp[1]);
	}
	close(park[0]);
	close(errp[1]);
	install_forwarding(pid);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	r = pidfd < 0 ? rf_error_set(reterr, -errno, "pidfd_open: %s", strerror(errno))
		      : rf_listener_grab(pidfd, pid, &notify_fd, reterr);
	if (r >= 0) {
		struct rf_listener l = { .notify_fd = notify_fd,
					 .pidfd = pidfd,
					 .pid = pid,
					 .complain = o->complain,
					 .prog = pl->prog,
					 .prog_len = pl->prog_len,
					 .self_exe = self,
					 .park_fd = park[0],
					 .fn = rf_sinks_emit,
					 .userdata = &sinks,
					 .procs = procs,
					 .tgids = RF_HMAP_INIT_U64 };
		(void)!write(park[1], "g", 1);
		r = rf_listener_run(&l, &status, reterr);
		rf_hmap_done(&l.tgids, NULL);
	} else {
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(park[1]);
	n = read(errp[0], &ce, sizeof(ce));
	close(errp[0]);
	if (n == (ssize_t)sizeof(ce)) {
		rf_error_clear(reterr);
		r = rf_error_set(reterr, ce.err ?: -EIO, "%s", ce.msg);
		status = W_EXITCODE(ce.code, 0);
	} else {
		meta.exit_status = status;
	}
	meta.events = sinks.events;
	{
		int e = rf_sinks_end(&sinks, &meta, r < 0 ? NULL : reterr);
		if (r >= 0 && e < 0)
			r = e;
	}
	if (o->report) {
		int w = rf_report_write(&rep, o->report, r < 0 ? NULL : reterr);
		/* A report that was asked for and lost fails the run, as a lost recording fails
		 * `record`: a full disk must not look like a clean run. */
		if (r >= 0 && w < 0) {
			r = w;
			status = W_EXITCODE(RF_EXIT_FAILED, 0);
		}
	}
	rf_report_done(&rep);
	*ret_status = status;
	return r;
}

int rf_run(const struct rf_run_opts *o, int *ret_status, struct rf_error *reterr)
{
	struct plan pl = { 0 };
	int code = RF_EXIT_FAILED, r;

	*ret_status = W_EXITCODE(RF_EXIT_FAILED, 0);
	if (!o || !o->argv || !o->argv[0])
		return rf_error_set(reterr, -EINVAL, "no command given");
	r = plan_build(o, &pl, &code, reterr);
	if (r < 0) {
		*ret_status = W_EXITCODE(code, 0);
		plan_done(&pl);
		return r;
	}
	if (pl.listener) {
		r = run_with_listener(o, &pl, ret_status, reterr);
		plan_done(&pl);
		return r;
	}
	r = confine_and_exec(&pl, o->argv, -EBADF, &code, reterr);
	*ret_status = W_EXITCODE(code, 0);
	plan_done(&pl);
	return r;
}
