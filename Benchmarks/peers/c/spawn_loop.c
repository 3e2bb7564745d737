// The limit for exec throughput: posix_spawn + waitpid, keeping CONCURRENCY tasks in flight.
//
// Usage: spawn_loop N CONCURRENCY OUTDIR|none [PROGRAM [ARGS...]]
// With OUTDIR, task i's stdout and stderr go to OUTDIR/i.out and OUTDIR/i.err, opened
// O_WRONLY|O_CREAT|O_TRUNC like taskfarm's per-task capture; with `none`, no file is opened and
// the task inherits this process's descriptors. PROGRAM defaults to /bin/true, run without a
// shell. Exits 1 if any task failed. POSIX.1-2017: posix_spawn, posix_spawn_file_actions_addopen.
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>

extern char **environ;

static pid_t start_task(long index, const char *outdir, char **argv) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_t *actions_pointer = NULL;
    char out_path[PATH_MAX], err_path[PATH_MAX];
    if (outdir) {
        snprintf(out_path, sizeof out_path, "%s/%ld.out", outdir, index);
        snprintf(err_path, sizeof err_path, "%s/%ld.err", outdir, index);
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        actions_pointer = &actions;
    }
    pid_t pid;
    int error = posix_spawn(&pid, argv[0], actions_pointer, NULL, argv, environ);
    if (actions_pointer) posix_spawn_file_actions_destroy(actions_pointer);
    if (error) {
        fprintf(stderr, "spawn_loop: posix_spawn %s: %s\n", argv[0], strerror(error));
        exit(2);
    }
    return pid;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: spawn_loop N CONCURRENCY OUTDIR|none [PROGRAM [ARGS...]]\n");
        return 64;
    }
    long count = atol(argv[1]);
    long concurrency = atol(argv[2]);
    const char *outdir = strcmp(argv[3], "none") == 0 ? NULL : argv[3];
    char *default_argv[] = {"/bin/true", NULL};
    char **task_argv = argc > 4 ? argv + 4 : default_argv;

    long started = 0, running = 0, failed = 0;
    while (started < count || running > 0) {
        while (running < concurrency && started < count) {
            start_task(started++, outdir, task_argv);
            running++;
        }
        int status;
        if (waitpid(-1, &status, 0) < 0) { perror("spawn_loop: waitpid"); return 2; }
        running--;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    return failed ? 1 : 0;
}
