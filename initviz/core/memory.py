"""Will a computation fit in memory? Checked before any array is allocated.

Every computation initviz starts has an estimate in ``core.footprint`` and is checked
with ``check_estimate``: ``simulate`` here (``check_fits``), a Trainer in
``training.check_training_fits``, the Jacobian spectrum in ``jacobian.check_theory_fits``.
A computation whose estimate exceeds the budget (80 % of MemAvailable from /proc/meminfo,
or ``FALLBACK_BUDGET`` where that cannot be read; ``INITVIZ_MEMORY_BUDGET`` overrides
both, e.g. ``512M``) is refused with a ``ProjectError`` that gives the estimate and a batch
size or a width that would fit. Nothing here allocates an array. A computation that
passes is promised its estimate while it runs (``promise_estimate``, core.ledger), and
later checks count only what is left, so computations started together share the budget.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import time
from collections.abc import Callable, Sequence

from initviz.core import footprint, ledger
from initviz.errors import ProjectError

AVAILABLE_FRACTION = 0.8
"""Leave a fifth of the free memory to the window, the plots and the rest of the system."""
FALLBACK_BUDGET = 2 * 1024**3
"""Used where the free memory cannot be read (not Linux): 2 GiB, fine on any teaching laptop."""
BUDGET_ENV = "INITVIZ_MEMORY_BUDGET"

_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


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


Estimate = Callable[[Sequence[int], int], int]
"""(widths, batch size) -> peak bytes: one of core.footprint's estimates, its other
arguments fixed."""


def largest_batch(estimate: Estimate, widths: Sequence[int], budget: int) -> int:
    """The largest batch size that fits (0 if none); memory grows with the batch, so bisect."""
    low, high = 0, 1
    while high <= 2**20 and estimate(widths, high) <= budget:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if estimate(widths, middle) <= budget else (low, middle)
    return low


def largest_hidden_width(estimate: Estimate, widths: Sequence[int], batch_size: int,
                         budget: int) -> int:
    """The largest width of all hidden layers at once that fits with this batch (0 if none)."""
    if len(widths) < 3:
        return 0

    def fits(width: int) -> bool:
        trial = [widths[0]] + [width] * (len(widths) - 2) + [widths[-1]]
        return estimate(trial, batch_size) <= budget

    low, high = 0, max(widths[1:-1])
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def check_estimate(what: str, estimate: Estimate, project, budget: int | None = None,
                   wait_s: float = 0.0, should_stop=None) -> int:
    """``estimate`` of ``project`` in bytes; raises ProjectError, naming ``what`` and a fix
    (a batch size or a width that fits), when it is over the budget. The live budget
    (``budget`` None) is what the computations running now have not been promised; where
    the estimate fits the whole budget, up to ``wait_s`` seconds are spent waiting for
    them to end first (ledger.wait_for_room, asking ``should_stop``)."""
    widths, batch = project.widths, project.batch_size
    needed = estimate(widths, batch)
    if budget is None and wait_s > 0:
        whole = memory_budget()
        if needed <= whole:
            ledger.wait_for_room(needed, whole, wait_s, should_stop)
    promised = ledger.promised_bytes() if budget is None else 0
    budget = max(0, memory_budget() - promised) if budget is None else budget
    if needed <= budget:
        return needed
    fixes = []
    batch_fit = largest_batch(estimate, widths, budget)
    if 1 <= batch_fit < batch:
        fixes.append(f"lower data.batch_size to {batch_fit} or less")
    width_fit = largest_hidden_width(estimate, widths, batch, budget)
    if width_fit >= 1:
        fixes.append(f"make the hidden layers {width_fit} wide or less")
    fix = " or ".join(fixes) or "use fewer, narrower layers and a smaller batch"
    others = (f", {format_bytes(promised)} being in use by computations running now"
              if promised else "")
    raise ProjectError(
        f"{what} needs about {format_bytes(needed)} of memory but only "
        f"{format_bytes(budget)} is free for it{others} (widths up to {max(widths)}, "
        f"{len(widths) - 1} layers, batch {batch}); {fix}"
    )


def promise_estimate(what: str, estimate: Estimate, project, owner=None,
                     wait_s: float = 0.0, should_stop=None) -> ledger.Promise:
    """``check_estimate`` on the live budget (waiting up to ``wait_s`` for room), and the
    estimate promised to the computation at once (ledger.Promise: a ``with`` block, or
    ``owner``'s lifetime)."""
    with ledger.LOCK:
        return ledger.Promise(check_estimate(what, estimate, project, None, wait_s,
                                             should_stop), owner)


def uses_blocks(project) -> bool:
    """Normalisation or skips: core.blocks' pass, which keeps more arrays per layer."""
    return project.normalization != "none" or bool(project.residual["enabled"])


def simulation_estimate(project, cache=None) -> Estimate:
    """``simulate``'s estimate (footprint.simulation_bytes, with the call's draw ``cache``)."""
    cache_budget = 0 if cache is None else cache.budget_bytes

    def estimate(widths, batch):
        return footprint.simulation_bytes(widths, batch, project.scheme, cache_budget,
                                          uses_blocks(project))

    return estimate


def check_fits(project, budget: int | None = None, cache=None) -> int:
    """``simulate``'s estimate; raises ProjectError with a fix when it would not fit."""
    return check_estimate("this project", simulation_estimate(project, cache),
                          project, budget)


def promise_fits(project, cache=None) -> ledger.Promise:
    """``check_fits`` on the live budget, the estimate promised while ``simulate`` runs."""
    return promise_estimate("this project", simulation_estimate(project, cache),
                            project)


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
    measures the window in another process, which the memory kept here would slow down.
    False where the C library is not glibc (nothing done).
    """
    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True


def _libc_function(name: str):
    """glibc's function ``name`` through ctypes, or None (another C library, or none found)."""
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None
