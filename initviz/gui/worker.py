"""The main window's simulations off the GUI thread (background.BackgroundTask).

Each request is an immutable snapshot (``project.copy()``); the worker simulates it
and prepares every plot's data, so the GUI thread only hands arrays to pyqtgraph.
"""
from __future__ import annotations

import time

from PySide6 import QtCore

from initviz.gui import plot_data
from initviz.gui.background import BackgroundTask

DEBOUNCE_MS = 0
"""A change starts its computation at once, while the GUI thread is still handling and
painting it (~10 ms of an update). One action edits the project once (a scheme and its
parameters together), and requests that arrive while a computation runs are coalesced."""


def compute(snapshot) -> plot_data.PlotData:
    """Simulate and prepare every plot's data: all the heavy work, in one call."""
    from initviz.core.network import simulate

    started = time.perf_counter()
    result = plot_data.prepare(simulate(snapshot))
    result.compute_ms = (time.perf_counter() - started) * 1000.0
    return result


class ComputeController(BackgroundTask):
    """``request(project)`` → ``resultReady(PlotData)``; failures → ``computeFailed``."""

    computeFailed = QtCore.Signal(str)

    def __init__(self, parent=None, debounce_ms: int = DEBOUNCE_MS):
        # looked up at call time, so a test (or a profiler) can replace worker.compute
        super().__init__(lambda snapshot: compute(snapshot), "initviz-compute", parent,
                         debounce_ms)
        self.failed.connect(self.computeFailed)

    def request(self, project, supersede: bool = False) -> None:
        super().request(project.copy(), supersede)
