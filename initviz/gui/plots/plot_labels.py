"""A plot's title and legend, laid out so that neither sets the plot's width.

pyqtgraph sizes a plot by its title's text and floats a legend over the curves; in a grid
of plots a long title then squeezes the neighbouring column, and a legend covers data.
Here the title keeps only its height and the legend gets a column of its own, right of
the view box.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore

from initviz.gui import theme as th


def legend_beside(plot, theme: th.Theme, old, columns: int = 1) -> pg.LegendItem:
    """A new legend in ``plot``'s layout right of its view box (``old`` taken away): it
    never covers a curve, and costs width, which the plots have more of than height."""
    if old is not None:
        plot.layout.removeItem(old)
        old.scene() and old.scene().removeItem(old)
    legend = pg.LegendItem(colCount=columns, labelTextColor=theme.foreground,
                           labelTextSize=f"{theme.font_pt * 0.85:.1f}pt")
    legend.layout.setVerticalSpacing(0)
    plot.layout.addItem(legend, 2, 3)
    return legend


def reserve_legend(plot, legend) -> None:
    """The legend's column keeps the legend's width, however narrow the plot gets; the legend
    its own height, at the top."""
    size = legend.layout.sizeHint(QtCore.Qt.PreferredSize)
    plot.layout.setColumnFixedWidth(3, size.width())
    legend.setMaximumHeight(size.height())  # its rows together at the top, not spread out
    plot.layout.setAlignment(legend, QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft)


class TitleLabel(pg.LabelItem):
    """A plot's title whose text never sets the plot's minimum width (pyqtgraph's does, at
    every resize): only its height is kept."""

    def updateMin(self) -> None:
        super().updateMin()
        height = self.itemRect().height()
        self.setMinimumWidth(0)
        self._sizeHint[QtCore.Qt.SizeHint.MinimumSize] = (0, height)
        self._sizeHint[QtCore.Qt.SizeHint.PreferredSize] = (0, height)
        self.updateGeometry()


def narrow_title(plot) -> None:
    """``plot`` with a TitleLabel in place of pyqtgraph's own."""
    old = plot.titleLabel
    plot.layout.removeItem(old)
    old.setParentItem(None)
    old.scene() and old.scene().removeItem(old)
    plot.titleLabel = TitleLabel("", size="11pt", parent=plot)
    plot.layout.addItem(plot.titleLabel, 0, 1, 1, 3)  # centred over the view box and legend
    plot.setTitle(None)


def set_title(plot, title: str, theme: th.Theme) -> None:
    plot.setTitle(title, color=theme.foreground, size=f"{theme.font_pt * 1.1:.1f}pt", bold=True)
