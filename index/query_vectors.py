"""Question vectors: cached, and computed on worker threads that give the model one CPU thread
each, so that a search can run its keyword query on the other core in the meantime.

With torch's OpenMP backend the number of intra-op threads is a per-thread setting, but
torch also keeps the last value set, process-wide, and a thread that first runs torch later
starts with it. So each worker fixes its own count once, when it starts, and every other
thread that embeds re-asserts the embedder's count first (``keep_threads``). A question is a
few dozen word pieces: a second thread saves little on it (bench/RESULTS.md), while a batch of
paragraphs runs twice as fast with two.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

# Enough for the questions in flight at once (retrieval, then answering, embed the same one);
# small, so benchmarks cycling through their questions never answer from it.
QUERY_CACHE_SIZE = 32
QUERY_WORKERS = os.cpu_count() or 2  # questions embedded at once, one core each
_worker = threading.local()  # .is_query: set on the query worker threads


class QueryCache:
    """A small thread-safe LRU map from query text to its vector."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        """The cached vector of ``key``, or None."""
        with self._lock:
            vector = self._items.get(key)
            if vector is not None:
                self._items.move_to_end(key)
            return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        """Keep ``vector`` for ``key``, dropping the least recently used beyond ``size``."""
        with self._lock:
            self._items[key] = vector
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every cached vector."""
        with self._lock:
            self._items.clear()


class QueryVectors:
    """Embeds questions on its own worker threads (made here, once), caching the latest."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray], torch: Any) -> None:
        self._embed = embed
        self._torch = torch
        self._cache = QueryCache(QUERY_CACHE_SIZE)
        self._workers: ThreadPoolExecutor | None = None
        self._workers_pid = 0
        self._lock = threading.Lock()

    def submit(self, text: str) -> Future[np.ndarray]:
        """The unit vector of ``text`` (whitespace-normalised), computed on a worker thread
        unless cached; the caller collects it with ``.result()``."""
        key = " ".join(text.split())
        vector = self._cache.get(key)
        if vector is None:
            return self._pool().submit(self._compute, key)
        done: Future[np.ndarray] = Future()
        done.set_result(vector)
        return done

    def get(self, text: str) -> np.ndarray:
        """The unit vector of ``text``, waiting for it."""
        return self.submit(text).result()

    def clear(self) -> None:
        """Forget the cached vectors."""
        self._cache.clear()

    def _pool(self) -> ThreadPoolExecutor:
        """The workers, started on first use (and again in a forked child, which has none)."""
        with self._lock:
            if self._workers is None or self._workers_pid != os.getpid():
                self._workers = ThreadPoolExecutor(
                    QUERY_WORKERS, "newsdesk-query", initializer=one_thread_each,
                    initargs=(self._torch,),
                )  # fmt: skip
                self._workers_pid = os.getpid()
            return self._workers

    def _compute(self, key: str) -> np.ndarray:
        vector = self._embed([key])[0]
        self._cache.put(key, vector)
        return vector


def one_thread_each(torch: Any) -> None:
    """Give the calling (worker) thread one torch intra-op thread for good, where that
    setting is per thread (OpenMP); elsewhere leave it, since it would slow indexing too."""
    _worker.is_query = True
    if _per_thread(torch):
        torch.get_num_threads()  # torch's lazy per-thread set-up first, or it would undo ours
        torch.set_num_threads(1)


def keep_threads(torch: Any, threads: int) -> None:
    """Give the calling thread ``threads`` intra-op threads again unless it is a query
    worker: a thread that first runs torch after a worker started would have only one."""
    if not getattr(_worker, "is_query", False) and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def _per_thread(torch: Any) -> bool:
    return "parallel backend: OpenMP" in torch.__config__.parallel_info()
