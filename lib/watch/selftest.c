/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `watch --selftest`, the orchestrator: lays out the throwaway directory (the performer's
 * names as symlinks, fake keys and credentials, a payload written before watching), the host
 * files some behaviours remove, and the fake container cgroup; decides what can run here (and
 * why not); watches the performer with the real session (rf_watch_session, default rules);
 * attributes each finding to the behaviour whose time window holds its event (behaviours run
 * one at a time); and undoes every side effect, also when watching failed. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/macro.h"
#include "core/strv.h"
#include "ringfence/finding.h"
#include "ringfence/rules.h"
#include "ringfence/selftest.h"
#include "selftest-internal.h"

/* Host paths a run may create: /<dir>/ringfence-selftest.<token><suffix>. */
static const char *const host_files[][2] = {
	{ "/etc", "" },	       { "/etc", ".near" }, { "/usr/local", "" },    { "/root", "" },
	{ "/etc/cron.d", "" }, { "/var/log", "" },  { "/var/log", ".near" },
};

struct seen {
	char *rule;
	uint64_t time_ns, delivered_ns;
	pid_t pid;
};

struct run {
	pid_t pid;
	uint64_t t_fork, t_start, t_end;
	int status;
	bool began, ended;
};

struct st {
	const struct rf_selftest_opts *o;
	char dir[64], token[16], cgroup[512], self[4096];
	bool root, have_cgroup;
	char absent[256]; /* needed syscalls the kernel lacks (the eBPF watch's summary) */
	int log_fd;
	struct seen *seen;
	size_t n_seen, cap_seen;
};

static int on_finding(const struct rf_finding *f, void *userdata)
{
	struct st *s = userdata;
	struct seen *v;

	if (f->record != RF_RECORD_FINDING)
		return 0;
	if (s->n_seen == s->cap_seen) {
		size_t cap = s->cap_seen ? 2 * s->cap_seen : 64;

		v = reallocarray(s->seen, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->seen = v;
		s->cap_seen = cap;
	}
	v = &s->seen[s->n_seen];
	*v = (struct seen){ .rule = strdup(rf_rule_name(f->rule)),
			    .time_ns = f->time_ns,
			    .delivered_ns = rf_boottime_ns(),
			    .pid = f->n_procs ? f->procs[0].pid : 0 };
	if (!v->rule)
		return -ENOMEM;
	s->n_seen++;
	return 0;
}

/* ---- the throwaway directory and the host ---- */

static int write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n = (ssize_t)strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, (size_t)n) != n) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	return close(fd) < 0 ? -errno : 0;
}

static int in_dir(const char *dir, const char *rel, char *buf, size_t n)
{
	return snprintf(buf, n, "%s/%s", dir, rel) < (int)n ? 0 : -ENAMETOOLONG;
}

int st_layout(const char *dir, const char *token, const char *self, bool root,
	      struct rf_error *reterr)
{
	static const char *const dirs[] = { "bin", "home", "home/.ssh", "home/.aws", "mnt" };
	static const char *const files[][2] = {
		{ "home/.ssh/id_ed25519", "not a key: ringfence selftest\n" },
		{ "home/.ssh/id_ed25519.pub", "ssh-ed25519 AAAA ringfence-selftest\n" },
		{ "home/.aws/credentials", "[default]\naws_access_key_id = RINGFENCESELFTEST\n" },
		{ "home/.aws/config", "[default]\nregion = none\n" },
		{ "home/.bashrc", "# ringfence selftest\n" },
		{ "home/.bash_history", "true\n" },
		{ "notify_on_release", "0\n" },
	};
	char p[4096];
	int r, fd;

