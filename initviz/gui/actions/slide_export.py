"""Export slide…: the picture ``initviz render`` draws, from the window, at a chosen size.

The dialog asks for the size (a projector's, or typed in) and the rows (those the window
shows, or a list); the file dialog for the name and, by its suffix, PNG or SVG. The
data are computed again for the slide in a worker (a comparing lesson needs its B too),
never on the GUI thread; the slide is drawn and written when they arrive.
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from initviz.errors import ProjectError
from initviz.gui.view_settings import format_layers, parse_layers
from initviz.gui.views.slide import (
    SLIDE_SIZES,
    Slide,
    compares,
    slide_data,
    slide_projects,
    write_slide,
)
from initviz.gui.workers.background import BackgroundTask, stop_requested

CUSTOM = "Custom…"
IMAGE_FILTER = "PNG image (*.png);;SVG vector image (*.svg)"


def slide_data_here(projects):
    return slide_data(projects, stop_requested())


class SlideDialog(QtWidgets.QDialog):
    """Size and rows of the slide; ``choice()`` gives ((width, height), layers)."""

    def __init__(self, parent, layers, depth: int, comparing: bool):
        super().__init__(parent)
        self.setWindowTitle("Export slide")
        self.size_combo = QtWidgets.QComboBox()
        self.size_combo.setObjectName("slideSizeCombo")
        for text, (width, height) in SLIDE_SIZES.items():
            self.size_combo.addItem(text, f"{width}x{height}")  # a string survives QVariant
        self.size_combo.addItem(CUSTOM, None)
        self.width_spin, self.height_spin = QtWidgets.QSpinBox(), QtWidgets.QSpinBox()
        for spin, value in ((self.width_spin, 1600), (self.height_spin, 900)):
            spin.setRange(480, 7680)
            spin.setValue(value)
            spin.setSuffix(" px")
        self.width_spin.setObjectName("slideWidthSpin")
        self.height_spin.setObjectName("slideHeightSpin")
        self.rows_edit = QtWidgets.QLineEdit(format_layers(layers))
        self.rows_edit.setObjectName("slideRowsEdit")
        self.rows_edit.setToolTip("auto, all, or a list like 1-3, 10, 28-30; rows that do not "
                                  "fit the slide are thinned out, first and last kept")
        self.error = QtWidgets.QLabel()
        self.error.setStyleSheet("color: #B00020")
        form = QtWidgets.QFormLayout(self)
        form.addRow("Size", self.size_combo)
        form.addRow("Width", self.width_spin)
        form.addRow("Height", self.height_spin)
        form.addRow(f"Rows (layers 1–{depth})", self.rows_edit)
        if comparing:
            form.addRow(QtWidgets.QLabel("This lesson compares two inits: A and B are both "
                                         "drawn, A above B."))
        form.addRow(self.error)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.Ok | QtWidgets.QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.size_combo.currentIndexChanged.connect(self._size_chosen)
        self._size_chosen()

    def _size_chosen(self, *_) -> None:
        custom = self.size_combo.currentData() is None
        self.width_spin.setEnabled(custom)
        self.height_spin.setEnabled(custom)

    def choice(self) -> tuple[tuple[int, int], object]:
        """The size and the layers asked for; ValueError for a rows text that is not a list."""
        chosen = self.size_combo.currentData()
        if chosen:
            size = tuple(int(v) for v in chosen.split("x"))
        else:
            size = (self.width_spin.value(), self.height_spin.value())
        return size, parse_layers(self.rows_edit.text())

    def _accept(self) -> None:
        try:
            self.choice()
        except ValueError as error:
            self.error.setText(str(error))
            return
        self.accept()


class SlideExporter(QtCore.QObject):
    """Computes the slide's data in a worker, then draws and writes it; ``finished`` carries
    the path written, ``failed`` a message."""

    finished = QtCore.Signal(object)
    failed = QtCore.Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.task = BackgroundTask(slide_data_here, "initviz-slide", self)
        self.task.resultReady.connect(self._draw)
        self.task.failed.connect(self.failed)
        self._job = None
        self.rows: list[int] = []
        """The layers the last slide showed."""

    def export(self, project, size, layers, path) -> None:
        """Start; raises ProjectError at once when B cannot be made or the suffix is wrong."""
        path = Path(path)
        if path.suffix.lower() not in (".png", ".svg"):
            raise ProjectError(f"{path.name}: export a slide to .png or .svg")
        projects = slide_projects(project)
        self._job = (projects, size, layers, path)
        self.task.request([p.copy() for p in projects], supersede=True)

    def _draw(self, datas) -> None:
        projects, size, layers, path = self._job
        slide = Slide(projects, size, layers)
        try:
            slide.draw(datas)
            self.rows = slide.rows
            write_slide(slide, path)
        except (ProjectError, OSError) as error:
            self.failed.emit(str(error))
            return
        finally:
            slide.close()
            slide.deleteLater()
        self.finished.emit(path)

    def shutdown(self) -> None:
        self.task.shutdown()


def export_slide_dialog(window) -> SlideExporter | None:
    """Ask for size, rows and file; the slide is written when its data have been computed
    (the exporter returned says when)."""
    project = window.document.project
    settings = window.document.settings
    dialog = SlideDialog(window, settings.layers, project.depth, compares(project))
    if dialog.exec() != QtWidgets.QDialog.Accepted:
        return None
    size, layers = dialog.choice()
    path, _ = QtWidgets.QFileDialog.getSaveFileName(
        window, "Export slide", f"{project.name}-slide.png", IMAGE_FILTER)
    if not path:
        return None
    exporter = window.findChild(SlideExporter)
    if exporter is None:
        exporter = SlideExporter(window)
        exporter.finished.connect(lambda p: window.show_message(f"Exported slide {p}"))
        exporter.failed.connect(
            lambda message: QtWidgets.QMessageBox.critical(window, "Export failed", message))
    try:
        exporter.export(project, size, layers, path)
    except ProjectError as error:
        QtWidgets.QMessageBox.critical(window, "Export failed", str(error))
        return None
    window.show_message(f"Drawing the slide at {size[0]} × {size[1]}…")
    return exporter
