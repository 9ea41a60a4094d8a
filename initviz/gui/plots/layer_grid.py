"""The layer grid: one row per shown layer, one histogram per quantity.

Rows are display slots, created once and reused: a deeper network creates only
the missing rows, a shallower one hides the extra rows. Drawing is spread over
event-loop turns (a few rows per turn) so dragging a control never freezes the
window, even with a hundred histograms on screen. The rows in sight are drawn
first; rows scrolled out of sight are drawn when they come into view, or once the
data has stopped changing, so a slider moving over a 50-layer network costs the
few rows the class can see.
"""
from __future__ import annotations

import math
import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.caption import sample_note
from initviz.gui.plots.grid_header import GridHeader
from initviz.gui.plots.grid_view import GridView
from initviz.gui.plots.histogram_cell import (
    HistogramCell,
    count_range,
    locked_ranges,
    steady_ranges,
)
from initviz.gui.plots.layer_row import (
    CELL_SPACING,
    LayerRow,
    block_badge,
    label_width,
    row_height,
)
from initviz.gui.prepare.plot_data import (
    COLUMNS,
    GRADIENT_COLUMNS,
    column_legends,
    column_titles,
)

DRAW_BUDGET_S = 0.018
"""Work per event-loop turn while drawing; keeps every stall well under 100 ms."""
IDLE_FILL_MS = 150
"""Rows out of sight are drawn once no new data has come for this long: while a slider
moves, only what the class can see is drawn (4 of 10 rows at the default lesson, 4 of 50
in a deep network)."""
ROW_MARGIN, ROW_SPACING = 4, 6
"""The rows' layout: margin around them and space between them, in pixels."""


def log_magnitude(settings, quantity: str) -> bool:
    """Whether ``quantity``'s column shows log10|x| under ``settings``."""
    return getattr(settings, "log_magnitude", False) and quantity in GRADIENT_COLUMNS


def _peak(histograms) -> float:
    """The tallest bar of ``histograms``, in one pass over all of them (a 200-layer network's
    column would otherwise take 200 NumPy calls for every frame it draws)."""
    fractions = [h.fractions for h in histograms]
    return float(np.max(np.concatenate(fractions))) if fractions else 0.0


def column_peaks(data, log_magnitude: bool = False) -> dict:
    """The tallest bar of each column as drawn with shared axes (y is shared down a column),
    and under ``("own", q)`` that of the cells on axes of their own (the output's).

    The output's ∂L/∂a (softmax's p − y over the batch) takes two values: its spike (~0.9)
    would set the column's count axis to 1.0 and flatten every hidden layer's bars, so it
    has a count axis of its own, as it has an x axis of its own.
    """
    peaks = {}
    for q in COLUMNS:
        magnitude = log_magnitude and q in GRADIENT_COLUMNS

        def drawn(cell, magnitude=magnitude):
            if magnitude:
                return cell.log_shared
            return cell.own if cell.own_axis else cell.shared

        cells = data.cells[q]
        peaks[q] = _peak([drawn(c) for c in cells if not c.own_axis] or map(drawn, cells))
        peaks["own", q] = _peak(drawn(c) for c in cells if c.own_axis)
    return peaks