	/* Searchable by nobody, who runs the unprivileged behaviours from <dir>/bin. */
	if (chmod(dir, 0755) < 0)
		return rf_error_set(reterr, -errno, "%s: %s", dir, strerror(errno));
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
		if (in_dir(dir, dirs[i], p, sizeof(p)) < 0 || mkdir(p, 0755) < 0)
			return rf_error_set(reterr, -errno, "%s: %s", p, strerror(errno));
	for (size_t i = 0; st_exec_names[i]; i++) {
		(void)snprintf(p, sizeof(p), "%s/bin/%s", dir, st_exec_names[i]);
		if (symlink(self, p) < 0)
			return rf_error_set(reterr, -errno, "%s: %s", p, strerror(errno));
	}
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (in_dir(dir, files[i][0], p, sizeof(p)) < 0 ||
		    (r = write_text(p, files[i][1], 0644)) < 0)
			return rf_error_set(reterr, -errno, "%s: %s", p, strerror(errno));
	/* The drift near miss: an executable written before watching began. */
	(void)in_dir(dir, "prebuilt", p, sizeof(p));
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd < 0 || (r = st_copy_self(fd)) < 0) {
		r = rf_error_set(reterr, fd < 0 ? -errno : r, "%s: cannot copy %s", p, self);
		if (fd >= 0)
			close(fd);
		return r;
	}
	close(fd);
	if (root) { /* the log the log-clearing behaviour removes */
		(void)snprintf(p, sizeof(p), "/var/log/ringfence-selftest.%s", token);
		(void)write_text(p, "", 0600);
	}
	return 0;
}

static const char *cgroup2_root(char *buf, size_t n)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mounts", "re");
	char dev[256], dir[256], type[64];

	while (f && fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3)
		if (streq(type, "cgroup2")) {
			(void)snprintf(buf, n, "%s", dir);
			return buf;
		}
	return NULL;
}

