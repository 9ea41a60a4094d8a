"""One histogram of the layer grid: a light plot (view box, two axes, a curve, a caption).

A full ``pg.PlotItem`` costs ~20 ms to build; this costs ~3 ms, which is what
lets a 100-layer grid appear without freezing the window.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.log_axis import decade_label
from initviz.gui.prepare.plot_data import nice_limits

LOG_FLOOR = 1e-5
"""Smallest fraction drawn on log counts: empty bins sit on this floor."""


def fmt(value: float) -> str:
    """Three significant digits; 'nan' / '∞' spelled out."""
    if value is None or not math.isfinite(value):
        return "∞" if value and value > 0 else ("-∞" if value and value < 0 else "n/a")
    return f"{value:.3g}"


def sample_note(histogram) -> str:
    """"sampled 8.2k/66k" when the histogram counts a sample of the values, else ""."""
    if not histogram.subsampled:
        return ""
    return f"sampled {_short(histogram.sample_size)}/{_short(histogram.total)}"


Run = tuple[str, "str | None", bool]
"""A piece of caption text: (text, colour or None for the theme's foreground, bold)."""


RESIDUE_CAPTION = "0 (rounding residue)"
"""Said, instead of mean and std, of values that are float32 rounding of an exact zero."""


def caption_lines(cell) -> tuple[tuple[Run, ...], ...]:
    """Mean and std (or that the values are zero but for rounding), then warnings only when
    there is something to warn about."""
    if cell.residue:
        first = ((RESIDUE_CAPTION, None, False),)
    else:
        first = ((f"μ {fmt(cell.mean)}  σ {fmt(cell.std)}", None, False),)
    badges = []
    if cell.saturated >= 0.005:
        badges.append((f"saturated {100 * cell.saturated:.0f}%", th.WARNING_COLOURS["saturated"]))
    if cell.dead >= 0.005:
        badges.append((f"dead {100 * cell.dead:.0f}%", th.WARNING_COLOURS["dead"]))
    if cell.nonfinite:
        badges.append((f"{cell.nonfinite:,} inf/NaN", th.WARNING_COLOURS["nonfinite"]))
    second = []
    for text, colour in badges:
        second.append((("  " if second else "") + text, colour, True))
    return first, tuple(second)


def lines_text(lines) -> str:
    """What caption ``lines`` say, one line per line, without their colours."""
    return "\n".join("".join(run[0] for run in line) for line in lines)


def tick_label(value: float) -> str:
    """Short enough for a small cell: 0.02, 0.125, 200, -5e-9, 1.5e+5."""
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.4g}"
    return f"{value:.2g}".replace("e-0", "e-").replace("e+0", "e+")


def _round_down(value: float) -> float:
    """The largest 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k not above ``value`` (> 0)."""
    magnitude = 10.0 ** math.floor(math.log10(value))
    steps = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
    return max(m * magnitude for m in steps if m * magnitude <= value * (1 + 1e-9))


