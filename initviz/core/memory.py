"""Will a project fit in memory? An estimate made before any array is allocated.

``simulate`` keeps, per layer l with fan_in n(l-1), fan_out n(l) and batch B, the float32
arrays W and dL/dW (n(l-1)·n(l) each), b and dL/db (n(l)), and z, a, dL/da, dL/dz (B·n(l)
each); plus the batch (B·n0, drawn in float64 then cast) and the labels (int64). On top of
what it keeps, the largest temporaries decide the peak: activation functions and their
derivatives (a few B·n arrays), the float64 deviations ``np.std`` makes of the largest array
while the statistics are computed, and the float64 QR of an orthogonal init.

A project whose estimate exceeds the budget (80 % of MemAvailable from /proc/meminfo, or
``FALLBACK_BUDGET`` where that cannot be read; ``INITVIZ_MEMORY_BUDGET`` overrides both,
e.g. ``512M``) is refused with a ``ProjectError`` that gives the estimate and a batch size
or a width that would fit. Pure standard library and arithmetic: nothing is allocated.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence

from initviz.errors import ProjectError

FLOAT32 = 4
FLOAT64 = 8
AVAILABLE_FRACTION = 0.8
"""Leave a fifth of the free memory to the window, the plots and the rest of the system."""
FALLBACK_BUDGET = 2 * 1024**3
"""Used where the free memory cannot be read (not Linux): 2 GiB, fine on any teaching laptop."""
BUDGET_ENV = "INITVIZ_MEMORY_BUDGET"
ACTIVATION_TEMPORARIES = 3
"""Float32 arrays of shape (B, n) alive at once inside an activation or its derivative (GELU)."""
STATS_BYTES_PER_VALUE = FLOAT64 + FLOAT32 + 1
"""np.std in float64, a finite-values copy, an isfinite mask: per value of the largest array."""
QR_SCHEMES = ("orthogonal", "lsuv")
"""Schemes that take the QR decomposition of a float64 Gaussian matrix (Saxe et al. 2014)."""

_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def simulation_bytes(widths: Sequence[int], batch_size: int, scheme: str = "normal") -> int:
    """Peak bytes of ``simulate`` plus its statistics for these widths and batch size."""
    batch = int(batch_size)
    widths = [int(n) for n in widths]
    pairs = list(zip(widths[:-1], widths[1:], strict=True))
    kept = batch * widths[0] * FLOAT32 + batch * 8  # inputs, labels
    for fan_in, fan_out in pairs:
        kept += FLOAT32 * (2 * fan_in * fan_out + 2 * fan_out + 4 * batch * fan_out)
    largest = max(max(fan_in * fan_out, batch * fan_out) for fan_in, fan_out in pairs)
    temporaries = [
        batch * widths[0] * FLOAT64,  # the batch is drawn in float64, then cast
        ACTIVATION_TEMPORARIES * FLOAT32 * batch * max(widths[1:]),
        STATS_BYTES_PER_VALUE * largest,
    ]
    if scheme in QR_SCHEMES:
        temporaries.append(max(_qr_bytes(fan_in, fan_out) for fan_in, fan_out in pairs))
    return kept + max(temporaries)


def _qr_bytes(fan_in: int, fan_out: int) -> int:
    """The Gaussian (big × small), its Q and R and the float32 copy (numpy.linalg.qr)."""
    big, small = max(fan_in, fan_out), min(fan_in, fan_out)
    return FLOAT64 * (2 * big * small + small * small) + FLOAT32 * big * small


def parse_size(text: str) -> int:
    """'512M', '2G', '1.5g', '1000000' -> bytes (binary units)."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kmgt]?)i?b?\s*", str(text).lower())
    if not match:
        raise ProjectError(f"{BUDGET_ENV} must be a size like 512M or 2G, got {text!r}")
    return int(float(match[1]) * _UNITS[match[2]])


MEMINFO_TTL_S = 0.5
"""A reading of /proc/meminfo is reused this long: while a slider is dragged, each update
would read it again (0.2 ms of a 13 ms update of 10 x 256 at batch 512, with the file out
of the cache), and the free memory hardly changes between two of them."""
_readings: dict[str, tuple[float, int | None]] = {}