/* A cgroup v2 directory named as Docker names a container's: rf_cgroup_ids sees a container. */
static void make_cgroup(struct st *s)
{
	uint8_t id[32];
	char root[256], hex[65];

	if (!s->root || !cgroup2_root(root, sizeof(root)) ||
	    getrandom(id, sizeof(id), 0) != sizeof(id))
		return;
	for (size_t i = 0; i < sizeof(id); i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", id[i]);
	(void)snprintf(s->cgroup, sizeof(s->cgroup), "%s/docker-%s.scope", root, hex);
	s->have_cgroup = mkdir(s->cgroup, 0755) == 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	(void)(flag == FTW_DP ? rmdir(path) : unlink(path));
	return 0;
}

static void cleanup(struct st *s)
{
	char p[4096];

	for (size_t i = 0; i < ELEMENTSOF(host_files); i++) {
		(void)snprintf(p, sizeof(p), "%s/ringfence-selftest.%s%s", host_files[i][0],
			       s->token, host_files[i][1]);
		(void)unlink(p);
	}
	if (s->have_cgroup)
		/* The performer's children are reaped; a cgroup empties as its last task exits. */
		for (int i = 0; i < 50 && rmdir(s->cgroup) < 0 && errno == EBUSY; i++)
			usleep(20000);
	if (s->dir[0])
		(void)nftw(s->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (s->log_fd >= 0)
		close(s->log_fd);
}

/* The name of a build tool among our ancestors, or NULL: default rules exempt the descendants
 * of build tools (drift, writes below /usr, setuid bits), so run from `make` those miss. */
static const char *build_tool_ancestor(char *buf, size_t n)
{
	static const char *const tools[] = { "make", "gmake", "cmake", "ninja", "meson", "samu" };
	pid_t pid = getppid();

	for (int depth = 0; pid > 1 && depth < 32; depth++) {
		char path[64], stat[512], *open_paren, *close_paren;
		_cleanup_fclose_ FILE *f = NULL;
		int ppid;

		(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (!(f = fopen(path, "re")) || !fgets(stat, sizeof(stat), f) ||
		    !(open_paren = strchr(stat, '(')) || !(close_paren = strrchr(stat, ')')) ||
		    sscanf(close_paren + 2, "%*c %d", &ppid) != 1)
			return NULL;
		*close_paren = '\0';
		for (size_t i = 0; i < ELEMENTSOF(tools); i++)
			if (streq(open_paren + 1, tools[i])) {
				(void)snprintf(buf, n, "%s", tools[i]);
				return buf;
			}
		pid = ppid;
	}
	return NULL;
}

/* ---- what can run here ---- */

static const char *why_not(const struct st *s, const struct st_action *a)
{
	if (a->needs & ST_CONTAINER && !s->root)
		return "needs root for a container cgroup";
	if (a->needs & ST_CONTAINER && !s->have_cgroup)
		return "no writable cgroup v2 hierarchy for a container cgroup";
	if (a->needs & ST_NETNS && !s->root)
		return "needs root for a network namespace";
	if (a->needs & ST_ROOT && !s->root)
		return "needs root";
	if (a->needs & ST_SH && access("/bin/sh", X_OK) < 0)
		return "no /bin/sh";
	return NULL;
}

/* ---- matching findings to behaviours ---- */

static void read_log(struct st *s, struct run *runs, size_t n)
{
	_cleanup_fclose_ FILE *f = NULL;
	char line[256];
	int fd = dup(s->log_fd);

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || !(f = fdopen(fd, "re"))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long t;
		unsigned idx;
		int v, pid, status = 0;
		char k;

		if (sscanf(line, "%c %u %d %d %llu %d", &k, &idx, &v, &pid, &t, &status) < 5 ||
		    idx >= n || (v != 0 && v != 1))
			continue;
		struct run *r = &runs[2 * idx + (size_t)v];
		if (k == 'B') {
			r->pid = pid;
			r->t_fork = t;
			r->began = true;
		} else if (k == 'S') {
			r->t_start = t; /* the last mark wins: an action may move its start */
		} else if (k == 'E') {
			r->t_end = t;
			r->status = status;
			r->ended = true;
		}
	}
}

static ssize_t window_of(const struct run *runs, size_t n, uint64_t t)
{
	for (size_t i = 0; i < 2 * n; i++)
		if (runs[i].began && runs[i].ended && t >= runs[i].t_fork && t <= runs[i].t_end)
			return (ssize_t)i;
	return -1;
}

static char *status_text(int status)
{
	char *s = NULL;

	if (WIFEXITED(status))
		(void)asprintf(&s, "the performer exited with status %d", WEXITSTATUS(status));
	else
		(void)asprintf(&s, "the performer was killed by signal %d", WTERMSIG(status));
	return s;
}

/* Whether `name` is an item of `list`, the summary's "a, b, c". */
static bool in_list(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += len)
		if ((p == list || p[-1] == ' ') && (!p[len] || p[len] == ','))
			return true;
	return false;
}

/* A behaviour missed because this kernel does not implement its call (init_module without
 * module support): the call returns ENOSYS before any exit tracepoint of it could run, so the
 * eBPF watch, at the per-call exit tracepoints, cannot see the attempt. Said, not counted as a
 * miss; --backend ptrace sees it. */
static int absent_is_skipped(const struct st *s, struct rf_selftest_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		const struct st_behaviour *b = st_get(i);
		struct rf_selftest_result *res = &rep->v[i];

		if (res->status != RF_ST_MISSED || !b->syscall || !in_list(s->absent, b->syscall))
			continue;
		res->status = RF_ST_SKIPPED;
		free(res->reason);
		if (asprintf(&res->reason,
			     "this kernel does not implement %s: the call returns ENOSYS without "
			     "running its exit tracepoint, which the eBPF watch attaches to "
			     "(--backend ptrace sees the attempt)",
			     b->syscall) < 0) {
			res->reason = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

static void judge(struct st *s, struct rf_selftest_report *rep, const struct run *runs,
		  const struct rf_ruleset *rs)
{
	size_t n = rep->n;

	for (size_t f = 0; f < s->n_seen; f++) {
		const struct seen *x = &s->seen[f];
		ssize_t w = window_of(runs, n, x->time_ns);
		struct rf_selftest_result *res;

		if (w < 0) {
			char *u = NULL;

			if (asprintf(&u, "%s (pid %d)", x->rule, (int)x->pid) >= 0)
				(void)strv_extend(&rep->unexpected, u);
			free(u);
			continue;
		}
		res = &rep->v[w / 2];
		if (w % 2) {
			res->near_status = RF_ST_FIRED;
			if (!strv_contains(res->near_fired, x->rule))
				(void)strv_extend(&res->near_fired, x->rule);
		} else if (streq(x->rule, res->rule)) {
			const struct run *r = &runs[w];
			uint64_t t0 = r->t_start ?: r->t_fork;

			if (res->status != RF_ST_DETECTED) {
				res->status = RF_ST_DETECTED;
				res->latency_ns = (int64_t)(x->delivered_ns - t0);
			}
		} else if (!strv_contains(res->also, x->rule)) {
			(void)strv_extend(&res->also, x->rule);
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct rf_selftest_result *res = &rep->v[i];
		const struct run *hit = &runs[2 * i], *near = &runs[2 * i + 1];

		if (res->status == RF_ST_MISSED && hit->ended && hit->status != 0) {
			res->status = RF_ST_FAILED;
			free(res->reason);
			res->reason = status_text(hit->status);
		}
		if (res->near_status == RF_ST_QUIET && near->ended && near->status != 0) {
			res->near_status = RF_ST_FAILED;
			free(res->near_reason);
			res->near_reason = status_text(near->status);
		}
		res->finding_type = strdup(rf_rule_finding_type(rf_ruleset_find(rs, res->rule)));
	}
}

/* Every enabled default rule has a behaviour, and every behaviour a default rule. */
static int check_table(const struct rf_ruleset *rs, struct rf_error *reterr)
{
	for (size_t i = 0; i < st_count(); i++)
		if (!rf_ruleset_find(rs, st_get(i)->rule))
			return rf_error_set(reterr, -EINVAL, "selftest: no default rule '%s'",
					    st_get(i)->rule);
	for (size_t r = 0; r < rf_ruleset_count(rs); r++) {
		const struct rf_rule *rule = rf_ruleset_rule(rs, r);
		bool found = false;

		for (size_t i = 0; i < st_count() && !found; i++)
			found = streq(st_get(i)->rule, rf_rule_name(rule));
		if (rf_rule_enabled(rule) && !found)
			return rf_error_set(reterr, -EINVAL,
					    "selftest: no behaviour for the default rule '%s'",
					    rf_rule_name(rule));
	}
	return 0;
}

/* ---- the run ---- */

static int plan(struct st *s, struct rf_selftest_report *rep, char *mask)
{
	rep->n = st_count();
	rep->v = calloc(rep->n, sizeof(*rep->v));
	if (!rep->v)
		return -ENOMEM;
	for (size_t i = 0; i < rep->n; i++) {
		const struct st_behaviour *b = st_get(i);
		struct rf_selftest_result *res = &rep->v[i];
		const char *why = why_not(s, &b->hit);

		*res = (struct rf_selftest_result){ .rule = b->rule,
						    .what = b->hit.what,
						    .status = why ? RF_ST_SKIPPED : RF_ST_MISSED,
						    .latency_ns = -1,
						    .near_what = b->near.what,
						    .near_status = RF_ST_NONE };
		if ((why || b->note) && !(res->reason = strdup(why ?: b->note)))
			return -ENOMEM;
		mask[2 * i] = why ? '0' : '1';
		mask[2 * i + 1] = '0';
		if (!b->near.fn)
			continue;
		why = why_not(s, &b->near);
		res->near_status = why ? RF_ST_SKIPPED : RF_ST_QUIET;
		if (why && !(res->near_reason = strdup(why)))
			return -ENOMEM;
		mask[2 * i + 1] = why ? '0' : '1';
	}
	mask[2 * rep->n] = '\0';
	return 0;
}

static int watch_performer(struct st *s, const char *mask, struct rf_selftest_report *rep,
			   struct rf_error *reterr)
{
	char perf[4096], fd[16];
	char *argv[] = { perf,
			 (char *)RF_SELFTEST_CHILD_CMD,
			 (char *)RF_SELFTEST_CHILD_OPT,
			 (char *)"perform",
			 s->dir,
			 s->token,
			 fd,
			 s->have_cgroup ? s->cgroup : (char *)"-",
			 (char *)mask,
			 NULL };
	struct rf_watch_config c = {
		.source = { .backend = s->o->backend, .argv = argv, .stop_fd = -1 },
		.on_finding = on_finding,
		.finding_userdata = s,
		.fail_on = -1,
		.rate_burst = 1000000,
		.diag = s->o->diag
	};
	struct rf_watch_summary sum;
	int r;

	(void)snprintf(perf, sizeof(perf), "%s/bin/rf-selftest", s->dir);
	(void)snprintf(fd, sizeof(fd), "%d", s->log_fd);
	r = rf_watch_session(&c, &sum, reterr);
	rep->backend = sum.watch.backend;
	memcpy(s->absent, sum.watch.syscalls_absent, sizeof(s->absent));
	rep->events = sum.detect.events;
	rep->lost = sum.watch.lost[0] + sum.watch.lost[1];
	rep->duration_ns = sum.watch.duration_ns;
	if (r >= 0 && sum.watch.wait_status != 0)
		r = rf_error_set(reterr, -ECHILD,
				 "selftest: the performer failed (wait status "
				 "%d)",
				 sum.watch.wait_status);
	return r;
}

int rf_selftest_run(const struct rf_selftest_opts *o, struct rf_selftest_report **ret,
		    struct rf_error *reterr)
{
	_cleanup_(rf_ruleset_freep) struct rf_ruleset *rs = NULL;
	struct st s = { .o = o, .log_fd = -1 };
	struct rf_selftest_report *rep = calloc(1, sizeof(*rep));
	_cleanup_free_ struct run *runs = NULL;
	_cleanup_free_ char *mask = NULL;
	char tool[16];
	ssize_t n;
	int r;

	if (!rep)
		return -ENOMEM;
	if ((r = rf_ruleset_new(&rs)) < 0 || (r = rf_ruleset_load_default(rs, reterr)) < 0 ||
	    (r = rf_ruleset_compile(rs, reterr)) < 0 || (r = check_table(rs, reterr)) < 0)
		goto out;
	s.root = geteuid() == 0;
	if (o->self_exe)
		(void)snprintf(s.self, sizeof(s.self), "%s", o->self_exe);
	else if ((n = readlink("/proc/self/exe", s.self, sizeof(s.self) - 1)) > 0)
		s.self[n] = '\0';
	else {
		r = rf_error_set(reterr, -errno, "selftest: /proc/self/exe: %s", strerror(errno));
		goto out;
	}
	(void)snprintf(s.dir, sizeof(s.dir), "/tmp/ringfence-selftest.XXXXXX");
	if (!mkdtemp(s.dir)) {
		r = rf_error_set(reterr, -errno, "selftest: cannot make a directory below /tmp: %s",
				 strerror(errno));
		s.dir[0] = '\0';
		goto out;
	}
	(void)snprintf(s.token, sizeof(s.token), "%s", strrchr(s.dir, '.') + 1);
	s.log_fd =
		open(s.dir, O_TMPFILE | O_RDWR | O_APPEND, 0600); /* inherited by the performer */
	if (s.log_fd < 0) {
		r = rf_error_set(reterr, -errno, "selftest: log: %s", strerror(errno));
		goto out;
	}
	make_cgroup(&s);
	if ((r = st_layout(s.dir, s.token, s.self, s.root, reterr)) < 0)
		goto out;
	mask = malloc(2 * st_count() + 1);
	runs = calloc(2 * st_count(), sizeof(*runs));
	if (!mask || !runs || (r = plan(&s, rep, mask)) < 0) {
		r = -ENOMEM;
		goto out;
	}
	if (o->diag && build_tool_ancestor(tool, sizeof(tool)))
		fprintf(o->diag,
			"ringfence: selftest: note: running below '%s': rules that exempt "
			"the descendants of build tools will miss (run it outside a build)\n",
			tool);
	r = watch_performer(&s, mask, rep, reterr);
	read_log(&s, runs, rep->n);
	judge(&s, rep, runs, rs);
	if ((r = absent_is_skipped(&s, rep)) < 0)
		goto out;
	for (size_t i = 0; i < rep->n; i++) {
		enum rf_selftest_status st = rep->v[i].status, ns = rep->v[i].near_status;

		rep->detected += st == RF_ST_DETECTED;
		rep->missed += st == RF_ST_MISSED;
		rep->skipped += st == RF_ST_SKIPPED;
		rep->failed += st == RF_ST_FAILED || ns == RF_ST_FAILED;
		rep->near_quiet += ns == RF_ST_QUIET;
		rep->near_fired += ns == RF_ST_FIRED;
	}
out:
	cleanup(&s);
	for (size_t i = 0; i < s.n_seen; i++)
		free(s.seen[i].rule);
	free(s.seen);
	if (r < 0) {
		rf_selftest_report_free(rep);
		return r;
	}
	*ret = rep;
	return 0;
}
