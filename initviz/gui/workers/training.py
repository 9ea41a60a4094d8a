"""The Trainer in its own thread: k steps per request, a finished frame per answer.

The GUI thread only draws. A frame carries the new history records, the
histograms of the simulation after the steps (``plot_data.prepare``, as the
Layers view), the decision-boundary image for 2-D data sets and the symmetry
readout, all computed here. Requests carry a generation number: after a reset
(new project, Reset button) answers to older requests are dropped.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import numpy as np
from PySide6 import QtCore

from initviz.core import residue, stats
from initviz.core.activations import resolve_activation
from initviz.core.data import resolve_source
from initviz.core.footprint import BOUNDARY_RESOLUTION
from initviz.core.network import pass_threads
from initviz.core.training import Trainer, check_training_fits
from initviz.errors import Cancelled
from initviz.gui import theme as th
from initviz.gui.gc_guard import collect_in_gui_thread
from initviz.gui.prepare import plot_data
from initviz.gui.workers.background import (
    describe_failure,
    start_thread,
    stop_requested,
    stop_thread,
)

SHOWN_FRAMES = 1
"""Simulations the view may keep while the next step runs: the grid can still be drawing
the previous frame when the newest arrives (TrainingView._draw_grid)."""
CLASS_ORDER = (
    "blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "yellow", "black")
CLASS_COLOURS = [th.OKABE_ITO[k] for k in CLASS_ORDER]
BACKGROUND_TINT = 0.45
"""Share of the class colour in the boundary image; the rest is white, so the points stand out."""


@dataclass
class TrainingFrame:
    generation: int
    step: int
    records: list[dict]
    """History records added since the previous frame."""
    plot_data: object
    distinct: list[int | None]
    """Distinct units per hidden layer; None where the weights are not finite."""
    widths: list[int]
    boundary: np.ndarray | None = None
    """(res, res, 3) uint8 RGB of the class probabilities on the grid, or None (not 2-D data)."""
    extent: tuple[float, float, float, float] | None = None
    """(x_min, x_max, y_min, y_max) of the boundary image."""
    points: np.ndarray | None = None
    labels: np.ndarray | None = None
    """The training points and labels: sent with the first frame after a reset only."""
    compute_ms: float = 0.0
    reset: bool = False
    extras: dict = field(default_factory=dict)


def class_rgb(n_classes: int) -> np.ndarray:
    rgb = [[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in CLASS_COLOURS]
    return np.array([rgb[k % len(rgb)] for k in range(n_classes)], dtype=np.float64)


def boundary_extent(points: np.ndarray, pad: float = 0.15) -> tuple[float, float, float, float]:
    low, high = points.min(axis=0), points.max(axis=0)
    margin = pad * (high - low)
    return (float(low[0] - margin[0]), float(high[0] + margin[0]),
            float(low[1] - margin[1]), float(high[1] + margin[1]))


def boundary_image(trainer: Trainer, extent, resolution: int = BOUNDARY_RESOLUTION) -> np.ndarray:
    """Class probabilities on a grid, blended into class colours: (res_y, res_x, 3) uint8.

    Confident regions take their class colour, undecided ones a grey mixture, so
    the decision boundary is where the colour changes.
    """
    x = np.linspace(extent[0], extent[1], resolution)
    y = np.linspace(extent[2], extent[3], resolution)
    grid = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)
    blended = trainer.predict_mixture(grid, class_rgb(trainer.project.widths[-1]))
    image = BACKGROUND_TINT * blended + (1 - BACKGROUND_TINT) * 255.0
    return image.reshape(resolution, resolution, 3).astype(np.uint8)


def sticky_limits(old, new, headroom: float = 0.25, shrink_below: float = 0.3):
    """Histogram axes that stay put while training: widen when the data leaves them, with
    headroom; narrow only when the data has shrunk to under ``shrink_below`` of the width."""
    if old is None:
        return new
    low, high = new
    width = max(high - low, 1e-12)
    if low >= old[0] and high <= old[1] and width >= shrink_below * (old[1] - old[0]):
        return old
    return (low - headroom * width, high + headroom * width)


def rebin(data, limits: dict) -> None:
    """Re-draw the shared-axis histograms of ``data`` (PlotData) on ``limits``, in place."""
    for quantity, (low, high) in limits.items():
        if tuple(data.limits[quantity]) == tuple(limits[quantity]):
            continue
        for cell, layer in zip(data.cells[quantity], data.simulation.layers, strict=True):
            values = getattr(layer, quantity)
            sample = plot_data.shown_sample(values, cell.residue)
            cell.shared = plot_data.histogram_of(sample, values.size, (low, high))
        data.limits[quantity] = (low, high)
        data.heat[quantity] = np.stack([c.shared.fractions for c in data.cells[quantity]])


FRAME_SAMPLE = stats.HISTOGRAM_SAMPLE
"""Values per histogram in a training frame, an even stride as in the Layers view."""


def frame_plot_data(sim, sticky: dict) -> plot_data.PlotData:
    """What the layer grid draws for one training frame, on steady axes (``sticky``, updated).

    Lighter than ``plot_data.prepare``: no theory or depth curves (this view has none),
    one histogram per cell (on the steady axes), mean and std over all values.
    """
    activation = resolve_activation(sim.project.activation)
    params = activation.resolve(sim.project.activation_params)
    summaries = {}

    def summary(values) -> dict:  # each array read once, for its caption and for residue
        if id(values) not in summaries:
            summaries[id(values)] = stats.summary(values)
        return summaries[id(values)]

    residues = residue.residue_layers(sim.layers, lambda values: stats.largest(summary(values)))
    cells, limits, heat = {}, {}, {}
    for quantity in plot_data.COLUMNS:
        arrays = [getattr(layer, quantity) for layer in sim.layers]
        shown = residues if quantity in residue.GRADIENTS else [False] * len(arrays)
        samples = [plot_data.shown_sample(values, flag, FRAME_SAMPLE)
                   for values, flag in zip(arrays, shown, strict=True)]
        ranges = [stats.value_range(sample) for sample in samples]
        measured = [r for r, flag in zip(ranges, shown, strict=True) if not flag] or ranges
        current = (min(r[0] for r in measured), max(r[1] for r in measured))
        limits[quantity] = sticky[quantity] = sticky_limits(sticky.get(quantity), current)
        column = []
        for values, sample, span, flag in zip(arrays, samples, ranges, shown, strict=True):
            # the sample's range is known: bin_counts need not search it again
            hist = plot_data.histogram_of(sample, values.size, limits[quantity], span)
            record = summary(values)
            column.append(plot_data.Cell(hist, hist, record["mean"], record["std"],
                                         record["nonfinite"], residue=flag))
        cells[quantity] = column
        heat[quantity] = np.stack([cell.shared.fractions for cell in column])
    for cell, layer in zip(cells["activation"][:-1], sim.layers[:-1], strict=True):
        cell.saturated = stats.saturated_fraction(layer, activation, params)
        cell.dead = stats.dead_fraction(layer)
    return plot_data.PlotData(sim, {}, cells, limits, heat, {}, [])


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
        """Between frames the thread is stopped, so an idle view holds no running thread."""
        if not self.in_flight and self._thread is not None:
            stop_thread(self._thread)

    @QtCore.Slot(object)
    def _on_frame(self, frame: TrainingFrame) -> None:
        if frame.generation != self.generation:
            return
        self.in_flight = False
        self.frameReady.emit(frame)
        QtCore.QTimer.singleShot(0, self._idle)

    @QtCore.Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self.generation:
            return
        self.in_flight = False
        self.failed.emit(message)
        QtCore.QTimer.singleShot(0, self._idle)

    @QtCore.Slot(int)
    def _on_cancelled(self, generation: int) -> None:
        if generation == self.generation:
            self.in_flight = False
        self.cancelled.emit()
