"""A histogram cell's caption: what it says (mean, std, warnings, sampling), and the item
that paints it."""
from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.cell_axis import MINUS, compact


def fmt(value: float, digits: int = 3) -> str:
    """``digits`` significant digits in plain form where short (0.0626, −0.00236), else two
    and a power of ten (−5.8e−7); 'n/a' / '∞' spelled out."""
    if value is None or not math.isfinite(value):
        return "∞" if value and value > 0 else (MINUS + "∞" if value and value < 0 else "n/a")
    text = compact(value, digits)
    return text if "e" not in text else compact(value, 3)  # a power of ten keeps two digits


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


def caption_lines(cell, digits: int = 3, stacked: bool = False) -> tuple[tuple[Run, ...], ...]:
    """Mean and std to ``digits`` significant digits (or that the values are zero but for
    rounding), then warnings only when there is something to warn about. ``stacked``: mean
    and std on lines of their own (a narrow cell with no warning has room for two lines)."""
    return _lines(cell, _numbers(cell, digits), stacked)


def caption_forms(cell) -> tuple:
    """``caption_lines`` of ``cell``, stacked, and to two digits: the forms ``Caption.set_lines``
    chooses from, each number formatted once (a grid formats 50 captions per update)."""
    numbers = _numbers(cell, 3)
    return (_lines(cell, numbers, False), _lines(cell, numbers, True),
            _lines(cell, _numbers(cell, 2), False))


def _numbers(cell, digits: int) -> tuple[str, str, str | None]:
    """The caption's mean, std and raw z std (None when not normalised), as shown."""
    raw = getattr(cell, "raw_std", math.nan)
    return (fmt(cell.mean, digits), fmt(cell.std, digits),
            fmt(raw, digits) if math.isfinite(raw) else None)


def _lines(cell, numbers, stacked: bool) -> tuple[tuple[Run, ...], ...]:
    mean_text, std_text, raw_text = numbers
    mean, std = f"μ {mean_text}", f"σ {std_text}"
    if cell.residue:
        stats = (((RESIDUE_CAPTION, None, False),),)
    elif stacked:
        stats = (((mean, None, False),), ((std, None, False),))
    else:
        stats = (((f"{mean}  {std}", None, False),),)
    badges = []  # (text, colour, bold): warnings bold, the raw z's σ plain
    if raw_text is not None:  # normalised: the z φ never sees
        badges.append((f"raw z σ {raw_text}", th.RAW_COLOUR, False))
    if cell.saturated >= 0.005:
        badges.append((f"saturated {100 * cell.saturated:.0f}%", th.WARNING_COLOURS["saturated"],
                       True))
    if cell.dead >= 0.005:
        badges.append((f"dead {100 * cell.dead:.0f}%", th.WARNING_COLOURS["dead"], True))
    if cell.nonfinite:
        badges.append((f"{cell.nonfinite:,} inf/NaN", th.WARNING_COLOURS["nonfinite"], True))
    second = []
    for text, colour, bold in badges:
        second.append((("  " if second else "") + text, colour, bold))
    return (*stats, tuple(second)) if len(stats) == 1 or second else stats


def lines_text(lines) -> str:
    """What caption ``lines`` say, one line per line, without their colours."""
    return "\n".join("".join(run[0] for run in line) for line in lines)


MIN_FIT_SCALE = 0.75
"""A caption line too long for its cell is drawn this much smaller at most, then elided."""
SHORTER_BELOW = 0.9
"""Lines that would need to shrink below this scale are drawn in another form where one
fits (``set_lines``): mean over std, or a digit fewer, read better from the back of a room
than a smaller font."""


