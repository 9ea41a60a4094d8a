"""The main window: controls drive the project and the plots; the project drives the controls."""
import json
import threading

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from window_helpers import TIMEOUT, control, drawn_after

from initviz.core.activations import ACTIVATIONS
from initviz.core.schemes import SCHEMES
from initviz.project import Project


def test_combos_carry_registry_names_and_titles(window):
    schemes = control(window, "schemeCombo", QtWidgets.QComboBox)
    names = [schemes.itemData(i) for i in range(schemes.count())]
    assert names == list(SCHEMES)
    assert schemes.itemText(names.index("he_normal")) == SCHEMES["he_normal"].title
    tooltip = schemes.itemData(names.index("he_normal"), QtCore.Qt.ToolTipRole)
    assert SCHEMES["he_normal"].formula in tooltip
    activations = control(window, "activationCombo", QtWidgets.QComboBox)
    assert [activations.itemData(i) for i in range(activations.count())] == list(ACTIVATIONS)


@pytest.mark.parametrize("name, value, check", [
    ("depthSpin", 5, lambda sim: sim.project.widths == [32, 32, 32, 32, 32, 10]
        and len(sim.layers) == 5),
    ("widthSpin", 48, lambda sim: [layer.fan_out for layer in sim.layers] == [48, 48, 10]),
    ("batchSpin", 40, lambda sim: sim.inputs.shape == (40, 32)),
    ("seedSpin", 7, lambda sim: sim.project.seed == 7),
])
def test_spin_boxes_change_project_and_plots(qtbot, window, name, value, check):
    spin = control(window, name, QtWidgets.QSpinBox)
    assert spin.keyboardTracking()
    sim = drawn_after(qtbot, window, lambda: spin.setValue(value))
    assert check(sim)
    assert check(window.dashboard.data.simulation)


def test_scheme_combo_changes_weights_and_shows_its_params(qtbot, window):
    combo = control(window, "schemeCombo", QtWidgets.QComboBox)
    sim = drawn_after(qtbot, window, lambda: combo.setCurrentIndex(combo.findData("normal")))
    assert window.project.scheme == "normal"
    assert np.std(sim.layers[1].weight) == pytest.approx(0.01, rel=0.12)  # the default std
    editors = window.controls.scheme_params.editors
    assert set(editors) == {"mean", "std"}  # only this scheme's parameters are shown
    sim = drawn_after(qtbot, window, lambda: editors["std"].setValue(0.5))
    assert np.std(sim.layers[1].weight) == pytest.approx(0.5, rel=0.12)
    sim = drawn_after(qtbot, window, lambda: combo.setCurrentIndex(combo.findData("lecun_normal")))
    assert not window.controls.scheme_params.isVisibleTo(window.controls)
    assert np.std(sim.layers[1].weight) == pytest.approx(1 / np.sqrt(32), rel=0.12)


def test_activation_combo_and_its_parameter(qtbot, window):
    combo = control(window, "activationCombo", QtWidgets.QComboBox)
    sim = drawn_after(qtbot, window, lambda: combo.setCurrentIndex(combo.findData("leaky_relu")))
    layer = sim.layers[0]
    slope = np.where(layer.preactivation > 0, 1, 0.01)
    assert np.allclose(layer.activation, slope * layer.preactivation)
    slope = window.controls.activation_params.editors["negative_slope"]
    sim = drawn_after(qtbot, window, lambda: slope.setValue(0.2))
    assert sim.project.activation_params == {"negative_slope": 0.2}


def test_per_layer_width_table_and_source_fixing_input_width(qtbot, window):
    table = window.controls.widths_table
    sim = drawn_after(qtbot, window, lambda: table.item(2, 0).setData(QtCore.Qt.EditRole, 17))
    assert sim.project.widths == [32, 32, 17, 10]
    source = control(window, "sourceCombo", QtWidgets.QComboBox)
    sim = drawn_after(qtbot, window, lambda: source.setCurrentIndex(source.findData("moons")))
    assert sim.project.widths[0] == 2 and sim.project.widths[-1] == 2
    assert control(window, "inputWidthSpin", QtWidgets.QSpinBox).value() == 2


