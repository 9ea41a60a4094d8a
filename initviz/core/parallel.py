"""Threads for the numerical core: one kept pool, and one BLAS thread while it is busy.

NumPy releases the GIL inside its samplers, ufuncs and matrix products, so Python threads
that each work on their own rows use every core. The pool is kept between calls: starting
threads per call costs more than a small network's whole pass.

The pool hands out tasks and results through queue.SimpleQueue only: its put and get are
single C calls, so a KeyboardInterrupt (which only the main thread receives, at any
bytecode) cannot land inside one and leave a lock held. Interrupting 3000 passes at random
left a lock of threading.Event, and later one of ThreadPoolExecutor.submit, held for good:
the next pass waited forever, and so did the interpreter at exit.
"""
from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

MAX_WORKERS = 4
"""Threads that work on one pass at most: beyond four, memory bandwidth limits a pass."""


class Pool:
    """``count`` daemon threads that run submitted tasks in the order submitted."""

    def __init__(self, count: int):
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"initviz-core-{i}", daemon=True)
            for i in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while (item := self._tasks.get()) is not None:
            task, done = item
            try:
                done.put((True, task()))
            except BaseException as exc:  # handed to whoever waits
                done.put((False, exc))

    def submit(self, task: Callable[[], object]) -> queue.SimpleQueue:
        """Queue ``task``; (True, result) or (False, exception) comes on the queue returned."""
        done: queue.SimpleQueue = queue.SimpleQueue()
        self._tasks.put((task, done))
        return done

    def shutdown(self) -> None:
        """Let the threads end once the tasks queued so far are done, and wait for them."""
        for _ in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            thread.join()


_POOL: Pool | None = None
_POOL_LOCK = threading.Lock()


def shutdown() -> None:
    """End the kept threads once their current task is done, and wait for them.

    For a process about to exit after an interrupt: run_all has told the tasks to stop at
    their next step, but a thread still inside NumPy or BLAS while the interpreter and then
    OpenBLAS shut down can crash the process, or hang it in OpenBLAS's exit handler
    (measured: ``initviz stats`` interrupted while drawing orthogonal layers). The next
    ``pool()`` starts new threads.
    """
    global _POOL
    with _POOL_LOCK:
        kept, _POOL = _POOL, None
    if kept is not None:
        kept.shutdown()


def workers() -> int:
    """Threads one pass may use: the cores, at most MAX_WORKERS."""
    return min(os.cpu_count() or 1, MAX_WORKERS)


def pool() -> Pool:
    """The kept threads (created on first use)."""
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                _POOL = Pool(workers())
    return _POOL


def run_all(tasks: list[Callable[[], object]], abandon: Callable[[], None] | None = None) -> list:
    """The tasks' results in order: the first runs on this thread, the others on the pool.

    A task may wait for an earlier one (the pool's queue is first in, first out, and the
    first task never waits), never for a later one. On the first error ``abandon`` is
    called, to let tasks that wait for the failed one go; the error is raised once every
    task has ended, or at once when it is an interrupt (KeyboardInterrupt, SystemExit).
    """
    pending, results, error = [], [], None
    try:
        pending += [pool().submit(task) for task in tasks[1:]]
        results.append(tasks[0]())
    except BaseException as exc:  # raised below
        error = exc
    for done in pending:
        if error is not None and abandon is not None:
            abandon()
        if error is not None and not isinstance(error, Exception):
            raise error  # an interrupt: the tasks stop at their next wait, nobody waits here
        try:
            ok, value = done.get()
        except BaseException as exc:  # an interrupt while waiting
            error = error or exc
            continue
        if ok:
            results.append(value)
        else:
            error = error or value
    if error is not None:
        if abandon is not None:
            abandon()
        raise error
    return results


def map_items(function: Callable, items: list, threads: int) -> list:
    """``[function(item) for item in items]`` on ``threads`` threads (this one and the pool's).

    Each thread takes the next item as it finishes one, so items that cost less (a draw
    found in the cache) leave more of the others to the other threads. After an error or
    an interrupt on any of them, the others take no further item.
    """
    results = [None] * len(items)
    taken = itertools.count()
    stopped = []

    def work() -> None:
        for index in iter(taken.__next__, None):  # next() of a count is atomic under the GIL
            if index >= len(items) or stopped:
                return
            results[index] = function(items[index])

    run_all([work] * max(1, min(threads, len(items))), abandon=lambda: stopped.append(True))
    return results


_BLAS_LOCK = threading.Lock()
_blas_users = 0
_blas_saved: list[int] = []
_blas_setters: list[Callable[[int], int]] | None = None


def _find_blas_setters() -> list[Callable[[int], int]]:
    """One function per BLAS library NumPy loaded (threadpoolctl finds them): set the
    library's thread count, return the previous one.

    OpenBLAS's own setter is ignored on every other thread once the main thread has called
    it (OpenBLAS 0.3.31, measured here), so a limit set from the window's compute thread
    after a script limited it on the main thread would not hold; its
    ``openblas_set_num_threads_local`` sets the same count from any thread.
    """
    import ctypes

    from threadpoolctl import ThreadpoolController

    setters = []
    for lib in ThreadpoolController().lib_controllers:
        if lib.user_api != "blas":
            continue
        local = getattr(lib.dynlib, "openblas_set_num_threads_local", None)
        if lib.internal_api == "openblas" and local is not None:
            local.argtypes, local.restype = [ctypes.c_int], ctypes.c_int
            setters.append(local)
        else:
            setters.append(lambda n, lib=lib: (lib.get_num_threads(), lib.set_num_threads(n))[0])
    return setters


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS computes on one thread inside this block (OpenBLAS, MKL, BLIS: threadpoolctl).

    Where our own threads each multiply their share of the rows, BLAS threads of their
    own would only compete with them for the cores. The limit is process-wide, as BLAS
    has no other; blocks on several threads at once share one limit, and the original
    setting comes back when the last of them ends.
    """
    global _blas_users, _blas_saved, _blas_setters
    with _BLAS_LOCK:
        if _blas_users == 0:
            if _blas_setters is None:
                _blas_setters = _find_blas_setters()  # ~0.2 ms, once
            _blas_saved = [set_threads(1) for set_threads in _blas_setters]
        _blas_users += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _blas_users -= 1
            if _blas_users == 0:
                for set_threads, previous in zip(_blas_setters, _blas_saved):
                    set_threads(previous)