def available_bytes(meminfo: str = "/proc/meminfo") -> int | None:
    """MemAvailable (Linux), or None where it cannot be read (read at most every MEMINFO_TTL_S)."""
    now = time.monotonic()
    reading = _readings.get(meminfo)
    if reading is not None and now - reading[0] < MEMINFO_TTL_S:
        return reading[1]
    value = _read_available(meminfo)
    _readings[meminfo] = (now, value)
    return value


def _read_available(meminfo: str) -> int | None:
    try:
        with open(meminfo, encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_budget() -> int:
    """Bytes a simulation may use: the override, else 80 % of MemAvailable, else 2 GiB."""
    override = os.environ.get(BUDGET_ENV)
    if override:
        return parse_size(override)
    available = available_bytes()
    return FALLBACK_BUDGET if available is None else int(AVAILABLE_FRACTION * available)


def format_bytes(count: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if count < 1000:
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"


def largest_batch(widths: Sequence[int], scheme: str, budget: int) -> int:
    """The largest batch size that fits (0 if none); memory grows with the batch, so bisect."""
    low, high = 0, 1
    while high <= 2**20 and simulation_bytes(widths, high, scheme) <= budget:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        fits = simulation_bytes(widths, middle, scheme) <= budget
        low, high = (middle, high) if fits else (low, middle)
    return low


def largest_hidden_width(widths: Sequence[int], batch_size: int, scheme: str, budget: int) -> int:
    """The largest width of all hidden layers at once that fits with this batch (0 if none)."""
    if len(widths) < 3:
        return 0

    def fits(width: int) -> bool:
        trial = [widths[0]] + [width] * (len(widths) - 2) + [widths[-1]]
        return simulation_bytes(trial, batch_size, scheme) <= budget

    low, high = 0, max(widths[1:-1])
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def check_fits(project, budget: int | None = None) -> int:
    """The estimate in bytes; raises ProjectError with a fix when the project would not fit."""
    widths, batch, scheme = project.widths, project.batch_size, project.scheme
    needed = simulation_bytes(widths, batch, scheme)
    budget = memory_budget() if budget is None else budget
    if needed <= budget:
        return needed
    fixes = []
    batch_fit = largest_batch(widths, scheme, budget)
    if batch_fit >= 1:
        fixes.append(f"lower data.batch_size to {batch_fit} or less")
    width_fit = largest_hidden_width(widths, batch, scheme, budget)
    if width_fit >= 1:
        fixes.append(f"make the hidden layers {width_fit} wide or less")
    fix = " or ".join(fixes) or "use fewer, narrower layers and a smaller batch"
    raise ProjectError(
        f"this project needs about {format_bytes(needed)} of memory but only "
        f"{format_bytes(budget)} is free for it (widths up to {max(widths)}, "
        f"{len(widths) - 1} layers, batch {batch}); {fix}"
    )


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_BYTES = 32 * 1024**2
"""glibc's largest allowed mmap threshold on 64-bit: arrays below it come from the heap."""
TRIM_THRESHOLD_BYTES = 2 * 1024**3


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed arrays for reuse instead of returning them to the system.

    Every update allocates a fresh set of layer arrays while the previous set is freed;
    by default glibc unmaps large blocks, so each new array costs page faults and zeroing
    (15 % of a 20 x 512 x 1024 update, 11 % at 50 x 1024 x 1024). With a 32 MiB mmap
    threshold and a 2 GiB trim threshold the freed blocks are reused; the cost is that the
    process keeps the memory of its largest update until it exits. The window and the
    benchmark call this once (``initviz._runtime``); a library user may too. Returns False
    where the C library is not glibc (nothing done).
    """
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )


def release_freed_memory() -> bool:
    """Return what ``keep_freed_memory`` kept to the system (glibc's malloc_trim).

    For a process that is done with large networks: the benchmark calls it before it
    measures the window in another process, since 1.3 GiB kept here after the L network
    made that window 25 instead of 32 updates/s on this machine. False where the C
    library is not glibc (nothing done).
    """
    import ctypes

    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True


def _libc_function(name: str):
    """glibc's function ``name`` through ctypes, or None (another C library, or none found)."""
    import ctypes
    import ctypes.util

    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None
