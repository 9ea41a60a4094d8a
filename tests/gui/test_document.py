"""The window's document: undo steps a user expects, the saved state in the title, and display
settings that are never edits (only a real change of the project is unsaved work)."""
import time

import pytest
from PySide6 import QtGui, QtWidgets

from initviz.autosave_store import AutosaveStore

TIMEOUT = 20000


def shortcut_action(win, key) -> QtGui.QAction:
    """The window's action that a standard key (Undo, Redo, Save) triggers."""
    wanted = QtGui.QKeySequence(key)
    for action in win.findChildren(QtGui.QAction):
        if wanted in action.shortcuts():
            return action
    raise AssertionError(f"no action for {wanted.toString()}")


def toggle(win, name) -> QtGui.QAction:
    action = win.findChild(QtGui.QAction, name)
    assert action is not None and action.isCheckable(), name  # the names other tools find them by
    return action


def seed_spin(win) -> QtWidgets.QSpinBox:
    return win.findChild(QtWidgets.QSpinBox, "seedSpin")


def test_a_slow_drag_of_a_slider_is_one_undo_step(window, monkeypatch):
    """However long the teacher pauses mid-drag, Undo takes the whole drag back at once."""
    combo = window.findChild(QtWidgets.QComboBox, "schemeCombo")
    combo.setCurrentIndex(combo.findData("normal"))
    std = window.controls.scheme_params.editors["std"]
    start = window.project.scheme_params["std"]
    clock = iter(range(0, 10_000, 5))  # five seconds between two steps of the drag
    with monkeypatch.context() as patch:
        patch.setattr(time, "monotonic", lambda: float(next(clock)))
        for step in range(1, 13):
            std.setValue(0.1 * step)
    assert window.project.scheme_params["std"] == pytest.approx(1.2)
    undo = shortcut_action(window, QtGui.QKeySequence.Undo)
    assert undo.text().replace("&", "") == "Undo change std"
    undo.trigger()
    assert window.project.scheme_params["std"] == start  # the whole drag, in one step
    assert std.value() == pytest.approx(start)  # and the control shows it
    assert window.project.scheme == "normal"  # the scheme change before it is its own step
    assert undo.text().replace("&", "") == "Undo change scheme"


def test_depth_then_width_are_two_undo_steps(window):
    """Both change ``network.widths``; a teacher still undoes one control at a time."""
    depth = window.findChild(QtWidgets.QSpinBox, "depthSpin")
    width = window.findChild(QtWidgets.QSpinBox, "widthSpin")
    for value in (4, 5):
        depth.setValue(value)
    for value in (40, 48):
        width.setValue(value)
    undo = shortcut_action(window, QtGui.QKeySequence.Undo)
    assert undo.text().replace("&", "") == "Undo change widths"
    undo.trigger()
    assert window.project.widths == [32, 32, 32, 32, 32, 10] and width.value() == 32
    assert undo.text().replace("&", "") == "Undo change depth"
    undo.trigger()
    assert window.project.widths == [32, 32, 32, 10] and depth.value() == 3


def test_undo_back_to_the_saved_state_clears_the_modified_flag(window, tmp_path):
    """Saved in the middle of a drag: one Undo goes back to what is on disk, not further."""
    seed_spin(window).setValue(5)
    window.save_project(tmp_path / "lesson.json")
    save = shortcut_action(window, QtGui.QKeySequence.Save)
    assert not window.isWindowModified() and not save.isEnabled()
    for seed in (6, 7, 8):  # the same field, right after saving
        seed_spin(window).setValue(seed)
    assert window.isWindowModified() and save.isEnabled()
    shortcut_action(window, QtGui.QKeySequence.Undo).trigger()
    assert window.project.seed == 5 and seed_spin(window).value() == 5
    assert not window.isWindowModified() and not save.isEnabled()
    shortcut_action(window, QtGui.QKeySequence.Redo).trigger()
    assert window.project.seed == 8 and window.isWindowModified() and save.isEnabled()


def test_revert_goes_back_to_the_file_and_keeps_the_display(qtbot, window, tmp_path, no_dialogs):
    window.save_project(tmp_path / "lesson.json")
    revert = window.findChild(QtGui.QAction, "revertAction")
    assert not revert.isEnabled()  # nothing to revert
    seed_spin(window).setValue(9)
    window.dashboard.display_bar.heatmap_check.setChecked(True)
    assert revert.isEnabled()
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        revert.trigger()
    assert [d[1] for d in no_dialogs] == ["Revert to saved"]  # it asks first (conftest: Discard)
    assert window.project.seed == 1 and seed_spin(window).value() == 1
    assert not window.isWindowModified() and not revert.isEnabled()
    assert not shortcut_action(window, QtGui.QKeySequence.Undo).isEnabled()
    assert window.view_settings.heatmap  # a display setting is no change to revert


def test_display_toggles_are_neither_unsaved_work_nor_undo_steps(qtbot, window):
    document = window.document
    window.findChild(QtWidgets.QSpinBox, "depthSpin").setValue(4)
    window.document.undo()  # back to the file's state, with a step to redo
    steps, index = document.undo_stack.count(), document.undo_stack.index()
    for name in ("heatMapToggle", "logCountsToggle", "sharedAxesToggle"):
        toggle(window, name).trigger()
        assert not window.isWindowModified(), name
    window.dashboard.display_bar.layers_edit.setText("1-2")  # rows shown
    window.dashboard.display_bar.layers_edit.editingFinished.emit()
    assert (document.undo_stack.count(), document.undo_stack.index()) == (steps, index)
    settings = window.view_settings
    assert settings.heatmap and settings.log_counts and not settings.shared_axes
    assert settings.layers == [1, 2]
    assert window.dashboard.display_bar.heatmap_check.isChecked()  # both toggles agree
    window.findChild(QtWidgets.QSpinBox, "depthSpin").setValue(5)
    assert window.isWindowModified()
    toggle(window, "logCountsToggle").trigger()
    shortcut_action(window, QtGui.QKeySequence.Undo).trigger()
    assert window.project.depth == 3 and not window.isWindowModified()  # the edit, not a toggle
    assert window.view_settings.heatmap and not window.view_settings.log_counts


def test_switching_lessons_after_display_toggles_asks_nothing(qtbot, window, no_dialogs):
    window.dashboard.display_bar.heatmap_check.setChecked(True)
    window.dashboard.display_bar.log_check.setChecked(True)
    window.dashboard.display_bar.shared_check.setChecked(False)
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        assert window.menus.open_lesson(window.menus.lessons[1].key)
    assert no_dialogs == []  # no "Unsaved changes" question
    assert window.document.lesson_key == window.menus.lessons[1].key


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("INITVIZ_DATA_DIR", str(tmp_path / "data"))
    return AutosaveStore(tmp_path / "data")


def test_autosave_follows_edits_and_not_display_toggles(qtbot, window, store):
    from initviz.gui.actions.autosave import AutosaveController

    autosave = AutosaveController(window.document, delay_ms=10)
    own = autosave.store.autosave_path
    window.dashboard.display_bar.heatmap_check.setChecked(True)
    assert not autosave.timer.isActive()  # nothing to keep: no write is even scheduled
    seed_spin(window).setValue(33)
    assert autosave.timer.isActive()
    qtbot.waitUntil(own.exists, timeout=TIMEOUT)
    assert store.pending().project.seed == 33
    toggle(window, "logCountsToggle").trigger()
    window.dashboard.display_bar.shared_check.setChecked(False)
    assert not autosave.timer.isActive()  # the unsaved work is the same: no new write
    autosave.clean_exit()
