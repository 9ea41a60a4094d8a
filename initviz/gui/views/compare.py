"""The Compare view: project A (the window's) and B (A with another scheme or activation,
or a project file) side by side, on the same seed and batch and on the same axes.

B is saved inside A's project file as ``view.compare``: a partial project merged
over A, e.g. ``{"init": {"scheme": "he_normal"}}`` (a new scheme or activation
without params takes its defaults). A B loaded from a file stores its network,
init and loss sections there, plus ``"file"``: its name. B always keeps A's data
(seed, batch size, source), so both see the same batch.
Both are simulated in a background thread (``prepare.comparison``); every histogram
of A and B is binned on the union of their ranges and drawn to the same height scale,
so equal shapes mean equal distributions.
"""
from __future__ import annotations

import copy
import dataclasses
import html
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from initviz.core.activations import ACTIVATIONS
from initviz.core.schemes import SCHEMES
from initviz.errors import ProjectError
from initviz.gui import theme as th
from initviz.gui.controls.flow_layout import FlowLayout, joined
from initviz.gui.plots.depth_plot import positive_or_nan
from initviz.gui.plots.layer_grid import LayerHistogramGrid, column_peaks
from initviz.gui.plots.log_axis import DecadeAxis
from initviz.gui.prepare import plot_data
from initviz.gui.prepare.comparison import (
    B_SECTIONS,
    compare_spec,
    compute_pair,
    describe,
    project_b,
    with_compare,
)
from initviz.gui.view_refresh import RefreshWhenVisible, view_document
from initviz.gui.view_settings import spread_layers
from initviz.gui.views.compare_columns import ColumnChooser, min_cell_width, shown_columns
from initviz.gui.workers.background import BackgroundTask, stop_requested
from initviz.project import Project

COMPUTED = ("network", "init", "data", "loss")
SIDES = ("A", "B")
SIDE_STYLE = {"A": (QtCore.Qt.SolidLine, "o"), "B": (QtCore.Qt.DashLine, "s")}
GRID_MARGIN, GRID_GAP = 4, 10
"""Pixels around the two grids and between them."""


def compute_pair_here(projects):
    """``compute_pair`` in the view's thread, stopping between layers when the view closes."""
    return compute_pair(projects, stop_requested())


