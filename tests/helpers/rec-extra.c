/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rec-extra — a workload for the record/run round trip (t0510-record-roundtrip.sh): a fixed job
 * (write a file, read it back, print a checksum), and, only when asked, one extra system call the
 * job never makes, so a profile recorded without it must deny exactly that call.
 *
 *   rec-extra DIR            the job: prints "job: wrote 4096 bytes, sum 522240"
 *   rec-extra DIR --extra    first getcwd(2) once, made directly with syscall(2), printing
 *                            "extra getcwd: ok" or "extra getcwd: EPERM" (errno name), then the job
 *
 * Exit status: 0 when the job worked (whatever the extra call answered), 1 otherwise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], buf[4096], cwd[4096];
	unsigned long sum = 0;
	ssize_t n;
	int fd;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--extra") != 0)) {
		fprintf(stderr, "usage: rec-extra DIR [--extra]\n");
		return 2;
	}
	if (argc == 3) {
		long r = syscall(SYS_getcwd, cwd, sizeof(cwd));

		printf("extra getcwd: %s\n", r >= 0 ? "ok" : strerrorname_np(errno));
		fflush(stdout);
	}
	snprintf(path, sizeof(path), "%s/rec-extra.dat", argv[1]);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i % 256);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || close(fd) < 0) {
		perror("rec-extra: write");
		return 1;
	}
	memset(buf, 0, sizeof(buf));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("rec-extra: open");
		return 1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != (ssize_t)sizeof(buf)) {
		perror("rec-extra: read");
		return 1;
	}
	for (ssize_t i = 0; i < n; i++)
		sum += (unsigned char)buf[i];
	printf("job: wrote %zd bytes, sum %lu\n", n, sum);
	return 0;
}
