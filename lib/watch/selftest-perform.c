/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The selftest's performer: the watched command. `perform` runs every behaviour the mask
 * selects, one at a time, each in a child of its own (entering the fake container cgroup, a
 * network namespace or an unprivileged user first when the action needs it, then exec'd under
 * the action's name as `run`), and logs when each began and ended on the orchestrator's log
 * descriptor, with write(2) alone so the performer itself gives the rules nothing to see.
 * Every process here ends with _exit. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/macro.h"
#include "ringfence/selftest.h"
#include "selftest-internal.h"

#define ST_NOBODY	     65534
#define ST_ACTION_TIMEOUT_S  20
#define ST_PERFORM_TIMEOUT_S 600

const char *const st_exec_names[] = { "rf-selftest", "nc",	"cat",	 "nginx", "sh",
				      "runc",	     "apt-get", "shred", "rm",	  "gdb",
				      "modprobe",    "dpkg",	NULL };

size_t st_count(void)
{
	return st_files_n + st_procs_n + st_net_n + st_priv_n;
}

const struct st_behaviour *st_get(size_t i)
{
	if (i < st_files_n)
		return &st_files[i];
	i -= st_files_n;
	if (i < st_procs_n)
		return &st_procs[i];
	i -= st_procs_n;
	if (i < st_net_n)
		return &st_net[i];
	i -= st_net_n;
	return i < st_priv_n ? &st_priv[i] : NULL;
}

static void log_line(int fd, const char *fmt, ...) _printf_(2, 3);
static void log_line(int fd, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(buf))
		(void)!write(fd, buf, (size_t)n); /* O_APPEND: one line stays whole */
}

void st_mark(const struct st_ctx *c)
{
	log_line(c->log_fd, "S %u %d %d %llu\n", c->idx, c->near, (int)getpid(),
		 (unsigned long long)rf_boottime_ns());
}

const char *st_path(const struct st_ctx *c, char *buf, size_t n, const char *rel)
{
	(void)snprintf(buf, n, "%s/%s", c->dir, rel);
	return buf;
}

int st_open_close(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* [name] watch --selftest-child run DIR TOKEN LOGFD CGROUP|- IDX NEAR */
static char *const *run_argv(const struct st_ctx *c, const char *name, char bufs[3][32],
			     char *argv[11])
{
	(void)snprintf(bufs[0], 32, "%d", c->log_fd);
	(void)snprintf(bufs[1], 32, "%u", c->idx);
	(void)snprintf(bufs[2], 32, "%d", c->near);
	argv[0] = (char *)name;
	argv[1] = (char *)RF_SELFTEST_CHILD_CMD;
	argv[2] = (char *)RF_SELFTEST_CHILD_OPT;
	argv[3] = (char *)"run";
	argv[4] = (char *)c->dir;
	argv[5] = (char *)c->token;
	argv[6] = bufs[0];
	argv[7] = (char *)(c->cgroup ?: "-");
	argv[8] = bufs[1];
	argv[9] = bufs[2];
	argv[10] = NULL;
	return argv;
}

int st_exec_noop(const struct st_ctx *c, const char *name, const char *extra1, const char *extra2)
{
	char path[4096];
	char *argv[] = { (char *)name,
			 (char *)RF_SELFTEST_CHILD_CMD,
			 (char *)RF_SELFTEST_CHILD_OPT,
			 (char *)"noop",
			 (char *)extra1,
			 (char *)extra2,
			 NULL };

	(void)snprintf(path, sizeof(path), "%s/bin/%s", c->dir, name);
	execv(path, argv);
	return errno == ENOENT ? 127 : 126;
}

int st_fork_wait(const struct st_ctx *c, int (*fn)(const struct st_ctx *c, void *arg), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 2;
	if (pid == 0)
		_exit(fn(c, arg));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int st_copy_self(int fd)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (in < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0) {
				close(in);
				return -errno;
			}
			off += w;
		}
	close(in);
	return n < 0 ? -errno : 0;
}

/* ---- preparing a child for its action ---- */

static int iface_up(int s, const char *name)
{
	struct ifreq r = { 0 };

	(void)snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &r) < 0)
		return -errno;
	r.ifr_flags |= IFF_UP;
	return ioctl(s, SIOCSIFFLAGS, &r) < 0 ? -errno : 0;
}

static int alias(int s, const char *name, const char *ip)
{
	struct ifreq r = { 0 };
	struct sockaddr_in *a = (struct sockaddr_in *)&r.ifr_addr;

	(void)snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", name);
	a->sin_family = AF_INET;
	if (inet_pton(AF_INET, ip, &a->sin_addr) != 1 || ioctl(s, SIOCSIFADDR, &r) < 0)
		return -errno;
	return iface_up(s, name);
}

/* A network namespace with loopback up and the addresses the network rules name as loopback
 * aliases: contacting them never leaves the namespace. */
static int private_net(void)
{
	int s, r;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	r = iface_up(s, "lo");
	if (r >= 0)
		r = alias(s, "lo:1", "169.254.169.254");
	if (r >= 0)
		r = alias(s, "lo:2", "10.96.0.1");
	close(s);
	return r;
}

static int enter_cgroup(const char *cgroup)
{
	char path[4096], pid[32];
	int fd, n;

	(void)snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, pid, (size_t)n) != n) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return 0;
}

static int become_nobody(void)
{
	if (geteuid() != 0)
		return 0; /* unprivileged already */
	if (setgroups(0, NULL) < 0 || setresgid(ST_NOBODY, ST_NOBODY, ST_NOBODY) < 0 ||
	    setresuid(ST_NOBODY, ST_NOBODY, ST_NOBODY) < 0)
		return -errno;
	return 0;
}

