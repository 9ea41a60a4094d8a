"""Std against depth, forward and backward, measured (solid) and predicted (dashed).

The theory is variance propagation (initviz.core.theory): Var(z_l) for the
pre-activations, Var(∂L/∂z_l) backward, anchored at the measured output gradient;
centred like the measured std (√Var, not √E[z²], which a bias of non-zero mean
would inflate). A good initialisation keeps both curves flat; a bad one makes
them straight lines on this log axis (exponential growth or decay with depth).
The theory is an average over weight draws: below SMALL_WIDTH a note says one
draw can be far from it, and a band can show the spread over eight seeds
(seed_band).
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.log_axis import DecadeAxis

CURVES = (
    ("forward", "z, measured", th.FORWARD_COLOUR, QtCore.Qt.SolidLine),
    ("forward_theory", "z, theory", th.FORWARD_COLOUR, QtCore.Qt.DashLine),
    ("backward", "∂L/∂z, measured", th.BACKWARD_COLOUR, QtCore.Qt.SolidLine),
    ("backward_theory", "∂L/∂z, theory", th.BACKWARD_COLOUR, QtCore.Qt.DashLine),
)
BANDS = (("forward", "z", th.FORWARD_COLOUR), ("backward", "∂L/∂z", th.BACKWARD_COLOUR))
SMALL_WIDTH = 64
"""Below this many units in a hidden layer the depth plot says that one draw can be far
from the theory. The std at layer 10 over the theory's, 64 seeds each (ReLU with He,
tanh with Xavier; 10th–90th percentile): width 8, 0.08–1.6 and 0.53–1.27; width 32,
0.42–1.44 and 0.86–1.08; width 128, 0.77–1.20 and 0.96–1.03."""


THEORY_Z = 10
"""The theory's dashes lie over the measured lines and dots: where theory and measurement
agree (the point of a good initialisation) the dashes must still be seen."""
LEGEND_GAP = 24
"""Pixels between legend entries, and kept free beside a legend on one row."""
MEASURED_ALPHA = 120
"""The measured line is a wide, pale band (its dots full colour), so a thin dark dash shows
on top of it."""


def measured_pen(hex_code: str, theme: th.Theme) -> QtGui.QPen:
    return pg.mkPen(th.colour(hex_code, MEASURED_ALPHA), width=theme.line_width * 2.4)


def theory_pen(hex_code: str, theme: th.Theme) -> QtGui.QPen:
    """Thin, dark and in long dashes: another line than the measured one, at a glance."""
    pen = pg.mkPen(th.colour(hex_code).darker(220), width=theme.line_width)
    pen.setDashPattern([5.0, 3.0])  # in pen widths: long dashes, short gaps
    return pen


def layer_list(layers) -> str:
    """'layer 3' or 'layers 1, 2, 3' (at most eight named)."""
    names = [str(int(layer)) for layer in layers]
    text = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
    return f"layer{'s' if len(names) > 1 else ''} {text}"


def dot_path(x: np.ndarray, y: np.ndarray) -> QtGui.QPainterPath:
    """A very short stroke at each point (1/1000 of a layer): a dot, drawn by a wide pen with
    a round cap (Qt leaves a stroke of length zero out)."""
    path = QtGui.QPainterPath()
    for px, py in zip(x.tolist(), y.tolist()):
        path.moveTo(px, py)
        path.lineTo(px + 1e-3, py)
    return path


def band_path(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> QtGui.QPainterPath:
    """The area between ``low`` and ``high``, one polygon per run of finite layers."""
    path = QtGui.QPainterPath()
    finite = np.isfinite(low) & np.isfinite(high)
    runs = np.split(np.arange(x.size), np.flatnonzero(np.diff(finite.astype(np.int8))) + 1)
    for run in runs:
        if run.size and finite[run[0]]:
            outline = [QtCore.QPointF(x[i], high[i]) for i in run]
            outline += [QtCore.QPointF(x[i], low[i]) for i in run[::-1]]
            path.addPolygon(QtGui.QPolygonF(outline))
            path.closeSubpath()
    return path


def positive_or_nan(values: np.ndarray) -> np.ndarray:
    """A log axis cannot show 0 or inf: such points are left out (the line breaks there)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


