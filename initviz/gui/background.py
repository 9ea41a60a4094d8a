"""Run a function off the GUI thread, newest request wins (for the compare and theory views).

The same contract as the main window's ComputeController, for any ``function(payload)``:
a request carries an immutable payload and a generation number, at most one call
runs, only the newest pending request is kept, and a result older than the newest
request is dropped. ``shutdown`` stops the thread; the next request starts it again.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from initviz.gui.gc_guard import collect_in_gui_thread
from initviz.gui.worker import describe_failure


def start_thread(thread: QtCore.QThread) -> None:
    if not thread.isRunning():
        thread.start()


def stop_thread(thread: QtCore.QThread) -> None:
    """Quit and wait: an idle thread leaves at once; a busy one finishes its call first.

    Waiting here (never a bare ``quit``) means no request can be posted to a thread
    that is about to leave its event loop, where it would never be run.
    """
    try:
        thread.quit()
        thread.wait()
    except RuntimeError:  # already deleted by Qt at exit: nothing left to stop
        pass


class _Runner(QtCore.QObject):
    finished = QtCore.Signal(int, object)
    failed = QtCore.Signal(int, str)

    def __init__(self, function: Callable):
        super().__init__()
        self.function = function

    @QtCore.Slot(int, object)
    def run(self, generation: int, payload) -> None:
        try:
            result = self.function(payload)
        except (Exception, MemoryError) as error:  # noqa: BLE001 - shown in the view, never a traceback
            self.failed.emit(generation, describe_failure(error))
            return
        self.finished.emit(generation, result)


class BackgroundTask(QtCore.QObject):
    """``request(payload)`` → ``resultReady(result)`` for the newest payload only."""

    resultReady = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    _start = QtCore.Signal(int, object)

    def __init__(self, function: Callable, name: str, parent=None, debounce_ms: int = 40):
        super().__init__(parent)
        self.generation = 0
        self._pending = None
        self._running = False
        self._name = name
        self._function = function
        self._thread = None
        self._timer = QtCore.QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self._dispatch)
        app = QtWidgets.QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def busy(self) -> bool:
        return self._running or self._pending is not None

    def request(self, payload) -> int:
        self.generation += 1
        self._pending = (self.generation, payload)
        self._timer.start()
        return self.generation

    def _ensure_thread(self) -> None:
        """Start the thread for a call; it is stopped again whenever there is nothing to do."""
        if self._thread is None:
            collect_in_gui_thread()  # never let GC free Qt objects in the worker
            self._thread = QtCore.QThread()
            self._thread.setObjectName(self._name)
            self._runner = _Runner(self._function)
            self._runner.moveToThread(self._thread)
            self._start.connect(self._runner.run)
            self._runner.finished.connect(self._on_finished)
            self._runner.failed.connect(self._on_failed)
            # An owner deleted while a call runs: let the call end before Qt frees the thread.
            self.destroyed.connect(functools.partial(stop_thread, self._thread))
        start_thread(self._thread)

    def shutdown(self) -> None:
        """Stop the thread, waiting for a running call (NumPy cannot be interrupted)."""
        self._timer.stop()
        self._pending = None
        self._running = False
        if self._thread is not None:
            stop_thread(self._thread)

    def _dispatch(self) -> None:
        if self._running or self._pending is None:
            return
        self._ensure_thread()
        generation, payload = self._pending
        self._pending = None
        self._running = True
        self._start.emit(generation, payload)

    def _done(self) -> None:
        self._running = False
        if self._pending is not None and not self._timer.isActive():
            self._dispatch()
        elif self._pending is None and self._thread is not None:
            stop_thread(self._thread)  # idle: an idle view holds no running thread

    @QtCore.Slot(int, object)
    def _on_finished(self, generation: int, result) -> None:
        self._done()
        if generation == self.generation:
            self.resultReady.emit(result)

    @QtCore.Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        self._done()
        if generation == self.generation:
            self.failed.emit(message)
