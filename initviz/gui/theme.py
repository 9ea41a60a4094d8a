"""Colours, fonts and line widths, in one place.

The palette is Okabe & Ito (2008), "Color Universal Design" (``prepare.palette``,
which has no Qt): eight colours that stay distinct for the common colour-vision
deficiencies and on a washed-out projector. Presentation mode swaps in larger fonts
and thicker lines.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtGui, QtWidgets

from initviz.gui.prepare.palette import OKABE_ITO

QUANTITY_COLOURS = {
    "weight": OKABE_ITO["blue"],
    "preactivation": OKABE_ITO["orange"],
    "activation": OKABE_ITO["bluish_green"],
    "grad_activation": OKABE_ITO["vermillion"],
    "grad_preactivation": OKABE_ITO["vermillion"],
    "grad_weight": OKABE_ITO["reddish_purple"],
}
"""One colour per quantity, used by the histogram columns, the heat map and the depth plot."""

FORWARD_COLOUR = OKABE_ITO["blue"]
BACKWARD_COLOUR = OKABE_ITO["vermillion"]
WARNING_COLOURS = {"saturated": "#B35806", "dead": "#7B3294", "nonfinite": "#C00000"}
"""Badge text colours: darker than the palette so small text keeps a 4.5:1 contrast on white."""
HEATMAP_COLORMAP = "cividis"
"""Nuñez, Anderton & Renslow (2018): perceptually uniform, readable despite colour blindness."""


@dataclass(frozen=True)
class Theme:
    name: str
    font_pt: float
    """Base font size of the whole window and of every plot label."""
    line_width: float
    foreground: str
    background: str
    fill_alpha: int
    """0..255 opacity of histogram fills."""
    row_height: int
    """Pixels per layer row of the histogram grid."""


NORMAL = Theme("normal", 10.0, 1.5, "#202020", "#FFFFFF", 110, 150)
PRESENTATION = Theme("presentation", 15.0, 2.5, "#000000", "#FFFFFF", 150, 230)


def colour(hex_code: str, alpha: int = 255) -> QtGui.QColor:
    result = QtGui.QColor(hex_code)
    result.setAlpha(alpha)
    return result


def plot_font(theme: Theme, scale: float = 1.0, bold: bool = False) -> QtGui.QFont:
    font = QtGui.QFont()
    font.setPointSizeF(theme.font_pt * scale)
    font.setBold(bold)
    return font


def style_axis(axis, theme: Theme) -> None:
    """Dark ticks and labels at the theme's size: readable from the back of a room."""
    axis.setPen(theme.foreground)
    axis.setTextPen(theme.foreground)
    axis.setStyle(tickFont=plot_font(theme, 0.9), tickTextOffset=3)
    axis.setTickDensity(0.6)
    axis.label.setFont(plot_font(theme, 0.9))


def apply_to_application(app: QtWidgets.QApplication, theme: Theme) -> None:
    """Application font and a high-contrast light palette (what a projector shows best)."""
    font = app.font()
    font.setPointSizeF(theme.font_pt)
    app.setFont(font)
    palette = QtGui.QPalette()
    palette.setColor(QtGui.QPalette.Window, QtGui.QColor("#F4F4F4"))
    palette.setColor(QtGui.QPalette.WindowText, QtGui.QColor(theme.foreground))
    palette.setColor(QtGui.QPalette.Base, QtGui.QColor(theme.background))
    palette.setColor(QtGui.QPalette.Text, QtGui.QColor(theme.foreground))
    palette.setColor(QtGui.QPalette.ButtonText, QtGui.QColor(theme.foreground))
    palette.setColor(QtGui.QPalette.Highlight, QtGui.QColor(OKABE_ITO["blue"]))
    palette.setColor(QtGui.QPalette.HighlightedText, QtGui.QColor("#FFFFFF"))
    app.setPalette(palette)
