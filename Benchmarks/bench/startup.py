"""Start and stop (issue 7): a bare `mpirun -np 4` of a C hello world against `taskfarm run` of an
empty list and of 1 task, with hyperfine (median of its runs, after warm-up runs). The target is
the difference: a 1-task run adds under 100 ms to the hello world."""
import json
import shutil
import sys
from typing import Dict

from . import workloads
from .environment import Environment
from .exec_throughput import taskfarm_argv
from .process import harness_environment, measure, mpirun


def run(env: Environment, runs: int) -> Dict[str, object]:
    """hyperfine `--runs RUNS --warmup 2 -N` over the three commands; medians in seconds."""
    if not env.hyperfine or not env.mpi_hello:
        return {"error": "needs hyperfine and the C hello world"}
    scratch = workloads.scratch()
    try:
        commands = {"mpirun hello world": mpirun(4, [env.mpi_hello])}
        if env.taskfarm:
            empty = workloads.write_task_list(scratch, "empty.txt", [])
            one = workloads.write_task_list(scratch, "one.txt", ["/bin/true"])
            commands["taskfarm run, empty list"] = taskfarm_argv(env.taskfarm, empty, None, scratch / "state-empty")
            commands["taskfarm run, 1 task"] = taskfarm_argv(env.taskfarm, one, None, scratch / "state-one")
        export = scratch / "hyperfine.json"
        # Every timed run starts from a fresh state folder, so no run resumes an earlier one.
        prepare = f"rm -rf {scratch / 'state-empty'} {scratch / 'state-one'}"
        argv = [env.hyperfine, "-N", "--runs", str(runs), "--warmup", "2", "--style", "basic",
                "--prepare", prepare, "--export-json", str(export)]
        for name, command in commands.items():
            argv += ["--command-name", name, " ".join(command)]
        measure(argv, env=harness_environment(), timeout=600)
        results = json.loads(export.read_text())["results"]
        systems = {r["command"]: {"median_s": r["median"], "mean_s": r["mean"], "stddev_s": r["stddev"],
                                  "min_s": r["min"], "user_s": r["user"], "system_s": r["system"]}
                   for r in results}
        out: Dict[str, object] = {"runs": runs, "systems": systems}
        if "taskfarm run, 1 task" in systems:
            out["added_by_1_task_s"] = systems["taskfarm run, 1 task"]["median_s"] - systems["mpirun hello world"]["median_s"]
        print("  [startup] done", file=sys.stderr)
        return out
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
