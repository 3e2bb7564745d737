// Starting task processes: the hot path of a worker rank.
//
// tf_spawn is posix_spawn with the extras a task farm needs and posix_spawn cannot
// express: the child gets PR_SET_PDEATHSIG, so it dies with its worker even on SIGKILL,
// and its CPU affinity is widened from the rank's binding to every CPU.
#ifndef CTASKSPAWN_H
#define CTASKSPAWN_H
#include <sys/types.h>
#include <sys/resource.h>

typedef struct tf_spawn_request {
    const char *path;            // executable, absolute or relative to cwd (no PATH search)
    char *const *argv;           // NULL-terminated
    char *const *envp;           // NULL-terminated
    const char *cwd;             // NULL: inherit
    int stdin_fd;                // becomes fd 0
    int stdout_fd;               // becomes fd 1
    int stderr_fd;               // becomes fd 2
    int death_signal;            // PR_SET_PDEATHSIG signal, 0 for none
    int widen_affinity;          // non-zero: allow every CPU (undo mpirun's binding)
    const int *bind_cpus;        // with bind_count > 0: pin the child to these CPUs instead
    int bind_count;
} tf_spawn_request;

// Starts the task in a new process group (pgid == pid) with default signal dispositions,
// an empty signal mask and no file descriptor beyond 0, 1 and 2.
// Returns 0 and sets *pid, or an errno value: the exec's own errno when the program could
// not be started (ENOENT, EACCES, ENOEXEC, E2BIG, ...).
int tf_spawn(const tf_spawn_request *request, pid_t *pid);

// Writes the CPU numbers of the calling process's affinity mask (sched_getaffinity),
// ascending, into cpus (at most capacity). Returns how many, or -1 with errno.
int tf_affinity_cpus(int *cpus, int capacity);

// Waits without blocking for any child. Returns the pid (0 if none has ended, -1 with
// errno, ECHILD when there are no children) and fills status and usage.
pid_t tf_reap_any(int *status, struct rusage *usage);

// Starts the watchdog: a detached process that holds the read end of a pipe. The caller
// writes tf_watchdog_add/remove records to *write_fd. When the pipe closes because the
// caller died (SIGKILL included), the watchdog (which reads its records every 20 ms) sends
// SIGTERM, then SIGKILL 0.2 s later,
// to every process group still registered, then exits.
// Returns 0, or an errno value.
int tf_watchdog_start(int *write_fd);
int tf_watchdog_add(int write_fd, pid_t pgid);
int tf_watchdog_remove(int write_fd, pid_t pgid);

// Sends sig to the whole process group pgid. Returns 0 or errno.
int tf_kill_group(pid_t pgid, int sig);

// Signal flags set by the rank's handlers. tf_install_signal_handlers must run before
// MPI_Init returns to user code, so that a forwarded SIGUSR1 never kills a rank.
void tf_install_signal_handlers(void);
// Returns and clears the count of SIGTERM/SIGINT/SIGUSR1 received; each is 0 or more.
// Once tf_watch_launcher was called, the launcher's death counts as one SIGTERM.
int tf_take_signal(int signal_number);
// Remembers the rank's parent (mpirun, or the orted that started it) so that its death
// counts as a SIGTERM: mpirun exits at once on a second SIGINT or SIGTERM within 5 s,
// before it forwards either, and the rank must still record its ends and its verdict.
void tf_watch_launcher(void);
// The last SIGTERM, SIGINT or SIGUSR1 seen, without clearing (0 if none).
int tf_pending_signals(void);

// Sleeps for the given number of microseconds (nanosleep), without touching Swift's runtime.
void tf_sleep_microseconds(long microseconds);

// Waits up to timeout_us microseconds (0: just check) for any of the count descriptors
// (pidfds: readable once the child has exited) to become readable, and sets ready[i]
// to 1 for each that is. Returns the number ready, 0 on timeout, -1 with errno.
int tf_poll_fds(const int *fds, int count, long timeout_us, unsigned char *ready);
// pidfd_open(2), or -1 with errno (ENOSYS on kernels before 5.3).
int tf_pidfd_open(pid_t pid);

// wait status decoding (the W* macros, which Swift cannot import).
#include <sys/wait.h>
static inline int tf_status_exited(int status) { return WIFEXITED(status); }
static inline int tf_status_exit_code(int status) { return WEXITSTATUS(status); }
static inline int tf_status_signaled(int status) { return WIFSIGNALED(status); }
static inline int tf_status_signal(int status) { return WTERMSIG(status); }
static inline int tf_status_core_dumped(int status) { return WCOREDUMP(status); }

// Reaps pid if it has exited (WNOHANG), with its resource use. Returns pid, 0 if still
// running, -1 with errno.
pid_t tf_reap(pid_t pid, int *status, struct rusage *usage);
#endif
