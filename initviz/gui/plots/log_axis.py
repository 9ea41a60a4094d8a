"""Decades on a log axis, written one way: every one as 0.01 … 10, or every one as 10⁻⁵.

pyqtgraph writes small decades as numbers and smaller ones as powers on the same axis
("0.0001" next to "10⁻⁵"); every log axis of the app uses DecadeAxis instead, and the
layer grid's count axes use ``decade_label``.
"""
from __future__ import annotations

import math

import pyqtgraph as pg

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade_label(exponent: int) -> str:
    """10⁻³ for -3: every decade of a log axis written the same way."""
    return "10" + str(int(exponent)).translate(_SUPERSCRIPT)


def decade_labels(exponents: list[int], plain: bool | None = None) -> list[str]:
    """0.01, 0.1, 1, 10 (``plain``), else 10⁻⁵ … 10¹; by default plain while every decade is
    within 0.001 to 1000."""
    if plain is None:
        plain = all(-3 <= e <= 3 for e in exponents)
    if plain:
        return [f"{10.0 ** e:.{max(0, -e)}f}" for e in exponents]
    return [decade_label(e) for e in exponents]


class DecadeAxis(pg.AxisItem):
    """A log axis that writes all its decades one way: pyqtgraph's wrote "0.0001" and
    "10⁻⁵" on the same axis. The way is chosen from every decade in sight, not from the
    ticks of one call: pyqtgraph asks once per tick level, and two levels chose apart.

    Labels between decades crowd where a decade is short on screen ("0.050.0700.80.91"):
    pyqtgraph keeps or drops a whole tick level, so the labels that would touch a decade's
    label or a neighbour's are left out here, one by one; decades are always kept.
    """

    LABEL_GAP = 4
    """Pixels kept clear between two labels."""

    def generateDrawSpecs(self, p):
        specs = super().generateDrawSpecs(p)
        if specs is None or not self.logMode:
            return specs
        axis, ticks, texts = specs
        return axis, ticks, _without_collisions(texts, self.LABEL_GAP)

    def logTickStrings(self, values, scale, spacing):
        low, high = sorted(self.range)  # log10 of the values in sight
        in_sight = range(math.ceil(low - 1e-6), math.floor(high + 1e-6) + 1)
        plain = all(-3 <= e <= 3 for e in in_sight)
        exponents = [math.log10(scale) + v for v in values]
        whole = [abs(e - round(e)) < 1e-6 for e in exponents]
        labels = iter(decade_labels([round(e) for e, w in zip(exponents, whole) if w], plain))
        between = [v for v, w in zip(values, whole) if not w]  # 2, 3, … times a decade
        if plain:  # 20 and 30 beside 10, not 2·10¹ and 3·10¹
            minor = iter(f"{10.0 ** e:.{max(0, -math.floor(e))}f}" for e in
                         (math.log10(scale) + v for v in between))
        else:
            minor = iter(super().logTickStrings(between, scale, spacing))
        return [next(labels) if w else next(minor) for w in whole]


def _is_decade(text: str) -> bool:
    return "·" not in text and (text.startswith("10") or set(text) <= set("0.1"))


def _without_collisions(texts: list, gap: float) -> list:
    """Text specs (rect, flags, text) with decades first, then each other label only where
    its rectangle, widened by ``gap``, touches no label kept so far."""
    kept = []
    for spec in sorted(texts, key=lambda spec: not _is_decade(spec[2])):
        rect = spec[0].adjusted(-gap / 2, -gap / 2, gap / 2, gap / 2)
        if _is_decade(spec[2]) or not any(rect.intersects(other[0]) for other in kept):
            kept.append(spec)
    return kept
