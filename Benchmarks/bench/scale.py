"""Scale (issue 7): a 1,000,000-task list; rank 0's parse time and peak memory per queued task.

Rank 0 runs under `mpirun -np 1` through `/usr/bin/time -f '%e %M'` (elapsed seconds, max RSS in
KiB of the rank alone: mpirun's own memory is not counted). The same is done for a 1-task list,
so per-task figures are differences: bytes per task = (RSS(N) - RSS(1)) / N and parse time =
elapsed(N) - elapsed(1). This needs a parse-only mode of taskfarm (`taskfarm check FILE` or
`taskfarm run --dry-run FILE`); a full run of a million tasks would take minutes here."""
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

from . import workloads
from .environment import Environment
from .process import harness_environment, measure, mpirun

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
            result["error"] = "slot: taskfarm has no parse-only mode (`check` or `run --dry-run`) yet"
            return result
        small = _rank0(argv_one, scratch / "one.time")
        large = _rank0(argv_big, scratch / "big.time")
        result.update({
            "command": " ".join(argv_big), "one task": small, "all tasks": large,
            "parse_s": large["elapsed_s"] - small["elapsed_s"],
            "bytes_per_task": (large["max_rss_kib"] - small["max_rss_kib"]) * 1024 / tasks,
            "list_bytes": big.stat().st_size,
        })
        print("  [scale] done", file=sys.stderr)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
