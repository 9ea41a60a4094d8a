"""The window under bad input and faults: a dialog or a status message, never a crash or a loss."""
import gc
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from initviz.autosave_store import AutosaveStore
from initviz.core import draws, footprint, ledger, memory
from initviz.errors import ProjectError
from initviz.gui.workers import compute
from initviz.project import Project

TIMEOUT = 20000
REPO_ROOT = Path(__file__).resolve().parents[2]


def trigger_menu(win, text) -> None:
    """Trigger a menu item by its text, as a click would (the menu is kept alive meanwhile)."""
    for entry in win.menuBar().actions():
        menu = entry.menu()
        for action in menu.actions():
            if action.text().replace("&", "").rstrip("…") == text:
                action.trigger()
                return
    raise AssertionError(f"no menu action {text!r}")


def status(win) -> str:
    return win.statusBar().currentMessage()


BAD_FILES = {
    "syntax.json": '{"name": ',
    "binary.json": b"\x00\x01\x02\xff",
    "empty.json": "",
    "newer.json": '{"version": 99}',
    "nan.json": '{"network": {"widths": [32, NaN, 10]}}',
    "spiral.json": '{"network": {"widths": [5, 8, 3]}, "data": {"source": "spiral"}}',
    "deep.json": "[" * 100_000,
}


@pytest.mark.parametrize("name", [*BAD_FILES, "missing.json", "folder.json"])
def test_file_open_on_a_bad_file_shows_a_dialog_and_keeps_the_project(
        window, tmp_path, monkeypatch, no_dialogs, name):
    path = tmp_path / name
    if name == "folder.json":
        path.mkdir()
    elif name in BAD_FILES:
        content = BAD_FILES[name]
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(path), "initviz projects (*.json)"))
    before = window.project.to_dict()
    drawn = window.dashboard.data
    trigger_menu(window, "Open")
    with pytest.raises(ProjectError) as expected:
        Project.load(path)
    assert no_dialogs == [("critical", "Cannot open project", str(expected.value))]
    assert name in str(expected.value)
    assert window.project.to_dict() == before and window.dashboard.data is drawn
    assert window.files.path is None and not window.compute.busy


def test_memory_guard_reaches_the_status_bar(qtbot, window, monkeypatch):
    gc.collect()  # earlier tests' windows let go of their promises now, not mid-test
    monkeypatch.setenv("INITVIZ_MEMORY_BUDGET", "8M")
    shown = window.dashboard.data
    spin = window.findChild(QtWidgets.QSpinBox, "widthSpin")
    with qtbot.waitSignal(window.compute.computeFailed, timeout=TIMEOUT) as failed:
        spin.setValue(4096)
    assert failed.args[0].startswith("this project needs about ")
    assert status(window) == failed.args[0]
    suggested = int(re.search(r"make the hidden layers (\d+) wide or less", status(window))[1])
    budget = memory.memory_budget() - ledger.promised_bytes()  # an idle Trainer's share

    def estimate(cache_bytes):
        return lambda widths, batch: footprint.simulation_bytes(
            widths, batch, window.project.scheme, cache_bytes)
    # the largest width whose estimate fits, with the window's draw cache counted
    assert suggested == memory.largest_hidden_width(
        estimate(draws.SHARED.budget_bytes), window.project.widths, 64, budget)
    assert suggested < memory.largest_hidden_width(estimate(0), window.project.widths, 64, budget)
    assert window.project.widths == [32, 4096, 4096, 10] and window.dashboard.data is shown
    assert window.timing_label.text() == "failed"
    monkeypatch.delenv("INITVIZ_MEMORY_BUDGET")
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT) as drawn:
        spin.setValue(16)
    assert drawn.args[0].project.widths == [32, 16, 16, 10]


@pytest.mark.parametrize("error, message", [
    (RuntimeError("boom"), "computation failed (RuntimeError: boom)"),
    (MemoryError(), "not enough memory for this network: lower the batch size or the widths"),
    (FloatingPointError("overflow"), "computation failed (FloatingPointError: overflow)"),
])
def test_errors_inside_the_worker_reach_the_status_bar(qtbot, window, monkeypatch, error, message):
    def broken(snapshot):
        raise error

    real = compute.compute
    monkeypatch.setattr(compute, "compute", broken)
    with qtbot.waitSignal(window.compute.computeFailed, timeout=TIMEOUT):
        window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(11)
    assert status(window) == message
    monkeypatch.setattr(compute, "compute", real)  # (not undo(): the conftest's patches stay)
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT) as drawn:  # and it recovers
        window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(12)
    assert drawn.args[0].project.seed == 12


