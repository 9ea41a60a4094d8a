"""The layer grid read at a glance: gradients in decades, axes that stay shared or locked,
ticks where the lesson points, titles that fit a projector."""
import math
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtWidgets

import initviz
from initviz.gui.prepare.plot_data import COLUMNS, prepare
from initviz.project import Project

LESSONS = Path(__file__).resolve().parents[2] / "resources" / "lessons"


def _log_centre(histogram) -> float:
    """Where the bars of a log10|x| histogram stand: their fraction-weighted mean position."""
    centres = (histogram.edges[:-1] + histogram.edges[1:]) / 2
    return float(np.sum(centres * histogram.fractions) / np.sum(histogram.fractions))


def test_log_magnitude_moves_too_small_gradients_left_by_their_decades():
    """Lesson 03 ("too small") against lesson 05 (Xavier): ∂L/∂W of every hidden layer sits
    as many decades further left as its std is smaller (same network, same batch)."""
    small, xavier = (prepare(initviz.simulate(Project.load(LESSONS / name)))
                     for name in ("03_too_small_normal.json", "05_xavier_tanh.json"))
    for quantity in ("grad_activation", "grad_weight"):
        for a, b in zip(small.cells[quantity][:-1], xavier.cells[quantity][:-1], strict=True):
            decades = math.log10(b.std / a.std)
            shift = _log_centre(b.log_shared) - _log_centre(a.log_shared)
            # the mean of log10|x| is log10(σ) plus a constant of the shape; the shapes of the
            # two lessons' gradients differ a little (a product of two near-Gaussians)
            assert shift == pytest.approx(decades, abs=0.3)
    first = math.log10(xavier.cells["grad_weight"][0].std / small.cells["grad_weight"][0].std)
    assert first > 6  # the lesson's "10⁷ difference": more than six decades across the plot


def _column_axes(grid, column: int, hidden_only: bool = True):
    QtWidgets.QApplication.processEvents()  # new rows get their size, and labels their room
    rows = grid.rows[: grid.placed_row_count()]
    if hidden_only:
        rows = rows[:-1]  # the output's own axes
    return [(tuple(map(tuple, row.cells[column].view_box.viewRange())),
             tuple(row.cells[column].bottom_axis.tick_labels)) for row in rows]


def _edit_and_wait(qtbot, window, changes):
    with qtbot.waitSignal(window.resultsUpdated, timeout=30000):
        window.document.edit(changes)
    window.dashboard.grid.draw_pending()


def test_shared_axes_stay_shared_after_typing_depth_20_through_2(qtbot, window):
    _edit_and_wait(qtbot, window, {"network.widths": [32, 32, 10]})  # the "2" of "20"
    _edit_and_wait(qtbot, window, {"network.widths": [32] * 20 + [10]})
    grid = window.dashboard.grid
    assert grid.placed_row_count() >= 10
    for column in range(len(COLUMNS)):
        axes = _column_axes(grid, column)
        assert all(a == axes[0] for a in axes), (COLUMNS[column], axes)


def _set_display(qtbot, window, name: str, on: bool):
    action = window.findChild(type(window.menus.presentation_action), name)
    assert action is not None and action.isCheckable()
    if name == "logMagnitudeToggle" and on and not window.last_data.log_limits:
        # the log10|x| histograms are prepared only while the view is on: switching it on
        # asks for them, and the grid shows them when they come
        with qtbot.waitSignal(window.resultsUpdated, timeout=10000):
            action.setChecked(on)
    else:
        action.setChecked(on)
    window.dashboard.grid.draw_pending()


def test_lock_axes_keeps_the_axes_when_the_scheme_switches_to_too_small(qtbot, window):
    _edit_and_wait(qtbot, window, {"network.widths": [256] * 6 + [10]})
    _set_display(qtbot, window, "lockAxesToggle", True)
    grid = window.dashboard.grid
    before = [_column_axes(grid, c) for c in range(len(COLUMNS))]
    _edit_and_wait(qtbot, window, {"init.scheme": "normal", "init.params": {"std": 0.01}})
    after = [_column_axes(grid, c) for c in range(len(COLUMNS))]
    for column, (old, new) in enumerate(zip(before, after, strict=True)):
        for (old_range, old_labels), (new_range, new_labels) in zip(old, new, strict=True):
            assert new_range[0] == old_range[0], COLUMNS[column]  # x: Xavier's scale
            assert new_labels == old_labels
            assert new_range[1][1] >= old_range[1][1]  # y grows for the taller needles
    _set_display(qtbot, window, "lockAxesToggle", False)
    _edit_and_wait(qtbot, window, {"data.seed": 5})
    assert _column_axes(grid, 4)[0][0][0] != before[4][0][0][0]  # unlocked: its own scale


def test_log_magnitude_view_draws_gradients_in_decades_on_one_scale(qtbot, window):
    assert not window.last_data.log_limits  # not prepared while the view is off
    _set_display(qtbot, window, "logMagnitudeToggle", True)
    grid = window.dashboard.grid
    data = window.last_data
    for quantity in ("grad_activation", "grad_weight"):
        column = COLUMNS.index(quantity)
        axes = _column_axes(grid, column, hidden_only=False)  # the output shares decades
        assert all(a == axes[0] for a in axes)
        assert axes[0][0][0] == tuple(data.log_limits[quantity])
        assert all(label.startswith("10") for label in axes[0][1])
    titles = [label.text() for label in grid.header.titles]
    assert any("log₁₀|∂L/∂W|" in text for text in titles)


def test_tanh_activations_have_ticks_at_minus_one_zero_and_one(qtbot, window):
    _edit_and_wait(qtbot, window, {"init.params": {"gain": 3.0}})  # saturating: spans ±1
    for row in window.dashboard.grid.rows[:2]:
        axis = row.cells[COLUMNS.index("activation")].bottom_axis
        assert [value for value, _ in axis._ticks] == [-1.0, 0.0, 1.0]
        assert "1" in axis.tick_labels


def test_display_toggles_never_make_the_lesson_unsaved(qtbot, window):
    steps = window.document.undo_stack.count()
    for name in ("logMagnitudeToggle", "lockAxesToggle"):
        _set_display(qtbot, window, name, True)
        assert not window.isWindowModified()
    assert window.project.view["log_magnitude"] and window.project.view["lock_axes"]
    assert window.document.undo_stack.count() == steps


def test_titles_and_formula_table_fit_at_1024_pixels(qtbot, window):
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.width() <= 1024)
    QtWidgets.QApplication.processEvents()
    header = window.dashboard.grid.header
    for label in header.titles[1:]:
        assert label.sizeHint().width() <= label.width() + 1, label.text()
    table = window.dashboard.formula_panel.table
    assert table.horizontalHeader().length() <= table.viewport().width()
