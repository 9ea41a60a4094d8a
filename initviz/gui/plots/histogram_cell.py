"""One histogram of the layer grid: a light plot (view box, two axes, a curve, a caption).

Plain Qt items, painted and bounded in C++: several times cheaper to build than a
``pg.PlotItem``, which is what lets a 100-layer grid appear without freezing the window.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.caption import Caption, caption_forms
from initviz.gui.plots.cell_axis import CellAxis, decade_ticks, x_ticks, y_ticks
from initviz.gui.plots.plot_area import PlotArea
from initviz.gui.prepare.plot_data import nice_limits

LOG_FLOOR = 1e-5
"""Smallest fraction drawn on log counts: empty bins sit on this floor."""


KEEP_SHARE = 0.5
"""An axis keeps its range while the new data spans at least this share of it."""


def _steady(old, new):
    """``old`` widened to hold ``new``, if ``new`` fills at least KEEP_SHARE of it; else ``new``."""
    if old is None:
        return new
    union = (min(old[0], new[0]), max(old[1], new[1]))
    return union if new[1] - new[0] >= KEEP_SHARE * (union[1] - union[0]) else new


def steady_ranges(old, new):
    """``new`` (x range, y range), where each axis keeps its ``old`` range (widened where the
    data no longer fits) for as long as the data fills at least half of it.

    While a slider moves, round axis limits would otherwise flip between neighbours
    (0.1 and 0.15, say) from one seed to the next: the class sees jumping axes, and every
    flip re-renders the tick labels of a whole column. Growth shows at once; a range
    twice too wide gives way to the data's own.
    """
    if old is None:
        return new
    return tuple(_steady(o, n) for o, n in zip(old, new))


def count_range(y_top: float, log_counts: bool) -> tuple[float, float]:
    """The y range of a count axis whose tallest bar is ``y_top``: whole decades down to
    LOG_FLOOR on log counts, else a round top (steady while a slider moves)."""
    if log_counts:
        top = math.ceil(math.log10(max(y_top, LOG_FLOOR * 10)) + 0.05)
        return (math.log10(LOG_FLOOR), float(top))
    return nice_limits(0.0, max(y_top, 1e-12) * 1.05)


def locked_ranges(old, new):
    """Locked axes: ``old`` (x range, y range), widened only where ``new`` does not fit, so
    that a second scheme is drawn on the first one's scale and nothing falls off it."""
    return tuple((min(o[0], n[0]), max(o[1], n[1])) for o, n in zip(old, new))


def step_outline(edges: np.ndarray, heights: np.ndarray, base: float):
    """x, y of a histogram's outline: up from ``base`` at the first edge, along the top of
    every bin, down to ``base`` at the last edge (len(edges) = len(heights) + 1)."""
    x = np.repeat(np.asarray(edges, dtype=np.float64), 2)
    y = np.empty_like(x)
    y[0] = y[-1] = base
    y[1:-1] = np.repeat(heights, 2)
    return x, y


def step_path(edges: np.ndarray, heights: np.ndarray, base: float) -> QtGui.QPainterPath:
    """``step_outline`` as a QPainterPath (empty if any value is not finite)."""
    x, y = step_outline(edges, heights, base)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return QtGui.QPainterPath()
    return pg.arrayToQPath(x, y, connect="all")


