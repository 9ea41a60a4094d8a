"""Catch the two Qt versions known to break initviz (see the PySide6 pin in pyproject.toml).

(a) PySide6 6.12.0 dies ("Fatal Python error: bool_dealloc") when a worker QThread
    signals Python objects to the GUI thread; run in a subprocess so a crash fails
    this test instead of killing pytest.
(b) PySide6 6.11+ breaks pyqtgraph's SVG export (pyqtgraph #3485).
And what lets pyqtgraph go unpinned: the layer grid, drawn dozens of times a second, is
built on Qt's own classes, so no pyqtgraph release can change how its items are bounded,
painted or laid out.
"""
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import numpy as np

THREAD_SIGNALS = textwrap.dedent("""
    import os, sys, time
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6 import QtCore, QtWidgets

    app = QtWidgets.QApplication([])

    class Worker(QtCore.QObject):
        done = QtCore.Signal(int, object)

        @QtCore.Slot(int)
        def compute(self, generation):
            self.done.emit(generation, {"generation": generation, "counts": np.arange(8)})

    class Requester(QtCore.QObject):
        request = QtCore.Signal(int)

    n = 2000
    thread, worker, requester, got = QtCore.QThread(), Worker(), Requester(), []
    worker.moveToThread(thread)
    requester.request.connect(worker.compute)
    worker.done.connect(lambda g, payload: got.append((g, int(payload["counts"].sum()))))
    thread.start()
    for i in range(n):
        requester.request.emit(i)
        app.processEvents()
    start = time.perf_counter()
    while len(got) < n and time.perf_counter() - start < 20:
        app.processEvents()
    thread.quit()
    thread.wait()
    ok = [g for g, _ in got] == list(range(n)) and all(total == 28 for _, total in got)
    print("received", len(got))
    sys.exit(0 if ok else 3)
""")


def test_worker_thread_signals_arrive_complete():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", THREAD_SIGNALS], capture_output=True, text=True,
                            timeout=120, env=env)
    assert "Fatal Python error" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr[-2000:]}"
    assert "received 2000" in result.stdout


def test_pyqtgraph_svg_export_of_a_histogram(qtbot, tmp_path):
    import pyqtgraph as pg
    import pyqtgraph.exporters

    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    counts, edges = np.histogram(np.random.default_rng(0).standard_normal(1000), 30)
    widget.addPlot().plot(edges, counts, stepMode="center", fillLevel=0, brush=(0, 0, 255, 120))
    path = tmp_path / "histogram.svg"
    pyqtgraph.exporters.SVGExporter(widget.scene()).export(str(path))
    text = path.read_text(encoding="utf-8")
    assert len(text) > 1000
    root = ET.fromstring(text)
    assert root.tag.endswith("svg")
    assert any(el.tag.endswith("path") for el in root.iter())


def test_layer_grid_items_derive_from_qt_alone():
    from initviz.gui.plots import caption, cell_axis, histogram_cell, layer_grid, plot_area

    classes = (layer_grid.GridView, layer_grid.LayerRow, histogram_cell.HistogramCell,
               cell_axis.CellAxis, caption.Caption, plot_area.PlotArea)
    for cls in classes:
        foreign = [base for base in cls.__mro__ if not base.__module__.startswith(
            ("PySide6", "Shiboken", "initviz", "builtins"))]
        assert not foreign, f"{cls.__name__} derives from {foreign}"
