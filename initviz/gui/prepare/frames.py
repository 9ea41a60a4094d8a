"""A training frame's data, computed off the GUI thread: histograms on axes that stay put,
the decision-boundary image in class colours, and the frame that carries them to the view.

NumPy only: ``workers.training`` calls these between steps, the Training view draws the result.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from initviz.core import residue, stats
from initviz.core.activations import resolve_activation
from initviz.core.footprint import BOUNDARY_RESOLUTION
from initviz.core.training import Trainer
from initviz.gui.prepare import plot_data
from initviz.gui.prepare.palette import OKABE_ITO

CLASS_ORDER = (
    "blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "yellow", "black")
CLASS_COLOURS = [OKABE_ITO[k] for k in CLASS_ORDER]
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


DIGIT_SAMPLES = 10
"""Held-out digit images shown with their predictions: one of each class fits a row."""


def digit_predictions(trainer: Trainer, count: int = DIGIT_SAMPLES):
    """(images (count, 8, 8), predicted labels, true labels) of the first held-out digits."""
    from initviz.core import digits

    test = digits.load()
    predicted = np.argmax(trainer.logits(trainer.data.test_inputs[:count]), axis=1)
    return test.test_images[:count], predicted, test.test_labels[:count]


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
