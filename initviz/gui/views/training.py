"""The Training view: play, pause, step, reset; curves, decision boundary, evolving histograms.

Training runs in the TrainingController's thread; this widget only draws. While
playing, a frame timer asks for ``steps per frame`` more steps whenever the
previous answer has arrived, so a slow network plays slower instead of queueing
work. Changing the network, the init, the data or the optimiser resets training
(the history is reproducible from the project alone).
"""
from __future__ import annotations

import csv
import dataclasses
import io
import math
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.errors import ProjectError
from initviz.gui import theme as th
from initviz.gui.controls.training_controls import TrainingToolbar, symmetry_html
from initviz.gui.export import writers
from initviz.gui.plots.digit_samples import DigitSamples
from initviz.gui.plots.layer_grid import LayerHistogramGrid, column_peaks
from initviz.gui.plots.training_plots import History, TrainingCurves, sticky_peaks
from initviz.gui.view_refresh import RefreshWhenVisible, view_document
from initviz.gui.workers.training import TrainingController
from initviz.safe_io import write_text_atomic

TRAINING_SECTIONS = ("network", "init", "data", "loss", "training")
FRAME_INTERVAL_MS = 33
"""At most ~30 frames a second; each frame is ``steps per frame`` optimiser steps."""


RANDOM_LABEL_SOURCES = ("gaussian", "uniform")


