/* OSU-style ping-pong between ranks 0 and 1, the C baseline for Benchmarks/mpi-pingpong.sh.
 * Usage: pingpong latency_8B_us|latency_bytes_us|latency_bytes_reused_us|bandwidth_MBps. Each run makes one
 * measurement in a fresh job (Open MPI gets slower at small messages after a matched-probe
 * phase, so measurements must not share a process). Prints "name value" on rank 0:
 *   latency_8B_us     one-way latency of an 8-byte message, fixed receive buffer (MPI_Recv)
 *   latency_bytes_us  one-way latency of an 8-byte message of unknown size:
 *                     MPI_Mprobe + MPI_Get_count + malloc + MPI_Mrecv
 *   latency_bytes_reused_us  the same, received into one reused buffer (grown when too small)
 *   bandwidth_MBps    1 MiB messages, a window of 64 MPI_Isend/MPI_Irecv, then a 4-byte ack
 * Method after osu_latency.c and osu_bw.c (OSU Micro-Benchmarks). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WARMUP = 1000, ITERATIONS = 20000, BW_SIZE = 1 << 20, BW_WINDOW = 64, BW_WARMUP = 5, BW_ITERATIONS = 40 };

static double latency_fixed(int rank) {
    char buffer[8] = {0};
    double start = 0;
    for (int i = 0; i < WARMUP + ITERATIONS; i++) {
        if (i == WARMUP) start = MPI_Wtime();
        if (rank == 0) {
            MPI_Send(buffer, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
            MPI_Recv(buffer, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(buffer, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buffer, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
        }
    }
    return (MPI_Wtime() - start) * 1e6 / (2.0 * ITERATIONS);
}

static void receive_unknown(int source) {
    MPI_Message message;
    MPI_Status status;
    int count;
    MPI_Mprobe(source, 2, MPI_COMM_WORLD, &message, &status);
    MPI_Get_count(&status, MPI_BYTE, &count);
    char *data = malloc(count > 0 ? count : 1);
    MPI_Mrecv(data, count, MPI_BYTE, &message, MPI_STATUS_IGNORE);
    free(data);
}

static char *landing;
static int landing_size;

static void receive_unknown_reused(int source) {
    MPI_Message message;
    MPI_Status status;
    int count;
    MPI_Mprobe(source, 2, MPI_COMM_WORLD, &message, &status);
    MPI_Get_count(&status, MPI_BYTE, &count);
    if (count > landing_size) {
        landing = realloc(landing, count);
        landing_size = count;
    }
    MPI_Mrecv(landing, count, MPI_BYTE, &message, MPI_STATUS_IGNORE);
}

static double latency_unknown_size(int rank, void (*receive)(int)) {
    char buffer[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    double start = 0;
    for (int i = 0; i < WARMUP + ITERATIONS; i++) {
        if (i == WARMUP) start = MPI_Wtime();
        if (rank == 0) {
            MPI_Send(buffer, 8, MPI_BYTE, 1, 2, MPI_COMM_WORLD);
            receive(1);
        } else {
            receive(0);
            MPI_Send(buffer, 8, MPI_BYTE, 0, 2, MPI_COMM_WORLD);
        }
    }
    return (MPI_Wtime() - start) * 1e6 / (2.0 * ITERATIONS);
}

static double bandwidth(int rank) {
    char *buffer = malloc(BW_SIZE);
    memset(buffer, rank + 1, BW_SIZE);
    MPI_Request requests[BW_WINDOW];
    char ack[4];
    double start = 0;
    for (int i = 0; i < BW_WARMUP + BW_ITERATIONS; i++) {
        if (i == BW_WARMUP) start = MPI_Wtime();
        if (rank == 0) {
            for (int w = 0; w < BW_WINDOW; w++) MPI_Isend(buffer, BW_SIZE, MPI_BYTE, 1, 3, MPI_COMM_WORLD, &requests[w]);
            MPI_Waitall(BW_WINDOW, requests, MPI_STATUSES_IGNORE);
            MPI_Recv(ack, 4, MPI_BYTE, 1, 4, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            for (int w = 0; w < BW_WINDOW; w++) MPI_Irecv(buffer, BW_SIZE, MPI_BYTE, 0, 3, MPI_COMM_WORLD, &requests[w]);
            MPI_Waitall(BW_WINDOW, requests, MPI_STATUSES_IGNORE);
            MPI_Send(ack, 4, MPI_BYTE, 0, 4, MPI_COMM_WORLD);
        }
    }
    double elapsed = MPI_Wtime() - start;
    free(buffer);
    return (double)BW_SIZE * BW_WINDOW * BW_ITERATIONS / elapsed / 1e6;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2) {
        if (rank == 0) fprintf(stderr, "pingpong needs exactly 2 ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    const char *mode = argc > 1 ? argv[1] : "";
    double value;
    if (strcmp(mode, "latency_8B_us") == 0) value = latency_fixed(rank);
    else if (strcmp(mode, "latency_bytes_us") == 0) value = latency_unknown_size(rank, receive_unknown);
    else if (strcmp(mode, "latency_bytes_reused_us") == 0) value = latency_unknown_size(rank, receive_unknown_reused);
    else if (strcmp(mode, "bandwidth_MBps") == 0) value = bandwidth(rank);
    else {
        if (rank == 0) fprintf(stderr, "usage: pingpong latency_8B_us|latency_bytes_us|latency_bytes_reused_us|bandwidth_MBps\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (rank == 0) printf("%s %.4f\n", mode, value);
    MPI_Finalize();
    return 0;
}
