"""Lesson flow in front of a class: numbered lessons, the one shown ticked, "n / N", reset,
no question mid-lesson, a lesson's edits kept for the session and offered on close."""
import json

import pytest
from PySide6 import QtGui, QtWidgets

from initviz.lessons import list_lessons, load_lesson

TIMEOUT = 20000


@pytest.fixture
def no_questions(monkeypatch):
    """Any message box fails the test: a lesson change must never ask anything."""
    def fail(*args, **kwargs):
        raise AssertionError(f"a dialog was shown: {args[1:3]}")
    for kind in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QtWidgets.QMessageBox, kind, fail)


def open_lesson(qtbot, window, index):
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        assert window.menus.open_lesson(window.menus.lessons[index].key)


def ticked(window):
    return [i for i, action in enumerate(window.menus.lesson_actions) if action.isChecked()]


def indicator(window):
    return window.findChild(QtWidgets.QLabel, "lessonIndicator")


def test_lessons_are_numbered_as_their_files_and_the_one_shown_is_ticked(qtbot, window):
    lessons = list_lessons()
    texts = [action.text().replace("&", "") for action in window.menus.lesson_actions]
    assert texts == [f"{int(lesson.key[:2])}. {lesson.title}" for lesson in lessons]
    assert ticked(window) == [] and not indicator(window).isVisible()  # a project, no lesson
    open_lesson(qtbot, window, 2)
    assert ticked(window) == [2]
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.menus.next_lesson_action.trigger()
    assert ticked(window) == [3]  # exclusive: the tick moved
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.menus.previous_lesson_action.trigger()
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.menus.previous_lesson_action.trigger()
    assert ticked(window) == [1] and window.document.lesson_key == lessons[1].key


def test_the_window_says_which_lesson_of_how_many(qtbot, window):
    shelf = window.menus.shelf
    count = len(list_lessons())
    with qtbot.waitSignal(shelf.lessonChanged, timeout=TIMEOUT) as changed:
        window.menus.open_lesson(window.menus.lessons[2].key)
    assert changed.args == [2, count]
    assert (shelf.current_lesson_index(), shelf.lesson_count()) == (2, count)
    label = indicator(window)
    assert label.text() == f"Lesson 3 / {count}" and label.isVisible()
    window.document.load(window.project.copy())  # a project of one's own: no lesson
    assert shelf.current_lesson_index() == -1 and not label.isVisible() and ticked(window) == []


def test_the_default_window_opens_on_the_default_lesson_ticked(qtbot):
    from initviz.gui import MainWindow
    from initviz.lessons import DEFAULT_LESSON

    win = MainWindow()
    qtbot.addWidget(win)
    keys = [lesson.key for lesson in win.menus.lessons]
    assert ticked(win) == [keys.index(DEFAULT_LESSON)]
    assert indicator(win).text() == f"Lesson {keys.index(DEFAULT_LESSON) + 1} / {len(keys)}"
    win.compute.shutdown()


def test_reset_lesson_restores_the_shipped_file_and_clears_modified(qtbot, window, no_questions):
    open_lesson(qtbot, window, 4)
    shipped = load_lesson(window.menus.lessons[4].key)
    window.findChild(QtWidgets.QSpinBox, "depthSpin").setValue(7)
    window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(99)
    assert window.isWindowModified()
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.menus.reset_lesson_action.trigger()
    assert window.project.to_dict() == shipped.to_dict()
    assert not window.isWindowModified()
    window.document.undo()  # a reset asks nothing, so Undo must bring the work back
    assert window.project.depth == 7 and window.project.seed == 99
    window.document.redo()  # shipped again: closing the window has nothing to offer


def test_switching_from_an_unchanged_lesson_asks_nothing(qtbot, window, no_questions):
    open_lesson(qtbot, window, 0)
    for name in ("heatMapToggle", "logCountsToggle", "sharedAxesToggle"):
        window.findChild(QtGui.QAction, name).trigger()  # display settings are no edit
    assert not window.isWindowModified()
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.menus.next_lesson_action.trigger()
    assert window.document.lesson_key == window.menus.lessons[1].key


