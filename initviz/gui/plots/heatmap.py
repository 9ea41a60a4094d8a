"""Heat-map view: layer × value, colour = share of values, for a hundred layers on one screen.

Each column is one quantity on its shared value range; row l is layer l's
histogram. Colours are log10 of the fraction per bin, so a distribution that
shrinks to a spike and one that spreads out are both visible.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from initviz.gui import theme as th
from initviz.gui.prepare.plot_data import COLUMN_TITLES, COLUMNS, column_titles

LOG_LEVELS = (-4.0, 0.0)
"""Colour scale: from 1 in 10,000 values per bin (dark) to all of them (bright)."""


class LayerHeatmap(pg.GraphicsLayoutWidget):
    """Five images (one per quantity) with a shared colour bar."""

    def __init__(self, theme: th.Theme = th.NORMAL, parent=None):
        super().__init__(parent)
        self.plots, self.images = [], []
        colormap = pg.colormap.get(th.HEATMAP_COLORMAP)
        for column in range(len(COLUMNS)):
            plot = self.addPlot(row=0, col=column)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(False, False)
            plot.invertY(True)
            image = pg.ImageItem(axisOrder="row-major")
            image.setColorMap(colormap)
            image.setLevels(LOG_LEVELS)
            plot.addItem(image)
            self.plots.append(plot)
            self.images.append(image)
        self.colour_bar = pg.ColorBarItem(
            values=LOG_LEVELS, colorMap=colormap, interactive=False, width=14,
            label="log10 share of values per bin",
        )
        self.colour_bar.setImageItem(self.images, insert_in=None)
        self.addItem(self.colour_bar, row=0, col=len(COLUMNS))
        self._ranges = {}
        self._titles = dict(COLUMN_TITLES)
        self.apply_theme(theme)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        self.setBackground(theme.background)
        for plot in self.plots:
            for name in ("left", "bottom"):
                th.style_axis(plot.getAxis(name), theme)
            plot.getAxis("left").setLabel("layer")
        th.style_axis(self.colour_bar.axis, theme)
        self._show_titles()

    def _show_titles(self) -> None:
        for plot, quantity in zip(self.plots, COLUMNS):
            plot.setTitle(
                self._titles[quantity], color=th.QUANTITY_COLOURS[quantity],
                size=f"{self.theme.font_pt * 1.1:.1f}pt", bold=True,
            )

    def show_data(self, data) -> None:
        titles = column_titles(data.simulation.project)  # u = BN(z), a with skips
        if titles != self._titles:
            self._titles = titles
            self._show_titles()
        depth = data.depth_count
        for plot, image, quantity in zip(self.plots, self.images, COLUMNS):
            with np.errstate(divide="ignore"):
                density = np.log10(data.heat[quantity])
            image.setImage(np.maximum(density, LOG_LEVELS[0] - 1), autoLevels=False)
            low, high = data.limits[quantity]
            rect = QtCore.QRectF(low, 0.5, high - low, depth)
            image.setRect(rect)
            key = (low, high, depth)
            if self._ranges.get(quantity) != key:
                plot.setRange(xRange=(low, high), yRange=(0.5, depth + 0.5), padding=0)
                # whole layers only (there is no layer 2.5); about ten labels at any depth
                step = max(1, round(depth / 10))
                plot.getAxis("left").setTickSpacing(step, step)
                self._ranges[quantity] = key
