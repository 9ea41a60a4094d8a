"""A row of the layer grid: the layer's label and one histogram cell per quantity."""
from __future__ import annotations

from PySide6 import QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.caption import Caption
from initviz.gui.plots.histogram_cell import HistogramCell
from initviz.gui.prepare.plot_data import COLUMNS


def row_height(theme: th.Theme) -> int:
    return theme.row_height


def label_width(theme: th.Theme) -> float:
    """Width of the row labels ("layer 3" over "256→256")."""
    return 6.5 * theme.font_pt


CELL_SPACING = 4
"""Pixels between the cells of a row."""
QWIDGETSIZE_MAX = (1 << 24) - 1
"""Qt's largest widget size: no maximum."""



class LayerRow(QtWidgets.QGraphicsWidget):
    """A label ("layer 3, 256→256") and one HistogramCell per column."""

    def __init__(self, theme: th.Theme):
        super().__init__()
        layout = QtWidgets.QGraphicsGridLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(CELL_SPACING)
        self.label = Caption()
        layout.addItem(self.label, 0, 0)
        self.cells = [HistogramCell(q, theme) for q in COLUMNS]
        for column, cell in enumerate(self.cells, start=1):
            layout.addItem(cell, 0, column)
            layout.setColumnStretchFactor(column, 1)
        self.setLayout(layout)
        self.apply_theme(theme)

    def show_columns(self, columns, label: bool = True) -> None:
        """Only the cells of ``columns`` (and the row's label if ``label``), left to right."""
        layout = self.layout()
        for item in (self.label, *self.cells):
            layout.removeItem(item)
        self.label.setVisible(label)
        if label:
            layout.addItem(self.label, 0, 0)
        column = 1
        for cell in self.cells:
            cell.setVisible(cell.quantity in columns)
            if cell.isVisible():
                layout.addItem(cell, 0, column)
                column += 1
        for index in range(len(self.cells) + 1):  # columns left empty take no room
            used = index < column and (index or label)
            layout.setColumnStretchFactor(index, 1 if used and index else 0)
            layout.setColumnSpacing(index, CELL_SPACING if used and index < column - 1 else 0)
            layout.setColumnMaximumWidth(index, QWIDGETSIZE_MAX if used else 0)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        width = label_width(theme)
        self.label.setMinimumWidth(width)
        self.label.setMaximumWidth(width)
        self.label.set_font(th.plot_font(theme), theme.foreground)
        self.setPreferredHeight(row_height(theme))
        self.setMaximumHeight(row_height(theme))
        self.setMinimumHeight(row_height(theme))
        for cell in self.cells:
            cell.apply_theme(theme)

    def set_label(self, layer: int, fan_in: int, fan_out: int, output: bool,
                  blocks: str = "") -> None:
        """``blocks``: a third line naming what the layer adds ("BN + skip"), if anything."""
        role = "output" if output else f"layer {layer}"
        lines = [((role, None, True),), ((f"{fan_in}→{fan_out}", None, False),)]
        if blocks:
            lines.append(((blocks, None, False),))
        self.label.set_lines(tuple(lines))


def block_badge(layer, project) -> str:
    """"BN", "LN", "+ skip" or both for a layer of a network with them (core.blocks)."""
    parts = []
    if layer.raw_preactivation is not None:
        parts.append({"batch": "BN", "layer": "LN"}.get(project.normalization, ""))
    if layer.skip:
        parts.append("+ skip")
    return " ".join(part for part in parts if part)
