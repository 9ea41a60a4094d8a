"""The "Layers" view: depth summary, formula table and the layer grid (or the heat map).

Shared by the main window and the headless renderer. Display settings come in
as a ViewSettings; changing them re-draws the last result, never recomputes.
"""
from __future__ import annotations

import dataclasses

from PySide6 import QtCore, QtWidgets

from initviz.gui import theme as th
from initviz.gui.controls.flow_layout import FlowLayout, joined
from initviz.gui.plots.depth_plot import DepthSummaryPlot
from initviz.gui.plots.heatmap import LayerHeatmap
from initviz.gui.plots.layer_grid import LayerHistogramGrid
from initviz.gui.view_settings import ViewSettings, format_layers, parse_layers, spread_layers
from initviz.gui.views.formula_panel import FormulaPanel


class DisplayBar(QtWidgets.QWidget):
    """Toggles for the display settings; emits the changed ``view`` keys."""

    viewEdited = QtCore.Signal(dict)
    invalidInput = QtCore.Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.shared_check = QtWidgets.QCheckBox("Shared axes")
        self.shared_check.setObjectName("sharedAxesCheck")
        self.shared_check.setToolTip(
            "One value axis per column, so shrinking or exploding layers look it "
            "(off: each plot fits its own data)")
        self.log_check = QtWidgets.QCheckBox("Log counts")
        self.log_check.setObjectName("logCountsCheck")
        self.log_check.setToolTip("Fraction of values per bin on a log axis (Ctrl+L)")
        self.heatmap_check = QtWidgets.QCheckBox("Heat map")
        self.heatmap_check.setObjectName("heatmapCheck")
        self.heatmap_check.setToolTip(
            "Every layer as one row of colour: fits a hundred layers (Ctrl+H)")
        self.band_check = QtWidgets.QCheckBox("Seed spread")
        self.band_check.setObjectName("seedBandToggle")
        self.band_check.setToolTip(
            "On the depth plot: the measured std over eight seeds (this seed and the next "
            "seven) as a band, and their rms average, which approaches the theory")
        self.layers_edit = QtWidgets.QLineEdit()
        self.layers_edit.setObjectName("layersEdit")
        self.layers_edit.setPlaceholderText("auto")
        self.layers_edit.setToolTip(
            "Layers with a histogram row: auto, all, or a list like 1-3, 10, 28-30")
        self.layers_edit.setMaximumWidth(220)
        layout = FlowLayout(self)  # wraps on a narrow window instead of widening it
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (self.shared_check, self.log_check, self.heatmap_check, self.band_check,
                       joined("Layers shown:", self.layers_edit)):
            layout.addWidget(widget)
        self.shared_check.toggled.connect(lambda on: self.viewEdited.emit({"shared_axes": on}))
        self.log_check.toggled.connect(lambda on: self.viewEdited.emit({"log_counts": on}))
        self.heatmap_check.toggled.connect(lambda on: self.viewEdited.emit({"heatmap": on}))
        self.band_check.toggled.connect(lambda on: self.viewEdited.emit({"seed_band": on}))
        self.layers_edit.editingFinished.connect(self._layers_edited)

    def _layers_edited(self) -> None:
        try:
            layers = parse_layers(self.layers_edit.text())
        except ValueError as error:
            self.invalidInput.emit(str(error))
            return
        self.viewEdited.emit({"layers": layers})

    def show_settings(self, settings: ViewSettings) -> None:
        for widget, value in ((self.shared_check, settings.shared_axes),
                              (self.log_check, settings.log_counts),
                              (self.heatmap_check, settings.heatmap),
                              (self.band_check, settings.seed_band)):
            widget.blockSignals(True)
            widget.setChecked(value)
            widget.blockSignals(False)
        if not self.layers_edit.hasFocus():
            text = "" if settings.layers == "auto" else format_layers(settings.layers)
            self.layers_edit.setText(text)