def test_an_edited_lesson_is_kept_for_the_session_without_asking(qtbot, window, no_questions):
    open_lesson(qtbot, window, 2)
    window.findChild(QtWidgets.QSpinBox, "depthSpin").setValue(6)
    edited = window.project.to_dict()
    open_lesson(qtbot, window, 5)  # no "Save them first?"
    assert not window.isWindowModified()
    changed = [a.text().endswith("— changed") for a in window.menus.lesson_actions]
    assert [i for i, mark in enumerate(changed) if mark] == [2]  # the menu says which
    open_lesson(qtbot, window, 2)
    assert window.project.to_dict() == edited and window.isWindowModified()
    assert "back" in window.statusBar().currentMessage()
    window.document.undo()  # the shipped lesson is one Undo away
    assert window.project.to_dict() == load_lesson(window.menus.lessons[2].key).to_dict()
    open_lesson(qtbot, window, 5)
    open_lesson(qtbot, window, 2)  # left unchanged: the old edits are forgotten
    assert not window.isWindowModified()


def test_closing_offers_to_save_the_edited_lessons(qtbot, window, monkeypatch, tmp_path):
    open_lesson(qtbot, window, 2)
    window.findChild(QtWidgets.QSpinBox, "depthSpin").setValue(6)
    open_lesson(qtbot, window, 5)
    window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(42)  # the one shown, edited too
    asked, saved_to = [], iter([tmp_path / "mine3.json", tmp_path / "mine6"])
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", lambda *a, **k: (
        asked.append(a[2]) or QtWidgets.QMessageBox.Save))
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(next(saved_to)), ""))
    assert window.close()
    assert len(asked) == 1  # one question for all the lessons
    names = [window.menus.lessons[i].title for i in (2, 5)]
    assert all(name in asked[0] for name in names)
    assert len(json.loads((tmp_path / "mine3.json").read_text())["network"]["widths"]) == 7
    assert json.loads((tmp_path / "mine6.json").read_text())["data"]["seed"] == 42


def test_cancelling_the_close_offer_keeps_the_window_and_the_edits(qtbot, window, monkeypatch):
    open_lesson(qtbot, window, 2)
    window.findChild(QtWidgets.QSpinBox, "depthSpin").setValue(6)
    monkeypatch.setattr(QtWidgets.QMessageBox, "question",
                        lambda *a, **k: QtWidgets.QMessageBox.Cancel)
    assert not window.close()
    assert window.isVisible() and window.project.depth == 6 and window.isWindowModified()


def test_presentation_mode_is_f5_and_ctrl_p_is_left_for_printing(window):
    action = window.findChild(QtGui.QAction, "presentationAction")
    keys = [key.toString() for key in action.shortcuts()]
    assert "F5" in keys and "F11" in keys
    ctrl_p = QtGui.QKeySequence("Ctrl+P")
    assert [a.text() for a in window.findChildren(QtGui.QAction) if ctrl_p in a.shortcuts()] == []


def test_shortcuts_dialog_lists_the_actions_and_their_keys(qtbot, window):
    dialog = window.menus.help.show_shortcuts()
    assert dialog.isVisible() and not dialog.isModal()
    table = dialog.table
    rows = {(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())}
    assert ("Presentation mode", "F5 or F11") in rows
    assert ("Next lesson", "Alt+Right or Ctrl+PgDown") in rows
    assert ("What the plots mean", "F1") in rows
    undo = [keys for action, keys in rows if action.startswith("Undo")]
    assert undo and undo[0].startswith("Ctrl+Z") and "F14" not in undo[0]
    dialog.close()
    assert not dialog.isVisible()


def test_about_names_the_version_and_licence(window):
    import initviz

    dialog = window.menus.help.show_about()
    assert dialog.isVisible() and not dialog.isModal()
    text = dialog.findChild(QtWidgets.QLabel, "aboutText").text()
    assert initviz.__version__ in text and "MIT" in text
    dialog.close()


def test_the_question_mark_explains_the_plots_of_the_tab_shown(qtbot, window):
    action = window.findChild(QtGui.QAction, "plotHelpAction")
    overlay = window.menus.help.overlay
    action.trigger()
    assert overlay.isVisible()
    text = overlay.label.text()
    for title in ("weights W", "pre-activations z", "gradients ∂L/∂a", "Std against depth"):
        assert title in text
    assert window.tabs.geometry().contains(overlay.geometry().translated(window.tabs.pos()))
    window.tabs.setCurrentIndex(window.tabs.count() - 1)  # Theory
    assert "Phase diagram" in overlay.label.text()
    qtbot.mouseClick(overlay, QtGui.Qt.LeftButton)
    assert not overlay.isVisible() and not action.isChecked()
