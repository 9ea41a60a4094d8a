"""File > Save writes on a thread of its own: the window answers while the disk catches up.

Each save waits for the disk (fsync of the file, its backup and the folder); on a busy disk
that held the GUI thread for the whole wait. What must still hold: a failure is shown, a
second save does not race the first, edits made meanwhile stay unsaved, and the questions
about unsaved changes (and closing) come after the save in flight has ended.
"""
import errno
import os
import threading

from PySide6 import QtWidgets

from initviz.project import Project

TIMEOUT = 20000


def slow_disk(monkeypatch):
    """os.fsync waits for the returned Event (at most 5 s); records whether the GUI thread
    called it."""
    gate, on_gui_thread = threading.Event(), []
    real_fsync = os.fsync

    def fsync(fd):
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        gate.wait(5)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return gate, on_gui_thread


def seed(window, value):
    window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(value)


def test_save_waits_for_the_disk_off_the_gui_thread(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "lesson.json"
    window.save_project(path)
    seed(window, 61)
    gate, on_gui_thread = slow_disk(monkeypatch)
    window.files.save_action.trigger()  # Ctrl+S
    qtbot.waitUntil(lambda: bool(on_gui_thread), timeout=TIMEOUT)  # the disk is waited for...
    assert on_gui_thread[0] is False  # ...on the save's thread
    assert window.files.saving and window.document.is_modified()  # not saved until it is
    gate.set()
    qtbot.waitUntil(lambda: not window.files.saving, timeout=TIMEOUT)
    assert True not in on_gui_thread
    assert Project.load(path).seed == 61
    assert not window.document.is_modified() and not window.isWindowModified()
    assert "Saved lesson.json" in window.statusBar().currentMessage()


def test_a_save_that_fails_on_its_thread_says_so_and_keeps_the_work_unsaved(
        qtbot, window, tmp_path, monkeypatch, no_dialogs):
    path = tmp_path / "lesson.json"
    window.save_project(path)
    before = path.read_bytes()
    seed(window, 62)
    real_write = os.write

    def full_disk(fd, data):
        if threading.current_thread() is not threading.main_thread():
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    window.files.save_action.trigger()
    qtbot.waitUntil(lambda: not window.files.saving, timeout=TIMEOUT)
    assert [(kind, title) for kind, title, _ in no_dialogs] == [
        ("critical", "Cannot save project")]
    assert "the disk is full" in no_dialogs[0][2]
    assert path.read_bytes() == before and window.document.is_modified()


def test_edits_made_while_a_save_writes_stay_unsaved_work(qtbot, window, tmp_path, monkeypatch):
    """The file holds the project as it was when Save was chosen; a later edit is unsaved.
    Undoing that edit is back to what the file holds; undoing one more step is not."""
    path = tmp_path / "lesson.json"
    window.save_project(path)
    seed(window, 63)
    gate, _ = slow_disk(monkeypatch)
    window.files.save_action.trigger()
    batch = window.project.batch_size
    window.document.edit({"data.batch_size": batch + 1})  # while the disk is busy
    gate.set()
    qtbot.waitUntil(lambda: not window.files.saving, timeout=TIMEOUT)
    assert Project.load(path).seed == 63 and Project.load(path).batch_size == batch
    assert window.document.is_modified()
    window.document.undo()  # the batch size back: what the file holds
    assert not window.document.is_modified()
    window.document.undo()  # the seed back to the first save's: not what the file holds
    assert window.document.is_modified()


def save_on_a_slow_disk(window, path, monkeypatch, value):
    """Save ``path`` once, change the seed to ``value`` and press Save with a disk that
    finishes 0.3 s later; returns the disk's gate (os.fsync waits for it)."""
    window.save_project(path)
    seed(window, value)
    gate, _ = slow_disk(monkeypatch)
    window.files.save_action.trigger()
    threading.Timer(0.3, gate.set).start()
    return gate


def test_a_second_save_and_the_unsaved_changes_question_wait_for_the_first(
        qtbot, window, tmp_path, monkeypatch, no_dialogs):
    path = tmp_path / "lesson.json"
    gate = save_on_a_slow_disk(window, path, monkeypatch, 65)
    assert window.files.confirm_discard() is True  # after the save ended: nothing to ask
    assert no_dialogs == [] and not window.files.saving
    assert Project.load(path).seed == 65
    gate.clear()
    seed(window, 66)
    window.files.save_action.trigger()
    threading.Timer(0.3, gate.set).start()
    seed(window, 67)
    window.files.save_action.trigger()  # waits for the first, then writes 67
    qtbot.waitUntil(lambda: not window.files.saving, timeout=TIMEOUT)
    assert Project.load(path).seed == 67 and not window.document.is_modified()


def test_closing_waits_for_the_save_in_flight(qtbot, window, tmp_path, monkeypatch, no_dialogs):
    path = tmp_path / "lesson.json"
    save_on_a_slow_disk(window, path, monkeypatch, 68)
    assert window.close() is True
    assert no_dialogs == []  # saved by then: no question about unsaved changes
    assert Project.load(path).seed == 68