class HistogramCell(QtWidgets.QGraphicsWidget):
    """A histogram drawn as a filled step curve, with its statistics written on it."""

    def __init__(self, quantity: str, theme: th.Theme):
        super().__init__()
        self.quantity = quantity
        self.view_box = PlotArea()
        self.left_axis = CellAxis("left")
        self.bottom_axis = CellAxis("bottom")
        layout = QtWidgets.QGraphicsGridLayout()
        layout.setContentsMargins(0, 2, 6, 0)
        layout.setSpacing(0)
        layout.addItem(self.left_axis, 1, 0)
        layout.addItem(self.view_box, 1, 1)
        layout.addItem(self.bottom_axis, 2, 1)
        self.setLayout(layout)
        # Qt's own path items: painted and bounded in C++, not in Python (a pg.PlotCurveItem
        # would be most of the cost of a redraw of 50 cells). One path, filled by one item,
        # outlined by the other: the outline leaves out the baseline that closes the fill.
        self.fill = QtWidgets.QGraphicsPathItem()
        self.fill.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.outline = QtWidgets.QGraphicsPathItem()
        self.outline.setBrush(QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush))
        # a normalised layer's raw z (Cell.raw_shared), behind the values φ sees
        self.raw_outline = QtWidgets.QGraphicsPathItem()
        self.raw_outline.setBrush(QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush))
        for item in (self.raw_outline, self.fill, self.outline):
            self.view_box.addItem(item)
        self.caption = Caption()
        layout.addItem(self.caption, 0, 0, 1, 2)
        self._ranges = None
        self._mode = None
        self._axes = None
        self.apply_theme(theme)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        hex_code = th.QUANTITY_COLOURS[self.quantity]
        self.outline.setPen(pg.mkPen(th.colour(hex_code), width=theme.line_width))  # cosmetic
        self.fill.setBrush(pg.mkBrush(th.colour(hex_code, theme.fill_alpha)))
        self.raw_outline.setPen(pg.mkPen(th.colour(th.RAW_COLOUR), width=theme.line_width))
        for axis in (self.left_axis, self.bottom_axis):
            axis.apply_theme(theme)
        self.caption.set_font(th.plot_font(theme, 0.9), theme.foreground)
        caption_height = 2.0 * 1.5 * theme.font_pt * 96 / 72
        self.caption.setMinimumHeight(caption_height)
        self.caption.setMaximumHeight(caption_height)

    def set_histogram(self, cell, shared: bool, log_counts: bool, x_range, y_top: float, *,
                      log_magnitude: bool = False, ranges=None, lock: bool = False,
                      marks=()) -> None:
        """Draw ``cell`` on ``x_range``; y is the fraction of values per bin (or its log10).

        ``log_magnitude``: the histogram of log10|x|. ``ranges`` ((x range), (y range)), when
        given, are drawn exactly: a column's shared axes, made steady once for the whole
        column so that every cell of it shows the same. Otherwise the cell keeps its own
        axes steady (``steady_ranges``), or locked (``locked_ranges``). ``marks`` are values
        worth a tick (``x_ticks``)."""
        if log_magnitude:
            hist = cell.log_shared if shared else cell.log_own
        else:
            hist = cell.shared if shared else cell.own
        fractions = hist.fractions
        if log_counts:
            fractions = np.log10(np.maximum(fractions, LOG_FLOOR))
        fill = math.log10(LOG_FLOOR) if log_counts else 0.0
        path = step_path(hist.edges, fractions, fill)
        self.fill.setPath(path)
        self.outline.setPath(path)
        raw = None if log_magnitude else (cell.raw_shared if shared else cell.raw_own)
        if raw is not None:
            raw_fractions = raw.fractions
            if log_counts:
                raw_fractions = np.log10(np.maximum(raw_fractions, LOG_FLOOR))
            self.raw_outline.setPath(step_path(raw.edges, raw_fractions, fill))
        self.raw_outline.setVisible(raw is not None)
        # steady only for the same axis under new data: another kind of axis starts afresh
        mode = (shared, log_counts, log_magnitude)
        if ranges is None:
            kept = self._ranges if mode == self._mode else None
            new = (tuple(x_range), count_range(y_top, log_counts))
            ranges = locked_ranges(kept, new) if lock and kept else steady_ranges(kept, new)
        self._mode = mode
        axes = (ranges, log_counts, log_magnitude, tuple(marks))
        if axes != self._axes:
            x_range, y_range = ranges
            self.view_box.setRange(x_range, y_range)
            self.bottom_axis.set_ticks(
                x_range, decade_ticks(*x_range) if log_magnitude else x_ticks(*x_range, marks))
            self.left_axis.set_ticks(y_range, y_ticks(*y_range, log=log_counts))
            self._ranges, self._axes = ranges, axes
        self.caption.set_lines(*caption_forms(cell))
