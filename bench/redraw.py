"""Redraw time of one layer grid of histograms: pyqtgraph (what initviz draws with) vs matplotlib.

Both draw the same grid (10 layers x 5 histograms, 40 bins, 1500 x 1000 pixels) and both
are given their best case: plot items created once and updated in place (pyqtgraph
``setData``; matplotlib ``StepPatch.set_data`` + ``relim`` + ``autoscale_view``), then
rendered in full (pyqtgraph ``QWidget.grab()``; matplotlib ``canvas.draw()`` on Agg).
Each redraw alternates between the histograms of two seeds so every redraw changes data.
"""
from __future__ import annotations

import time

import numpy as np

import initviz
from workloads import GRID_QUANTITIES, grid_histograms

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


def _median_seconds(redraw, sets) -> float:
    redraw(sets[0])
    redraw(sets[1])
    times = []
    for i in range(ROUNDS):
        start = time.perf_counter()
        redraw(sets[i % 2])
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def pyqtgraph_seconds(sets) -> float:
    import pyqtgraph as pg

    widget = pg.GraphicsLayoutWidget()
    widget.resize(*PIXELS)
    columns = len(GRID_QUANTITIES)
    curves = []
    for i, record in enumerate(sets[0]):
        if i and i % columns == 0:
            widget.nextRow()
        plot = widget.addPlot()
        curve = plot.plot(record["edges"], record["counts"], stepMode="center",
                          fillLevel=0, brush=(80, 120, 200, 150))
        curves.append(curve)
    widget.show()

    def redraw(records):
        for curve, record in zip(curves, records):
            curve.setData(record["edges"], record["counts"])
        widget.grab()

    try:
        return _median_seconds(redraw, sets)
    finally:
        widget.close()
        widget.deleteLater()


def matplotlib_seconds(sets) -> float:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = Figure(figsize=(PIXELS[0] / 100, PIXELS[1] / 100), dpi=100)
    canvas = FigureCanvasAgg(figure)
    rows = len(sets[0]) // len(GRID_QUANTITIES)
    axes = figure.subplots(rows, len(GRID_QUANTITIES)).ravel()
    steps = [
        ax.stairs(record["counts"], record["edges"], fill=True)
        for ax, record in zip(axes, sets[0])
    ]

    def redraw(records):
        for ax, step, record in zip(axes, steps, records):
            step.set_data(record["counts"], record["edges"])
            ax.relim()
            ax.autoscale_view()
        canvas.draw()

    return _median_seconds(redraw, sets)


def redraw_times() -> dict[str, float]:
    sets = grid_data()
    return {"pyqtgraph": pyqtgraph_seconds(sets), "matplotlib": matplotlib_seconds(sets)}
