"""Items worked on by this thread and a few short-lived helper threads.

NumPy's samplers release the GIL, and every layer draws from its own stream
(draws.layer_rng), so a network's layers can be drawn on several threads and still give
the same numbers. The helper threads live for one call only: nothing is kept in the
process between calls, and a caller that never asks for threads starts none.

The helpers are not daemons. When this thread is interrupted (Ctrl+C in ``initviz
stats``), the helpers take no further item, and the interpreter waits at exit for the one
they are on instead of shutting NumPy and OpenBLAS down under a thread still inside them.
"""
from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence

MAX_THREADS = 4
"""Threads on one call at most: beyond four, memory bandwidth limits a draw."""


def available() -> int:
    """The cores this process may run on, at most MAX_THREADS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


def map_items(function: Callable, items: Sequence, threads: int) -> list:
    """``[function(item) for item in items]``, on this thread and ``threads`` - 1 helpers.

    Each thread takes the next item as it finishes one, so an item that costs little (a
    draw found in the cache) leaves more of the others to the other threads. After an
    error or an interrupt on any thread, no thread takes a further item; the first error
    is raised once the helpers have ended, an interrupt at once.
    """
    results = [None] * len(items)
    helpers_count = max(0, min(int(threads), len(items)) - 1)
    if helpers_count == 0:
        return [function(item) for item in items]
    taken = itertools.count()  # next() of a count is atomic under the GIL
    stopped = threading.Event()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for index in iter(taken.__next__, None):
                if index >= len(items) or stopped.is_set():
                    return
                results[index] = function(items[index])
        except BaseException as exc:  # handed to the caller below
            stopped.set()
            errors.append(exc)

    helpers = [threading.Thread(target=work, name=f"initviz-draw-{i}")
               for i in range(helpers_count)]
    try:
        for helper in helpers:
            helper.start()
        work()
        if errors and not isinstance(errors[0], Exception):
            raise errors[0]  # an interrupt on this thread: leave without waiting
        for helper in helpers:
            helper.join()
    except BaseException:
        stopped.set()
        raise
    if errors:
        raise errors[0]
    return results
