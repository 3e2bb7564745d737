#define _GNU_SOURCE
#include "CTaskSpawn.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static void close_from(int first) {
    if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0) return;
    long limit = sysconf(_SC_OPEN_MAX);
    if (limit < 0 || limit > 65536) limit = 65536;
    for (int fd = first; fd < limit; fd++) close(fd);
}

// Runs in the vfork child: only async-signal-safe calls, never returns.
static void child(const tf_spawn_request *r, pid_t parent, volatile int *error) {
    if (setpgid(0, 0) != 0) { *error = errno; _exit(127); }
    // The raw system call, because glibc's sigaction refuses the signals it reserves
    // for itself (32 and 33), and an ignored one of those would stay ignored after exec.
    struct kernel_sigaction { void *handler; unsigned long flags; void *restorer; unsigned long mask; } dfl;
    memset(&dfl, 0, sizeof dfl);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
    }
    if (r->death_signal) {
        prctl(PR_SET_PDEATHSIG, r->death_signal);
        if (getppid() != parent) _exit(127);  // the worker died before we armed it
    }
    if (r->bind_count > 0) {
        cpu_set_t held;
        CPU_ZERO(&held);
        for (int i = 0; i < r->bind_count; i++) {
            if (r->bind_cpus[i] >= 0 && r->bind_cpus[i] < CPU_SETSIZE) CPU_SET(r->bind_cpus[i], &held);
        }
        sched_setaffinity(0, sizeof held, &held);
    } else if (r->widen_affinity) {
        cpu_set_t all;
        CPU_ZERO(&all);
        long cpus = sysconf(_SC_NPROCESSORS_CONF);
        for (long c = 0; c < cpus && c < CPU_SETSIZE; c++) CPU_SET(c, &all);
        sched_setaffinity(0, sizeof all, &all);
    }
    if (r->cwd && chdir(r->cwd) != 0) { *error = errno; _exit(127); }
    if (dup2(r->stdin_fd, 0) < 0 || dup2(r->stdout_fd, 1) < 0 || dup2(r->stderr_fd, 2) < 0) {
        *error = errno;
        _exit(127);
    }
    close_from(3);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    execve(r->path, r->argv, r->envp);
    *error = errno;
    _exit(127);
}

int tf_spawn(const tf_spawn_request *request, pid_t *pid) {
    // Block every signal so that no handler of the rank runs in the child, which
    // shares the parent's memory until exec.
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    volatile int error = 0;
    pid_t parent = getpid();
    pid_t child_pid = vfork();
    if (child_pid == 0) child(request, parent, &error);
    int fork_error = child_pid < 0 ? errno : 0;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (child_pid < 0) return fork_error;
    if (error != 0) {
        int status;
        while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR) {}
        return error;
    }
    // The parent also sets the group, so that a kill(-pgid) right after return works.
    setpgid(child_pid, child_pid);
    *pid = child_pid;
    return 0;
}

pid_t tf_reap_any(int *status, struct rusage *usage) {
    pid_t pid;
    do {
        pid = wait4(-1, status, WNOHANG, usage);
    } while (pid < 0 && errno == EINTR);
    return pid;
}

int tf_kill_group(pid_t pgid, int sig) {
    return kill(-pgid, sig) == 0 ? 0 : errno;
}

pid_t tf_reap(pid_t pid, int *status, struct rusage *usage) {
    pid_t result;
    do {
        result = wait4(pid, status, WNOHANG, usage);
    } while (result < 0 && errno == EINTR);
    return result;
}

int tf_affinity_cpus(int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int count = 0;
    for (int c = 0; c < CPU_SETSIZE && count < capacity; c++) {
        if (CPU_ISSET(c, &set)) cpus[count++] = c;
    }
    return count;
}
