"""What the grid says of a network with normalisation or skips: the raw z behind the
normalised one, and column titles that hold on every row."""
import numpy as np
from PySide6 import QtWidgets
from window_helpers import control, drawn_after

import initviz
from initviz.core import stats
from initviz.gui.prepare import plot_data

PREACTIVATION, ACTIVATION = 1, 2
"""Cells of a row and titles of the header (after the y-axis label), by column."""


def header_tooltip(window, column):
    return window.dashboard.grid.header.titles[column + 1].toolTip()


def test_batchnorm_draws_the_raw_preactivation_behind_the_normalised_one(qtbot, window):
    combo = control(window, "normalizationCombo", QtWidgets.QComboBox)
    sim = drawn_after(qtbot, window, lambda: combo.setCurrentIndex(combo.findData("batch")))
    rows = window.dashboard.grid.rows[:len(sim.layers)]
    first, output = rows[0].cells[PREACTIVATION], rows[-1].cells[PREACTIVATION]
    assert first.raw_outline.isVisible() and not first.raw_outline.path().isEmpty()
    assert not output.raw_outline.isVisible()  # the output layer is not normalised
    raw_std = float(sim.layers[0].raw_preactivation.std())
    assert f"raw z σ {raw_std:.3g}" in first.caption.text
    assert "raw z" not in output.caption.text
    tooltip = header_tooltip(window, PREACTIVATION)
    assert "u = BN(z)" in tooltip and "z before BN" in tooltip
    assert "a = φ(u)" in header_tooltip(window, ACTIVATION)
    heatmap = window.dashboard.heatmap
    heatmap.show_data(window.dashboard.data)  # what the "Heat map" view draws
    assert "u = BN(z)" in heatmap.plots[PREACTIVATION].titleLabel.text
    drawn_after(qtbot, window, lambda: combo.setCurrentIndex(combo.findData("none")))
    assert not first.raw_outline.isVisible() and "raw z" not in first.caption.text
    assert header_tooltip(window, PREACTIVATION).startswith("pre-activations z")


def test_the_activation_title_says_what_rows_with_a_skip_draw(qtbot, window):
    toggle = control(window, "residualToggle", QtWidgets.QCheckBox)
    spin = control(window, "branchScaleSpin", QtWidgets.QDoubleSpinBox)
    drawn_after(qtbot, window, lambda: toggle.setChecked(True))  # 32→32→32→10: both skip
    assert header_tooltip(window, ACTIVATION).startswith("activations a = a₋₁ + φ(z)")
    drawn_after(qtbot, window, lambda: spin.setValue(0.5))
    assert header_tooltip(window, ACTIVATION).startswith("activations a = a₋₁ + 0.5·φ(z)")
    assert "φ(z)" not in header_tooltip(window, PREACTIVATION)


def test_where_only_some_rows_skip_the_legend_says_which_is_which():
    project = initviz.Project().with_changes({
        "network.widths": [16, 32, 32, 10], "network.normalization": "layer",
        "network.residual": {"enabled": True, "branch_scale": 0.25}})
    titles = plot_data.column_titles(project)
    legends = plot_data.column_legends(project)
    assert titles["preactivation"] == "pre-activations u = LN(z)"
    assert titles["activation"] == "activations a"
    assert legends["activation"] == "+ skip: a₋₁ + 0.25·φ(u), else φ(u)"
    plain = initviz.Project()
    assert plot_data.column_titles(plain) == plot_data.COLUMN_TITLES
    # tanh's ±1 bound φ(u), not a = a₋₁ + α·φ(u): no ticks at φ's limits with skips
    tanh = plain.with_changes({"network.activation": "tanh"})
    assert plot_data.activation_marks(tanh) == (-1.0, 0.0, 1.0)
    assert plot_data.activation_marks(tanh.with_changes(
        {"network.residual.enabled": True})) == ()
    assert plot_data.column_legends(plain) == {}


def test_the_raw_histogram_counts_z_on_the_columns_limits():
    project = initviz.Project().with_changes({
        "network.widths": [32, 32, 32, 10], "network.normalization": "batch",
        "init.scheme": "normal", "init.params": {"std": 0.02}})
    data = plot_data.prepare(initviz.simulate(project))
    limits = data.limits["preactivation"]
    for cell, layer in zip(data.cells["preactivation"], data.simulation.layers, strict=True):
        if layer.raw_preactivation is None:
            assert cell.raw_shared is None
            continue
        raw = stats.histogram_sample(layer.raw_preactivation)
        counts, _ = np.histogram(raw, plot_data.BINS, limits)
        np.testing.assert_allclose(cell.raw_shared.fractions, counts / raw.size, atol=1e-9)
        # std 0.02 weights: z before BatchNorm ~0.1, in the two bins either side of 0
        assert cell.raw_std < 0.2 and np.sort(cell.raw_shared.fractions)[-2:].sum() > 0.7
    plot_data.rebin(data, {"preactivation": (-8.0, 8.0)})
    assert data.cells["preactivation"][0].raw_shared.edges[0] == -8.0
