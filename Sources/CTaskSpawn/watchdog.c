#define _GNU_SOURCE
#include "CTaskSpawn.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

// Record on the pipe: a signed 32-bit value, +pgid to register, -pgid to forget.

// Records are read in bulk, with a pause between reads: the watchdog wakes at most
// 1 / WATCHDOG_PAUSE times a second instead of twice per task, which on a busy node saves
// two context switches per task. A worker's death is still seen within the pause, and the
// pipe (64 KiB, 16,384 records) holds far more than a pause's worth of tasks.
#define WATCHDOG_PAUSE_NS (20 * 1000 * 1000)

static void watchdog_loop(int read_fd) {
    size_t capacity = 64, count = 0;
    int32_t *groups = malloc(capacity * sizeof *groups);
    int32_t records[1024];
    for (;;) {
        ssize_t n = read(read_fd, records, sizeof records);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EOF: the worker is gone
        for (size_t r = 0; r < (size_t)n / sizeof records[0]; r++) {
            int32_t record = records[r];
            if (record > 0) {
                if (count == capacity) {
                    capacity *= 2;
                    int32_t *grown = realloc(groups, capacity * sizeof *groups);
                    if (!grown) continue;
                    groups = grown;
                }
                groups[count++] = record;
            } else {
                for (size_t i = 0; i < count; i++) {
                    if (groups[i] == -record) { groups[i] = groups[--count]; break; }
                }
            }
        }
        struct timespec pause = {0, WATCHDOG_PAUSE_NS};
        nanosleep(&pause, NULL);
    }
    if (count > 0) {
        for (size_t i = 0; i < count; i++) kill(-groups[i], SIGTERM);
        struct timespec grace = {0, 200 * 1000 * 1000};
        nanosleep(&grace, NULL);
        for (size_t i = 0; i < count; i++) kill(-groups[i], SIGKILL);
    }
    _exit(0);
}

int tf_watchdog_start(int *write_fd) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    pid_t first = fork();
    if (first < 0) { int e = errno; close(fds[0]); close(fds[1]); return e; }
    if (first == 0) {
        // Detach twice so the watchdog is nobody's child here and outlives the rank.
        setsid();
        if (fork() != 0) _exit(0);
        int keep = fds[0];
        if (keep != 3) { dup2(keep, 3); keep = 3; }
        if (syscall(SYS_close_range, 0u, 2u, 0) != 0) { close(0); close(1); close(2); }
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd >= 0) { dup2(null_fd, 0); dup2(null_fd, 1); dup2(null_fd, 2); }
        if (syscall(SYS_close_range, 4u, ~0U, 0) != 0) {
            for (int fd = 4; fd < 1024; fd++) close(fd);
        }
        // Signals meant for the rank (forwarded by mpirun) must not end the watchdog.
        signal(SIGTERM, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        signal(SIGUSR1, SIG_IGN);
        signal(SIGUSR2, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        sigset_t empty;
        sigemptyset(&empty);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        watchdog_loop(keep);
    }
    close(fds[0]);
    int status;
    while (waitpid(first, &status, 0) < 0 && errno == EINTR) {}
    *write_fd = fds[1];
    return 0;
}

static int write_record(int fd, int32_t value) {
    ssize_t n;
    do { n = write(fd, &value, sizeof value); } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof value ? 0 : errno;
}

int tf_watchdog_add(int write_fd, pid_t pgid) { return write_record(write_fd, (int32_t)pgid); }
int tf_watchdog_remove(int write_fd, pid_t pgid) { return write_record(write_fd, -(int32_t)pgid); }
