"""Which BLAS NumPy calls, with how many threads, and the OpenBLAS variables that are set.

Read-only: the bench never changes OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE (some processors
set them to work around older OpenBLAS releases); it only prints them.
"""
from __future__ import annotations

import ctypes
import os
import platform

import numpy as np

BLAS_VARIABLES = (
    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
    "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_THREAD_TIMEOUT",
)


def blas_name() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # older NumPy: no dict mode
        return "unknown"
    return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()


def _loaded_openblas() -> ctypes.CDLL | None:
    """The OpenBLAS library NumPy loaded, found in this process's memory map (Linux)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _openblas_call(library, names, restype):
    for name in names:
        func = getattr(library, name, None)
        if func is not None:
            func.restype = restype
            return func()
    return None


def blas_threads_and_core() -> tuple[str, str]:
    """OpenBLAS's own thread count and core type, or a note where they cannot be read."""
    library = _loaded_openblas()
    if library is None:
        return "unknown (no OpenBLAS found)", "unknown"
    threads = _openblas_call(
        library,
        ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
         "openblas_get_num_threads"),
        ctypes.c_int,
    )
    core = _openblas_call(
        library,
        ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"),
        ctypes.c_char_p,
    )
    return (str(threads) if threads is not None else "unknown",
            core.decode() if core else "unknown")


def describe() -> list[str]:
    threads, core = blas_threads_and_core()
    lines = [
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} logical CPUs",
        f"BLAS: {blas_name()}, {threads} threads, core type {core}",
    ]
    set_vars = [f"{name}={os.environ[name]}" for name in BLAS_VARIABLES if name in os.environ]
    lines.append("BLAS environment: " + (", ".join(set_vars) if set_vars else "none of "
                                          + ", ".join(BLAS_VARIABLES) + " set"))
    return lines
