"""The Training view: play/pause/step/reset, the numbers it shows, the readout and the exports."""
import csv

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui

from initviz.core.training import Trainer
from initviz.gui.plots import training_plots
from initviz.gui.plots.training_plots import RATIO_CURVES, History, TrainingCurves
from initviz.gui.prepare.frames import CLASS_COLOURS
from initviz.gui.views.training import TrainingView
from initviz.project import Project

TIMEOUT = 30000


def moons(scheme="xavier_normal", **training):
    return Project({
        "name": "moons",
        "network": {"widths": [2, 16, 16, 2], "activation": "tanh"},
        "init": {"scheme": scheme, "bias": {"scheme": "zeros"}},
        "data": {"source": "moons", "batch_size": 32, "seed": 0},
        "training": {"optimizer": "sgd", "learning_rate": 0.1, "momentum": 0.9, **training},
    })


@pytest.fixture
def view(qtbot):
    return open_view(qtbot, moons())


def open_view(qtbot, project):
    widget = TrainingView(project=project)
    qtbot.addWidget(widget)
    widget.resize(1200, 900)
    widget.show()
    qtbot.waitUntil(lambda: bool(widget.grid.rows) and not widget.grid.drawing, timeout=TIMEOUT)
    return widget


def settle(qtbot, view):
    qtbot.waitUntil(lambda: not view.controller.in_flight, timeout=TIMEOUT)


def test_play_runs_and_pause_stops(qtbot, view):
    view.toolbar.speed_spin.setValue(3)
    qtbot.mouseClick(view.toolbar.play_button, QtCore.Qt.LeftButton)
    assert view.playing and view.toolbar.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: view.step >= 30, timeout=TIMEOUT)
    qtbot.mouseClick(view.toolbar.play_button, QtCore.Qt.LeftButton)
    assert not view.playing and view.toolbar.play_button.text() == "Play"
    settle(qtbot, view)
    stopped = view.step
    assert stopped % 3 == 0 and len(view.history) == stopped
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(view.toolbar.step_button, QtCore.Qt.LeftButton)
    assert blocker.args == [stopped + 3]  # nothing ran while paused; one frame = 3 steps
    assert f"step {stopped + 3}" in view.toolbar.step_label.text()


def test_the_curves_show_the_trainers_own_numbers(qtbot, view):
    view.toolbar.speed_spin.setValue(25)
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        view.single_step()
    expected = Trainer(view.document.project)
    expected.step(25)
    assert view.history.loss == [r["loss"] for r in expected.history]
    assert view.history.test_step == [10, 20]
    x, y = view.curves.train_loss.getData()
    np.testing.assert_array_equal(y, [r["loss"] for r in expected.history])
    assert len(view.curves.ratio_curves) == 3
    _, ratio = view.curves.ratio_curves[0].getData()  # log10: the plot has a log y axis
    first_layer = [r["update_ratio"][0] for r in expected.history]
    np.testing.assert_allclose(10**ratio, first_layer, rtol=1e-6)


def test_reset_clears_the_history(qtbot, view):
    view.toolbar.speed_spin.setValue(10)
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        view.single_step()
    assert len(view.history) == 10
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(view.toolbar.reset_button, QtCore.Qt.LeftButton)
    assert blocker.args == [0]
    assert len(view.history) == 0 and view.step == 0
    assert len(view.curves.train_loss.getData()[0] or []) == 0


@pytest.mark.parametrize("scheme", ["zeros", "constant"])
def test_zero_and_constant_init_show_one_distinct_neuron_per_layer(qtbot, scheme):
    view = open_view(qtbot, moons(scheme))
    view.toolbar.speed_spin.setValue(50)
    view.set_playing(True)
    qtbot.waitUntil(lambda: view.step >= 200, timeout=TIMEOUT)
    view.set_playing(False)
    assert view.distinct == [1, 1]
    text = view.symmetry_label.text()
    assert "L1: <b>1</b>/16" in text and "L2: <b>1</b>/16" in text
    assert "symmetry never breaks" in text


def test_random_init_shows_every_neuron_distinct(view):
    assert view.distinct == [16, 16]
    assert "symmetry never breaks" not in view.symmetry_label.text()


def test_decision_boundary_shows_probabilities_and_the_points(view):
    image = view.curves.boundary_image.image
    assert image.shape == (100, 100, 3) and image.dtype == np.uint8
    assert sum(len(item.data) for item in view.curves.class_points) == 1024
    assert view.curves.boundary_plot.scene() is not None


def test_learning_rate_spin_edits_the_project_and_restarts(qtbot, view):
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        view.single_step()
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT) as blocker:
        view.toolbar.lr_spin.setValue(0.05)
    assert blocker.args == [0]
    assert view.document.project.training["learning_rate"] == 0.05


