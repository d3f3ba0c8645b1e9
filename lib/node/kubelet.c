/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a node offers seccomp and AppArmor profiles: whether the kubelet makes RuntimeDefault the
 * default (its --seccomp-default flag, else seccompDefault in its KubeletConfiguration) and
 * whether the kernel has AppArmor on, which profiles it holds and where apparmor_parser is. */
#include <dirent.h>
#include <fcntl.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/doc.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "core/utf8.h"
#include "core/strv.h"
#include "node-internal.h"
#include "ringfence/node.h"

#define KUBELET_CONFIG_MAX_BYTES (4u << 20)
#define CMDLINE_MAX_BYTES	 (1u << 20)

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

/* Replaces *dst with a formatted string; -ENOMEM when it cannot. */
_printf_(2, 3) static int set_str(char **dst, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static bool is_kubelet(int proc_fd, long pid)
{
	_cleanup_close_ int fd = -EBADF;
	char path[64], comm[32];
	ssize_t n;

	snprintf(path, sizeof(path), "%ld/comm", pid);
	fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || (n = read(fd, comm, sizeof(comm) - 1)) <= 0)
		return false;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return streq(comm, "kubelet");
}

/* Lowest pid whose comm is exactly "kubelet"; 0 when none. Entries that vanish are skipped. */
static pid_t find_kubelet(int proc_fd)
{
	_cleanup_(closedirp) DIR *d = NULL;
	int fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;
	pid_t best = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		char *end = NULL;
		long pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid > INT_MAX || (best && pid >= best))
			continue;
		if (is_kubelet(proc_fd, pid))
			best = (pid_t)pid;
	}
	return best;
}

/* Go's strconv.ParseBool, which pflag uses for bool flags. */
static int parse_go_bool(const char *s)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (streq(s, yes[i]))
			return 1;
		if (streq(s, no[i]))
			return 0;
	}
	return -1;
}

struct kubelet_flags {
	int seccomp_default; /* -1 unset */
	char *bad_value;     /* an unparsable --seccomp-default=..., owned */
	char *config;	     /* --config as given, owned; NULL unset or empty */
	char *config_dir;    /* --config-dir as given, owned; NULL unset or empty */
};

static void kubelet_flags_done(struct kubelet_flags *f)
{
	free(f->bad_value);
	free(f->config);
	free(f->config_dir);
}

/* pflag semantics: "--name=value" or "--name value" for value flags, bool flags take a value only
 * after '=', the last occurrence wins, "--" ends the flags; the kubelet's flag set normalizes '_'
 * in names to '-' (WordSepNormalizeFunc). argv[0] is skipped. */
static int parse_cmdline(const char *buf, size_t len, struct kubelet_flags *f)
{
	const char *end = buf + len;

	for (const char *a = buf + strlen(buf) + 1; a < end; a += strlen(a) + 1) {
		const char *v = NULL;
		char name[32];
		size_t n;
		int b;

		if (streq(a, "--"))
			break;
		if (strncmp(a, "--", 2) || (n = strcspn(a + 2, "=")) >= sizeof(name))
			continue;
		for (size_t i = 0; i < n; i++)
			name[i] = a[2 + i] == '_' ? '-' : a[2 + i];
		name[n] = '\0';
		if (a[2 + n] == '=')
			v = a + 3 + n;
		if (streq(name, "seccomp-default")) {
			if ((b = v ? parse_go_bool(v) : 1) >= 0)
				f->seccomp_default = b;
			else if (set_str(&f->bad_value, "%s", v) < 0)
				return -ENOMEM;
		} else if (streq(name, "config") || streq(name, "config-dir")) {
			char **dst = streq(name, "config") ? &f->config : &f->config_dir;

			if (!v && (a += strlen(a) + 1) >= end)
				break;
			free(*dst);
			*dst = NULL;
			if (*(v ?: a) && !(*dst = strdup(v ?: a)))
				return -ENOMEM;
		}
	}
	return 0;
}

/* A relative --config or --config-dir is relative to the kubelet's working directory. */
static int resolve_path(int proc_fd, pid_t pid, const char *flag, const char *cfg, char **ret,
			struct rf_kubelet_info *k)
{
	char link[64], cwd[PATH_MAX];
	ssize_t n;

