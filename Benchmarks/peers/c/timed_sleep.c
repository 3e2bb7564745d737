// The timed task of the idle benchmark: sleeps, then appends `<worker rank> <start> <end>` (epoch
// seconds, from clock_gettime(CLOCK_REALTIME) at main's entry and just before the write) to FILE.
//
// Usage: timed_sleep SECONDS FILE. The worker rank comes from $TASKFARM_WORKER_RANK ("-" if
// unset). Built static and run without a shell so that the gap it measures holds as little of
// its own start-up as possible. One write(2) with O_APPEND, so concurrent tasks never interleave.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double start = now();
    if (argc != 3) {
        fprintf(stderr, "usage: timed_sleep SECONDS FILE\n");
        return 64;
    }
    double seconds = atof(argv[1]);
    struct timespec pause = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
    nanosleep(&pause, NULL);
    const char *rank = getenv("TASKFARM_WORKER_RANK");
    char line[128];
    int length = snprintf(line, sizeof line, "%s %.6f %.6f\n", rank ? rank : "-", start, now());
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || write(fd, line, (size_t)length) != length) { perror("timed_sleep"); return 1; }
    close(fd);
    return 0;
}
