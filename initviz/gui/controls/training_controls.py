"""The Training view's controls and its symmetry readout.

Play/pause, step, reset and speed drive the view; the optimiser, learning rate
and momentum edit the project's "training" section (and so restart training).
"""
from __future__ import annotations

from PySide6 import QtWidgets

from initviz.gui import theme as th
from initviz.gui.controls.flow_layout import FlowLayout, joined
from initviz.project_fields import OPTIMIZERS


class TrainingToolbar(QtWidgets.QWidget):
    """Play/pause, step, reset, speed, and the optimiser of the project's "training" section."""

    def __init__(self, parent=None):
        super().__init__(parent)
        style = self.style()
        self.play_button = QtWidgets.QPushButton(
            style.standardIcon(QtWidgets.QStyle.SP_MediaPlay), "Play")
        self.play_button.setObjectName("trainPlayButton")
        self.play_button.setCheckable(True)
        self.play_button.setShortcut("Space")
        self.play_button.setToolTip("Train continuously (Space); press again to pause")
        self.step_button = QtWidgets.QPushButton(
            style.standardIcon(QtWidgets.QStyle.SP_MediaSkipForward), "Step")
        self.step_button.setObjectName("trainStepButton")
        self.step_button.setToolTip("One frame: 'steps per frame' optimiser steps")
        self.reset_button = QtWidgets.QPushButton(
            style.standardIcon(QtWidgets.QStyle.SP_MediaSkipBackward), "Reset")
        self.reset_button.setObjectName("trainResetButton")
        self.reset_button.setToolTip("Back to the initial weights; clears the curves")
        self.speed_spin = QtWidgets.QSpinBox(minimum=1, maximum=500, value=1)
        self.speed_spin.setObjectName("trainSpeedSpin")
        self.speed_spin.setToolTip("Optimiser steps between two drawn frames")
        self.optimizer_combo = QtWidgets.QComboBox()
        self.optimizer_combo.setObjectName("optimizerCombo")
        for name, title in zip(OPTIMIZERS, ("SGD (+ momentum)", "Adam"), strict=True):
            self.optimizer_combo.addItem(title, name)
        self.lr_spin = QtWidgets.QDoubleSpinBox(decimals=5, minimum=1e-5, maximum=100.0)
        self.lr_spin.setStepType(QtWidgets.QAbstractSpinBox.AdaptiveDecimalStepType)
        self.lr_spin.setObjectName("learningRateSpin")
        self.lr_spin.setToolTip(
            "Learning rate (training.learning_rate); changing it restarts training")
        self.momentum_spin = QtWidgets.QDoubleSpinBox(decimals=3, minimum=0.0, maximum=0.999,
                                                      singleStep=0.1)
        self.momentum_spin.setObjectName("momentumSpin")
        self.momentum_spin.setToolTip("SGD momentum μ: v ← μ·v + g (ignored by Adam)")
        for spin in (self.lr_spin, self.momentum_spin):
            spin.setKeyboardTracking(False)
        self.step_label = QtWidgets.QLabel("step 0")
        self.step_label.setObjectName("trainStepLabel")
        self.export_curves_button = QtWidgets.QPushButton("Export curves…")
        self.export_curves_button.setToolTip("The curves as PNG/SVG and the history as CSV")
        self.record_button = QtWidgets.QPushButton("Record frames…")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip(
            "Save every drawn histogram frame as frame_0000.png, … for slides")
        self.step_label.setMinimumWidth(self.step_label.fontMetrics().horizontalAdvance(
            "step 000000"))
        layout = FlowLayout(self)  # wraps on a narrow window instead of widening it
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (
                joined(self.play_button, self.step_button, self.reset_button),
                joined("steps/frame", self.speed_spin), self.step_label,
                joined("optimiser", self.optimizer_combo), joined("lr", self.lr_spin),
                joined("momentum", self.momentum_spin),
                joined(self.export_curves_button, self.record_button)):
            layout.addWidget(widget)

    def show_training(self, training: dict) -> None:
        for widget, value in ((self.lr_spin, training["learning_rate"]),
                              (self.momentum_spin, training["momentum"])):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.optimizer_combo.blockSignals(True)
        self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(training["optimizer"]))
        self.optimizer_combo.blockSignals(False)
        self.momentum_spin.setEnabled(training["optimizer"] == "sgd")


def symmetry_html(distinct: list[int | None], widths: list[int], theme: th.Theme) -> str:
    """'distinct neurons per hidden layer', in red where a whole layer acts as one neuron.

    Deep networks get a summary instead of one entry per layer. A layer counted as None has
    weights that are not finite (training diverged): NaN equals nothing and inf − inf is
    NaN, so nothing is said about symmetry then.
    """
    if not distinct:
        return "Distinct neurons: no hidden layer"
    if any(count is None for count in distinct):
        return ("Distinct neurons: not counted, the weights are not finite "
                "(training diverged)")
    red = th.WARNING_COLOURS["nonfinite"]
    pairs = list(zip(distinct, widths[1:-1], strict=False))
    stuck = [i for i, (count, width) in enumerate(pairs, start=1) if count == 1 and width > 1]
    if len(pairs) > 8:
        full = sum(count == width for count, width in pairs)
        parts = [f"all units distinct in {full} of {len(pairs)} hidden layers"]
        if stuck:
            parts.append(f"<span style='color:{red}'>one distinct unit in layers "
                         f"{', '.join(map(str, stuck))}</span>")
    else:
        parts = []
        for layer, (count, width) in enumerate(pairs, start=1):
            colour = red if layer in stuck else theme.foreground
            parts.append(f"<span style='color:{colour}'>L{layer}: <b>{count}</b>/{width}</span>")
    note = ""
    if stuck:
        note = (f"&nbsp;&nbsp;<b style='color:{red}'>"
                "symmetry never breaks: every neuron of the layer is the same</b>")
    return "Distinct neurons per hidden layer:&nbsp;&nbsp;" + "&nbsp;&nbsp;".join(parts) + note
