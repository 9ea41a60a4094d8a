"""Editors built from a registry's Param tuple: one widget per parameter, no per-scheme code.

A choice becomes a combo box, an integer a spin box, a number a NumberSpinBox; a scale
parameter (std, gain, scale) also gets a LogSlider beside its spin box, which a teacher drags
in front of the class. Widgets update while the user drags or types (keyboard tracking on).
"""
from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.core.registry import Param
from initviz.gui.controls.log_slider import LOG_RANGES, LogSlider


class NumberSpinBox(QtWidgets.QDoubleSpinBox):
    """A spin box for numbers from 1e-6 to 1e6: shown with 4 significant digits, stepped by 10 %."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(12)
        self.setStepType(QtWidgets.QAbstractSpinBox.AdaptiveDecimalStepType)
        self.setKeyboardTracking(True)
        self.setAccelerated(True)

    def textFromValue(self, value: float) -> str:
        return f"{value:.4g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            partial = stripped in ("", "-", "+", ".", "-.") or stripped[-1:] in ("e", "E", "-", "+")
            state = QtGui.QValidator.Intermediate if partial else QtGui.QValidator.Invalid
            return state, text, pos
        if not math.isfinite(value) or not self.minimum() <= value <= self.maximum():
            return QtGui.QValidator.Intermediate, text, pos
        return QtGui.QValidator.Acceptable, text, pos


def make_editor(param: Param) -> QtWidgets.QWidget:
    if param.is_choice:
        widget = QtWidgets.QComboBox()
        for choice in param.choices:
            widget.addItem(choice.replace("_", " "), choice)
    elif param.integer:
        widget = QtWidgets.QSpinBox()
        widget.setRange(int(param.minimum or 0), int(param.maximum or 10**6))
        widget.setKeyboardTracking(True)
    else:
        widget = NumberSpinBox()
        widget.setRange(param.minimum if param.minimum is not None else -1e6,
                        param.maximum if param.maximum is not None else 1e6)
    widget.setObjectName(f"param_{param.name}")
    widget.setToolTip(f"{param.name}: {param.help}")
    return widget


def editor_value(widget):
    if isinstance(widget, QtWidgets.QComboBox):
        return widget.currentData()
    return widget.value()


def set_editor_value(widget, value) -> None:
    if isinstance(widget, QtWidgets.QComboBox):
        widget.setCurrentIndex(max(widget.findData(value), 0))
    else:
        widget.setValue(value)


class ParamEditor(QtWidgets.QWidget):
    """The parameters of one registry entry, as a form; rebuilt when the entry changes."""

    paramsEdited = QtCore.Signal(dict)
    """All current values, after the user changed one."""
    dragStarted = QtCore.Signal()
    """The user took hold of a slider: the edits until ``dragFinished`` are one gesture."""
    dragFinished = QtCore.Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.form = QtWidgets.QFormLayout(self)
        self.form.setContentsMargins(12, 0, 0, 0)
        self.editors: dict[str, QtWidgets.QWidget] = {}
        self.sliders: dict[str, LogSlider] = {}
        self._params: tuple[Param, ...] = ()

    def set_params(self, params: tuple[Param, ...], values: dict) -> None:
        """Show ``params`` with ``values``, without emitting ``paramsEdited``."""
        if params != self._params:
            self._rebuild(params)
        for name, widget in self.editors.items():
            widget.blockSignals(True)
            set_editor_value(widget, values.get(name))
            widget.blockSignals(False)
            if name in self.sliders:
                self.sliders[name].set_value(widget.value())
        self.setVisible(bool(params))

    def values(self) -> dict:
        return {name: editor_value(widget) for name, widget in self.editors.items()}

    def _rebuild(self, params: tuple[Param, ...]) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors, self.sliders = {}, {}
        for param in params:
            widget = make_editor(param)
            signal = widget.currentIndexChanged if isinstance(widget, QtWidgets.QComboBox) \
                else widget.valueChanged
            signal.connect(self._emit)
            label = QtWidgets.QLabel(param.name.replace("_", " "))
            label.setToolTip(param.help)
            self.editors[param.name] = widget
            if param.name in LOG_RANGES and not (param.is_choice or param.integer):
                self.form.addRow(label, self._with_slider(param.name, widget))
            else:
                self.form.addRow(label, widget)
        self._params = params

    def _with_slider(self, name: str, spin: QtWidgets.QDoubleSpinBox) -> QtWidgets.QWidget:
        """The spin box and a log slider side by side; each shows what the other set."""
        slider = LogSlider(*LOG_RANGES[name])
        slider.setObjectName(f"param_{name}_slider")
        slider.valueMoved.connect(spin.setValue)  # the spin box emits the edit
        spin.valueChanged.connect(slider.set_value)
        slider.sliderPressed.connect(self.dragStarted)
        slider.sliderReleased.connect(self.dragFinished)
        row = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(spin, 2)
        layout.addWidget(slider, 3)
        self.sliders[name] = slider
        return row

    def _emit(self, *_):
        self.paramsEdited.emit(self.values())
