"""Many ranks (issue 18): idle CPU per rank at 64, 128 and 256 ranks on this machine's 2 cores
(oversubscribed). `mpirun -np R taskfarm run` of a list of 2 × `sleep 30`: once both have started
(the journal says so), 2 workers wait on a running task and the other R - 4 ranks have nothing to
do. Each rank's own CPU (/proc/PID/stat utime + stime, tasks excluded) is sampled over `WINDOW_S`;
then the run is killed. Reported per R: mean and largest share of a core per rank, and the time
from launch to the second task's start (mostly MPI start-up of R processes on 2 cores)."""
import os
import signal
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

from . import rank_memory, workloads
from .environment import Environment
from .process import harness_environment, mpirun

WINDOW_S = 3.0


def _taskfarm_ranks(root: int, executable: str) -> List[int]:
    """Every taskfarm process under mpirun (each rank is one)."""
    found = []
    for pid in rank_memory.descendants(root):
        try:
            if os.readlink(f"/proc/{pid}/exe").removesuffix(" (deleted)") == os.path.realpath(executable):
                found.append(pid)
        except OSError:
            continue
    return found


def one(env: Environment, ranks: int, scratch: Path) -> Dict[str, object]:
    tasks = workloads.write_task_list(scratch, "sleeps.txt", ["sleep 30", "sleep 30"])
    state = workloads.fresh_folder(scratch, f"state-{ranks}")
    argv = mpirun(ranks, [env.taskfarm, "run", str(tasks), "--state-dir", str(state)])
    launched = time.time()
    process = subprocess.Popen(argv, env=harness_environment(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while workloads.journal_count(state, "started") < 2:
            if time.time() > launched + 600 or process.poll() is not None:
                raise RuntimeError(f"{ranks} ranks: the tasks did not start")
            time.sleep(0.1)
        ready = time.time() - launched
        time.sleep(0.5)
        pids = _taskfarm_ranks(process.pid, env.taskfarm)
        if not pids:
            raise RuntimeError(f"{ranks} ranks: no taskfarm process found under mpirun")
        before, start = {pid: rank_memory.cpu_seconds(pid) for pid in pids}, time.time()
        time.sleep(WINDOW_S)
        after, stop = {pid: rank_memory.cpu_seconds(pid) for pid in pids}, time.time()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    shares = [100 * (after[pid] - before[pid]) / (stop - start) for pid in pids]
    return {"ranks": ranks, "found": len(pids), "start_to_tasks_s": ready,
            "mean_percent": statistics.mean(shares), "max_percent": max(shares),
            "total_percent": sum(shares)}


def run(env: Environment, sizes) -> Dict[str, object]:
    if not env.taskfarm:
        return {"error": "taskfarm is not built"}
    scratch = workloads.scratch()
    try:
        rows = []
        for ranks in sizes:
            print(f"  [ranks] {ranks} ranks", file=sys.stderr)
            try:
                rows.append(one(env, ranks, scratch))
            except (RuntimeError, OSError) as failure:
                rows.append({"ranks": ranks, "error": str(failure)})
        return {"rows": rows, "window_s": WINDOW_S}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