	if (cfg[0] == '/')
		return set_str(ret, "%s", cfg);
	snprintf(link, sizeof(link), "%d/cwd", (int)pid);
	n = readlinkat(proc_fd, link, cwd, sizeof(cwd) - 1);
	if (n <= 0 || cwd[0] != '/')
		return set_str(&k->error,
			       "kubelet pid %d: %s '%s' is relative and its working "
			       "directory cannot be read",
			       (int)pid, flag, cfg);
	cwd[n] = '\0';
	return set_str(ret, "%s%s%s", cwd, streq(cwd, "/") ? "" : "/", cfg);
}

/* seccompDefault of the KubeletConfiguration at `path`: 1 true, 0 false, 2 unset (or null), -1
 * unusable (k->error says why), or -ENOMEM. */
static int read_config(struct rf_kubelet_info *k, const char *path)
{
	_cleanup_free_ char *text = NULL;
	struct rf_error err = { 0 };
	struct rf_doc d = { 0 };
	struct fy_node *root, *n;
	const char *kind = NULL;
	bool v = false;
	size_t len = 0;
	int r;

	r = rf_read_file(path, KUBELET_CONFIG_MAX_BYTES, &text, &len, &err);
	if (r >= 0 && (memchr(text, '\0', len) || rf_utf8_invalid_line(text, len)))
		r = rf_error_set(&err, -EINVAL, "%s: not a text file (NUL bytes or invalid UTF-8)",
				 path);
	/* The kubelet decodes its configuration as sigs.k8s.io/yaml does: YAML 1.1, aliases. */
	if (r >= 0)
		r = rf_doc_load(text, len, path, RF_DOC_YAML11, RF_DOC_ALIASES, &d, &err);
	if (r >= 0) {
		root = rf_doc_node(&d, rf_doc_root(&d), "KubeletConfiguration");
		if (!rf_doc_is_map(&d, root))
			r = rf_doc_fail(&d, root, "not a KubeletConfiguration (not a mapping)");
		else if ((n = rf_doc_get(&d, root, "kind")) &&
			 (r = rf_doc_str(&d, n, "KubeletConfiguration.kind", &kind, NULL)) >= 0 &&
			 !streq(kind, "KubeletConfiguration"))
			r = rf_doc_fail(&d, n, "not a KubeletConfiguration (kind is %s)", kind);
		if (r >= 0 && !rf_error_is_set(&err)) {
			n = rf_doc_get(&d, root, "seccompDefault");
			r = !n ? 2 : rf_doc_bool(&d, n, "KubeletConfiguration.seccompDefault", &v);
			if (n && r >= 0)
				r = v;
		}
		if (rf_error_is_set(&err) && r >= 0)
			r = -EINVAL;
	}
	rf_doc_done(&d);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		r = set_str(&k->error, "%s", err.message ?: strerror(-r));
		rf_error_clear(&err);
		return r < 0 ? r : -1;
	}
	return r;
}

/* The kubelet reads every *.conf of --config-dir in name order, each overriding what came
 * before. *v is updated by each drop-in that sets seccompDefault; *ret_file names the last. */
static int read_dropins(int proc_fd, struct rf_kubelet_info *k, const struct kubelet_flags *f,
			int *v, char **ret_file)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_strv_free_ char **names = NULL;
	int r;

	if ((r = resolve_path(proc_fd, k->pid, "--config-dir", f->config_dir, &dir, k)) < 0)
		return r;
	if (!dir) {
		*v = -1;
		return 0;
	}
	if ((r = node_list_visible(dir, &names)) == -ENOMEM)
		return r;
	if (r < 0) {
		*v = -1;
		return set_str(&k->error, "--config-dir %s: %s", dir, strerror(-r));
	}
	STRV_FOREACH(name, names) {
		_cleanup_free_ char *path = NULL;
		size_t n = strlen(*name);
		int dv;

		if (n <= 5 || !streq(*name + n - 5, ".conf"))
			continue;
		if (asprintf(&path, "%s/%s", dir, *name) < 0)
			return -ENOMEM;
		if ((dv = read_config(k, path)) == -ENOMEM)
			return dv;
		if (dv == -1) {
			*v = -1;
			return 0;
		}
		if (dv != 2) {
			*v = dv;
			free(*ret_file);
			*ret_file = TAKE_PTR(path);
		}
	}
	return 0;
}

static int probe(int proc_fd, const char *proc, const char *root, const char *config_path,
		 struct rf_kubelet_info *k)
{
	_cleanup_(kubelet_flags_done) struct kubelet_flags f = { .seccomp_default = -1 };
	_cleanup_free_ char *cmdline = NULL, *path = NULL, *dropin = NULL;
	bool have_cmdline = false;
	size_t len = 0;
	int r, v = -1;

