"""Task lists and scratch folders shared by the sections."""
import shutil
import tempfile
from pathlib import Path
from typing import Callable, List


def write_task_list(folder: Path, name: str, lines: List[str]) -> Path:
    """Writes one command per line (newline-terminated) to folder/name and returns its path."""
    path = folder / name
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def fresh_folder(parent: Path, name: str) -> Path:
    """An empty folder parent/name (removed first if present), for one run's output files."""
    folder = parent / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def scratch() -> Path:
    """A new scratch folder under /tmp (the caller removes it)."""
    return Path(tempfile.mkdtemp(prefix="taskfarm-bench-"))


def count_files(folder: Path, predicate: Callable[[Path], bool] = lambda p: True) -> int:
    """How many files below folder satisfy predicate (used to check that capture really wrote)."""
    return sum(1 for p in folder.rglob("*") if p.is_file() and predicate(p))


def journal_count(state: Path, kind: str) -> int:
    """How many records of `kind` (`started`, `ended`, ...) a run's journal in state folder
    `state` holds so far (tab-separated records, the second field naming the kind)."""
    journal = state / "journal"
    if not journal.exists():
        return 0
    return sum(1 for line in journal.read_text(errors="replace").splitlines() if line.split("\t")[1:2] == [kind])
