"""Exec throughput (issue 7): N tasks of /bin/true at concurrency 2 on every system, with
per-task output capture on and off; tasks/s and CPU seconds per task.

Each round runs, for every system, a 1-task run (its fixed start and stop cost) and an N-task run.
Figures per round: gross rate N / wall(N); net rate (N-1) / (wall(N) - wall(1)), the steady
throughput with start-up taken out (start-up has its own section); CPU per task
(cpu(N) - cpu(1)) / (N-1), from wait4 rusage of the whole process tree."""
import json
import shutil
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from . import alternate, workloads
from .environment import PEERS, Environment
from .process import harness_environment, measure, mpirun

TRUE = "/bin/true"

# argv builder: (task count, output folder or None for capture off, scratch folder) -> argv
Builder = Callable[[int, Optional[Path], Path], List[str]]


def _task_list(scratch: Path, count: int, output: Optional[Path], style: str) -> Path:
    """`/bin/true` lines; for systems whose capture is the shell's, redirect each line."""
    if output is not None and style == "redirect":
        lines = [f"{TRUE} > {output}/{i}.out 2> {output}/{i}.err" for i in range(count)]
    else:
        lines = [TRUE] * count
    return workloads.write_task_list(scratch, f"tasks-{style}-{count}-{'on' if output else 'off'}.txt", lines)


# The farm laid out one rank per core on this 2-core machine: rank 0 schedules and serves names
# (`--name-server-rank 0`), rank 1 is the one worker and runs both slots. Issue 18 asks what exec
# reaches when the ranks do not outnumber the cores.
ONE_RANK_PER_CORE = "taskfarm, one rank per core"


def taskfarm_argv(taskfarm: str, tasks: Path, output: Optional[Path], state: Path, ranks: int = 4,
                  name_server_on_scheduler: bool = False) -> List[str]:
    """`mpirun -np 4 taskfarm run` (1 scheduler, 1 name server, 2 workers) with capture on
    (`--output DIR/%a.out --error DIR/%a.err`) or off (`/dev/null`), in a fresh state folder;
    with `name_server_on_scheduler`, rank 0 runs the name server too (`--name-server-rank 0`)."""
    placement = ["--name-server-rank", "0"] if name_server_on_scheduler else []
    if output is None:
        capture = ["--output", "/dev/null", "--error", "/dev/null"]
    else:
        capture = ["--output", f"{output}/%a.out", "--error", f"{output}/%a.err"]
    return mpirun(ranks, [taskfarm, "run", str(tasks), *placement, *capture, "--state-dir", str(state)])


def check_taskfarm_verdict(state: Path, count: int) -> None:
    """Raises unless the state folder's verdict.json says all `count` tasks succeeded: a binary
    that exits 0 without running anything must not pass for a fast one."""
    verdict_file = state / "verdict.json"
    if not verdict_file.exists():
        raise RuntimeError(f"taskfarm left no {verdict_file}: did it run the tasks?")
    verdict = json.loads(verdict_file.read_text())
    if verdict.get("succeeded") != count:
        raise RuntimeError(f"taskfarm's verdict says {verdict.get('succeeded')} of {count} tasks succeeded")


