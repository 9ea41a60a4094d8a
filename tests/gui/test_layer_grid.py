"""The layer grid draws the rows the class can see first; rows out of sight follow."""
import pytest
from PySide6 import QtWidgets

from initviz.gui.plots import layer_grid
from initviz.gui.plots.caption import caption_lines, lines_text
from initviz.gui.prepare.plot_data import COLUMNS
from initviz.project import Project

TIMEOUT = 20000
DEEP = {
    "name": "deep",
    "network": {"widths": [32] * 12 + [10], "activation": "tanh"},
    "init": {"scheme": "xavier_normal"},
    "data": {"batch_size": 64, "seed": 1},
}


def shows(grid, slot: int, data) -> bool:
    """Row ``slot`` shows ``data``: every caption says what its cell of ``data`` says."""
    if slot >= len(grid.rows):
        return False
    layer = grid._latest["layers"][slot] - 1
    return all(cell.caption.text == lines_text(caption_lines(data.cells[q][layer]))
               for cell, q in zip(grid.rows[slot].cells, COLUMNS))


@pytest.fixture
def deep_window(qtbot, window):
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.document.set_project(Project(DEEP))
    qtbot.waitUntil(lambda: window.dashboard.grid.pending_rows == 0, timeout=TIMEOUT)
    return window


def new_seed(qtbot, window, seed: int):
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(seed)
    return window.dashboard.data


def test_rows_in_sight_are_drawn_first_and_the_rest_once_idle(qtbot, deep_window):
    grid = deep_window.dashboard.grid
    rows = len(grid._latest["layers"])
    sight = grid.rows_in_sight(rows)
    assert 0 < len(sight) < rows  # the window shows some rows, not all twelve
    data = new_seed(qtbot, deep_window, 7)
    assert all(shows(grid, slot, data) for slot in sight)  # before resultsUpdated went out
    hidden = [slot for slot in range(rows) if slot not in sight]
    assert grid.pending_rows == len(hidden)
    assert not any(shows(grid, slot, data) for slot in hidden)  # still the seed before
    qtbot.waitUntil(lambda: grid.pending_rows == 0, timeout=TIMEOUT)  # idle: the rest follow
    assert all(shows(grid, slot, data) for slot in range(rows))


def test_a_row_scrolled_into_sight_is_drawn_at_once(qtbot, deep_window):
    grid = deep_window.dashboard.grid
    rows = len(grid._latest["layers"])
    data = new_seed(qtbot, deep_window, 8)
    assert not shows(grid, rows - 1, data)
    bar = grid.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())  # no event loop turn in between
    assert rows - 1 in grid.rows_in_sight(rows)
    assert all(shows(grid, slot, data) for slot in grid.rows_in_sight(rows))


def test_while_results_stream_in_only_the_rows_in_sight_are_drawn(qtbot, deep_window,
                                                                   monkeypatch):
    grid = deep_window.dashboard.grid
    rows = len(grid._latest["layers"])
    sight = len(grid.rows_in_sight(rows))
    drawn = []
    real = layer_grid.LayerHistogramGrid._draw_row
    monkeypatch.setattr(layer_grid.LayerHistogramGrid, "_draw_row",
                        lambda self, slot, job: drawn.append(slot) or real(self, slot, job))
    grid._idle_timer.setInterval(10_000)  # a slider that never rests long enough
    for seed in range(20, 26):
        new_seed(qtbot, deep_window, seed)
    assert len(drawn) == 6 * sight  # not 6 * 12
    grid.draw_pending()  # what export and scripts call: everything up to date
    assert grid.pending_rows == 0
    assert all(shows(grid, slot, deep_window.dashboard.data) for slot in range(rows))


def test_new_data_supersedes_a_fill_of_hidden_rows_that_is_under_way(qtbot, deep_window,
                                                                      monkeypatch):
    from initviz.gui.workers import compute

    grid = deep_window.dashboard.grid
    rows = len(grid._latest["layers"])
    sight = grid.rows_in_sight(rows)
    grid._idle_timer.setInterval(10_000)
    results = []
    for seed in (30, 31, 32):
        project = deep_window.project.copy()
        project.set("data.seed", seed)
        results.append(compute.compute(project))
    grid.show_data(results[0], deep_window.view_settings)
    assert not grid.drawing  # the rows in sight, at once
    monkeypatch.setattr(layer_grid, "DRAW_BUDGET_S", 0.0)  # a slow fill: a row per turn
    grid._draw_some()  # the idle fill begins: one hidden row now, the next one turn later
    monkeypatch.setattr(layer_grid, "DRAW_BUDGET_S", 0.018)
    assert 0 < grid.pending_rows < rows - len(sight)
    drawn = []
    real = layer_grid.LayerHistogramGrid._draw_row
    monkeypatch.setattr(layer_grid.LayerHistogramGrid, "_draw_row",
                        lambda self, slot, job: drawn.append(slot) or real(self, slot, job))
    for data in results[1:]:  # new data arrives while the fill's next turn is pending
        grid.show_data(data, deep_window.view_settings)
        QtWidgets.QApplication.processEvents()
    qtbot.waitUntil(lambda: not grid.drawing, timeout=TIMEOUT)
    assert set(drawn) <= set(sight), drawn  # the stale fill did not go on with hidden rows
    assert all(shows(grid, slot, results[-1]) for slot in sight)


def test_rows_drawn_out_of_sight_take_their_place_below_the_others_at_once(qtbot, window):
    """``draw_pending`` (an export, the Training tab's frame) creates the rows out of sight:
    grabbed before the next event-loop turn, each must already sit below the one before, not
    on top of the first row."""
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.document.set_project(Project(DEEP))
    grid = window.dashboard.grid
    grid.draw_pending()
    tops = [row.geometry().top() for row in grid.rows]
    assert len(tops) == len(DEEP["network"]["widths"]) - 1
    assert all(above < below for above, below in zip(tops, tops[1:])), tops


def test_each_columns_count_axis_reaches_its_tallest_bar_and_no_higher():
    """column_peaks: the shared count axis of a column tops out at its tallest hidden-layer
    bar; the output's own axis at the output's (softmax's p − y spike would flatten the rest)."""
    import initviz
    from initviz.gui.prepare import plot_data

    data = plot_data.prepare(initviz.simulate(Project(DEEP)))
    peaks = layer_grid.column_peaks(data)
    for q in COLUMNS:
        cells = data.cells[q]
        shared = [c.shared.fractions.max() for c in cells if not c.own_axis]
        assert peaks[q] == max(shared or [c.own.fractions.max() for c in cells]), q
    output = data.cells["grad_activation"][-1]
    assert output.own_axis and peaks["grad_activation"] < output.own.fractions.max()
