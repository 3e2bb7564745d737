"""Scale (issue 7): a 1,000,000-task list; rank 0's parse time and peak memory per queued task.

Two methods, both as differences against a 1-task list so that fixed costs cancel:
- parse-only, when taskfarm offers one (`taskfarm check FILE` or `taskfarm run --dry-run FILE`):
  rank 0 runs under `mpirun -np 1` through `/usr/bin/time -f '%e %M'` (elapsed seconds, max
  RSS in KiB of the rank alone). parse time = elapsed(N) - elapsed(1), bytes per task =
  (RSS(N) - RSS(1)) / N.
- otherwise a windowed run (a full run of a million tasks takes minutes here): `mpirun -np 4
  taskfarm run` of the list with capture off, whose first task (peers/c/timed_sleep.c) records
  when it started. Rank 0 is found under mpirun by OMPI_COMM_WORLD_RANK and its VmHWM read for
  `WINDOW_S` seconds after the first task started; then the run is killed. "Time to first
  task" = first start - launch. If rank 0 streams the list, its memory is still growing when
  the window ends; if it grew by over 1% in the window's second half the figure is a lower
  bound, and so labelled."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

from . import rank_memory, workloads
from .environment import Environment
from .process import harness_environment, measure, mpirun

WINDOW_S = 5.0

# Slot: dispatch throughput with the journal on, once the journal exists.
JOURNAL_SLOT = "slot: the journal does not exist yet"


def parse_only_argv(taskfarm: str, tasks: Path) -> Optional[List[str]]:
    """taskfarm's parse-only command for `tasks`, if its --help offers one; else None."""
    top = subprocess.run([taskfarm, "--help"], capture_output=True, text=True).stdout
    if any(line.strip().startswith("check") for line in top.splitlines()):
        return [taskfarm, "check", str(tasks)]
    run_help = subprocess.run([taskfarm, "run", "--help"], capture_output=True, text=True).stdout
    if "--dry-run" in run_help:
        return [taskfarm, "run", "--dry-run", str(tasks)]
    return None


def _rank0(argv: List[str], record: Path) -> Dict[str, float]:
    inner = f"exec /usr/bin/time -f '%e %M' -o {record} " + " ".join(argv)
    measure(mpirun(1, ["sh", "-c", inner]), env=harness_environment(), timeout=900)
    elapsed, max_rss_kib = record.read_text().split()[-2:]
    return {"elapsed_s": float(elapsed), "max_rss_kib": float(max_rss_kib)}


def _windowed(env: Environment, tasks: Path, scratch: Path) -> Dict[str, float]:
    first = scratch / f"first-{tasks.stem}"
    first.unlink(missing_ok=True)
    state = workloads.fresh_folder(scratch, f"state-{tasks.stem}")
    lines = tasks.read_text().splitlines()
    listed = workloads.write_task_list(scratch, f"timed-{tasks.name}", [f"{env.timed_sleep} 0 {first}", *lines[1:]])
    argv = mpirun(4, [env.taskfarm, "run", str(listed), "--output", "/dev/null", "--error", "/dev/null",
                      "--state-dir", str(state)])
    launched = time.time()
    process = subprocess.Popen(argv, env=harness_environment(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    peak, rank0, started, halfway_peak = 0, None, None, None
    try:
        deadline = time.time() + 600
        while time.time() < deadline and process.poll() is None:
            rank0 = rank0 or rank_memory.find_rank(process.pid, 0, env.taskfarm)
            if rank0:
                peak = max(peak, rank_memory.peak_kib(rank0) or 0)
            if started is None and first.exists() and first.read_text().strip():
                started = float(first.read_text().split()[1])
            if started is not None and halfway_peak is None and time.time() > started + WINDOW_S / 2:
                halfway_peak = peak
            if started is not None and time.time() > started + WINDOW_S:
                break
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    if started is None:
        raise RuntimeError(f"the first task of {tasks.name} never started")
    return {"time_to_first_task_s": started - launched, "max_rss_kib": float(peak),
            "halfway_max_rss_kib": float(halfway_peak or peak),
            "finished_in_window": process.returncode == 0}


def run(env: Environment, tasks: int) -> Dict[str, object]:
    """Generates the list (`echo task <i>` lines, no shell syntax) and measures rank 0."""
    result: Dict[str, object] = {"tasks": tasks, "journal dispatch": JOURNAL_SLOT}
    if not env.taskfarm:
        result["error"] = "taskfarm is not built"
        return result
    scratch = workloads.scratch()
    try:
        big = workloads.write_task_list(scratch, "million.txt", [f"echo task {i}" for i in range(tasks)])
        one = workloads.write_task_list(scratch, "one.txt", ["echo task 0"])
        argv_big, argv_one = parse_only_argv(env.taskfarm, big), parse_only_argv(env.taskfarm, one)
        if argv_big is None or argv_one is None:
            small, large = _windowed(env, one, scratch), _windowed(env, big, scratch)
            result.update({
                "method": f"windowed run ({WINDOW_S:.0f} s after the first task; no parse-only mode)",
                "one task": small, "all tasks": large,
                "parse_s": large["time_to_first_task_s"] - small["time_to_first_task_s"],
                "bytes_per_task": (large["max_rss_kib"] - small["max_rss_kib"]) * 1024 / tasks,
                # Still growing over the second half of the window: the list was still being read.
                "lower_bound": not large["finished_in_window"]
                and large["max_rss_kib"] > 1.01 * large["halfway_max_rss_kib"],
                "list_bytes": big.stat().st_size,
            })
            print("  [scale] done", file=sys.stderr)
            return result
        small = _rank0(argv_one, scratch / "one.time")
        large = _rank0(argv_big, scratch / "big.time")
        result.update({
            "method": "parse-only: " + " ".join(argv_big), "one task": small, "all tasks": large,
            "parse_s": large["elapsed_s"] - small["elapsed_s"],
            "bytes_per_task": (large["max_rss_kib"] - small["max_rss_kib"]) * 1024 / tasks,
            "list_bytes": big.stat().st_size,
        })
        print("  [scale] done", file=sys.stderr)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
