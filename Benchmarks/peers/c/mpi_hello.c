// The floor for start and stop: an MPI hello world (MPI_Init, print rank, MPI_Finalize).
// Usage: mpirun -np 4 mpi_hello. MPI 3.1 §8.7 (MPI_Init, MPI_Finalize).
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    printf("hello from rank %d of %d\n", rank, size);
    MPI_Finalize();
    return 0;
}