static _Noreturn void child(const struct st_ctx *c)
{
	const struct st_behaviour *b = st_get(c->idx);
	const struct st_action *a = c->near ? &b->near : &b->hit;
	char bufs[3][32], *argv[11], path[4096];

	alarm(ST_ACTION_TIMEOUT_S);
	if (a->needs & ST_NETNS && private_net() < 0)
		_exit(3);
	if (a->needs & ST_CONTAINER && (!c->cgroup || enter_cgroup(c->cgroup) < 0))
		_exit(4);
	if (a->needs & ST_UNPRIV && become_nobody() < 0)
		_exit(5);
	st_mark(c);
	if (!a->as)
		_exit(a->fn(c));
	(void)snprintf(path, sizeof(path), "%s/bin/%s", c->dir, a->as);
	execv(path, run_argv(c, a->as, bufs, argv));
	_exit(errno == ENOENT ? 127 : 126);
}

static void perform(struct st_ctx *c, const char *mask)
{
	size_t n = st_count();

	alarm(ST_PERFORM_TIMEOUT_S);
	for (size_t i = 0; i < n && mask[2 * i] && mask[2 * i + 1]; i++)
		for (int v = 0; v < 2; v++) {
			uint64_t t0;
			pid_t pid;
			int status = 0;

			if (mask[2 * i + v] != '1')
				continue;
			c->idx = (unsigned)i;
			c->near = v;
			t0 = rf_boottime_ns();
			pid = fork();
			if (pid < 0)
				_exit(2);
			if (pid == 0)
				child(c);
			log_line(c->log_fd, "B %zu %d %d %llu\n", i, v, (int)pid,
				 (unsigned long long)t0);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			log_line(c->log_fd, "E %zu %d %d %llu %d\n", i, v, (int)pid,
				 (unsigned long long)rf_boottime_ns(), status);
		}
}

static void needs_text(char *buf, size_t n, const struct st_action *a)
{
	(void)snprintf(
		buf, n, "%s%s%s%s%s", a->needs & (ST_ROOT | ST_CONTAINER | ST_NETNS) ? "root," : "",
		a->needs & ST_CONTAINER ? "container," : "", a->needs & ST_NETNS ? "netns," : "",
		a->needs & ST_UNPRIV ? "unprivileged," : "", a->needs & ST_SH ? "sh," : "");
	if (!buf[0])
		(void)snprintf(buf, n, "-");
	else
		buf[strlen(buf) - 1] = '\0';
}

/* The table for tests: index, rule, the hit's and the near miss's needs ("none": no near
 * miss), tab-separated. */
static void list(void)
{
	for (size_t i = 0; i < st_count(); i++) {
		const struct st_behaviour *b = st_get(i);
		char hit[64], near[64] = "none";

		needs_text(hit, sizeof(hit), &b->hit);
		if (b->near.fn)
			needs_text(near, sizeof(near), &b->near);
		log_line(1, "%zu\t%s\t%s\t%s\n", i, b->rule, hit, near);
	}
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;

	errno = 0;
	*ret = strtoul(s, &end, 10);
	return !errno && end != s && !*end && *ret <= max;
}

/* argv: [prog] --selftest-child ROLE ...
 *   noop [IGNORED...]
 *   touch PATH           create and remove PATH
 *   list                 the table (tests)
 *   layout DIR TOKEN     the throwaway directory's contents (tests)
 *   perform DIR TOKEN LOGFD CGROUP|- MASK
 *   run DIR TOKEN LOGFD CGROUP|- IDX NEAR */
_Noreturn void rf_selftest_child(int argc, char **argv)
{
	struct st_ctx c = { 0 };
	unsigned long fd, idx, near;

	if (argc >= 3 && streq(argv[2], "noop"))
		_exit(0);
	if (argc == 4 && streq(argv[2], "touch")) { /* create and remove PATH */
		if (st_open_close(argv[3], O_WRONLY | O_CREAT | O_EXCL) >= 0)
			(void)unlink(argv[3]);
		_exit(0);
	}
	if (argc == 3 && streq(argv[2], "list")) {
		list();
		_exit(0);
	}
	if (argc == 5 && streq(argv[2], "layout")) { /* for tests: DIR TOKEN */
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n <= 0 || mkdir(argv[3], 0755) < 0)
			_exit(2);
		self[n] = '\0';
		_exit(st_layout(argv[3], argv[4], self, geteuid() == 0, NULL) < 0 ? 1 : 0);
	}
	if (argc < 8 || !parse_uint(argv[5], 1 << 20, &fd))
		_exit(2);
	c.dir = argv[3];
	c.token = argv[4];
	c.log_fd = (int)fd;
	c.cgroup = streq(argv[6], "-") ? NULL : argv[6];
	if (streq(argv[2], "perform") && argc == 8) {
		perform(&c, argv[7]);
		_exit(0);
	}
	if (streq(argv[2], "run") && argc == 9 && parse_uint(argv[7], st_count() - 1, &idx) &&
	    parse_uint(argv[8], 1, &near)) {
		const struct st_behaviour *b = st_get(idx);
		const struct st_action *a;

		c.idx = (unsigned)idx;
		c.near = near;
		a = c.near ? &b->near : &b->hit;
		if (!a->fn)
			_exit(2);
		if (!(a->needs & ST_MARK_AT_EXEC))
			st_mark(&c);
		_exit(a->fn(&c));
	}
	_exit(2);
}
