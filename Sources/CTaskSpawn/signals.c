#define _GNU_SOURCE
#include "CTaskSpawn.h"
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t received_term, received_int, received_usr1, last_signal;

static void on_signal(int sig) {
    switch (sig) {
    case SIGTERM: received_term++; break;
    case SIGINT: received_int++; break;
    case SIGUSR1: received_usr1++; break;
    }
    last_signal = sig;
}

void tf_install_signal_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGUSR1, &action, NULL);
    // A task writing to a closed pipe must not take the rank with it.
    signal(SIGPIPE, SIG_IGN);
}

static pid_t watched_launcher;
static int launcher_lost;
/// When the launcher was last looked for (CLOCK_MONOTONIC_COARSE, nanoseconds).
static long long launcher_checked_ns;

void tf_watch_launcher(void) { watched_launcher = getppid(); }

// Whether to ask getppid now: at most every 20 ms. Every round of the rank loop takes the
// signals, and it polls in a tight loop while a reply is due; a system call each round was
// 3-4% of rank 0's CPU (issue 18). The coarse clock is read in the vDSO, without one, and a
// launcher's death noticed 20 ms later changes nothing.
static int launcher_check_due(void) {
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) != 0) return 1;
    long long ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    if (launcher_checked_ns != 0 && ns - launcher_checked_ns < 20000000LL) return 0;
    launcher_checked_ns = ns;
    return 1;
}

int tf_take_signal(int sig) {
    int count = 0;
    switch (sig) {
    case SIGTERM:
        count = received_term;
        received_term = 0;
        // Reparented: the launcher is gone, and nobody will forward a signal any more.
        if (watched_launcher > 1 && !launcher_lost && launcher_check_due() && getppid() != watched_launcher) {
            launcher_lost = 1;
            count++;
        }
        break;
    case SIGINT: count = received_int; received_int = 0; break;
    case SIGUSR1: count = received_usr1; received_usr1 = 0; break;
    }
    return count;
}

int tf_pending_signals(void) { return last_signal; }

void tf_sleep_microseconds(long microseconds) {
    struct timespec t = {microseconds / 1000000, (microseconds % 1000000) * 1000};
    nanosleep(&t, NULL);
}

int tf_poll_fds(const int *fds, int count, long timeout_us, unsigned char *ready) {
    struct pollfd stack[64];
    struct pollfd *set = count <= 64 ? stack : malloc(sizeof(struct pollfd) * (size_t)count);
    if (!set) return -1;
    for (int i = 0; i < count; i++) { set[i].fd = fds[i]; set[i].events = POLLIN; set[i].revents = 0; }
    struct timespec timeout = {timeout_us / 1000000, (timeout_us % 1000000) * 1000};
    int n = ppoll(set, (nfds_t)count, &timeout, NULL);
    for (int i = 0; i < count; i++) ready[i] = (n > 0 && set[i].revents != 0) ? 1 : 0;
    if (set != stack) free(set);
    return n;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int tf_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}
