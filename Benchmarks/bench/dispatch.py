"""In-process dispatch (issue 7): no-op tasks through master/worker round trips, 3 ranks
(1 master + 2 workers), chunk sizes 1 and 100. Each program prints `tasks_per_second=` timed
around its dispatch loop alone (MPI start-up excluded). One chunk is outstanding per worker
(prefetch depth 0) in the C loop; mpi4py.futures map queues its chunks in the manager and sends
one to each idle worker; taskfarm's broker keeps at most 4 chunks at each worker (one running,
three ready: prefetch depth 3). taskfarm's program (`Sources/dispatch-bench`) also prints the
latency of single calls, p50/p99/max, through hdrhistogram-swift."""
import os
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional

from . import alternate
from .environment import PEERS, Environment
from .process import harness_environment, measure, mpirun

CHUNKS = (1, 100)

# taskfarm's program: a registered no-op service mapped through the broker, built by run.sh
# (`swift build -c release --product dispatch-bench` in Benchmarks/); $DISPATCH_BENCH overrides.
# `--name-server-rank 0` so that 3 ranks give 2 workers, like the peers.
DISPATCH_BENCH = Path(os.environ.get("DISPATCH_BENCH", Path(__file__).resolve().parent.parent / ".build" / "release" / "dispatch-bench"))
TASKFARM_COUNTS = {1: 20_000, 100: 1_000_000}


def taskfarm_dispatch_argv(chunk: int, tasks: int, ranks: int = 3, name_server_rank: int = 0) -> Optional[List[str]]:
    """`mpirun -np RANKS dispatch-bench …`, or None when the program is not built."""
    if not DISPATCH_BENCH.is_file():
        return None
    return mpirun(ranks, [str(DISPATCH_BENCH), "--chunk", str(chunk), "--tasks", str(tasks),
                          "--name-server-rank", str(name_server_rank)])


TASKFARM_DISPATCH_ARGV: Optional[List[str]] = taskfarm_dispatch_argv(1, TASKFARM_COUNTS[1])


def _rate(argv: List[str]) -> Dict[str, float]:
    result = measure(argv, env=harness_environment(), capture=True)
    found = re.search(r"tasks_per_second=([0-9.]+)", result.stdout)
    if not found:
        raise RuntimeError(f"no tasks_per_second in output of {' '.join(argv)}")
    rate = {"tasks_per_s": float(found.group(1)), "wall": result.wall}
    for name, value in re.findall(r"latency_(p50|p99|max)_us=([0-9.]+)", result.stdout):
        rate[f"latency_{name}_us"] = float(value)
    return rate


def run(env: Environment, rounds: int, counts: Dict[str, Dict[int, int]]) -> Dict[str, object]:
    """`counts[system][chunk]` tasks per run; returns per-chunk system summaries and samples."""
    result: Dict[str, object] = {"ranks": 3, "rounds": rounds, "counts": {k: dict(v) for k, v in counts.items()},
                                 "prefetch": {"C MPI loop": "none (1 chunk outstanding per worker)",
                                              "mpi4py.futures": "map queues every chunk in the manager; one chunk in flight per worker",
                                              "taskfarm": "3 (the broker keeps at most 4 chunks at a worker: one running, three ready)"}}
    for chunk in CHUNKS:
        systems = {}
        if env.mpi_dispatch:
            systems["C MPI loop"] = lambda c=chunk: _rate(mpirun(3, [env.mpi_dispatch, str(counts["C MPI loop"][c]), str(c)]))
        if env.has_mpi4py:
            systems["mpi4py.futures"] = lambda c=chunk: _rate(mpirun(3, [
                env.python, "-m", "mpi4py.futures", str(PEERS / "mpi4py_dispatch.py"),
                str(counts["mpi4py.futures"][c]), str(c)]))
        if TASKFARM_DISPATCH_ARGV:
            systems["taskfarm"] = lambda c=chunk: _rate(taskfarm_dispatch_argv(c, TASKFARM_COUNTS[c]))
        samples = alternate.run_rounds(rounds, systems, f"dispatch, chunk {chunk}")
        section = {"systems": {n: alternate.summarize(s) for n, s in samples.items()}, "samples": samples}
        if not TASKFARM_DISPATCH_ARGV:
            section["taskfarm"] = f"not run: no {DISPATCH_BENCH} (build it in Benchmarks/)"
        result[f"chunk {chunk}"] = section
    print("  [dispatch] done", file=sys.stderr)
    return result
