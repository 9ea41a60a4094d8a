"""The training curves: loss, accuracy, update:data ratio per layer, and the decision boundary.

Plot items are created once and updated with ``setData`` / ``setImage``. The
update ratio ‖ΔW‖/‖W‖ is drawn on a log axis with the 1e-3 rule of thumb
(Karpathy, CS231n): far below it a layer barely learns, far above it the
steps are too large.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.log_axis import DecadeAxis, decade_label
from initviz.gui.plots.plot_labels import legend_beside, narrow_title, reserve_legend, set_title
from initviz.gui.prepare.frames import CLASS_COLOURS
from initviz.gui.prepare.plot_data import nice_limits

RATIO_REFERENCE = 1e-3
TRAIN_COLOUR = th.OKABE_ITO["sky_blue"]
TEST_COLOUR = th.OKABE_ITO["blue"]
RATIO_CURVES = 16
"""The most update-ratio curves drawn: more lines cover each other on any screen."""
MAX_POINTS_SHOWN = 8192
"""Training points drawn on the decision boundary, at most: every k-th beyond this (said in
the title). A plot a few hundred pixels wide is as covered by 8192 points as by 65,536, and
pyqtgraph places each point in Python on the GUI thread (~1.5 µs a point)."""


def shown_layers(depth: int, most: int = RATIO_CURVES) -> list[int]:
    """Every layer (0-based) up to ``most``; else ``most`` of them from the first to the last,
    evenly spread."""
    if depth <= most:
        return list(range(depth))
    return sorted({round(i * (depth - 1) / (most - 1)) for i in range(most)})


def layer_colours(depth: int) -> list:
    """Layer 1 dark to layer L light, in the heat map's colour map (readable in grey too)."""
    colormap = pg.colormap.get(th.HEATMAP_COLORMAP)
    return [colormap.map(0.05 + 0.8 * i / max(depth - 1, 1), mode="qcolor") for i in range(depth)]


class History:
    """The curves' numbers as growing arrays (appending is cheaper than rebuilding lists)."""

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self.step, self.loss, self.accuracy = [], [], []
        self.test_step, self.test_loss, self.test_accuracy = [], [], []
        self.ratio: list[list[float]] = []

    def extend(self, records: list[dict]) -> None:
        for record in records:
            self.step.append(record["step"])
            self.loss.append(record["loss"])
            self.accuracy.append(record["accuracy"])
            self.ratio.append(record["update_ratio"])
            if "test_loss" in record:
                self.test_step.append(record["step"])
                self.test_loss.append(record["test_loss"])
                self.test_accuracy.append(record["test_accuracy"])

    def __len__(self) -> int:
        return len(self.step)


def _finite(values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)


