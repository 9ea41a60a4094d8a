"""Colours, fonts and line widths, in one place.

The palette is Okabe & Ito (2008), "Color Universal Design" (``prepare.palette``,
which has no Qt): eight colours that stay distinct for the common colour-vision
deficiencies and on a washed-out projector. Presentation mode swaps in larger fonts
and thicker lines.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

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
RAW_COLOUR = "#6E6E6E"
"""The raw z behind a normalised pre-activation: grey, beside every quantity's colour."""
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
    show_timings: bool = True
    """Whether compute and draw times are shown: useful at a desk, noise for a class."""


NORMAL = Theme("normal", 10.0, 1.5, "#202020", "#FFFFFF", 110, 150)
PRESENTATION = Theme("presentation", 15.0, 2.5, "#000000", "#FFFFFF", 150, 230,
                     show_timings=False)
PRESENTATION_HEIGHT = 720
"""The screen height presentation mode is designed for (a 1280×720 projector)."""
MAX_FONT_GROWTH = 1.5
"""Above 720 lines the fonts grow with the screen, up to this factor (22.5 pt at 1080)."""


def presentation_theme(screen_height: int) -> Theme:
    """PRESENTATION scaled to a screen ``screen_height`` pixels tall.

    At 1280×720, 15 pt is 20 px, 1/36 of the picture's height: on an image 1.4 m tall
    a capital is about 3 cm, which reads from the back of a 10 m room. Taller screens keep
    that share of the height, so the room sees the same picture on a 1080-line projector.
    """
    growth = min(max(screen_height / PRESENTATION_HEIGHT, 1.0), MAX_FONT_GROWTH)
    return replace(PRESENTATION, font_pt=round(PRESENTATION.font_pt * growth, 1),
                   line_width=round(PRESENTATION.line_width * growth, 1),
                   row_height=round(PRESENTATION.row_height * growth))


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


def plain_numbers(axis) -> None:
    """Tick labels as the values are, never scaled by an SI prefix ("(x0.001)" misleads a
    class, and on a log axis it is wrong).

    pyqtgraph's ``enableAutoSIPrefix(False)`` computes the prefix for the range shown at that
    moment and then keeps it: called on a σ_b² axis showing 0–0.5 it fixes a ×1000 scale,
    so the ticks read 0–500. The scale is therefore reset to 1 here as well.
    """
    axis.enableAutoSIPrefix(False)
    axis.autoSIPrefixScale = 1.0
    axis.labelUnitPrefix = ""
    axis.picture = None  # the tick labels are drawn again with the plain scale
    axis.update()


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