def test_closing_during_a_long_computation_stops_the_thread(qtbot, window, monkeypatch):
    started, closing = threading.Event(), threading.Event()
    real = compute.compute

    def slow(snapshot):  # a long NumPy call: uninterruptible, it runs until the window closes
        started.set()
        closing.wait(TIMEOUT / 1000)
        square = np.ones((200, 200))
        for _ in range(20):
            square = np.tanh(square @ square / 200)
        return real(snapshot)

    monkeypatch.setattr(compute, "compute", slow)
    shutdown = window.compute.shutdown
    monkeypatch.setattr(window.compute, "shutdown", lambda: closing.set() or shutdown())
    window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(5)
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT)
    assert window.compute.busy
    assert window.close()  # waits for the computation to end, then stops the thread
    assert closing.is_set() and not window.compute._thread.isRunning()
    QtWidgets.QApplication.processEvents()  # the last result may still arrive: harmless


CLOSE_DURING_COMPUTE = """
import sys, threading
import numpy as np
from PySide6 import QtCore
from initviz.gui.app import ensure_application
from initviz.gui.workers import compute
from initviz.project import Project

app = ensure_application()
from initviz.gui.main_window import MainWindow

started = threading.Event()
real = compute.compute

release = threading.Event()  # never set: the computation takes its full second

def slow(snapshot):
    started.set()
    release.wait(1.0)  # a long computation: still running when the window closes
    return real(snapshot)

compute.compute = slow
window = MainWindow(Project({"network": {"widths": [8, 16, 4]}, "data": {"batch_size": 8}}))
window.document.load(window.project)  # nothing to save: close at once
window.show()

def close_when_busy():
    if started.is_set():
        print("closing while busy:", window.compute.busy, flush=True)
        window.close()
    else:
        QtCore.QTimer.singleShot(5, close_when_busy)

QtCore.QTimer.singleShot(5, close_when_busy)
status = app.exec()
print("event loop ended", status, flush=True)
"""


def test_closing_the_app_during_a_long_computation_exits_cleanly(tmp_path):
    """The real thing, in its own process: no 'QThread: Destroyed while thread is still running'
    abort, no traceback, exit status 0."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INITVIZ_DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", CLOSE_DURING_COMPUTE], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "closing while busy: True" in done.stdout and "event loop ended 0" in done.stdout
    assert "Traceback" not in done.stderr and "QThread" not in done.stderr, done.stderr


SCRIPT_THAT_JUST_ENDS = """
from PySide6 import QtCore
from initviz.gui.app import ensure_application
from initviz.gui.main_window import MainWindow
from initviz.project import Project

app = ensure_application()
window = MainWindow(Project({"network": {"widths": [16, 32, 32, 4]}}))
window.show()
loop = QtCore.QEventLoop()
window.resultsUpdated.connect(lambda sim: loop.quit())
loop.exec()
print("drawn; compute thread waiting for the next change:",
      window.compute._thread.isRunning(), flush=True)
"""  # no close(), no app.exec(): so no aboutToQuit either


def test_a_script_that_ends_with_the_window_open_exits_cleanly(tmp_path):
    """The compute thread waits 2 s for the next change; a script ending within them must
    not be aborted by Qt for destroying a running QThread."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INITVIZ_DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", SCRIPT_THAT_JUST_ENDS], capture_output=True,
                          text=True, timeout=120, env=env)
    assert "waiting for the next change: True" in done.stdout, done.stderr
    assert done.returncode == 0, done.stderr
    assert "QThread" not in done.stderr, done.stderr


