"""The chosen scheme's formula with every layer's numbers filled in (Scheme.describe)."""
from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets

from initviz.core.schemes import resolve_scheme

HEADERS = ("layer", "fan_in", "fan_out", "std", "limit ±")


class FormulaPanel(QtWidgets.QWidget):
    """A heading (scheme, formula, reference) above a compact per-layer table."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows = None
        self.heading = QtWidgets.QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(QtCore.Qt.RichText)
        self.table = QtWidgets.QTableWidget(0, len(HEADERS))
        self.table.setObjectName("formulaTable")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeToContents)
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
        has_limit = any(row.limit is not None for row in rows)
        self.table.setColumnHidden(4, not has_limit)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = (row.layer, row.fan_in, row.fan_out, _fmt(row.std), _fmt(row.limit))
            for c, value in enumerate(values):
                item = self.table.item(r, c)
                if item is None:
                    item = QtWidgets.QTableWidgetItem()
                    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                    self.table.setItem(r, c, item)
                item.setText(str(value))
                item.setToolTip(row.text)
        self._fit_width()

    def _fit_width(self) -> None:
        """The table is at least as wide as its columns: a number cut off at the edge, or
        one behind a horizontal scroll bar, is lost on a projector."""
        table = self.table
        table.resizeColumnsToContents()
        scrollbar = table.verticalScrollBar().sizeHint().width()
        table.setMinimumWidth(table.horizontalHeader().length() + 2 * table.frameWidth()
                              + scrollbar)


def _fmt(value) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if math.isfinite(value) else "n/a"
