"""The chosen scheme's formula with every layer's numbers filled in (Scheme.describe).

The per-layer table is a model (``FormulaRows``) behind a QTableView, not a QTableWidget:
Qt asks the model only for the rows in sight, and the columns are sized from the longest
text of each, measured once per change. A 200-layer network then costs a few hundred
string measurements, not a widget item per cell and Qt measuring every cell each layout.
"""
from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.core.schemes import resolve_scheme

HEADERS = ("layer", "fan_in", "fan_out", "std", "limit ±")
LIMIT_COLUMN = 4
CELL_PADDING = 12
"""Pixels beside a cell's text (Qt's item margins and the grid line)."""


def _fmt(value) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if math.isfinite(value) else "n/a"


def row_texts(row) -> tuple[str, ...]:
    """What one layer's row shows, in HEADERS order."""
    return (str(row.layer), str(row.fan_in), str(row.fan_out), _fmt(row.std), _fmt(row.limit))


class FormulaRows(QtCore.QAbstractTableModel):
    """Every layer's fan sizes, std and limit, as text; the full formula as each row's tooltip."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []
        self.texts: list[tuple[str, ...]] = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.texts = [row_texts(row) for row in self.rows]
        self.endResetModel()

    def rowCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.texts)

    def columnCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(HEADERS)

    def data(self, index, role=QtCore.Qt.DisplayRole):
        if not index.isValid():
            return None
        if role == QtCore.Qt.DisplayRole:
            return self.texts[index.row()][index.column()]
        if role == QtCore.Qt.ToolTipRole:
            return self.rows[index.row()].text
        if role == QtCore.Qt.TextAlignmentRole:
            return int(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=QtCore.Qt.DisplayRole):
        if role == QtCore.Qt.DisplayRole and orientation == QtCore.Qt.Horizontal:
            return HEADERS[section]
        return None

    def column_texts(self, column: int) -> set[str]:
        return {texts[column] for texts in self.texts}


class FormulaPanel(QtWidgets.QWidget):
    """A heading (scheme, formula, reference) above a compact per-layer table."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows = None
        self.heading = QtWidgets.QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(QtCore.Qt.RichText)
        self.model = FormulaRows(self)
        self.table = QtWidgets.QTableView()
        self.table.setObjectName("formulaTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        # sized by _fit_width: ResizeToContents would measure every cell at every layout
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.Fixed)
        self.table.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.Fixed)
        self.table.setAlternatingRowColors(True)
        self.table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)  # see _fit_width
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)

    def show_data(self, data) -> None:
        project = data.simulation.project
        scheme = resolve_scheme(project.scheme)
        params = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                           for k, v in project.scheme_params.items())
        reference = f" — {scheme.reference}" if scheme.reference else ""
        self.heading.setText(
            f"<b>{scheme.title}</b>{reference}<br><tt>{scheme.formula}</tt>"
            + (f"<br>{params}" if params else "")
        )
        rows = data.formula
        if rows == self._rows:  # the same network and scheme (a new seed): nothing to redo
            return
        self._rows = rows
        self.model.set_rows(rows)
        self.table.setColumnHidden(LIMIT_COLUMN, all(row.limit is None for row in rows))
        self._fit_width()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.FontChange:  # presentation mode's larger font
            self._fit_width()

    def column_width(self, column: int) -> int:
        """The widest of the column's distinct texts and its header, with Qt's margins."""
        cells = QtGui.QFontMetrics(self.table.font())
        header = QtGui.QFontMetrics(self.table.horizontalHeader().font())
        widest = max((cells.horizontalAdvance(text) for text in self.model.column_texts(column)),
                     default=0)
        return max(widest, header.horizontalAdvance(HEADERS[column])) + CELL_PADDING

    def _fit_width(self) -> None:
        """The table is at least as wide as its columns: a number cut off at the edge, or
        one behind a horizontal scroll bar, is lost on a projector."""
        table = self.table
        for column in range(len(HEADERS)):
            table.setColumnWidth(column, self.column_width(column))
        scrollbar = table.verticalScrollBar().sizeHint().width()
        table.setMinimumWidth(table.horizontalHeader().length() + 2 * table.frameWidth()
                              + scrollbar)