class LayerHistogramGrid(QtWidgets.QWidget):
    """Histograms of every shown layer, with column titles that stay put while scrolling."""

    drawn = QtCore.Signal()
    """The last ``show_data`` is fully on screen."""
    exportRequested = QtCore.Signal(object)
    """A HistogramCell the user asked to export (context menu)."""

    def __init__(self, theme: th.Theme = th.NORMAL, parent=None, scrolling: bool = True):
        super().__init__(parent)
        self.theme = theme
        self.scrolling = scrolling
        self.columns: tuple[str, ...] = COLUMNS
        self.row_labels = True
        self.scroll_bar = scrolling
        self.rows: list[LayerRow] = []
        self.selected_cell: HistogramCell | None = None
        self._placed = 0
        self._job = None
        self._latest = None
        self._stale: set[int] = set()
        self._shared_ranges: dict = {}
        self._timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._draw_some)
        self._idle_timer = QtCore.QTimer(self, singleShot=True, interval=IDLE_FILL_MS)
        self._idle_timer.timeout.connect(self._draw_some)
        self.header = GridHeader(theme)
        self.view = GridView(theme.background)
        self.container = QtWidgets.QGraphicsWidget()
        self.rows_layout = QtWidgets.QGraphicsLinearLayout(QtCore.Qt.Vertical)
        self.rows_layout.setContentsMargins(ROW_MARGIN, ROW_MARGIN, ROW_MARGIN, ROW_MARGIN)
        self.rows_layout.setSpacing(ROW_SPACING)
        self.container.setLayout(self.rows_layout)
        self.view.setCentralItem(self.container)
        self.view.clicked.connect(self._clicked)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setVerticalScrollBarPolicy(
            QtCore.Qt.ScrollBarAlwaysOn if scrolling else QtCore.Qt.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        self.scroll.setWidget(self.view)
        self.scroll.verticalScrollBar().valueChanged.connect(self._bring_into_sight)
        self.scroll.viewport().installEventFilter(self)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.scroll, 1)
        self.apply_theme(theme)

    # --- theme ------------------------------------------------------------------------

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        for row in self.rows:
            row.apply_theme(theme)
        self.header.apply_theme(theme, self._scroll_bar_width())
        self._resize_view()

    def _scroll_bar_width(self) -> int:
        return self.scroll.verticalScrollBar().sizeHint().width() if self.scroll_bar else 0

    # --- layout ---------------------------------------------------------------------------

    def set_layout(self, columns=COLUMNS, row_labels: bool = True,
                   scroll_bar: bool | None = None) -> None:
        """Show only ``columns`` (in COLUMNS order), with or without the row labels and the
        scroll bar. Compare's two grids scroll together: one label column and one bar serve
        both, and the pixels go to the histograms."""
        columns = tuple(q for q in COLUMNS if q in columns)
        scroll_bar = self.scrolling if scroll_bar is None else scroll_bar and self.scrolling
        if (columns, row_labels, scroll_bar) == (self.columns, self.row_labels, self.scroll_bar):
            return
        self.columns, self.row_labels, self.scroll_bar = columns, row_labels, scroll_bar
        self.scroll.setVerticalScrollBarPolicy(
            QtCore.Qt.ScrollBarAlwaysOn if scroll_bar else QtCore.Qt.ScrollBarAlwaysOff)
        for row in self.rows:
            row.show_columns(columns, row_labels)
        self.header.show_columns(columns, row_labels)
        self.header.apply_theme(self.theme, self._scroll_bar_width())
        if self._latest is not None:  # cells shown again show the newest data
            self._job = self._latest
            self._stale = set(range(len(self._latest["layers"])))
            self._timer.stop()
            self._draw_some()

    def width_for(self, cell_width: float, count: int | None = None) -> int:
        """The grid's width at which each of ``count`` cells (default: the columns shown) is
        ``cell_width`` pixels wide."""
        count = len(self.columns) if count is None else count
        label = label_width(self.theme) + CELL_SPACING if self.row_labels else 0
        cells = count * cell_width + max(count - 1, 0) * CELL_SPACING
        return math.ceil(2 * ROW_MARGIN + label + cells + self._scroll_bar_width())

    def cell_width(self) -> float:
        """The width of the cells shown (0 before any row is laid out)."""
        shown = [cell for cell in self.cells() if cell.isVisible()]
        return min((cell.size().width() for cell in shown), default=0.0)

    # --- drawing ------------------------------------------------------------------------

    def show_data(self, data, settings, peaks: dict | None = None) -> None:
        """Draw ``data`` (PlotData) with ``settings`` (ViewSettings); emits ``drawn`` once
        every row in sight shows it. Rows scrolled out of sight follow when they come into
        view, or once no new data has come for IDLE_FILL_MS. ``peaks`` (the y top of each
        column, ``column_peaks`` under these settings) defaults to the data's own.

        The rows in sight are drawn at once, within DRAW_BUDGET_S (more rows than that
        go on in later event-loop turns), so ``drawn`` may be emitted before this returns.
        """
        layers = settings.visible_layers(data.depth_count)
        peaks = dict(peaks) if peaks is not None else column_peaks(data, settings.log_magnitude)
        self._job = {"data": data, "settings": settings, "layers": layers, "peaks": peaks,
                     "ranges": self._column_ranges(data, settings, peaks)}
        self._latest = self._job
        self._stale = set(range(len(layers)))
        self._idle_timer.stop()
        self.header.show_notes({q: sample_note(data.cells[q][0].shared) for q in COLUMNS})
        project = data.simulation.project
        self.header.show_network(column_titles(project), column_legends(project))
        self.header.show_magnitudes(settings.log_magnitude)
        self._place_rows(len(layers))
        self._timer.stop()  # an unfinished fill of the previous data is superseded
        self._draw_some()  # no event-loop turn first: the paint that follows shows it all

    def _column_ranges(self, data, settings, peaks: dict) -> dict:
        """Each column's shared (x range, y range), steady as a whole (``steady_ranges``)
        from one ``show_data`` to the next, or kept with ``lock_axes`` (``locked_ranges``): every
        cell of a column then shows the same axes, whichever rows were drawn before."""
        ranges = {}
        for quantity in COLUMNS:
            magnitude = log_magnitude(settings, quantity)
            x_range = data.log_limits[quantity] if magnitude else data.limits[quantity]
            y_top = peaks[quantity]
            mode = (settings.shared_axes, magnitude, settings.log_counts)
            old, old_mode = self._shared_ranges.get(quantity, (None, None))
            old = old if old_mode == mode else None
            new = (tuple(x_range), count_range(y_top, settings.log_counts))
            if settings.lock_axes and old is not None:
                ranges[quantity] = locked_ranges(old, new)
            else:
                ranges[quantity] = steady_ranges(old, new)
            self._shared_ranges[quantity] = (ranges[quantity], mode)
        return ranges

    @property
    def drawing(self) -> bool:
        """True until every row in sight shows the last ``show_data``."""
        return self._job is not None

    @property
    def pending_rows(self) -> int:
        """Rows out of sight that still show older data."""
        return len(self._stale)

    def cancel(self) -> None:
        self._job = None
        self._stale = set()
        self._timer.stop()
        self._idle_timer.stop()

    def draw_pending(self) -> None:
        """Bring every row up to date now, in sight or not (for export, tests, scripts)."""
        self._draw_slots(sorted(self._stale), deadline=None)

    def placed_row_count(self) -> int:
        """Rows in the layout (created so far), in sight or not: see ``rows_in_sight``."""
        return self._placed

    def rows_in_sight(self, count: int) -> list[int]:
        """The row slots (of ``count``) that the scroll area shows, at least in part."""
        if not self.scrolling:
            return list(range(count))
        if not self.scroll.viewport().isVisible():
            return []
        pitch = row_height(self.theme) + ROW_SPACING
        top = self.scroll.verticalScrollBar().value() - ROW_MARGIN
        bottom = top + self.scroll.viewport().height()
        first = max(0, int(top // pitch))
        last = min(count - 1, int(bottom // pitch))
        return list(range(first, last + 1))

    def _draw_some(self) -> None:
        """One event-loop turn of drawing: the rows in sight first, then (when idle) the rest."""
        job = self._job
        if job is not None:
            sight = [s for s in self.rows_in_sight(len(job["layers"])) if s in self._stale]
            if not self._draw_slots(sight, time.perf_counter() + DRAW_BUDGET_S):
                self._timer.start()
                return
            self._job = None
            self.drawn.emit()
            if self._stale:
                self._idle_timer.start()
            return
        if self._stale and not self._draw_slots(
                sorted(self._stale), time.perf_counter() + DRAW_BUDGET_S):
            self._timer.start()

    def _draw_slots(self, slots: list[int], deadline: float | None) -> bool:
        """Draw ``slots`` with the newest data until ``deadline``; True when all are done."""
        for slot in slots:
            if slot not in self._stale:
                continue
            self._draw_row(slot, self._latest)
            self._stale.discard(slot)
            if deadline is not None and time.perf_counter() > deadline:
                return all(s not in self._stale for s in slots)
        return True

    def _bring_into_sight(self, *_) -> None:
        """Scrolled, resized or shown: rows that came into sight are drawn at once."""
        if self._stale and self._latest is not None:
            self._draw_slots(self.rows_in_sight(len(self._latest["layers"])), deadline=None)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QtCore.QTimer.singleShot(0, self, self._bring_into_sight)  # once the layout has its size

    def _draw_row(self, slot: int, job) -> None:
        self._ensure_rows(slot + 1)
        row = self.rows[slot]
        data, settings = job["data"], job["settings"]
        index = job["layers"][slot] - 1
        layer = data.simulation.layers[index]
        row.set_label(layer.index, layer.fan_in, layer.fan_out, index == data.depth_count - 1,
                      block_badge(layer, data.simulation.project))
        for cell_view, quantity in zip(row.cells, COLUMNS):
            if quantity not in self.columns:
                continue
            cell = data.cells[quantity][index]
            magnitude = log_magnitude(settings, quantity)
            own = cell.log_own if magnitude else cell.own
            x_range = (float(own.edges[0]), float(own.edges[-1]))
            # the output's a = z and gradients have axes of their own, but not in decades;
            # its count axis is its own in any case (column_peaks)
            shared = settings.shared_axes and (magnitude or not cell.own_axis)
            ranges = job["ranges"][quantity] if shared else None
            y_top = job["peaks"][quantity]
            if cell.own_axis:
                drawn = cell.log_shared if shared else own
                y_top = job["peaks"].get(("own", quantity)) or float(np.max(drawn.fractions))
                if shared:
                    ranges = (ranges[0], count_range(y_top, settings.log_counts))
            if not settings.shared_axes:
                y_top = float(np.max(own.fractions))
            cell_view.set_histogram(
                cell, shared, settings.log_counts, x_range, y_top,
                log_magnitude=magnitude, ranges=ranges, lock=settings.lock_axes,
                marks=data.marks.get(quantity, ()))

    def _ensure_rows(self, count: int) -> None:
        """At least ``count`` rows, created in order, once, and laid out at once: a new row
        waits for the layout's next event-loop turn for its place, and one drawn (and
        exported or grabbed) before then sits on top of the first row."""
        if count > len(self.rows):
            while count > len(self.rows):
                self._append_row()
            self.rows_layout.activate()

    def _append_row(self) -> None:
        row = LayerRow(self.theme)
        if (self.columns, self.row_labels) != (COLUMNS, True):
            row.show_columns(self.columns, self.row_labels)
        self.rows.append(row)
        self.rows_layout.addItem(row)
        self._placed += 1

    def _place_rows(self, count: int) -> None:
        """Keep the first ``count`` rows in the layout (as far as they exist), hide the others."""
        while self._placed > count:
            self._placed -= 1
            row = self.rows[self._placed]
            self.rows_layout.removeItem(row)
            row.hide()
        while self._placed < min(count, len(self.rows)):
            row = self.rows[self._placed]
            self.rows_layout.addItem(row)
            row.show()
            self._placed += 1
        self._target_rows = count
        self._resize_view()

    def _resize_view(self) -> None:
        count = getattr(self, "_target_rows", 0)
        height = count * (row_height(self.theme) + ROW_SPACING) + 2 * ROW_MARGIN
        self.view.setMinimumHeight(height)
        self.view.setMaximumHeight(max(height, 1))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.scroll.viewport() and event.type() in (
                QtCore.QEvent.Type.Resize, QtCore.QEvent.Type.Show):
            QtCore.QTimer.singleShot(0, self, self._bring_into_sight)
        return super().eventFilter(watched, event)

    # --- selection and export -------------------------------------------------------------

    def cells(self) -> list[HistogramCell]:
        return [cell for row in self.rows[: self._placed] for cell in row.cells]

    def _clicked(self, scene_pos, button) -> None:
        cell = self._cell_at(scene_pos)
        if cell is None:
            return
        self.selected_cell = cell
        if button == QtCore.Qt.RightButton:
            menu = QtWidgets.QMenu(self)
            menu.addAction("Export this plot…", lambda: self.exportRequested.emit(cell))
            menu.popup(QtGui.QCursor.pos())

    def _cell_at(self, scene_pos) -> HistogramCell | None:
        for item in self.view.scene().items(scene_pos):
            while item is not None:
                if isinstance(item, HistogramCell):
                    return item
                item = item.parentItem()
        return None
