"""mpi4py.futures in-process dispatch: N no-op calls through MPIPoolExecutor.map.

Run under `mpirun -np 3 python -m mpi4py.futures mpi4py_dispatch.py N CHUNKSIZE`
(1 manager + 2 workers). Prints `tasks_per_second=<float>` measured around map alone.
mpi4py manual: mpi4py.futures, MPIPoolExecutor.map(chunksize=).
"""
import sys
import time

from mpi4py.futures import MPIPoolExecutor


def noop(value):
    return value


def main() -> None:
    count, chunksize = int(sys.argv[1]), int(sys.argv[2])
    with MPIPoolExecutor() as pool:
        pool.submit(noop, 0).result()  # wait for the workers before timing
        start = time.perf_counter()
        total = sum(pool.map(noop, range(count), chunksize=chunksize))
        elapsed = time.perf_counter() - start
    assert total == count * (count - 1) // 2
    print(f"tasks_per_second={count / elapsed:.1f}")


if __name__ == "__main__":
    main()
