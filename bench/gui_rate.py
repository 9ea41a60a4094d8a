"""Full updates per second of the real window on its default lesson, offscreen.

A full update: the seed spin box changes, the window's worker simulates, the plots draw
the result, and ``MainWindow.resultsUpdated`` fires. Two measurements:
- while dragging (open loop): the seed changes every DRAG_INTERVAL_MS for DRAG_SECONDS,
  as a hand on a slider does, and every drawn result counts: the rate a class sees;
- one change at a time (closed loop): the next change waits for the previous drawing,
  so the rate is the inverse of the latency of a single change, debounce included.
While dragging, a 10 ms timer also measures the longest gap between turns of the event
loop: the longest the window froze under the user's hand.
In presentation mode the window is PRESENTATION_SIZE (a 1920×1080 laptop on a projector)
and the seed changes in the stage's own strip.

Run as a script (``make bench`` does, one fresh process per measurement), it first applies
the window's own process tuning (``initviz._runtime.apply_window``, as ``initviz`` does),
so NumPy is imported only inside the functions: it must load after that tuning.

    .venv/bin/python bench/gui_rate.py [--normalization batch] [--presentation]
"""
from __future__ import annotations

import argparse
import json
import sys
import time

WARM_UP = 3
UPDATES = 20
DRAG_INTERVAL_MS = 8
DRAG_SECONDS = 6.0
"""Long enough for about 180 drawings: over 3 s, runs of the same build differed by ±3
updates/s."""
TIMEOUT_MS = 60_000
WINDOW_SIZE = (1600, 1000)
PRESENTATION_SIZE = (1920, 1080)


class ResultWatcher:
    """Remembers the seed of the newest simulation the window has drawn."""

    def __init__(self, window):
        from PySide6.QtCore import QEventLoop

        self.drawn_seed = None
        self.loop = QEventLoop()
        window.resultsUpdated.connect(self.on_result)

    def on_result(self, sim) -> None:
        self.drawn_seed = getattr(getattr(sim, "project", None), "seed", None)
        self.loop.quit()

    def wait_for(self, seed: int) -> bool:
        """Spin the event loop until a simulation of ``seed`` has been drawn (or time is up)."""
        from PySide6.QtCore import QTimer

        deadline = time.perf_counter() + TIMEOUT_MS / 1000
        while self.drawn_seed != seed and time.perf_counter() < deadline:
            QTimer.singleShot(TIMEOUT_MS, self.loop.quit)
            self.loop.exec()
        return self.drawn_seed == seed


def updates_per_second(normalization: str = "none",
                       presentation: bool = False) -> tuple[dict | None, str]:
    """({"rate", "latency"}, note) or (None, why it was skipped); ``normalization`` is set
    with the window's own combo before measuring (BatchNorm takes the one-thread pass);
    ``presentation``: of the window in presentation mode."""
    try:
        from PySide6.QtGui import QAction
        from PySide6.QtWidgets import QApplication, QSpinBox

        from initviz.gui import MainWindow
    except ImportError as error:
        return None, f"skipped: the GUI is not importable yet ({error})"
    QApplication.instance() or QApplication([])
    try:
        window = MainWindow()
    except Exception as error:  # the GUI is being built; never let it stop the bench
        return None, f"skipped: MainWindow() failed ({type(error).__name__}: {error})"
    try:
        if presentation:
            action = window.findChild(QAction, "presentationAction")
            if action is None:
                return None, "skipped: the window has no presentationAction"
            action.setChecked(True)
            return _measure(window, window.findChild(QSpinBox, "stageSeedSpin"),
                            PRESENTATION_SIZE, normalization)
        return _measure(window, window.findChild(QSpinBox, "seedSpin"), WINDOW_SIZE,
                        normalization)
    finally:
        _close_without_asking(window)


