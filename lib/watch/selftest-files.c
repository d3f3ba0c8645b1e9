/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Selftest behaviours of the file rules: credential reads (opened read-only and closed unread),
 * links over sensitive files (made in the throwaway directory), writes below system directories
 * (a file named ringfence-selftest.<token>, created and removed), persistence files and logs
 * (in the throwaway directory, or a file the run created), kernel interfaces (opened for writing
 * and closed without a write). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/macro.h"
#include "ringfence/selftest.h"
#include "selftest-internal.h"

static int host_path(const struct st_ctx *c, char *buf, size_t n, const char *dir,
		     const char *suffix)
{
	return snprintf(buf, n, "%s/ringfence-selftest.%s%s", dir, c->token, suffix) < (int)n ? 0
											      : -1;
}

static int in_dir(const struct st_ctx *c, const char *rel, int flags)
{
	char p[4096];

	return st_open_close(st_path(c, p, sizeof(p), rel), flags), 0;
}

/* ---- credential access ---- */

static int shadow_read(const struct st_ctx *c)
{
	return st_open_close("/etc/shadow", O_RDONLY), 0;
}

/* "../" as many times as <dir> is deep, so <dir>/<up>etc/shadow is /etc/shadow. */
static const char *up_to_root(const struct st_ctx *c, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const char *p = c->dir; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/' && len + 3 < n) {
			memcpy(buf + len, "../", 4);
			len += 3;
		}
	return buf;
}

static int shadow_dotdot(const struct st_ctx *c)
{
	char p[4096], up[1024];

	(void)snprintf(p, sizeof(p), "%s/%setc/shadow", c->dir, up_to_root(c, up, sizeof(up)));
	return st_open_close(p, O_RDONLY), 0;
}

static int shadow_relative(const struct st_ctx *c)
{
	char p[1024], up[1000];

	if (chdir(c->dir) < 0)
		return 2;
	(void)snprintf(p, sizeof(p), "%setc/shadow", up_to_root(c, up, sizeof(up)));
	st_mark(c);
	return st_open_close(p, O_RDONLY), 0;
}

static int shadow_via_symlink(const struct st_ctx *c)
{
	char p[4096];

	st_path(c, p, sizeof(p), "shadow-alias");
	if (symlink("/etc/shadow", p) < 0)
		return 2;
	st_mark(c); /* the link itself is another rule's behaviour */
	st_open_close(p, O_RDONLY);
	return unlink(p) < 0 ? 2 : 0;
}

static int hostname_read(const struct st_ctx *c)
{
	return st_open_close("/etc/hostname", O_RDONLY), 0;
}

static int ssh_key_read(const struct st_ctx *c)
{
	return in_dir(c, "home/.ssh/id_ed25519", O_RDONLY);
}

static int ssh_pub_read(const struct st_ctx *c)
{
	return in_dir(c, "home/.ssh/id_ed25519.pub", O_RDONLY);
}

static int kube_cred_read(const struct st_ctx *c)
{
	return st_open_close("/etc/kubernetes/admin.conf", O_RDONLY), 0;
}

static int kube_manifest_read(const struct st_ctx *c)
{
	return st_open_close("/etc/kubernetes/manifests/kube-apiserver.yaml", O_RDONLY), 0;
}

static int cloud_cred_read(const struct st_ctx *c)
{
	return in_dir(c, "home/.aws/credentials", O_RDONLY);
}

static int cloud_config_read(const struct st_ctx *c)
{
	return in_dir(c, "home/.aws/config", O_RDONLY);
}

static int link_to(const struct st_ctx *c, const char *target, const char *rel)
{
	char p[4096];

	if (symlink(target, st_path(c, p, sizeof(p), rel)) < 0)
		return 2;
	return unlink(p) < 0 ? 2 : 0;
}

static int link_shadow(const struct st_ctx *c)
{
	return link_to(c, "/etc/shadow", "s");
}

static int link_shadow_relative(const struct st_ctx *c)
{
	char p[1024], up[1000];

	(void)snprintf(p, sizeof(p), "%setc/shadow", up_to_root(c, up, sizeof(up)));
	return link_to(c, p, "s2");
}

static int link_hostname(const struct st_ctx *c)
{
	return link_to(c, "/etc/hostname", "h");
}

/* ---- persistence and tampering ---- */

static int create_remove(const struct st_ctx *c, const char *dir, const char *suffix)
{
	char p[4096];

	if (host_path(c, p, sizeof(p), dir, suffix) < 0)
		return 2;
	if (st_open_close(p, O_WRONLY | O_CREAT | O_EXCL) >= 0)
		(void)unlink(p);
	return 0; /* a refused attempt (EACCES without root) is still the behaviour */
}

static int write_usr(const struct st_ctx *c)
{
	return create_remove(c, "/usr/local", "");
}

static int read_usr(const struct st_ctx *c)
{
	return st_open_close("/usr/lib/os-release", O_RDONLY), 0;
}

static int write_etc(const struct st_ctx *c)
{
	return create_remove(c, "/etc", "");
}

