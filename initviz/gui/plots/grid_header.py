"""The layer grid's column titles, fitted to the width each column has.

A title on one line where every title fits ("activations a = φ(z)"), else on two lines
split before its symbol ("activations" over "a = φ(z)"), smaller where even that is too
wide, and its symbol alone in the narrowest columns (Compare's two grids): on a
1024-pixel projector a title is never cut off mid-word. The full title is its tooltip.
"""
from __future__ import annotations

import html

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.prepare.plot_data import COLUMN_TITLES, COLUMNS, LOG_MAGNITUDE_TITLES

TITLE_SCALE = 1.1
"""Title font size, relative to the theme's base font."""
SMALLEST_SCALE, SMALLEST_SYMBOL_SCALE = 0.8, 0.6
"""Two-line titles shrink no further than this, then the symbols alone down to the second."""
NOTE_SCALE, SMALLEST_NOTE_SCALE = 0.85, 0.7
"""The notes' font size ("sampled 8.2k/66k"), relative to the base font, and its floor."""
PADDING = 4
"""Pixels kept free beside the widest title line."""
LEGEND_COLOURS = {"preactivation": th.RAW_COLOUR}
"""A legend in the colour of what it explains: the raw z's outline is grey."""


WHOLE, TWO_LINES, SYMBOL = "whole", "two lines", "symbol"
"""How a title is shown: on one line, its word over its symbol, or its symbol alone."""


def title_lines(title: str, form: str) -> list[str]:
    """The lines of ``title`` ("activations a = φ(z)") shown in ``form``."""
    word, _, symbol = title.partition(" ")
    if form == WHOLE or not symbol:
        return [title]
    return [word, symbol] if form == TWO_LINES else [symbol]


def fitted_layout(titles: list[str], width: float, font: QtGui.QFont) -> tuple[str, float]:
    """(form, font scale) for ``titles`` in columns ``width`` pixels wide: the first form
    in which every title fits, at TITLE_SCALE, else two lines down to SMALLEST_SCALE, else
    the symbols alone (two histograms side by side in Compare), as large as they fit."""
    def widest(form: str) -> float:
        sized = QtGui.QFont(font)
        sized.setPointSizeF(font.pointSizeF() * TITLE_SCALE)
        sized.setBold(True)
        metrics = QtGui.QFontMetricsF(sized)
        return max(metrics.horizontalAdvance(line)
                   for title in titles for line in title_lines(title, form))

    room = width - PADDING
    for form in (WHOLE, TWO_LINES):
        need = widest(form)
        if need <= room:
            return form, TITLE_SCALE
    scale = TITLE_SCALE * room / need * 0.98  # 2 % for rounding to the font's sizes
    if scale >= SMALLEST_SCALE:
        return TWO_LINES, scale
    need = widest(SYMBOL)
    return SYMBOL, max(SMALLEST_SYMBOL_SCALE, min(TITLE_SCALE, TITLE_SCALE * room / need * 0.98))


def fitted_notes(notes: dict, width: float, font: QtGui.QFont) -> tuple[dict, float]:
    """The notes below the titles and their font scale: NOTE_SCALE, or less where a note
    is wider than its column, down to SMALLEST_NOTE_SCALE; narrower still, the counts
    alone ("8.2k/66k" for "sampled 8.2k/66k"; the tooltip says it in full)."""
    sized = QtGui.QFont(font)
    sized.setPointSizeF(font.pointSizeF() * NOTE_SCALE)
    metrics = QtGui.QFontMetricsF(sized)
    room = width - PADDING
    for shown in (notes, {q: note.split(" ")[-1] for q, note in notes.items()}):
        need = max((metrics.horizontalAdvance(note) for note in shown.values()), default=0)
        scale = NOTE_SCALE * min(1.0, room / need * 0.98) if need > 0 else NOTE_SCALE
        if scale >= SMALLEST_NOTE_SCALE:
            return shown, scale
    return shown, SMALLEST_NOTE_SCALE


def fitted_legends(legends: dict, width: float, font: QtGui.QFont) -> dict:
    """{column: (legend, font scale)} for the legends under the titles ("grey line: z before
    BN"): each at NOTE_SCALE, or smaller where it is wider than its column, down to
    SMALLEST_NOTE_SCALE; one that fits at none is left to the tooltip, never cut short."""
    sized = QtGui.QFont(font)
    sized.setPointSizeF(font.pointSizeF() * NOTE_SCALE)
    metrics = QtGui.QFontMetricsF(sized)
    room = width - PADDING
    fitted = {}
    for quantity, text in legends.items():
        need = metrics.horizontalAdvance(text)
        scale = NOTE_SCALE * min(1.0, room / need * 0.98) if need > 0 else NOTE_SCALE
        if scale >= SMALLEST_NOTE_SCALE:
            fitted[quantity] = (text, scale)
    return fitted


