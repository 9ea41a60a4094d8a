"""Run a function off the GUI thread, newest setting wins: one mechanism for every view.

``BackgroundTask(function)`` lives in the GUI thread. At most one call runs, in its own
QThread, on an immutable payload with a generation number. Requests that arrive while
it runs are coalesced into one pending payload (the newest; the ones in between are
never computed), which goes out the moment the thread is free. So a slider dragged
without pause gets a drawing every cycle, and the drawing always ends on the last
value. ``request(..., supersede=True)`` (a file opened, a lesson chosen) drops the
running call's result instead, since it belongs to another project. The thread stops
once there has been nothing to do for IDLE_STOP_MS; the next request starts it again.

Stopping a thread (a window closing) asks its running call to stop first: the function
passes ``stop_requested()`` to the core as its ``should_stop``, the core raises
Cancelled between two layers or steps, and the call ends without a result or a message.
"""
from __future__ import annotations

import atexit
import functools
import threading
import time
import weakref
from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from initviz import _runtime
from initviz.errors import Cancelled, ProjectError
from initviz.gui.gc_guard import collect_in_gui_thread

IDLE_STOP_MS = 2000
"""The thread is stopped once nothing has been asked of it for this long: starting a new
one for every change costs a noticeable share of each update."""


def describe_failure(error: BaseException) -> str:
    """What a view shows when its computation fails: never a traceback."""
    if isinstance(error, MemoryError):
        return "not enough memory for this network: lower the batch size or the widths"
    if isinstance(error, ProjectError):
        return str(error)
    return f"computation failed ({type(error).__name__}: {error})"


_STARTED: weakref.WeakSet = weakref.WeakSet()
"""Every thread start_thread has started: stopped at interpreter exit (``_stop_all``)."""


def start_thread(thread: QtCore.QThread) -> None:
    """Start ``thread`` (if it is not running), below the GUI thread in the scheduler's eyes
    where the window's tuning is applied (``_runtime.lower_this_thread``)."""
    if not thread.isRunning():
        if thread not in _STARTED:  # run by the new thread itself, as it starts
            thread.started.connect(_runtime.lower_this_thread, QtCore.Qt.DirectConnection)
        _STARTED.add(thread)
        _stop_flag(thread).clear()  # a restarted thread runs its new calls to the end
        thread.start()


def _stop_flag(thread: QtCore.QThread) -> threading.Event:
    """The thread's stop request as a plain Python flag, kept on its wrapper across restarts.

    ``should_stop`` outlives one run of a thread that is stopped when idle and started
    again (a Trainer keeps its own between the Training tab's requests): calling into the
    QThread (``isInterruptionRequested``) from there crashed now and then; a
    threading.Event is safe from any thread.
    """
    flag = getattr(thread, "_initviz_stop", None)
    if flag is None:
        flag = threading.Event()
        thread._initviz_stop = flag
    return flag


@atexit.register
def _stop_all() -> None:
    """A script that ends without closing its window (or without app.exec(), so no
    aboutToQuit) must not leave a running QThread to be destroyed: Qt aborts the process
    ("QThread: Destroyed while thread is still running"). An idle thread leaves at once."""
    for thread in list(_STARTED):
        stop_thread(thread)


RELEASE_AFTER_MS = 1000
"""Quiet time after which the memory glibc keeps for the next update goes back to the system
(``_runtime.release_kept_memory``). A slider dragged asks for a new update every few
milliseconds and keeps reusing that memory; a window left open does not hold its largest
update's memory for good, and the first update after a pause pays its page faults."""
RELEASE_EVERY_S = 10.0
"""While computations follow each other without such a pause, the memory still goes back
this often: one update in this time pays its page faults (15 % of a large network's
update), and RSS cannot stay at the largest update's memory."""

_COMPUTING: weakref.WeakSet = weakref.WeakSet()
"""Every owner of a computation (its ``busy`` says whether one runs or waits)."""
_release_timer: QtCore.QTimer | None = None
_released_at = 0.0


def track_computations(owner) -> None:
    """Count ``owner`` (with a ``busy`` property) among the window's computations."""
    _COMPUTING.add(owner)


def computation_ended() -> None:
    """Called in the GUI thread when any computation ends: the kept memory is released
    RELEASE_AFTER_MS later if no computation runs or waits by then, or now if the last
    release is RELEASE_EVERY_S old."""
    global _release_timer
    if _release_timer is None:
        _release_timer = QtCore.QTimer(QtWidgets.QApplication.instance(), singleShot=True,
                                       interval=RELEASE_AFTER_MS)
        _release_timer.timeout.connect(_release_if_quiet)
    _release_timer.start()
    if time.monotonic() - _released_at >= RELEASE_EVERY_S:
        _release()


def _release_if_quiet() -> None:
    if not any(owner.busy for owner in list(_COMPUTING)):
        _release()


def _release() -> None:
    global _released_at
    _released_at = time.monotonic()
    _runtime.release_kept_memory()


def stop_requested() -> Callable[[], bool]:
    """The ``should_stop`` of a call running on this QThread: true once ``stop_thread`` has
    asked the thread to stop. Bound to the thread here, so a Trainer built in one request
    asks the same flag in the next."""
    return _stop_flag(QtCore.QThread.currentThread()).is_set


