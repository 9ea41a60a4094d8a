"""A layout that wraps its widgets onto the next line when the row is too narrow.

A tool bar of ten controls in one QHBoxLayout makes its whole window at least as wide
as all of them together: on a 1024-pixel projector that pushed the window off screen.
In a FlowLayout the bar is as narrow as its widest control, and grows taller instead
(Qt's "Flow Layout" example).
"""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class FlowLayout(QtWidgets.QLayout):
    """Items left to right, wrapped at the layout's width; tells its height for a width."""

    def __init__(self, parent=None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QtWidgets.QLayoutItem] = []
        self._spacing = spacing

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return QtCore.Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QtCore.QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self):
        """All items on one line."""
        width = sum(item.sizeHint().width() for item in self._items)
        width += self._spacing * max(0, len(self._items) - 1)
        height = max((item.sizeHint().height() for item in self._items), default=0)
        return QtCore.QSize(width, height) + self._margins()

    def minimumSize(self):
        """The widest item: everything else can go onto further lines."""
        size = QtCore.QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size + self._margins()

    def _margins(self) -> QtCore.QSize:
        margins = self.contentsMargins()
        return QtCore.QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect, place: bool) -> int:
        """Lay the items out in ``rect`` (or only measure); returns the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():  # a hidden widget takes no room
                continue
            hint = item.sizeHint()
            width = max(min(hint.width(), area.width()), item.minimumSize().width())
            if x > area.x() and x + width > area.x() + area.width():
                x, y, line_height = area.x(), y + line_height + self._spacing, 0
            if place:
                item.setGeometry(QtCore.QRect(x, y, width, hint.height()))
            x += width + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


def joined(*widgets: QtWidgets.QWidget | str) -> QtWidgets.QWidget:
    """Widgets (a str becomes a label) that a FlowLayout keeps together on one line."""
    group = QtWidgets.QWidget()
    layout = QtWidgets.QHBoxLayout(group)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(QtWidgets.QLabel(widget) if isinstance(widget, str) else widget)
    return group