def builders(env: Environment) -> Dict[str, Builder]:
    """Every exec system that is available here, the C limit first."""
    systems: Dict[str, Builder] = {}
    if env.spawn_loop:
        systems["C posix_spawn loop"] = lambda n, out, s: [env.spawn_loop, str(n), "2", str(out) if out else "none", TRUE]
    if env.taskfarm:
        def run_taskfarm(n, out, s):
            state = workloads.fresh_folder(s, "taskfarm-state")
            return taskfarm_argv(env.taskfarm, _task_list(s, n, None, "plain"), out, state)
        systems["taskfarm"] = run_taskfarm

        def run_taskfarm_one_rank_per_core(n, out, s):
            state = workloads.fresh_folder(s, "taskfarm-state")
            return taskfarm_argv(env.taskfarm, _task_list(s, n, None, "plain"), out, state, ranks=2,
                                 name_server_on_scheduler=True)
        systems[ONE_RANK_PER_CORE] = run_taskfarm_one_rank_per_core
    if env.has_mpi4py:
        systems["mpi4py.futures"] = lambda n, out, s: mpirun(3, [
            env.python, "-m", "mpi4py.futures", str(PEERS / "mpi4py_exec.py"), str(n), str(out) if out else "none"])
    if env.has_hyperqueue:
        systems["HyperQueue"] = lambda n, out, s: [env.python, str(PEERS / "hq_exec.py"), str(n), "2", str(out) if out else "none"]
    if env.parallel:
        def run_parallel(n, out, s):
            tasks = _task_list(s, n, None, "plain")
            capture = ["--results", f"{out}/{{#}}"] if out else ["--ungroup"]
            return [env.parallel, "-j2", *capture, "-a", str(tasks)]
        systems["GNU parallel"] = run_parallel
    if env.disbatch:
        def run_disbatch(n, out, s):
            prefix = workloads.fresh_folder(s, "disbatch-run")
            return [env.disbatch, "-e", "-s", "localhost:2", "-p", f"{prefix}/", str(_task_list(s, n, out, "redirect"))]
        systems["disBatch"] = run_disbatch
    return systems


def _one_round(name: str, build: Builder, count: int, capture: bool, scratch: Path) -> Dict[str, float]:
    env = harness_environment()
    figures: Dict[str, float] = {}
    for n, key in ((1, "1"), (count, "n")):
        output = workloads.fresh_folder(scratch, "out") if capture else None
        result = measure(build(n, output, scratch), env=env, cwd=str(scratch))
        if name in ("taskfarm", ONE_RANK_PER_CORE):
            check_taskfarm_verdict(scratch / "taskfarm-state", n)
        if output is not None and workloads.count_files(output) < n:
            raise RuntimeError(f"{name} wrote {workloads.count_files(output)} output files for {n} tasks")
        figures[f"wall_{key}"], figures[f"cpu_{key}"] = result.wall, result.cpu
    figures["tasks"] = count
    figures["gross_tasks_per_s"] = count / figures["wall_n"]
    span = figures["wall_n"] - figures["wall_1"]
    if span > 0:  # else N tasks ran no slower than 1 (tiny N, noise): no net rate this round
        figures["net_tasks_per_s"] = (count - 1) / span
    figures["cpu_s_per_task"] = (figures["cpu_n"] - figures["cpu_1"]) / (count - 1)
    return figures


def run(env: Environment, count: int, rounds: int, fewer: Dict[str, int],
        one_round: Tuple[str, ...] = ("disBatch",)) -> Dict[str, object]:
    """Both capture modes, every system, `rounds` alternating rounds of `count` tasks, except:
    systems in `fewer` run that many tasks (the net rate does not depend on N, and GNU parallel
    with --results runs near 100 tasks/s here), and systems in `one_round` run in the first round
    only: disBatch's engine polls each running task once a second (disbatch/disBatch.py,
    pollInterval = 1), so it runs at a few tasks per second."""
    systems = builders(env)
    result: Dict[str, object] = {"tasks": count, "rounds": rounds, "concurrency": 2,
                                 "fewer_tasks": {k: v for k, v in fewer.items() if k in systems},
                                 "one_round": [k for k in one_round if k in systems]}
    scratch = workloads.scratch()
    try:
        for capture in (False, True):
            mode = "capture on" if capture else "capture off"
            measured = {
                name: (lambda name=name, build=build: _one_round(name, build, fewer.get(name, count), capture, scratch))
                for name, build in systems.items()
            }
            samples = alternate.run_rounds(rounds, measured, f"exec, {mode}", only_first=one_round)
            result[mode] = {
                "systems": {name: alternate.summarize(s) for name, s in samples.items()},
                "samples": samples,
            }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("  [exec] done", file=sys.stderr)
    return result