class DashboardView(QtWidgets.QWidget):
    drawn = QtCore.Signal(object)
    """The PlotData now fully on screen."""
    exportRequested = QtCore.Signal(object)
    """A histogram cell's own "export this plot"."""

    def __init__(self, theme: th.Theme = th.NORMAL, parent=None, show_formula: bool = True,
                 show_display_bar: bool = True, side_by_side: bool = False):
        super().__init__(parent)
        self.data = None
        self.settings = ViewSettings()
        self.stage_rows: int | None = None
        """Presentation mode's few rows: with layers "auto", this many spread from the first
        layer to the last; None shows every row the settings ask for."""
        self.display_bar = DisplayBar()
        self.depth_plot = DepthSummaryPlot(theme)
        self.formula_panel = FormulaPanel()
        self.grid = LayerHistogramGrid(theme, scrolling=not side_by_side)
        self.heatmap = LayerHeatmap(theme)
        self.stack = QtWidgets.QStackedWidget()
        self.stack.addWidget(self.grid)
        self.stack.addWidget(self.heatmap)
        top = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        top.addWidget(self.depth_plot)
        top.addWidget(self.formula_panel)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        self.formula_panel.setVisible(show_formula)
        if side_by_side:  # the renderer: grid on the left, depth summary on the right
            self.splitter = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
            self.splitter.addWidget(self.stack)
            self.splitter.addWidget(top)
            self.splitter.setStretchFactor(0, 5)
            self.splitter.setStretchFactor(1, 2)
        else:
            self.splitter = QtWidgets.QSplitter(QtCore.Qt.Vertical)
            self.splitter.addWidget(top)
            self.splitter.addWidget(self.stack)
            self.splitter.setStretchFactor(0, 1)
            self.splitter.setStretchFactor(1, 3)
            self.splitter.setSizes([340, 660])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.display_bar)
        layout.addWidget(self.splitter, 1)
        self.display_bar.setVisible(show_display_bar)
        self.grid.drawn.connect(self._grid_drawn)
        self.grid.exportRequested.connect(self.exportRequested)
        self._grid_stale = False

    def selected_plot(self):
        """What "export the selected plot" means: the clicked histogram, else the depth summary,
        with the newest data (a row scrolled out of sight is drawn first)."""
        self.grid.draw_pending()
        return self.grid.selected_cell or self.depth_plot.plot_item

    def apply_theme(self, theme: th.Theme) -> None:
        for part in (self.depth_plot, self.grid, self.heatmap):
            part.apply_theme(theme)
        if self.data is not None:
            self.show_data(self.data, self.settings)

    def show_data(self, data, settings: ViewSettings) -> None:
        """Draw ``data``; ``drawn`` follows once every visible plot shows it."""
        self.data, self.settings = data, settings
        self.display_bar.show_settings(settings)
        self.depth_plot.show_data(data)
        self.formula_panel.show_data(data)
        self.stack.setCurrentWidget(self.heatmap if settings.heatmap else self.grid)
        if settings.heatmap:  # drawn when shown: a hidden heat map costs nothing per update
            self.heatmap.show_data(data)
            self.grid.cancel()
            self._grid_stale = True
            self.drawn.emit(data)
        else:
            self._grid_stale = False
            self.grid.show_data(data, self._grid_settings(settings, data.depth_count))

    def _grid_settings(self, settings: ViewSettings, depth: int) -> ViewSettings:
        if self.stage_rows is None or settings.layers != "auto":
            return settings  # the teacher's own choice of layers wins
        return dataclasses.replace(settings, layers=spread_layers(depth, self.stage_rows))

    def set_stage_rows(self, count: int | None) -> None:
        """Show ``count`` spread rows (None: all), re-drawing the last result."""
        if count != self.stage_rows:
            self.stage_rows = count
            if self.data is not None:
                self.show_data(self.data, self.settings)

    def show_settings(self, settings: ViewSettings) -> None:
        """New display settings: re-draw the last result (no computation)."""
        if self.data is None:
            self.settings = settings
            self.display_bar.show_settings(settings)
            return
        if settings != self.settings or self._grid_stale:
            self.show_data(self.data, settings)

    def _grid_drawn(self) -> None:
        if self.data is not None:
            self.drawn.emit(self.data)
