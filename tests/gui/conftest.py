"""GUI test set-up: no dialog ever opens, settings never touch the real user profile."""
import pytest
from PySide6 import QtCore, QtWidgets


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path):
    """QSettings (recent files) in a folder of this test only."""
    QtCore.QSettings.setPath(
        QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, str(tmp_path / "settings"))
    yield


@pytest.fixture(autouse=True)
def no_dialogs(monkeypatch):
    """Message boxes answer at once and are recorded; an unexpected file dialog fails the test."""
    shown = []

    def record(kind, answer):
        def box(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return answer
        return box

    monkeypatch.setattr(QtWidgets.QMessageBox, "question",
                        record("question", QtWidgets.QMessageBox.Discard))
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QtWidgets.QMessageBox, kind, record(kind, QtWidgets.QMessageBox.Ok))

    def no_file_dialog(*args, **kwargs):
        raise AssertionError("a test opened a file dialog without monkeypatching it")

    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", no_file_dialog)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", no_file_dialog)
    return shown


@pytest.fixture
def small_project():
    from initviz.project import Project

    return Project({
        "name": "small",
        "network": {"widths": [32, 32, 32, 10], "activation": "tanh"},
        "init": {"scheme": "xavier_normal"},
        "data": {"batch_size": 64, "seed": 1},
    })


@pytest.fixture
def window(qtbot, small_project):
    """A MainWindow on the small project, its first result already drawn."""
    from initviz.gui import MainWindow

    win = MainWindow(small_project)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.resultsUpdated, timeout=20000):
        win.show()
    return win
