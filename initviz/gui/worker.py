"""Simulations off the GUI thread, newest setting wins.

``ComputeController`` lives in the GUI thread. At most one computation runs, on
an immutable snapshot (``project.copy()``) with a generation number. Edits that
arrive while it runs are coalesced into one pending setting (the newest; the
ones in between are never computed), which becomes the next request the moment
the worker is free. So a slider dragged without pause gets a drawing every
cycle, and the drawing always ends on the last value. A project *replaced*
(a file opened, a lesson chosen) supersedes the running request: its result is
dropped, since it belongs to another project.
"""
from __future__ import annotations

import functools
import time

from PySide6 import QtCore

from initviz.errors import ProjectError
from initviz.gui import plot_data
from initviz.gui.gc_guard import collect_in_gui_thread

DEBOUNCE_MS = 10
"""A burst of edits from one action (a scheme and its parameters) becomes one request."""


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
    """Also runs when the controller dies without ``shutdown``: Qt aborts on a running QThread."""
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
    """The GUI side: coalesce edits, one computation at a time, drop superseded results."""

    resultReady = QtCore.Signal(object)
    """PlotData of the newest request."""
    computeFailed = QtCore.Signal(str)
    busyChanged = QtCore.Signal(bool)
    startRequested = QtCore.Signal(int, object)

    def __init__(self, parent=None, debounce_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self.generation = 0
        """Generation of the newest request handed to the worker."""
        self._valid_from = 0
        self._pending = None
        self._running = False
        self._timer = QtCore.QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self._dispatch)
        collect_in_gui_thread()  # never let GC free Qt objects in the worker
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

    def request(self, project, supersede: bool = False) -> None:
        """Ask for ``project`` to be computed as soon as the worker is free.

        ``supersede``: the running computation belongs to a project that was replaced,
        so its result must not be drawn. The timer is started, never restarted, so a
        steady stream of edits cannot hold computation back.
        """
        self._pending = project.copy()
        if supersede:
            self._valid_from = self.generation + 1
        if not self._timer.isActive():
            self._timer.start()

    def shutdown(self) -> None:
        """Stop the thread, waiting for a running computation (numpy cannot be interrupted)."""
        self._timer.stop()
        self._pending = None
        _stop_thread(self._thread)

    def _dispatch(self) -> None:
        if self._running or self._pending is None:
            return  # the pending setting goes out when the running one returns
        snapshot, self._pending = self._pending, None
        self.generation += 1
        self._running = True
        self.busyChanged.emit(True)
        self.startRequested.emit(self.generation, snapshot)

    def _done(self) -> None:
        self._running = False
        if self._pending is not None and not self._timer.isActive():
            self._dispatch()
        if not self._running:
            self.busyChanged.emit(False)

    @QtCore.Slot(int, object)
    def _on_finished(self, generation: int, result) -> None:
        self._done()
        if generation >= self._valid_from:
            self.resultReady.emit(result)

    @QtCore.Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        self._done()
        if generation >= self._valid_from:
            self.computeFailed.emit(message)
