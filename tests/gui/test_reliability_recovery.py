"""Recovered work, protected files and pictures on a full disk: nothing lands on the wrong file.

Each test failed before: recovered untitled work was saved over the file the window had open,
a damaged autosave time crashed every start, a read-only project was replaced, and a PNG or
SVG written over an existing one on a full disk left a truncated file in its place.
"""
import errno
import os

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from initviz.autosave_store import AutosaveStore
from initviz.errors import ProjectError
from initviz.gui.export import writers
from initviz.gui.render import render_project
from initviz.project import Project

TIMEOUT = 20000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("INITVIZ_DATA_DIR", str(tmp_path / "data"))
    return AutosaveStore(tmp_path / "data")


def answer_yes(monkeypatch):
    asked = []

    def yes(parent, title, text, *args):
        asked.append(text)
        return QtWidgets.QMessageBox.Yes

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", yes)
    return asked


@pytest.mark.parametrize("source", ["never saved", "deleted since", "broken since"])
def test_recovered_work_without_its_file_comes_back_untitled(
        qtbot, window, store, tmp_path, monkeypatch, source):
    """Started as `initviz other.json`, the restored work must not be saved over other.json."""

    other = tmp_path / "other.json"
    Project({"name": "other", "network": {"widths": [8, 12, 4]}}).save(other)
    window.load_project(other)
    origin = None
    if source != "never saved":
        origin = tmp_path / "gone.json"
        Project({"name": "gone"}).save(origin)
    unsaved = Project({"name": "untitled work", "network": {"widths": [8, 20, 4]}})
    store.save(unsaved, source=origin)
    if source == "deleted since":
        origin.unlink()
    elif source == "broken since":
        origin.write_text("{")
    other_bytes = other.read_bytes()
    answer_yes(monkeypatch)
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.start_autosave()
    assert window.project == unsaved and window.document.is_modified()
    assert window.files.path is None
    assert "other.json" not in window.windowTitle()
    picked = []

    def save_dialog(parent, caption, suggestion, *args):
        picked.append(suggestion)
        return "", ""  # the user cancels: nothing is written anywhere

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", save_dialog)
    assert window.files.save() is False
    assert picked and "other.json" not in picked[0]  # Save asked for a name
    assert other.read_bytes() == other_bytes


@pytest.mark.parametrize("saved_at", [1e17, -1e18, 1e300])
def test_a_damaged_autosave_time_does_not_crash_the_start(
        qtbot, window, store, monkeypatch, saved_at):

    store.clock = lambda: saved_at
    store.save(Project({"name": "from a crash"}))
    asked = answer_yes(monkeypatch)
    window.start_autosave()
    assert len(asked) == 1 and "unknown time" in asked[0]
    qtbot.waitUntil(lambda: window.project.name == "from a crash", timeout=TIMEOUT)


def test_saving_a_read_only_project_is_refused_and_offers_save_as(
        window, tmp_path, monkeypatch, no_dialogs):
    path = tmp_path / "handout.json"
    window.save_project(path)
    window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(77)
    path.chmod(0o444)
    before = path.read_bytes()
    warned = []

    def warning(parent, title, text, *args):
        warned.append(text)
        return QtWidgets.QMessageBox.Save

    monkeypatch.setattr(QtWidgets.QMessageBox, "warning", warning)
    copy = tmp_path / "mine.json"
    suggested = []

    def save_dialog(parent, caption, suggestion, *args):
        suggested.append(suggestion)
        return str(copy), ""

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", save_dialog)
    assert window.files.save() is True
    assert "read-only" in warned[0] and "Save As" in warned[0]
    assert suggested == [str(tmp_path / f"{window.project.name} copy.json")]
    assert path.read_bytes() == before
    assert Project.load(copy).seed == 77 and window.files.path == copy
    assert not window.isWindowModified() and not window.document.is_modified()