	k->pid = proc_fd >= 0 ? find_kubelet(proc_fd) : 0;
	if (k->pid > 0 && asprintf(&path, "%s/%d/cmdline", proc, (int)k->pid) < 0)
		return -ENOMEM;
	if (path) {
		r = rf_read_file(path, CMDLINE_MAX_BYTES, &cmdline, &len, NULL);
		if (r == -ENOMEM)
			return r;
		have_cmdline = r >= 0 && len > 0;
	}
	if (have_cmdline && (r = parse_cmdline(cmdline, len, &f)) < 0)
		return r;
	if (f.bad_value &&
	    set_str(&k->error, "kubelet pid %d: invalid --seccomp-default value '%s'", (int)k->pid,
		    f.bad_value) < 0)
		return -ENOMEM;

	/* Which file: a kubelet seen without --config reads none; only an explicit path is read. */
	r = 0;
	if (f.config)
		r = resolve_path(proc_fd, k->pid, "--config", f.config, &k->config_path, k);
	else if (config_path)
		r = set_str(&k->config_path, "%s", config_path);
	else if (!have_cmdline) {
		r = set_str(&path, "%s/config.yaml", root ?: RF_NODE_DEFAULT_ROOT);
		if (r >= 0 && access(path, F_OK) == 0)
			k->config_path = TAKE_PTR(path);
	}
	if (r < 0)
		return r;
	if (k->config_path && (v = read_config(k, k->config_path)) == -ENOMEM)
		return v;
	if (!k->config_path && f.config_dir)
		v = 2; /* the defaults, which drop-ins may override */
	/* Drop-ins (--config-dir, kubelet 1.28+) override the file, in name order. */
	if (f.config_dir && v != -1 && (r = read_dropins(proc_fd, k, &f, &v, &dropin)) < 0)
		return r;

	if (f.seccomp_default >= 0) {
		k->seccomp_default = f.seccomp_default ? RF_TRI_YES : RF_TRI_NO;
		return set_str(&k->seccomp_default_source,
			       "--seccomp-default flag of kubelet pid %d", (int)k->pid);
	}
	if (v >= 0 && dropin) {
		k->seccomp_default = v == 1 ? RF_TRI_YES : RF_TRI_NO;
		return set_str(&k->seccomp_default_source,
			       "seccompDefault in %s (--config-dir drop-in)", dropin);
	}
	if (v >= 0) {
		k->seccomp_default = v == 1 ? RF_TRI_YES : RF_TRI_NO;
		return set_str(&k->seccomp_default_source,
			       v == 2 ? "seccompDefault unset in %s (kubelet default: false)"
				      : "seccompDefault in %s",
			       k->config_path ?: "the drop-ins");
	}
	if (k->config_path || f.config || f.config_dir) /* named but unusable: k->error says why */
		return set_str(&k->seccomp_default_source, "unknown: %s",
			       k->error ?: "the config file cannot be used");
	if (have_cmdline) {
		k->seccomp_default = RF_TRI_NO;
		return set_str(&k->seccomp_default_source,
			       "kubelet pid %d runs without --config or --seccomp-default "
			       "(kubelet default: false)",
			       (int)k->pid);
	}
	if (k->pid > 0)
		return set_str(&k->seccomp_default_source,
			       "the command line of kubelet pid %d cannot be read and no config "
			       "file was found",
			       (int)k->pid);
	return set_str(&k->seccomp_default_source, "no kubelet process and no config file found");
}

int rf_kubelet_probe(const char *proc, const char *root, const char *config_path,
		     struct rf_kubelet_info *ret)
{
	_cleanup_(rf_kubelet_info_done) struct rf_kubelet_info k = { 0 };
	_cleanup_close_ int proc_fd = -EBADF;
	int r;

	if (!ret)
		return -EINVAL;
	k.seccomp_default = RF_TRI_UNKNOWN;
	proc = proc ?: "/proc";
	proc_fd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = probe(proc_fd, proc, root, config_path, &k);
	if (r < 0)
		return r;
	*ret = k;
	k = (struct rf_kubelet_info){ 0 };
	return 0;
}

void rf_kubelet_info_done(struct rf_kubelet_info *k)
{
	if (!k)
		return;
	free(k->config_path);
	free(k->seccomp_default_source);
	free(k->error);
	*k = (struct rf_kubelet_info){ .seccomp_default = RF_TRI_UNKNOWN };
}

/* ---- AppArmor ---- */

