"""File ▸ Open Model…: a model file's weights, layer by layer, against the schemes.

The report is ``initviz inspect``'s, computed on a worker thread (a large file takes
seconds): a table of every weight tensor with its std, fans and best matching scheme,
and the histogram of the selected one, from a random sample when the tensor is large.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from initviz.gui.workers.background import BackgroundTask, stop_requested
from initviz.inspection import inspect_file, layer_line
from initviz.safe_io import display_name

COLUMNS = ("layer", "name", "shape", "fan_in", "fan_out", "std", "best match", "ratio")
HISTOGRAM_BINS = 60


def _cells(number: int, record: dict) -> list[str]:
    best = record["matches"][0] if record["matches"] else None
    std = "NaN/inf" if record["std"] is None else f"{record['std']:.4g}"
    match = "—" if best is None else best["label"] + ("" if record["matched"] else " (far)")
    ratio = "" if best is None else f"{best['ratio']:.3f}×"
    return [str(number), record["name"], " × ".join(map(str, record["shape"])),
            str(record["fan_in"]), str(record["fan_out"]), std, match, ratio]


def _inspect_here(path: str) -> dict:
    """On the worker thread: stops between chunks once the dialog closes (shutdown)."""
    return inspect_file(path, should_stop=stop_requested())


class ModelReportDialog(QtWidgets.QDialog):
    """Reads ``path`` in the background, then fills the table; the first layer is selected."""

    reportShown = QtCore.Signal()
    """The table is filled (or the file's problem is shown)."""

    def __init__(self, path, parent=None):
        super().__init__(parent)
        self.setObjectName("modelReportDialog")
        self.setWindowTitle(f"Model weights — {display_name(path)}")
        self.report = None
        self.status = QtWidgets.QLabel(f"Reading {display_name(path)}…", objectName="modelStatus")
        self.status.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS), objectName="modelTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMinimumHeight(220)
        self.plot.setLabel("bottom", "weight value")
        self.plot.setLabel("left", "share of values")
        self.histogram = self.plot.plot(stepMode="center", fillLevel=0,
                                        brush=(31, 119, 180, 110), pen=pg.mkPen("#1f77b4", width=2))
        self.caption = QtWidgets.QLabel(objectName="histogramCaption")
        self.caption.setWordWrap(True)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        splitter.addWidget(self.table)
        below = QtWidgets.QWidget()
        below_layout = QtWidgets.QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.caption)
        below_layout.addWidget(self.plot, 1)
        splitter.addWidget(below)
        splitter.setSizes([320, 360])
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(1000, 720)
        self.task = BackgroundTask(_inspect_here, "initviz-inspect", self, debounce_ms=0)
        self.task.resultReady.connect(self._show_report)
        self.task.failed.connect(self._show_failure)
        self.finished.connect(self.task.shutdown)
        self.task.request(str(path))

    def _show_failure(self, message: str) -> None:
        self.status.setText(message)
        self.reportShown.emit()

    def _show_report(self, report: dict) -> None:
        self.report = report
        layers = report["layers"]
        count = report["skipped"]
        skipped = f"; {count} other tensor{'s' * (count > 1)} skipped" if count else ""
        self.status.setText(
            f"{report['file']}: {len(layers)} weight tensors{skipped}. Fans as torch counts them: "
            "weight (out, in), conv kernel (out, in, kh, kw).")
        self.table.setRowCount(len(layers))
        for row, record in enumerate(layers):
            for column, text in enumerate(_cells(row + 1, record)):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(layer_line(row + 1, record))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        if layers:
            self.table.selectRow(0)
        self.reportShown.emit()

    def _show_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.report is None:
            return
        row = rows[0].row()
        stats = self.report["stats"][row]
        values = stats.sample[np.isfinite(stats.sample)]
        if values.size:
            counts, edges = np.histogram(values, bins=HISTOGRAM_BINS)
            self.histogram.setData(edges, counts / values.size)
        else:
            self.histogram.setData([0.0, 1.0], [0.0])
        where = (f"a random sample of {stats.sample.size:,} of its {stats.count:,} values"
                 if stats.sample.size < stats.count else f"all {stats.count:,} values")
        self.caption.setText(f"{layer_line(row + 1, self.report['layers'][row])}\n"
                             f"Histogram of {where}; the std is over every value.")
