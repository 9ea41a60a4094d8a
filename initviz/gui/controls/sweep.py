"""A parameter swept from one value to another in front of the class, log-spaced over seconds.

The sweep only issues edits, from a QTimer on the GUI thread; every edit asks for a
computation on the worker, which drops the stale ones, so a slow network shows fewer frames
of the transition, never a frozen window. The clock, not the tick count, sets the value:
a busy machine skips values but still ends on time, and always on the target itself.
"""
from __future__ import annotations

import math

from PySide6 import QtCore

SWEEP_RANGES = {"std": (0.01, 1.0), "gain": (0.1, 10.0), "scale": (0.01, 100.0)}
"""Where a sweep of each scale parameter starts and ends: from too small to too large for the
default lesson's widths."""
DURATION_MS = 4000
"""Long enough to watch the histograms change, short enough to run twice while talking."""
TICK_MS = 40
"""At most 25 edits a second: more than the computations a large network keeps up with."""


def sweep_value(start: float, end: float, share: float) -> float:
    """The value ``share`` (0..1) of the way from ``start`` to ``end`` on a log scale."""
    share = min(max(share, 0.0), 1.0)
    if share >= 1.0:
        return end  # exactly the target, whatever rounding the logarithms did
    return 10.0 ** (math.log10(start) + share * (math.log10(end) - math.log10(start)))


class ParameterSweep(QtCore.QObject):
    """Emits ``valueChanged`` with log-spaced values from ``start`` to ``end`` over
    ``duration_ms``; ``running`` until it ends (``finished``) or ``stop`` is called."""

    valueChanged = QtCore.Signal(float)
    started = QtCore.Signal()
    finished = QtCore.Signal()
    """The sweep ended, at its target or where ``stop`` left it."""

    def __init__(self, duration_ms: int = DURATION_MS, tick_ms: int = TICK_MS, parent=None):
        super().__init__(parent)
        self.duration_ms = duration_ms
        self.timer = QtCore.QTimer(self, interval=tick_ms)
        self.timer.timeout.connect(self._tick)
        self.clock = QtCore.QElapsedTimer()
        self.start_value = self.end_value = 1.0
        self.last_value: float | None = None

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def start(self, start: float, end: float) -> None:
        if not (start > 0 and end > 0):
            raise ValueError("a log-spaced sweep needs positive ends")
        self.stop()
        self.start_value, self.end_value = start, end
        self.last_value = None
        self.started.emit()
        self.clock.start()
        self._emit(start)
        self.timer.start()

    def stop(self) -> None:
        """End the sweep where it is now (the value stays)."""
        if self.timer.isActive():
            self.timer.stop()
            self.finished.emit()

    def _tick(self) -> None:
        share = self.clock.elapsed() / self.duration_ms if self.duration_ms > 0 else 1.0
        self._emit(sweep_value(self.start_value, self.end_value, share))
        if share >= 1.0:
            self.stop()

    def _emit(self, value: float) -> None:
        if value != self.last_value:
            self.last_value = value
            self.valueChanged.emit(value)
