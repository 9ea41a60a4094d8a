"""The control panel: every setting of the Project, built from the registries.

Binding both ways (napari's rule): a widget change asks for a Project edit
(``editRequested`` with dotted paths); ``show_project`` puts the Project's
values into the widgets with their signals blocked, so showing never edits.
"""
from __future__ import annotations

import contextlib

import numpy as np
from PySide6 import QtCore, QtWidgets

from initviz.core.activations import ACTIVATIONS
from initviz.core.data import SOURCES
from initviz.core.losses import LOSSES
from initviz.core.schemes import SCHEMES
from initviz.errors import ProjectError
from initviz.gui.controls.architecture import ArchitectureControls
from initviz.gui.controls.layer_widths import LayerWidthsEditor
from initviz.gui.controls.param_widgets import ParamEditor
from initviz.gui.controls.scale_tools import ScaleTools
from initviz.project_fields import MAX_BATCH, MAX_DEPTH, MAX_WIDTH

LOSS_TITLES = {"cross_entropy": "Cross-entropy (softmax)", "mse": "Mean squared error"}
SEED_MAX = 2**31 - 1


def scheme_tooltip(scheme) -> str:
    text = f"<b>{scheme.title}</b><br><tt>{scheme.formula}</tt>"
    if scheme.reference:
        text += f"<br>{scheme.reference}"
    return text


class NarrowCombo(QtWidgets.QComboBox):
    """A combo as wide as its longest title where there is room, narrower where not.

    A QComboBox will not shrink below its longest item ("Cross-entropy (softmax)"), and
    so neither would the Controls dock on a 1024-pixel projector.
    """

    MIN_CHARACTERS = 9

    def minimumSizeHint(self):
        full = super().minimumSizeHint()
        text = self.fontMetrics().horizontalAdvance("x" * self.MIN_CHARACTERS)
        arrow = full.width() - self.fontMetrics().horizontalAdvance(self._longest())
        return QtCore.QSize(min(full.width(), text + max(arrow, 0)), full.height())

    def _longest(self) -> str:
        return max((self.itemText(i) for i in range(self.count())),
                   key=self.fontMetrics().horizontalAdvance, default="")


def _combo(name: str, entries, tooltip=None) -> QtWidgets.QComboBox:
    """A combo whose items show titles and carry registry names as item data."""
    combo = NarrowCombo()
    combo.setObjectName(name)
    for key, title, tip in entries:
        combo.addItem(title, key)
        if tip:
            combo.setItemData(combo.count() - 1, tip, QtCore.Qt.ToolTipRole)
    if tooltip:
        combo.setToolTip(tooltip)
    return combo


def _spin(name: str, low: int, high: int, tooltip: str) -> QtWidgets.QSpinBox:
    spin = QtWidgets.QSpinBox()
    spin.setObjectName(name)
    spin.setRange(low, high)
    spin.setKeyboardTracking(True)
    spin.setAccelerated(True)
    spin.setToolTip(tooltip)
    return spin


def carried_params(entry, old: dict) -> dict:
    """Keep the old values of parameters the new entry shares (gain stays when Xavier → He)."""
    names = {p.name for p in entry.params}
    candidate = {k: v for k, v in old.items() if k in names}
    try:
        entry.resolve(candidate)
    except ProjectError:
        return {}
    return candidate


def scheme_edit(project, name: str) -> dict:
    """The edit that makes ``name`` the init scheme, keeping the parameters it shares."""
    scheme = SCHEMES[name]
    params = carried_params(scheme, project.scheme_params if project else {})
    return {"init.scheme": scheme.name, "init.params": params}


def activation_edit(project, name: str) -> dict:
    """The edit that makes ``name`` the activation, keeping the parameters it shares."""
    activation = ACTIVATIONS[name]
    params = carried_params(activation, project.activation_params if project else {})
    return {"network.activation": activation.name, "network.activation_params": params}


def depth_edit(project, depth: int, width: int) -> dict:
    """The edit to ``depth`` layers: the first hidden widths kept, new layers ``width`` wide."""
    widths = project.widths
    hidden = widths[1:-1][: depth - 1]
    hidden += [width] * (depth - 1 - len(hidden))
    return {"network.widths": [widths[0], *hidden, widths[-1]]}


