"""Rank 0 at 10 to 10,000 workers (issue 18): `scheduler-sim` (this folder's Swift package, built by
run.sh with `swift build -c release --product scheduler-sim`) runs the real scheduler and name
server over the in-memory transport with virtual workers that end each task one loop round after
they get it, and prints rank 0's CPU per task (its thread's CPU clock around rank 0's loop rounds
only). The target: flat within 2× from 10 to 10,000 workers."""
import os
import re
from pathlib import Path
from typing import Dict

from .process import CommandFailed, measure

SCHEDULER_SIM = Path(os.environ.get("SCHEDULER_SIM", Path(__file__).resolve().parent.parent / ".build" / "release" / "scheduler-sim"))
WORKERS = (10, 100, 1_000, 10_000)


def parse(text: str) -> Dict:
    """The program's lines, `workers=W … us_per_task=F`, as {W: µs per task} and the flatness."""
    rows = {}
    for match in re.finditer(r"workers=(\d+) tasks=(\d+) slots=(\d+) rounds=(\d+) us_per_task=([0-9.eE+-]+)", text):
        rows[int(match.group(1))] = {"tasks": int(match.group(2)), "rounds": int(match.group(4)),
                                     "us_per_task": float(match.group(5))}
    values = [row["us_per_task"] for row in rows.values()]
    flatness = max(values) / min(values) if values and min(values) > 0 else None
    return {"workers": rows, "flatness": flatness}


def run(tasks: int, repeats: int) -> Dict:
    if not SCHEDULER_SIM.is_file():
        return {"error": f"scheduler-sim not built ({SCHEDULER_SIM}): taskfarm not run"}
    argv = [str(SCHEDULER_SIM), "--workers", ",".join(map(str, WORKERS)), "--tasks", str(tasks),
            "--repeat", str(repeats)]
    try:
        result = measure(argv, capture=True)
    except CommandFailed as failure:
        return {"error": f"scheduler-sim failed: {failure}"}
    section = parse(result.stdout)
    section.update({"tasks": tasks, "repeats": repeats, "command": " ".join(argv)})
    return section
