"""Watching one rank of a running `mpirun` from outside: find it by its OMPI_COMM_WORLD_RANK and
read its peak resident memory (Linux /proc/PID/status, VmHWM)."""
import os
from pathlib import Path
from typing import Optional


def descendants(root: int) -> list:
    """PIDs of every process below `root` (from /proc/*/stat parent links)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def find_rank(mpirun_pid: int, rank: int, executable: str) -> Optional[int]:
    """The PID below mpirun running `executable` as MPI rank `rank`, or None (yet)."""
    wanted = f"OMPI_COMM_WORLD_RANK={rank}".encode()
    for pid in descendants(mpirun_pid):
        try:
            if os.readlink(f"/proc/{pid}/exe") != os.path.realpath(executable):
                continue
            if wanted in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                return pid
        except OSError:
            continue
    return None


def peak_kib(pid: int) -> Optional[int]:
    """VmHWM of `pid` in KiB, or None once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """The process's own user + system CPU seconds (/proc/PID/stat utime + stime, not its
    children's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
