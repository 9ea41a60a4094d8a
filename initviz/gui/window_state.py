"""Where the window opens: where the user left it, or sized to the screen it is on.

Geometry and dock layout are kept in QSettings (``saveGeometry`` / ``saveState``) when the
app closes and restored at the next start. A first window takes SHARE of the free part of
its screen, centred: a 1920×1080 laptop shows the plots large, a 1024×768 projector shows
the whole window. A saved geometry larger than the screen it opens on (saved on a 1920-pixel
laptop, opened on a 1024×768 projector) is shrunk to that screen and moved onto it, so no
part of the window starts off screen.
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
SHARE = 0.9
"""The share of the free screen a first window takes, leaving some desktop in sight."""


def opening_rect(available: QtCore.QRect, minimum: QtCore.QSize) -> QtCore.QRect:
    """SHARE of ``available``, centred; never smaller than ``minimum`` (the window's least
    usable size), never larger than ``available`` (where the two disagree, the screen wins)."""
    width = min(max(round(available.width() * SHARE), minimum.width()), available.width())
    height = min(max(round(available.height() * SHARE), minimum.height()), available.height())
    rect = QtCore.QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def fits(frame: QtCore.QRect, available: QtCore.QRect) -> bool:
    """Whether a window frame lies wholly on the free part of a screen."""
    return available.contains(frame)


def clamped(frame: QtCore.QRect, available: QtCore.QRect) -> QtCore.QRect:
    """``frame`` shrunk to ``available`` where it is larger, then moved the least distance
    that puts it wholly on ``available``."""
    rect = QtCore.QRect(frame.topLeft(), frame.size().boundedTo(available.size()))
    rect.moveLeft(min(max(rect.left(), available.left()), available.right() - rect.width() + 1))
    rect.moveTop(min(max(rect.top(), available.top()), available.bottom() - rect.height() + 1))
    return rect


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
    if geometry is None or not window.restoreGeometry(QtCore.QByteArray(geometry)):
        minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
        window.setGeometry(opening_rect(available, minimum))
        return
    frame = window.frameGeometry()
    if window.isMaximized() or fits(frame, available):
        return
    inner = window.geometry()
    target = clamped(frame, available)  # the frame (title bar, borders) wholly on the screen
    window.setGeometry(target.marginsRemoved(QtCore.QMargins(
        inner.left() - frame.left(), inner.top() - frame.top(),
        frame.right() - inner.right(), frame.bottom() - inner.bottom())))


def save(window: QtWidgets.QMainWindow) -> None:
    """Remember the window's geometry and dock layout for the next start."""
    store = settings()
    store.setValue(GEOMETRY_KEY, window.saveGeometry())
    store.setValue(STATE_KEY, window.saveState(STATE_VERSION))
    store.setValue(FOLDED_KEY, window.dock_fit.folded)
    store.sync()
