"""The layer grid's view: one scene whose only top item (the rows) fills the view."""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


class GridView(QtWidgets.QGraphicsView):
    """The grid's view: one scene whose only top item (the rows) fills the view, painted by
    Qt alone (no Python paint or bounds), and a click reported with the cell under it."""

    clicked = QtCore.Signal(object, object)
    """Scene position and mouse button of a press on the grid."""

    def __init__(self, background: str):
        super().__init__()
        self.setScene(QtWidgets.QGraphicsScene(self))
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QtWidgets.QGraphicsView.ViewportAnchor.NoAnchor)
        self.setViewportUpdateMode(QtWidgets.QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setCacheMode(QtWidgets.QGraphicsView.CacheModeFlag.CacheBackground)
        self.setBackgroundBrush(QtGui.QBrush(QtGui.QColor(background)))
        self.central: QtWidgets.QGraphicsWidget | None = None

    def setCentralItem(self, item: QtWidgets.QGraphicsWidget) -> None:
        """``item`` fills the view from now on, whatever its size."""
        self.scene().addItem(item)
        self.central = item
        self._fill()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fill()

    def _fill(self) -> None:
        rect = QtCore.QRectF(0, 0, self.width(), self.height())
        self.setSceneRect(rect)
        if self.central is not None:
            self.central.setGeometry(rect)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self.mapToScene(event.position().toPoint()), event.button())
        super().mousePressEvent(event)