def test_new_seed_button_draws_new_weights(qtbot, window):
    before = window.project.seed
    sim = drawn_after(qtbot, window, lambda: control(window, "newSeedButton").click())
    assert sim.project.seed != before == 1
    assert control(window, "seedSpin", QtWidgets.QSpinBox).value() == sim.project.seed


def test_set_project_updates_controls_without_feedback(qtbot, window):
    changes = []
    window.document.changed.connect(lambda *_: changes.append(1))
    edits = []
    window.controls.editRequested.connect(edits.append)
    other = Project({"network": {"widths": [16, 24, 24, 24, 24, 4], "activation": "relu"},
                     "init": {"scheme": "he_normal"}, "data": {"batch_size": 32, "seed": 9}})
    sim = drawn_after(qtbot, window, lambda: window.document.set_project(other))
    assert changes == [1] and edits == []
    assert control(window, "depthSpin", QtWidgets.QSpinBox).value() == 5
    assert control(window, "widthSpin", QtWidgets.QSpinBox).value() == 24
    assert control(window, "seedSpin", QtWidgets.QSpinBox).value() == 9
    assert control(window, "schemeCombo", QtWidgets.QComboBox).currentData() == "he_normal"
    assert control(window, "activationCombo", QtWidgets.QComboBox).currentData() == "relu"
    assert sim.project.widths == other.widths
    sim = drawn_after(qtbot, window, window.document.undo)
    assert sim.project.widths == [32, 32, 32, 10]
    assert control(window, "depthSpin", QtWidgets.QSpinBox).value() == 3


def test_one_widget_edit_is_one_project_change(qtbot, window):
    changes = []
    window.document.changed.connect(lambda *_: changes.append(1))
    drawn_after(qtbot, window, lambda: control(window, "depthSpin").setValue(4))
    assert changes == [1]


def test_invalid_edit_keeps_project_and_says_why(window):
    before = window.project.to_dict()
    assert not window.document.edit({"init.scheme": "normal", "init.params": {"std": -1}})
    assert window.project.to_dict() == before
    assert "init.params.std" in window.statusBar().currentMessage()


def test_changes_during_a_computation_are_coalesced(qtbot, window, monkeypatch):
    """A change starts computing at once; the ones made while it runs become one request,
    for the newest value: the values in between are never computed or drawn."""
    from initviz.gui.workers import compute

    gate, started, real = threading.Event(), threading.Event(), compute.compute

    def gated(snapshot):  # a computation that runs until the test says
        started.set()
        return gate.wait(TIMEOUT / 1000) and real(snapshot)

    monkeypatch.setattr(compute, "compute", gated)
    drawn = []
    window.resultsUpdated.connect(drawn.append)
    spin = control(window, "widthSpin", QtWidgets.QSpinBox)
    spin.setValue(40)
    # the first change is computing (its thread may have had to start first) ...
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT)
    for width in (41, 42, 43, 44):  # ... and these arrive while it runs
        spin.setValue(width)
        QtWidgets.QApplication.processEvents()
    assert window.compute.busy and not drawn
    gate.set()
    qtbot.waitUntil(
        lambda: bool(drawn) and drawn[-1].project.widths[1] == 44 and not window.compute.busy,
        timeout=TIMEOUT)
    assert [sim.project.widths[1] for sim in drawn] == [40, 44]
    shown = window.dashboard.data.simulation.project.widths
    assert shown == window.project.widths == [32, 44, 44, 10]


def test_a_single_change_starts_computing_at_once(qtbot, window, monkeypatch):
    """No debounce delay: the computation is under way before the event loop runs again."""
    from initviz.gui.workers import compute

    started = threading.Event()
    real = compute.compute
    monkeypatch.setattr(compute, "compute", lambda snapshot: started.set() or real(snapshot))
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        control(window, "seedSpin", QtWidgets.QSpinBox).setValue(5)
        assert window.compute.busy and started.wait(TIMEOUT / 1000)


