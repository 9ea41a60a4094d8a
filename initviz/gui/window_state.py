"""Where the window opens: where the user left it, or as large as fits the screen it is on.

Geometry and dock layout are kept in QSettings (``saveGeometry`` / ``saveState``) when the
app closes and restored at the next start, unless the screen they were saved on is gone or
smaller (a laptop saved at 1920×1080, started on a 1024×768 projector): then the window is
sized to the screen it opens on instead, so no part of it starts off screen.
"""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui.actions.files import settings

GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
FOLDED_KEY = "window/notesFolded"
"""Whether the saved layout has the notes folded by DockFit (not by the user's hand)."""
STATE_VERSION = 1
"""Raise when the docks change, so an old layout is not applied to new docks."""
MARGIN = 0.95
"""The share of the free screen a first window takes at most, leaving the desktop visible."""


def opening_rect(available: QtCore.QRect, preferred: QtCore.QSize) -> QtCore.QRect:
    """The preferred size, shrunk to MARGIN of ``available`` where it does not fit, centred."""
    width = min(preferred.width(), int(available.width() * MARGIN))
    height = min(preferred.height(), int(available.height() * MARGIN))
    rect = QtCore.QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def fits(frame: QtCore.QRect, available: QtCore.QRect) -> bool:
    """Whether a window frame lies wholly on the free part of a screen."""
    return available.contains(frame)


def _available(window: QtWidgets.QWidget) -> QtCore.QRect:
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def restore(window: QtWidgets.QMainWindow) -> None:
    """Put the window where it was left, or size it to its screen (before ``show``)."""
    store = settings()
    geometry = store.value(GEOMETRY_KEY)
    state = store.value(STATE_KEY)
    if state is not None and window.restoreState(QtCore.QByteArray(state), STATE_VERSION):
        window.dock_fit.restore(store.value(FOLDED_KEY, False, type=bool))
    available = _available(window)
    if geometry is not None and window.restoreGeometry(QtCore.QByteArray(geometry)):
        if window.isMaximized() or fits(window.frameGeometry(), available):
            return
    window.setGeometry(opening_rect(available, window.size()))


def save(window: QtWidgets.QMainWindow) -> None:
    """Remember the window's geometry and dock layout for the next start."""
    store = settings()
    store.setValue(GEOMETRY_KEY, window.saveGeometry())
    store.setValue(STATE_KEY, window.saveState(STATE_VERSION))
    store.setValue(FOLDED_KEY, window.dock_fit.folded)
    store.sync()