EXPLODING = {
    "name": "too large",
    "network": {"widths": [16] + [32] * 29 + [4], "activation": "relu"},
    "init": {"scheme": "normal", "params": {"std": 100}},
    "data": {"batch_size": 16, "seed": 3},
}


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_exploding_numbers_are_drawn_and_counted_without_warnings(qtbot, window):
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT) as drawn:
        window.document.set_project(Project(EXPLODING))
    sim = drawn.args[0]
    data = window.dashboard.data
    nonfinite = [cell.nonfinite for cell in data.cells["preactivation"]]
    assert nonfinite[0] == 0 and nonfinite[-1] == 16 * 4
    assert nonfinite == [int((~np.isfinite(layer.preactivation)).sum()) for layer in sim.layers]
    grid = window.dashboard.grid
    bar = grid.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())  # the class scrolls down to the last layers: drawn at once
    rows = len(window.view_settings.visible_layers(len(sim.layers)))  # the last is the output
    assert grid.rows_in_sight(rows)[-1] == rows - 1 and grid.pending_rows < rows
    badges = [cell_text(cell) for cell in grid.cells() if cell.quantity == "preactivation"]
    assert any(f"{16 * 4:,} inf/NaN" in text for text in badges), badges
    depth = window.dashboard.depth_plot
    forward = depth.shown["forward"]  # finite in the first layers, then broken off
    assert np.isfinite(forward[0]) and np.isnan(forward[-1])
    for key, values in depth.shown.items():  # log axis: no 0, no inf
        assert not (np.isinf(values) | (values <= 0)).any()
        line = depth.lines[key].path()  # broken where the values are, never through inf/NaN
        points = [line.elementAt(i) for i in range(line.elementCount())]
        assert all(np.isfinite([e.x, e.y]).all() for e in points)
        if key in depth.dots:
            assert depth.dots[key].path().elementCount() == 2 * np.isfinite(values).sum()
    for view in ({"log_counts": True}, {"heatmap": True}, {"shared_axes": False}):
        with qtbot.waitSignal(window.dashboard.drawn, timeout=TIMEOUT):
            window.document.set_display(view)
    image = window.dashboard.heatmap.images[1].image
    assert image is not None and np.isfinite(image).all()


def cell_text(cell) -> str:
    return cell.caption.text  # what the caption paints, one line per line


# --- autosave ------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("INITVIZ_DATA_DIR", str(tmp_path / "data"))
    return AutosaveStore(tmp_path / "data")


def test_unsaved_work_is_autosaved_and_forgotten_once_saved(qtbot, window, store, tmp_path):
    from initviz.gui.actions.autosave import AutosaveController

    autosave = AutosaveController(window.document, delay_ms=10)
    assert autosave.store.folder == store.folder  # INITVIZ_DATA_DIR wins over AppDataLocation
    own = autosave.store.autosave_path  # this window's own file in that folder
    window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(21)
    qtbot.waitUntil(own.exists, timeout=TIMEOUT)
    record = json.loads(own.read_text(encoding="utf-8"))
    assert record["project"]["data"]["seed"] == 21 and record["source"] is None
    assert store.pending().project == window.project  # what a crash now would offer
    window.save_project(tmp_path / "mine.json")
    window.document.set_project(window.project)  # the work is saved: nothing to keep
    qtbot.waitUntil(lambda: not own.exists(), timeout=TIMEOUT)
    autosave.clean_exit()
    assert store.pending() is None


def test_edits_that_never_pause_are_still_autosaved(qtbot, window, store):
    """A change every 50 ms never leaves the 300 ms debounce time to fire: without a longest
    wait, nothing would be written until the edits stop, and a crash would lose all of it."""
    from initviz.gui.actions.autosave import AutosaveController

    autosave = AutosaveController(window.document, delay_ms=300, longest_wait_ms=1000)
    own = autosave.store.autosave_path
    seed = window.findChild(QtWidgets.QSpinBox, "seedSpin")
    first = seed.value()
    editing = QtCore.QTimer(interval=50)
    editing.timeout.connect(lambda: seed.setValue(seed.value() + 1))
    editing.start()
    try:
        qtbot.waitUntil(own.exists, timeout=5000)  # written while the edits go on
        assert editing.isActive()
        saved = json.loads(own.read_text(encoding="utf-8"))["project"]["data"]["seed"]
        assert saved > first  # the edits made so far are what a crash would offer back
    finally:
        editing.stop()
        autosave.clean_exit()


def test_after_a_crash_the_unsaved_work_is_offered_and_restored(
        qtbot, window, store, tmp_path, monkeypatch):

    source = tmp_path / "lesson.json"
    Project({"name": "lesson", "network": {"widths": [8, 16, 4]}}).save(source)
    unsaved = Project({"name": "lesson", "network": {"widths": [8, 24, 4]}})
    store.save(unsaved, source=source)  # ...and then initviz was killed
    asked = []

    def answer(parent, title, text, *args):
        asked.append((title, text))
        return QtWidgets.QMessageBox.Yes

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", answer)
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        autosave = window.start_autosave()
    assert asked[0][0] == "Restore unsaved work?"
    assert "initviz did not close normally" in asked[0][1] and "lesson.json" in asked[0][1]
    assert window.project == unsaved and window.document.is_modified()
    assert window.files.path == source  # Save goes back to the file it came from
    assert window.autosave is autosave
    window.document.undo()
    assert window.project.widths == [8, 16, 4]  # the saved version is one undo away


