"""Idle cost paired with latency (issue 7): CPU seconds of each taskfarm rank over 100 tasks of
`sleep 1` on 4 ranks (1 scheduler, 1 name server, 2 workers), and the gap between a task's end and
the next task's start on the same worker.

Method.
- CPU per rank: every rank runs under `/usr/bin/time -f '%e %U %S' -o cpu.<rank>` (the rank is
  the wrapper's child, so its rusage includes the tasks it waited for). A worker's figure has
  its tasks' own CPU subtracted: that is measured beforehand by running the same task line, with
  a 0 s sleep, 20 times through the C spawn loop. Each rank's share of a core = CPU / wall.
- Gaps: each task is `timed_sleep 1 gaps` (peers/c/timed_sleep.c, static, no shell syntax so no
  shell runs), which appends `$TASKFARM_WORKER_RANK start end`. Per worker, sorted by start:
  gap = start(next) - end(previous). The measured gap also holds the task's exit and the next
  task's exec up to main(), so the same line run back-to-back by the C spawn loop (1 at a time)
  gives the method's floor, reported alongside."""
import math
import shutil
import statistics
import sys
from pathlib import Path
from typing import Dict, List

from . import workloads
from .environment import Environment
from .process import harness_environment, measure, mpirun

ROLES = {0: "scheduler (rank 0)", 1: "name server (rank 1)", 2: "worker (rank 2)", 3: "worker (rank 3)"}


def task_argv(env: Environment, gaps: Path, sleep: str) -> List[str]:
    """The timed task: records `<worker rank> <start> <end>` in epoch seconds."""
    return [env.timed_sleep, sleep, str(gaps)]


def percentile(values: List[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction in 0...1) of a non-empty list: the value of rank
    ceil(fraction × n)."""
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(fraction * len(ordered)))) - 1]


def end_to_start_gaps(gaps_file: Path) -> List[float]:
    """Seconds from each task's end to the next start on the same worker rank."""
    by_worker: Dict[str, List[tuple]] = {}
    for line in gaps_file.read_text().splitlines():
        rank, start, end = line.split()
        by_worker.setdefault(rank, []).append((float(start), float(end)))
    gaps = []
    for spans in by_worker.values():
        spans.sort()
        gaps += [nxt[0] - prev[1] for prev, nxt in zip(spans, spans[1:])]
    return gaps


def _gap_summary(gaps: List[float]) -> Dict[str, float]:
    return {"count": len(gaps), "p50_ms": 1000 * statistics.median(gaps),
            "p99_ms": 1000 * percentile(gaps, 0.99), "max_ms": 1000 * max(gaps)}


def _floor(env: Environment, scratch: Path) -> Dict[str, object]:
    """The measuring method's own cost: CPU of one task (with sleep 0) and gaps in a C loop."""
    gaps = scratch / "floor-gaps"
    run_env = dict(harness_environment(), TASKFARM_WORKER_RANK="0")
    cpu_run = measure([env.spawn_loop, "20", "1", "none", *task_argv(env, gaps, "0")], env=run_env)
    gaps.unlink()
    measure([env.spawn_loop, "40", "1", "none", *task_argv(env, gaps, "0.05")], env=run_env)
    return {"task_cpu_s": cpu_run.cpu / 20, "gaps": _gap_summary(end_to_start_gaps(gaps))}


def run(env: Environment, tasks: int = 100) -> Dict[str, object]:
    """Runs the idle measurement once (it takes tasks / 2 seconds) and returns per-rank figures."""
    if not env.taskfarm:
        return {"error": "taskfarm is not built"}
    scratch = workloads.scratch()
    try:
        floor = _floor(env, scratch)
        gaps = scratch / "gaps"
        task_list = workloads.write_task_list(scratch, "sleep.txt", [" ".join(task_argv(env, gaps, "1"))] * tasks)
        state = scratch / "state"
        cpu_prefix = scratch / "cpu."
        inner = (f"exec /usr/bin/time -f '%e %U %S' -o {cpu_prefix}$OMPI_COMM_WORLD_RANK "
                 f"{env.taskfarm} run {task_list} --output /dev/null --error /dev/null --state-dir {state}")
        measure(mpirun(4, ["sh", "-c", inner]), env=harness_environment(), timeout=tasks * 2 + 120)
        ranks = {}
        lines = gaps.read_text().splitlines()
        if len(lines) != tasks:
            raise RuntimeError(f"{len(lines)} of {tasks} timed tasks recorded themselves")
        per_worker = {rank: sum(1 for l in lines if l.split()[0] == str(rank)) for rank in (2, 3)}
        for rank, role in ROLES.items():
            wall, user, system = (float(x) for x in (scratch / f"cpu.{rank}").read_text().split()[-3:])
            own = user + system - per_worker.get(rank, 0) * floor["task_cpu_s"]
            ranks[role] = {"wall_s": wall, "cpu_s": user + system, "cpu_without_tasks_s": own,
                           "core_share_percent": 100 * own / wall, "tasks_run": per_worker.get(rank, 0)}
        print("  [idle] done", file=sys.stderr)
        return {"tasks": tasks, "ranks": ranks, "gaps": _gap_summary(end_to_start_gaps(gaps)),
                "method_floor": floor}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
