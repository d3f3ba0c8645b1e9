/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process table against a fake /proc tree: what it reads, the parent chain, fork/exec/exit
 * bookkeeping, the memory bound, and container identity from cgroup paths. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/macro.h"
#include "unit.h"
#include "ringfence/proc.h"

static char root[] = "/tmp/rf-proctab-XXXXXX";

static void put(const char *pid, const char *name, const char *content, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, pid, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
}

static void fake_process(int pid, int ppid, const char *comm, const char *exe, const char *cgroup)
{
	char p[16], buf[512];

	snprintf(p, sizeof(p), "%d", pid);
	snprintf(buf, sizeof(buf),
		 "%d (%s) S %d 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n", pid, comm, ppid,
		 1000 + pid);
	put(p, "stat", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "%s\n", comm);
	put(p, "comm", buf, strlen(buf));
	put(p, "cmdline", "/bin/prog\0--flag\0arg with space\0", 32);
	snprintf(buf, sizeof(buf), "Name:\t%s\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n",
		 comm);
	put(p, "status", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "0::%s\n", cgroup);
	put(p, "cgroup", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "%s/%s/exe", root, p);
	cr_assert_eq(symlink(exe, buf), 0);
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(root));
}

static void teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(proctab, .init = setup, .fini = teardown);

Test(proctab, reads_identity_and_the_parent_chain)
{
	_cleanup_(rf_proctab_freep) struct rf_proctab *t = NULL;
	const struct rf_proc *p;
	static const char cg[] = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
				 "0f2d4e7a_1b3c_4d5e_8f90_a1b2c3d4e5f6.slice/cri-containerd-"
				 "9c1f4b7e2a3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
				 ".scope";

	fake_process(1, 0, "init", "/sbin/init", "/init.scope");
	fake_process(100, 1, "containerd-shim", "/usr/bin/containerd-shim", "/system.slice");
	fake_process(200, 100, "nginx", "/usr/sbin/nginx", cg);
	cr_assert_eq(rf_proctab_new(&(struct rf_proctab_opts){ .proc_root = root }, &t), 0);
	p = rf_proctab_get(t, 200);
	cr_assert_not_null(p);
	expect_str(p->comm, "nginx");
	expect_str(p->exe, "/usr/sbin/nginx");
	expect_i(p->ppid, 100);
	cr_assert(p->ids_known);
	expect_u(p->uid, 1000);
	expect_u(p->euid, 0);
	expect_str(p->argv[0], "/bin/prog");
	expect_str(p->argv[2], "arg with space");
	cr_assert_null(p->argv[3]);
	expect_str(p->container_id,
		   "9c1f4b7e2a3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8");
	expect_str(p->pod_uid, "0f2d4e7a-1b3c-4d5e-8f90-a1b2c3d4e5f6");
	cr_assert_not_null(p->parent);
	expect_str(p->parent->comm, "containerd-shim");
	expect_str(p->parent->parent->comm, "init");
	cr_assert_null(p->parent->parent->parent);
	cr_assert(p->start_ns > 0);
}

Test(proctab, fork_exec_exit_and_exited_ancestors)
{
	_cleanup_(rf_proctab_freep) struct rf_proctab *t = NULL;
	struct rf_proctab_stats st;
	const struct rf_proc *child, *grandchild;
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)"x", NULL };

	fake_process(10, 1, "bash", "/bin/bash", "/user.slice");
	cr_assert_eq(rf_proctab_new(&(struct rf_proctab_opts){ .proc_root = root }, &t), 0);
	cr_assert_eq(rf_proctab_fork(t, 10, 11, 5), 0);
	child = rf_proctab_peek(t, 11);
	cr_assert_not_null(child);
	expect_str(child->comm, "bash"); /* a copy of its parent until it execs */
	expect_u(child->start_ns, 5);
	/* No /proc entry for 11: exec keeps what it is told. */
	cr_assert_eq(rf_proctab_exec(t, 11, "/bin/sh", argv), 0);
	expect_str(child->argv[1], "-c");
	cr_assert_eq(rf_proctab_fork(t, 11, 12, 6), 0);
	grandchild = rf_proctab_peek(t, 12);
	rf_proctab_exit(t, 11);
	cr_assert_null(rf_proctab_peek(t, 11), "an exited process leaves the table");
	cr_assert(grandchild->parent && grandchild->parent->exited,
		  "but stays as the ancestor of a live one");
	expect_i(grandchild->parent->tgid, 11);
	rf_proctab_exit(t, 12); /* the last reference: both are freed (the sanitizer lane checks) */
	rf_proctab_stats(t, &st);
	expect_u(st.entries, 1); /* bash */
}