def stop_thread(thread: QtCore.QThread) -> None:
    """Ask a running call to stop, quit and wait: an idle thread leaves at once, a busy one
    at the next step of its call that asks ``stop_requested`` (one layer of a pass).

    Waiting here (never a bare ``quit``) means no request can be posted to a thread
    that is about to leave its event loop, where it would never be run. Also runs when
    the owner dies without ``shutdown``: Qt aborts on a running QThread.
    """
    try:
        _stop_flag(thread).set()
        thread.quit()
        thread.wait()
    except RuntimeError:  # already deleted by Qt at exit: nothing left to stop
        pass


def _stop_for_owner(thread: QtCore.QThread, runner: QtCore.QObject) -> None:
    """The owner of ``thread`` is being destroyed: stop the thread (``stop_thread``).

    Bound to ``runner`` too, only to keep its wrapper alive until the thread has stopped:
    a widget dropped without being closed releases its Python attributes before its C++
    destructor emits ``destroyed``, and a runner whose wrapper is gone while its thread
    still delivers a queued call to it crashed the process (a NULL self in PySide).
    """
    del runner
    stop_thread(thread)


class _Runner(QtCore.QObject):
    """Lives in the task's thread; calls the function, never touches a widget."""

    finished = QtCore.Signal(int, object)
    failed = QtCore.Signal(int, str)
    cancelled = QtCore.Signal(int)

    def __init__(self, function: Callable):
        super().__init__()
        self.function = function

    @QtCore.Slot(int, object)
    def run(self, generation: int, payload) -> None:
        try:
            result = self.function(payload)
        except Cancelled:  # stopped as asked (stop_thread): nothing to show
            self.cancelled.emit(generation)
            return
        except (Exception, MemoryError) as error:  # shown in the view, never a traceback
            self.failed.emit(generation, describe_failure(error))
            return
        self.finished.emit(generation, result)


class BackgroundTask(QtCore.QObject):
    """``request(payload)`` → ``resultReady(result)``; failures → ``failed(message)``;
    a call stopped by ``shutdown`` → ``cancelled()``, so its owner can ask again later."""

    resultReady = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    cancelled = QtCore.Signal()
    _start = QtCore.Signal(int, object)

    def __init__(self, function: Callable, name: str, parent=None, debounce_ms: int = 10):
        super().__init__(parent)
        self.generation = 0
        """Generation of the newest call handed to the thread."""
        self._valid_from = 0
        self._pending = None
        self._running = False
        self._name = name
        self._function = function
        self._debounce_ms = debounce_ms
        self._thread = None
        self._timer = QtCore.QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self._dispatch)
        self._idle = QtCore.QTimer(self, singleShot=True, interval=IDLE_STOP_MS)
        self._idle.timeout.connect(self._stop_when_idle)
        app = QtWidgets.QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        track_computations(self)

    @property
    def busy(self) -> bool:
        return self._running or self._pending is not None

    def request(self, payload, supersede: bool = False) -> None:
        """Compute ``payload`` as soon as the thread is free (``payload`` must not change).

        With no debounce an idle task starts at once; requests that follow while it runs
        are coalesced into one. Otherwise the debounce timer is started, never restarted:
        a burst of requests from one action is coalesced, yet a steady stream of them
        cannot hold computation back.
        """
        self._pending = payload
        if supersede:
            self._valid_from = self.generation + 1
        if self._debounce_ms == 0 and not self._running:
            self._dispatch()  # at once: the work overlaps the GUI's own handling and painting
        elif not self._timer.isActive():
            self._timer.start()

    def shutdown(self) -> None:
        """Stop the thread: a running call stops at its next step (``stop_thread``)."""
        self._timer.stop()
        self._idle.stop()
        self._pending = None
        self._running = False
        if self._thread is not None:
            stop_thread(self._thread)

    def _ensure_thread(self) -> None:
        if self._thread is None:
            collect_in_gui_thread()  # never let GC free Qt objects in the worker
            self._thread = QtCore.QThread()
            self._thread.setObjectName(self._name)
            self._runner = _Runner(self._function)
            self._runner.moveToThread(self._thread)
            self._start.connect(self._runner.run)
            self._runner.finished.connect(self._on_finished)
            self._runner.failed.connect(self._on_failed)
            self._runner.cancelled.connect(self._on_cancelled)
            # An owner deleted while a call runs: let the call end before Qt frees the thread.
            self.destroyed.connect(functools.partial(_stop_for_owner, self._thread,
                                                     self._runner))
        start_thread(self._thread)

    def _dispatch(self) -> None:
        if self._running or self._pending is None:
            return  # the pending payload goes out when the running call returns
        self._idle.stop()
        self._ensure_thread()
        payload, self._pending = self._pending, None
        self.generation += 1
        self._running = True
        self._start.emit(self.generation, payload)

    def _done(self) -> None:
        self._running = False
        computation_ended()
        if self._pending is not None and not self._timer.isActive():
            self._dispatch()
        elif self._pending is None and self._thread is not None:
            self._idle.start()  # the next change of a drag finds the thread waiting

    def _stop_when_idle(self) -> None:
        if not self.busy and self._thread is not None:
            stop_thread(self._thread)  # an idle view holds no running thread

    @QtCore.Slot(int, object)
    def _on_finished(self, generation: int, result) -> None:
        self._done()
        if generation >= self._valid_from:
            self.resultReady.emit(result)

    @QtCore.Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        self._done()
        if generation >= self._valid_from:
            self.failed.emit(message)

    @QtCore.Slot(int)
    def _on_cancelled(self, generation: int) -> None:
        if generation == self.generation:  # else a call stopped before a newer one started
            self._done()
        self.cancelled.emit()
