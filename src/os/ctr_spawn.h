/* ctr_spawn.h: running helper programs (runc, mkfs.ext4) and collecting
 * their output.
 *
 * The GCS has one reaper (DESIGN.md "Processes and reaping"); a helper's
 * exit status must come from it, never from a private waitpid() that could
 * race with it. So the wait is a hook: the service installs its reaper's
 * wait, tests and tools use the default (waitpid). Children are started
 * with posix_spawn, every other descriptor closed (O_CLOEXEC everywhere). */
#ifndef LCOW_CTR_SPAWN_H
#define LCOW_CTR_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/* How a helper is started and waited for. spawn starts ARGV with FD[0..2]
 * as its stdio (-1 = /dev/null) and may hand back a HANDLE for wait. */
struct ctr_spawn_ops {
	int (*spawn)(char *const argv[], const int fd[3], pid_t *pid, void **handle);
	int (*wait)(pid_t pid, void *handle, int *status);
};
/* NULL restores the default (posix_spawnp + waitpid). */
void ctr_spawn_set_ops(const struct ctr_spawn_ops *ops);

struct ctr_run {
	int stdin_fd;          /* -1: /dev/null */
	int stdout_fd;         /* -1: captured into out (or /dev/null without out) */
	int stderr_fd;         /* -1: captured into out, after stdout */
	const char *input;     /* written to the child's stdin when stdin_fd == -2 */
	size_t input_len;
	char *out;             /* captured output, NUL-terminated, malloc'd */
	size_t out_len;
	int status;            /* wait status */
};

/* Runs ARGV (argv[0] is a path or looked up in PATH), waits, fills R.
 * Returns 0 when the program ran (check R->status), else -errno. */
int ctr_run(char *const argv[], struct ctr_run *r);
/* Same, but a non-zero exit is an error: -EIO with "NAME: <last output line>". */
int ctr_run_ok(char *const argv[], struct ctr_run *r);

#endif
