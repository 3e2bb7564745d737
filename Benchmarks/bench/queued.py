"""Rows of issue 18 on queue size: does a long queue cost anything per task?

- Dispatch with 1,000,000 tasks queued ÷ with 5,000: `mpirun -np 4 taskfarm run` of `echo` lists of
  both sizes, in alternating rounds. After the first 300 tasks have ended (start-up over), each
  rank's own CPU (/proc/PID/stat utime + stime) and the journal's ended records are sampled over
  `WINDOW_S`; then the run is killed. Reported: tasks/s in the window, the ratio of medians, and
  each rank's CPU µs per task (the figure the noise of a shared machine moves least).
- A submit description's `queue 1000000` against `queue 1`: `taskfarm check` (listing to
  /dev/null) under `/usr/bin/time`, bytes of peak RSS per proc, the figure for streamed procs."""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

from . import rank_memory, workloads
from .environment import Environment
from .process import harness_environment, mpirun

WINDOW_S = 2.0
SIZES = (5_000, 1_000_000)


def _window(env: Environment, tasks: Path, scratch: Path, ranks: int = 4) -> Dict[str, object]:
    state = workloads.fresh_folder(scratch, f"state-{tasks.stem}")
    argv = mpirun(ranks, [env.taskfarm, "run", str(tasks), "--output", "/dev/null", "--error", "/dev/null",
                          "--state-dir", str(state)])
    process = subprocess.Popen(argv, env=harness_environment(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 300
        while workloads.journal_count(state, "ended") < 300:
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError(f"{tasks.name}: 300 tasks did not end")
            time.sleep(0.05)
        pids = [rank_memory.find_rank(process.pid, rank, env.taskfarm) for rank in range(ranks)]
        before, start = [rank_memory.cpu_seconds(pid) for pid in pids], time.time()
        ended_before = workloads.journal_count(state, "ended")
        time.sleep(WINDOW_S)
        after, stop = [rank_memory.cpu_seconds(pid) for pid in pids], time.time()
        ended_after = workloads.journal_count(state, "ended")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    count = ended_after - ended_before
    if count <= 0 or process.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"{tasks.name}: no task ended in the window")
    return {"tasks_per_s": count / (stop - start),
            "cpu_us_per_task": [(b - a) * 1e6 / count for a, b in zip(before, after)]}


def dispatch_by_queue(env: Environment, rounds: int) -> Dict[str, object]:
    """Alternating rounds of both sizes; medians, and the ratio large ÷ small."""
    scratch = workloads.scratch()
    try:
        lists = {size: workloads.write_task_list(scratch, f"queued-{size}.txt", [f"echo task {i}" for i in range(size)])
                 for size in SIZES}
        samples: Dict[int, List[Dict]] = {size: [] for size in SIZES}
        for _ in range(rounds):
            for size in SIZES:
                samples[size].append(_window(env, lists[size], scratch))
        result: Dict[str, object] = {"window_s": WINDOW_S, "rounds": rounds}
        for size in SIZES:
            rows = samples[size]
            result[str(size)] = {
                "tasks_per_s": statistics.median(row["tasks_per_s"] for row in rows),
                "cpu_us_per_task": [statistics.median(row["cpu_us_per_task"][rank] for row in rows)
                                    for rank in range(len(rows[0]["cpu_us_per_task"]))],
                "rounds": rows}
        small, large = result[str(SIZES[0])], result[str(SIZES[1])]
        result["ratio"] = large["tasks_per_s"] / small["tasks_per_s"]
        result["cpu_ratio_rank0"] = small["cpu_us_per_task"][0] / large["cpu_us_per_task"][0]
        return result
    except (RuntimeError, OSError) as failure:
        return {"error": str(failure)}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _check_rss(env: Environment, path: Path, record: Path) -> Dict[str, float]:
    inner = f"exec /usr/bin/time -f '%e %M' -o {record} {env.taskfarm} check {path} > /dev/null"
    subprocess.run(["sh", "-c", inner], env=harness_environment(), check=True, timeout=1800)
    elapsed, kib = record.read_text().split()[-2:]
    return {"elapsed_s": float(elapsed), "max_rss_kib": float(kib)}


def submit_queue(env: Environment, procs: int) -> Dict[str, object]:
    """`taskfarm check` of `queue PROCS` against `queue 1`: bytes of peak RSS per proc."""
    scratch = workloads.scratch()
    try:
        body = "executable = /bin/echo\narguments = task $(Process)\noutput = out/$(Process).out\n"
        big, one = scratch / "big.sub", scratch / "one.sub"
        big.write_text(body + f"queue {procs}\n")
        one.write_text(body + "queue 1\n")
        small, large = _check_rss(env, one, scratch / "one.time"), _check_rss(env, big, scratch / "big.time")
        return {"procs": procs, "one": small, "all": large, "elapsed_s": large["elapsed_s"] - small["elapsed_s"],
                "bytes_per_proc": (large["max_rss_kib"] - small["max_rss_kib"]) * 1024 / procs}
    except (subprocess.SubprocessError, OSError, ValueError) as failure:
        return {"error": f"taskfarm check of queue {procs} failed: {failure}"}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(env: Environment, rounds: int, procs: int) -> Dict[str, object]:
    if not env.taskfarm:
        return {"error": "taskfarm is not built"}
    print("  [queued] dispatch by queue size", file=sys.stderr)
    result = {"dispatch": dispatch_by_queue(env, rounds)}
    print("  [queued] submit description queue", file=sys.stderr)
    result["submit"] = submit_queue(env, procs)
    return result
