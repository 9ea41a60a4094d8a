"""The Trainer off the GUI thread, on the same BackgroundTask as every other view.

The GUI thread only draws. Each request is a reset (an immutable snapshot of the project)
or ``k`` more steps; each answer is a finished frame: the new history records, the
histograms of the simulation after the steps (``plot_data.prepare``, as the Layers
view), the decision-boundary image for 2-D data sets and the symmetry readout, all
computed in the task's thread (with ``prepare.frames``). A reset supersedes the request
running before it, so frames of the previous training never reach the view.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6 import QtCore

from initviz.core.data import resolve_source
from initviz.core.training import Trainer, check_training_fits
from initviz.errors import Cancelled, ProjectError
from initviz.gui.prepare.frames import (
    TrainingFrame,
    boundary_extent,
    boundary_image,
    digit_predictions,
    frame_plot_data,
)
from initviz.gui.workers.background import BackgroundTask, stop_requested

SHOWN_FRAMES = 1
"""Simulations the view may keep while the next step runs: the grid can still be drawing
the previous frame when the newest arrives (TrainingView._draw_grid)."""
ROOM_WAIT_S = 10.0
"""How long a reset waits for the window's other computations to make room in the memory
budget before it is refused: an edit starts the Layers pass of the same project at the
same moment, and a project that fits alone is trained once that pass ends."""


@dataclass(frozen=True)
class Reset:
    """Build a new Trainer for ``snapshot`` (a copy no one edits)."""

    generation: int
    snapshot: object


@dataclass(frozen=True)
class Advance:
    """Take ``steps`` more steps with the current Trainer."""

    steps: int


class TrainingSession:
    """The Trainer and what its frames need, kept between requests.

    Called with a Reset or an Advance by the task's thread only, one request at a time
    (BackgroundTask runs at most one call), so it needs no lock. The Trainer it holds
    keeps its memory promise (core.ledger) for as long as it is kept here.
    """

    def __init__(self):
        self.trainer = None
        self.generation = 0
        self.two_d = False
        self.extent = None
        self.limits = {}
        self._sent = 0

    def __call__(self, request: Reset | Advance) -> TrainingFrame:
        try:
            if isinstance(request, Reset):
                return self._reset(request)
            return self._advance(request.steps)
        except Cancelled:  # stopped mid-step: the trainer is half-way through, drop it
            self.trainer = None
            raise

    def _reset(self, request: Reset) -> TrainingFrame:
        snapshot = request.snapshot
        self.generation = request.generation
        self.trainer = None  # its promise goes before the next trainer asks for memory
        started = time.perf_counter()
        self.two_d = resolve_source(snapshot.source).two_d
        should_stop = stop_requested()
        check_training_fits(snapshot, held=SHOWN_FRAMES, boundary=self.two_d,
                            wait_s=ROOM_WAIT_S, should_stop=should_stop)
        self.trainer = Trainer(snapshot, should_stop=should_stop, wait_s=ROOM_WAIT_S)
        data = self.trainer.data
        self.extent = boundary_extent(data.train_inputs) if self.two_d else None
        self._sent = 0
        self.limits = {}
        frame = self._frame(started)
        frame.reset = True
        if self.two_d:
            frame.points, frame.labels = data.train_inputs, data.train_labels
        return frame

    def _advance(self, steps: int) -> TrainingFrame:
        if self.trainer is None:
            raise ProjectError("nothing to train: the project could not be set up")
        started = time.perf_counter()
        self.trainer.step(steps)
        return self._frame(started)

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
        if resolve_source(trainer.project.source).fixed_split:  # the digits
            frame.extras["digits"] = digit_predictions(trainer)
        frame.compute_ms = (time.perf_counter() - started) * 1000.0
        return frame


class TrainingController(BackgroundTask):
    """``reset(project)`` and ``advance(steps)`` → ``frameReady(TrainingFrame)``; failures →
    ``failed(message)``; a request stopped by ``shutdown`` → ``cancelled()`` (the trainer
    is dropped: the next request must be a reset).

    One request at a time: ``advance`` refuses while one is in flight, so a slow network
    plays slower instead of queueing steps. A reset supersedes whatever runs.
    """

    frameReady = QtCore.Signal(object)

    def __init__(self, parent=None):
        session = TrainingSession()
        super().__init__(session, "initviz-training", parent, debounce_ms=0)
        self.session = session
        self.resets = 0
        """Resets asked for; 0 while no training was ever set up (a hidden tab)."""
        self.resultReady.connect(self.frameReady)

    @property
    def in_flight(self) -> bool:
        return self.busy

    def reset(self, project) -> None:
        self.resets += 1
        self.request(Reset(self.resets, project.copy()), supersede=True)

    def advance(self, steps: int) -> bool:
        """Ask for ``steps`` more steps; False while a request is still running."""
        if self.busy or self.resets == 0:
            return False
        self.request(Advance(int(steps)))
        return True
