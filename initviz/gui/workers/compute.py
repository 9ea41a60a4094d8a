"""The main window's simulations off the GUI thread (background.BackgroundTask).

Each request is an immutable snapshot (``project.copy()``); the worker simulates it
and prepares every plot's data, so the GUI thread only hands arrays to pyqtgraph.
"""
from __future__ import annotations

import time
from contextlib import nullcontext

from PySide6 import QtCore

from initviz.core import blas, draws, network
from initviz.gui.prepare import plot_data
from initviz.gui.view_settings import ViewSettings
from initviz.gui.workers.background import BackgroundTask, stop_requested

DEBOUNCE_MS = 0
"""A change starts its computation at once, while the GUI thread is still handling and
painting it. One action edits the project once (a scheme and its
parameters together), and requests that arrive while a computation runs are coalesced."""


ONE_BLAS_THREAD_FLOPS = 4e9
"""Networks whose three matrix products per layer take fewer floating-point operations
than this are computed on one BLAS thread (tens of milliseconds of work on one core).

With two, OpenBLAS's second thread competes for the second core with the GUI thread,
which is drawing the previous update meanwhile, and spins while it waits for work: at
the default lesson (1 GFLOP) two threads cost about a sixth more CPU per update for the
same rate (``make bench`` measures the rate). A larger network is worth both cores.
The limit holds for the whole process while this computation runs: a Training, Compare
or Theory computation at the same time also gets one BLAS thread (slower, never wrong);
limits on several threads share one (blas.one_blas_thread)."""


def matmul_flops(project) -> float:
    """network.matmul_flops of ``project``'s network and batch."""
    return network.matmul_flops(project.batch_size, project.widths)


def blas_threads(project) -> int | None:
    """1 for a network below ONE_BLAS_THREAD_FLOPS, else None (every core)."""
    return 1 if matmul_flops(project) < ONE_BLAS_THREAD_FLOPS else None


def compute(snapshot) -> plot_data.PlotData:
    """Simulate and prepare every plot's data: all the heavy work, in one call, which stops
    between layers when the window closes (background.stop_requested)."""
    started = time.perf_counter()
    should_stop = stop_requested()
    with blas.one_blas_thread() if blas_threads(snapshot) == 1 else nullcontext():
        simulation = network.simulate(snapshot, cache=draws.SHARED, should_stop=should_stop)
        # the log10|x| view's histograms only while it is on: the window asks again when it
        # is switched on (MainWindow._on_display_changed)
        result = plot_data.prepare(simulation, should_stop=should_stop,
                                   log_columns=ViewSettings.from_view(snapshot.view).log_magnitude)
    result.compute_ms = (time.perf_counter() - started) * 1000.0
    return result


class ComputeController(BackgroundTask):
    """``request(project)`` → ``resultReady(PlotData)``; failures → ``computeFailed``."""

    computeFailed = QtCore.Signal(str)

    def __init__(self, parent=None, debounce_ms: int = DEBOUNCE_MS):
        # looked up at call time, so a test (or a profiler) can replace compute.compute
        super().__init__(lambda snapshot: compute(snapshot), "initviz-compute", parent,
                         debounce_ms)
        self.failed.connect(self.computeFailed)

    def request(self, project, supersede: bool = False) -> None:
        super().request(project.copy(), supersede)
