"""Redraw time of one layer grid of histograms: pyqtgraph (what initviz draws with) vs matplotlib.

Both draw the same grid (10 layers x 5 histograms, 40 bins, 1500 x 1000 pixels) and both
are given their best case, the way initviz's layer grid draws: plot items created once,
autoscaling off, each redraw updates the data in place and sets the axis ranges
(pyqtgraph ``setData`` + ``setRange``; matplotlib ``StepPatch.set_data`` + ``set_xlim`` /
``set_ylim``), then renders the whole grid (pyqtgraph ``QWidget.grab()``; matplotlib
``canvas.draw()`` on Agg).
Each redraw alternates between the histograms of two seeds so every redraw changes data.
Two cases: the axis ranges change with every redraw (each plot's own range), or they stay
(ranges shared and fixed, set once: only the curves change, as while dragging a control
with shared axes).
"""
from __future__ import annotations

import time

import numpy as np
from workloads import GRID_QUANTITIES, grid_histograms

import initviz

PIXELS = (1500, 1000)
ROUNDS = 7


def grid_data(depth: int = 10) -> list[list[dict]]:
    """Two sets of grid histograms (seeds 0 and 1) of a ``depth``-layer default network."""
    sets = []
    for seed in (0, 1):
        project = initviz.Project()
        project.update({"network.widths": [256] * (depth + 1), "data.seed": seed})
        sets.append(grid_histograms(initviz.simulate(project)))
    return sets


def ranges(record) -> tuple[tuple[float, float], tuple[float, float]]:
    """The x range of the bins and a y range with a little headroom."""
    edges, counts = record["edges"], record["counts"]
    return (float(edges[0]), float(edges[-1])), (0.0, 1.1 * max(float(counts.max()), 1.0))


def fixed_ranges(sets) -> list:
    """Per plot, one range that holds the histograms of both sets."""
    fixed = []
    for first, second in zip(*sets, strict=True):
        (x1, y1), (x2, y2) = ranges(first), ranges(second)
        fixed.append(((min(x1[0], x2[0]), max(x1[1], x2[1])), (0.0, max(y1[1], y2[1]))))
    return fixed


def _median_seconds(redraw, sets) -> float:
    redraw(sets[0])
    redraw(sets[1])
    times = []
    for i in range(ROUNDS):
        start = time.perf_counter()
        redraw(sets[i % 2])
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def pyqtgraph_seconds(sets, fixed: bool) -> float:
    import pyqtgraph as pg

    widget = pg.GraphicsLayoutWidget()
    widget.resize(*PIXELS)
    columns = len(GRID_QUANTITIES)
    curves = []
    for i, record in enumerate(sets[0]):
        if i and i % columns == 0:
            widget.nextRow()
        plot = widget.addPlot()
        plot.disableAutoRange()
        curve = plot.plot(record["edges"], record["counts"], stepMode="center",
                          fillLevel=0, brush=(80, 120, 200, 150))
        curves.append((plot, curve))
    widget.show()

    def redraw(records):
        for (plot, curve), record in zip(curves, records, strict=True):
            curve.setData(record["edges"], record["counts"])
            if not fixed:
                x_range, y_range = ranges(record)
                plot.setRange(xRange=x_range, yRange=y_range, padding=0.0)
        widget.grab()

    if fixed:
        for (plot, _), (x_range, y_range) in zip(curves, fixed_ranges(sets), strict=True):
            plot.setRange(xRange=x_range, yRange=y_range, padding=0.0)

    try:
        return _median_seconds(redraw, sets)
    finally:
        widget.close()
        widget.deleteLater()


def matplotlib_seconds(sets, fixed: bool) -> float:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(PIXELS[0] / 100, PIXELS[1] / 100), dpi=100)
    canvas = FigureCanvasAgg(figure)
    rows = len(sets[0]) // len(GRID_QUANTITIES)
    axes = figure.subplots(rows, len(GRID_QUANTITIES)).ravel()
    steps = [
        ax.stairs(record["counts"], record["edges"], fill=True)
        for ax, record in zip(axes, sets[0], strict=True)
    ]

    def redraw(records):
        for ax, step, record in zip(axes, steps, records, strict=True):
            step.set_data(record["counts"], record["edges"])
            if not fixed:
                x_range, y_range = ranges(record)
                ax.set_xlim(*x_range)
                ax.set_ylim(*y_range)
        canvas.draw()

    if fixed:
        for ax, (x_range, y_range) in zip(axes, fixed_ranges(sets), strict=True):
            ax.set_xlim(*x_range)
            ax.set_ylim(*y_range)

    return _median_seconds(redraw, sets)


def redraw_times() -> dict[str, dict[str, float]]:
    """Median seconds per full redraw, by case ("ranges change", "ranges fixed") and library."""
    sets = grid_data()
    return {
        case: {
            "pyqtgraph": pyqtgraph_seconds(sets, fixed),
            "matplotlib": matplotlib_seconds(sets, fixed),
        }
        for case, fixed in (("ranges change", False), ("ranges fixed", True))
    }
