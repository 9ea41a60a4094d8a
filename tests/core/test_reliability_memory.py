"""The memory guard: an estimate made before allocating, checked against what NumPy really uses.

tracemalloc sees NumPy's array buffers, so its peak during simulate + stats is the
ground truth the estimate is compared with here. It does not see the buffers numpy.linalg
allocates for LAPACK, so the QR schemes (orthogonal, LSUV), training and the Jacobian are
measured by resident memory in tests/core/test_memory_peaks.py.
"""
import contextlib
import io
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from initviz import Project, ProjectError, simulate
from initviz.cli import main
from initviz.core import footprint, memory


def measured_peak(project) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        simulate(project, cache=None).stats()  # cold: every draw made, as the guard assumes
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("widths, batch, scheme, activation", [
    ([784, 256, 256, 256, 10], 512, "xavier_normal", "relu"),
    ([64] * 6, 1024, "he_normal", "gelu"),
    ([10, 256, 10], 2048, "normal", "silu"),
])
def test_estimate_is_close_to_the_measured_peak(widths, batch, scheme, activation):
    project = Project({"network": {"widths": widths, "activation": activation},
                       "init": {"scheme": scheme}, "data": {"batch_size": batch}})
    estimate = footprint.simulation_bytes(widths, batch, scheme)
    peak = measured_peak(project)
    assert 0.85 * peak <= estimate <= 1.5 * peak, (estimate, peak)


def test_estimate_counts_the_float32_arrays_it_keeps():
    """One layer 3 -> 5, batch 7: W, dW (15 each), b, db (5 each), z, a, da, dz (35 each)."""
    kept = 4 * (7 * 3) + 7 * 8 + 4 * (2 * 15 + 2 * 5 + 4 * 35)
    temporaries = max(8 * 7 * 3, 3 * 4 * 7 * 5, 13 * 35)
    assert footprint.simulation_bytes([3, 5], 7) == kept + temporaries


def test_a_project_that_does_not_fit_is_refused_with_the_estimate_and_a_fix(monkeypatch):
    monkeypatch.setenv("INITVIZ_MEMORY_BUDGET", "16M")
    project = Project({"network": {"widths": [100, 512, 512, 10]}, "data": {"batch_size": 2048}})
    needed = footprint.simulation_bytes(project.widths, 2048, project.scheme)
    with pytest.raises(ProjectError) as info:
        simulate(project)
    message = str(info.value)
    assert message.startswith(f"this project needs about {memory.format_bytes(needed)} of memory "
                              "but only 16.8 MB is free for it")
    batch = int(message.split("lower data.batch_size to ")[1].split()[0])
    width = int(message.split("make the hidden layers ")[1].split()[0])
    budget = 16 * 1024**2
    # the suggestions are the largest that fit
    assert footprint.simulation_bytes(project.widths, batch, project.scheme) <= budget
    assert footprint.simulation_bytes(project.widths, batch + 1, project.scheme) > budget
    wider = [100, width + 1, width + 1, 10]
    assert footprint.simulation_bytes([100, width, width, 10], 2048, project.scheme) <= budget
    assert footprint.simulation_bytes(wider, 2048, project.scheme) > budget
    project.set("data.batch_size", batch)
    assert simulate(project).layers[0].weight.shape == (100, 512)


def test_the_largest_project_is_refused_at_once_on_this_machine():
    """201 layers of 16384 at batch 65536 would need terabytes: refused before any allocation."""
    project = Project({"network": {"widths": [16384] * 201}, "data": {"batch_size": 65536}})
    started = time.perf_counter()
    with pytest.raises(ProjectError, match=r"needs about [\d.]+ TB of memory"):
        simulate(project)
    assert time.perf_counter() - started < 1.0


def test_cli_refuses_with_one_line(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    big = {"network": {"widths": [2048, 2048, 2048, 10]}, "data": {"batch_size": 8192}}
    Project(big).save(path)
    monkeypatch.setenv("INITVIZ_MEMORY_BUDGET", "400M")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["stats", str(path)])
    assert (status, out.getvalue()) == (2, "")
    line = err.getvalue()
    assert line.count("\n") == 1 and line.startswith("initviz: big.json: this project needs about ")
    assert "lower data.batch_size to" in line
    monkeypatch.setenv("INITVIZ_MEMORY_BUDGET", "10M")  # not even the weights fit
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["stats", str(path)]) == 2
    assert err.getvalue().splitlines()[1].endswith("use fewer, narrower layers and a smaller batch")


def test_budget_from_meminfo_with_fallback_and_override(tmp_path, monkeypatch):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  8000000 kB\nMemFree:  1000 kB\nMemAvailable:  4000000 kB\n")
    assert memory.available_bytes(str(meminfo)) == 4_000_000 * 1024
    assert memory.available_bytes(str(tmp_path / "absent")) is None
    monkeypatch.delenv("INITVIZ_MEMORY_BUDGET", raising=False)
    monkeypatch.setattr(memory, "available_bytes", lambda: None)  # not Linux
    assert memory.memory_budget() == memory.FALLBACK_BUDGET == 2 * 1024**3
    monkeypatch.setattr(memory, "available_bytes", lambda: 10_000)
    assert memory.memory_budget() == 8_000
    monkeypatch.setenv("INITVIZ_MEMORY_BUDGET", "1.5G")
    assert memory.memory_budget() == int(1.5 * 1024**3)
    monkeypatch.setenv("INITVIZ_MEMORY_BUDGET", "plenty")
    with pytest.raises(ProjectError, match="INITVIZ_MEMORY_BUDGET must be a size like 512M"):
        memory.memory_budget()


def test_meminfo_is_read_again_once_its_reading_is_old(tmp_path, monkeypatch):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemAvailable:  4000000 kB\n")
    clock = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: clock[0])
    assert memory.available_bytes(str(meminfo)) == 4_000_000 * 1024
    meminfo.write_text("MemAvailable:  1000000 kB\n")
    clock[0] += memory.MEMINFO_TTL_S / 2
    assert memory.available_bytes(str(meminfo)) == 4_000_000 * 1024  # the same update's reading
    clock[0] += memory.MEMINFO_TTL_S
    assert memory.available_bytes(str(meminfo)) == 1_000_000 * 1024


@pytest.mark.parametrize("text, expected", [("1000", 1000), ("512M", 512 * 1024**2),
                                            ("2g", 2 * 1024**3), ("64 MiB", 64 * 1024**2),
                                            ("3kB", 3 * 1024)])
def test_parse_size(text, expected):
    assert memory.parse_size(text) == expected


RELEASE = """
import numpy as np
from initviz.core.memory import keep_freed_memory, release_freed_memory

def rss_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20

keep_freed_memory()
arrays = [np.ones(4 * 2**20, dtype=np.float32) for _ in range(20)]  # 20 x 16 MiB, in the heap
del arrays
kept = rss_mib()
released = release_freed_memory()
print(released, round(kept), round(rss_mib()))
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
def test_freed_memory_that_was_kept_can_be_given_back():
    """keep_freed_memory keeps a large update's memory for the next; release_freed_memory
    returns it (the bench does before it measures the window in another process)."""
    done = subprocess.run([sys.executable, "-c", RELEASE], capture_output=True, text=True,
                          timeout=60, check=True)
    released, kept, after = done.stdout.split()
    if released != "True":
        pytest.skip("the C library is not glibc")
    assert int(kept) - int(after) > 250  # of the 320 MiB freed and kept
