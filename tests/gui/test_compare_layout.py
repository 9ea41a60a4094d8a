"""The Compare tab on a classroom projector: cells wide enough to read, captions whole, A and
B on one scale, and the quantities shown a display setting (never unsaved work)."""
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets

from initviz.gui import theme as th
from initviz.gui.plots.caption import caption_lines, lines_text
from initviz.gui.prepare.plot_data import COLUMNS
from initviz.gui.views.compare import CompareView
from initviz.gui.views.compare_columns import MIN_CELL_WIDTH, PRIORITY, min_cell_width
from initviz.project import Project

LESSONS = Path(__file__).resolve().parents[2] / "resources" / "lessons"
TIMEOUT = 30000
PROJECTORS = [QtCore.QSize(1024, 768), QtCore.QSize(1280, 720)]


def open_compare(qtbot, window, size: QtCore.QSize, lesson: str = "05_xavier_tanh.json"):
    """``window`` at ``size`` on ``lesson``, its Compare tab shown and drawn."""
    window.resize(size)
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.load_project(LESSONS / lesson)
    view = window.findChild(CompareView)
    with qtbot.waitSignal(view.compared, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(view)
    QtWidgets.QApplication.processEvents()  # the grids take the width the tab gives them
    for grid in view.grids.values():
        grid.draw_pending()
    return view


def shown_cells(grid):
    """(layer index, cell) of every cell shown in the rows in sight."""
    rows = grid.rows_in_sight(grid.placed_row_count())
    return [(slot, cell) for slot in rows for cell in grid.rows[slot].cells if cell.isVisible()]


def label_rects(axis, cell):
    """The visible tick labels of ``axis``, in ``cell``'s coordinates."""
    return [cell.mapRectFromItem(label, label.boundingRect())
            for label in axis.labels if label.isVisible()]


@pytest.mark.parametrize("size", PROJECTORS, ids=lambda s: f"{s.width()}x{s.height()}")
def test_every_compare_cell_is_readable_at_a_projector_size(qtbot, window, size):
    view = open_compare(qtbot, window, size)
    grid_a, grid_b = view.grids["A"], view.grids["B"]
    assert grid_a.columns == grid_b.columns
    assert len(grid_a.columns) >= 2  # the forward and the backward signal, at least
    for side, grid in view.grids.items():
        data = view.datas[0 if side == "A" else 1]
        cells = shown_cells(grid)
        assert len(cells) >= 2 * len(grid.columns)  # two rows in sight, or more
        for slot, cell in cells:
            width = cell.size().width()
            assert width >= MIN_CELL_WIDTH, (side, cell.quantity, width)
            drawn = cell.caption.drawn_text
            source = data.cells[cell.quantity][slot]
            # what is drawn is the whole caption: on one line, mean over std, or two digits
            assert drawn in (lines_text(caption_lines(source)),
                             lines_text(caption_lines(source, stacked=True)),
                             lines_text(caption_lines(source, digits=2))), (side, drawn)
            assert "…" not in drawn
            for rect in label_rects(cell.bottom_axis, cell):
                assert cell.boundingRect().contains(rect), (cell.quantity, rect)
    # equal axes drawn at equal size: the same shape means the same distribution
    assert grid_a.cell_width() == pytest.approx(grid_b.cell_width(), abs=1.0)


def test_a_and_b_share_their_axes_in_decades_too(qtbot, window):
    """Lesson 03 ("too small") against its B in the log-magnitude view: every gradient cell of
    A has the same x and count axes as B's cell of that layer."""
    view = open_compare(qtbot, window, PROJECTORS[1], "03_too_small_normal.json")
    with qtbot.waitSignal(view.compared, timeout=TIMEOUT):
        window.document.set_display({"log_magnitude": True, "compare_columns": [
            "grad_activation", "grad_weight"]})
    for grid in view.grids.values():
        grid.draw_pending()
    data_a, data_b = view.datas
    for q in ("grad_activation", "grad_weight"):
        assert data_a.log_limits[q] == data_b.log_limits[q]
    pairs = zip(shown_cells(view.grids["A"]), shown_cells(view.grids["B"]), strict=True)
    for (_, cell_a), (_, cell_b) in pairs:
        assert cell_a.quantity == cell_b.quantity
        assert cell_a.view_box.viewRange() == cell_b.view_box.viewRange()
        assert cell_a.bottom_axis.tick_labels == cell_b.bottom_axis.tick_labels
        assert cell_a.bottom_axis.tick_labels[0].startswith("10")  # in decades


def test_the_quantities_shown_are_a_display_setting(qtbot, window, tmp_path):
    view = open_compare(qtbot, window, PROJECTORS[0])
    chooser = view.controls.column_chooser
    fitted = view.grids["A"].columns
    assert chooser.fit_button.isChecked()
    assert fitted == tuple(q for q in view.grids["A"].columns if q in PRIORITY[:len(fitted)])
    assert all(chooser.buttons[q].isChecked() == (q in fitted) for q in chooser.buttons)
    # the teacher adds W: three quantities do not fit at 1024 px, so the grids scroll sideways
    chooser.buttons["weight"].click()
    QtWidgets.QApplication.processEvents()
    assert view.document.project.view["compare_columns"] == ["weight", *fitted]
    for grid in view.grids.values():
        assert grid.columns == ("weight", *fitted)
        assert grid.cell_width() >= MIN_CELL_WIDTH
    assert view.sideways.horizontalScrollBar().isVisible()
    assert not chooser.fit_button.isChecked()
    assert not window.isWindowModified() and view.document.undo_stack.count() == 0
    chooser.fit_button.click()
    QtWidgets.QApplication.processEvents()
    assert view.document.project.view["compare_columns"] == "auto"
    assert view.grids["B"].columns == fitted
    assert not window.isWindowModified()
    # saved with the project, and read back from it
    chooser.buttons["activation"].click()
    path = tmp_path / "lesson.json"
    window.save_project(path)
    in_order = [q for q in COLUMNS if q in ("activation", *fitted)]
    assert Project.load(path).view["compare_columns"] == in_order


def test_log_view_count_axis_fits_the_hidden_layers(qtbot, window):
    """Lesson 03 in decades: the output's ∂L/∂a (softmax's two values) no longer sets the
    column's count axis; the hidden layers' tallest bar fills more than half of it, and the
    output's spike stays inside its own."""
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.load_project(LESSONS / "03_too_small_normal.json")
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.document.set_display({"log_magnitude": True})
    grid = window.dashboard.grid
    grid.draw_pending()
    data = window.dashboard.data
    column = list(grid.rows[0].cells).index(
        next(c for c in grid.rows[0].cells if c.quantity == "grad_activation"))
    cells = [row.cells[column] for row in grid.rows[: grid.placed_row_count()]]
    hidden = data.cells["grad_activation"][:-1]
    tallest = max(float(c.log_shared.fractions.max()) for c in hidden)
    for cell in cells[:-1]:
        top = cell.view_box.viewRange()[1][1]
        assert tallest <= top < 2 * tallest, (top, tallest)
    output = data.cells["grad_activation"][-1]
    assert cells[-1].view_box.viewRange()[1][1] >= float(output.log_shared.fractions.max())


def test_layers_tab_captions_and_ticks_fit_at_1024_pixels(qtbot, window):
    """The Layers tab's five columns at 1024×768 on lesson 03 in decades: no caption elided,
    the last decade's label ("10⁻⁸") inside its cell."""
    window.resize(PROJECTORS[0])
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.load_project(LESSONS / "03_too_small_normal.json")
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.document.set_display({"log_magnitude": True})
    QtWidgets.QApplication.processEvents()
    grid = window.dashboard.grid
    grid.draw_pending()
    cells = shown_cells(grid)
    assert len(cells) >= 10
    for _, cell in cells:
        assert "…" not in cell.caption.drawn_text, cell.caption.drawn_text
        rects = label_rects(cell.bottom_axis, cell)
        assert rects and all(cell.boundingRect().contains(rect) for rect in rects)


def test_a_larger_font_keeps_cells_readable_with_fewer_quantities(qtbot, window):
    view = open_compare(qtbot, window, PROJECTORS[1])
    normal = view.grids["A"].columns
    view.apply_theme(th.PRESENTATION)
    QtWidgets.QApplication.processEvents()
    assert 1 <= len(view.grids["A"].columns) < len(normal)
    for grid in view.grids.values():
        assert grid.cell_width() >= min_cell_width(th.PRESENTATION) > MIN_CELL_WIDTH
    view.apply_theme(th.NORMAL)
    QtWidgets.QApplication.processEvents()
    assert view.grids["B"].columns == normal
