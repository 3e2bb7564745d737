"""Mixed workload on declared cores (issue 13): sleep tasks asking for 1, 2 and 4 cores, in a
seeded random order, on one host declared to have 8 cores. How well does each system pack them?

Method.
- Each task is `sh -c 's=$(date +%s.%N); sleep D; echo "K $s $(date +%s.%N)" > OUT/I'`: it
  records its own start and end. Busy core-seconds = sum of K × (end - start); makespan =
  last end - first start; utilisation = busy core-seconds / (8 × makespan).
- Best possible: 1, 2 and 4 divide 8, so the tasks pack perfectly into rounds of 8 cores:
  the shortest makespan is ceil(sum of K / 8) × D, and the best utilisation
  sum of K / (8 × ceil(sum of K / 8)).
- taskfarm: `mpirun -np 4 taskfarm run` (1 scheduler, 1 name server, 2 workers) of a task list
  whose `#TASKFARM RESOURCES cpus=K` lines give each task its cores, `--cpus-per-host 8`.
- HyperQueue: one local worker with 8 cores, each task submitted with `ResourceRequest(cpus=K)`
  (peers/hq_mixed.py)."""
import random
import shutil
import sys
from pathlib import Path
from typing import Dict, List

from . import workloads
from .environment import PEERS, Environment
from .process import harness_environment, measure, mpirun

CORES = 8
SIZES = (1, 2, 4)


def plan(count: int, seed: int = 13) -> List[int]:
    """The cores of each task, an equal number of each size, in a seeded random order."""
    sizes = [SIZES[i % len(SIZES)] for i in range(count)]
    random.Random(seed).shuffle(sizes)
    return sizes


def command(index: int, cores: int, seconds: float, out: Path) -> str:
    """The task's shell line: records `CORES START END` in out/INDEX."""
    return (f"s=$(date +%s.%N); sleep {seconds}; echo \"{cores} $s $(date +%s.%N)\" > {out}/{index}")


def packing(out: Path, count: int, seconds: float) -> Dict[str, float]:
    """Utilisation and makespan from the tasks' own records, against the best possible."""
    records = []
    for index in range(count):
        cores, start, end = (out / str(index)).read_text().split()
        records.append((int(cores), float(start), float(end)))
    if len(records) != count:
        raise RuntimeError(f"{len(records)} of {count} tasks recorded themselves")
    makespan = max(r[2] for r in records) - min(r[1] for r in records)
    busy = sum(c * (end - start) for c, start, end in records)
    total = sum(r[0] for r in records)
    rounds = -(-total // CORES)
    # Most cores held at once, from the records: never above CORES if the system counts right.
    events = sorted([(s, c) for c, s, _ in records] + [(e, -c) for c, _, e in records], key=lambda e: (e[0], e[1]))
    held = peak = 0
    for _, change in events:
        held += change
        peak = max(peak, held)
    return {"makespan_s": makespan, "best_makespan_s": rounds * seconds, "utilisation": busy / (CORES * makespan),
            "best_utilisation": total / (CORES * rounds), "peak_cores": peak}


def _taskfarm(env: Environment, sizes: List[int], seconds: float, scratch: Path) -> Dict[str, object]:
    out = workloads.fresh_folder(scratch, "taskfarm-out")
    lines = []
    for index, cores in enumerate(sizes):
        lines += [f"#TASKFARM RESOURCES cpus={cores}", command(index, cores, seconds, out)]
    tasks = workloads.write_task_list(scratch, "mixed.txt", lines)
    run = measure(mpirun(4, [env.taskfarm, "run", str(tasks), "--cpus-per-host", str(CORES),
                             "--state-dir", str(scratch / "state")]), env=harness_environment())
    return dict(packing(out, len(sizes), seconds), wall_s=run.wall)


def _hyperqueue(env: Environment, sizes: List[int], seconds: float, scratch: Path) -> Dict[str, object]:
    out = workloads.fresh_folder(scratch, "hq-out")
    lines = workloads.write_task_list(scratch, "hq.txt", [f"{cores} {command(i, cores, seconds, out)}"
                                                         for i, cores in enumerate(sizes)])
    run = measure([env.python, str(PEERS / "hq_mixed.py"), str(CORES), str(lines)], env=harness_environment())
    return dict(packing(out, len(sizes), seconds), wall_s=run.wall)


def run(env: Environment, count: int = 60, seconds: float = 1.0) -> Dict[str, object]:
    """Runs the mixed workload once on each system; returns packing figures per system."""
    sizes = plan(count)
    result: Dict[str, object] = {"tasks": count, "seconds": seconds, "cores": CORES,
                                 "sizes": {str(s): sizes.count(s) for s in SIZES}, "systems": {}}
    scratch = workloads.scratch()
    try:
        if env.taskfarm:
            result["systems"]["taskfarm"] = _taskfarm(env, sizes, seconds, scratch)
        else:
            result["systems"]["taskfarm"] = {"error": "taskfarm is not built"}
        if env.has_hyperqueue:
            try:
                result["systems"]["HyperQueue"] = _hyperqueue(env, sizes, seconds, scratch)
            except Exception as error:  # a peer that fails is reported, never faked
                result["systems"]["HyperQueue"] = {"error": str(error)[:500]}
        print("  [mixed] done", file=sys.stderr)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
