"""In-process dispatch (issue 7): no-op tasks through master/worker round trips, 3 ranks
(1 master + 2 workers), chunk sizes 1 and 100. Each program prints `tasks_per_second=` timed
around its dispatch loop alone (MPI start-up excluded). No system prefetches: one chunk is
outstanding per worker (prefetch depth 0) in the C loop; mpi4py.futures map queues its chunks
in the manager and sends one to each idle worker (reported as such)."""
import re
import sys
from typing import Dict, List, Optional

from . import alternate
from .environment import PEERS, Environment
from .process import harness_environment, measure, mpirun

CHUNKS = (1, 100)

# Slot for taskfarm: the farm's service API (a registered no-op function, run with
# `--name-server-rank 0` so that 3 ranks give 2 workers) does not exist yet. When it does, put its
# argv here; it must print `tasks_per_second=<float>` like the peers below.
TASKFARM_DISPATCH_ARGV: Optional[List[str]] = None


def _rate(argv: List[str]) -> Dict[str, float]:
    result = measure(argv, env=harness_environment(), capture=True)
    found = re.search(r"tasks_per_second=([0-9.]+)", result.stdout)
    if not found:
        raise RuntimeError(f"no tasks_per_second in output of {' '.join(argv)}")
    return {"tasks_per_s": float(found.group(1)), "wall": result.wall}


def run(env: Environment, rounds: int, counts: Dict[str, Dict[int, int]]) -> Dict[str, object]:
    """`counts[system][chunk]` tasks per run; returns per-chunk system summaries and samples."""
    result: Dict[str, object] = {"ranks": 3, "rounds": rounds, "counts": {k: dict(v) for k, v in counts.items()},
                                 "prefetch": {"C MPI loop": "none (1 chunk outstanding per worker)",
                                              "mpi4py.futures": "map queues every chunk in the manager; one chunk in flight per worker"}}
    for chunk in CHUNKS:
        systems = {}
        if env.mpi_dispatch:
            systems["C MPI loop"] = lambda c=chunk: _rate(mpirun(3, [env.mpi_dispatch, str(counts["C MPI loop"][c]), str(c)]))
        if env.has_mpi4py:
            systems["mpi4py.futures"] = lambda c=chunk: _rate(mpirun(3, [
                env.python, "-m", "mpi4py.futures", str(PEERS / "mpi4py_dispatch.py"),
                str(counts["mpi4py.futures"][c]), str(c)]))
        if TASKFARM_DISPATCH_ARGV:
            systems["taskfarm"] = lambda: _rate(TASKFARM_DISPATCH_ARGV)
        samples = alternate.run_rounds(rounds, systems, f"dispatch, chunk {chunk}")
        section = {"systems": {n: alternate.summarize(s) for n, s in samples.items()}, "samples": samples}
        if not TASKFARM_DISPATCH_ARGV:
            section["taskfarm"] = "slot: the farm's service API does not exist yet"
        result[f"chunk {chunk}"] = section
    print("  [dispatch] done", file=sys.stderr)
    return result