/* runc's way: the child of a host process joins the container's cgroup, then execs. */
Test(proctab, exec_after_joining_a_container_cgroup)
{
	_cleanup_(rf_proctab_freep) struct rf_proctab *t = NULL;
	const struct rf_proc *p;
	static const char id[] = "4c1f4b7e2a3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
	char cg[128];

	fake_process(20, 1, "runc", "/usr/bin/runc", "/system.slice/docker.service");
	cr_assert_eq(rf_proctab_new(&(struct rf_proctab_opts){ .proc_root = root }, &t), 0);
	cr_assert_eq(rf_proctab_fork(t, 20, 21, 5), 0);
	p = rf_proctab_peek(t, 21);
	expect_str(p->container_id, ""); /* the fork: still the runtime's cgroup */
	snprintf(cg, sizeof(cg), "/system.slice/docker-%s.scope", id);
	fake_process(21, 20, "sh", "/bin/sh", cg);
	cr_assert_eq(rf_proctab_exec(t, 21, "/bin/sh", NULL), 0);
	expect_str(p->container_id, id);
	expect_str(p->cgroup, cg);
}

Test(proctab, memory_stays_bounded)
{
	_cleanup_(rf_proctab_freep) struct rf_proctab *t = NULL;
	struct rf_proctab_stats st;

	cr_assert_eq(rf_proctab_new(
			     &(struct rf_proctab_opts){ .proc_root = root, .max_entries = 64 }, &t),
		     0);
	/* A chain of 1000 processes, each forking the next and exiting. */
	cr_assert_eq(rf_proctab_fork(t, 0, 1000, 1), 0);
	for (int pid = 1000; pid < 2000; pid++) {
		cr_assert_eq(rf_proctab_fork(t, pid, pid + 1, 1), 0);
		rf_proctab_exit(t, pid);
	}
	rf_proctab_stats(t, &st);
	cr_assert_leq(st.entries, RF_PROC_MAX_CHAIN + 2, "%zu entries kept", st.entries);
	/* 1000 live ones: at most 64 stay. */
	for (int pid = 5000; pid < 6000; pid++)
		cr_assert_eq(rf_proctab_fork(t, 2000, pid, 1), 0);
	rf_proctab_stats(t, &st);
	cr_assert_leq(st.entries, 64 + RF_PROC_MAX_CHAIN + 2, "%zu entries kept", st.entries);
	cr_assert_geq(st.evicted, 900);
}

Test(proctab, container_ids_from_cgroup_paths)
{
	static const struct {
		const char *path, *id, *pod;
	} cases[] = {
		{ "/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "" },
		{ "/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		  "abcdef.scope",
		  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "" },
		{ "/kubepods/burstable/pod6f1d2c3b-4a5e-4f60-9a8b-7c6d5e4f3a2b/fedcba9876543210fed"
		  "cba9876543210fedcba9876543210fedcba9876543210",
		  "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		  "6f1d2c3b-4a5e-4f60-9a8b-7c6d5e4f3a2b" },
		{ "/machine.slice/libpod-aaaabbbbccccddddeeeeffff0000111122223333444455556666777788"
		  "889999.scope/container",
		  "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999", "" },
		{ "/user.slice/user-1000.slice/session-2.scope", "", "" },
		{ "/podcast/notapod", "", "" },
		{ "/", "", "" },
	};
	char id[65], pod[37];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rf_cgroup_ids(cases[i].path, id, pod);
		expect_str(id, cases[i].id);
		expect_str(pod, cases[i].pod);
	}
}
