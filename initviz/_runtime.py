"""Process-wide tuning that the window and the benchmark apply, and a library user never gets.

``import initviz``, ``initviz.simulate`` and ``initviz stats`` change no environment
variable, allocator or BLAS setting: a notebook that imports initviz keeps its own. The
window is one long-lived process that recomputes a network many times a second, and two
settings pay off there:

- OpenBLAS lets an idle thread spin for 2^28 cycles (about 0.1 s) after each product,
  keeping a core busy long after every update; the window's own threads then share the
  other core. At 2^20 cycles the products of consecutive layers still find the threads
  awake. OpenBLAS reads the setting when it loads, so ``before_numpy`` must run before
  anything imports NumPy; a value the user has set wins.
- Every update allocates a fresh set of layer arrays while the previous set is freed:
  ``core.memory.keep_freed_memory`` lets glibc reuse them instead of unmapping them.
"""
from __future__ import annotations

import os

THREAD_TIMEOUT = "20"
"""log2 of the cycles an idle OpenBLAS thread spins before it sleeps."""


def before_numpy() -> None:
    """The environment the window's BLAS should load with (no effect once NumPy is loaded)."""
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", THREAD_TIMEOUT)


def apply() -> bool:
    """All of the window's tuning; call once, as early as the process allows.

    Returns whether the allocator took its setting (False where the C library is not glibc).
    """
    before_numpy()
    from initviz.core import memory  # here, not on top: it loads NumPy, after before_numpy

    return memory.keep_freed_memory()
