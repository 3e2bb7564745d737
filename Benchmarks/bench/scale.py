"""Scale (issue 7): a 1,000,000-task list; rank 0's parse time and peak memory per queued task.

Two methods, both as differences against a 1-task list so that fixed costs cancel:
- the target's figure, from a windowed run (a full run of a million tasks takes minutes here): `mpirun -np 4
  taskfarm run` of the list with capture off, whose first task (peers/c/timed_sleep.c) records
  when it started. Rank 0 is found under mpirun by OMPI_COMM_WORLD_RANK and its VmHWM read for
  `WINDOW_S` seconds after the first task started; then the run is killed. "Time to first
  task" = first start - launch. If rank 0 streams the list, its memory is still growing when
  the window ends; if it grew by over 1% in the window's second half the figure is a lower
  bound, and so labelled. The tasks that the journal (state folder, always on) records as ended
  in that window give the dispatch throughput with the journal on and the whole list queued.
- also, when taskfarm has a parse-only mode (`taskfarm check FILE` or `taskfarm run --dry-run
  FILE`, its output discarded): it runs under `mpirun -np 1` through `/usr/bin/time -f '%e %M'`
  (elapsed seconds, max RSS in KiB of that process alone). `check` also formats a listing of
  every task, so its time and memory are upper bounds for parsing."""
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

# Without a journal in the state folder, dispatch throughput with it on stays a slot.
JOURNAL_SLOT = "slot: this taskfarm wrote no journal"


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
        stopped = time.time()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    if started is None:
        raise RuntimeError(f"the first task of {tasks.name} never started")
    figures = {"time_to_first_task_s": started - launched, "max_rss_kib": float(peak),
               "halfway_max_rss_kib": float(halfway_peak or peak),
               "finished_in_window": process.returncode == 0}
    journal = state / "journal"
    if journal.exists():  # tab-separated records, the second field naming the event
        ended = sum(1 for line in journal.read_text(errors="replace").splitlines()
                    if line.split("\t")[1:2] == ["ended"])
        figures["journal_ended_in_window"] = ended
        figures["journal_tasks_per_s"] = ended / (stopped - started)
    return figures


def run(env: Environment, tasks: int) -> Dict[str, object]:
    """Generates the list (`echo task <i>` lines, no shell syntax) and measures rank 0 of a real
    run (windowed); when taskfarm has a parse-only mode, also that mode alone."""
    result: Dict[str, object] = {"tasks": tasks, "journal dispatch": JOURNAL_SLOT}
    if not env.taskfarm:
        result["error"] = "taskfarm is not built"
        return result
    scratch = workloads.scratch()
    try:
        big = workloads.write_task_list(scratch, "million.txt", [f"echo task {i}" for i in range(tasks)])
        one = workloads.write_task_list(scratch, "one.txt", ["echo task 0"])
        result["list_bytes"] = big.stat().st_size
        small, large = _windowed(env, one, scratch), _windowed(env, big, scratch)
        result.update({
            "method": f"rank 0 of `taskfarm run`, watched until {WINDOW_S:.0f} s after the first task started",
            "one task": small, "all tasks": large,
            "parse_s": large["time_to_first_task_s"] - small["time_to_first_task_s"],
            "bytes_per_task": (large["max_rss_kib"] - small["max_rss_kib"]) * 1024 / tasks,
            # Still growing over the second half of the window: the list was still being read.
            "lower_bound": not large["finished_in_window"]
            and large["max_rss_kib"] > 1.01 * large["halfway_max_rss_kib"],
        })
        if "journal_tasks_per_s" in large:
            result["journal dispatch"] = (
                f"{large['journal_tasks_per_s']:,.0f} tasks/s (`echo` tasks, capture off, journal on, "
                f"{tasks:,} queued: tasks ended in the journal during the window / window)")
        argv_big, argv_one = parse_only_argv(env.taskfarm, big), parse_only_argv(env.taskfarm, one)
        if argv_big and argv_one:
            check_one, check_big = _rank0(argv_one, scratch / "one.time"), _rank0(argv_big, scratch / "big.time")
            result["parse-only"] = {
                "command": " ".join(argv_big[:2]) + " FILE > /dev/null", "one task": check_one, "all tasks": check_big,
                "elapsed_s": check_big["elapsed_s"] - check_one["elapsed_s"],
                "bytes_per_task": (check_big["max_rss_kib"] - check_one["max_rss_kib"]) * 1024 / tasks,
            }
        else:
            result["parse-only"] = "taskfarm has no parse-only mode (`check` or `run --dry-run`)"
        print("  [scale] done", file=sys.stderr)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