def test_divergence_pauses_with_a_message(qtbot):
    project = moons("normal", learning_rate=10.0)
    project.update({"init.params": {"std": 1.0}, "network.activation": "relu", "loss": "mse"})
    view = open_view(qtbot, project)
    view.toolbar.speed_spin.setValue(20)
    view.set_playing(True)
    qtbot.waitUntil(lambda: "diverged" in view.status_label.text(), timeout=TIMEOUT)
    assert not view.playing
    assert "lower the learning rate" in view.status_label.text()
    settle(qtbot, view)
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        view.single_step()  # the weights are not finite once the step after it is taken
    # a random init diverged: a learning-rate problem, not a symmetry one
    assert view.distinct == [None, None]
    readout = view.symmetry_label.text()
    assert "symmetry" not in readout and "diverged" in readout


def record_steps(qtbot, view, folder, steps: int) -> None:
    """Record ``steps`` single steps into ``folder``, each drawn before the next."""
    view.start_recording(folder)
    for _ in range(steps):
        with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
            view.single_step()
        qtbot.waitUntil(lambda: not view.grid.drawing, timeout=TIMEOUT)
    view.stop_recording()


def test_exports_write_curves_csv_and_frames(qtbot, view, tmp_path):
    view.toolbar.speed_spin.setValue(10)
    record_steps(qtbot, view, tmp_path / "frames", 2)
    frames = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert frames[:2] == ["frame_0000.png", "frame_0001.png"]
    view.export_curves(tmp_path / "curves.png")
    assert (tmp_path / "curves.png").stat().st_size > 10_000
    view.export_history_csv(tmp_path / "history.csv")
    with open(tmp_path / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows] == list(range(1, 21))
    assert float(rows[4]["loss"]) == view.history.loss[4]
    assert rows[9]["test_accuracy"] != "" and rows[8]["test_accuracy"] == ""
    assert set(rows[0]) >= {"update_ratio_layer_1", "update_ratio_layer_3"}


def test_a_recorded_frame_shows_its_step_in_every_row_in_sight_or_not(qtbot, tmp_path,
                                                                        monkeypatch):
    """A deep network's grid scrolls; each saved frame is the whole grid, all of one step."""
    from initviz.gui.plots.caption import caption_lines, lines_text
    from initviz.gui.prepare.plot_data import COLUMNS

    deep = moons()
    deep.set("network.widths", [2] + [16] * 10 + [2])
    view = open_view(qtbot, deep)
    grid = view.grid
    behind = []

    def rows_behind():
        data, layers = grid._latest["data"], grid._latest["layers"]
        return [slot for slot, layer in enumerate(layers) if any(
            cell.caption.text != lines_text(caption_lines(data.cells[q][layer - 1]))
            for cell, q in zip(grid.rows[slot].cells, COLUMNS))]

    real = view.save_frame
    monkeypatch.setattr(view, "save_frame", lambda path: real(path) or behind.append(
        (len(grid.rows_in_sight(len(grid._latest["layers"]))), rows_behind())))
    record_steps(qtbot, view, tmp_path / "frames", 2)
    assert [in_sight < 11 for in_sight, _ in behind] == [True, True]  # the grid scrolls
    assert [late for _, late in behind] == [[], []]  # yet every row showed the saved step


def test_export_dialog_writes_png_and_csv(qtbot, view, tmp_path, monkeypatch):
    from PySide6 import QtWidgets

    target = tmp_path / "run.png"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "PNG image (*.png)"))
    view.toolbar.export_curves_button.click()
    assert target.exists() and (tmp_path / "run.csv").exists()