def _close_without_asking(window) -> None:
    """Close (which stops the window's worker thread), answering "Discard" if it asks."""
    from PySide6.QtWidgets import QMessageBox

    asking = QMessageBox.question
    QMessageBox.question = staticmethod(lambda *args, **kwargs: QMessageBox.Discard)
    try:
        window.close()
    finally:
        QMessageBox.question = asking
    window.deleteLater()


def _measure(window, seed_spin, size, normalization: str = "none") -> tuple[dict | None, str]:
    if seed_spin is None:
        return None, "skipped: the window has no seed spin box to drag"
    watcher = ResultWatcher(window)
    window.show()
    seed = window.project.seed
    watcher.wait_for(seed)  # the first drawing of the default lesson
    if normalization != "none":
        from PySide6.QtWidgets import QComboBox

        combo = window.findChild(QComboBox, "normalizationCombo")
        if combo is None:
            return None, "skipped: the window has no QComboBox named normalizationCombo"
        watcher.drawn_seed = None  # the next drawing is the normalised network
        combo.setCurrentIndex(combo.findData(normalization))
        watcher.wait_for(seed)
    window.resize(*size)  # now: the full screen of presentation mode is the offscreen screen's
    import numpy as np

    latencies = []
    for i in range(WARM_UP + UPDATES):
        seed = seed + 1 if seed < seed_spin.maximum() else 0
        start = time.perf_counter()
        seed_spin.setValue(seed)
        if not watcher.wait_for(seed):
            return None, f"skipped: no resultsUpdated for seed {seed} within {TIMEOUT_MS} ms"
        if i >= WARM_UP:
            latencies.append(time.perf_counter() - start)
    rate = len(latencies) / sum(latencies)
    dragged = _drag(window, seed_spin, watcher)
    project = window.project
    note = f"{project.name!r}, widths {project.widths}, batch {project.batch_size}"
    if project.normalization != "none":
        note += f", normalization {project.normalization}"
    note += f", window {window.width()}×{window.height()}"
    label = getattr(window, "timing_label", None)  # the window's own split, where it shows one
    if label is not None and label.isVisible() and label.text():
        note += f"; last update: {label.text()}"
    return {"rate": rate, "latency": float(np.median(latencies)), **dragged}, note


def _drag(window, seed_spin, watcher) -> dict:
    """Change the seed every DRAG_INTERVAL_MS for DRAG_SECONDS; count the results drawn."""
    import numpy as np
    from PySide6.QtCore import QTimer

    drawn = []
    window.resultsUpdated.connect(lambda sim: drawn.append(time.perf_counter()))
    ticks = [time.perf_counter()]  # a 10 ms heartbeat: its longest gap is the longest freeze
    heartbeat = QTimer(interval=10)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    timer = QTimer(interval=DRAG_INTERVAL_MS)
    timer.timeout.connect(lambda: seed_spin.setValue((seed_spin.value() + 1) % 1000))
    stop = QTimer(singleShot=True, interval=int(DRAG_SECONDS * 1000))
    stop.timeout.connect(watcher.loop.quit)
    start = time.perf_counter()
    timer.start()
    stop.start()
    while time.perf_counter() - start < DRAG_SECONDS:  # results also quit the loop: go on
        watcher.loop.exec()
    timer.stop()
    last = seed_spin.value()
    settled = watcher.wait_for(last)
    heartbeat.stop()
    return {"drag_rate": len([t for t in drawn if t - start <= DRAG_SECONDS]) / DRAG_SECONDS,
            "drag_settled": settled, "longest_freeze": float(np.max(np.diff(ticks)))}


def main(argv=None) -> int:
    """Print {"result", "note"} as one line of JSON: what ``make bench`` reads."""
    from initviz import _runtime

    _runtime.apply_window()  # first, before NumPy loads: as the window's process starts
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--normalization", default="none")
    parser.add_argument("--presentation", action="store_true")
    args = parser.parse_args(argv)
    result, note = updates_per_second(args.normalization, args.presentation)
    print(json.dumps({"result": result, "note": note}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
