"""A histogram cell's axes: where the ticks go and what they say, and the axis that draws them.

Ticks are few and short, since a cell is small; the axis is plain Qt items painted in C++,
so a grid of 50 cells whose ranges all change re-renders at once.
"""
from __future__ import annotations

import math

from PySide6 import QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.log_axis import decade_label

MINUS = "\u2212"
"""A true minus sign: a hyphen is short enough to be missed from the back of a room."""


def compact(value: float, digits: int = 3) -> str:
    """``value`` in plain form where that is short (``digits`` significant: 0.0123, -5.84,
    200), else one digit fewer and a power of ten written no longer than needed (-5.8e-7,
    1.5e5); minus signs as true minuses."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        text = f"{value:.{digits}g}"
    else:
        mantissa, exponent = f"{value:.{max(digits - 1, 1) - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", MINUS)


def tick_label(value: float) -> str:
    """Short enough for a small cell: 0.02, 0.125, 200, −5e−9, 1.5e5."""
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.4g}".replace("-", MINUS)
    return compact(value, 3)


def decade_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Ticks of a log10|x| axis: whole decades written 10⁻⁷, every k-th so that at most four
    are labelled."""
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        return []
    bottom, top = math.ceil(low - 1e-9), math.floor(high + 1e-9)
    step = max(1, math.ceil((top - bottom) / 3))
    first = math.ceil(bottom / step) * step
    return [(float(e), decade_label(e)) for e in range(first, top + 1, step)]


def _round_down(value: float) -> float:
    """The largest 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k not above ``value`` (> 0)."""
    magnitude = 10.0 ** math.floor(math.log10(value))
    steps = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
    return max(m * magnitude for m in steps if m * magnitude <= value * (1 + 1e-9))


def x_ticks(low: float, high: float, marks=()) -> list[tuple[float, str]]:
    """The ``marks`` in range (a bounded φ's -1, 0, 1) where at least two are; else two round
    values well inside (low, high): 0 and one on the wider side when 0 is in range, else one
    near each end.

    Automatic ticks crowd a narrow cell with long labels ("-2e-0902e-09"); two labels at
    least 40 % of the width apart usually fit, and CellAxis leaves the second out where
    they would still touch (a narrow cell at a projector's font).
    """
    span = high - low
    if not (math.isfinite(span) and span > 0):
        return []
    inside = [m for m in marks if low - 1e-9 * span <= m <= high + 1e-9 * span]
    if len(inside) >= 2:
        return [(float(m), tick_label(m)) for m in inside]
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