class ControlPanel(QtWidgets.QWidget):
    editRequested = QtCore.Signal(dict)
    """Dotted project paths and their new values, applied together."""
    gestureStarted = QtCore.Signal()
    """A slider drag or a sweep began: its edits, until ``gestureFinished``, are one undo step."""
    gestureFinished = QtCore.Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.project = None
        self._showing = False
        self._build()
        self._connect()

    # --- construction ----------------------------------------------------------------

    def _build(self) -> None:
        self.scheme_combo = _combo("schemeCombo", [
            (s.name, s.title, scheme_tooltip(s)) for s in SCHEMES.values()])
        self.scheme_params = ParamEditor()
        self.scale_tools = ScaleTools()
        self.bias_combo = _combo("biasSchemeCombo", [
            (s.name, s.title, scheme_tooltip(s)) for s in SCHEMES.values() if not s.data_dependent])
        self.bias_params = ParamEditor()
        self.activation_combo = _combo("activationCombo", [
            (a.name, a.title, a.formula) for a in ACTIVATIONS.values()])
        self.activation_params = ParamEditor()
        self.depth_spin = _spin("depthSpin", 1, MAX_DEPTH, "Number of weight layers L")
        self.width_spin = _spin("widthSpin", 1, MAX_WIDTH, "Width of every hidden layer at once")
        self.input_spin = _spin("inputWidthSpin", 1, MAX_WIDTH, "Inputs n0 (fan_in of layer 1)")
        self.output_spin = _spin("outputWidthSpin", 1, MAX_WIDTH, "Outputs nL (classes)")
        self.widths_table = LayerWidthsEditor()
        self.widths_table.setMinimumHeight(120)
        self.architecture = ArchitectureControls()
        self.source_combo = _combo("sourceCombo", [
            (s.name, s.title, None) for s in SOURCES.values()], "Where the input batch comes from")
        self.batch_spin = _spin("batchSpin", 1, MAX_BATCH, "Samples in the batch")
        self.seed_spin = _spin("seedSpin", 0, SEED_MAX, "Same seed, same weights and batch")
        self.new_seed_button = QtWidgets.QPushButton("New seed")
        self.new_seed_button.setObjectName("newSeedButton")
        self.new_seed_button.setToolTip("Draw new weights and a new batch (Ctrl+R)")
        self.loss_combo = _combo("lossCombo", [
            (name, LOSS_TITLES.get(name, name), None) for name in LOSSES])
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self._group("Weight initialisation", [
            ("scheme", self.scheme_combo), (None, self.scheme_params), (None, self.scale_tools),
            ("bias", self.bias_combo), (None, self.bias_params)]))
        layout.addWidget(self._group("Activation", [
            ("φ", self.activation_combo), (None, self.activation_params)]))
        layout.addWidget(self._group("Network", [
            ("depth L", self.depth_spin), ("hidden width", self.width_spin),
            ("inputs n0", self.input_spin), ("outputs nL", self.output_spin),
            (None, self.widths_table), (None, self.architecture)]))
        seed_row = QtWidgets.QHBoxLayout()
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.new_seed_button)
        layout.addWidget(self._group("Data and loss", [
            ("input", self.source_combo), ("batch size", self.batch_spin),
            ("seed", seed_row), ("loss", self.loss_combo)]))
        layout.addStretch(1)

    @staticmethod
    def _group(title: str, rows) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox(title)
        form = QtWidgets.QFormLayout(group)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.AllNonFixedFieldsGrow)
        for label, widget in rows:
            if label is None:
                form.addRow(widget)
            else:
                form.addRow(label, widget)
        return group

    def _connect(self) -> None:
        self.scheme_combo.currentIndexChanged.connect(self._scheme_changed)
        self.scheme_params.paramsEdited.connect(lambda v: self._edit({"init.params": v}))
        self.scale_tools.editRequested.connect(self._edit)
        for source in (self.scheme_params, self.bias_params, self.activation_params):
            source.dragStarted.connect(self.gestureStarted)
            source.dragFinished.connect(self.gestureFinished)
        self.scale_tools.gestureStarted.connect(self.gestureStarted)
        self.scale_tools.gestureFinished.connect(self.gestureFinished)
        self.bias_combo.currentIndexChanged.connect(self._bias_changed)
        self.bias_params.paramsEdited.connect(lambda v: self._edit({"init.bias.params": v}))
        self.activation_combo.currentIndexChanged.connect(self._activation_changed)
        self.activation_params.paramsEdited.connect(
            lambda v: self._edit({"network.activation_params": v}))
        self.depth_spin.valueChanged.connect(self._depth_changed)
        self.width_spin.valueChanged.connect(self._width_changed)
        self.input_spin.valueChanged.connect(lambda v: self._set_width(0, v))
        self.output_spin.valueChanged.connect(lambda v: self._set_width(-1, v))
        self.widths_table.widthsEdited.connect(lambda w: self._edit({"network.widths": w}))
        self.source_combo.currentIndexChanged.connect(self._source_changed)
        self.architecture.editRequested.connect(self._edit)
        self.batch_spin.valueChanged.connect(lambda v: self._edit({"data.batch_size": v}))
        self.seed_spin.valueChanged.connect(lambda v: self._edit({"data.seed": v}))
        self.new_seed_button.clicked.connect(self.new_seed)
        self.loss_combo.currentIndexChanged.connect(
            lambda _: self._edit({"loss": self.loss_combo.currentData()}))

    # --- widget -> project -------------------------------------------------------------

    def _edit(self, changes: dict) -> None:
        if not self._showing and self.project is not None:
            self.editRequested.emit(changes)

    def _scheme_changed(self, _index) -> None:
        self._edit(scheme_edit(self.project, self.scheme_combo.currentData()))

    def _bias_changed(self, _index) -> None:
        scheme = SCHEMES[self.bias_combo.currentData()]
        params = carried_params(scheme, self.project.bias_params if self.project else {})
        self._edit({"init.bias.scheme": scheme.name, "init.bias.params": params})

    def _activation_changed(self, _index) -> None:
        self._edit(activation_edit(self.project, self.activation_combo.currentData()))

    def _depth_changed(self, depth: int) -> None:
        self._edit(depth_edit(self.project, depth, self.width_spin.value()))

    def _width_changed(self, width: int) -> None:
        widths = self.project.widths
        self._edit({"network.widths": [widths[0]] + [width] * (len(widths) - 2) + [widths[-1]]})

    def _set_width(self, position: int, width: int) -> None:
        widths = self.project.widths
        widths[position] = width
        self._edit({"network.widths": widths})

    def _source_changed(self, _index) -> None:
        """A 2-D toy set needs n0 = 2, the digits n0 = 64 (and nL = the class count): set them
        with the source."""
        source = SOURCES[self.source_combo.currentData()]
        widths = self.project.widths
        if source.two_d:
            widths[0] = 2
        if source.inputs is not None:  # the digits' 64 pixels
            widths[0] = source.inputs
        if source.classes is not None:
            widths[-1] = source.classes
        self._edit({"data.source": source.name, "network.widths": widths})

    def new_seed(self) -> None:
        # Fresh OS entropy, no global state: a seed nobody chose.
        seed = int(np.random.default_rng().integers(0, SEED_MAX))
        self._edit({"data.seed": seed})

    # --- project -> widgets ------------------------------------------------------------

    @contextlib.contextmanager
    def _blocked(self):
        widgets = [
            self.scheme_combo, self.scheme_params, self.bias_combo, self.bias_params,
            self.activation_combo, self.activation_params, self.depth_spin, self.width_spin,
            self.input_spin, self.output_spin, self.widths_table, self.source_combo,
            self.batch_spin, self.seed_spin, self.loss_combo, *self.architecture.widgets(),
        ]
        previous = [w.blockSignals(True) for w in widgets]
        self._showing = True
        try:
            yield
        finally:
            self._showing = False
            for widget, was in zip(widgets, previous):
                widget.blockSignals(was)

    def show_project(self, project) -> None:
        """Put ``project``'s values into the widgets without emitting any edit."""
        self.project = project
        with self._blocked():
            self._show_choice(self.scheme_combo, project.scheme)
            self.scheme_combo.setToolTip(scheme_tooltip(SCHEMES[project.scheme]))
            self.scheme_params.set_params(SCHEMES[project.scheme].params, project.scheme_params)
            self.scale_tools.show_project(project)
            self._show_choice(self.bias_combo, project.bias_scheme)
            self.bias_params.set_params(SCHEMES[project.bias_scheme].params, project.bias_params)
            self._show_choice(self.activation_combo, project.activation)
            self.activation_combo.setToolTip(ACTIVATIONS[project.activation].formula)
            self.activation_params.set_params(
                ACTIVATIONS[project.activation].params, project.activation_params)
            self._show_widths(project.widths)
            self.architecture.show_project(project)
            self._show_choice(self.source_combo, project.source)
            self.batch_spin.setValue(project.batch_size)
            self.seed_spin.setValue(min(project.seed, SEED_MAX))
            self._show_choice(self.loss_combo, project.loss)

    def _show_widths(self, widths: list[int]) -> None:
        depth = len(widths) - 1
        self.depth_spin.setValue(depth)
        hidden = widths[1:-1]
        self.width_spin.setEnabled(bool(hidden))
        if hidden:
            self.width_spin.setValue(hidden[0])
            uniform = len(set(hidden)) == 1
            self.width_spin.setSpecialValueText("")
            self.width_spin.setToolTip(
                "Width of every hidden layer at once"
                + ("" if uniform else " (the hidden layers now differ; see the table below)"))
        self.input_spin.setValue(widths[0])
        self.output_spin.setValue(widths[-1])
        self.widths_table.set_widths(widths)

    @staticmethod
    def _show_choice(combo: QtWidgets.QComboBox, name: str) -> None:
        index = combo.findData(name)
        if index >= 0 and index != combo.currentIndex():
            combo.setCurrentIndex(index)