class TrainingCurves(pg.GraphicsLayoutWidget):
    """Four plots in a 2 × 2 grid: loss | accuracy, update ratio | decision boundary.

    The two columns share the width equally whatever the titles say: a title never sets
    a plot's minimum width (a long one would squeeze the other column mid-demo), and what
    changes during a run (the ratio's "0 everywhere") is a badge inside its view box.
    Legends sit right of their view box, where they cannot cover a curve or a line.
    """

    def __init__(self, theme: th.Theme = th.NORMAL, parent=None):
        super().__init__(parent)
        self.loss_plot = self.addPlot(row=0, col=0)
        self.accuracy_plot = self.addPlot(row=0, col=1)
        self.ratio_plot = self.addPlot(row=1, col=0, axisItems={"left": DecadeAxis("left")})
        self.boundary_plot = self.addPlot(row=1, col=1)
        for column in (0, 1):
            self.ci.layout.setColumnStretchFactor(column, 1)
        for plot in self.plots:
            narrow_title(plot)
            plot.setPreferredWidth(1)  # the columns share by stretch, not by their contents
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.showGrid(x=True, y=True, alpha=0.2)
            for name in ("left", "bottom"):  # a pixmap, redrawn only when the range changes
                plot.getAxis(name).setCacheMode(
                    QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._ranges = {}
        self.train_loss = self.loss_plot.plot(name="train batch")
        self.test_loss = self.loss_plot.plot(name="test", symbol="o")
        self.train_accuracy = self.accuracy_plot.plot(name="train batch")
        self.test_accuracy = self.accuracy_plot.plot(name="test", symbol="o")
        for curve in (self.train_loss, self.train_accuracy):
            curve.setDownsampling(auto=True, method="mean")
            curve.setClipToView(True)
        self.accuracy_plot.setYRange(0, 1.02, padding=0)
        self.ratio_plot.setLogMode(x=False, y=True)
        self.reference = pg.InfiniteLine(
            pos=np.log10(RATIO_REFERENCE), angle=0, movable=False,
            label=decade_label(round(math.log10(RATIO_REFERENCE))),  # as the axis writes it
            # at the right: the "0 everywhere" badge is at the left
            labelOpts={"position": 0.97, "anchors": [(1, 1), (1, 1)]},
        )
        self.ratio_plot.addItem(self.reference)
        self.chance = pg.InfiniteLine(angle=0, movable=False)
        self.loss_plot.addItem(self.chance)
        self.chance.hide()
        self.chance_sample = pg.PlotDataItem()  # the line's entry in the legend, never drawn
        self.chance_text = ""
        self.depth = 0
        self.ratio_curves: list = []
        self.ratio_layers: list[int] = []
        """The layer (0-based) each of ``ratio_curves`` draws."""
        self._curve_pool: list = []  # every curve made so far; those not needed hidden
        self.frozen = False
        self.ratio_legend = None
        self.legends: dict = {}
        self.frozen_badge = pg.TextItem("0 everywhere:\nno weight moves", anchor=(0, 0))
        self.frozen_badge.setParentItem(self.ratio_plot.vb)  # pinned to the box, not the data
        self.frozen_badge.hide()
        self.ratio_plot.vb.sigResized.connect(self._place_badge)
        self.boundary_image = pg.ImageItem(axisOrder="row-major")
        self.boundary_plot.addItem(self.boundary_image)
        # one item per class colour: a single brush each, however many points there are
        self.class_points = []
        for colour in CLASS_COLOURS:
            item = pg.ScatterPlotItem(pxMode=True, brush=pg.mkBrush(colour))
            self.boundary_plot.addItem(item)
            self.class_points.append(item)
        self.points_caption = ""
        self.boundary_plot.setMouseEnabled(False, False)
        self._boundary_shown = True
        self.staged = False
        """Presentation's arrangement (``set_staged``): loss over accuracy, one plot beside."""
        self.apply_theme(theme)

    def minimumSizeHint(self) -> QtCore.QSize:
        """As tall as the four plots' titles, axes and legends need: a splitter gives the
        curves that much, and the histogram grid below (which scrolls) the rest."""
        needed = self.ci.effectiveSizeHint(QtCore.Qt.MinimumSize).height()
        return QtCore.QSize(super().minimumSizeHint().width(), math.ceil(needed) + 2)

    @property
    def plots(self):
        return (self.loss_plot, self.accuracy_plot, self.ratio_plot, self.boundary_plot)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        titles = ("Loss", "Accuracy", "Update ratio ‖ΔW‖/‖W‖ per layer", "Decision boundary")
        for plot, title in zip(self.plots, titles, strict=True):
            set_title(plot, title, theme)
            for name in ("left", "bottom"):
                th.style_axis(plot.getAxis(name), theme)
                th.plain_numbers(plot.getAxis(name))  # no '(x0.001)' on a projector
        for plot in (self.loss_plot, self.accuracy_plot, self.ratio_plot):
            plot.setLabel("bottom", "step")
        self.loss_plot.setLabel("left", "loss")
        self.accuracy_plot.setLabel("left", "fraction correct")
        self.ratio_plot.setLabel("left", "‖ΔW‖/‖W‖ (log axis)")
        width = theme.line_width
        self.train_loss.setPen(pg.mkPen(TRAIN_COLOUR, width=width * 0.8))
        self.train_accuracy.setPen(pg.mkPen(TRAIN_COLOUR, width=width * 0.8))
        for curve in (self.test_loss, self.test_accuracy):
            curve.setPen(pg.mkPen(TEST_COLOUR, width=width * 1.4))
            curve.setSymbolBrush(TEST_COLOUR)
            curve.setSymbolPen(None)
            curve.setSymbolSize(theme.font_pt * 0.6)
        self.reference.setPen(pg.mkPen(theme.foreground, width=width, style=QtCore.Qt.DashLine))
        self.reference.label.setColor(theme.foreground)
        self.reference.label.setFont(th.plot_font(theme, 0.9))
        chance_pen = pg.mkPen("#777777", width=width, style=QtCore.Qt.DotLine)
        self.chance.setPen(chance_pen)
        self.chance_sample.setPen(chance_pen)
        self._ratio_title(theme)
        self._boundary_title(theme)
        self.frozen_badge.setColor(th.WARNING_COLOURS["nonfinite"])
        self.frozen_badge.setFont(th.plot_font(theme, 0.9, bold=True))
        for item in self.class_points:
            item.setSize(theme.font_pt * 0.7)
            item.setPen(pg.mkPen("#000000", width=0.6))
        for plot in (self.loss_plot, self.accuracy_plot):
            self._legend(plot, theme)
        if self.ratio_curves:
            self._ratio_legend(theme)

    def _ratio_title(self, theme: th.Theme) -> None:
        title = "Update ratio ‖ΔW‖/‖W‖"
        title += (f" ({len(self.ratio_layers)} of {self.depth} layers)"
                  if len(self.ratio_layers) < self.depth else " per layer")
        set_title(self.ratio_plot, title, theme)
        self.frozen_badge.setVisible(self.frozen)
        self._place_badge()

    def _boundary_title(self, theme: th.Theme) -> None:
        caption = f" <span style='font-weight:normal'>({self.points_caption})</span>" * bool(
            self.points_caption)
        set_title(self.boundary_plot, "Decision boundary" + caption, theme)

    def set_chance(self, loss: float | None, label: str = "") -> None:
        """A dotted line at the loss of guessing (ln nL for cross-entropy), or none; ``label``
        is its legend entry (a label on the line itself met the curve or the plot's top)."""
        self.chance.setVisible(loss is not None)
        text = label if loss is not None else ""
        if loss is not None:
            self.chance.setPos(loss)
        if text != self.chance_text:
            self.chance_text = text
            self._legend(self.loss_plot, self.theme)

    def _place_badge(self, *_) -> None:
        """Top left of the view box, away from the 1e-3 line's label at the right."""
        self.frozen_badge.setPos(4, 2)

    def _legend(self, plot, theme: th.Theme) -> None:
        legend = legend_beside(plot, theme, self.legends.get(id(plot)))
        for curve in plot.listDataItems():
            legend.addItem(curve, curve.name())
        if plot is self.loss_plot and self.chance_text:
            legend.addItem(self.chance_sample, self.chance_text)
        self.legends[id(plot)] = legend
        reserve_legend(plot, legend)
        self.updateGeometry()

    # --- data ----------------------------------------------------------------------------

    def set_depth(self, depth: int) -> None:
        """An update-ratio curve per layer, or per one of RATIO_CURVES layers spread evenly
        from the first to the last when there are more: beyond that the lines cover each
        other, and each costs the GUI thread time to make. Curves are made once and kept,
        hidden when fewer are needed."""
        layers = shown_layers(depth)
        if layers == self.ratio_layers:
            return
        while len(self._curve_pool) < len(layers):
            curve = self.ratio_plot.plot()
            curve.setDownsampling(auto=True, method="mean")
            curve.setClipToView(True)
            self._curve_pool.append(curve)
        colours = layer_colours(depth)
        self.ratio_layers = layers
        self.ratio_curves = self._curve_pool[:len(layers)]
        for i, curve in enumerate(self._curve_pool):
            if i < len(layers):
                curve.setPen(pg.mkPen(colours[layers[i]], width=self.theme.line_width))
            elif curve.isVisible():
                curve.setData([], [])
            curve.setVisible(i < len(layers))
        self.depth = depth
        self._ratio_title(self.theme)
        self._ratio_legend(self.theme)

    def _ratio_legend(self, theme: th.Theme) -> None:
        count = len(self.ratio_curves)
        shown = range(count) if count <= 6 else (0, count // 2, count - 1)
        self.ratio_legend = legend_beside(self.ratio_plot, theme, self.ratio_legend,
                                          columns=2 if len(shown) > 2 else 1)
        for i in shown:
            self.ratio_legend.addItem(self.ratio_curves[i], f"L{self.ratio_layers[i] + 1}")
        reserve_legend(self.ratio_plot, self.ratio_legend)
        self.updateGeometry()

    def show_history(self, history: History) -> None:
        steps = np.asarray(history.step, dtype=np.float64)
        self.train_loss.setData(steps, _finite(history.loss), connect="finite")
        self.train_accuracy.setData(steps, _finite(history.accuracy), connect="finite")
        test_steps = np.asarray(history.test_step, float)
        for curve, values in ((self.test_loss, history.test_loss),
                              (self.test_accuracy, history.test_accuracy)):
            values = np.asarray(values, dtype=np.float64)
            keep = np.isfinite(values)  # markers: a diverged point is left out, not drawn as NaN
            curve.setData(test_steps[keep], values[keep])
        ratios = np.asarray(history.ratio, dtype=np.float64).reshape(len(history), self.depth)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(np.isfinite(ratios) & (ratios > 0), ratios, np.nan)
        for layer, curve in zip(self.ratio_layers, self.ratio_curves, strict=True):
            curve.setData(steps, ratios[:, layer] if ratios.shape[1] > layer else [],
                          connect="finite")
        self._steady_ranges(steps, history.loss + history.test_loss, ratios)
        frozen = bool(len(history)) and not np.any(np.asarray(history.ratio[-1]) != 0)
        if frozen != self.frozen:
            self.frozen = frozen
            self._ratio_title(self.theme)

    def _steady_ranges(self, steps, losses, ratios) -> None:
        """Round ranges that move in steps, not every frame: readable, and the axes (tick
        labels and grid) are re-rendered a few times per run instead of at every frame."""
        last = float(steps[-1]) if len(steps) else 0.0
        x_range = nice_limits(0.0, max(last, 10.0))
        losses = np.asarray(losses, dtype=np.float64)
        losses = losses[np.isfinite(losses)]
        loss_top = nice_limits(0.0, float(losses.max()) * 1.05 if losses.size else 1.0)[1]
        finite = ratios[np.isfinite(ratios)] if ratios.size else ratios
        decades = ((math.floor(np.log10(finite.min())), math.ceil(np.log10(finite.max())))
                   if finite.size else (-4, 0))
        decades = (min(decades[0], -4), max(decades[1], decades[0] + 1, -2))  # 1e-3 in view
        self._set_range(self.loss_plot, x_range, (0.0, max(loss_top, 1e-6)))
        self._set_range(self.accuracy_plot, x_range, (0.0, 1.02))
        self._set_range(self.ratio_plot, x_range, decades)

    def _set_range(self, plot, x_range, y_range) -> None:
        if self._ranges.get(id(plot)) != (x_range, y_range):
            plot.setRange(xRange=x_range, yRange=y_range, padding=0.02)
            self._ranges[id(plot)] = (x_range, y_range)

    def show_boundary(self, image, extent, points=None, labels=None) -> None:
        """The class-probability image and the training points; hidden when the data is not 2-D."""
        self._set_boundary_visible(image is not None)
        if image is None:
            return
        self.boundary_image.setImage(image, autoLevels=False, levels=(0, 255))
        x0, x1, y0, y1 = extent
        self.boundary_image.setRect(QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        if points is not None:
            self._show_points(np.asarray(points), np.asarray(labels))
            self.boundary_plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _show_points(self, points: np.ndarray, labels: np.ndarray) -> None:
        """Each class's points in its own item (one brush); of a large set, every k-th point of
        each class (a stride over all points could meet only one class of an ordered set)."""
        stride = max(1, math.ceil(len(points) / MAX_POINTS_SHOWN))
        colour = labels.astype(np.int64) % len(CLASS_COLOURS)
        for k, item in enumerate(self.class_points):
            item.setData(pos=points[colour == k][::stride])
        caption = f"1 in {stride} of {len(labels):,} points shown" if stride > 1 else ""
        if caption != self.points_caption:
            self.points_caption = caption
            self._boundary_title(self.theme)

    def _set_boundary_visible(self, on: bool) -> None:
        """Without a 2-D data set the update-ratio plot takes the boundary's place."""
        if on != self._boundary_shown:
            self._boundary_shown = on
            self._place_plots()

    def set_staged(self, on: bool) -> None:
        """Presentation's three large plots: loss over accuracy on the left and, as tall as
        both, the decision boundary (or, without a 2-D data set, the update ratio) on the
        right; the fourth plot steps aside. Off: the 2 × 2 grid again."""
        if on != self.staged:
            self.staged = on
            self._place_plots()

    def _place_plots(self) -> None:
        layout = self.ci
        for plot in self.plots:
            if plot in layout.items:
                layout.removeItem(plot)
        beside = self.boundary_plot if self._boundary_shown else self.ratio_plot
        if self.staged:
            places = {self.loss_plot: (0, 0, 1), self.accuracy_plot: (1, 0, 1),
                      beside: (0, 1, 2)}
        else:
            places = {self.loss_plot: (0, 0, 1), self.accuracy_plot: (0, 1, 1)}
            if self._boundary_shown:
                places |= {self.ratio_plot: (1, 0, 1), self.boundary_plot: (1, 1, 1)}
            else:
                places[self.ratio_plot] = (1, 0, 2)
        for plot in self.plots:
            plot.setVisible(plot in places)
            if plot in places:
                row, col, span = places[plot]
                rowspan, colspan = (span, 1) if self.staged else (1, span)
                layout.addItem(plot, row=row, col=col, rowspan=rowspan, colspan=colspan)
        self.updateGeometry()


def sticky_peaks(old: dict | None, new: dict, shrink_below: float = 0.5) -> dict:
    """Keep each y top while the bars fit and are not much lower; else jump, with 10 % headroom."""
    if not old:
        return {q: 1.1 * v for q, v in new.items()}
    return {
        q: old[q] if q in old and shrink_below * old[q] <= v <= old[q] else 1.1 * v
        for q, v in new.items()
    }
