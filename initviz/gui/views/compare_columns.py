"""Which quantities the Compare tab shows, so that each histogram stays readable.

A and B side by side double the cells of a row: all five quantities of both on a
1024- or 1280-pixel projector leave ~55-pixel cells whose captions and ticks cannot be
read. The tab shows as many quantities as fit at MIN_CELL_WIDTH (the "fit" setting),
chosen in PRIORITY order, or the ones the teacher picks; picked ones that do not fit
scroll sideways rather than shrink.
"""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from initviz.gui import theme as th
from initviz.gui.prepare.plot_data import COLUMN_TITLES, COLUMNS

MIN_CELL_WIDTH = 120
"""Pixels of a Compare histogram cell at the normal theme's font. A caption spans the cell
less a 6-pixel margin: the widest mean/std line ("μ −1.2e−10  σ 2.3e−10", 144 px at the
9-pt caption font) fits those 114 px at the caption's smallest scale (0.75), and at full
size as mean over std; the plot beside the 50-pixel count axis keeps 64 px, room for two
tick labels and a shape one can judge."""


def min_cell_width(theme: th.Theme) -> float:
    """MIN_CELL_WIDTH at ``theme``'s font: a larger font (a projector theme) needs wider cells."""
    return MIN_CELL_WIDTH * theme.font_pt / th.NORMAL.font_pt


PRIORITY = ("preactivation", "grad_activation", "activation", "grad_weight", "weight")
"""The order in which quantities earn a place: z and ∂L/∂a first, the forward and the
backward signal (what the depth plot above summarises), then a (saturation, dead units),
∂L/∂W, and W last (the init itself, which z shows amplified by depth)."""

SYMBOLS = {q: COLUMN_TITLES[q].split(" ", 1)[1].split(" = ")[0] for q in COLUMNS}
"""Short names for the buttons: W, z, a, ∂L/∂a, ∂L/∂W."""


def fitting_columns(count: int) -> tuple[str, ...]:
    """The ``count`` quantities of highest PRIORITY, in the grid's (COLUMNS) order."""
    chosen = set(PRIORITY[:max(1, min(count, len(PRIORITY)))])
    return tuple(q for q in COLUMNS if q in chosen)


def shown_columns(setting, fits: int) -> tuple[str, ...]:
    """The quantities shown under ``setting`` ("auto" or names) when ``fits`` fit."""
    if setting == "auto":
        return fitting_columns(fits)
    named = tuple(q for q in COLUMNS if q in setting)
    return named or fitting_columns(fits)


class ColumnChooser(QtWidgets.QWidget):
    """"show: W z a ∂L/∂a ∂L/∂W  [fit]": a button per quantity, and "fit" for as many as the
    width allows. Emits ``chosen`` with "auto" or the list of names; ``show_columns`` puts
    the buttons back in step with what the grids show (signals blocked)."""

    chosen = QtCore.Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(QtWidgets.QLabel("show:"))
        self.buttons = {}
        for quantity in COLUMNS:
            button = QtWidgets.QToolButton()
            button.setObjectName(f"compareColumn_{quantity}")
            button.setText(SYMBOLS[quantity])
            button.setCheckable(True)
            button.setToolTip(f"Show {COLUMN_TITLES[quantity]} for A and B")
            button.setStyleSheet(
                f"QToolButton {{ color: {th.QUANTITY_COLOURS[quantity]}; font-weight: bold; }}")
            button.toggled.connect(self._picked)
            layout.addWidget(button)
            self.buttons[quantity] = button
        self.fit_button = QtWidgets.QToolButton()
        self.fit_button.setObjectName("compareColumnsFit")
        self.fit_button.setText("fit")
        self.fit_button.setCheckable(True)
        self.fit_button.setToolTip(
            "Show as many quantities as the window has room for at a readable size")
        self.fit_button.toggled.connect(self._fit_toggled)
        layout.addSpacing(4)
        layout.addWidget(self.fit_button)

    def show_columns(self, columns, auto: bool) -> None:
        for widget in (*self.buttons.values(), self.fit_button):
            widget.blockSignals(True)
        for quantity, button in self.buttons.items():
            button.setChecked(quantity in columns)
        self.fit_button.setChecked(auto)
        for widget in (*self.buttons.values(), self.fit_button):
            widget.blockSignals(False)

    def _picked(self, _checked) -> None:
        names = [q for q, button in self.buttons.items() if button.isChecked()]
        if names:
            self.chosen.emit(names)
        else:  # nothing to show would leave an empty tab: the last one stays
            self.sender().setChecked(True)

    def _fit_toggled(self, on: bool) -> None:
        if on:
            self.chosen.emit("auto")
        else:  # "fit" off: keep what is shown, as the teacher's own choice
            self.chosen.emit([q for q, button in self.buttons.items() if button.isChecked()])