def test_the_main_window_has_the_three_views_and_they_edit_its_project(qtbot, window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles[:1] == ["Layers"] and {"Training", "Compare", "Theory"} <= set(titles)
    training = window.findChild(TrainingView, "trainingView")
    assert training.controller.generation == 0  # a hidden tab does no work
    with qtbot.waitSignal(training.frameDrawn, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(training)
    training.toolbar.momentum_spin.setValue(0.5)
    assert window.project.training["momentum"] == 0.5
    window.document.undo()
    assert window.project.training["momentum"] == 0.0
    assert training.toolbar.momentum_spin.value() == 0.0


def _draw_boundary(qtbot, monkeypatch, count: int):
    """A two-class boundary of ``count`` points: the brushes made, the scatter calls, the plot."""
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 700)
    curves.show()
    made, calls = [], []
    monkeypatch.setattr(pg, "mkBrush", lambda *a, **k: made.append(a) or pg.functions.mkBrush(
        *a, **k))
    set_data = pg.ScatterPlotItem.setData
    monkeypatch.setattr(pg.ScatterPlotItem, "setData",
                        lambda item, *a, **k: calls.append(item) or set_data(item, *a, **k))
    rng = np.random.default_rng(0)
    labels = np.arange(count) % 2
    points = rng.standard_normal((count, 2)) * 0.3 + np.where(labels[:, None], 1.0, -1.0)
    white = np.full((100, 100, 3), 255, dtype=np.uint8)
    curves.show_boundary(white, (-3.0, 3.0, -3.0, 3.0), points, labels)
    monkeypatch.undo()
    return curves, len(made), len(calls)


def test_the_boundary_draws_each_class_in_its_colour_at_a_cost_that_does_not_grow(
        qtbot, monkeypatch):
    """65,536 training points (batch size 65,536) were one brush each, built on the GUI thread
    (a 12.8 s freeze); a class is one item with one brush, and a large set shows a sample."""
    small, small_brushes, small_calls = _draw_boundary(qtbot, monkeypatch, 1024)
    large, large_brushes, large_calls = _draw_boundary(qtbot, monkeypatch, 65536)
    assert large_brushes == small_brushes <= 2  # not one per point
    assert large_calls == small_calls == len(CLASS_COLOURS)  # one per class item, every time
    drawn = sum(len(item.data) for item in large.class_points)
    assert drawn <= training_plots.MAX_POINTS_SHOWN
    assert "1 in 8 of 65,536 points shown" in large.boundary_plot.titleLabel.text
    assert "shown" not in small.boundary_plot.titleLabel.text  # all 1024 drawn
    image = large.grab().toImage().convertToFormat(QtGui.QImage.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4)[:, : image.width(), 2::-1]
    for colour in CLASS_COLOURS[:2]:  # both classes are seen, in their own colours
        rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        assert np.all(pixels == rgb, axis=-1).sum() > 100, colour


def test_a_deep_network_and_back_draws_a_readable_number_of_ratio_curves_without_new_items(
        qtbot, monkeypatch):
    """Depth 200 made 200 overlapping curves, and every depth change removed and made them
    all again on the GUI thread (a 1.3 s freeze in a soak): now at most RATIO_CURVES layers,
    from the first to the last, said in the title; curves are made once and kept."""
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.set_depth(200)
    deep = list(curves.ratio_curves)
    assert len(deep) == RATIO_CURVES
    assert curves.ratio_layers[0] == 0 and curves.ratio_layers[-1] == 199
    assert f"({RATIO_CURVES} of 200 layers)" in curves.ratio_plot.titleLabel.text
    curves.set_depth(3)
    shown = [c for c in curves.ratio_plot.listDataItems() if c.isVisible()]
    assert shown == curves.ratio_curves and len(shown) == 3  # one line per layer, no more
    assert len({c.opts["pen"].color().name() for c in shown}) == 3  # each in its own colour
    assert "of 3 layers" not in curves.ratio_plot.titleLabel.text
    made = []
    plot = curves.ratio_plot.plot
    monkeypatch.setattr(curves.ratio_plot, "plot", lambda *a, **k: made.append(1) or plot(
        *a, **k))
    curves.set_depth(200)
    assert made == [] and curves.ratio_curves == deep
    assert sum(c.isVisible() for c in curves.ratio_plot.listDataItems()) == RATIO_CURVES


def test_each_ratio_curve_of_a_deep_network_draws_its_own_layer(qtbot):
    """Layer k's ratio is 10^-k here: the curve named layer k must sit at 10^-k."""
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    depth = 40
    curves.set_depth(depth)
    history = History()
    history.extend([{"step": s, "loss": 1.0, "accuracy": 0.5,
                     "update_ratio": [10.0 ** -(k + 1) for k in range(depth)]}
                    for s in range(1, 4)])
    curves.show_history(history)
    for layer, curve in zip(curves.ratio_layers, curves.ratio_curves, strict=True):
        _, y = curve.getData()  # log10: the plot has a log y axis
        np.testing.assert_allclose(y, -(layer + 1))


def test_gradients_as_log_magnitudes_turned_on_while_training_draws_the_frame_linear(
        qtbot, view):
    """A training frame has no log10|x| histograms (the Layers view computes those): turning
    the toggle on redraws the last frame linear instead of failing on the missing ones."""
    settle(qtbot, view)
    cell = view.grid.rows[0].cells[-1]  # ∂L/∂W, a gradient column
    shown = cell.outline.path().boundingRect()
    view.document.set_display({"log_magnitude": True})
    qtbot.waitUntil(lambda: not view.grid.drawing, timeout=TIMEOUT)
    assert cell.outline.path().boundingRect() == shown  # the same linear histogram
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        qtbot.mouseClick(view.toolbar.step_button, QtCore.Qt.LeftButton)  # and it goes on
