"""What the harness runs with: paths, the peers found on this machine, their versions, and the
check that mpi4py uses the same Open MPI library as `mpirun`."""
import dataclasses
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

BENCHMARKS = Path(__file__).resolve().parent.parent
REPO = BENCHMARKS.parent
PEERS = BENCHMARKS / "peers"
BUILD = BENCHMARKS / ".build-peers"


def _output(argv: List[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        return (done.stdout + done.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unavailable ({error})"


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


@dataclasses.dataclass
class Environment:
    """Tools found and their versions. `notes` says why a peer is skipped."""

    python: str = sys.executable
    taskfarm: Optional[str] = None
    spawn_loop: Optional[str] = None
    timed_sleep: Optional[str] = None
    mpi_dispatch: Optional[str] = None
    mpi_hello: Optional[str] = None
    parallel: Optional[str] = None
    hyperfine: Optional[str] = None
    disbatch: Optional[str] = None
    has_mpi4py: bool = False
    has_hyperqueue: bool = False
    versions: Dict[str, str] = dataclasses.field(default_factory=dict)
    notes: List[str] = dataclasses.field(default_factory=list)

    def skip(self, peer: str, why: str) -> None:
        """Records and prints that `peer` is skipped and why."""
        note = f"{peer}: skipped, {why}"
        self.notes.append(note)
        print(f"note: {note}", file=sys.stderr)


def _build_c_peers(env: Environment) -> None:
    BUILD.mkdir(exist_ok=True)
    sources = PEERS / "c"
    builds = [("spawn_loop", "cc", []), ("timed_sleep", "cc", ["-static"]),
              ("mpi_dispatch", "mpicc", []), ("mpi_hello", "mpicc", [])]
    for name, compiler, flags in builds:
        target = BUILD / name
        source = sources / f"{name}.c"
        if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            done = subprocess.run([compiler, "-O2", "-Wall", *flags, "-o", str(target), str(source)],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                env.skip(name, f"{compiler} failed: {done.stderr.strip()[:300]}")
                continue
        setattr(env, name, str(target))


def _find_taskfarm(env: Environment) -> None:
    override = os.environ.get("TASKFARM")
    candidate = override or str(REPO / ".build" / "release" / "taskfarm")
    if not os.access(candidate, os.X_OK):
        env.skip("taskfarm", f"no executable at {candidate} (run `swift build -c release` at the repo root)")
        return
    env.taskfarm = candidate
    version = _first_line(_output([candidate, "--version"]))
    env.versions["taskfarm"] = f"{candidate}" + ("" if version.startswith("Error") else f" ({version})")
    if override:  # built elsewhere: the repo's commit says nothing about it
        built = datetime.datetime.fromtimestamp(os.stat(candidate).st_mtime, datetime.timezone.utc)
        env.versions["taskfarm built"] = built.strftime("%Y-%m-%d %H:%M UTC") + " (from $TASKFARM)"
    else:
        head = _output(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"])
        env.versions["taskfarm commit"] = _first_line(head)


def _check_mpi4py(env: Environment) -> None:
    probe = "import mpi4py; from mpi4py import MPI; print(mpi4py.__version__); print(MPI.Get_library_version())"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    if done.returncode != 0:
        env.skip("mpi4py", f"cannot import it in {sys.executable}: {done.stderr.strip()[-200:]}")
        return
    lines = done.stdout.strip().splitlines()
    library = lines[1].replace("\x00", "").strip()
    env.versions["mpi4py"] = lines[0]
    env.versions["mpi4py MPI library"] = library
    mpirun_version = re.search(r"\d+\.\d+\.\d+", env.versions.get("mpirun", ""))
    library_version = re.search(r"Open MPI v(\d+\.\d+\.\d+)", library)
    if not (mpirun_version and library_version and mpirun_version.group(0) == library_version.group(1)):
        env.skip("mpi4py", f"it reports `{library}`, but mpirun is `{env.versions.get('mpirun')}`")
        return
    env.versions["mpi4py library check"] = f"same Open MPI as mpirun ({library_version.group(1)})"
    env.has_mpi4py = True


def _check_python_peer(env: Environment, module: str, peer: str) -> bool:
    done = subprocess.run([sys.executable, "-c", f"import importlib.metadata as m; print(m.version('{module}'))"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        env.skip(peer, f"Python package `{module}` is not installed in {sys.executable}")
        return False
    env.versions[peer] = done.stdout.strip()
    return True


def discover() -> Environment:
    """Finds every system, builds the C peers (cc/mpicc, -O2) and records versions."""
    env = Environment()
    env.versions["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, {platform.release()}"
    env.versions["python"] = platform.python_version()
    env.versions["mpirun"] = _first_line(_output(["mpirun", "--version"]))
    env.versions["cc"] = _first_line(_output(["cc", "--version"]))
    env.versions["swift"] = _first_line(_output(["swift", "--version"]))
    _build_c_peers(env)
    _find_taskfarm(env)
    _check_mpi4py(env)
    env.has_hyperqueue = _check_python_peer(env, "hyperqueue", "hyperqueue")
    if _check_python_peer(env, "disbatch", "disbatch"):
        script = Path(sys.executable).parent / "disBatch"
        env.disbatch = str(script) if script.exists() else shutil.which("disBatch")
        if not env.disbatch:
            env.skip("disbatch", "its `disBatch` command is not on PATH")
    for tool in ("parallel", "hyperfine"):
        path = shutil.which(tool)
        if path:
            setattr(env, tool, path)
            env.versions[tool] = _first_line(_output([path, "--version"]))
        else:
            env.skip(tool, f"`{tool}` is not installed (Debian package `{tool}`)")
    return env
