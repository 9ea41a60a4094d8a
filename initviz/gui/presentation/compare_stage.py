"""The Compare tab on stage: A and B's depth plot beside their first and last layers, large.

At the desk the tab shows the depth plot over every layer of A and B, which scroll; on a
1280×720 projector that left the histograms as slivers under their captions, and the depth
plot, its legend and two grid headers do not fit above each other at a readable size. On
stage the tab's splitter turns sideways: the depth plot takes DEPTH_SHARE of the width, as
tall as the tab, and A and B's grids the rest, with the quantities chosen (or as many as fit:
z first) side by side, and a few rows that fill the height, as the Layers stage does: the
first and the last layer, and the middle one where three fit. Loading B from a file and
"B = A" step aside; B's scheme and activation stay, to switch them live. Leaving turns the
splitter back (``PresentationMode`` puts its sizes back) and shows every row again.
"""
from __future__ import annotations

import dataclasses

from PySide6 import QtCore, QtWidgets

from initviz.gui.presentation.rows import stage_rows
from initviz.gui.views.compare import GRID_MARGIN

DEPTH_SHARE = 0.4
"""Share of the Compare stage's width the depth plot takes: about square on a 16:9 screen."""


class CompareStage(QtCore.QObject):
    """Enters, fits and leaves the stage of ``view`` (a CompareView)."""

    def __init__(self, view, parent=None):
        super().__init__(parent)
        self.view = view
        self.active = False
        self._visible: dict = {}
        self._sizes: list[int] = []
        self._minimum_heights: dict = {}
        self._timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.fit)
        self.splitter = view.findChild(QtWidgets.QSplitter)
        for watched in (view.sideways.viewport(), *view.titles.values()):
            watched.installEventFilter(self)  # the titles wrap anew at a new width
        view.compared.connect(self.theme_changed)  # new titles (B changed) may wrap anew

    def _hidden_parts(self) -> list[QtWidgets.QWidget]:
        return [self.view.controls.load_button.parentWidget()]

    def enter(self) -> None:
        self.active = True
        parts = self._hidden_parts()
        self._visible = {widget: not widget.isHidden() for widget in parts}
        for widget in parts:
            widget.hide()
        self._sizes = self.splitter.sizes()
        self.splitter.setOrientation(QtCore.Qt.Horizontal)
        self.view.depth_plot.set_staged(True)
        self._share()
        self._timer.start()

    def _share(self) -> None:
        total = sum(self.splitter.sizes()) or 1000  # a tab not yet shown: its share
        depth_px = round(total * DEPTH_SHARE)
        self.splitter.setSizes([depth_px, total - depth_px])

    def eventFilter(self, watched, event) -> bool:
        if self.active and event.type() == QtCore.QEvent.Type.Resize:
            self._timer.start()  # once the splitter has shared out the new size
        return False

    def fit(self) -> None:
        """The depth plot's share of the width, and rows as tall as the grids' room allows
        at the stage's theme."""
        view = self.view
        if not self.active or not view.isVisible():
            return
        if self.splitter.sizes()[1] and abs(
                self.splitter.sizes()[0] - DEPTH_SHARE * sum(self.splitter.sizes())) > 2:
            self._share()  # the first time the tab is shown on stage
        titles = list(view.titles.values())
        headers = [grid.header for grid in view.grids.values()]
        # A's and B's rows level, when one title wraps more, or A's header has its y label
        title_px = self._level(titles, [t.heightForWidth(t.width()) for t in titles])
        header_px = self._level(headers, [h.sizeHint().height() for h in headers])
        pane = view.sideways.viewport()
        rows_top = view.grids["A"].scroll.viewport().mapTo(pane, QtCore.QPoint(0, 0)).y()
        rows_top += title_px - titles[0].height() + header_px - headers[0].height()  # laid out next
        room = pane.height() - rows_top - GRID_MARGIN
        if room <= 0:
            return
        rows, row_px = stage_rows(room)
        theme = dataclasses.replace(view.theme, row_height=row_px)
        if theme != view.theme or rows != view.stage_rows:
            view.apply_theme(theme)
            view.set_stage_rows(rows)  # drawn again: these rows at their height

    def _level(self, widgets: list, heights: list[int]) -> int:
        """The widgets (A's and B's) at least as tall as the tallest, their own minimum
        kept for leaving."""
        tallest = max(heights)
        for widget in widgets:
            self._minimum_heights.setdefault(widget, widget.minimumHeight())
            widget.setMinimumHeight(max(tallest, self._minimum_heights[widget]))
        return tallest

    def theme_changed(self, *_) -> None:
        """The stage's theme follows the screen: the rows are fitted again at its fonts."""
        if self.active:
            self._timer.start()

    def leave(self) -> None:
        self.active = False
        self._timer.stop()
        for widget, visible in self._visible.items():
            widget.setVisible(visible)
        self._visible = {}
        for widget, height in self._minimum_heights.items():
            widget.setMinimumHeight(height)
        self._minimum_heights = {}
        self.splitter.setOrientation(QtCore.Qt.Vertical)
        if sum(self._sizes):  # its heights again: turned back, it still has the widths
            self.splitter.setSizes(self._sizes)
        self.view.depth_plot.set_staged(False)

    def restore(self) -> None:
        """After the window's theme is back: every row, drawn at it."""
        self.view.set_stage_rows(None)