/* Paths under the sysfs root ("/sys" unless the caller runs with the host's elsewhere). */
#define AA_MODULE  "/module/apparmor"
#define AA_ENABLED AA_MODULE "/parameters/enabled"
#define SECURITYFS "/kernel/security"
#define AA_FS	   SECURITYFS "/apparmor"

static bool is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Absolute PATH entries only: an empty or relative one would run whatever is in the cwd. */
static int find_parser(char **ret)
{
	const char *env = getenv("PATH");
	_cleanup_free_ char *copy = strdup(env ? env : "");
	char *save = NULL, *p = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (dir[0] != '/')
			continue;
		bool slash = dir[strlen(dir) - 1] == '/';

		if (asprintf(&p, "%s%sapparmor_parser", dir, slash ? "" : "/") < 0)
			return -ENOMEM;
		if (is_executable(p))
			return *ret = p, 0;
		free(TAKE_PTR(p));
	}
	if (is_executable("/sbin/apparmor_parser"))
		return (*ret = strdup("/sbin/apparmor_parser")) ? 0 : -ENOMEM;
	if (is_executable("/usr/sbin/apparmor_parser"))
		return (*ret = strdup("/usr/sbin/apparmor_parser")) ? 0 : -ENOMEM;
	return 0;
}

/* Lines "name (mode)"; unreadable (not root) leaves the list NULL. */
static int read_profiles(const char *sys, char ***ret)
{
	_cleanup_strv_free_ char **v = NULL;
	_cleanup_free_ char *text = NULL, *path = NULL;
	char *save = NULL;
	int r;

	if (asprintf(&path, "%s" AA_FS "/profiles", sys) < 0)
		return -ENOMEM;
	r = rf_read_file(path, 16u << 20, &text, NULL, NULL);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	if (!(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *mode = strrchr(l, '(');

		if (mode && mode > l && mode[-1] == ' ')
			mode[-1] = '\0';
		if (*l && (r = strv_extend_unique(&v, l)) < 0)
			return r;
	}
	strv_sort(v);
	*ret = TAKE_PTR(v);
	return 0;
}

static int apparmor_state(const char *sys, struct rf_apparmor_info *a)
{
	_cleanup_free_ char *enabled = NULL, *module = NULL, *param = NULL, *fs = NULL, *lsm = NULL;
	struct stat st;

	if (asprintf(&module, "%s" AA_MODULE, sys) < 0 ||
	    asprintf(&param, "%s" AA_ENABLED, sys) < 0 || asprintf(&fs, "%s" AA_FS, sys) < 0 ||
	    asprintf(&lsm, "%s" SECURITYFS "/lsm", sys) < 0)
		return -ENOMEM;
	if (access(module, F_OK) < 0)
		return set_str(&a->why_not, "the kernel has no AppArmor (%s does not exist)",
			       module);
	if (rf_read_file(param, 64, &enabled, NULL, NULL) == -ENOMEM)
		return -ENOMEM;
	if (!enabled)
		return set_str(&a->why_not, "cannot read %s", param);
	enabled[strcspn(enabled, "\n")] = '\0';
	if (!streq(enabled, "Y"))
		return set_str(&a->why_not, "AppArmor is disabled (%s is '%s')", param, enabled);
	if (stat(fs, &st) == 0 && S_ISDIR(st.st_mode)) {
		a->enabled = true;
		a->fs = TAKE_PTR(fs);
		return 0;
	}
	if (access(lsm, F_OK) < 0)
		return set_str(&a->why_not,
			       "securityfs is not mounted at %s" SECURITYFS " (%s is missing)", sys,
			       fs);
	return set_str(&a->why_not, "AppArmor is not an active LSM (%s does not exist)", fs);
}

int rf_apparmor_probe(const char *sys, struct rf_apparmor_info *ret)
{
	_cleanup_(rf_apparmor_info_done) struct rf_apparmor_info a = { 0 };
	int r;

	if (!ret)
		return -EINVAL;
	sys = sys ?: "/sys";
	if ((r = apparmor_state(sys, &a)) < 0)
		return r;
	if (a.enabled && (r = read_profiles(sys, &a.profiles)) < 0)
		return r;
	if ((r = find_parser(&a.parser)) < 0)
		return r;
	*ret = a;
	a = (struct rf_apparmor_info){ 0 };
	return 0;
}

void rf_apparmor_info_done(struct rf_apparmor_info *a)
{
	if (!a)
		return;
	free(a->why_not);
	strv_free(a->profiles);
	free(a->parser);
	free(a->fs);
	*a = (struct rf_apparmor_info){ 0 };
}