def test_a_declined_restore_is_not_asked_again(window, store, monkeypatch, no_dialogs):

    store.save(Project({"name": "lost"}))
    before = window.project.to_dict()
    window.start_autosave()  # the conftest answers "Discard"
    assert [d[1] for d in no_dialogs] == ["Restore unsaved work?"]
    assert window.project.to_dict() == before and store.pending() is None
    window.start_autosave()
    assert len(no_dialogs) == 1


def test_run_app_records_a_clean_exit(store, monkeypatch, qapp):
    from initviz.gui import app as app_module

    store.save(Project({"name": "from a crash"}))
    monkeypatch.setattr(QtWidgets.QMessageBox, "question",
                        lambda *args: QtWidgets.QMessageBox.No)
    monkeypatch.setattr(QtWidgets.QApplication, "exec", lambda self: 0)  # the user quits at once
    windows = []
    from initviz.gui import main_window

    monkeypatch.setattr(main_window.MainWindow, "show", lambda self: windows.append(self))
    assert app_module.run_app(None) == 0
    assert windows and windows[0].autosave.store.folder == store.folder
    assert store.pending() is None  # declined, then a clean exit
    assert json.loads(store.session_path.read_text())["clean_exit_at"] > 0
    windows[0].compute.shutdown()
    windows[0].deleteLater()


def test_an_autosave_waits_for_the_disk_off_the_gui_thread_and_closing_waits_for_it(
        qtbot, window, store, monkeypatch):
    """An autosave's fsync can take a while on a busy or slow disk: the window goes on
    answering meanwhile (the wait is on the autosave's own thread), and a clean exit still
    finds the write done before it forgets the autosave."""
    from initviz.gui.actions.autosave import AutosaveController

    gate, synced, done = threading.Event(), [], []
    real_fsync = os.fsync

    def slow_disk(fd):
        synced.append(threading.current_thread() is threading.main_thread())
        gate.wait(3)
        real_fsync(fd)
        done.append(fd)

    monkeypatch.setattr(os, "fsync", slow_disk)
    autosave = AutosaveController(window.document, delay_ms=10)
    window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(51)
    qtbot.waitUntil(lambda: bool(synced), timeout=TIMEOUT)  # the write waits for the disk...
    assert synced[0] is False  # ...and not on the GUI thread
    assert not done
    window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(52)  # the window still answers
    assert window.project.seed == 52
    threading.Timer(0.3, gate.set).start()
    autosave.autosave_now()
    autosave.flush()  # both writes, in order: the last one holds the last edit
    assert store.pending().project.seed == 52
    assert len(done) >= 2 and True not in synced
    autosave.clean_exit()  # the session's record is written as the window closes
    assert store.pending() is None
    assert json.loads(store.session_path.read_text())["clean_exit_at"] > 0


def test_autosave_into_a_full_disk_says_so_once(qtbot, window, store, monkeypatch):
    from initviz.gui.actions.autosave import AutosaveController

    autosave = AutosaveController(window.document, delay_ms=10)
    calls = []

    def full(project, source=None):
        calls.append(project)
        raise ProjectError("cannot save autosave.json: the disk is full")

    monkeypatch.setattr(autosave.store, "save", full)
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    for seed in (31, 32):
        tried = len(calls)
        window.findChild(QtWidgets.QSpinBox, "seedSpin").setValue(seed)
        qtbot.waitUntil(lambda tried=tried: len(calls) > tried, timeout=TIMEOUT)
    failures = [m for m in messages if m.startswith("Autosave failed")]
    assert failures == ["Autosave failed: cannot save autosave.json: the disk is full"]


@pytest.mark.parametrize("content, words", [
    ("{", "bad.json is not valid JSON"),
    ('{"version": 3}', "bad.json: version 3 is newer than this initviz understands"),
])
def test_initviz_with_a_bad_file_exits_2_before_any_window(tmp_path, content, words):
    # In its own process: the window's entry applies the app's process tuning first.
    path = tmp_path / "bad.json"
    path.write_text(content)
    done = subprocess.run([sys.executable, "-m", "initviz", str(path)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path,
                          env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    assert done.returncode == 2
    out, err = done.stdout, done.stderr
    assert out == "" and err.count("\n") == 1 and err.startswith(f"initviz: {words}")
    assert QtWidgets.QApplication.topLevelWidgets() == [] or all(
        not w.isVisible() for w in QtWidgets.QApplication.topLevelWidgets())
