"""The measured std over several seeds (``prepare.seed_spread``), drawn as a band on the
depth plot.

``seed_spread`` is NumPy only and runs in its own BackgroundTask, only while the
toggle is on and once the project has rested for SETTLE_MS: while a slider is dragged
the window computes the one seed it shows at full rate, as without the band.
"""
from __future__ import annotations

from PySide6 import QtCore

from initviz.gui.prepare.seed_spread import seed_spread
from initviz.gui.workers.background import BackgroundTask, stop_requested

SETTLE_MS = 250
"""The band is computed once the project has not changed for this long (a drag pauses)."""


class SeedBandLink(QtCore.QObject):
    """Keeps the depth plot's band in step with the document's project (newest wins)."""

    bandDrawn = QtCore.Signal(object)
    """The SeedSpread now on the depth plot."""

    def __init__(self, document, depth_plot, parent=None):
        super().__init__(parent)
        self.document = document
        self.plot = depth_plot
        self.task = BackgroundTask(
            lambda job: (job[1], seed_spread(*job, should_stop=stop_requested())),
            "initviz-seed-band", self)
        self.task.resultReady.connect(self._on_result)
        self.task.failed.connect(self._on_failed)
        self.task.cancelled.connect(self._on_cancelled)
        self._requested = None
        """The key of the band being computed, None once it has come back."""
        self._wanted = None
        """The key of the band wanted now: read by the task's thread between seeds."""
        self._settle = QtCore.QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._request)
        for signal in (document.changed, document.replaced, document.displayChanged):
            signal.connect(self.update)
        self.update()

    @property
    def enabled(self) -> bool:
        return self.document.settings.seed_band

    def _key(self) -> str:
        return self.document.project.compute_key()

    def update(self, *_) -> None:
        """After any change: compute the band once the project rests, if it is wanted."""
        plot = self.plot
        if not self.enabled:
            self._settle.stop()
            self._requested = self._wanted = None
            if plot.band is not None:
                plot.show_band(None)
            return
        key = self._wanted = self._key()
        if plot.band is not None and plot.band.key != key:
            plot.show_band(None)  # another project's: dropped at once, never drawn
        if self._needed(key):
            self._settle.start()  # restarted by every change: a drag computes nothing extra

    def _needed(self, key: str) -> bool:
        band = self.plot.band
        return self.enabled and key != self._requested and (band is None or band.key != key)

    def _request(self) -> None:
        key = self._key()
        if self._needed(key):  # a stale band stops between seeds (``wanted``), then this runs
            self._requested = key
            self.task.request((self.document.project.copy(), key, lambda k: k == self._wanted))

    def _on_result(self, result) -> None:
        key, spread = result
        if key == self._requested:
            self._requested = None
        if spread is not None and self.enabled and key == self._key():  # else a stale project's
            self.plot.show_band(spread)
            self.bandDrawn.emit(spread)
        elif self._needed(self._key()):
            self._settle.start()

    def _on_failed(self, message: str) -> None:
        """No band (the window's own computation reports the project's problem)."""
        self._requested = None

    def _on_cancelled(self) -> None:
        """Stopped on close: nothing is being computed any more."""
        self._requested = None

    def shutdown(self) -> None:
        self._settle.stop()
        self._wanted = None
        self.task.shutdown()
