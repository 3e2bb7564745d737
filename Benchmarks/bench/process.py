"""Running one command and measuring it: wall time, and CPU time of it and its waited children."""
import dataclasses
import os
import signal
import subprocess
import tempfile
import threading
import time
from typing import Dict, List, Optional, Sequence


@dataclasses.dataclass
class Measurement:
    """One run of one command. Times in seconds; `cpu` = user + system of the whole process tree
    that the command waited for (wait4(2) rusage, the same figure as `/usr/bin/time` %U + %S)."""

    wall: float
    user: float
    system: float
    returncode: int
    stdout: str

    @property
    def cpu(self) -> float:
        return self.user + self.system


class CommandFailed(RuntimeError):
    """A measured command exited non-zero; carries its argv and the tail of its output."""


def measure(argv: Sequence[str], env: Optional[Dict[str, str]] = None, cwd: Optional[str] = None,
            check: bool = True, capture: bool = False, timeout: float = 1800) -> Measurement:
    """Runs `argv` (no shell) with stdin from /dev/null and returns its Measurement, reaping it
    with wait4(2) for its exact rusage. stdout is kept when `capture`, else discarded; stderr is
    kept for the error message. Raises CommandFailed on a non-zero exit when `check`, and when
    the command outlives `timeout` seconds (it is then killed)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                   stdout=out if capture else subprocess.DEVNULL, stderr=err,
                                   start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(process.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if wall >= timeout:
        raise CommandFailed(f"timed out after {timeout} s: {' '.join(argv)}")
    if check and process.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise CommandFailed(f"exit {process.returncode}: {' '.join(argv)}\n{tail}")
    return Measurement(wall, usage.ru_utime, usage.ru_stime, process.returncode, stdout)


def mpirun(ranks: int, argv: List[str]) -> List[str]:
    """argv of `mpirun -np RANKS --oversubscribe ARGV...` (Open MPI 4.1 mpirun(1))."""
    return ["mpirun", "-np", str(ranks), "--oversubscribe", *argv]


def harness_environment() -> Dict[str, str]:
    """The environment every measured command runs in: root may run mpirun, and more ranks than
    cores are allowed (set here, in the harness only, never in product code)."""
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    return env