def test_view_settings_redraw_without_recomputing(qtbot, window):
    generation = window.compute.generation
    bar = window.dashboard.display_bar
    sim = drawn_after(qtbot, window, lambda: bar.log_check.setChecked(True))
    assert window.project.view["log_counts"] is True
    assert window.compute.generation == generation and sim is window.last_data.simulation
    drawn_after(qtbot, window, lambda: window.dashboard.display_bar.heatmap_check.setChecked(True))
    assert window.dashboard.stack.currentWidget() is window.dashboard.heatmap
    assert window.dashboard.heatmap.images[0].image.shape[0] == 3  # one row per layer


def test_save_and_open_round_trip(qtbot, window, tmp_path):
    drawn_after(qtbot, window, lambda: control(window, "depthSpin").setValue(4))
    assert window.isWindowModified() and window.windowTitle().startswith("small[*]")
    path = tmp_path / "saved.json"
    window.save_project(path)
    assert not window.isWindowModified() and "saved.json" in window.windowTitle()
    assert json.loads(path.read_text())["network"]["widths"] == [32, 32, 32, 32, 10]
    window.document.set_project(Project())
    sim = drawn_after(qtbot, window, lambda: window.load_project(path))
    assert sim.project.widths == [32, 32, 32, 32, 10]
    assert window.project == Project.load(path)


def test_bad_file_shows_error_and_keeps_project(window, tmp_path, no_dialogs):
    bad = tmp_path / "bad.json"
    bad.write_text('{"network": {"widths": [3, -1, 2]}}')
    before = window.project.to_dict()
    assert not window.files.open_path(bad)
    assert window.project.to_dict() == before
    kind, _, text = no_dialogs[-1]
    assert kind == "critical" and "network.widths[1]" in text


def test_unsaved_changes_prompt_can_cancel(qtbot, window, monkeypatch):
    drawn_after(qtbot, window, lambda: control(window, "depthSpin").setValue(4))
    monkeypatch.setattr(QtWidgets.QMessageBox, "question",
                        lambda *a, **k: QtWidgets.QMessageBox.Cancel)
    assert not window.menus.open_lesson(window.menus.lessons[0].key)
    assert window.project.depth == 4
    monkeypatch.setattr(QtWidgets.QMessageBox, "question",
                        lambda *a, **k: QtWidgets.QMessageBox.Discard)


def test_recent_files_remember_opened_projects(window, tmp_path):
    from initviz.gui.actions.files import recent_files

    path = tmp_path / "recent.json"
    window.project.save(path)
    window.load_project(path)
    assert recent_files()[0] == str(path.resolve())


def test_lessons_menu_loads_lesson_and_notes(qtbot, window):
    from initviz.lessons import list_lessons

    lessons = list_lessons()
    titles = [a.text().replace("&", "").split(". ", 1)[1] for a in window.menus.lesson_actions]
    assert titles == [lesson.title for lesson in lessons]
    lesson = lessons[2]
    sim = drawn_after(qtbot, window, window.menus.lesson_actions[2].trigger)
    assert window.project == Project.load(lesson.path)
    assert sim.project.widths == window.project.widths
    assert window.project.notes.split()[0] in window.notes.toPlainText()
    drawn_after(qtbot, window, lambda: window.menus.step_lesson(1))
    assert window.document.lesson_key == lessons[3].key


def test_presentation_mode_toggles(window):
    font_before = QtWidgets.QApplication.font().pointSizeF()
    docks = window.findChildren(QtWidgets.QDockWidget)
    shown = [dock for dock in docks if dock.isVisible()]
    window.menus.presentation_action.setChecked(True)
    assert window.presentation_mode and window.isFullScreen()
    assert QtWidgets.QApplication.font().pointSizeF() > font_before
    assert not any(dock.isVisible() for dock in docks)  # the plots get the projector
    assert window.minimumSizeHint().width() <= 1280  # fits a 1280 x 720 projector
    window.menus.presentation_action.setChecked(False)
    assert not window.presentation_mode and not window.isFullScreen()
    assert QtWidgets.QApplication.font().pointSizeF() == font_before
    assert [dock for dock in docks if dock.isVisible()] == shown


def test_add_view_adds_a_tab(window):
    label = QtWidgets.QLabel("training goes here")
    index = window.add_view(label, "Training")
    assert window.tabs.tabText(index) == "Training" and window.tabs.widget(index) is label
