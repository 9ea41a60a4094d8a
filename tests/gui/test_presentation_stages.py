"""The Training and Compare tabs on stage: their plots large enough to read from the back of a
1280×720 projector's room, their tick labels apart."""
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from window_helpers import TIMEOUT

PROJECTOR = (1280, 720)


def settle(qtbot) -> None:
    qtbot.wait(50)


def on_stage_at(qtbot, window, index: int, signal_name: str, size=PROJECTOR):
    """Tab ``index`` shown with its first result, then presentation mode at ``size``."""
    view = window.tabs.widget(index)
    with qtbot.waitSignal(getattr(view, signal_name), timeout=TIMEOUT):
        window.tabs.setCurrentIndex(index)
    window.menus.presentation_action.setChecked(True)
    # full screen on the 800×800 offscreen screen is 800×800: the projector's full screen is
    # a window of its size
    window.setWindowState(QtCore.Qt.WindowNoState)
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size() == QtCore.QSize(*size), timeout=TIMEOUT)
    for _ in range(2):  # painted twice: an axis sizes itself to the labels it last painted
        window.grab()
        settle(qtbot)
    return view


def box_height(plot) -> float:
    return plot.getViewBox().sceneBoundingRect().height()


def tick_labels_apart(axis) -> bool:
    """Whether the axis prints at least two tick labels and none over another (the labels'
    rectangles as the axis lays them out to paint)."""
    image = QtGui.QImage(8, 8, QtGui.QImage.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    rects = [rect for rect, _, text in texts if text]
    return len(rects) >= 2 and not any(
        a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_training_stage_shows_loss_accuracy_and_boundary_large(qtbot, window):
    """Loss over accuracy, each at least 120 px tall (a sixth of the screen; the desk's
    layout left ~30 px), and the decision boundary as tall as both: readable from the back;
    nothing of the histogram grid squeezes them."""
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.document.edit({"data.source": "moons", "network.widths": [2, 16, 16, 2]})
    view = on_stage_at(qtbot, window, 1, "frameDrawn")
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        view.single_step()
    settle(qtbot)
    curves = view.curves
    for plot in (curves.loss_plot, curves.accuracy_plot):
        assert box_height(plot) >= 120, plot.titleLabel.text
        for name in ("left", "bottom"):
            assert tick_labels_apart(plot.getAxis(name)), (plot.titleLabel.text, name)
    boundary = box_height(curves.boundary_plot)
    assert boundary >= 280 and boundary >= box_height(curves.loss_plot) * 1.8
    assert not view.grid.isVisible() and not curves.ratio_plot.isVisible()
    # wholly in the window, none cut off at the bottom or the right
    for plot in (curves.loss_plot, curves.accuracy_plot, curves.boundary_plot):
        rect = curves.mapFromScene(plot.sceneBoundingRect()).boundingRect()
        corner = curves.mapTo(window, rect.bottomRight())
        assert corner.x() <= window.width() and corner.y() <= window.height()
    assert not view.toolbar.optimizer_combo.isVisible()  # the strip has what a demo needs
    assert view.toolbar.play_button.isVisible()


def test_training_stage_without_a_2d_set_shows_the_update_ratio_beside(qtbot, window):
    view = on_stage_at(qtbot, window, 1, "frameDrawn")
    curves = view.curves
    assert box_height(curves.ratio_plot) >= 280
    assert not curves.boundary_plot.isVisible()


def test_compare_stage_shows_depth_plot_and_rows_large(qtbot, window):
    """The depth plot of A and B at least 240 px tall (a third of the screen); the first and
    the last layer of A and B side by side, each row at least 110 px and wholly in sight,
    A's and B's level."""
    view = on_stage_at(qtbot, window, 2, "compared")
    settle(qtbot)  # the rows are fitted on a 0-ms timer after the last resize
    plot = view.depth_plot.getPlotItem()
    assert box_height(plot) >= 240
    assert tick_labels_apart(plot.getAxis("bottom"))
    bottom_of_pane = view.sideways.viewport().mapTo(
        window, QtCore.QPoint(0, view.sideways.viewport().height())).y()
    tops = {}
    for side, grid in view.grids.items():
        rows = [row for row in grid.rows if row.isVisible()]
        assert len(rows) >= 2, side
        assert all(row.size().height() >= 110 for row in rows), side
        assert "layer 1" in str(view.grids["A"].rows[0].label._lines)
        for row in rows:
            rect = grid.view.mapFromScene(row.sceneBoundingRect()).boundingRect()
            assert grid.view.mapTo(window, rect.bottomLeft()).y() <= bottom_of_pane + 1, side
        tops[side] = [grid.view.mapTo(window, grid.view.mapFromScene(row.scenePos())).y()
                      for row in rows]
    assert tops["A"] == pytest.approx(tops["B"], abs=2)  # the rows line up
    assert not view.controls.load_button.isVisible()
    assert view.controls.scheme_combo.isVisible()  # B's scheme still switches live


def test_leaving_the_compare_stage_shows_every_layer_again(qtbot, window):
    """On stage, A and B show a few of eight layers; back at the desk, all of them."""
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.document.edit({"network.widths": [32] * 9 + [10]})
    view = on_stage_at(qtbot, window, 2, "compared")
    settle(qtbot)
    splitter = view.findChild(QtWidgets.QSplitter)
    assert splitter.orientation() == QtCore.Qt.Horizontal  # the depth plot beside the rows
    assert 2 <= len([row for row in view.grids["A"].rows if row.isVisible()]) <= 3
    with qtbot.waitSignal(view.compared, timeout=TIMEOUT):
        window.menus.presentation_action.setChecked(False)
    assert splitter.orientation() == QtCore.Qt.Vertical
    grid = view.grids["A"]
    grid.draw_pending()  # rows out of sight too, as the user scrolls to them
    assert grid.placed_row_count() == window.project.depth == 9
