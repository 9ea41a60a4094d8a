"""Where a histogram cell draws: a data-to-pixel box of plain Qt items, cheap to build and
to repaint."""
from __future__ import annotations

from PySide6 import QtGui, QtWidgets


class PlotArea(QtWidgets.QGraphicsWidget):
    """Where a cell's histogram is drawn: data coordinates mapped onto the widget's box by
    one transform, children clipped to the box.

    Not a pyqtgraph ViewBox, which does the same through Python signals and bookkeeping
    on every change, for each of the 50 cells that get a new range at once.
    ``viewRange``, ``childGroup``, ``setRange`` and ``addItem`` keep ViewBox's names (and
    the cell keeps calling it ``view_box``).
    A new range or size applies at once (nothing waits for a prepareForPaint).
    """

    def __init__(self):
        super().__init__()
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self.childGroup = QtWidgets.QGraphicsRectItem(self)  # ViewBox's name
        self.childGroup.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self._range = [[0.0, 1.0], [0.0, 1.0]]

    def addItem(self, item) -> None:
        item.setParentItem(self.childGroup)

    def viewRange(self) -> list[list[float]]:
        return [list(self._range[0]), list(self._range[1])]

    def setRange(self, x_range, y_range) -> None:
        """Show x from x_range[0] to [1] and y from y_range[0] (bottom) to [1] (top)."""
        self._range = [[float(v) for v in x_range], [float(v) for v in y_range]]
        self._update_transform()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_transform()

    def _update_transform(self) -> None:
        (x0, x1), (y0, y1) = self._range
        width, height = self.size().width(), self.size().height()
        if not (x1 > x0 and y1 > y0):
            return
        sx, sy = width / (x1 - x0), height / (y1 - y0)
        transform = QtGui.QTransform(sx, 0.0, 0.0, -sy, -x0 * sx, height + y0 * sy)
        self.childGroup.setTransform(transform)
