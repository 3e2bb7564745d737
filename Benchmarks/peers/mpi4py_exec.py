"""mpi4py.futures peer: N tasks of a program through MPIPoolExecutor and subprocess.run.

Run under `mpirun -np 3 python -m mpi4py.futures mpi4py_exec.py N OUTDIR|none [PROGRAM]`:
rank 0 is the manager, ranks 1 and 2 are the two workers. With OUTDIR, each task opens
OUTDIR/<i>.out and OUTDIR/<i>.err (O_CREAT|O_TRUNC) for its stdout/stderr (capture on);
with `none`, both go to /dev/null (capture off).
mpi4py manual: mpi4py.futures, MPIPoolExecutor.
"""
import subprocess
import sys

from mpi4py.futures import MPIPoolExecutor


def run_task(arguments):
    index, program, outdir = arguments
    if outdir == "none":
        return subprocess.run([program], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    with open(f"{outdir}/{index}.out", "wb") as out, open(f"{outdir}/{index}.err", "wb") as err:
        return subprocess.run([program], stdout=out, stderr=err).returncode


def main() -> None:
    count, outdir = int(sys.argv[1]), sys.argv[2]
    program = sys.argv[3] if len(sys.argv) > 3 else "/bin/true"
    with MPIPoolExecutor() as pool:
        failures = sum(1 for code in pool.map(run_task, [(i, program, outdir) for i in range(count)]) if code)
    if failures:
        sys.exit(f"{failures} tasks failed")


if __name__ == "__main__":
    main()
