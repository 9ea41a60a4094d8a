"""GUI-thread cost of one edit: a control changes, the project takes it, the request is sent.

The window's worker is replaced by a stub that only notes the time, so what is measured is the
GUI thread's own work per edit (no simulation, no drawing): from ``setValue`` on the seed spin
box (and on the std editor, a drag of a scheme parameter) to ``ComputeController.request``, and
to the return of ``setValue`` (everything the edit does on the GUI thread). Medians of EDITS
edits each. Run it against any checkout: ``PYTHONPATH=<checkout> python bench/edit_cost.py``.
"""
from __future__ import annotations

import os
import statistics
import time

EDITS = 600
WARM_UP = 50


def measure(window, set_value, values) -> tuple[float, float]:
    """(median ms to the request, median ms to the end of the edit) over ``values``."""
    sent: list[float] = []
    window.compute.request = lambda project, supersede=False: sent.append(time.perf_counter())
    to_request, to_return = [], []
    for i, value in enumerate(values):
        sent.clear()
        start = time.perf_counter()
        set_value(value)
        end = time.perf_counter()
        if i >= WARM_UP and sent:
            to_request.append((sent[0] - start) * 1000)
            to_return.append((end - start) * 1000)
    return statistics.median(to_request), statistics.median(to_return)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from initviz.gui import MainWindow
    from initviz.project import Project

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    window = MainWindow(Project({"name": "bench", "network": {"widths": [32, 64, 64, 10]},
                                "init": {"scheme": "normal", "params": {"std": 0.1}}}))
    window.show()
    app.processEvents()
    seed = window.findChild(QtWidgets.QSpinBox, "seedSpin")
    std = window.controls.scheme_params.editors["std"]
    rows = [("seed spin box", seed.setValue, [1 + i % 2 for i in range(EDITS + WARM_UP)]),
            ("std drag", std.setValue, [0.1 + 0.001 * (i % 50) for i in range(EDITS + WARM_UP)])]
    print(f"one edit on the GUI thread, median of {EDITS} edits (worker stubbed out)")
    for name, set_value, values in rows:
        request, total = measure(window, set_value, values)
        print(f"  {name:14s} to request {request:6.3f} ms   whole edit {total:6.3f} ms")
    os._exit(0)  # no close: it would ask whether to save the edits


if __name__ == "__main__":
    main()