/* dpkg runs a maintainer script that writes below /etc: package installs are exempt. */
static int script_touch(const struct st_ctx *c, void *unused)
{
	char p[4096], exe[4096];
	char *const argv[] = { (char *)"postinst",
			       (char *)RF_SELFTEST_CHILD_CMD,
			       (char *)RF_SELFTEST_CHILD_OPT,
			       (char *)"touch",
			       p,
			       NULL };

	if (host_path(c, p, sizeof(p), "/etc", ".near") < 0)
		return 2;
	(void)snprintf(exe, sizeof(exe), "%s/bin/rf-selftest", c->dir);
	execv(exe, argv);
	return 126;
}

static int dpkg_writes_etc(const struct st_ctx *c)
{
	return st_fork_wait(c, script_touch, NULL);
}

static int write_root(const struct st_ctx *c)
{
	return create_remove(c, "/root", "");
}

static int read_root(const struct st_ctx *c)
{
	char p[4096];

	if (host_path(c, p, sizeof(p), "/root", ".near") < 0)
		return 2;
	return st_open_close(p, O_RDONLY), 0;
}

static int write_cron(const struct st_ctx *c)
{
	/* cron(8) ignores names with a dot in /etc/cron.d; the file is empty and removed. */
	return create_remove(c, "/etc/cron.d", "");
}

static int read_crontab(const struct st_ctx *c)
{
	return st_open_close("/etc/crontab", O_RDONLY), 0;
}

static int write_authorized_keys(const struct st_ctx *c)
{
	return in_dir(c, "home/.ssh/authorized_keys", O_WRONLY | O_CREAT | O_APPEND);
}

static int write_known_hosts(const struct st_ctx *c)
{
	return in_dir(c, "home/.ssh/known_hosts", O_WRONLY | O_CREAT | O_APPEND);
}

static int write_bashrc(const struct st_ctx *c)
{
	return in_dir(c, "home/.bashrc", O_WRONLY | O_APPEND);
}

static int read_bashrc(const struct st_ctx *c)
{
	return in_dir(c, "home/.bashrc", O_RDONLY);
}

static int clear_log(const struct st_ctx *c)
{
	char p[4096];

	if (host_path(c, p, sizeof(p), "/var/log", "") < 0)
		return 2;
	(void)unlink(p); /* created by the orchestrator before watching */
	return 0;
}

static int append_log(const struct st_ctx *c)
{
	char p[4096];
	int fd;

	if (host_path(c, p, sizeof(p), "/var/log", ".near") < 0)
		return 2;
	fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)!write(fd, "selftest\n", 9);
		close(fd);
	}
	return 0;
}

static int delete_history(const struct st_ctx *c)
{
	char p[4096];

	(void)unlink(st_path(c, p, sizeof(p), "home/.bash_history"));
	return 0;
}

static int append_history(const struct st_ctx *c)
{
	return in_dir(c, "home/.zsh_history", O_WRONLY | O_CREAT | O_APPEND);
}

static int chmod_to(const struct st_ctx *c, mode_t mode, const char *rel)
{
	char p[4096];

	st_path(c, p, sizeof(p), rel);
	if (st_open_close(p, O_WRONLY | O_CREAT) < 0)
		return 2;
	st_mark(c);
	return chmod(p, mode) < 0 ? 2 : 0;
}

static int setuid_bit(const struct st_ctx *c)
{
	return chmod_to(c, 04755, "suid");
}

static int plain_chmod(const struct st_ctx *c)
{
	return chmod_to(c, 0755, "nosuid");
}

static int write_release_agent(const struct st_ctx *c)
{
	return in_dir(c, "release_agent", O_WRONLY | O_CREAT);
}

static int read_release_agent(const struct st_ctx *c)
{
	return in_dir(c, "notify_on_release", O_RDONLY);
}

static int open_core_pattern_w(const struct st_ctx *c)
{
	return st_open_close("/proc/sys/kernel/core_pattern", O_WRONLY), 0;
}

static int open_core_pattern_r(const struct st_ctx *c)
{
	return st_open_close("/proc/sys/kernel/core_pattern", O_RDONLY), 0;
}

static int open_sysrq_w(const struct st_ctx *c)
{
	return st_open_close("/proc/sysrq-trigger", O_WRONLY), 0;
}

static int open_sysrq_r(const struct st_ctx *c)
{
	return st_open_close("/proc/sys/kernel/sysrq", O_RDONLY), 0;
}

static int proc_mem_w(const struct st_ctx *c)
{
	return st_open_close("/proc/self/mem", O_RDWR), 0;
}

static int proc_mem_r(const struct st_ctx *c)
{
	return st_open_close("/proc/self/mem", O_RDONLY), 0;
}

#define A(w, f)                                                                                    \
	{                                                                                          \
		.what = w, .fn = f                                                                 \
	}

