"""Peak memory of simulate() + statistics at one size, measured in a fresh process.

Two numbers: the process's peak resident set (``resource.getrusage(RUSAGE_SELF).ru_maxrss``,
everything the OS saw, Python and NumPy included) and tracemalloc's peak of traced
allocations (NumPy reports its array buffers to tracemalloc), taken in the same run.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

MIB = 1024 * 1024


def _maxrss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def measure_here(size_name: str) -> dict:
    """Run once in this (fresh) process and report its peaks in bytes."""
    import workloads

    size = next(s for s in workloads.SIZES if s.name == size_name)
    project = workloads.bench_project(size)
    start_rss = _maxrss_bytes()
    tracemalloc.start()
    workloads.simulate_and_statistics(project)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"start_rss": start_rss, "peak_rss": _maxrss_bytes(), "traced_peak": traced_peak}


def measure_in_subprocess(size_name: str) -> dict:
    script = Path(__file__).with_name("run.py")
    done = subprocess.run(
        [sys.executable, str(script), "--peak-memory", size_name],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
