"""A slider on a logarithmic scale, for the parameters that set the size of the weights.

std, gain and a variance scale matter by their order of magnitude: the interesting range of
std runs from 0.001 (the signal dies) to 10 (it explodes), and a linear slider would spend
all but its first pixels on the explosion. Equal slider steps are equal ratios here.
"""
from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets

LOG_RANGES = {"std": (1e-3, 10.0), "gain": (0.1, 10.0), "scale": (0.01, 100.0)}
"""Scale parameters (by name) and the range their slider spans; the spin box beside it takes
any value the parameter allows, and the slider then rests at its nearer end."""
STEPS = 1000
SIGNIFICANT_DIGITS = 3
"""A slider value is rounded to these digits: 0.0501, not 0.05011872336."""


def position_of(value: float, low: float, high: float, steps: int = STEPS) -> int:
    """The slider position that shows ``value`` (clamped to the ends; 0 and below at the left)."""
    if not value > 0:
        return 0
    share = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
    return int(round(min(max(share, 0.0), 1.0) * steps))


def value_at(position: int, low: float, high: float, steps: int = STEPS) -> float:
    """The value at a slider position, log-spaced from ``low`` to ``high``."""
    exponent = math.log10(low) + position / steps * (math.log10(high) - math.log10(low))
    return float(f"{10.0 ** exponent:.{SIGNIFICANT_DIGITS}g}")


class LogSlider(QtWidgets.QSlider):
    """A horizontal slider whose positions are log-spaced values; ``valueMoved`` carries the
    value the user moved it to (never a value set with ``set_value``)."""

    valueMoved = QtCore.Signal(float)

    def __init__(self, low: float, high: float, parent=None):
        super().__init__(QtCore.Qt.Horizontal, parent)
        self.low, self.high = low, high
        self.setRange(0, STEPS)
        self.setSingleStep(STEPS // 100)
        self.setPageStep(STEPS // 10)
        self.setMinimumWidth(60)
        self.setToolTip(f"Drag: {low:g} to {high:g} on a log scale (equal steps, equal ratios)")
        self.valueChanged.connect(lambda position: self.valueMoved.emit(self.value_at(position)))

    def value_at(self, position: int) -> float:
        return value_at(position, self.low, self.high)

    def float_value(self) -> float:
        return self.value_at(self.value())

    def set_value(self, value: float) -> None:
        """Show ``value`` without emitting; left alone while the user holds the handle."""
        if self.isSliderDown():
            return
        self.blockSignals(True)
        self.setValue(position_of(value, self.low, self.high))
        self.blockSignals(False)
