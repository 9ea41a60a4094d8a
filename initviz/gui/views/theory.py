"""The Theory view: order-to-chaos phase diagram, depth scale and Jacobian spectrum.

Poole et al. (2016) and Schoenholz et al. (2017) for χ₁ and the depth scales ξ_c, ξ_q,
Saxe et al. (2013) and Pennington et al. (2017) for the singular values of the
input–output Jacobian (initviz.core.jacobian). Everything is computed in a
background thread; the phase diagram depends only on the activation, so it is
cached and the scheme slider only moves the marker (``prepare.theory``).
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.controls.jacobian_panel import JacobianBar, plot_message
from initviz.gui.plots.log_axis import DecadeAxis
from initviz.gui.prepare.theory import (
    INPUTS_KEY,
    TheoryResult,
    chosen_inputs,
    compute_theory,
    rich,
    verdict,
)
from initviz.gui.view_refresh import RefreshWhenVisible, view_document
from initviz.gui.workers.background import BackgroundTask, stop_requested

COMPUTED = ("network", "init", "data")
CHI_LEVELS = (0.0, 2.0)
"""Colour scale of χ₁: white at the edge of chaos (χ₁ = 1), blue ordered, red chaotic."""


def compute_theory_here(project) -> TheoryResult:
    """``compute_theory`` in the view's thread, stopping between its steps when the view
    closes (looked up at call time, so a test can replace it)."""
    return compute_theory(project, stop_requested())


def chi_colormap() -> pg.ColorMap:
    """Diverging, white at χ₁ = 1 (the middle of CHI_LEVELS), Okabe–Ito blue and vermillion ends."""
    ends = [th.OKABE_ITO["blue"], "#FFFFFF", th.OKABE_ITO["vermillion"]]
    return pg.ColorMap([0.0, 0.5, 1.0], ends)


class TheoryPlots(pg.GraphicsLayoutWidget):
    def __init__(self, theme: th.Theme = th.NORMAL, parent=None):
        super().__init__(parent)
        self.phase_plot = self.addPlot(row=0, col=0, rowspan=2)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setColorMap(chi_colormap())
        self.phase_plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(values=CHI_LEVELS, colorMap=chi_colormap(),
                                          interactive=False, width=14)
        self.colour_bar.setImageItem(self.image, insert_in=None)
        self.addItem(self.colour_bar, row=0, col=1, rowspan=2)
        self.critical = self.phase_plot.plot()
        self.marker = pg.ScatterPlotItem(symbol="star", size=22)
        self.phase_plot.addItem(self.marker)
        self.marker_label = pg.TextItem("this project", anchor=(0, 1))
        self.phase_plot.addItem(self.marker_label)
        self.phase_plot.getViewBox().setBackgroundColor("#C8C8C8")  # where χ₁ is undefined
        self.diverged_label = pg.TextItem(
            "no fixed point q*:\nthe variance grows\nwithout bound", anchor=(0.5, 0.5))
        self.phase_plot.addItem(self.diverged_label)
        self.depth_plot = self.addPlot(row=0, col=2, axisItems={"left": DecadeAxis("left")})
        self.depth_plot.setLogMode(x=False, y=True)
        self.depth_curve = self.depth_plot.plot(connect="finite")
        self.length_depth_curve = self.depth_plot.plot(connect="finite")
        self.depth_marker = pg.ScatterPlotItem(symbol="star", size=18)
        self.depth_plot.addItem(self.depth_marker)
        self.depth_line = pg.InfiniteLine(
            angle=0, movable=False, label="depth of this network",
            labelOpts={"position": 0.97, "anchors": [(1, 1), (1, 1)]})
        self.depth_plot.addItem(self.depth_line)
        self.jacobian_plot = self.addPlot(row=1, col=2, axisItems={"bottom": DecadeAxis("bottom")})
        self.jacobian_plot.getAxis("bottom").setLogMode(True)  # the data are log10 already
        self.jacobian_hist = self.jacobian_plot.plot(stepMode="center", fillLevel=0)
        self.isometry = pg.InfiniteLine(pos=0.0, angle=90, movable=False)
        self.jacobian_plot.addItem(self.isometry)
        self.jacobian_message = pg.TextItem("", anchor=(0.5, 0.5))
        self.jacobian_plot.addItem(self.jacobian_message)
        self.isometry_note = pg.TextItem("", anchor=(0, 0))  # when 1 is far out of range
        self.jacobian_plot.addItem(self.isometry_note)
        # set by each result; auto-range on the lone isometry line would give a zero-wide range
        self.jacobian_plot.setRange(xRange=(-1, 1), yRange=(0, 1), padding=0)
        for plot in (self.phase_plot, self.depth_plot, self.jacobian_plot):
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(False, False)
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(2, 2)
        self.apply_theme(theme)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        size = f"{theme.font_pt * 1.1:.1f}pt"
        # short lines: a title's one long line was the plots' minimum width, and cut the
        # right-hand plots off on a 1024-pixel projector
        titles = ((self.phase_plot, "Order to chaos:\nχ₁ = σ_w²·E[φ'(z)²]\nat the fixed point q*"),
                  (self.depth_plot, "Depth scales ξ_c (solid),\nξ_q (dashed) at this σ_b²"),
                  (self.jacobian_plot, "Singular values\nof ∂z_L/∂x at init"))
        for plot, title in titles:
            html_title = "<br>".join(rich(line) for line in title.split("\n"))
            plot.setTitle(html_title, color=theme.foreground, size=size, bold=True)
            lines = math.ceil(plot.titleLabel.itemRect().height())  # pyqtgraph fixes one line
            plot.titleLabel.setMaximumHeight(lines)
            plot.layout.setRowFixedHeight(0, lines)
            for name in ("left", "bottom"):
                th.style_axis(plot.getAxis(name), theme)
                th.plain_numbers(plot.getAxis(name))
        th.style_axis(self.colour_bar.axis, theme)
        # a title above the bar, not an axis label beside its ticks, which it overlapped
        self.colour_bar.setTitle("χ₁", color=theme.foreground, size=f"{theme.font_pt:.1f}pt",
                                 bold=True)
        tick_font = self.colour_bar.axis.style.get("tickFont") or QtGui.QFont()
        gap = QtGui.QFontMetricsF(tick_font).height() / 2 + 4  # the top tick label's upper half
        self.colour_bar.layout.setRowFixedHeight(1, gap)  # row 1: the (hidden) top axis
        self.phase_plot.setLabel("bottom", rich("σ_w² = fan-in · Var(W)"))
        self.phase_plot.setLabel("left", rich("σ_b² = E[b²]"))
        self.depth_plot.setLabel("bottom", rich("σ_w²"))
        self.depth_plot.setLabel("left", "ξ, layers (log axis)")
        self.jacobian_plot.setLabel("bottom", "non-zero singular values (log axis)")
        self.jacobian_plot.setLabel("left", "count")
        ink = theme.foreground
        self.critical.setPen(pg.mkPen(ink, width=theme.line_width * 1.6))
        for marker in (self.marker, self.depth_marker):
            marker.setBrush(pg.mkBrush(th.OKABE_ITO["yellow"]))
            marker.setPen(pg.mkPen(ink, width=1.5))
        self.marker_label.setColor(ink)
        self.diverged_label.setColor(ink)
        self.diverged_label.setFont(th.plot_font(theme, 1.0))
        self.marker_label.setFont(th.plot_font(theme, 1.0, bold=True))
        self.depth_curve.setPen(pg.mkPen(th.FORWARD_COLOUR, width=theme.line_width * 1.3))
        self.length_depth_curve.setPen(pg.mkPen(th.FORWARD_COLOUR, width=theme.line_width,
                                                style=QtCore.Qt.DashLine))
        self.depth_line.setPen(pg.mkPen(ink, width=theme.line_width, style=QtCore.Qt.DashLine))
        self.depth_line.label.setColor(ink)
        self.depth_line.label.setFont(th.plot_font(theme, 0.9))
        self.jacobian_hist.setPen(pg.mkPen(th.OKABE_ITO["reddish_purple"], width=theme.line_width))
        self.jacobian_hist.setBrush(th.colour(th.OKABE_ITO["reddish_purple"], theme.fill_alpha))
        self.isometry.setPen(pg.mkPen(ink, width=theme.line_width, style=QtCore.Qt.DashLine))
        self.jacobian_message.setColor(th.WARNING_COLOURS["nonfinite"])
        self.isometry_note.setColor(ink)
        self.isometry_note.setFont(th.plot_font(theme, 0.9))
        self.jacobian_message.setFont(th.plot_font(theme, 1.0, bold=True))

    def show_result(self, result: TheoryResult) -> None:
        diagram, point = result.diagram, result.point
        chi = np.where(diagram.diverged, np.nan, diagram.chi1)
        self.image.setImage(chi, autoLevels=False, levels=CHI_LEVELS)
        w, b = diagram.weight_vars, diagram.bias_vars
        dw, db = w[1] - w[0], b[1] - b[0]
        cells = QtCore.QRectF(w[0] - dw / 2, b[0] - db / 2, w[-1] - w[0] + dw, b[-1] - b[0] + db)
        self.image.setRect(cells)  # pixel centres on the grid points
        self.critical.setData(result.line_weight_vars, result.line_bias_vars, connect="finite")
        self.marker.setData([point.weight_var], [point.bias_var])
        diverged = diagram.diverged
        self.diverged_label.setVisible(bool(diverged.any()))
        if diverged.any():
            columns = np.nonzero(diverged.all(axis=1))[0]
            left = w[columns[0]] if columns.size else w[-1]
            self.diverged_label.setPos((left + w[-1]) / 2, (b[0] + b[-1]) / 2)
        self.marker_label.setPos(point.weight_var, point.bias_var)
        right, top = point.weight_var > w[-1] / 2, point.bias_var > (b[0] + b[-1]) / 2
        self.marker_label.setAnchor((1.1 if right else -0.1, 0 if top else 1))  # into the plot
        self.phase_plot.setRange(xRange=(0, w[-1] + dw / 2), yRange=(b[0] - db / 2, b[-1] + db / 2),
                                 padding=0)
        for curve, values in ((self.depth_curve, result.depth_scales),
                              (self.length_depth_curve, result.length_depth_scales)):
            shown = np.where(np.isfinite(values) & (values > 0), values, np.nan)
            curve.setData(result.depth_weight_vars, shown)
        xi = result.here.xi_c
        if 0 < xi < math.inf:
            self.depth_marker.setData([point.weight_var], [math.log10(xi)])
        else:  # no depth scale here (no fixed point): no marker, x and y both empty
            self.depth_marker.setData([], [])
        self.depth_line.setPos(math.log10(max(result.depth, 1)))
        self._depth_range(result)
        self._show_spectrum(result.histogram, plot_message(result.spectrum))

    def _depth_range(self, result: TheoryResult) -> None:
        """Every curve, the marker and the network's depth in sight, with a quarter of the span
        above the depth line for its label."""
        values = np.concatenate([result.depth_scales, result.length_depth_scales,
                                 [result.here.xi_c, max(result.depth, 1)]])
        logs = np.log10(values[np.isfinite(values) & (values > 0)])
        low, high = float(logs.min()), float(logs.max())
        span = max(high - low, 1.0)
        self.depth_plot.setRange(yRange=(low - 0.05 * span, high + 0.25 * span), padding=0)

    def _show_spectrum(self, histogram, message: str) -> None:
        """The range is the data's own, set here: values far from 1 (1e-8 or 1e12) stay in
        sight, and an empty spectrum says why instead of showing blank axes."""
        edges, counts = histogram
        self.jacobian_hist.setData(edges, counts)
        self.jacobian_plot.setRange(xRange=(edges[0], edges[-1]),
                                    yRange=(0, max(int(counts.max()), 1) * 1.05), padding=0)
        self.jacobian_message.setText(message)
        self.jacobian_message.setPos((edges[0] + edges[-1]) / 2, 0.5)
        in_range = bool(edges[0] <= 0 <= edges[-1])
        self.isometry.setVisible(in_range)
        decades = float(edges[0] if edges[0] > 0 else -edges[-1])
        self.isometry_note.setText(
            "" if in_range or message else f"← 1 (isometry) is {decades:.0f} decades left"
            if edges[0] > 0 else f"1 (isometry) is {decades:.0f} decades right →")
        self.isometry_note.setPos(edges[0] if edges[0] > 0 else edges[-1],
                                  max(int(counts.max()), 1) * 1.05)
        self.isometry_note.setAnchor((0, 0) if edges[0] > 0 else (1, 0))


class TheoryView(RefreshWhenVisible, QtWidgets.QWidget):
    """Give it the window's ProjectDocument, or a Project for scripts and tests."""

    shown = QtCore.Signal(object)
    """The TheoryResult now on screen."""

    def __init__(self, document=None, project=None, parent=None):
        super().__init__(parent)
        self.setObjectName("theoryView")
        self.document = view_document(document, project, self)
        self.theme = th.NORMAL
        self.result = None
        self._key = None
        self.task = BackgroundTask(compute_theory_here, "initviz-theory", self)
        self.task.resultReady.connect(self._show)
        self.task.failed.connect(self._failed)
        self.task.cancelled.connect(self._cancelled)
        self.summary = QtWidgets.QLabel()
        self.summary.setObjectName("theorySummary")
        self.summary.setWordWrap(True)
        self.summary.setContentsMargins(8, 4, 8, 4)
        self.summary.setToolTip(
            "Mean-field theory: Poole et al. 2016, Schoenholz et al. 2017 (χ₁, ξ_c); "
            "Saxe et al. 2013, Pennington et al. 2017 (Jacobian spectrum, dynamical isometry)")
        self.plots = TheoryPlots(self.theme)
        self.jacobian_bar = JacobianBar()
        self.jacobian_bar.inputsChosen.connect(self.choose_jacobian_inputs)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.plots, 1)
        layout.addWidget(self.jacobian_bar)
        self._stale = True
        self.follow(self.document)
        self._project_changed()

    def choose_jacobian_inputs(self, name: str) -> bool:
        """Evaluate J at ``name`` (jacobian.DATA or jacobian.Q_STAR), saved in the project."""
        view = self.document.project.view
        view[INPUTS_KEY] = name
        return self.document.edit({"view": view})

    def _refresh(self) -> None:
        inputs = chosen_inputs(self.document.project.view)
        self.jacobian_bar.show_choice(inputs)
        key = (self.document.project.sections_json(COMPUTED), inputs)
        if key != self._key:
            self._key = key
            self.summary.setText("computing…")
            self.jacobian_bar.show_computing()
            self.task.request(self.document.project.copy())

    def _show(self, result: TheoryResult) -> None:
        self.result = result
        self.plots.show_result(result)
        self._show_summary()
        self.shown.emit(result)

    def _show_summary(self) -> None:
        """The verdict and the spectrum's caption, at the theme's size (again on a new theme)."""
        result = self.result
        self.summary.setText(f"<span style='font-size:{self.theme.font_pt * 1.1:.1f}pt'>"
                             f"{rich(verdict(result))}</span>")
        self.jacobian_bar.show_spectrum(result.spectrum, self.theme)

    def _cancelled(self) -> None:
        """Stopped on close: computed again when the view is next shown."""
        self._key = None
        self._stale = True

    def _failed(self, message: str) -> None:
        """The message here and in the status bar; the plots keep the last result."""
        self.summary.setText(f"<b style='color:{th.WARNING_COLOURS['nonfinite']}'>{message}</b>")
        self.jacobian_bar.caption.clear()
        self.document.show_message(message)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        self.plots.apply_theme(theme)
        if self.result is not None and self._key is not None:  # not while computing
            self._show_summary()

    def shutdown(self) -> None:
        self.task.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
