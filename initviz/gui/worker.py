"""Simulations off the GUI thread, newest request wins.

``ComputeController`` lives in the GUI thread. Each request carries an
immutable snapshot (``project.copy()``) and a generation number; requests are
debounced, at most one computation runs, and while it runs only the newest
pending request is kept. A result whose generation is older than the newest
request is dropped, so a slow old result never overwrites a newer setting.
"""
from __future__ import annotations

import functools
import time

from PySide6 import QtCore

from initviz.errors import ProjectError
from initviz.gui import plot_data

DEBOUNCE_MS = 30


def compute(snapshot) -> plot_data.PlotData:
    """Simulate and prepare every plot's data: all the heavy work, in one call."""
    from initviz.core.network import simulate

    started = time.perf_counter()
    result = plot_data.prepare(simulate(snapshot))
    result.compute_ms = (time.perf_counter() - started) * 1000.0
    return result


def describe_failure(error: BaseException) -> str:
    if isinstance(error, MemoryError):
        return "not enough memory for this network: lower the batch size or the widths"
    if isinstance(error, ProjectError):
        return str(error)
    return f"computation failed ({type(error).__name__}: {error})"


def _stop_thread(thread: QtCore.QThread) -> None:
    """Also run when the controller is destroyed without ``shutdown``: Qt aborts on a running QThread."""
    try:
        running = thread.isRunning()
    except RuntimeError:  # its C++ object is already gone (at interpreter exit): nothing to stop
        return
    if running:
        thread.quit()
        thread.wait()


class ComputeWorker(QtCore.QObject):
    """Runs in its own QThread; one ``run`` at a time, never touches a widget."""

    finished = QtCore.Signal(int, object)
    failed = QtCore.Signal(int, str)

    @QtCore.Slot(int, object)
    def run(self, generation: int, snapshot) -> None:
        try:
            result = compute(snapshot)
        except (Exception, MemoryError) as error:  # noqa: BLE001 - every failure reaches the status bar
            self.failed.emit(generation, describe_failure(error))
            return
        self.finished.emit(generation, result)


class ComputeController(QtCore.QObject):
    """The GUI side: debounce, keep only the newest request, drop stale results."""

    resultReady = QtCore.Signal(object)
    """PlotData of the newest request."""
    computeFailed = QtCore.Signal(str)
    busyChanged = QtCore.Signal(bool)
    startRequested = QtCore.Signal(int, object)

    def __init__(self, parent=None, debounce_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self.generation = 0
        self._pending = None
        self._running = False
        self._timer = QtCore.QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self._dispatch)
        self._thread = QtCore.QThread()
        self._thread.setObjectName("initviz-compute")
        self._worker = ComputeWorker()
        self._worker.moveToThread(self._thread)
        self.startRequested.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()
        self.destroyed.connect(functools.partial(_stop_thread, self._thread))
        app = QtCore.QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def busy(self) -> bool:
        return self._running or self._pending is not None

    def request(self, project) -> int:
        """Ask for ``project`` to be computed; returns the request's generation."""
        self.generation += 1
        self._pending = (self.generation, project.copy())
        self._timer.start()
        return self.generation

    def shutdown(self) -> None:
        """Stop the thread, waiting for a running computation (numpy cannot be interrupted)."""
        self._timer.stop()
        self._pending = None
        _stop_thread(self._thread)

    def _dispatch(self) -> None:
        if self._running or self._pending is None:
            return  # the pending request goes out when the running one returns
        generation, snapshot = self._pending
        self._pending = None
        self._running = True
        self.busyChanged.emit(True)
        self.startRequested.emit(generation, snapshot)

    def _done(self) -> None:
        self._running = False
        if self._pending is not None and not self._timer.isActive():
            self._dispatch()
        if not self._running:
            self.busyChanged.emit(False)

    @QtCore.Slot(int, object)
    def _on_finished(self, generation: int, result) -> None:
        self._done()
        if generation == self.generation:
            self.resultReady.emit(result)

    @QtCore.Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        self._done()
        if generation == self.generation:
            self.computeFailed.emit(message)
