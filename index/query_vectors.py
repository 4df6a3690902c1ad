"""Question vectors, computed on worker threads that give the model one CPU thread each, so that
a search can run its keyword query on the other core in the meantime.

With torch's OpenMP backend the number of intra-op threads is a per-thread setting, but
torch also keeps the last value set, process-wide, and a thread that first runs torch later
starts with it. So each worker fixes its own count once, when it starts, and every other
thread that embeds re-asserts the embedder's count first (``keep_threads``). A question is a
few dozen word pieces: a second thread saves little on it (bench/RESULTS.md), while a batch of
paragraphs runs twice as fast with two.

Nothing is cached: a question is embedded once, by retrieval, and its vector handed on to
whoever needs it (qa.retrieval.base.Retrieval).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

QUERY_WORKERS = os.cpu_count() or 2  # questions embedded at once, one core each
_worker = threading.local()  # .is_query: set on the query worker threads


class QueryThreads:
    """Embeds questions on its own worker threads (started on first use)."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray], torch: Any) -> None:
        self._embed = embed
        self._torch = torch
        self._workers: ThreadPoolExecutor | None = None
        self._workers_pid = 0
        self._lock = threading.Lock()

    def submit(self, text: str) -> Future[np.ndarray]:
        """The unit vector of ``text`` (whitespace-normalised), computed on a worker thread;
        the caller collects it with ``.result()``."""
        return self.pool().submit(self._compute, " ".join(text.split()))

    def pool(self) -> ThreadPoolExecutor:
        """The workers, started on first use (and again in a forked child, which has none)."""
        with self._lock:
            if self._workers is None or self._workers_pid != os.getpid():
                self._workers = ThreadPoolExecutor(
                    QUERY_WORKERS, "newsdesk-query", initializer=one_thread_each,
                    initargs=(self._torch,),
                )  # fmt: skip
                self._workers_pid = os.getpid()
            return self._workers

    def _compute(self, text: str) -> np.ndarray:
        vector: np.ndarray = self._embed([text])[0]
        return vector


def one_thread_each(torch: Any) -> None:
    """Mark the calling thread as a query worker, and give it one torch intra-op thread for
    good, where that setting is per thread (OpenMP); elsewhere leave it, since it would slow
    indexing too. ``torch`` is None for an engine that picks its threads per call."""
    _worker.is_query = True
    if torch is not None and _per_thread(torch):
        torch.get_num_threads()  # torch's lazy per-thread set-up first, or it would undo ours
        torch.set_num_threads(1)


def is_query_thread() -> bool:
    """Whether the calling thread is one of the query workers."""
    return bool(getattr(_worker, "is_query", False))


def keep_threads(torch: Any, threads: int) -> None:
    """Give the calling thread ``threads`` intra-op threads again unless it is a query
    worker: a thread that first runs torch after a worker started would have only one."""
    if not is_query_thread() and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def _per_thread(torch: Any) -> bool:
    return "parallel backend: OpenMP" in torch.__config__.parallel_info()
