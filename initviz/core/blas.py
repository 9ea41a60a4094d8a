"""One BLAS thread for a block of code, for the whole process while the block runs.

The window computes a small network on one thread with one BLAS thread, so that the other
core stays free for the GUI thread drawing the previous update (gui.workers.compute).
BLAS has no per-thread limit, so the limit is process-wide; blocks on several threads at
once share it, and the original setting comes back when the last of them ends.
"""
from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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
    # Imported here, not at the top: importing threadpoolctl sets KMP_DUPLICATE_LIB_OK in
    # the environment, and a library that is only imported must leave the environment alone.
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
    """BLAS computes on one thread inside this block (OpenBLAS, MKL, BLIS: threadpoolctl)."""
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
