"""The DAG scale row (issue 8): a DAG of N NOOP nodes sharing one tiny submit file, shaped as
`DAGGenerator.wideAndLong` (Sources/JobSpec/DAG/DAGGenerator.swift): a root `R`, a fan-out of
half the other nodes in one `PARENT` line and a chain of the rest. NOOP nodes run nothing, so
this measures the DAG machinery alone. Reports `taskfarm check` wall time and peak RSS, and
`mpirun -np 4 taskfarm run` wall time and rank 0's peak RSS (each rank under /usr/bin/time).

Run: `cd Benchmarks && .venv/bin/python -m bench.dag_scale [NODES]` (default 1,000,000)."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .environment import REPO
from .process import harness_environment, mpirun

TASKFARM = os.environ.get("TASKFARM", str(REPO / ".build" / "release" / "taskfarm"))


def write_dag(folder: Path, nodes: int) -> Path:
    """FILE.dag and node.sub in `folder`; the DAG's text as DAGGenerator.wideAndLong, with NOOP."""
    (folder / "node.sub").write_text("executable = /bin/true\nqueue\n")
    rest = max(0, nodes - 1)
    width, chain = rest // 2, rest - rest // 2
    with open(folder / "big.dag", "w") as out:
        out.write(f"# generated: root, fan-out of {width}, chain of {chain}, all NOOP\nJOB R node.sub NOOP\n")
        out.writelines(f"JOB F{i} node.sub NOOP\n" for i in range(width))
        out.writelines(f"JOB C{i} node.sub NOOP\n" for i in range(chain))
        if width:
            out.write("PARENT R CHILD " + " ".join(f"F{i}" for i in range(width)) + "\n")
        if chain:
            out.write("PARENT R CHILD C0\n")
        out.writelines(f"PARENT C{i - 1} CHILD C{i}\n" for i in range(1, chain))
    return folder / "big.dag"


def timed(argv, folder: Path, tag: str) -> str:
    """Runs argv with /usr/bin/time -f '%e %M' into folder/tag; returns that line."""
    subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(folder / tag), *argv], cwd=folder,
                   env=harness_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (folder / tag).read_text().strip().splitlines()[-1]


def main(nodes: int) -> None:
    with tempfile.TemporaryDirectory(prefix="tf-dag-") as name:
        folder = Path(name)
        dag = write_dag(folder, nodes)
        print(f"nodes={nodes} dag_bytes={dag.stat().st_size}")
        wall, rss_kib = timed([TASKFARM, "check", str(dag)], folder, "check.time").split()
        print(f"check_seconds={wall} check_peak_rss_mib={int(rss_kib) / 1024:.1f}")
        ranks = mpirun(4, ["sh", "-c", f'exec /usr/bin/time -f "%e %M %x" -o run.$OMPI_COMM_WORLD_RANK '
                                       f'{TASKFARM} run --state-dir state {dag}'])
        completed = subprocess.run(ranks, cwd=folder, env=harness_environment(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        wall, rss_kib, status = (folder / "run.0").read_text().strip().splitlines()[-1].split()
        print(f"run_exit={completed.returncode} rank0_exit={status} run_seconds={wall} "
              f"rank0_peak_rss_mib={int(rss_kib) / 1024:.1f} rank0_bytes_per_node={int(rss_kib) * 1024 / nodes:.0f}")
        if completed.returncode:
            print(completed.stderr[-2000:])
        print(f"load average (1, 5, 15 min) at end: {os.getloadavg()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
