"""Finding the main window's controls by objectName and waiting for what the plots show."""
from PySide6 import QtWidgets

TIMEOUT = 20000
"""ms to wait for a computation and its drawing: generous for a loaded CI machine."""


def control(win, name, kind=QtWidgets.QWidget):
    widget = win.findChild(kind, name)
    assert widget is not None, f"no control named {name}"
    return widget


def drawn_after(qtbot, win, action):
    """Run ``action`` and return the Simulation the plots show afterwards."""
    with qtbot.waitSignal(win.resultsUpdated, timeout=TIMEOUT) as blocker:
        action()
    return blocker.args[0]