def fail_writes_after(monkeypatch, allowed: int):
    """os.write raises ENOSPC after ``allowed`` successful calls: a disk that fills up."""
    real = os.write
    calls = []

    def write(fd, data):
        calls.append(len(data))
        if len(calls) > allowed:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_exporting_over_a_picture_on_a_full_disk_keeps_the_old_one(
        window, tmp_path, monkeypatch, suffix):
    target = tmp_path / f"dash{suffix}"
    writers.export_widget(window.dashboard, target)
    before = target.read_bytes()
    fail_writes_after(monkeypatch, 0)
    with pytest.raises(ProjectError, match="the disk is full"):
        writers.export_widget(window.dashboard, target)
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_rendering_over_a_png_on_a_full_disk_keeps_the_old_one(qtbot, tmp_path, small_project):
    target = tmp_path / "slide.png"
    render_project(small_project, target, size=(800, 500))
    before = target.read_bytes()
    assert before.startswith(PNG_MAGIC)
    with pytest.MonkeyPatch.context() as patch:
        fail_writes_after(patch, 0)
        with pytest.raises(ProjectError, match="the disk is full"):
            render_project(small_project, target, size=(800, 500))
    assert target.read_bytes() == before


def test_an_svg_that_cannot_be_finished_is_an_error_not_a_truncated_file(
        window, tmp_path, monkeypatch):
    target = tmp_path / "dash.svg"
    real_end = QtGui.QPainter.end

    def end_fails(painter):  # what a device that failed mid-way reports
        real_end(painter)
        return False

    monkeypatch.setattr(QtGui.QPainter, "end", end_fails)
    with pytest.raises(ProjectError, match="could not be completed"):
        writers.export_widget(window.dashboard, target)
    assert not target.exists()


def second_window(qtbot, small_project):
    from initviz.gui import MainWindow

    win = MainWindow(small_project)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.resultsUpdated, timeout=TIMEOUT):
        win.show()
    return win


def test_a_second_window_leaves_the_first_ones_autosave_alone(
        qtbot, window, store, small_project, monkeypatch):
    """B, started while A runs, must neither offer nor delete A's work; after A crashes, a
    later start offers it."""
    from initviz.gui.actions.autosave import AutosaveController

    a = AutosaveController(window.document, delay_ms=10)
    window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(41)
    qtbot.waitUntil(a.store.autosave_path.exists, timeout=TIMEOUT)
    asked = answer_yes(monkeypatch)
    b_window = second_window(qtbot, small_project)
    b = b_window.start_autosave()
    assert asked == []  # A is alive: its work is not B's to offer
    assert b.store.autosave_path != a.store.autosave_path
    b_window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(42)
    b.autosave_now()
    b.clean_exit()
    assert a.store.autosave_path.exists() and not b.store.autosave_path.exists()
    a._lock.unlock()  # A's process dies: what a crash leaves is its file, and no live owner
    a.timer.stop()
    c_window = second_window(qtbot, small_project)
    with qtbot.waitSignal(c_window.resultsUpdated, timeout=TIMEOUT):
        c = c_window.start_autosave()
    assert len(asked) == 1 and c_window.project.seed == 41
    assert not a.store.autosave_path.exists()  # restored: C keeps it under its own name now
    assert c.store.autosave_path.exists()
    c.clean_exit()


def test_a_lock_left_by_a_killed_process_is_not_a_live_owner(tmp_path, qapp):
    """A crash leaves its lock file behind; its process id is gone, so the work is offered."""
    import subprocess
    import sys

    from initviz.gui.actions.autosave import owner_alive

    lock = tmp_path / "autosave-dead.lock"
    script = ("import os, sys\nfrom PySide6 import QtCore\n"
              f"lock = QtCore.QLockFile({str(lock)!r})\nassert lock.tryLock(0)\n"
              "sys.stdout.flush()\nos._exit(9)\n")
    done = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert done.returncode == 9 and lock.exists()  # killed, lock left behind
    assert owner_alive(lock) is False
    assert not lock.exists()  # the stale lock is cleared
    live = QtCore.QLockFile(str(lock))
    assert live.tryLock(0)
    assert owner_alive(lock) is True  # a running owner (this process) keeps its work
    live.unlock()
