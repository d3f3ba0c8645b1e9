/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loaded into a server with LD_PRELOAD by t1100-watch-baseline.sh: when RF_SPAWN_SHELL_OUT is
 * set, the server runs a shell from inside itself as it starts (what code injected into it, or
 * a remote code execution, would do), and the shell writes "pwned" to that file. The shell
 * gets neither variable, so it does not do it again. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((constructor)) static void spawn_shell(void)
{
	const char *out = getenv("RF_SPAWN_SHELL_OUT");
	pid_t pid;

	if (!out)
		return;
	pid = fork();
	if (pid == 0) {
		(void)unsetenv("LD_PRELOAD");
		execl("/bin/sh", "sh", "-c", "echo pwned >\"$0\"", out, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		(void)waitpid(pid, NULL, 0);
}
