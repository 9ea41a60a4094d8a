"""Process-wide tuning that the window and the benchmark apply, and a library user never gets.

``import initviz``, ``initviz.simulate`` and ``initviz stats`` change no environment
variable, allocator, BLAS or scheduling setting: a notebook that imports initviz keeps its
own. The window is one long-lived process that recomputes a network many times a second,
and these settings pay off there:

- OpenBLAS lets an idle thread spin for 2^28 cycles (about 0.1 s) after each product,
  keeping a core busy long after every update; the window's own threads then share the
  other core. At 2^20 cycles the products of consecutive layers still find the threads
  awake. OpenBLAS reads the setting when it loads, so ``before_numpy`` must run before
  anything imports NumPy; a value the user has set wins.
- Every update allocates a fresh set of layer arrays while the previous set is freed:
  ``core.memory.keep_freed_memory`` lets glibc reuse them instead of unmapping them.
  ``release_kept_memory`` hands that memory back once the window has had nothing to
  compute for a moment (and now and then while it computes without a pause), so a window
  does not hold its largest update's memory for good.
- (window only) Every thread allocates from glibc's main arena (``one_malloc_arena``):
  malloc_trim, the release above, hands back the free memory at the top of the main arena
  but not at the top of another thread's own arena, and with the trim threshold above
  nothing else does, so each computing thread's arena kept its largest update's memory
  for good. The window's threads allocate large arrays now and then, not small blocks all
  the time, so they seldom queue for the one arena's lock.
- (window only, ``apply_window``) Every thread that computes runs WORKER_NICE steps below
  the GUI thread: on a machine with fewer cores than busy threads the scheduler then
  gives the GUI thread a core first, and a drawing waits less behind a computation. It
  cannot help against other programs (each session is its own scheduling group).
  Qt's own thread priorities do nothing on Linux (its threads share SCHED_OTHER's one
  priority), so the thread's nice value is set; it inherits to the threads it starts.
- (window only) The GIL's switch interval is SWITCH_INTERVAL_S instead of Python's 5 ms.
  Painting a plot calls Python from Qt's C++ many times (an item's ``paint``, its
  ``boundingRect``), and the GUI thread gives the GIL up between those calls; while a
  computing thread runs Python, each call can wait a whole interval before the GIL comes
  back, so a paint of a hundred calls waits a hundred intervals. The interval only comes
  into play while a thread waits for the GIL; a computation then hands it over more often.
"""
from __future__ import annotations

import os
import sys
import threading

THREAD_TIMEOUT = "20"
"""log2 of the cycles an idle OpenBLAS thread spins before it sleeps."""

WORKER_NICE = 10
"""Nice steps between the GUI thread and the computing threads (CFS weight 1024 against 110:
a thread waking to draw gets a contended core first, while on an idle core the computation
runs as fast as before). In the soak, 5 steps left the GUI thread queued clearly longer."""

SWITCH_INTERVAL_S = 0.0005
"""The window's GIL switch interval (``sys.setswitchinterval``): the longest a GUI thread's
return to Python waits for a thread computing in Python."""

_worker_nice: int | None = None
"""The nice value of computing threads, once ``apply_window`` has run (else untouched)."""
_trim_allowed = False


def before_numpy() -> None:
    """The environment the window's BLAS should load with (no effect once NumPy is loaded)."""
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", THREAD_TIMEOUT)


def apply() -> bool:
    """The window's and the benchmark's tuning; call once, as early as the process allows.

    Returns whether the allocator took its setting (False where the C library is not glibc).
    """
    global _trim_allowed
    before_numpy()
    from initviz.core import memory  # here, not on top: it loads NumPy, after before_numpy

    _trim_allowed = memory.keep_freed_memory()
    return _trim_allowed


def apply_window() -> bool:
    """``apply``, then the GUI thread (the calling one) first in line for a core.

    NumPy is loaded here so that BLAS's threads exist, and they are lowered with every
    other thread already running; a thread the window starts later to compute calls
    ``lower_this_thread``. The GIL's switch interval becomes SWITCH_INTERVAL_S. Returns
    ``apply``'s result.
    """
    global _worker_nice
    one_malloc_arena()  # before NumPy starts BLAS's threads: a thread's arena is for good
    tuned = apply()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    import numpy  # noqa: F401 - starts BLAS's threads, lowered below

    if not sys.platform.startswith("linux"):  # elsewhere a thread id is no process id
        return tuned
    _worker_nice = min(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) + WORKER_NICE,
                       19)
    for task in _threads():
        if task != threading.get_native_id():
            _set_nice(task)
    return tuned


M_ARENA_MAX = -8
"""glibc's mallopt parameter: the most malloc arenas the threads of a process share."""


def one_malloc_arena() -> bool:
    """Every thread of the process allocates from glibc's main arena (see the module's notes);
    False where the C library is not glibc (nothing done). Call before any other thread runs."""
    import ctypes
    import ctypes.util

    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, 1))


def lower_this_thread() -> None:
    """Run the calling thread (one that computes) below the GUI thread, if the window's tuning
    is applied; elsewhere nothing. Threads it starts inherit the setting."""
    if _worker_nice is not None:
        _set_nice(threading.get_native_id())


def release_kept_memory() -> None:
    """Hand the memory glibc keeps for reuse back to the system, on a thread of its own
    (returning a few GB takes tens of milliseconds). The window calls it when it pauses
    (``gui.workers.background``); nothing unless ``apply`` kept freed memory."""
    if not _trim_allowed:
        return
    from initviz.core import memory

    def release():
        lower_this_thread()
        memory.release_freed_memory()

    threading.Thread(target=release, name="initviz-release-memory", daemon=True).start()


def _threads() -> list[int]:
    """The process's threads (Linux's task ids)."""
    try:
        return [int(name) for name in os.listdir("/proc/self/task")]
    except OSError:
        return []


def _set_nice(task: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, task, _worker_nice)
    except (OSError, AttributeError):  # a thread that ended, or no per-thread nice here
        pass
