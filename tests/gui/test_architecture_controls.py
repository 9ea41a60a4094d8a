"""The normalisation and residual controls, the digits source and the grid's skip badges."""
import math

import numpy as np
import pytest
from PySide6 import QtWidgets
from window_helpers import control, drawn_after


def test_normalization_combo_normalises_what_the_grid_shows(qtbot, window):
    combo = control(window, "normalizationCombo", QtWidgets.QComboBox)
    assert [combo.itemData(i) for i in range(combo.count())] == ["none", "batch", "layer"]
    sim = drawn_after(qtbot, window, lambda: combo.setCurrentIndex(combo.findData("batch")))
    assert window.project.normalization == "batch"
    # Each hidden unit: std √(v/(v+ε)) over the batch, v ≈ 1 here: within 1e-3 of 1.
    np.testing.assert_allclose(sim.layers[0].preactivation.std(axis=0), 1.0, rtol=1e-3)
    labels = [row.label.text for row in window.dashboard.grid.rows[:len(sim.layers)]]
    assert "BN" in labels[0] and "BN" not in labels[-1]  # the output layer is not normalised
    assert window.isWindowModified()


def test_residual_toggle_and_branch_scale_set_the_skips(qtbot, window):
    toggle = control(window, "residualToggle", QtWidgets.QCheckBox)
    spin = control(window, "branchScaleSpin", QtWidgets.QDoubleSpinBox)
    label = control(window, "skipsLabel", QtWidgets.QLabel)
    assert not spin.isEnabled()
    sim = drawn_after(qtbot, window, lambda: toggle.setChecked(True))
    assert [layer.skip for layer in sim.layers] == [True, True, False]  # 32→32→32→10
    assert label.text() == "skips: layers 1–2" and spin.isEnabled()
    labels = [row.label.text for row in window.dashboard.grid.rows[:3]]
    assert ["+ skip" in text for text in labels] == [True, True, False]
    sim = drawn_after(qtbot, window, lambda: spin.setValue(0.0))
    assert window.project.residual == {"enabled": True, "branch_scale": 0.0}
    np.testing.assert_array_equal(sim.layers[1].activation, sim.inputs)  # SkipInit: identity
    button = control(window, "branchScaleRootButton", QtWidgets.QPushButton)
    drawn_after(qtbot, window, button.click)
    assert window.project.residual["branch_scale"] == pytest.approx(1 / math.sqrt(3), abs=1e-3)
    assert spin.value() == pytest.approx(0.577)


def test_choosing_digits_sets_64_inputs_and_10_outputs(qtbot, window):
    combo = control(window, "sourceCombo", QtWidgets.QComboBox)
    sim = drawn_after(qtbot, window, lambda: combo.setCurrentIndex(combo.findData("digits")))
    assert window.project.source == "digits"
    assert window.project.widths[0] == 64 and window.project.widths[-1] == 10
    assert sim.inputs.shape == (64, 64)  # the batch size stays 64


def test_lesson_13_compares_batchnorm_with_the_plain_network_on_the_same_seed():
    from initviz.gui.prepare.comparison import project_b
    from initviz.lessons import load_lesson

    lesson = load_lesson("13_batchnorm_bad_init")
    other = project_b(lesson)
    assert (lesson.normalization, other.normalization) == ("batch", "none")
    assert other.seed == lesson.seed and other.scheme == lesson.scheme


def test_render_draws_a_network_with_normalisation_and_skips(tmp_path):
    from initviz.cli import main
    from initviz.project import Project

    path = tmp_path / "p.json"
    Project().with_changes({"network.widths": [64, 32, 32, 10], "data.source": "digits",
                            "network.normalization": "layer",
                            "network.residual.enabled": True}).save(path)
    out = tmp_path / "out.png"
    assert main(["render", str(path), "-o", str(out), "--size", "1200x800"]) == 0
    assert out.stat().st_size > 10_000


def test_the_rendered_heading_names_the_normalisation_and_the_skips():
    from initviz.gui.views.slide import settings_line
    from initviz.project import Project

    line = settings_line(Project().with_changes({"network.normalization": "batch",
                                                 "network.residual.enabled": True,
                                                 "network.residual.branch_scale": 0.25}))
    assert "BatchNorm + ReLU" in line and "residual α = 0.25" in line
    plain = settings_line(Project())
    assert "BatchNorm" not in plain and "residual" not in plain