class CompareControls(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.scheme_combo = QtWidgets.QComboBox()
        self.scheme_combo.setObjectName("compareSchemeCombo")
        for name, scheme in SCHEMES.items():
            self.scheme_combo.addItem(scheme.title, name)
        self.activation_combo = QtWidgets.QComboBox()
        self.activation_combo.setObjectName("compareActivationCombo")
        for name, activation in ACTIVATIONS.items():
            self.activation_combo.addItem(activation.title, name)
        self.load_button = QtWidgets.QPushButton("Load B from file…")
        self.load_button.setObjectName("compareLoadButton")
        self.same_button = QtWidgets.QPushButton("B = A")
        self.same_button.setToolTip("Forget B's differences (B becomes a copy of A)")
        self.column_chooser = ColumnChooser()
        layout = FlowLayout(self)  # wraps on a narrow window instead of widening it
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (joined("<b>B</b> = A with init", self.scheme_combo),
                       joined("and activation", self.activation_combo),
                       joined(self.load_button, self.same_button), self.column_chooser):
            layout.addWidget(widget)

    def show_project(self, b: Project) -> None:
        for combo, name in ((self.scheme_combo, b.scheme), (self.activation_combo, b.activation)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(name))
            combo.blockSignals(False)


class CompareDepthPlot(pg.PlotWidget):
    """Std of z (forward) and of ∂L/∂z (backward) against depth: A solid, B dashed."""

    def __init__(self, theme: th.Theme = th.NORMAL, parent=None):
        super().__init__(parent, axisItems={"left": DecadeAxis("left")})
        item = self.getPlotItem()
        item.setLogMode(x=False, y=True)
        item.showGrid(x=True, y=True, alpha=0.25)
        item.hideButtons()
        item.setMouseEnabled(False, False)
        self.curves = {}
        for side in SIDES:
            for key in ("forward", "backward"):
                self.curves[side, key] = item.plot(connect="finite")
        self.legend = None
        self.staged = False
        """On presentation's stage the plot is narrow and tall: a short title (the legend
        says which is A and which B; the axis label, which axis is logarithmic) and a legend
        of two columns."""
        self.apply_theme(theme)

    def set_staged(self, on: bool) -> None:
        if on != self.staged:
            self.staged = on
            self.apply_theme(self.theme)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        item = self.getPlotItem()
        self.setBackground(theme.background)
        for (side, key), curve in self.curves.items():
            colour = th.FORWARD_COLOUR if key == "forward" else th.BACKWARD_COLOUR
            style, symbol = SIDE_STYLE[side]
            curve.setPen(pg.mkPen(colour, width=theme.line_width * 1.3, style=style))
            curve.setSymbol(symbol)
            curve.setSymbolBrush(colour if side == "A" else theme.background)
            curve.setSymbolPen(pg.mkPen(colour, width=1.5))
            curve.setSymbolSize(theme.font_pt * 0.8)
        for name in ("left", "bottom"):
            th.style_axis(item.getAxis(name), theme)
        item.setLabel("bottom", "layer")
        if self.staged:  # a title that fits a third of a 1024-pixel screen
            item.setLabel("left", "std (log axis)")
            title = "Std against depth"
        else:
            item.setLabel("left", "std")  # short: see DepthPlot; the title names the log axis
            title = "Std against depth (log axis): A solid, B dashed"
        item.setTitle(title, color=theme.foreground,
                      size=f"{theme.font_pt * 1.1:.1f}pt", bold=True)
        if self.legend is not None:
            item.layout.removeItem(self.legend)
            self.legend.scene() and self.legend.scene().removeItem(self.legend)
        self.legend = pg.LegendItem(colCount=2 if self.staged else 4,
                                    labelTextColor=theme.foreground,
                                    labelTextSize=f"{theme.font_pt * 0.9:.1f}pt")
        for (side, key), curve in self.curves.items():
            self.legend.addItem(curve, f"{side}: {'z' if key == 'forward' else '∂L/∂z'}")
        item.layout.addItem(self.legend, 4, 1)

    def show_data(self, datas) -> None:
        depth = 1
        for side, data in zip(SIDES, datas, strict=True):
            for key in ("forward", "backward"):
                values = positive_or_nan(data.depth[key])
                if np.isfinite(values).any():
                    self.curves[side, key].setData(data.depth["layer"], values)
                else:  # nothing a log axis can show; the symbols' bounds of all-NaN would warn
                    self.curves[side, key].setData([], [])
            depth = max(depth, data.depth_count)
        self.getPlotItem().setXRange(0.5, depth + 0.5, padding=0)


class CompareView(RefreshWhenVisible, QtWidgets.QWidget):
    """A and B side by side; give it the window's ProjectDocument, or a Project (scripts, tests)."""

    compared = QtCore.Signal(object)
    """[PlotData A, PlotData B], once both grids show them."""

    def __init__(self, document=None, project=None, parent=None):
        super().__init__(parent)
        self.setObjectName("compareView")
        self.document = view_document(document, project, self)
        self.theme = th.NORMAL
        self.datas = None
        self.b = None
        self._titled = None
        """The A that the titles describe (with B, ``self.b``)."""
        self._key = None
        self._settings = None
        self._drawing = 0
        self.stage_rows: int | None = None
        """Presentation mode's few rows: with layers "auto", this many spread from the first
        layer to the last; None shows every row the settings ask for."""
        self.task = BackgroundTask(compute_pair_here, "initviz-compare", self)
        self.task.resultReady.connect(self._show)
        self.task.failed.connect(self._failed)
        self.task.cancelled.connect(self._cancelled)
        self._build()
        self._stale = True
        self.follow(self.document)
        self._project_changed()

    def _build(self) -> None:
        self.controls = CompareControls()
        self.controls.scheme_combo.currentIndexChanged.connect(self._scheme_chosen)
        self.controls.activation_combo.currentIndexChanged.connect(self._activation_chosen)
        self.controls.load_button.clicked.connect(self._load_dialog)
        self.controls.same_button.clicked.connect(lambda: self.set_compare({}))
        self.controls.column_chooser.chosen.connect(
            lambda columns: self.document.set_display({"compare_columns": columns}))
        self.message = QtWidgets.QLabel()
        self.message.setObjectName("compareMessage")
        self.depth_plot = CompareDepthPlot(self.theme)
        self.titles, self.grids = {}, {}
        columns = QtWidgets.QHBoxLayout()
        columns.setContentsMargins(*(GRID_MARGIN,) * 4)
        columns.setSpacing(GRID_GAP)
        for side in SIDES:
            box = QtWidgets.QVBoxLayout()
            self.titles[side] = QtWidgets.QLabel()
            self.titles[side].setObjectName(f"compareTitle{side}")
            self.titles[side].setWordWrap(True)
            self.grids[side] = LayerHistogramGrid(self.theme)  # both on the same y tops
            self.grids[side].drawn.connect(self._grid_drawn)
            box.addWidget(self.titles[side])
            box.addWidget(self.grids[side], 1)
            columns.addLayout(box)
        columns.addStretch(1)
        # the rows line up: A's labels and B's scroll bar serve both grids
        self.grids["A"].set_layout(row_labels=True, scroll_bar=False)
        self.grids["B"].set_layout(row_labels=False, scroll_bar=True)
        bars = [self.grids[s].scroll.verticalScrollBar() for s in SIDES]
        bars[0].valueChanged.connect(bars[1].setValue)  # the two grids scroll together
        bars[1].valueChanged.connect(bars[0].setValue)
        lower = QtWidgets.QWidget()
        lower.setLayout(columns)
        # Quantities picked beyond what fits scroll sideways (min_cell_width), never widen it.
        self.sideways = sideways = QtWidgets.QScrollArea()
        sideways.setWidgetResizable(True)
        sideways.setFrameShape(QtWidgets.QFrame.NoFrame)
        sideways.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        sideways.setWidget(lower)
        sideways.viewport().installEventFilter(self)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        splitter.addWidget(self.depth_plot)
        splitter.addWidget(sideways)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.controls)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

    # --- B ----------------------------------------------------------------------------------

    def set_compare(self, spec: dict) -> bool:
        """Store B's differences from A in the project's ``view.compare`` (saved with it)."""
        try:
            project_b(with_compare(self.document.project, spec))
        except ProjectError as error:
            self._failed(f"B: {error}")
            if self.b is not None:
                self.controls.show_project(self.b)
            return False
        view = self.document.project.view
        view["compare"] = spec
        return self.document.edit({"view": view})

    def set_b(self, section: str, **values) -> bool:
        """B = A with ``values`` in ``section`` (e.g. ``set_b("init", scheme="he_normal")``)."""
        spec = copy.deepcopy(compare_spec(self.document.project))
        spec.pop("file", None) if values else None
        part = spec.get(section) if isinstance(spec.get(section), dict) else {}
        part.update(values)
        spec[section] = part
        return self.set_compare(spec)

    def _scheme_chosen(self, _index) -> None:
        self.set_b("init", scheme=self.controls.scheme_combo.currentData())

    def _activation_chosen(self, _index) -> None:
        self.set_b("network", activation=self.controls.activation_combo.currentData())

    def load_b(self, path) -> None:
        """B from a project file (raises ProjectError for a bad file, nothing changes)."""
        data = Project.load(path).to_dict()
        spec = {section: data[section] for section in B_SECTIONS}
        spec["file"] = Path(path).name
        if not self.set_compare(spec):
            raise ProjectError(self.message.text() or f"{Path(path).name} cannot be B for this A")

    def _load_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Load project B", "", "initviz project (*.json)")
        if not path:
            return
        try:
            self.load_b(path)
        except ProjectError as error:
            QtWidgets.QMessageBox.critical(self, "Cannot load B", str(error))

    # --- computing and drawing -------------------------------------------------------------

    def _refresh(self) -> None:
        project = self.document.project
        key = project.sections_json(COMPUTED) + repr(compare_spec(project))
        if key == self._key:
            if self.datas is not None and self.document.settings != self._settings:
                self._show(self.datas)  # display settings only: re-draw
            return
        self._key = key
        try:
            self.b = project_b(project)
        except ProjectError as error:
            self.b = project.copy()
            self._failed(f"B: {error} (showing A twice)")
        self.controls.show_project(self.b)
        self._titled = project
        self._show_titles()
        self.message.setText("")
        self.task.request([project.copy(), self.b.copy()])

    def _show_titles(self) -> None:
        """"A: …" and "B: …" at the theme's size (again on a new theme)."""
        project = self._titled
        source = compare_spec(project).get("file")
        for side, p in (("A", project), ("B", self.b)):
            origin = f" (from {html.escape(source)})" if side == "B" and source else ""
            self.titles[side].setText(
                f"<span style='font-size:{self.theme.font_pt * 1.2:.1f}pt'><b>{side}</b>{origin}: "
                f"{describe(p)}</span>")

    def _show(self, datas) -> None:
        self.datas = datas
        self.depth_plot.show_data(datas)
        settings = self._settings = self.document.settings
        self._fit_grids()
        each = [column_peaks(d, settings.log_magnitude) for d in datas]
        peaks = {key: max(p[key] for p in each) for key in each[0]}
        self._drawing = len(SIDES)
        for side, data in zip(SIDES, datas, strict=True):
            self.grids[side].show_data(data, self._grid_settings(settings, data.depth_count),
                                       peaks)

    def _grid_settings(self, settings, depth: int):
        if self.stage_rows is None or settings.layers != "auto":
            return settings  # the teacher's own choice of layers wins
        return dataclasses.replace(settings, layers=spread_layers(depth, self.stage_rows))

    def set_stage_rows(self, count: int | None) -> None:
        """Show ``count`` spread rows (None: all), re-drawing the last result (also at a
        new row height)."""
        self.stage_rows = count
        if self.datas is not None:
            self._show(self.datas)

    # --- layout -------------------------------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        if watched is self.sideways.viewport() and event.type() == QtCore.QEvent.Type.Resize:
            self._fit_grids()
        return super().eventFilter(watched, event)

    def _fit_grids(self) -> None:
        """Both grids the same quantities at the same cell width (equal pixels for equal
        axes): as many as fit at min_cell_width, or the ones chosen, sideways if need be."""
        room = self.sideways.viewport().width() - 2 * GRID_MARGIN - GRID_GAP
        a, b = self.grids["A"], self.grids["B"]
        smallest = min_cell_width(self.theme)

        def width(cell, count=None):
            return a.width_for(cell, count) + b.width_for(cell, count)

        fits = max([k for k in range(1, len(plot_data.COLUMNS) + 1)
                    if width(smallest, k) <= room], default=1)
        setting = self.document.settings.compare_columns
        columns = shown_columns(setting, fits)
        self.controls.column_chooser.show_columns(columns, setting == "auto")
        for grid in (a, b):
            grid.set_layout(columns, grid.row_labels, grid.scroll_bar)
        cell = max(smallest, (room - width(0)) / (2 * len(columns)))
        for grid in (a, b):
            grid.setFixedWidth(grid.width_for(cell))

    def _grid_drawn(self) -> None:
        if self._drawing <= 0:  # a grid re-drawn for a new layout, not a new result
            return
        self._drawing -= 1
        if self._drawing == 0 and self.datas is not None:
            self.compared.emit(self.datas)

    def _cancelled(self) -> None:
        """Stopped on close: computed again when the view is next shown."""
        self._key = None
        self._stale = True

    def _failed(self, message: str) -> None:
        colour = th.WARNING_COLOURS["nonfinite"]
        self.message.setText(f"<b style='color:{colour}'>{html.escape(message)}</b>")
        self.document.show_message(message)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        self.depth_plot.apply_theme(theme)
        for grid in self.grids.values():
            grid.apply_theme(theme)
        self._fit_grids()
        if self._titled is not None:
            self._show_titles()

    def shutdown(self) -> None:
        for grid in self.grids.values():
            grid.cancel()
        self.task.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