class GridHeader(QtWidgets.QWidget):
    """A blank over the row labels, then one title per column; notes below the titles."""

    def __init__(self, theme: th.Theme, parent=None):
        super().__init__(parent)
        self.theme = theme
        self._notes: dict = {}
        self._shown = None
        self._network_titles = dict(COLUMN_TITLES)
        self._magnitudes = False
        self._titles = dict(COLUMN_TITLES)
        self._legends: dict = {}
        layout = QtWidgets.QHBoxLayout(self)
        self.titles = [QtWidgets.QLabel() for _ in range(len(COLUMNS) + 1)]
        # the y axes' meaning, once for every row, above the row labels
        self.titles[0].setText("y: share\nof values")
        self.titles[0].setObjectName("gridYAxisLabel")
        self.titles[0].setWordWrap(True)
        for column, title in enumerate(self.titles):
            title.setAlignment(QtCore.Qt.AlignCenter)
            if column:  # a long title must not force the window wider than a projector
                title.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
            layout.addWidget(title, 1 if column else 0)

    def apply_theme(self, theme: th.Theme, right_margin: int) -> None:
        self.theme = theme
        self.layout().setContentsMargins(4, 2, 4 + right_margin, 2)
        self.layout().setSpacing(4)
        self.titles[0].setFixedWidth(int(6.5 * theme.font_pt))
        self._shown = None
        self._fit()

    def comfortable_width(self) -> int:
        """The width at which every title fits at full size on two lines: what the window
        keeps free for the grid before it folds a dock away (DockFit)."""
        font = QtGui.QFont(self.font())
        font.setPointSizeF(self.theme.font_pt * TITLE_SCALE)
        font.setBold(True)
        metrics = QtGui.QFontMetricsF(font)
        column = max(metrics.horizontalAdvance(line) for q in COLUMNS
                     for line in title_lines(COLUMN_TITLES[q], TWO_LINES)) + PADDING
        margins = self.layout().contentsMargins()
        spacing = self.layout().spacing() * len(COLUMNS)
        return int(self.titles[0].width() + len(COLUMNS) * column + spacing
                   + margins.left() + margins.right()) + 1

    def show_columns(self, columns, row_label: bool = True) -> None:
        """Titles of ``columns`` only; the blank over the row labels only where they are."""
        self.titles[0].setVisible(row_label)
        for label, quantity in zip(self.titles[1:], COLUMNS):
            label.setVisible(quantity in columns)
        self._shown = None
        self._fit()

    def show_magnitudes(self, on: bool) -> None:
        """Gradient columns titled as what they show: log₁₀|∂L/∂a| in the log-magnitude view."""
        self._magnitudes = on
        self._retitle()

    def show_network(self, titles: dict, legends: dict) -> None:
        """Titles said of the network shown (plot_data.column_titles: u = BN(z), a with skips)
        and a legend line under the titles that need one (plot_data.column_legends)."""
        self._network_titles = dict(titles)
        if legends != self._legends:
            self._legends = dict(legends)
            self._shown = None
        self._retitle()

    def _retitle(self) -> None:
        titles = {**self._network_titles,
                  **(LOG_MAGNITUDE_TITLES if self._magnitudes else {})}
        if titles != self._titles or self._shown is None:
            self._titles = titles
            self._fit()

    def show_notes(self, notes: dict) -> None:
        """Below each title, how many values its histograms count when subsampled."""
        self._notes = notes
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        labels = self.titles[1:]
        width = min((label.contentsRect().width() for label in labels if not label.isHidden()),
                    default=0)
        font = QtGui.QFont(self.font())
        font.setPointSizeF(self.theme.font_pt)
        form, scale = fitted_layout([self._titles[q] for q in COLUMNS], width, font)
        notes, note_scale = fitted_notes(self._notes, width, font)
        legends = fitted_legends(self._legends, width, font)
        shown = (form, scale, note_scale, tuple(sorted(notes.items())),
                 tuple(self._titles.values()), tuple(sorted(legends.items())))
        if shown == self._shown:  # a resize that changes nothing re-lays out no rich text
            return
        self._shown = shown
        for label, quantity in zip(labels, COLUMNS):
            legend = legends.get(quantity, ("", NOTE_SCALE))
            label.setText(self._html(quantity, form, scale, notes.get(quantity, ""), note_scale,
                                     legend))
            note = self._notes.get(quantity, "")
            full_legend = self._legends.get(quantity, "")
            label.setToolTip(self._titles[quantity] + (f"; {full_legend}" if full_legend else "")
                             + (f" ({note} values)" if note else ""))

    def _html(self, quantity: str, form: str, scale: float, note: str, note_scale: float,
              legend: tuple[str, float] = ("", NOTE_SCALE)) -> str:
        theme = self.theme
        lines = "<br>".join(line.replace(" ", "&nbsp;")
                            for line in title_lines(self._titles[quantity], form))
        legend_text, legend_scale = legend
        legend_html = html.escape(legend_text).replace(" ", "&nbsp;")
        return (f"<span style='font-size:{theme.font_pt * scale:.1f}pt; font-weight:bold; "
                f"color:{th.QUANTITY_COLOURS[quantity]}'>{lines}</span>"
                + (f"<br><span style='font-size:{theme.font_pt * legend_scale:.1f}pt; "
                   f"color:{LEGEND_COLOURS.get(quantity, '#222')}'>{legend_html}</span>"
                   if legend_text else "")
                + (f"<br><span style='font-size:{theme.font_pt * note_scale:.1f}pt; color:#444'>"
                   f"{note}</span>" if note else ""))
