"""The queue's speed (issue 6), apart from the issue-7 sections:

- requests per second through the broker: dispatch-bench's no-op service called through
  `ServiceClient.map(chunkSize: 1)` (one request and one answer per task), at 3 ranks
  (`--name-server-rank 0`: 2 workers) and 4 ranks (name server on rank 1: 2 workers);
- tasks per second from an external client: `taskfarm serve` on 4 ranks, then
  `taskfarm submit --file` of a 1,000-line list of `true` and `taskfarm wait` on all of it, timed
  from the submit's start to the wait's end.

Run: `cd Benchmarks && .venv/bin/python -m bench.queue_rows [ROUNDS]` (after run.sh has built
taskfarm and dispatch-bench); prints a Markdown table of medians over alternating rounds."""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from . import dispatch
from .environment import REPO
from .process import harness_environment, measure, mpirun

TASKFARM = os.environ.get("TASKFARM", str(REPO / ".build" / "release" / "taskfarm"))
REQUESTS = 20_000
SUBMITTED = 1_000


def broker_requests_per_second(ranks: int, name_server_rank: int) -> float:
    argv = dispatch.taskfarm_dispatch_argv(1, REQUESTS, ranks=ranks, name_server_rank=name_server_rank)
    if argv is None:
        raise RuntimeError(f"no {dispatch.DISPATCH_BENCH}")
    return dispatch._rate(argv)["tasks_per_s"]


def submitted_tasks_per_second() -> float:
    with tempfile.TemporaryDirectory(prefix="tf-queue-") as folder:
        env = harness_environment()
        tasks = Path(folder, "tasks.txt")
        tasks.write_text("true\n" * SUBMITTED)
        connection = str(Path(folder, "taskfarm.connection"))
        serve = subprocess.Popen(mpirun(4, [TASKFARM, "serve", "--state-dir", str(Path(folder, "state")),
                                            "--connection-file", connection, "--listen", "127.0.0.1",
                                            "--output", "/dev/null", "--error", "/dev/null"]),
                                 cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while not Path(connection).exists():
                if time.monotonic() > deadline or serve.poll() is not None:
                    raise RuntimeError("taskfarm serve did not write its connection file")
                time.sleep(0.05)
            start = time.monotonic()
            ids = measure([TASKFARM, "submit", "--connect", connection, "--file", str(tasks)],
                          env=env, cwd=folder, capture=True).stdout.strip()
            measure([TASKFARM, "wait", "--connect", connection, ids], env=env, cwd=folder, capture=True)
            seconds = time.monotonic() - start
            measure([TASKFARM, "shutdown", "--connect", connection], env=env, cwd=folder, check=False)
            serve.wait(timeout=60)
            return SUBMITTED / seconds
        finally:
            if serve.poll() is None:
                serve.kill()
                serve.wait()


def main(rounds: int) -> None:
    systems = {"broker requests/s, 3 ranks (name server on rank 0, 2 workers)": lambda: broker_requests_per_second(3, 0),
               "broker requests/s, 4 ranks (name server on rank 1, 2 workers)": lambda: broker_requests_per_second(4, 1),
               f"external submit --file of {SUBMITTED} × true, to wait's end, 4 ranks": submitted_tasks_per_second}
    samples: Dict[str, List[float]] = {name: [] for name in systems}
    for round_number in range(rounds):
        for name, run in systems.items():
            samples[name].append(run())
            print(f"  [queue] round {round_number + 1}: {name}: {samples[name][-1]:,.0f}", file=sys.stderr)
    print(f"load average (1, 5, 15 min) at end: {os.getloadavg()}")
    print("| queue row | per second (median) | rounds |\n|---|---|---|")
    for name, values in samples.items():
        print(f"| {name} | {statistics.median(values):,.0f} | {', '.join(f'{v:,.0f}' for v in values)} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
