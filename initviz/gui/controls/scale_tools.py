"""Two buttons under the scheme's parameters: sweep its scale, or set the one φ calls for.

"Sweep std" lets the class watch the histograms pass from a signal that dies out to one
that explodes; "Recommended gain" sets the gain (or the std, or the variance scale) that
PyTorch's ``calculate_gain`` gives for the activation, and its tooltip says the number and
why. Both only issue edits; a whole sweep is one undo step (a gesture).
"""
from __future__ import annotations

import math
from collections import Counter

from PySide6 import QtCore, QtWidgets

from initviz.core.activations import ACTIVATIONS, gain
from initviz.core.schemes import SCHEMES
from initviz.gui.controls.log_slider import LOG_RANGES
from initviz.gui.controls.sweep import SWEEP_RANGES, ParameterSweep


def scale_param(scheme_name: str) -> str | None:
    """The parameter that sets the size of this scheme's weights (std, gain, scale), if any."""
    names = [p.name for p in SCHEMES[scheme_name].params]
    return next((name for name in LOG_RANGES if name in names), None)


def typical_fan_in(widths: list[int]) -> int:
    """The fan_in most layers have (the hidden width, in a network of equal hidden layers)."""
    counts = Counter(widths[:-1])
    return max(counts, key=lambda fan_in: (counts[fan_in], -widths.index(fan_in)))


def recommended(project, name: str) -> tuple[float, str]:
    """The value of ``name`` the project's activation calls for, and a sentence saying why."""
    title = ACTIVATIONS[project.activation].title
    g = gain(project.activation, **project.activation_params)
    why = (f"the gain PyTorch's calculate_gain gives for {title} is {g:.4g}: it makes up for "
           "what φ takes from the signal's variance, so that it neither dies out nor grows "
           "from layer to layer")
    if name == "gain":
        return g, f"Set gain = {g:.4g}: {why}."
    if name == "scale":
        return g * g, f"Set scale = gain² = {g * g:.4g} (Var(W) = scale/n): {why}."
    fan_in = typical_fan_in(project.widths)
    value = g / math.sqrt(fan_in)
    return value, (f"Set std = gain/√fan_in = {g:.4g}/√{fan_in} = {value:.3g} (fan_in of most "
                   f"layers): {why}.")


class ScaleTools(QtWidgets.QWidget):
    """The Sweep and Recommended buttons for the current scheme's scale parameter."""

    editRequested = QtCore.Signal(dict)
    gestureStarted = QtCore.Signal()
    gestureFinished = QtCore.Signal()
    shown = QtCore.Signal()
    """The buttons' texts, tooltips or visibility changed (presentation's strip mirrors them)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.project = None
        self.param: str | None = None
        self.sweep = ParameterSweep(parent=self)
        self.sweep.valueChanged.connect(self._sweep_to)
        self.sweep.started.connect(self.gestureStarted)
        self.sweep.finished.connect(self._sweep_finished)
        self.sweep_button = QtWidgets.QPushButton("Sweep")
        self.sweep_button.setObjectName("sweepButton")
        self.sweep_button.clicked.connect(self.toggle_sweep)
        self.recommended_button = QtWidgets.QPushButton("Recommended")
        self.recommended_button.setObjectName("recommendedGainButton")
        self.recommended_button.clicked.connect(self.set_recommended)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.addWidget(self.sweep_button)
        layout.addWidget(self.recommended_button)

    def show_project(self, project) -> None:
        self.project = project
        param = scale_param(project.scheme)
        if param != self.param:
            self.sweep.stop()  # the scheme changed under the sweep: it has nothing left to move
            self.param = param
        self.setVisible(param is not None)
        if param is None:
            self.shown.emit()
            return
        _, why = recommended(project, param)
        self.recommended_button.setText(f"Recommended {param}")
        self.recommended_button.setToolTip(why)
        self._show_sweep_button()

    def _show_sweep_button(self) -> None:
        if self.sweep.running:
            self.sweep_button.setText("Stop")
            self.sweep_button.setToolTip("Stop the sweep here (one Undo goes back to the start)")
            self.shown.emit()
            return
        start, end = SWEEP_RANGES[self.param]
        seconds = self.sweep.duration_ms / 1000
        self.sweep_button.setText(f"Sweep {self.param}")
        self.sweep_button.setToolTip(
            f"Move {self.param} from {start:g} to {end:g} over {seconds:g} s, in equal ratios, "
            "while the plots follow; one Undo goes back")
        self.shown.emit()

    def toggle_sweep(self) -> None:
        if self.sweep.running:
            self.sweep.stop()
        elif self.param is not None:
            self.sweep.start(*SWEEP_RANGES[self.param])
            self._show_sweep_button()

    def _sweep_to(self, value: float) -> None:
        if self.param is not None:
            self.editRequested.emit({f"init.params.{self.param}": value})

    def _sweep_finished(self) -> None:
        self.gestureFinished.emit()
        if self.param is not None:
            self._show_sweep_button()

    def set_recommended(self) -> None:
        if self.project is not None and self.param is not None:
            value, _ = recommended(self.project, self.param)
            self.editRequested.emit({f"init.params.{self.param}": value})
