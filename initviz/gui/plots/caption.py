"""A histogram cell's caption: what it says (mean, std, warnings, sampling), and the item
that paints it."""
from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.cell_axis import MINUS, compact


def fmt(value: float) -> str:
    """Three significant digits in plain form where short (0.0626, −0.00236), else two and
    a power of ten (−5.8e−7); 'n/a' / '∞' spelled out."""
    if value is None or not math.isfinite(value):
        return "∞" if value and value > 0 else (MINUS + "∞" if value and value < 0 else "n/a")
    return compact(value, 3)


def sample_note(histogram) -> str:
    """"sampled 8.2k/66k" when the histogram counts a sample of the values, else ""."""
    if not histogram.subsampled:
        return ""
    return f"sampled {_short(histogram.sample_size)}/{_short(histogram.total)}"


def _short(count: int) -> str:
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if count >= limit:
            digits = 0 if count >= 10 * limit else 1
            return f"{count / limit:.{digits}f}{suffix}"
    return str(count)


Run = tuple[str, "str | None", bool]
"""A piece of caption text: (text, colour or None for the theme's foreground, bold)."""


RESIDUE_CAPTION = "0 (rounding residue)"
"""Said, instead of mean and std, of values that are float32 rounding of an exact zero."""


def caption_lines(cell) -> tuple[tuple[Run, ...], ...]:
    """Mean and std (or that the values are zero but for rounding), then warnings only when
    there is something to warn about."""
    if cell.residue:
        first = ((RESIDUE_CAPTION, None, False),)
    else:
        first = ((f"μ {fmt(cell.mean)}  σ {fmt(cell.std)}", None, False),)
    badges = []
    if cell.saturated >= 0.005:
        badges.append((f"saturated {100 * cell.saturated:.0f}%", th.WARNING_COLOURS["saturated"]))
    if cell.dead >= 0.005:
        badges.append((f"dead {100 * cell.dead:.0f}%", th.WARNING_COLOURS["dead"]))
    if cell.nonfinite:
        badges.append((f"{cell.nonfinite:,} inf/NaN", th.WARNING_COLOURS["nonfinite"]))
    second = []
    for text, colour in badges:
        second.append((("  " if second else "") + text, colour, True))
    return first, tuple(second)


def lines_text(lines) -> str:
    """What caption ``lines`` say, one line per line, without their colours."""
    return "\n".join("".join(run[0] for run in line) for line in lines)


MIN_FIT_SCALE = 0.75
"""A caption line too long for its cell is drawn this much smaller at most, then elided."""


class Caption(QtWidgets.QGraphicsWidget):
    """Lines of coloured text runs, painted directly; a line too long for the cell is drawn
    smaller, then elided (``_fitted``), never wrapped.

    Not a pyqtgraph LabelItem: its ``setText`` lays out HTML and then the whole grid
    again, for each of the 50 captions that change on every seed. Setting new text here
    repaints this item only.
    """

    def __init__(self):
        super().__init__()
        self._lines: tuple[tuple[Run, ...], ...] = ()
        self._colour = QtGui.QColor("#000000")
        self.set_font(QtGui.QFont(), "#000000")

    def set_font(self, font: QtGui.QFont, colour: str) -> None:
        self._fonts = {False: QtGui.QFont(font), True: QtGui.QFont(font)}
        self._fonts[True].setBold(True)
        self._metrics = {bold: QtGui.QFontMetricsF(f) for bold, f in self._fonts.items()}
        self._colour = QtGui.QColor(colour)
        self.update()

    def line_height(self) -> float:
        return self._metrics[True].lineSpacing()

    def set_lines(self, lines) -> None:
        lines = tuple(tuple(line) for line in lines)
        if lines != self._lines:
            self._lines = lines
            self.update()

    @property
    def text(self) -> str:
        """What the caption says, one line per line."""
        return lines_text(self._lines)

    def paint(self, painter, *args) -> None:
        rect = self.boundingRect()
        painter.setClipRect(rect)
        y = rect.top()
        for line in self._lines:
            fonts, metrics = self._fonts, self._metrics
            widths = [metrics[bold].horizontalAdvance(text) for text, _, bold in line]
            if sum(widths) > rect.width() > 0:  # a narrow cell: smaller, never cut mid-number
                fonts, metrics, widths, line = self._fitted(line, sum(widths), rect.width())
            x = rect.left()
            baseline = y + self._metrics[True].ascent()
            for (text, colour, bold), width in zip(line, widths):
                painter.setFont(fonts[bold])
                painter.setPen(QtGui.QColor(colour) if colour else self._colour)
                painter.drawText(QtCore.QPointF(x, baseline), text)
                x += width
            y += self.line_height()

    def _fitted(self, line, width: float, room: float):
        """Fonts, metrics, widths and runs of ``line`` shrunk to ``room`` (down to
        MIN_FIT_SCALE of the size); whatever is still too long ends in "…", so a number
        is never shown cut short as if it were a shorter number."""
        scale = 1.0
        for _ in range(3):  # text does not shrink exactly with the point size (hinting)
            scale = max(scale * room / width, MIN_FIT_SCALE)
            fonts = {}
            for bold, font in self._fonts.items():
                fonts[bold] = QtGui.QFont(font)
                fonts[bold].setPointSizeF(font.pointSizeF() * scale)
            metrics = {bold: QtGui.QFontMetricsF(font) for bold, font in fonts.items()}
            width = sum(metrics[bold].horizontalAdvance(text) for text, _, bold in line)
            if width <= room or scale == MIN_FIT_SCALE:
                break
        runs, widths, left = [], [], room
        for text, colour, bold in line:
            fitted = metrics[bold].elidedText(text, QtCore.Qt.TextElideMode.ElideRight, left)
            if not fitted:
                break
            runs.append((fitted, colour, bold))
            widths.append(metrics[bold].horizontalAdvance(fitted))
            left -= widths[-1]
        return fonts, metrics, widths, runs