class TrainingView(RefreshWhenVisible, QtWidgets.QWidget):
    """Self-contained: give it the window's ProjectDocument, or a Project for scripts and tests."""

    frameDrawn = QtCore.Signal(int)
    """The step count now on screen (curves, boundary, readout)."""

    def __init__(self, document=None, project=None, parent=None):
        super().__init__(parent)
        self.setObjectName("trainingView")
        self.document = view_document(document, project, self)
        self.theme = th.NORMAL
        self.history = History()
        self.distinct: list[int] = []
        self.step = 0
        self.record_folder: Path | None = None
        self.recorded = 0
        self._pending_grid = None
        self._last_plot_data = None
        self._last_frame = None
        self._settings = None
        self._peaks = None
        self._key = None
        self._frame_times: list[float] = []
        self.controller = TrainingController(self)
        self.controller.frameReady.connect(self._on_frame)
        self.controller.failed.connect(self._on_failed)
        self.controller.cancelled.connect(self._cancelled)
        self._build()
        self.timer = QtCore.QTimer(self, interval=FRAME_INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        self._stale = True
        self.follow(self.document)
        self._project_changed()

    def _build(self) -> None:
        self.toolbar = TrainingToolbar()
        self.curves = TrainingCurves(self.theme)
        self.symmetry_label = QtWidgets.QLabel()
        self.symmetry_label.setObjectName("symmetryLabel")
        self.symmetry_label.setTextFormat(QtCore.Qt.RichText)
        self.symmetry_label.setWordWrap(True)
        self.status_label = QtWidgets.QLabel()
        self.status_label.setObjectName("trainStatusLabel")
        self.status_label.setWordWrap(True)
        self.digits = DigitSamples(self.theme)
        self.grid = LayerHistogramGrid(self.theme)  # its y tops: sticky_peaks, from here
        self.grid.drawn.connect(self._grid_drawn)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        splitter.addWidget(self.curves)
        splitter.addWidget(self.grid)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        for label in (self.symmetry_label, self.status_label):
            label.setContentsMargins(8, 0, 8, 0)
            layout.addWidget(label)
        layout.addWidget(self.digits)
        layout.addWidget(splitter, 1)
        bar, edit = self.toolbar, self.document.edit
        bar.play_button.toggled.connect(self.set_playing)
        bar.step_button.clicked.connect(self.single_step)
        bar.reset_button.clicked.connect(self.reset)
        bar.optimizer_combo.currentIndexChanged.connect(
            lambda _: edit({"training.optimizer": bar.optimizer_combo.currentData()}))
        bar.lr_spin.valueChanged.connect(lambda v: edit({"training.learning_rate": v}))
        bar.momentum_spin.valueChanged.connect(lambda v: edit({"training.momentum": v}))
        bar.export_curves_button.clicked.connect(self._export_curves_dialog)
        bar.record_button.toggled.connect(self._record_toggled)

    # --- controls -------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def set_playing(self, on: bool) -> None:
        button = self.toolbar.play_button
        button.blockSignals(True)
        button.setChecked(on)
        button.setText("Pause" if on else "Play")
        icon = QtWidgets.QStyle.SP_MediaPause if on else QtWidgets.QStyle.SP_MediaPlay
        button.setIcon(self.style().standardIcon(icon))
        button.blockSignals(False)
        if on:
            self._frame_times.clear()
            self.timer.start()
            self._tick()
        else:
            self.timer.stop()

    def single_step(self) -> None:
        self.set_playing(False)
        self.controller.advance(self.toolbar.speed_spin.value())

    def reset(self) -> None:
        """Initial weights again, empty history (also after any change of the project)."""
        self.set_playing(False)
        self.history.clear()
        self.step = 0
        self._pending_grid = None
        self._peaks = None
        self.curves.show_history(self.history)
        self.controller.reset(self.document.project)

    def _tick(self) -> None:
        self.controller.advance(self.toolbar.speed_spin.value())

    def _refresh(self) -> None:
        project = self.document.project
        self.toolbar.show_training(project.training)
        key = project.sections_json(TRAINING_SECTIONS)
        if key != self._key:
            self._key = key
            self.reset()
        elif self._last_plot_data is not None and self.document.settings != self._settings:
            self._draw_grid(self._last_plot_data)  # display settings only: re-draw

    # --- frames ---------------------------------------------------------------------------

    def _on_frame(self, frame) -> None:
        if frame.reset:
            self.history.clear()
            self.curves.set_depth(len(frame.widths) - 1)
            classes = frame.widths[-1]
            cross_entropy = self.document.project.loss == "cross_entropy"
            self.curves.set_chance(math.log(classes) if cross_entropy else None,
                                   f"chance = ln {classes}")
            self.curves.show_boundary(frame.boundary, frame.extent, frame.points, frame.labels)
        elif frame.boundary is not None:
            self.curves.show_boundary(frame.boundary, frame.extent)
        self.digits.show_samples(frame.extras.get("digits"))
        self.history.extend(frame.records)
        self.step = frame.step
        self.distinct = list(frame.distinct)
        self.curves.show_history(self.history)
        self._last_frame = frame
        self._show_text(frame)
        self._draw_grid(frame.plot_data)
        self._frame_times.append(QtCore.QTime.currentTime().msecsSinceStartOfDay())
        self.frameDrawn.emit(self.step)

    def _show_text(self, frame) -> None:
        """The symmetry note and the status line, at the theme's size (again on a new theme)."""
        self.symmetry_label.setText(symmetry_html(self.distinct, frame.widths, self.theme))
        self._show_status(frame)

    def _show_status(self, frame) -> None:
        text = f"step {frame.step}"
        if self.history.loss:
            text += f"   loss {self.history.loss[-1]:.4g}"
        if self.history.test_accuracy:
            text += f"   test accuracy {100 * self.history.test_accuracy[-1]:.1f}%"
        self.toolbar.step_label.setText(text)
        loss = self.history.loss[-1] if self.history.loss else 0.0
        if not math.isfinite(loss):
            self.set_playing(False)
            self.status_label.setText(
                f"<b style='color:{th.WARNING_COLOURS['nonfinite']}'>Training diverged at step "
                f"{frame.step} (the loss is not finite): lower the learning rate, or pick a "
                "smaller init, then Reset.</b>")
        else:
            parts = [f"{frame.compute_ms:.0f} ms per frame in the training thread"] * bool(
                self.theme.show_timings)  # a class needs no timings
            if self.document.project.source in RANDOM_LABEL_SOURCES:
                parts.append("the labels of this input source are random, so the network can "
                             "only memorise them: test accuracy stays at chance. Pick a 2-D set "
                             "(moons, spiral, ...) to watch it learn")
            text = "; ".join(parts)
            self.status_label.setText(f"<span style='color:#555555'>{text}</span>" if text else "")
        # nothing to say (on stage, with a 2-D set): no empty line above the plots
        self.status_label.setVisible(bool(self.status_label.text()))

    def _draw_grid(self, data) -> None:
        """Newest wins: while the grid is still drawing, keep only the latest frame for later."""
        self._last_plot_data = data
        if self.grid.drawing:
            self._pending_grid = data
            return
        self._settings = settings = self.document.settings
        if settings.log_magnitude and not data.log_limits:  # a frame has no log10|x| ones
            settings = dataclasses.replace(settings, log_magnitude=False)
        self._peaks = sticky_peaks(self._peaks, column_peaks(data, settings.log_magnitude))
        self.grid.show_data(data, settings, self._peaks)

    def _grid_drawn(self) -> None:
        if self.record_folder is not None:
            self.save_frame(self.record_folder / f"frame_{self.recorded:04d}.png")
            self.recorded += 1
        if self._pending_grid is not None:
            data, self._pending_grid = self._pending_grid, None
            self._draw_grid(data)

    def _cancelled(self) -> None:
        """Stopped mid-step on close: training starts again from a reset when next shown."""
        self._key = None
        self._stale = True

    def _on_failed(self, message: str) -> None:
        self.set_playing(False)
        colour = th.WARNING_COLOURS["nonfinite"]
        self.status_label.setText(f"<b style='color:{colour}'>{message}</b>")
        self.status_label.show()
        self.document.show_message(message)

    def frames_per_second(self) -> float:
        times = self._frame_times[-30:]
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return 1000.0 * (len(times) - 1) / (times[-1] - times[0])

    # --- export ---------------------------------------------------------------------------

    def export_curves(self, path) -> None:
        """The four plots as PNG or SVG (as on screen)."""
        writers.export_widget(self.curves, path)

    def export_history_csv(self, path) -> None:
        """One row per step: loss, accuracy, test loss and accuracy (when evaluated), ratios."""
        depth = len(self.history.ratio[0]) if self.history.ratio else 0
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["step", "loss", "accuracy", "test_loss", "test_accuracy"]
                        + [f"update_ratio_layer_{i + 1}" for i in range(depth)])
        tests = dict(zip(self.history.test_step,
                         zip(self.history.test_loss, self.history.test_accuracy, strict=True),
                         strict=True))
        h = self.history
        for i, step in enumerate(h.step):
            test = tests.get(step, ("", ""))
            ratios = map(repr, h.ratio[i])
            writer.writerow([step, repr(h.loss[i]), repr(h.accuracy[i]), *test, *ratios])
        write_text_atomic(Path(path), out.getvalue())

    def save_frame(self, path) -> None:
        """The histogram grid (all its rows) with a 'step N' caption, as one PNG."""
        self.grid.draw_pending()  # rows out of sight too: the frame shows step N throughout
        header, view = self.grid.header.grab(), self.grid.view.grab()
        caption = 8 + int(self.theme.font_pt * 2.2)
        width = max(header.width(), view.width())
        height = caption + header.height() + view.height()
        image = QtGui.QImage(width, height, QtGui.QImage.Format_RGB32)
        image.fill(QtGui.QColor(self.theme.background))
        painter = QtGui.QPainter(image)
        painter.setFont(th.plot_font(self.theme, 1.3, bold=True))
        painter.setPen(QtGui.QColor(self.theme.foreground))
        painter.drawText(10, caption - 8, f"{self.document.project.name} — step {self.step}")
        painter.drawPixmap(0, caption, header)
        painter.drawPixmap(0, caption + header.height(), view)
        painter.end()
        if not image.save(str(path), "PNG"):
            raise ProjectError(f"cannot write {path}")

    def start_recording(self, folder) -> None:
        self.record_folder = Path(folder)
        self.record_folder.mkdir(parents=True, exist_ok=True)
        self.recorded = 0

    def stop_recording(self) -> None:
        self.record_folder = None

    def _record_toggled(self, on: bool) -> None:
        if not on:
            self.stop_recording()
            return
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Save histogram frames in")
        if not folder:
            self.toolbar.record_button.setChecked(False)
            return
        self.start_recording(folder)
        self.document.show_message(f"Recording frames to {folder} (frame_0000.png, …)")

    def _export_curves_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export training curves", f"{self.document.project.name}-training.png",
            "PNG image (*.png);;SVG image (*.svg)")
        if not path:
            return
        try:
            self.export_curves(path)
            csv_path = Path(path).with_suffix(".csv")
            self.export_history_csv(csv_path)
        except (ProjectError, OSError) as error:
            QtWidgets.QMessageBox.critical(self, "Export failed", str(error))
            return
        self.document.show_message(f"Exported {path} and {csv_path.name}")

    # --- lifetime -------------------------------------------------------------------------

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        self.curves.apply_theme(theme)
        self.grid.apply_theme(theme)
        self.digits.apply_theme(theme)
        if self._last_frame is not None:
            self._show_text(self._last_frame)

    def hideEvent(self, event) -> None:
        self.set_playing(False)
        super().hideEvent(event)

    def shutdown(self) -> None:
        self.set_playing(False)
        self.grid.cancel()
        self.controller.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
