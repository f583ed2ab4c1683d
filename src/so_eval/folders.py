"""Folders replaced whole: an exclusive lock, a swap in one step, and no leftovers.

A report folder (``reports/<year>``) and a dataset folder (``data/<name>``) are never written in
place. A run builds the new folder beside the old one under a hidden temporary name, then swaps
the two in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, with the old
folder put back by the next run if it was stopped between them), and removes the old one. While
it runs it holds a lock (``.<name>.lock`` beside the folder), so no other run writes the same
folder; the lock is the kernel's (``flock``), released when the process ends however it ends.

A run that was killed leaves its temporary folder behind. Every temporary folder is named
``.<name>.<label>-<pid>-<random>``, and the next run for that folder, once it holds the lock,
removes the ones it finds (:func:`remove_leftovers`): a folder of a live run cannot be among them,
since a live run holds the lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks
    fcntl = None


class Busy(RuntimeError):
    """Another live run holds the lock; ``holder`` says which (pid and start time) if known."""

    def __init__(self, lock: Path, holder: str):
        self.lock, self.holder = lock, holder
        super().__init__(f"{lock} is held by {holder or 'another run'}")


def lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def locked(folder: str | os.PathLike[str], *, wait: bool, what: str = "so-eval") -> Iterator[None]:
    """Hold the exclusive lock of ``folder`` (the file ``.<name>.lock`` beside it).

    ``wait=False`` raises :class:`Busy` at once if another process holds it. The lock file is
    removed on release; a process that opened it meanwhile sees that it was removed and takes a
    new one, so two processes never both hold the lock. Without ``fcntl`` (Windows) no lock.
    """
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    path = lock_path(Path(folder))
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.read(fd, 500).decode("utf-8", "replace").strip()
            os.close(fd)
            raise Busy(path, holder) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder we waited for removed it: take the lock afresh
    try:
        os.ftruncate(fd, 0)
        started = datetime.now().astimezone().isoformat(timespec="seconds")
        os.write(fd, f"{what} (pid {os.getpid()}, started {started})\n".encode())
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # still locked: whoever opens the path from now on gets a new file
        os.close(fd)


def temp_dir(folder: Path, label: str) -> Path:
    """Create the hidden temporary folder ``.<name>.<label>-<pid>-<random>`` beside ``folder``."""
    path = folder.parent / f".{folder.name}.{label}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    return path


_SUFFIX = r"(?:\d+-[0-9a-f]{8}|[0-9a-z_]{8})"
"""``<pid>-<random>`` (:func:`temp_dir`), or the 8 random characters of earlier versions: only
folders this package made match, not, say, a user's own ``.data.old-2024``."""


def leftovers(folder: Path, labels: tuple[str, ...]) -> list[Path]:
    """The temporary folders ``.<name>.<label>-…`` of ``folder`` for these labels (``old``, the
    swap's, is always one); call with the lock held."""
    names = "|".join(re.escape(label) for label in (*labels, "old"))
    pattern = re.compile(rf"\.{re.escape(folder.name)}\.(?:{names})-{_SUFFIX}")
    if not folder.parent.is_dir():
        return []
    return sorted(p for p in folder.parent.iterdir() if pattern.fullmatch(p.name) and p.is_dir() and not p.is_symlink())


def remove_leftovers(folder: Path, labels: tuple[str, ...], *, others: str | None = None) -> list[Path]:
    """Remove what stopped runs left beside ``folder``; call with its lock held.

    If ``folder`` itself is missing while an ``old`` folder is there (a run stopped between the
    two renames of a swap without ``RENAME_EXCHANGE``), the newest ``old`` folder is put back
    first. Returns the folders removed.

    ``others``, a regular expression for the names of sibling folders of the same kind (four
    digits for the years in ``reports/``), also removes their leftovers, each under its own lock taken
    without waiting (a sibling that is busy is left alone).
    """
    found = []
    if others:
        names = {m[1] for p in folder.parent.iterdir() if (m := re.match(rf"\.({others})\.", p.name))}
        for name in sorted(names - {folder.name}):
            with contextlib.suppress(Busy), locked(folder.parent / name, wait=False):
                found += remove_leftovers(folder.parent / name, labels)
    return found + _remove_own(folder, labels)


def _remove_own(folder: Path, labels: tuple[str, ...]) -> list[Path]:
    found = leftovers(folder, labels)
    old = [p for p in found if re.search(rf"\.old-{_SUFFIX}$", p.name)]
    if not folder.exists() and old:
        newest = max(old, key=lambda p: p.stat().st_mtime)
        os.rename(newest, folder)
        found.remove(newest)
    for p in found:
        shutil.rmtree(p, ignore_errors=True)
    return found


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False if the
    system or the file system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # EINVAL: not on this file system
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def swap(new: Path, folder: Path) -> Path | None:
    """Put the folder ``new`` in place of ``folder`` in one step. Returns where the old folder now
    is (for the caller to remove), or None if there was none. Call with the lock held."""
    if not folder.exists():
        os.rename(new, folder)
        return None
    if _exchange(new, folder):
        return new
    old = folder.parent / f".{folder.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.rename(folder, old)
    try:
        os.rename(new, folder)
    except BaseException:
        os.rename(old, folder)
        raise
    return old