def x_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Two round values well inside (low, high): 0 and one on the wider side when 0 is in
    range, else one near each end.

    Automatic ticks crowd a narrow cell with long labels ("-2e-0902e-09"); two labels at
    least 40 % of the width apart usually fit, and CellAxis leaves the second out where
    they would still touch (a narrow cell at a projector's font).
    """
    span = high - low
    if not (math.isfinite(span) and span > 0):
        return []
    if low < 0 < high:
        side = high if high >= -low else low
        value = math.copysign(_round_down(abs(side) * 0.8), side)
        return [(0.0, "0"), (value, tick_label(value))]
    values = []
    for target in (low + 0.2 * span, high - 0.2 * span):
        step = _round_down(span * 0.2)
        values.append(round(target / step) * step)
    return [(v, tick_label(v)) for v in sorted(set(values))]


def y_ticks(low: float, high: float, log: bool = False) -> list[tuple[float, str]]:
    """Ticks of a count axis, from the bottom up: every whole decade on log counts (``low``
    and ``high`` are log10 values), else multiples of a round step (1, 2 or 5 × 10^k, 3 to 5
    of them) written with the same number of decimals (0, 0.05, 0.10, 0.15). CellAxis
    leaves out labels where they would collide."""
    span = high - low
    if not (math.isfinite(span) and span > 0):
        return []
    if log:
        bottom, top = math.ceil(low - 1e-9), math.floor(high + 1e-9)
        return [(float(e), decade_label(e)) for e in range(bottom, top + 1)]
    magnitude = 10.0 ** math.floor(math.log10(span / 4))
    step = next(m * magnitude for m in (1, 2, 5, 10) if span / (m * magnitude) <= 5)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    ticks = []
    for k in range(first, last + 1):
        value = k * step
        if k == 0:
            label = "0"
        elif 1e-3 <= abs(value) < 1e4:
            label = f"{value:.{decimals}f}"
        else:
            label = tick_label(value)
        ticks.append((value, label))
    return ticks


TICK_LENGTH = 4
"""Pixels a tick mark reaches out of the axis line."""


class CellAxis(QtWidgets.QGraphicsWidget):
    """A cell's axis: its line, tick marks and labels as Qt items, painted in C++.

    pyqtgraph's AxisItem works out, lays out and paints its ticks in Python whenever its
    range changes, a hundred times over when every range in the grid changes. Here a new
    range moves a path and a few text items. The axis spans the view box along it (same
    grid row or column), so values map to pixels by its own size.
    """

    def __init__(self, orientation: str):
        super().__init__()
        self.orientation = orientation
        self.line = QtWidgets.QGraphicsPathItem(self)
        self.labels: list[QtWidgets.QGraphicsSimpleTextItem] = []
        self._range = (0.0, 1.0)
        self._ticks: list[tuple[float, str]] = []
        self._font = QtGui.QFont()
        self._metrics = QtGui.QFontMetricsF(self._font)
        self._brush = QtGui.QBrush(QtGui.QColor("#000000"))

    def apply_theme(self, theme: th.Theme) -> None:
        self._font = th.plot_font(theme, 0.9)
        colour = QtGui.QColor(theme.foreground)
        self._brush = QtGui.QBrush(colour)
        pen = QtGui.QPen(colour)
        pen.setCosmetic(True)
        self.line.setPen(pen)
        for label in self.labels:
            label.setFont(self._font)
            label.setBrush(self._brush)
        metrics = self._metrics = QtGui.QFontMetricsF(self._font)
        if self.orientation == "left":
            width = int(4.6 * theme.font_pt) + 4
            self.setMinimumWidth(width)
            self.setMaximumWidth(width)
        else:
            height = math.ceil(TICK_LENGTH + 2 + metrics.height())
            self.setMinimumHeight(height)
            self.setMaximumHeight(height)
        self._place()

    def set_ticks(self, value_range: tuple[float, float], ticks: list[tuple[float, str]]) -> None:
        """Show ``ticks`` [(value, label)] on an axis from ``value_range[0]`` to ``[1]``."""
        self._range = (float(value_range[0]), float(value_range[1]))
        self._ticks = list(ticks)
        self._place()

    @property
    def tick_labels(self) -> list[str]:
        """The labels shown (some are left out where they would collide)."""
        return [label.text() for label in self.labels if label.isVisible()]

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        width, height = self.size().width(), self.size().height()
        low, high = self._range
        span = high - low
        left = self.orientation == "left"
        length = height if left else width
        inside = [
            (value, text) for value, text in self._ticks
            if span > 0 and -1e-9 <= (value - low) / span <= 1 + 1e-9
        ]
        while len(self.labels) < len(inside):
            label = QtWidgets.QGraphicsSimpleTextItem(self)
            label.setFont(self._font)
            label.setBrush(self._brush)
            self.labels.append(label)
        room = self._metrics.height() if left else 0.0
        path = QtGui.QPainterPath()
        if left:
            path.moveTo(width - 0.5, 0)
            path.lineTo(width - 0.5, height)
        else:
            path.moveTo(0, 0.5)
            path.lineTo(width, 0.5)
        every = 1  # every k-th label, far enough apart not to overlap (a short cell)
        if left and len(inside) > 1:
            gap = length * abs(inside[1][0] - inside[0][0]) / span
            every = max(1, math.ceil(1.1 * room / max(gap, 1e-9)))
            last = len(inside) - 1  # one more skipped, if then the top label shows too
            every = next((k for k in (every, every + 1) if last % k == 0), every)
        for i, (label, (value, text)) in enumerate(zip(self.labels, inside)):
            position = (value - low) / span * length
            if label.text() != text:
                label.setText(text)
            bounds = label.boundingRect()
            if left:
                y = height - position
                path.moveTo(width - 0.5, y)
                path.lineTo(width - 0.5 - TICK_LENGTH, y)
                label.setPos(width - TICK_LENGTH - 3 - bounds.width(), y - bounds.height() / 2)
            else:
                path.moveTo(position, 0.5)
                path.lineTo(position, 0.5 + TICK_LENGTH)
                label.setPos(position - bounds.width() / 2, TICK_LENGTH + 1)
            label.setVisible(i % every == 0 and not self._collides(label, i))
        for label in self.labels[len(inside):]:
            label.setVisible(False)
        self.line.setPath(path)

    def _collides(self, label, index: int) -> bool:
        """Whether ``label`` would touch a label already shown along a bottom axis (a narrow
        cell at a large font): then it is left out, the first (0 where it is in range) kept."""
        if self.orientation == "left":
            return False
        gap = self._metrics.horizontalAdvance("0")  # "-0.003 0" must not read as "-0.0030"
        rect = label.mapRectToParent(label.boundingRect()).adjusted(-gap, 0, gap, 0)
        return any(
            other.isVisible() and rect.intersects(other.mapRectToParent(other.boundingRect()))
            for other in self.labels[:index]
        )


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


def _short(count: int) -> str:
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if count >= limit:
            digits = 0 if count >= 10 * limit else 1
            return f"{count / limit:.{digits}f}{suffix}"
    return str(count)


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


class QtBounds:
    """Qt's own boundingRect and shape for a pg.GraphicsWidget (the same rectangle).

    pyqtgraph overrides both in Python, and Qt asks every item for them several times per
    paint: ~350 calls into Python per redraw of the grid, each waiting for the GIL while
    the compute thread holds it. Assigning the C++ methods means no Python call at all.
    """

    boundingRect = QtWidgets.QGraphicsWidget.boundingRect
    shape = QtWidgets.QGraphicsWidget.shape


class Caption(QtBounds, pg.GraphicsWidget):
    """Lines of coloured text runs, painted directly; a line too long for the cell is drawn
    smaller, then elided (``_fitted``), never wrapped.

    Not a pyqtgraph LabelItem: its ``setText`` lays out HTML and then the whole grid
    again, for each of the 50 captions that change on every seed. Setting new text here
    repaints this item only.
    """

    def __init__(self):
        super().__init__()
        self._lines: tuple[tuple[Run, ...], ...] = ()
        self._colour = QtGui.QColor("#000000")
        self.set_font(QtGui.QFont(), "#000000")

    def set_font(self, font: QtGui.QFont, colour: str) -> None:
        self._fonts = {False: QtGui.QFont(font), True: QtGui.QFont(font)}
        self._fonts[True].setBold(True)
        self._metrics = {bold: QtGui.QFontMetricsF(f) for bold, f in self._fonts.items()}
        self._colour = QtGui.QColor(colour)
        self.update()

    def line_height(self) -> float:
        return self._metrics[True].lineSpacing()

    def set_lines(self, lines) -> None:
        lines = tuple(tuple(line) for line in lines)
        if lines != self._lines:
            self._lines = lines
            self.update()

    @property
    def text(self) -> str:
        """What the caption says, one line per line."""
        return lines_text(self._lines)

    def paint(self, painter, *args) -> None:
        rect = self.boundingRect()
        painter.setClipRect(rect)
        y = rect.top()
        for line in self._lines:
            fonts, metrics = self._fonts, self._metrics
            widths = [metrics[bold].horizontalAdvance(text) for text, _, bold in line]
            if sum(widths) > rect.width() > 0:  # a narrow cell: smaller, never cut mid-number
                fonts, metrics, widths, line = self._fitted(line, sum(widths), rect.width())
            x = rect.left()
            baseline = y + self._metrics[True].ascent()
            for (text, colour, bold), width in zip(line, widths):
                painter.setFont(fonts[bold])
                painter.setPen(QtGui.QColor(colour) if colour else self._colour)
                painter.drawText(QtCore.QPointF(x, baseline), text)
                x += width
            y += self.line_height()

    def _fitted(self, line, width: float, room: float):
        """Fonts, metrics, widths and runs of ``line`` shrunk to ``room`` (down to
        MIN_FIT_SCALE of the size); whatever is still too long ends in "…", so a number
        is never shown cut short as if it were a shorter number."""
        scale = 1.0
        for _ in range(3):  # text does not shrink exactly with the point size (hinting)
            scale = max(scale * room / width, MIN_FIT_SCALE)
            fonts = {}
            for bold, font in self._fonts.items():
                fonts[bold] = QtGui.QFont(font)
                fonts[bold].setPointSizeF(font.pointSizeF() * scale)
            metrics = {bold: QtGui.QFontMetricsF(font) for bold, font in fonts.items()}
            width = sum(metrics[bold].horizontalAdvance(text) for text, _, bold in line)
            if width <= room or scale == MIN_FIT_SCALE:
                break
        runs, widths, left = [], [], room
        for text, colour, bold in line:
            fitted = metrics[bold].elidedText(text, QtCore.Qt.TextElideMode.ElideRight, left)
            if not fitted:
                break
            runs.append((fitted, colour, bold))
            widths.append(metrics[bold].horizontalAdvance(fitted))
            left -= widths[-1]
        return fonts, metrics, widths, runs


MIN_FIT_SCALE = 0.75
"""A caption line too long for its cell is drawn this much smaller at most, then elided."""


class PlotArea(QtWidgets.QGraphicsWidget):
    """Where a cell's histogram is drawn: data coordinates mapped onto the widget's box by
    one transform, children clipped to the box.

    Not a pyqtgraph ViewBox, which does the same through Python signals and bookkeeping
    on every change, for each of the 50 cells that get a new range at once.
    ``viewRange``, ``childGroup``, ``setRange`` and ``addItem`` keep ViewBox's names (and
    the cell keeps calling it ``view_box``).
    A new range or size applies at once (nothing waits for a prepareForPaint).
    """

    def __init__(self):
        super().__init__()
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self.childGroup = QtWidgets.QGraphicsRectItem(self)  # ViewBox's name
        self.childGroup.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self._range = [[0.0, 1.0], [0.0, 1.0]]

    def addItem(self, item) -> None:
        item.setParentItem(self.childGroup)

    def viewRange(self) -> list[list[float]]:
        return [list(self._range[0]), list(self._range[1])]

    def setRange(self, x_range, y_range) -> None:
        """Show x from x_range[0] to [1] and y from y_range[0] (bottom) to [1] (top)."""
        self._range = [[float(v) for v in x_range], [float(v) for v in y_range]]
        self._update_transform()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_transform()

    def _update_transform(self) -> None:
        (x0, x1), (y0, y1) = self._range
        width, height = self.size().width(), self.size().height()
        if not (x1 > x0 and y1 > y0):
            return
        sx, sy = width / (x1 - x0), height / (y1 - y0)
        transform = QtGui.QTransform(sx, 0.0, 0.0, -sy, -x0 * sx, height + y0 * sy)
        self.childGroup.setTransform(transform)


class HistogramCell(QtBounds, pg.GraphicsWidget):
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
        # Qt's own path items: painted and bounded in C++, not in Python (pg.PlotCurveItem
        # took ~60 % of every redraw of 50 cells). One path, filled by one item, outlined by
        # the other: the outline leaves out the baseline that closes the fill.
        self.fill = QtWidgets.QGraphicsPathItem()
        self.fill.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.outline = QtWidgets.QGraphicsPathItem()
        self.outline.setBrush(QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush))
        for item in (self.fill, self.outline):
            self.view_box.addItem(item)
        self.caption = Caption()
        layout.addItem(self.caption, 0, 0, 1, 2)
        self._ranges = None
        self._mode = None
        self._log = None
        self.apply_theme(theme)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        hex_code = th.QUANTITY_COLOURS[self.quantity]
        self.outline.setPen(pg.mkPen(th.colour(hex_code), width=theme.line_width))  # cosmetic
        self.fill.setBrush(pg.mkBrush(th.colour(hex_code, theme.fill_alpha)))
        for axis in (self.left_axis, self.bottom_axis):
            axis.apply_theme(theme)
        self.caption.set_font(th.plot_font(theme, 0.9), theme.foreground)
        caption_height = 2.0 * 1.5 * theme.font_pt * 96 / 72
        self.caption.setMinimumHeight(caption_height)
        self.caption.setMaximumHeight(caption_height)

    def set_histogram(self, cell, shared: bool, log_counts: bool, x_range, y_top: float) -> None:
        """Draw ``cell`` on ``x_range``; y is the fraction of values per bin (or its log10)."""
        hist = cell.shared if shared else cell.own
        fractions = hist.fractions
        if log_counts:
            fractions = np.log10(np.maximum(fractions, LOG_FLOOR))
            top = math.ceil(math.log10(max(y_top, LOG_FLOOR * 10)) + 0.05)  # whole decades
            y_range = (math.log10(LOG_FLOOR), top)
            fill = math.log10(LOG_FLOOR)
        else:  # a round top: steady while a slider moves, and no axis re-rendered
            y_range = nice_limits(0.0, max(y_top, 1e-12) * 1.05)
            fill = 0.0
        path = step_path(hist.edges, fractions, fill)
        self.fill.setPath(path)
        self.outline.setPath(path)
        # steady only for the same axis under new data: log counts or own axes start afresh
        mode = (shared, log_counts)
        kept = self._ranges if mode == self._mode else None
        ranges = steady_ranges(kept, (tuple(x_range), y_range))
        self._mode = mode
        if ranges != self._ranges or log_counts != self._log:
            x_range, y_range = ranges
            self.view_box.setRange(x_range, y_range)
            self.bottom_axis.set_ticks(x_range, x_ticks(*x_range))
            self.left_axis.set_ticks(y_range, y_ticks(*y_range, log=log_counts))
            self._ranges, self._log = ranges, log_counts
        self.caption.set_lines(caption_lines(cell))
