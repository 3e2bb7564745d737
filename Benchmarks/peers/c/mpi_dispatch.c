// The limit for in-process dispatch: an MPI master/worker loop of no-op tasks.
//
// Usage: mpirun -np 3 mpi_dispatch N CHUNK
// Rank 0 hands out chunks of CHUNK task ids (one chunk per message, no prefetch: each worker
// has exactly one chunk outstanding) and receives one result message per chunk; workers
// compute nothing and send back the sum of ids. Rank 0 prints `tasks_per_second=<float>`
// timed with MPI_Wtime around the dispatch loop. MPI 3.1 §3.2.4 (MPI_Recv), §3.2.1 (MPI_Send).
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { TAG_WORK = 1, TAG_STOP = 2, TAG_RESULT = 3 };

static void worker(long chunk) {
    long *ids = malloc(sizeof(long) * chunk);
    for (;;) {
        MPI_Status status;
        MPI_Recv(ids, (int)chunk, MPI_LONG, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
        if (status.MPI_TAG == TAG_STOP) break;
        int received;
        MPI_Get_count(&status, MPI_LONG, &received);
        long sum = 0;
        for (int i = 0; i < received; i++) sum += ids[i];
        MPI_Send(&sum, 1, MPI_LONG, 0, TAG_RESULT, MPI_COMM_WORLD);
    }
    free(ids);
}

// Sends the next chunk to `rank`; returns how many ids it sent (0 once all are handed out).
static long send_chunk(long *next, long count, long chunk, long *ids, int rank) {
    long size = count - *next < chunk ? count - *next : chunk;
    if (size <= 0) return 0;
    for (long i = 0; i < size; i++) ids[i] = (*next)++;
    MPI_Send(ids, (int)size, MPI_LONG, rank, TAG_WORK, MPI_COMM_WORLD);
    return size;
}

static void master(long count, long chunk, int size) {
    long *ids = malloc(sizeof(long) * chunk);
    long next = 0, outstanding = 0, total = 0;
    double start = MPI_Wtime();
    for (int rank = 1; rank < size; rank++)
        if (send_chunk(&next, count, chunk, ids, rank)) outstanding++;
    while (outstanding > 0) {
        long sum;
        MPI_Status status;
        MPI_Recv(&sum, 1, MPI_LONG, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &status);
        total += sum;
        outstanding--;
        if (send_chunk(&next, count, chunk, ids, status.MPI_SOURCE)) outstanding++;
    }
    double elapsed = MPI_Wtime() - start;
    for (int rank = 1; rank < size; rank++)
        MPI_Send(ids, 0, MPI_LONG, rank, TAG_STOP, MPI_COMM_WORLD);
    if (total != count * (count - 1) / 2) { fprintf(stderr, "mpi_dispatch: wrong sum\n"); MPI_Abort(MPI_COMM_WORLD, 1); }
    printf("tasks_per_second=%.1f\n", count / elapsed);
    free(ids);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc < 3) {
        if (rank == 0) fprintf(stderr, "usage: mpi_dispatch N CHUNK\n");
        MPI_Finalize();
        return 64;
    }
    long count = atol(argv[1]), chunk = atol(argv[2]);
    if (rank == 0) master(count, chunk, size); else worker(chunk);
    MPI_Finalize();
    return 0;
}
