"""Ctrl+C during `initviz stats` on a large project: status 130 and one line, every time.

Interrupted while drawing orthogonal layers, whose QR runs in LAPACK on BLAS's threads:
the process must neither crash nor hang in OpenBLAS's exit handler on its way out.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from initviz import Project

REPO = Path(__file__).resolve().parents[2]
RUNS = 5
"""The crash is a race: each run is one more chance for it."""
EXIT_WAIT_S = 30
"""Bound on the wait for the exit: a process hung at exit is a failure, not a stuck test."""

STATS_WITH_MARKER = """
import runpy, sys
from initviz.core import schemes

real_sample = schemes.sample

def sample(*args, **kwargs):  # 'drawing' once a layer is drawn and the next one begins
    result = real_sample(*args, **kwargs)
    if not kwargs.get("bias"):
        print("drawing", flush=True)
    return result

schemes.sample = sample
sys.argv = ["initviz", "stats", sys.argv[1]]
runpy.run_module("initviz", run_name="__main__", alter_sys=True)  # python -m initviz stats
"""


def large_project(path: Path) -> Path:
    """30 orthogonal layers 1024 wide: drawing them takes seconds."""
    Project.from_dict({
        "name": "large",
        "network": {"widths": [1024] * 31, "activation": "tanh"},
        "init": {"scheme": "orthogonal"},
        "data": {"batch_size": 1024, "seed": 0},
    }).save(path)
    return path


def interrupt_while_drawing(project: Path, cwd: Path = REPO) -> tuple[int | None, str, float]:
    """(exit status or None if it hung, stderr, seconds from SIGINT to exit) of one run
    of `python -m initviz stats` interrupted while it draws the layers."""
    env = dict(os.environ, PYTHONPATH=str(cwd))
    process = subprocess.Popen(
        [sys.executable, "-c", STATS_WITH_MARKER, str(project)], cwd=cwd, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "drawing\n", process.stderr.read()
        process.send_signal(signal.SIGINT)
        sent = time.perf_counter()
        _, stderr = process.communicate(timeout=EXIT_WAIT_S)
        return process.returncode, stderr, time.perf_counter() - sent
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        return None, stderr, float(EXIT_WAIT_S)


def test_ctrl_c_while_drawing_exits_with_130_and_one_line(tmp_path):
    project = large_project(tmp_path / "large.json")
    for run in range(RUNS):
        status, stderr, _ = interrupt_while_drawing(project)
        assert status is not None, f"run {run + 1}: hung at exit after {stderr!r}"
        assert status >= 0, f"run {run + 1}: killed by signal {-status} after {stderr!r}"
        assert status == 130 and stderr == "initviz: interrupted\n", (run + 1, status, stderr)
