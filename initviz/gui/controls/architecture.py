"""Normalisation and residual skips: a combo, a toggle, the branch scale α and which
layers have a skip. Binds as the control panel does: a widget change emits
``editRequested``; ``show_project`` shows the Project with signals blocked."""
from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets

from initviz.core import blocks
from initviz.project_fields import MAX_BRANCH_SCALE, NORMALIZATIONS

NORMALIZATION_TIPS = {
    "none": "The plain network: φ sees the pre-activation as the weights make it",
    "batch": "BatchNorm (Ioffe & Szegedy 2015): each hidden unit's pre-activation scaled to "
             "mean 0, std 1 over the batch, then γ·ẑ + β (γ = 1, β = 0 at init, learnt)",
    "layer": "LayerNorm (Ba et al. 2016): each example's pre-activations scaled to mean 0, "
             "std 1 over the layer's units, then γ·ẑ + β",
}


def skip_caption(widths: list[int], enabled: bool) -> str:
    """Which layers add their input: 'skips: layers 2–4' (runs of layers are joined)."""
    if not enabled:
        return ""
    layers = [i + 1 for i, skip in enumerate(blocks.skip_layers(widths, True)) if skip]
    if not layers:
        return "no skips: no hidden layer keeps its width"
    runs: list[list[int]] = []
    for layer in layers:
        if runs and runs[-1][1] == layer - 1:
            runs[-1][1] = layer
        else:
            runs.append([layer, layer])
    text = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)
    return f"skips: layer{'s' if len(layers) > 1 else ''} {text}"


class ArchitectureControls(QtWidgets.QWidget):
    editRequested = QtCore.Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._depth = 1
        self.normalization_combo = QtWidgets.QComboBox()
        self.normalization_combo.setObjectName("normalizationCombo")
        for name in NORMALIZATIONS:
            self.normalization_combo.addItem(blocks.NORMALIZATION_TITLES[name], name)
            self.normalization_combo.setItemData(
                self.normalization_combo.count() - 1, NORMALIZATION_TIPS[name],
                QtCore.Qt.ToolTipRole)
        self.normalization_combo.setToolTip("Normalise each hidden pre-activation before φ")
        self.residual_toggle = QtWidgets.QCheckBox("residual")
        self.residual_toggle.setObjectName("residualToggle")
        self.residual_toggle.setToolTip(
            "a_l = a_{l−1} + α·φ(z_l) in every hidden layer whose fan_in equals its fan_out")
        self.scale_spin = QtWidgets.QDoubleSpinBox()
        self.scale_spin.setObjectName("branchScaleSpin")
        self.scale_spin.setRange(0.0, MAX_BRANCH_SCALE)
        self.scale_spin.setDecimals(3)
        self.scale_spin.setSingleStep(0.05)
        self.scale_spin.setPrefix("α = ")
        self.scale_spin.setToolTip("Branch scale α: 1 plain ResNet, 1/√L keeps the variance "
                                   "bounded, 0 is SkipInit (every skip layer the identity)")
        self.root_button = QtWidgets.QPushButton("1/√L")
        self.root_button.setObjectName("branchScaleRootButton")
        self.root_button.setToolTip("Set α = 1/√L for this depth")
        self.skips_label = QtWidgets.QLabel()
        self.skips_label.setObjectName("skipsLabel")
        self.skips_label.setWordWrap(True)
        layout = QtWidgets.QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QtWidgets.QLabel("normalise"), 0, 0)
        layout.addWidget(self.normalization_combo, 0, 1, 1, 2)
        layout.addWidget(self.residual_toggle, 1, 0)
        layout.addWidget(self.scale_spin, 1, 1)
        layout.addWidget(self.root_button, 1, 2)
        layout.addWidget(self.skips_label, 2, 0, 1, 3)
        layout.setColumnStretch(1, 1)
        self.normalization_combo.currentIndexChanged.connect(
            lambda _: self.editRequested.emit(
                {"network.normalization": self.normalization_combo.currentData()}))
        self.residual_toggle.toggled.connect(
            lambda on: self.editRequested.emit({"network.residual.enabled": on}))
        self.scale_spin.valueChanged.connect(
            lambda value: self.editRequested.emit({"network.residual.branch_scale": value}))
        self.root_button.clicked.connect(
            lambda: self.editRequested.emit(
                {"network.residual.branch_scale": round(1 / math.sqrt(self._depth), 3)}))

    def widgets(self) -> list[QtWidgets.QWidget]:
        """The widgets whose signals the panel blocks while it shows a project."""
        return [self.normalization_combo, self.residual_toggle, self.scale_spin]

    def show_project(self, project) -> None:
        """Show ``project``; the caller blocks the signals (``widgets``)."""
        self._depth = project.depth
        index = self.normalization_combo.findData(project.normalization)
        if index >= 0:
            self.normalization_combo.setCurrentIndex(index)
        residual = project.residual
        self.residual_toggle.setChecked(residual["enabled"])
        self.scale_spin.setValue(residual["branch_scale"])
        self.scale_spin.setEnabled(residual["enabled"])
        self.root_button.setEnabled(residual["enabled"])
        caption = skip_caption(project.widths, residual["enabled"])
        self.skips_label.setText(caption)
        self.skips_label.setVisible(bool(caption))
