"""An exclusive, process-level lock on a data directory, so two indexers never interleave."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from index.errors import IndexLocked


class IndexLock:
    """Held while indexing; a second process gets IndexLocked at once, with the holder's pid.

    The OS releases the lock when the holder dies, even by kill -9, so a crash never leaves a
    stale lock behind.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "index.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise IndexLocked."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise IndexLocked(
                f"another newsdesk process (pid {holder}) is indexing into {self.path.parent};"
                " wait for it to finish and try again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Give the lock back (safe to call twice)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> IndexLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
