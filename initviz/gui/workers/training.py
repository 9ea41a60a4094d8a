"""The Trainer in its own thread: k steps per request, a finished frame per answer.

The GUI thread only draws. A frame carries the new history records, the
histograms of the simulation after the steps (``plot_data.prepare``, as the
Layers view), the decision-boundary image for 2-D data sets and the symmetry
readout, all computed here (with ``prepare.frames``). Requests carry a generation
number: after a reset (new project, Reset button) answers to older requests are dropped.
"""
from __future__ import annotations

import functools
import time

from PySide6 import QtCore

from initviz.core.data import resolve_source
from initviz.core.network import pass_threads
from initviz.core.training import Trainer, check_training_fits
from initviz.errors import Cancelled
from initviz.gui.gc_guard import collect_in_gui_thread
from initviz.gui.prepare.frames import (
    TrainingFrame,
    boundary_extent,
    boundary_image,
    frame_plot_data,
)
from initviz.gui.workers.background import (
    IDLE_STOP_MS,
    computation_ended,
    describe_failure,
    start_thread,
    stop_requested,
    stop_thread,
    track_computations,
)

SHOWN_FRAMES = 1
"""Simulations the view may keep while the next step runs: the grid can still be drawing
the previous frame when the newest arrives (TrainingView._draw_grid)."""


class TrainingWorker(QtCore.QObject):
    """Owns the Trainer; lives in a QThread and never touches a widget."""

    frameReady = QtCore.Signal(object)
    failed = QtCore.Signal(int, str)
    cancelled = QtCore.Signal(int)
    """A request stopped by ``stop_thread``; the trainer, left mid-step, is dropped."""

    def __init__(self):
        super().__init__()
        self.trainer = None
        self.generation = -1
        self.two_d = False
        self.extent = None
        self.limits = {}
        self._sent = 0

    @QtCore.Slot(int, object)
    def reset(self, generation: int, snapshot) -> None:
        self.generation = generation
        self.trainer = None
        try:
            started = time.perf_counter()
            threads = pass_threads(snapshot.batch_size, snapshot.widths)
            self.two_d = resolve_source(snapshot.source).two_d
            check_training_fits(snapshot, threads, held=SHOWN_FRAMES, boundary=self.two_d)
            self.trainer = Trainer(snapshot, threads=threads, should_stop=stop_requested())
            data = self.trainer.data
            self.extent = boundary_extent(data.train_inputs) if self.two_d else None
            self._sent = 0
            self.limits = {}
            frame = self._frame(started)
        except Cancelled:
            self._cancel(generation)
            return
        except (Exception, MemoryError) as error:  # shown in the view
            self.failed.emit(generation, describe_failure(error))
            return
        frame.reset = True
        if self.two_d:
            frame.points, frame.labels = data.train_inputs, data.train_labels
        self.frameReady.emit(frame)

    @QtCore.Slot(int, int)
    def advance(self, generation: int, steps: int) -> None:
        if generation != self.generation:
            return
        if self.trainer is None:
            self.failed.emit(generation, "nothing to train: the project could not be set up")
            return
        try:
            started = time.perf_counter()
            self.trainer.step(steps)
            frame = self._frame(started)
        except Cancelled:
            self._cancel(generation)
            return
        except (Exception, MemoryError) as error:
            self.failed.emit(generation, describe_failure(error))
            return
        self.frameReady.emit(frame)

    def _cancel(self, generation: int) -> None:
        self.trainer = None
        self.cancelled.emit(generation)

    def _frame(self, started: float) -> TrainingFrame:
        trainer = self.trainer
        sim = trainer.simulation
        records = trainer.history[self._sent:]
        self._sent = len(trainer.history)
        data = frame_plot_data(sim, self.limits)
        frame = TrainingFrame(
            self.generation, trainer.steps, [dict(r) for r in records], data,
            trainer.distinct_neurons(), trainer.project.widths,
        )
        if self.two_d:
            frame.boundary = boundary_image(trainer, self.extent)
            frame.extent = self.extent
        frame.compute_ms = (time.perf_counter() - started) * 1000.0
        return frame


class TrainingController(QtCore.QObject):
    """GUI side: one request in flight at a time; frames of older generations are dropped."""

    frameReady = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    cancelled = QtCore.Signal()
    """A request was stopped on shutdown: the next one must be a reset."""
    _reset = QtCore.Signal(int, object)
    _advance = QtCore.Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.generation = 0
        self.in_flight = False
        self._thread = None
        self._idle_timer = QtCore.QTimer(self, singleShot=True, interval=IDLE_STOP_MS)
        self._idle_timer.timeout.connect(self._idle)
        track_computations(self)

    @property
    def busy(self) -> bool:
        return self.in_flight

    def _ensure_thread(self) -> None:
        if self._thread is None:
            collect_in_gui_thread()  # never let GC free Qt objects in the worker
            self._thread = QtCore.QThread()
            self._thread.setObjectName("initviz-training")
            self._worker = TrainingWorker()
            self._worker.moveToThread(self._thread)
            self._reset.connect(self._worker.reset)
            self._advance.connect(self._worker.advance)
            self._worker.frameReady.connect(self._on_frame)
            self._worker.failed.connect(self._on_failed)
            self._worker.cancelled.connect(self._on_cancelled)
            # If the owner is deleted while a step runs, let it end before Qt frees the thread.
            self.destroyed.connect(functools.partial(stop_thread, self._thread))
        start_thread(self._thread)

    def reset(self, project) -> None:
        self._ensure_thread()
        self.generation += 1
        self.in_flight = True
        self._reset.emit(self.generation, project.copy())

    def advance(self, steps: int) -> bool:
        """Ask for ``steps`` more steps; False while a request is still running."""
        if self.in_flight or self._thread is None:
            return False
        self._ensure_thread()
        self.in_flight = True
        self._advance.emit(self.generation, int(steps))
        return True

    def shutdown(self) -> None:
        """Stop the thread; a running request stops at its next layer or step
        (``cancelled``), else the trainer is kept for later."""
        if self._thread is not None:
            stop_thread(self._thread)
        self.in_flight = False

    def _idle(self) -> None:
        """An idle view holds no running thread: stopped IDLE_STOP_MS after the last frame,
        not after every frame (stopping and starting a QThread hundreds of times a minute
        while playing crashed now and then)."""
        if not self.in_flight and self._thread is not None:
            stop_thread(self._thread)

    @QtCore.Slot(object)
    def _on_frame(self, frame: TrainingFrame) -> None:
        if frame.generation != self.generation:
            return
        self.in_flight = False
        computation_ended()
        self.frameReady.emit(frame)
        self._idle_timer.start()  # stopped once no frame has been asked for a while

    @QtCore.Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self.generation:
            return
        self.in_flight = False
        computation_ended()
        self.failed.emit(message)
        self._idle_timer.start()  # stopped once no frame has been asked for a while

    @QtCore.Slot(int)
    def _on_cancelled(self, generation: int) -> None:
        if generation == self.generation:
            self.in_flight = False
        self.cancelled.emit()