class Caption(QtWidgets.QGraphicsWidget):
    """Lines of coloured text runs, painted directly; a line too long for the cell is drawn
    smaller, then in its shorter form (``set_lines``), then elided (``_fitted``), never
    wrapped.

    Not a pyqtgraph LabelItem: its ``setText`` lays out HTML and then the whole grid
    again, for each of the 50 captions that change on every seed. Setting new text here
    repaints this item only.
    """

    def __init__(self):
        super().__init__()
        self._lines: tuple[tuple[Run, ...], ...] = ()
        self._alternatives: tuple = ()
        self._colour = QtGui.QColor("#000000")
        self.set_font(QtGui.QFont(), "#000000")

    def set_font(self, font: QtGui.QFont, colour: str) -> None:
        self._fonts = {False: QtGui.QFont(font), True: QtGui.QFont(font)}
        self._fonts[True].setBold(True)
        self._metrics = {bold: QtGui.QFontMetricsF(f) for bold, f in self._fonts.items()}
        self._advances = {}
        self._colour = QtGui.QColor(colour)
        self.update()

    def line_height(self) -> float:
        return self._metrics[True].lineSpacing()

    def set_lines(self, lines, *alternatives) -> None:
        """Show ``lines``, or where one of them would have to shrink below SHORTER_BELOW, the
        first of ``alternatives`` (the same said otherwise) whose lines fit in the caption's
        height and width; else the one that needs to shrink least, smaller or elided."""
        lines = tuple(tuple(line) for line in lines)
        alternatives = tuple(tuple(tuple(line) for line in option) for option in alternatives)
        if (lines, alternatives) != (self._lines, self._alternatives):
            self._lines, self._alternatives = lines, alternatives
            self._advances = {}
            self.update()

    @property
    def text(self) -> str:
        """What the caption says, one line per line."""
        return lines_text(self._lines)

    @property
    def drawn_text(self) -> str:
        """What the caption draws at its present width (shorter or elided), one line per line."""
        return lines_text(runs for _, runs in self._laid_out(self.boundingRect().width()))

    def _advance(self, text: str, bold: bool) -> float:
        """The width of ``text`` at full size, measured once per text shown: choosing a form
        and laying it out ask for the same runs."""
        key = (text, bold)
        width = self._advances.get(key)
        if width is None:
            width = self._advances[key] = self._metrics[bold].horizontalAdvance(text)
        return width

    def _width(self, line) -> float:
        return sum(self._advance(text, bold) for text, _, bold in line)

    def _chosen(self, room: float):
        """The form drawn ``room`` pixels wide (``set_lines``)."""
        if room <= 0 or not self._alternatives:
            return self._lines
        height = self.boundingRect().height()
        rows = max(1, int((height + 0.5) // self.line_height()))
        fitting = [form for form in (self._lines, *self._alternatives)
                   if sum(1 for line in form if line) <= rows or form is self._lines]
        for form in fitting:
            if all(self._width(line) * SHORTER_BELOW <= room for line in form):
                return form
        # none at a readable size: the one that needs to shrink least
        return max(fitting, key=lambda form: room / max(map(self._width, form), default=1.0))

    def _laid_out(self, room: float):
        """(fonts, runs with their widths) of each line as drawn ``room`` pixels wide."""
        laid = []
        for line in self._chosen(room):
            fonts, metrics = self._fonts, self._metrics
            widths = [self._advance(text, bold) for text, _, bold in line]
            if sum(widths) > room > 0:  # a narrow cell: smaller, never cut mid-number
                fonts, metrics, widths, line = self._fitted(line, sum(widths), room)
            laid.append((fonts, [(*run, w) for run, w in zip(line, widths)]))
        return laid

    def paint(self, painter, *args) -> None:
        rect = self.boundingRect()
        painter.setClipRect(rect)
        y = rect.top()
        for fonts, runs in self._laid_out(rect.width()):
            x = rect.left()
            baseline = y + self._metrics[True].ascent()
            for text, colour, bold, width in runs:
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
        for _ in range(6):  # text does not shrink exactly with the point size (hinting)
            # 1 % below the proportional size: a size a hair too big would never converge
            scale = max(scale * min(room / width, 1.0) * 0.99, MIN_FIT_SCALE)
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