const struct st_behaviour st_files[] = {
	{ "Read shadow or sudoers file by untrusted program",
	  A("open /etc/shadow read-only, close unread", shadow_read),
	  A("open /etc/hostname", hostname_read), NULL },
	{ "Read shadow or sudoers file by untrusted program",
	  A("open <dir>/../../etc/shadow, as many ../ as <dir> is deep", shadow_dotdot),
	  {},
	  NULL },
	{ "Read shadow or sudoers file by untrusted program",
	  A("chdir <dir>; open ../../etc/shadow (relative, ../ to the root)", shadow_relative),
	  {},
	  NULL },
	{ "Read shadow or sudoers file by untrusted program",
	  { .what = "open <dir>/shadow-alias, a symlink to /etc/shadow",
	    .needs = ST_ROOT,
	    .fn = shadow_via_symlink },
	  {},
	  "the path a successful open reached (the eBPF source walks the file's dentries, "
	  "ptrace reads the descriptor's link); as another user the open is refused before "
	  "that, with no path to resolve" },
	{ "Read SSH private key by untrusted program",
	  A("open a fake key <dir>/home/.ssh/id_ed25519", ssh_key_read),
	  A("open <dir>/home/.ssh/id_ed25519.pub", ssh_pub_read), NULL },
	{ "Read kubelet or cluster credentials by untrusted program",
	  A("open /etc/kubernetes/admin.conf read-only", kube_cred_read),
	  A("open /etc/kubernetes/manifests/kube-apiserver.yaml", kube_manifest_read),
	  "absent on a machine without Kubernetes: the attempt (ENOENT) is what the rule sees" },
	{ "Read service account token or cloud credentials with a file tool",
	  { .what = "cat opens a fake <dir>/home/.aws/credentials",
	    .as = "cat",
	    .fn = cloud_cred_read },
	  { .what = "cat opens <dir>/home/.aws/config", .as = "cat", .fn = cloud_config_read },
	  NULL },
	{ "Link created over sensitive file", A("symlink <dir>/s -> /etc/shadow", link_shadow),
	  A("symlink <dir>/h -> /etc/hostname", link_hostname), NULL },
	{ "Link created over sensitive file",
	  A("symlink <dir>/s2 -> ../../etc/shadow (relative target, ../ to the root)",
	    link_shadow_relative),
	  {},
	  NULL },
	{ "Write below binary or library directory",
	  A("create and remove /usr/local/ringfence-selftest.<token>", write_usr),
	  A("open /usr/lib/os-release read-only", read_usr), NULL },
	{ "Write below etc", A("create and remove /etc/ringfence-selftest.<token>", write_etc),
	  A("open /etc/hostname read-only", hostname_read), NULL },
	{ "Write below etc",
	  A("create and remove /etc/ringfence-selftest.<token> (again)", write_etc),
	  { .what = "a script run by dpkg creates and removes /etc/ringfence-selftest.<token>.near",
	    .as = "dpkg",
	    .fn = dpkg_writes_etc },
	  "package installs are exempt: the near miss holds only when the script's ancestry is "
	  "known at its write" },
	{ "Write below root", A("create and remove /root/ringfence-selftest.<token>", write_root),
	  A("open /root/ringfence-selftest.<token>.near read-only", read_root), NULL },
	{ "Cron job created or modified",
	  A("create and remove an empty /etc/cron.d/ringfence-selftest.<token>", write_cron),
	  A("open /etc/crontab read-only", read_crontab), NULL },
	{ "SSH authorized_keys modified",
	  A("append to <dir>/home/.ssh/authorized_keys", write_authorized_keys),
	  A("append to <dir>/home/.ssh/known_hosts", write_known_hosts), NULL },
	{ "Shell configuration file modified", A("append to <dir>/home/.bashrc", write_bashrc),
	  A("open <dir>/home/.bashrc read-only", read_bashrc), NULL },
	{ "Log file cleared", A("unlink /var/log/ringfence-selftest.<token>", clear_log),
	  A("append to /var/log/ringfence-selftest.<token>.near", append_log), NULL },
	{ "Shell history deleted or truncated",
	  A("unlink <dir>/home/.bash_history", delete_history),
	  A("append to <dir>/home/.zsh_history", append_history), NULL },
	{ "Setuid or setgid bit set", A("chmod 4755 <dir>/suid", setuid_bit),
	  A("chmod 755 <dir>/nosuid", plain_chmod), NULL },
	{ "Release agent written", A("open <dir>/release_agent for writing", write_release_agent),
	  A("open <dir>/notify_on_release read-only", read_release_agent),
	  "a file of that name in the throwaway directory: the cgroup's own would change the "
	  "host" },
	{ "Kernel callback path written",
	  A("open /proc/sys/kernel/core_pattern for writing, close without a write",
	    open_core_pattern_w),
	  A("open /proc/sys/kernel/core_pattern read-only", open_core_pattern_r), NULL },
	{ "Sysrq trigger written",
	  A("open /proc/sysrq-trigger for writing, close without a write", open_sysrq_w),
	  A("open /proc/sys/kernel/sysrq read-only", open_sysrq_r), NULL },
	{ "Process memory written through /proc/PID/mem",
	  A("open /proc/self/mem read-write, close", proc_mem_w),
	  A("open /proc/self/mem read-only", proc_mem_r), NULL },
};
const size_t st_files_n = ELEMENTSOF(st_files);
