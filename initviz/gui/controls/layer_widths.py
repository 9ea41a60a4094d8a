"""An editor for every layer's width n0..nL (the fan sizes), one table row per width."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from initviz.project_fields import MAX_WIDTH


class _WidthDelegate(QtWidgets.QStyledItemDelegate):
    """Edit a width with a spin box, so only whole numbers 1..MAX_WIDTH can be typed."""

    def createEditor(self, parent, option, index):
        editor = QtWidgets.QSpinBox(parent)
        editor.setRange(1, MAX_WIDTH)
        return editor


def width_label(index: int, depth: int) -> str:
    if index == 0:
        return "n0 (inputs)"
    if index == depth:
        return f"n{index} (outputs)"
    return f"n{index}"


class LayerWidthsEditor(QtWidgets.QTableWidget):
    """Row l is n_l: layer l has fan_in = n(l-1) and fan_out = n(l)."""

    widthsEdited = QtCore.Signal(list)

    def __init__(self, parent=None):
        super().__init__(0, 1, parent)
        self.setObjectName("layerWidthsTable")
        self.setHorizontalHeaderLabels(["width"])
        self.horizontalHeader().setStretchLastSection(True)
        self.setItemDelegate(_WidthDelegate(self))
        self.setToolTip("Width of each layer: double-click a number to change it")
        self.itemChanged.connect(self._on_item_changed)

    def widths(self) -> list[int]:
        return [int(self.item(r, 0).data(QtCore.Qt.EditRole)) for r in range(self.rowCount())]

    def set_widths(self, widths: list[int]) -> None:
        """Show ``widths`` without emitting ``widthsEdited`` (nothing to do if it shows them)."""
        if self.rowCount() == len(widths) and self.widths() == list(widths):
            return  # every seed or batch edit re-shows the project: no table rebuilt for it
        self.blockSignals(True)
        try:
            self.setRowCount(len(widths))
            depth = len(widths) - 1
            labels = []
            for r, width in enumerate(widths):
                item = self.item(r, 0)
                if item is None:
                    item = QtWidgets.QTableWidgetItem()
                    self.setItem(r, 0, item)
                item.setData(QtCore.Qt.EditRole, int(width))
                labels.append(width_label(r, depth))
            self.setVerticalHeaderLabels(labels)
        finally:
            self.blockSignals(False)

    def _on_item_changed(self, _item) -> None:
        self.widthsEdited.emit(self.widths())
