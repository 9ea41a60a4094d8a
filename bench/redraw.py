"""Redraw time of one layer grid of histograms: initviz's grid and plain pyqtgraph vs matplotlib.

All three draw the same grid (10 layers x 5 histograms, 1500 x 1000 pixels) of the same
simulations, and all are given their best case: plot items created once, autoscaling off,
each redraw updates the data in place and sets the axis ranges, then renders the whole
grid (Qt ``QWidget.grab()``; matplotlib ``canvas.draw()`` on Agg).
- initviz: the window's LayerHistogramGrid (``show_data``; a plain Qt view and scene,
  cells of Qt path and text items, captions included);
- plain pyqtgraph: a PlotItem per histogram (``setData`` + ``setRange``), the way a
  pyqtgraph user would start;
- pyqtgraph by column: one PlotItem per column (5 view boxes, not 50), each layer a step
  curve offset to its own row and scaled to fill it, layer names as the left axis's ticks
  (``AxisItem.setTicks``). A column has one x axis, so its layers share the column's range:
  the layout cannot give each histogram its own axis, as the window's grid does by default;
- matplotlib: ``StepPatch.set_data`` + ``set_xlim`` / ``set_ylim``.
Each redraw alternates between two simulations, so every redraw changes data. Two cases:
- ranges change: the two networks differ in weight gain (1 and 3), so every plot's axis
  range changes with every redraw (initviz's grid on each plot's own axes);
- ranges fixed: two seeds of one network on ranges set once (initviz's grid on shared
  axes, where its steady ranges hold): only the curves change, as while a seed is dragged.
"""
from __future__ import annotations

import time

import numpy as np
from workloads import GRID_QUANTITIES, grid_histograms

import initviz

PIXELS = (1500, 1000)
ROUNDS = 7


CASES = {"ranges change": {"init.params": [{"gain": 1.0}, {"gain": 3.0}]},
         "ranges fixed": {"data.seed": [0, 1]}}
"""The two simulations each case alternates between: what differs from the default network."""


def simulations(case: str, depth: int = 10) -> list:
    """The two simulations of ``case``, of a ``depth``-layer default network."""
    (key, values), = CASES[case].items()
    sims = []
    for value in values:
        project = initviz.Project()
        project.update({"network.widths": [256] * (depth + 1), key: value})
        sims.append(initviz.simulate(project))
    return sims


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


def pyqtgraph_columns_seconds(sets, fixed: bool) -> float:
    import pyqtgraph as pg

    widget = pg.GraphicsLayoutWidget()
    widget.resize(*PIXELS)
    columns = len(GRID_QUANTITIES)
    rows = len(sets[0]) // columns
    plots, curves = [], []
    for _ in range(columns):
        plot = widget.addPlot()
        plot.disableAutoRange()
        plot.getAxis("left").setTicks([[(rows - 1 - r + 0.5, f"L{r + 1}") for r in range(rows)]])
        plot.setYRange(0.0, rows, padding=0.0)
        plots.append(plot)
        curves.append([
            plot.plot(stepMode="center", fillLevel=rows - 1 - r, brush=(80, 120, 200, 150))
            for r in range(rows)
        ])
    widget.show()

    def column_range(records, column):
        lows, highs = zip(*(ranges(records[r * columns + column])[0] for r in range(rows)),
                          strict=True)
        return min(lows), max(highs)

    def redraw(records):
        for column, plot in enumerate(plots):
            for r, curve in enumerate(curves[column]):
                record = records[r * columns + column]
                counts = record["counts"]
                height = 0.9 / max(float(counts.max()), 1.0)
                curve.setData(record["edges"], counts * height + (rows - 1 - r))
            if not fixed:
                plot.setXRange(*column_range(records, column), padding=0.0)
        widget.grab()

    if fixed:
        for column, plot in enumerate(plots):
            low = min(column_range(s, column)[0] for s in sets)
            high = max(column_range(s, column)[1] for s in sets)
            plot.setXRange(low, high, padding=0.0)

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


def initviz_seconds(sims, fixed: bool) -> float:
    """The window's layer grid: PlotData as the worker prepares it, shown and rendered."""
    from initviz.gui.plots.layer_grid import LayerHistogramGrid
    from initviz.gui.prepare import plot_data
    from initviz.gui.view_settings import ViewSettings

    datas = [plot_data.prepare(sim) for sim in sims]
    settings = ViewSettings(shared_axes=fixed, layers="all")
    grid = LayerHistogramGrid(scrolling=False)
    grid.resize(*PIXELS)
    grid.show()

    def redraw(data):
        grid.show_data(data, settings)
        grid.draw_pending()
        grid.grab()

    try:
        return _median_seconds(redraw, datas)
    finally:
        grid.close()
        grid.deleteLater()


def redraw_times() -> dict[str, dict[str, float]]:
    """Median seconds per full redraw, by case (CASES) and drawer."""
    import pyqtgraph as pg

    pg.mkQApp()  # the grid's widgets need the application before anything else makes it
    times = {}
    for case in CASES:
        fixed = case == "ranges fixed"
        sims = simulations(case)
        sets = [grid_histograms(sim) for sim in sims]
        times[case] = {
            "initviz": initviz_seconds(sims, fixed),
            "pyqtgraph": pyqtgraph_seconds(sets, fixed),
            "pyqtgraph columns": pyqtgraph_columns_seconds(sets, fixed),
            "matplotlib": matplotlib_seconds(sets, fixed),
        }
    return times