class DepthSummaryPlot(pg.PlotWidget):
    legend = None
    """The legend below the plot (_build_legend); None until the theme is applied."""

    def __init__(self, theme: th.Theme = th.NORMAL, parent=None):
        super().__init__(parent, axisItems={"left": DecadeAxis("left")})
        self.plot_item = self.getPlotItem()
        self.plot_item.setLogMode(x=False, y=True)
        self.plot_item.showGrid(x=True, y=True, alpha=0.25)
        self.plot_item.hideButtons()
        self.plot_item.setMouseEnabled(False, False)
        # Each curve is drawn by Qt path items: a line, and for the measured curves a dot per
        # layer (dot_path: a round-capped stroke, pixels wide at any zoom). As
        # PlotDataItems (a curve and a scatter plot each) their data and painting took a
        # tenth of every update's time in the GUI thread.
        self.lines, self.dots, self.shown = {}, {}, {}
        self.samples = {}
        """Legend samples only (never drawn in the plot): pen and symbol of each curve."""
        view_box = self.plot_item.getViewBox()
        for key, _, _, style in CURVES:
            self.samples[key] = pg.PlotDataItem()
            self.lines[key] = QtWidgets.QGraphicsPathItem()
            view_box.addItem(self.lines[key], ignoreBounds=True)
            if style == QtCore.Qt.SolidLine:
                self.dots[key] = QtWidgets.QGraphicsPathItem()
                view_box.addItem(self.dots[key], ignoreBounds=True)
        self.legend = None
        self._shown_values = np.array([])
        self._decades = None
        self._count = None
        th.plain_numbers(self.plot_item.getAxis("left"))  # "(x0.001)" misleads on log
        self.missing_note = pg.TextItem(anchor=(0, 0))
        self.missing_note.setParentItem(self.plot_item.getViewBox())
        self.missing_note.setPos(8, 8)
        self.width_note = pg.TextItem(anchor=(0, 1))
        self.width_note.setParentItem(self.plot_item.getViewBox())
        self.width_note.setVisible(False)
        self.plot_item.getViewBox().sigResized.connect(self._place_width_note)
        self.band = None
        """The SeedSpread drawn, or None."""
        self.band_areas, self.band_lines, self.band_samples = {}, {}, {}
        for key, _, _ in BANDS:
            self.band_areas[key] = QtWidgets.QGraphicsPathItem()  # under the curves
            self.band_areas[key].setZValue(-5)
            self.band_lines[key] = QtWidgets.QGraphicsPathItem()
            self.band_samples[key] = pg.PlotDataItem()
            for item in (self.band_areas[key], self.band_lines[key]):
                view_box.addItem(item, ignoreBounds=True)
                item.setVisible(False)
        for name in ("left", "bottom"):  # a pixmap: redrawn only when the decades change
            self.plot_item.getAxis(name).setCacheMode(
                QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
            )
        self.apply_theme(theme)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        self.missing_note.setColor(theme.foreground)
        font = QtGui.QFont()
        font.setPointSizeF(theme.font_pt * 0.9)
        self.missing_note.setFont(font)
        self.width_note.setColor(theme.foreground)
        self.width_note.setFont(font)
        self.width_note.fill = pg.mkBrush(th.colour(theme.background))  # over curves: readable
        for key, _, hex_code in BANDS:
            fill = th.colour(hex_code)
            fill.setAlpha(55)
            self.band_areas[key].setBrush(fill)
            self.band_areas[key].setPen(QtGui.QPen(QtCore.Qt.NoPen))
            line = pg.mkPen(th.colour(hex_code), width=theme.line_width, style=QtCore.Qt.DotLine)
            self.band_lines[key].setPen(line)
            self.band_samples[key].setPen(pg.mkPen(fill, width=theme.font_pt))
        for key, _, hex_code, style in CURVES:
            measured = style == QtCore.Qt.SolidLine
            pen = measured_pen(hex_code, theme) if measured else theory_pen(hex_code, theme)
            self.lines[key].setZValue(0 if measured else THEORY_Z)
            self.samples[key].setPen(pen)
            self.lines[key].setPen(pen)
            if measured:
                dot = pg.mkPen(th.colour(hex_code), width=theme.font_pt * 0.6)
                dot.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
                self.dots[key].setPen(dot)
                self.samples[key].setSymbol("o")
                self.samples[key].setSymbolSize(theme.font_pt * 0.6)
                self.samples[key].setSymbolBrush(th.colour(hex_code))
                self.samples[key].setSymbolPen(None)
                self.samples[key].setData([0.0], [1.0])  # its scatter takes these styles only then
        for name in ("left", "bottom"):
            th.style_axis(self.plot_item.getAxis(name), theme)
        self.plot_item.setLabel("bottom", "layer")
        # a short axis label: on a projector the plot is ~150 px tall and a longer one is cut;
        # the title says what the values are and that the axis is logarithmic
        self.plot_item.setLabel("left", "std")
        self.plot_item.setTitle(
            "Std against depth (√Var, log axis)", color=theme.foreground,
            size=f"{theme.font_pt * 1.1:.1f}pt", bold=True,
        )
        self._build_legend(theme)

    def _build_legend(self, theme: th.Theme) -> None:
        """Below the plot, a column each for measured, theory and (when shown) the seeds'
        band: never on top of a curve."""
        if self.legend is not None:
            self.plot_item.layout.removeItem(self.legend)
            self.legend.scene() and self.legend.scene().removeItem(self.legend)
        self.legend = pg.LegendItem(
            colCount=2 if self.band is None else 3, labelTextColor=theme.foreground,
            labelTextSize=f"{theme.font_pt * 0.9:.1f}pt",
            frame=False,
        )
        for key, name, _, _ in CURVES:
            self.legend.addItem(self.samples[key], name)
            if self.band is not None and key.endswith("theory"):  # rows: z, then ∂L/∂z
                first, last = self.band.seeds[0], self.band.seeds[-1]
                band_key, band_name, _ = BANDS[0 if key.startswith("forward") else 1]
                self.legend.addItem(
                    self.band_samples[band_key], f"{band_name}, seeds {first}–{last} (··· rms)")
        self.plot_item.layout.addItem(self.legend, 4, 1)
        self._fit_legend_columns()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_legend_columns()

    def _fit_legend_columns(self) -> None:
        """Every entry on one row where the plot is wide enough: on a projector's stage the
        plot is short, and a second legend row takes a fifth of its height."""
        if self.legend is None or self.closed:  # closed: pyqtgraph has cleared the scene
            return
        needed = sum(sample.boundingRect().width() + label.item.boundingRect().width()
                     + LEGEND_GAP for sample, label in self.legend.items)
        room = self.width() - self.plot_item.getAxis("left").width() - LEGEND_GAP
        count = len(self.legend.items) if needed <= room else (2 if self.band is None else 3)
        if count != self.legend.columnCount:
            self.legend.setColumnCount(count)

    def show_data(self, data) -> None:
        depth = data.depth
        shown = []
        layers = np.asarray(depth["layer"], dtype=np.float64)
        for key, _, _, _ in CURVES:
            values = positive_or_nan(depth[key])
            self.shown[key] = values
            finite = np.isfinite(values)
            with np.errstate(invalid="ignore"):
                logs = np.log10(values)  # the axis is logarithmic: y is drawn as log10(std)
            self.lines[key].setPath(
                pg.arrayToQPath(layers, logs, connect="finite") if finite.sum() > 1
                else QtGui.QPainterPath())
            if key in self.dots:
                self.dots[key].setPath(dot_path(layers[finite], logs[finite]))
            if finite.any():
                shown.append(values[finite])
        count = max(len(depth["layer"]), 1)
        if count != self._count:  # else the axis keeps its rendered pixmap
            self._count = count
            self.plot_item.setXRange(0.5, count + 0.5, padding=0)
            bottom = self.plot_item.getAxis("bottom")
            if count <= 15:  # whole layers only: there is no layer 2.5
                bottom.setTickSpacing(1, 1)
            else:
                bottom.setTickSpacing()
        self._shown_values = np.concatenate(shown) if shown else np.array([])
        self._fit_decades()
        self._show_missing(depth)
        self._show_width_note(data.simulation.layers)

    def _show_width_note(self, layers) -> None:
        """Mean-field theory holds at large width: say so where one draw can be far off."""
        narrowest = min((layer.fan_out for layer in layers[:-1]), default=None)
        small = narrowest is not None and narrowest < SMALL_WIDTH
        if small:
            text = (f"width {narrowest}: the theory is the average over weight draws, "
                    "one draw can be far off")
            if text != self.width_note.toPlainText():
                self.width_note.setText(text)
                self._place_width_note()
        self.width_note.setVisible(small)

    def _place_width_note(self) -> None:
        view_box = self.plot_item.getViewBox()
        self.width_note.setTextWidth(max(view_box.width() - 8, 80))  # wraps, never cut off
        self.width_note.setPos(4, view_box.height() - 2)

    def show_band(self, spread) -> None:
        """Draw the seeds' range (a band) and rms average (dotted) of ``spread``; None hides it."""
        had_band, self.band = self.band is not None, spread
        for key, _, _ in BANDS:
            visible = spread is not None
            self.band_areas[key].setVisible(visible)
            self.band_lines[key].setVisible(visible)
            if visible:
                layers = np.arange(1, len(spread.low[key]) + 1, dtype=np.float64)
                with np.errstate(invalid="ignore", divide="ignore"):
                    low, high, average = (np.log10(positive_or_nan(values)) for values in (
                        spread.low[key], spread.high[key], spread.average[key]))
                self.band_areas[key].setPath(band_path(layers, low, high))
                self.band_lines[key].setPath(
                    pg.arrayToQPath(layers, average, connect="finite")
                    if np.isfinite(average).sum() > 1 else QtGui.QPainterPath())
        if had_band != (spread is not None) or spread is not None:
            self._build_legend(self.theme)  # the band's entries name its seeds
        self._fit_decades()

    def _fit_decades(self) -> None:
        """Decades that hold the curves and, when shown, the band."""
        values = [self._shown_values]
        if self.band is not None:
            values += [positive_or_nan(v) for part in (self.band.low, self.band.high)
                       for v in part.values()]
        values = np.concatenate(values)
        self._show_decades(values[np.isfinite(values)])

    def _show_missing(self, depth) -> None:
        """Say which measured points a log axis cannot show, instead of leaving a silent gap."""
        lines = []
        for key, name in (("forward", "z"), ("backward", "∂L/∂z")):
            values = np.asarray(depth[key], dtype=np.float64)
            zero = depth["layer"][values == 0]
            broken = depth["layer"][~np.isfinite(values)]
            if zero.size:
                lines.append(f"std of {name} is 0 at {layer_list(zero)}")
            if broken.size:
                lines.append(f"std of {name} is inf/NaN at {layer_list(broken)}")
        text = "\n".join(lines)
        if text != self.missing_note.toPlainText():  # usually "" again: no text laid out
            self.missing_note.setText(text)
        self.missing_note.setVisible(bool(lines))

    def _show_decades(self, values: np.ndarray) -> None:
        """The y range in whole decades (at least three): honest on a log axis, and steady while
        a slider moves."""
        if values.size:
            decades = (math.floor(math.log10(values.min())), math.ceil(math.log10(values.max())))
            if decades[1] - decades[0] < 3:  # fewer: pyqtgraph labels every minor tick
                middle = (decades[0] + decades[1]) // 2
                decades = (middle - 1, middle + 2)
        else:
            decades = (-1, 1)
        old = self._decades
        if old is not None and old[0] <= decades[0] and decades[1] <= old[1] and (
            old[1] - old[0] <= max(decades[1] - decades[0], 3) + 1
        ):  # still holds every point, at most one spare decade: no jump while a slider moves
            decades = old
        if decades != self._decades:
            self.plot_item.setYRange(*decades, padding=0.02)
            self._decades = decades
